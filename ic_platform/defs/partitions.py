"""The decorators every table asset uses: the table's column schema on the definition, and for daily
assets the trading-day partitions and single-run range backfills."""

import dagster as dg

from ic_platform.storage import DailyTable, SnapshotTable, column_schema
from ic_platform.trading_days import TRADING_DAY_PARTITIONS


def table_asset(group_name: str, table: DailyTable | SnapshotTable, **kwargs):
    """`@dg.asset` storing Polars frames as Parquet in `table`, whose pandera model gives the
    definition's column schema (shown in the UI without being repeated on every materialization)."""
    metadata = {"dagster/column_schema": column_schema(table.model)} | kwargs.pop("metadata", {})
    return dg.asset(group_name=group_name, kinds={"polars", "parquet"}, metadata=metadata, **kwargs)


def daily_asset(group_name: str, table: DailyTable, **kwargs):
    """`table_asset` partitioned by trading day, backfilled one run per range."""
    return table_asset(group_name, table, partitions_def=TRADING_DAY_PARTITIONS, backfill_policy=dg.BackfillPolicy.single_run(), **kwargs)
