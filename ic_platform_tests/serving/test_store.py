from datetime import date

import adbc_driver_manager.dbapi
import polars as pl
import pytest
import sqlalchemy as sa

from ic_platform.schemas.scores import FACTOR_METRICS
from ic_platform.serving import store
from ic_platform_tests.conftest import postgres_url

DAYS = [date(2025, 1, 2), date(2025, 1, 3), date(2025, 1, 6)]
COMPANIES = pl.DataFrame(
    {"ticker": ["AAA", "BBB"], "cik": [1, 2], "name": ["A Inc.", "B Inc."], "gics_sector": ["Energy", None]}
)


def score_rows(days, tickers=("AAA", "BBB"), score=50) -> pl.DataFrame:
    rows = [
        {
            "ticker": ticker,
            "date": day,
            "overall_score": score,
            "rating": "Hold",
            **dict.fromkeys(FACTOR_METRICS, 50.0),
            "sector_percentile": 50.0,
            "data_completeness": 0.9,
            "confidence_level": "High",
            "gics_sector": "Energy",
            "inputs_knowledge_date": day,
        }
        for day in days
        for ticker in tickers
    ]
    return pl.DataFrame(rows).select(store.SCORE_COLUMNS).cast({"overall_score": pl.Int32})


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    """The serving database on each backend, migrated."""
    if request.param == "sqlite":
        engine = store.engine(f"sqlite:///{tmp_path / 'serving.sqlite'}")
    else:
        engine = store.engine(postgres_url(request.getfixturevalue("postgres_database")))
    store.migrate(engine)
    yield engine
    engine.dispose()


def test_the_schema_is_migrated_once_with_the_indexes_the_api_needs(db):
    store.migrate(db)  # a second upgrade is a no-op
    inspector = sa.inspect(db)
    assert {"scores", "companies", "alembic_version"} <= set(inspector.get_table_names())
    assert {index["name"] for index in inspector.get_indexes("scores")} == {"scores_by_day", "scores_by_sector_and_day"}


def test_a_window_is_replaced_whole_and_a_ticker_no_longer_scored_disappears(db):
    assert store.replace_window(db, score_rows(DAYS), DAYS[0], DAYS[-1], COMPANIES) == 6
    assert store.window_rows(db).equals(score_rows(DAYS).sort("date", "ticker"))
    # the middle day recomputed: BBB no longer scored, AAA's score changed; the other days untouched
    store.replace_window(db, score_rows(DAYS[1:2], ("AAA",), score=70), DAYS[1], DAYS[1], COMPANIES.head(1))
    served = store.window_rows(db)
    assert served.height == 5
    assert served.filter(pl.col("date") == DAYS[1]).select("ticker", "overall_score").rows() == [("AAA", 70)]
    with db.connect() as connection:
        assert connection.execute(sa.select(store.companies.c.ticker)).scalars().all() == ["AAA"]
    # the first window was a backfill (SQLite rebuilt the indexes after its insert): the API's indexes remain
    indexes = {index["name"] for index in sa.inspect(db).get_indexes("scores")}
    assert indexes == {"scores_by_day", "scores_by_sector_and_day"}


def test_a_window_that_fails_leaves_the_previous_one(db):
    store.replace_window(db, score_rows(DAYS), DAYS[0], DAYS[-1], COMPANIES)
    # two rows for one ticker and day: the transaction rolls back
    with pytest.raises(adbc_driver_manager.dbapi.DatabaseError):
        store.replace_window(db, pl.concat([score_rows(DAYS), score_rows(DAYS)]), DAYS[0], DAYS[-1], COMPANIES)
    assert store.window_rows(db).height == 6
    with pytest.raises(ValueError, match="outside the window"):
        store.replace_window(db, score_rows(DAYS), DAYS[0], DAYS[0], COMPANIES)


def test_a_factor_that_starts_with_nulls_reads_back_as_numbers(db):
    # SQLite's driver types a column by the first batch of rows it reads: here 2,000 rows without a value factor
    tickers = [f"A{n:04d}" for n in range(2000)] + ["ZZZ"]
    rows = score_rows(DAYS[:1], tickers).with_columns(
        value=pl.when(pl.col("ticker") == "ZZZ").then(pl.col("value")).otherwise(None)
    )
    store.replace_window(db, rows, DAYS[0], DAYS[0], COMPANIES)
    assert store.window_rows(db).equals(rows.sort("date", "ticker"))
    assert store.window_rows(db, tickers=tickers[-2:]).equals(rows.filter(pl.col("ticker").is_in(tickers[-2:])))


def test_a_backfill_again_over_every_day_held_goes_in_a_group_of_tickers_at_a_time(db, monkeypatch):
    monkeypatch.setattr(store, "INGEST_ROWS", 4)  # three tickers of three days: three groups
    tickers = ("AAA", "BBB", "CCC")
    store.replace_window(db, score_rows(DAYS, tickers), DAYS[0], DAYS[-1], COMPANIES)
    again = score_rows(DAYS, tickers, score=60)
    assert store.replace_window(db, again, DAYS[0], DAYS[-1], COMPANIES) == 9
    assert store.window_rows(db).equals(again.sort("date", "ticker"))
    assert store.window_count(db, DAYS[1], DAYS[1]) == 3
    indexes = {index["name"] for index in sa.inspect(db).get_indexes("scores")}
    assert indexes == {"scores_by_day", "scores_by_sector_and_day"}


def test_ticker_groups_split_the_tickers_in_order_by_their_rows():
    tickers = pl.Series(["CCC", "AAA", "BBB", "AAA", "DDD", "CCC"])
    assert store.ticker_groups(tickers, 3) == [["AAA", "BBB"], ["CCC", "DDD"]]
    assert store.ticker_groups(tickers, 6) == [["AAA", "BBB", "CCC", "DDD"]]


def test_sqlalchemy_and_adbc_take_turns_on_one_sqlite_file_in_one_process(tmp_path):
    """Two copies of SQLite (pysqlite's, ADBC's) in one process: a pooled connection of one kept the
    WAL index the other reset on close, and read dates as sectors."""
    db = store.engine(f"sqlite:///{tmp_path / 'serving.sqlite'}")
    store.migrate(db)
    store.replace_window(db, score_rows(DAYS), DAYS[0], DAYS[-1], COMPANIES)
    for score in (70, 90):
        backup_of_it = store.read_rows(db, store.scores)  # ADBC reads, then SQLAlchemy, as a backup does
        with db.connect() as connection:
            connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        store.replace_window(db, score_rows(DAYS, score=score), DAYS[0], DAYS[-1], COMPANIES)
        assert store.window_rows(db).get_column("overall_score").unique().to_list() == [score]
        assert backup_of_it.height == 6
