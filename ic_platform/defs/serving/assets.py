"""The serving database's scores and companies, written from `ic_scores` a window at a time."""

import dagster as dg
import polars as pl

from ic_platform.defs.checks import checked_window
from ic_platform.defs.partitions import TRADING_DAY_PARTITIONS, partition_window
from ic_platform.defs.stores import ServingDatabase, TableStore, with_table_store
from ic_platform.defs.table_assets import materialized
from ic_platform.serving import store
from ic_platform.storage import PREVIEW_ROWS, WriteSummary, day_summaries
from ic_platform.tables import COMPANIES, IC_SCORES
from ic_platform.trading_days import trading_days_between


@with_table_store(
    dg.asset,
    group_name="serving",
    kinds={"sql"},
    deps=["ic_scores", "sec_companies"],
    partitions_def=TRADING_DAY_PARTITIONS,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def serving_scores(
    context: dg.AssetExecutionContext, serving_database: ServingDatabase, table_store: TableStore
) -> dg.MaterializeResult:
    """The published scores in the serving database (the `serving_database` resource:
    $IC_SERVING_URL, else SQLite in $IC_DATA_DIR): one row per ticker and day with overall_score,
    rating, the ten factors, sector_percentile, data_completeness, confidence_level, gics_sector and
    inputs_knowledge_date, plus the companies. A window is replaced in one transaction, so readers
    never see half of one."""
    start, end = partition_window(context)
    db = serving_database.engine()
    store.migrate(db)
    rows = store.score_rows(IC_SCORES.scan(start, end).collect())
    written = store.replace_window(db, rows, start, end, COMPANIES.scan().collect())
    context.log.info(f"serving_scores {start}..{end}: {written} rows in {db.url.render_as_string(hide_password=True)}")
    days = day_summaries(rows, trading_days_between(start, end))
    return materialized(
        WriteSummary(written, rows.head(PREVIEW_ROWS), days=days),
        database=db.url.get_backend_name(),
        database_url=db.url.render_as_string(hide_password=True),
    )


CHECK_ROWS = 2_000_000  # rows compared at a time


@with_table_store(
    dg.asset_check,
    asset=serving_scores,
    blocking=True,
    description="The serving database holds exactly ic_scores' rows for the window, value for value.",
)
def serving_matches_scores(
    context: dg.AssetCheckExecutionContext, serving_database: ServingDatabase, table_store: TableStore
) -> dg.AssetCheckResult:
    start, end = checked_window(context)
    db = serving_database.engine()
    expected = store.score_rows(IC_SCORES.scan(start, end).collect())
    # a long window is compared a group of tickers at a time
    groups = store.ticker_groups(expected.get_column("ticker"), CHECK_ROWS)
    whole = len(groups) == 1
    missing = extra = differing = compared = 0
    for group in groups:
        served = store.window_rows(db, start, end, None if whole else group)
        wanted = (expected if whole else expected.filter(pl.col("ticker").is_in(group))).sort("date", "ticker")
        compared += served.height
        if not served.equals(wanted):  # the rows that differ, only when some do
            keys = ["date", "ticker"]
            lost = wanted.join(served, on=keys, how="anti").height
            missing += lost
            extra += served.join(wanted, on=keys, how="anti").height
            differing += wanted.join(served, on=wanted.columns, how="anti", nulls_equal=True).height - lost
    served_rows = store.window_count(db, start, end)
    extra += served_rows - compared  # rows of tickers ic_scores does not have in the window
    return dg.AssetCheckResult(
        passed=missing == extra == differing == 0,
        metadata={
            "rows_expected": expected.height,
            "rows_served": served_rows,
            "missing": missing,
            "extra": extra,
            "differing": differing,
        },
    )
