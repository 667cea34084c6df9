"""The point-in-time check of every daily table whose rows carry `inputs_knowledge_date`, generated
from the table catalog, and the window a check covers."""

from datetime import date

import dagster as dg
import polars as pl

from ic_platform.defs.partitions import RANGE_END_TAG, RANGE_START_TAG
from ic_platform.defs.stores import with_table_store
from ic_platform.defs.table_assets import table_preview
from ic_platform.schemas.common import polars_schema
from ic_platform.storage import DailyTable
from ic_platform.tables import DAILY_TABLES


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


def point_in_time_check(table: DailyTable) -> dg.AssetChecksDefinition:
    """A blocking check on `table`'s asset that fails when any row of the checked days uses an input
    known after its day."""

    @with_table_store(
        dg.asset_check,
        asset=table.name,
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
                "examples": table_preview(offending),
            },
        )

    return _check


POINT_IN_TIME_CHECKS: dict[str, dg.AssetChecksDefinition] = {
    name: point_in_time_check(table)
    for name, table in DAILY_TABLES.items()
    if "inputs_knowledge_date" in polars_schema(table.model)
}
