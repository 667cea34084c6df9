"""What every table asset shares: the decorators (column schema on the definition; for daily assets
the trading-day partitions and single-run range backfills) and the metadata of a write."""

import math

import dagster as dg
import pandera.polars as pa
import polars as pl

from ic_platform.defs.partitions import TRADING_DAY_PARTITIONS
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
    definition's column schema (shown in the UI without being repeated on every materialization)."""
    metadata = {"dagster/column_schema": column_schema(table.model)} | kwargs.pop("metadata", {})
    return dg.asset(name=table.name, group_name=group_name, kinds=TABLE_KINDS, metadata=metadata, **kwargs)


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


def materialized(summary: WriteSummary, asset_key: str | None = None, **metadata) -> dg.MaterializeResult:
    """The materialization of a write: row count, a small preview, partitions and quarantined rows
    written (the column schema is on the definition: a range run records this once per partition)."""
    recorded = {"dagster/row_count": summary.rows, "preview": table_preview(summary.preview)}
    if summary.partitions is not None:
        recorded["partitions_written"] = summary.partitions
    if summary.quarantined is not None:
        recorded["quarantined_rows"] = summary.quarantined
    return dg.MaterializeResult(asset_key=asset_key, metadata=recorded | metadata)
