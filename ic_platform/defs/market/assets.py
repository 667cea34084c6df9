"""Market assets: daily bars."""

import dagster as dg
import polars as pl

from ic_platform.defs.partitions import partition_window
from ic_platform.defs.progress import with_progress
from ic_platform.defs.resources import MarketDataSource
from ic_platform.defs.table_assets import daily_asset, materialized
from ic_platform.schemas.common import QuarantinedRecord, frame_of
from ic_platform.schemas.market import DailyBar
from ic_platform.sources.documents import SourceFormatError, read_ahead
from ic_platform.sources.http import HttpError
from ic_platform.tables import DAILY_BARS
from ic_platform.trading_days import trading_days_between


@daily_asset("market", DAILY_BARS)
def daily_bars(context: dg.AssetExecutionContext, market_data: MarketDataSource) -> dg.MaterializeResult:
    """Split-adjusted daily open, high, low, close, volume and VWAP of every ticker, one partition per
    trading day. Rows, or whole days, the source cannot deliver usably are quarantined with a reason
    in `daily_bars__quarantine`."""
    start, end = partition_window(context)
    reader = market_data.reader()
    bars, quarantined = [frame_of(DailyBar, [])], [frame_of(QuarantinedRecord, [])]
    days = with_progress(context, trading_days_between(start, end), "daily_bars days read")
    for day, read in read_ahead(days, reader.day, reader.read_threads):
        try:
            day_bars, day_quarantined = read.result()
        except FileNotFoundError as error:
            raise dg.Failure(str(error)) from None
        except (SourceFormatError, HttpError) as error:  # the day's response is unusable: keep it aside, go on
            context.log.warning(str(error))
            day_bars = frame_of(DailyBar, [])
            day_quarantined = frame_of(
                QuarantinedRecord, [{"date": day, "source": "daily bars", "record": "", "reason": str(error)}]
            )
        bars.append(day_bars)
        quarantined.append(day_quarantined)
    return materialized(DAILY_BARS.write(pl.concat(bars), start, end, quarantined=pl.concat(quarantined)))
