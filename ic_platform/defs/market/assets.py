"""Market assets: daily bars."""

import dagster as dg
import polars as pl

from ic_platform.defs.market.resources import MarketDataSource
from ic_platform.defs.progress import with_progress
from ic_platform.schemas.market import DailyBar
from ic_platform.storage import DailyTable
from ic_platform.trading_days import TRADING_DAY_PARTITIONS, partition_window, trading_days_between

DAILY_BARS = DailyTable("daily_bars", DailyBar, ("date", "ticker"))


@dg.asset(
    group_name="market",
    kinds={"polars", "parquet"},
    partitions_def=TRADING_DAY_PARTITIONS,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def daily_bars(context: dg.AssetExecutionContext, market_data: MarketDataSource) -> dg.MaterializeResult:
    """Daily open, high, low, close, volume and VWAP of every ticker, one partition per trading day,
    as the market-data source delivers them (rows it cannot use are quarantined with a reason)."""
    start, end = partition_window(context)
    days = trading_days_between(start, end)
    bars, quarantined = [], []
    for day in with_progress(context, days, "daily_bars days read"):
        day_bars, day_quarantined = market_data.grouped_daily(day)
        bars.append(day_bars)
        quarantined.append(day_quarantined)
    return DAILY_BARS.write(pl.concat(bars), start, end, quarantined=pl.concat(quarantined))
