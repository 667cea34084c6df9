"""The serving database's scores and companies, written from `ic_scores` a window at a time."""

import dagster as dg

from ic_platform.defs.checks import checked_window
from ic_platform.defs.partitions import TRADING_DAY_PARTITIONS, partition_window
from ic_platform.defs.table_assets import materialized
from ic_platform.serving import store
from ic_platform.storage import PREVIEW_ROWS, WriteSummary, day_writes, rows_by_day
from ic_platform.tables import COMPANIES, IC_SCORES
from ic_platform.trading_days import trading_days_between


@dg.asset(
    group_name="serving",
    kinds={"sql"},
    deps=["ic_scores", "sec_companies"],
    partitions_def=TRADING_DAY_PARTITIONS,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def serving_scores(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """The published scores in the serving database ($IC_SERVING_URL, else SQLite in $IC_DATA_DIR):
    one row per ticker and day with overall_score, rating, the ten factors, sector_percentile,
    data_completeness, confidence_level, gics_sector and inputs_knowledge_date, plus the companies.
    A window is replaced in one transaction, so readers never see half of one."""
    start, end = partition_window(context)
    db = store.engine()
    store.migrate(db)
    rows = store.score_rows(IC_SCORES.scan(start, end).collect())
    written = store.replace_window(db, rows, start, end, COMPANIES.scan().collect())
    context.log.info(f"serving_scores {start}..{end}: {written} rows in {db.url.render_as_string(hide_password=True)}")
    days = day_writes(rows_by_day(rows), trading_days_between(start, end), rows.clear())
    return materialized(WriteSummary(written, rows.head(PREVIEW_ROWS), days=days), database=db.url.get_backend_name())


@dg.asset_check(
    asset=serving_scores,
    blocking=True,
    description="The serving database holds exactly ic_scores' rows for the window, value for value.",
)
def serving_matches_scores(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    start, end = checked_window(context)
    expected = store.score_rows(IC_SCORES.scan(start, end).collect()).sort("date", "ticker")
    served = store.window_rows(store.engine(), start, end)
    missing = extra = differing = 0
    if not served.equals(expected):  # the rows that differ, only when some do
        keys = ["date", "ticker"]
        missing = expected.join(served, on=keys, how="anti").height
        extra = served.join(expected, on=keys, how="anti").height
        differing = expected.join(served, on=expected.columns, how="anti", nulls_equal=True).height - missing
    return dg.AssetCheckResult(
        passed=served.equals(expected),
        metadata={
            "rows_expected": expected.height,
            "rows_served": served.height,
            "missing": missing,
            "extra": extra,
            "differing": differing,
        },
    )
