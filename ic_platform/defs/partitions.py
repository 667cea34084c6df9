"""The decorator every daily asset uses: trading-day partitions and single-run range backfills."""

import dagster as dg

from ic_platform.trading_days import TRADING_DAY_PARTITIONS


def daily_asset(group_name: str, **kwargs):
    """`@dg.asset` partitioned by trading day, backfilled one run per range, storing Polars frames as Parquet."""
    return dg.asset(
        group_name=group_name,
        kinds={"polars", "parquet"},
        partitions_def=TRADING_DAY_PARTITIONS,
        backfill_policy=dg.BackfillPolicy.single_run(),
        **kwargs,
    )
