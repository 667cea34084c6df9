"""Market assets: daily bars."""

import dagster as dg
import polars as pl

from ic_platform.defs.outages import StaleBodies, within_failure_budget
from ic_platform.defs.partitions import partition_window
from ic_platform.defs.policies import source_step
from ic_platform.defs.progress import log_progress
from ic_platform.defs.resources import MarketDataSource
from ic_platform.defs.stores import TableStore
from ic_platform.defs.table_assets import daily_asset, materialized
from ic_platform.schemas.common import QuarantinedRecord, frame_of
from ic_platform.schemas.market import DailyBar
from ic_platform.sources.market_data import read_days
from ic_platform.tables import DAILY_BARS
from ic_platform.trading_days import trading_days_between


@daily_asset("market", DAILY_BARS, **source_step())
def daily_bars(
    context: dg.AssetExecutionContext, market_data: MarketDataSource, table_store: TableStore
) -> dg.MaterializeResult:
    """Split-adjusted daily open, high, low, close, volume and VWAP of every ticker, one partition per
    trading day. Rows the source delivers unusably are quarantined with a reason in
    `daily_bars__quarantine`. A day the source fails for keeps the bars it had; when it fails for
    more than $IC_MAX_FAILED_SHARE (2%) of the days, the step fails and no partition changes."""
    start, end = partition_window(context)
    reader, stale = market_data.reader(), StaleBodies()
    bars, quarantined = [frame_of(DailyBar, [])], [frame_of(QuarantinedRecord, [])]
    failures: dict = {}
    days = trading_days_between(start, end)
    for done, reads in read_days(reader, days):
        for day, read in reads:
            if isinstance(read, FileNotFoundError):
                raise dg.Failure(str(read), allow_retries=False)  # the files lack the day
            if isinstance(read, Exception):  # the day's response is unusable: keep what we had
                context.log.warning(str(read))
                failures[day] = str(read)
                day_bars = DAILY_BARS.scan(day, day).collect()
                reason = f"{read} (the day keeps its {day_bars.height} previous bars)"
                day_quarantined = frame_of(
                    QuarantinedRecord, [{"date": day, "source": "daily bars", "record": "", "reason": reason}]
                )
            else:
                day_bars, day_quarantined = read
            bars.append(day_bars)
            quarantined.append(day_quarantined)
        log_progress(context, "daily_bars days read", done, len(days), newly=len(reads))
    failed = within_failure_budget("daily_bars", failures, len(days), context.retry_number)
    summary = DAILY_BARS.write(pl.concat(bars, how="vertical_relaxed"), start, end, quarantined=pl.concat(quarantined))
    return materialized(summary, source_mode=market_data.mode, **failed, **stale.metadata())
