"""The serving database's read queries, shared by the JSON endpoints and the score pages.

Each is one parameterised SQLAlchemy Core statement (or two: the latest day, then its rows) on a
pooled engine; nothing here writes, so the API's database role needs only SELECT.
"""

from datetime import date

import sqlalchemy as sa

from ic_platform.schemas.scores import FACTOR_METRICS
from ic_platform.serving import store

scores = store.scores
companies = store.companies


def as_json(row) -> dict:
    """A serving row as the API's JSON object (the ten factors grouped)."""
    record = row._mapping
    return {
        "ticker": record["ticker"],
        "date": record["date"].isoformat(),
        "overall_score": record["overall_score"],
        "rating": record["rating"],
        "factors": {factor: record[factor] for factor in FACTOR_METRICS},
        "sector_percentile": record["sector_percentile"],
        "data_completeness": record["data_completeness"],
        "confidence_level": record["confidence_level"],
        "gics_sector": record["gics_sector"],
        "inputs_knowledge_date": record["inputs_knowledge_date"].isoformat(),
    }


class ScoreQueries:
    """Reads of the serving database at one engine."""

    def __init__(self, db: sa.Engine):
        self.db = db

    def latest_day(self) -> date | None:
        """The newest scored day, None when the database holds no scores."""
        with self.db.connect() as connection:
            return connection.execute(sa.select(sa.func.max(scores.c.date))).scalar()

    def best_of_latest_day(
        self, minimums: dict[str, float], sector: str | None, min_score: int, limit: int
    ) -> tuple[date | None, list]:
        """The latest day and its rows whose factors reach `minimums` (a missing factor does not),
        of `sector` and at least `min_score`, best first."""
        conditions = [scores.c[factor] >= minimum for factor, minimum in minimums.items() if minimum > 0]
        if sector:
            conditions.append(scores.c.gics_sector == sector)
        with self.db.connect() as connection:
            day = connection.execute(sa.select(sa.func.max(scores.c.date))).scalar()
            query = sa.select(scores).where(scores.c.date == day, scores.c.overall_score >= min_score, *conditions)
            query = query.order_by(scores.c.overall_score.desc(), scores.c.ticker).limit(limit)
            return day, connection.execute(query).fetchall()

    def score(self, ticker: str, on: date | None = None):
        """The ticker's latest row, or its row of trading day `on`; None when there is none."""
        query = sa.select(scores).where(scores.c.ticker == ticker)
        query = query.where(scores.c.date == on) if on else query.order_by(scores.c.date.desc()).limit(1)
        with self.db.connect() as connection:
            return connection.execute(query).first()

    def history(self, ticker: str, last: int | None, start: date | None = None, end: date | None = None) -> list:
        """The ticker's rows from `start` to `end` (each open when None), oldest first; only the
        `last` ones when given."""
        query = sa.select(scores).where(scores.c.ticker == ticker)
        if start or end:
            query = query.where(scores.c.date >= (start or date.min), scores.c.date <= (end or date.max))
        with self.db.connect() as connection:
            rows = connection.execute(query.order_by(scores.c.date.desc()).limit(last)).fetchall()
        return rows[::-1]

    def company(self, ticker: str):
        """The ticker's companies row (CIK, name, sector), None when unknown."""
        with self.db.connect() as connection:
            return connection.execute(sa.select(companies).where(companies.c.ticker == ticker)).first()

    def sectors(self) -> list[str]:
        """The GICS sectors of the latest day's scores, sorted."""
        latest = sa.select(sa.func.max(scores.c.date)).scalar_subquery()
        query = sa.select(scores.c.gics_sector).where(scores.c.date == latest, scores.c.gics_sector.is_not(None))
        with self.db.connect() as connection:
            return sorted(connection.execute(query.distinct()).scalars())
