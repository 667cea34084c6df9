"""The daily data-quality report: every daily table's rows, null shares and drift, and the sources'
quarantined records, per trading day; and the check that warns on large drift or a coverage drop."""

from dataclasses import replace
from datetime import date

import dagster as dg
import polars as pl

from ic_platform.defs.checks import checked_window
from ic_platform.defs.inputs import jumps_in
from ic_platform.defs.partitions import partition_window
from ic_platform.defs.stores import with_table_store
from ic_platform.defs.table_assets import daily_asset, materialized, table_preview
from ic_platform.features.quality import TRAILING_DAYS, flagged, jump_measures, quarantine_measures, table_measures
from ic_platform.schemas.common import frame_of
from ic_platform.schemas.quality import QualityMeasure
from ic_platform.storage import PREVIEW_ROWS, quarantine_table, rows_by_day
from ic_platform.tables import DAILY_TABLES, DATA_QUALITY, SOURCE_TABLES
from ic_platform.trading_days import last_trading_days, trading_days_between


def reference_start(first: date) -> date:
    """The first day of the trailing window before `first` (or `first` at the calendar's start)."""
    try:
        return last_trading_days(first, TRAILING_DAYS + 1)[0]
    except ValueError:
        return first


def report(first: date, last: date, window_end: date) -> pl.DataFrame:
    """The measures of the days `first`..`last`; records a source quarantined without a day are
    counted on `window_end`, the run's last day, as "undated: <reason>"."""
    reference = reference_start(first)
    days = trading_days_between(reference, last)
    measured_from = days.index(first)
    frames = [
        table_measures(name, table.scan(reference, last).collect(), days, measured_from)
        for name, table in DAILY_TABLES.items()
    ]
    measured, rows = days[measured_from:], jump_measures(jumps_in(first, last))
    for table in SOURCE_TABLES:
        records = quarantine_table(table).scan().collect()
        rows += quarantine_measures(table.name, records, measured)
        if last == window_end:
            undated = records.filter(pl.col("date").is_null()).with_columns(
                pl.lit(last).alias("date"), ("undated: " + pl.col("reason")).alias("reason")
            )
            rows += quarantine_measures(table.name, undated, [last])
    return pl.concat([*frames, frame_of(QualityMeasure, rows)])


def highlights(day_rows: pl.DataFrame) -> pl.DataFrame:
    """A day's measures that warn, then its largest drifts and its quarantine reasons."""
    warned = flagged(day_rows)
    rest = day_rows.join(warned, on=["table", "column", "metric", "detail"], how="anti").filter(
        pl.col("metric").is_in(["psi", "quarantined"])
    )
    ranked = pl.concat([warned.sort("value", descending=True), rest.sort("value", descending=True)])
    return ranked.select("table", "column", "metric", "detail", "value").head(PREVIEW_ROWS)


@daily_asset("quality", DATA_QUALITY, deps=[*DAILY_TABLES, *(t.name for t in SOURCE_TABLES)])
def data_quality(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Per trading day and daily table: rows and their ratio to the trailing 60 days' median, each
    column's null share and its change against the trailing mean, each numeric column's population
    stability index against the trailing 60 days; per source table, the records it quarantined, by
    reason; each close that steps beyond 2x or 0.5x of the previous one with no corporate action to
    explain it (`unexplained_jump`, the ticker as detail). Day D describes each table's partition D
    (the bars of D's close), so it runs after the close. Each day's materialization previews what
    warns first, then its largest drifts."""
    start, end = partition_window(context)
    summary = DATA_QUALITY.write_in_chunks(lambda first, last: report(first, last, end), start, end)
    written = DATA_QUALITY.scan(start, end).collect()
    by_day = rows_by_day(written)
    days = tuple(replace(d, preview=highlights(by_day.get(d.day, written.clear()))) for d in summary.days)
    return materialized(replace(summary, days=days))


@with_table_store(
    dg.asset_check,
    asset=data_quality,
    description="Warns when a day of the checked window has an unexplained price step, a drift of daily_bars "
    "both large (PSI over 0.25) and unusual (over 3 times its column's median PSI), fewer rows than 80% of "
    "its trailing median, or a column whose null share rose by more than 0.2.",
)
def quality_within_bounds(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    start, end = checked_window(context)
    warned = flagged(DATA_QUALITY.scan(start, end).collect()).sort("value", descending=True)
    return dg.AssetCheckResult(
        passed=warned.is_empty(),
        severity=dg.AssetCheckSeverity.WARN,
        description=None if warned.is_empty() else f"{warned.height} measures out of bounds",
        metadata={
            "window": f"{start or 'first'} .. {end or 'last'}",
            "measures_out_of_bounds": warned.height,
            "examples": table_preview(warned),
        },
    )
