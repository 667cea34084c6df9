"""What every table asset shares: the decorators (column schema on the definition; for daily assets
the trading-day partitions and single-run range backfills) and the metadata of a write."""

import math

import dagster as dg
import pandera.polars as pa
import polars as pl

from ic_platform.defs.partitions import TRADING_DAY_PARTITIONS
from ic_platform.defs.stores import with_table_store
from ic_platform.storage import DailyTable, SnapshotTable, WriteSummary

TABLE_KINDS = {"polars", "parquet"}


def column_schema(model: type[pa.DataFrameModel]) -> dg.TableSchema:
    """The model's columns, types and descriptions as Dagster's table schema (an asset definition's
    `dagster/column_schema`, shown in the UI)."""
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name, str(column.dtype), description=column.description or "")
            for name, column in model.to_schema().columns.items()
        ]
    )


def table_asset(group_name: str, table: DailyTable | SnapshotTable, **kwargs):
    """`@dg.asset` storing Polars frames as Parquet in `table`, whose pandera model gives the
    definition's column schema (shown in the UI without being repeated on every materialization).
    Like every asset of the graph it runs once for a range of days (`BackfillPolicy.single_run()`,
    unpartitioned ones too), which is what the Dagster CLI's `--partition-range` asks of them all."""
    kwargs.setdefault("backfill_policy", dg.BackfillPolicy.single_run())
    metadata = {"dagster/column_schema": column_schema(table.model)} | kwargs.pop("metadata", {})
    return with_table_store(
        dg.asset, name=table.name, group_name=group_name, kinds=TABLE_KINDS, metadata=metadata, **kwargs
    )


def table_spec(group_name: str, table: DailyTable | SnapshotTable, description: str, **kwargs) -> dg.AssetSpec:
    """The spec of one of the tables a `@dg.multi_asset` writes, with its column schema."""
    metadata = {"dagster/column_schema": column_schema(table.model)}
    return dg.AssetSpec(
        table.name, group_name=group_name, kinds=TABLE_KINDS, metadata=metadata, description=description, **kwargs
    )


def daily_asset(group_name: str, table: DailyTable, **kwargs):
    """`table_asset` partitioned by trading day, backfilled one run per range."""
    return table_asset(
        group_name,
        table,
        partitions_def=TRADING_DAY_PARTITIONS,
        backfill_policy=dg.BackfillPolicy.single_run(),
        **kwargs,
    )


PREVIEW_DIGITS = 4


def preview_value(value):
    """A cell as a table record holds it: floats rounded (non-finite ones as text), dates as ISO text."""
    if isinstance(value, float):
        return round(value, PREVIEW_DIGITS) if math.isfinite(value) else str(value)
    return value if value is None or isinstance(value, int | str | bool) else str(value)


def table_preview(frame: pl.DataFrame, rows: int | None = 5) -> dg.TableMetadataValue:
    """The first `rows` rows (all when None) as a typed table, shown as one in the UI."""
    head = frame if rows is None else frame.head(rows)
    schema = dg.TableSchema(columns=[dg.TableColumn(name, str(dtype)) for name, dtype in head.schema.items()])
    records = [dg.TableRecord({k: preview_value(v) for k, v in row.items()}) for row in head.iter_rows(named=True)]
    return dg.MetadataValue.table(records, schema)


def write_metadata(rows: int, preview: pl.DataFrame, quarantined: int | None) -> dict:
    """Row count, a small preview and the quarantined rows (when the write kept any aside)."""
    recorded = {"dagster/row_count": rows, "preview": table_preview(preview)}
    return recorded if quarantined is None else recorded | {"quarantined_rows": quarantined}


def materialized(summary: WriteSummary, asset_key: str | None = None, **metadata) -> dg.MaterializeResult:
    """The materialization of a write, with `metadata` added. A snapshot's row count, preview and
    quarantined rows go on its one event; a daily table's go on each day's partition (a range run
    records an event per partition, and each shows its own day's rows), through the running asset's
    context. The column schema is on the definition."""
    if not summary.days:
        return dg.MaterializeResult(
            asset_key=asset_key, metadata=write_metadata(summary.rows, summary.preview, summary.quarantined) | metadata
        )
    context = dg.AssetExecutionContext.get()
    for day in summary.days:
        context.add_asset_metadata(
            write_metadata(day.rows, day.preview, day.quarantined),
            asset_key=asset_key,
            partition_key=day.day.isoformat(),
        )
    return dg.MaterializeResult(asset_key=asset_key, metadata=metadata)
