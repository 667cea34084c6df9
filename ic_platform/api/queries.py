"""The serving database's read queries, shared by the JSON endpoints and the score pages.

Each is one parameterised SQLAlchemy Core statement on a pooled engine; nothing here writes, so the
API's database role needs only SELECT.
"""

from datetime import date

import sqlalchemy as sa

from ic_platform.schemas.scores import FACTOR_METRICS
from ic_platform.serving import store

scores = store.scores
companies = store.companies


LATEST_DAY = sa.select(sa.func.max(scores.c.date))
FACTOR_COLUMNS = frozenset(FACTOR_METRICS)
FIELDS = tuple(str(column.name) for column in scores.columns)  # plain str: SQLAlchemy's names subclass it


def as_json(row) -> dict:
    """A `scores` row as the API's JSON object: the ten factors grouped, dates left to the JSON
    encoder (orjson writes them as ISO dates)."""
    record: dict = {}
    factors: dict = {}
    for name, value in zip(FIELDS, row, strict=True):
        (factors if name in FACTOR_COLUMNS else record)[name] = value
    record["factors"] = factors
    return record


def best_query(minimums: dict[str, float], sector: str | None, min_score: int, limit: int) -> sa.Select:
    """The latest day's rows whose factors reach `minimums` (a missing factor does not), of
    `sector` and at least `min_score`, best first; the day is a subquery."""
    conditions = [scores.c[factor] >= minimum for factor, minimum in minimums.items() if minimum > 0]
    if sector:
        conditions.append(scores.c.gics_sector == sector)
    latest = LATEST_DAY.scalar_subquery()
    query = sa.select(scores).where(scores.c.date == latest, scores.c.overall_score >= min_score, *conditions)
    return query.order_by(scores.c.overall_score.desc(), scores.c.ticker).limit(limit)


def score_query(ticker: str, on: date | None = None) -> sa.Select:
    """The ticker's latest row, or its row of trading day `on`."""
    query = sa.select(scores).where(scores.c.ticker == ticker)
    return query.where(scores.c.date == on) if on else query.order_by(scores.c.date.desc()).limit(1)


def history_query(ticker: str, last: int | None, start: date | None = None, end: date | None = None) -> sa.Select:
    """The ticker's rows from `start` to `end` (each open when None), newest first; only the `last`
    ones when given."""
    query = sa.select(scores).where(scores.c.ticker == ticker)
    if start or end:
        query = query.where(scores.c.date >= (start or date.min), scores.c.date <= (end or date.max))
    return query.order_by(scores.c.date.desc()).limit(last)


class ScoreQueries:
    """Reads of the serving database at one engine."""

    def __init__(self, db: sa.Engine):
        self.db = db

    def rows(self, query: sa.Select) -> list:
        with self.db.connect() as connection:
            return list(connection.execute(query).fetchall())

    def latest_day(self) -> date | None:
        """The newest scored day, None when the database holds no scores."""
        with self.db.connect() as connection:
            return connection.execute(LATEST_DAY).scalar()

    def best_of_latest_day(
        self, minimums: dict[str, float], sector: str | None, min_score: int, limit: int
    ) -> tuple[date | None, list]:
        """The latest day and its best rows meeting the filters (`best_query`)."""
        rows = self.rows(best_query(minimums, sector, min_score, limit))
        return (rows[0].date if rows else self.latest_day()), rows

    def score(self, ticker: str, on: date | None = None):
        """The ticker's latest row, or its row of trading day `on`; None when there is none."""
        rows = self.rows(score_query(ticker, on))
        return rows[0] if rows else None

    def history(self, ticker: str, last: int | None, start: date | None = None, end: date | None = None) -> list:
        """The ticker's rows from `start` to `end`, oldest first (`history_query`)."""
        return self.rows(history_query(ticker, last, start, end))[::-1]

    def company(self, ticker: str):
        """The ticker's companies row (CIK, name, sector), None when unknown."""
        rows = self.rows(sa.select(companies).where(companies.c.ticker == ticker))
        return rows[0] if rows else None

    def sectors(self) -> list[str]:
        """The GICS sectors of the latest day's scores, sorted."""
        query = sa.select(scores.c.gics_sector).where(
            scores.c.date == LATEST_DAY.scalar_subquery(), scores.c.gics_sector.is_not(None)
        )
        return sorted(row.gics_sector for row in self.rows(query.distinct()))
