"""Asset checks every daily asset shares: the point-in-time rule."""

from datetime import date

import dagster as dg
import polars as pl

from ic_platform.storage import DailyTable, markdown_preview

RANGE_START_TAG, RANGE_END_TAG = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


def checked_window(context: dg.AssetCheckExecutionContext) -> tuple[date | None, date | None]:
    """The days a check covers: its partitions, else the run's backfilled range, else everything."""
    if context.has_partition_key_range or context.has_partition_key:
        keys = context.partition_key_range
        start, end = keys.start, keys.end
    else:
        start, end = context.run.tags.get(RANGE_START_TAG), context.run.tags.get(RANGE_END_TAG)
    return (date.fromisoformat(start) if start else None), (date.fromisoformat(end) if end else None)


def future_input_rows(table: DailyTable, start: date | None, end: date | None) -> pl.DataFrame:
    """Rows of the window whose newest input became known after the row's day."""
    return table.scan(start, end).filter(pl.col("inputs_knowledge_date") > pl.col("date")).collect()


def point_in_time_check(asset: dg.AssetsDefinition, table: DailyTable) -> dg.AssetChecksDefinition:
    """A blocking check that fails when any row of the checked days uses an input known after its day."""

    @dg.asset_check(
        asset=asset,
        name="inputs_known_before_the_day",
        blocking=True,
        description="Fails when a row for day D uses an input whose knowledge date is after D.",
    )
    def _check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        start, end = checked_window(context)
        offending = future_input_rows(table, start, end)
        return dg.AssetCheckResult(
            passed=offending.is_empty(),
            metadata={
                "window": f"{start or 'first'} .. {end or 'last'}",
                "rows_with_future_inputs": offending.height,
                "examples": dg.MetadataValue.md(markdown_preview(offending)),
            },
        )

    return _check
