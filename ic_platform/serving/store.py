"""The serving database: one row per ticker and day of the published scores, and the companies.

Two backends, one code path each way: PostgreSQL in production (`$IC_SERVING_URL`, e.g.
`postgresql://user@host/db`) and an embedded SQLite file under `$IC_DATA_DIR` by default. The
schema is created and migrated by Alembic (`migrations/`) and the API reads through SQLAlchemy
Core; windows of rows move in and out as Arrow through ADBC (`COPY` on PostgreSQL, prepared
batches on SQLite), not row by row. A window of days is replaced in one transaction: readers see
the old window or the new one, a re-run leaves no duplicate, and a ticker no longer scored on a
recomputed day disappears from it.
"""

from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import date
from pathlib import Path
from urllib.parse import quote, urlencode

import adbc_driver_postgresql.dbapi
import adbc_driver_sqlite.dbapi
import polars as pl
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from ic_platform import settings
from ic_platform.schemas.scores import FACTOR_METRICS

MIGRATIONS = Path(__file__).parent / "migrations"

metadata = sa.MetaData()
scores = sa.Table(
    "scores",
    metadata,
    sa.Column("ticker", sa.String(16), primary_key=True),
    sa.Column("date", sa.Date, primary_key=True),
    sa.Column("overall_score", sa.SmallInteger, nullable=False),
    sa.Column("rating", sa.String(16), nullable=False),
    *(sa.Column(factor, sa.Float) for factor in FACTOR_METRICS),
    sa.Column("sector_percentile", sa.Float, nullable=False),
    sa.Column("data_completeness", sa.Float, nullable=False),
    sa.Column("confidence_level", sa.String(8), nullable=False),
    sa.Column("gics_sector", sa.String(32)),
    sa.Column("inputs_knowledge_date", sa.Date, nullable=False),
    sa.Index("scores_by_day", "date", "overall_score"),
    sa.Index("scores_by_sector_and_day", "gics_sector", "date"),
)
companies = sa.Table(
    "companies",
    metadata,
    sa.Column("ticker", sa.String(16), primary_key=True),
    sa.Column("cik", sa.BigInteger, nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("gics_sector", sa.String(32)),
)
SCORE_COLUMNS = [column.name for column in scores.columns]


def connection_options(statement_timeout_ms: int | None = None) -> dict[str, str]:
    """libpq's connection parameters for every PostgreSQL connection to the serving database: a
    connect timeout ($IC_DB_CONNECT_TIMEOUT_S), the statement and lock timeouts
    ($IC_DB_STATEMENT_TIMEOUT_S, or `statement_timeout_ms`; $IC_DB_LOCK_TIMEOUT_S) and TCP
    keepalives and a user timeout that notice a server gone silent within about a minute."""
    current = settings.current()
    statement_ms = statement_timeout_ms or int(current.db_statement_timeout_s * 1000)
    lock_ms = min(statement_ms, int(current.db_lock_timeout_s * 1000))
    return {
        "connect_timeout": str(max(1, round(current.db_connect_timeout_s))),
        "options": f"-c statement_timeout={statement_ms} -c lock_timeout={lock_ms}",
        "keepalives": "1",
        "keepalives_idle": "30",
        "keepalives_interval": "10",
        "keepalives_count": "3",
        "tcp_user_timeout": "60000",
    }


def engine(url: str | None = None, statement_timeout_ms: int | None = None) -> sa.Engine:
    """A pooled engine on the serving database, `$IC_SERVING_URL` by default (psycopg2 for a
    `postgresql://` URL), with the timeouts of `connection_options` (`statement_timeout_ms`, the
    API's, instead of the writers'); on SQLite a write waits $IC_DB_LOCK_TIMEOUT_S for the lock and
    each use opens its own connection."""
    url = url or settings.current().serving_database()
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg2://" + url.removeprefix("postgresql://")
    if url.startswith("postgresql"):
        return sa.create_engine(url, connect_args=connection_options(statement_timeout_ms))
    # no pool on SQLite: ADBC's writer links its own copy of SQLite, and two copies in one process
    # must never hold the file open at once (a closing copy resets the WAL the other still reads)
    return sa.create_engine(
        url, connect_args={"timeout": settings.current().db_lock_timeout_s}, poolclass=sa.pool.NullPool
    )


def alembic_config() -> Config:
    """Alembic's configuration of the serving schema's migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(db: sa.Engine) -> None:
    """Create or upgrade the schema to the newest Alembic revision; a SQLite database is put in
    write-ahead-log mode (kept in the file), where readers never wait for the writer."""
    if db.dialect.name == "sqlite":
        with db.connect() as connection:
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
    config = alembic_config()
    with db.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def score_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """`ic_scores` rows in the serving table's columns and types."""
    renamed = frame.rename({"score": "overall_score", "confidence": "confidence_level"})
    return renamed.select(SCORE_COLUMNS).cast(polars_schema(scores))


def bulk_connection(db: sa.Engine, autocommit: bool = False):
    """An ADBC connection (DB-API, Arrow in and out) on `db`'s database, in a transaction unless
    `autocommit`, with the engine's timeouts."""
    url = db.url
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            raise ValueError("the serving database must be a SQLite file, not an in-memory database")
        connection = adbc_driver_sqlite.dbapi.connect(url.database, autocommit=autocommit)
        with closing(connection.cursor()) as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(settings.current().db_lock_timeout_s * 1000)}")
        return connection
    # libpq decodes %20, not +, in a URI's query
    query = urlencode({**url.query, **connection_options()}, quote_via=quote)
    base = url.set(drivername="postgresql", query={}).render_as_string(False)
    return adbc_driver_postgresql.dbapi.connect(f"{base}?{query}", autocommit=autocommit)


@contextmanager
def write_transaction(db: sa.Engine) -> Iterator:
    """An ADBC cursor in one write transaction on `db`, committed when the block ends and rolled
    back when it raises. On SQLite the transaction takes the write lock before its first read
    (BEGIN IMMEDIATE): a writer then waits up to $IC_DB_LOCK_TIMEOUT_S for another, where a
    transaction that read first would fail at once (SQLite's deadlock rule)."""
    sqlite = db.dialect.name == "sqlite"
    with closing(bulk_connection(db, autocommit=sqlite)) as connection, closing(connection.cursor()) as cursor:
        if not sqlite:
            yield cursor
            connection.commit()
            return
        cursor.execute("BEGIN IMMEDIATE")
        try:
            yield cursor
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        cursor.execute("COMMIT")


def ingest(cursor, table: sa.Table, rows: pl.DataFrame) -> None:
    """Append `rows` (the table's columns) to `table` in one bulk statement, typed as its columns."""
    schema = polars_schema(table) | {
        c.name: pl.Int16 for c in table.columns if isinstance(c.type, sa.SmallInteger)
    }  # COPY's binary format needs the column's own width
    cursor.adbc_ingest(table.name, rows.select(list(schema)).cast(schema).to_arrow(), mode="append")


INGEST_ROWS = 2_000_000  # rows sorted and inserted at a time (a group of tickers)


def ticker_groups(tickers: pl.Series, rows_per_group: int) -> list[list[str]]:
    """The distinct `tickers` (one per row) in order, split into consecutive groups of about
    `rows_per_group` rows (one group when they fit)."""
    names = tickers.unique().sort().to_list()
    groups = max(1, -(-tickers.len() // rows_per_group))
    return [names[len(names) * k // groups : len(names) * (k + 1) // groups] for k in range(groups)]


def replace_window(db: sa.Engine, rows: pl.DataFrame, start: date, end: date, company_rows: pl.DataFrame) -> int:
    """Replace the days `start`..`end` with `rows` (serving columns) and the companies table, in one
    transaction; the number of score rows written. Rows go in in key order, a group of tickers at a
    time (a sorted copy of one group, not of the window). On SQLite, a window larger than the rest of
    the table (a backfill) drops the secondary indexes before the delete and builds them again after
    the insert, several times faster than keeping them up to date row by row; a window holding
    every row held is emptied in one statement."""
    outside = rows.filter(~pl.col("date").is_between(start, end)).height
    if outside:
        raise ValueError(f"{outside} serving rows fall outside the window {start}..{end}")
    # a date renders only as ISO digits: nothing to quote
    window = f"date BETWEEN '{start.isoformat()}' AND '{end.isoformat()}'"
    with write_transaction(db) as cursor:
        cursor.execute(f"SELECT count(*) FROM scores WHERE NOT ({window})")
        kept = cursor.fetchone()[0]
        rebuild = db.dialect.name == "sqlite" and rows.height > kept
        if rebuild:
            for index in scores.indexes:
                cursor.execute(str(sa.schema.DropIndex(index).compile(dialect=db.dialect)))
        cursor.execute("DELETE FROM scores" + (f" WHERE {window}" if kept else ""))
        groups = ticker_groups(rows.get_column("ticker"), INGEST_ROWS)
        for group in groups:
            part = rows if len(groups) == 1 else rows.filter(pl.col("ticker").is_in(group))
            ingest(cursor, scores, part.sort("ticker", "date"))
        if rebuild:
            for index in scores.indexes:
                cursor.execute(str(sa.schema.CreateIndex(index).compile(dialect=db.dialect)))
        cursor.execute("DELETE FROM companies")
        ingest(cursor, companies, company_rows)
    return rows.height


def _typed_first_row(schema: dict) -> str:
    """A SELECT of one row with a value of each column's type (SQLite keeps dates as text)."""
    values = {pl.String: "''", pl.Date: "'1970-01-01'", pl.Float64: "0.0"}
    return "SELECT " + ", ".join(f"{values.get(kind, '0')} AS {name}" for name, kind in schema.items())


def read_rows(db: sa.Engine, table: sa.Table, where: str = "") -> pl.DataFrame:
    """A table's rows (those matching the SQL condition `where`), typed as its columns, unsorted.
    SQLite's driver types each column by the values it reads first (a column that starts with nulls
    would be taken for integers and fail on its first real number): the query starts with one row
    of every column's type, dropped again."""
    schema = polars_schema(table)
    query = f"SELECT {', '.join(schema)} FROM {table.name}" + (f" WHERE {where}" if where else "")
    sqlite = db.dialect.name == "sqlite"
    with closing(bulk_connection(db)) as connection, closing(connection.cursor()) as cursor:
        cursor.execute(f"{_typed_first_row(schema)} UNION ALL {query}" if sqlite else query)
        frame = pl.DataFrame(pl.from_arrow(cursor.fetch_arrow_table()))
    frame = frame.slice(1) if sqlite else frame
    dates = [name for name, kind in schema.items() if kind == pl.Date and frame.schema[name] == pl.String]
    return frame.with_columns(pl.col(dates).str.to_date("%Y-%m-%d")).cast(schema)


def _window(db: sa.Engine, start: date | None, end: date | None) -> list[str]:
    """SQL conditions on the days `start`..`end`; none on a side that covers every day held (a full
    window is read as one scan of the table, not through its index)."""
    with db.connect() as connection:  # two subqueries: SQLite reads one min() or max() off an index, not both
        first, last = connection.execute(
            sa.select(
                sa.select(sa.func.min(scores.c.date)).scalar_subquery(),
                sa.select(sa.func.max(scores.c.date)).scalar_subquery(),
            )
        ).one()
    return [
        f"date >= '{start.isoformat()}'" if start and (first is None or start > first) else "",
        f"date <= '{end.isoformat()}'" if end and (last is None or end < last) else "",
    ]


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def window_rows(
    db: sa.Engine, start: date | None = None, end: date | None = None, tickers: list[str] | None = None
) -> pl.DataFrame:
    """The serving rows of the days `start`..`end` (all when None), of `tickers` when given (read
    through the primary key), sorted by date and ticker."""
    conditions = _window(db, start, end)
    if tickers is not None:
        conditions.append(f"ticker IN ({', '.join(map(_quoted, tickers))})" if tickers else "0 = 1")
    return read_rows(db, scores, " AND ".join(c for c in conditions if c)).sort("date", "ticker")


def window_count(db: sa.Engine, start: date | None = None, end: date | None = None) -> int:
    """The number of serving rows of the days `start`..`end` (all when None)."""
    where = " AND ".join(c for c in _window(db, start, end) if c)
    with db.connect() as connection:
        return connection.execute(
            sa.text("SELECT count(*) FROM scores" + (f" WHERE {where}" if where else ""))
        ).scalar_one()


def polars_schema(table: sa.Table) -> dict:
    """The Polars types of a serving table's columns (declared, never inferred from the rows)."""
    kinds = {
        sa.String: pl.String,
        sa.Date: pl.Date,
        sa.SmallInteger: pl.Int32,
        sa.BigInteger: pl.Int64,
        sa.Float: pl.Float64,
    }
    return {column.name: next(v for k, v in kinds.items() if isinstance(column.type, k)) for column in table.columns}


def grant_reader(db: sa.Engine, role: str) -> None:
    """Give the PostgreSQL role `role` read access to the serving tables, those there now and those
    later migrations create (the API needs nothing more); SQLite has no roles."""
    if db.dialect.name != "postgresql":
        raise ValueError(f"{db.dialect.name} has no database roles: give the API read-only access to the file instead")
    with db.begin() as connection:
        quoted = db.dialect.identifier_preparer.quote
        reader, database = quoted(role), quoted(connection.execute(sa.text("SELECT current_database()")).scalar_one())
        for statement in (
            f"GRANT CONNECT ON DATABASE {database} TO {reader}",
            f"GRANT USAGE ON SCHEMA public TO {reader}",
            f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {reader}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {reader}",
        ):
            connection.execute(sa.text(statement))
