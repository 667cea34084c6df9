"""Market assets: daily bars as traded, and the corporate actions their readers adjust them with."""

from datetime import UTC, date, datetime, timedelta

import dagster as dg
import polars as pl

from ic_platform.defs.incremental import SourceRead
from ic_platform.defs.outages import StaleBodies, within_failure_budget
from ic_platform.defs.partitions import partition_window
from ic_platform.defs.policies import source_step
from ic_platform.defs.progress import log_progress
from ic_platform.defs.resources import MarketDataSource
from ic_platform.defs.stores import TableStore
from ic_platform.defs.table_assets import daily_asset, materialized, table_asset
from ic_platform.schemas.common import QuarantinedRecord, frame_of
from ic_platform.schemas.market import DailyBar
from ic_platform.sources.documents import SourceFormatError
from ic_platform.sources.http import HttpError
from ic_platform.sources.market_data import read_days
from ic_platform.tables import CORPORATE_ACTIONS, DAILY_BARS
from ic_platform.trading_days import trading_days_between

ACTION_KEY = ["ticker", "ex_date", "kind"]
LIVE_LOOKBACK_DAYS = 30  # a live read starts this long before the last one: actions listed late are read again


@table_asset("market", CORPORATE_ACTIONS, **source_step())
def corporate_actions(
    context: dg.AssetExecutionContext, market_data: MarketDataSource, config: SourceRead, table_store: TableStore
) -> dg.MaterializeResult:
    """Splits, reverse splits, stock dividends, spin-offs and cash dividends per ticker and ex-date,
    with the ratio or cash amount, the day declared, when the platform first read each and where:
    the demo's reference files, the archive's actions file ($IC_ACTIONS_ARCHIVE) or the API's
    reference splits and dividends. Every reader of daily_bars adjusts with them as of its own day.
    Files are read whole; a live run reads what goes ex from 30 days before its last read on
    (`full_refresh` reads everything). An action read again keeps when it was first read; a source
    that fails leaves the table as it was."""
    read_settings = {"mode": market_data.mode, "archive": market_data.actions_path}
    manifest = CORPORATE_ACTIONS.manifest()
    incremental = (
        market_data.mode == "live"
        and not config.full_refresh
        and manifest.get("settings") == read_settings
        and manifest.get("read_on")
    )
    since = date.fromisoformat(manifest["read_on"]) - timedelta(days=LIVE_LOOKBACK_DAYS) if incremental else None
    try:
        actions, quarantined = market_data.reader().actions(since)
    except (FileNotFoundError, SourceFormatError, HttpError, ValueError) as error:
        raise dg.Failure(f"corporate actions unreadable, the table stays as it was: {error}") from error
    held = CORPORATE_ACTIONS.scan().collect()
    now = datetime.now(UTC)
    read = actions.join(
        held.select(*ACTION_KEY, "ratio", "cash_amount", "learned_at"),
        on=[*ACTION_KEY, "ratio", "cash_amount"],
        how="left",
        nulls_equal=True,
    ).with_columns(pl.col("learned_at").fill_null(now))
    kept = held.filter(pl.col("ex_date") < since) if since else held.clear()
    table = pl.concat([kept, read.select(held.columns)])
    new = read.filter(pl.col("learned_at") == now)
    late = new.filter(pl.col("ex_date") < now.date())
    context.log.info(
        f"{table.height} corporate actions ({read.height} read, {new.height} new, {late.height} of them "
        f"already ex), {quarantined.height} records quarantined"
    )
    summary = CORPORATE_ACTIONS.write(
        table,
        quarantined=quarantined,
        manifest={"settings": read_settings, "read_on": now.date().isoformat()},
        source_off=market_data.is_off,
    )
    return materialized(
        summary, source_mode=market_data.mode, new_actions=new.height, read_from=str(since or "the beginning")
    )


@daily_asset("market", DAILY_BARS, deps=[corporate_actions], **source_step())
def daily_bars(
    context: dg.AssetExecutionContext, market_data: MarketDataSource, table_store: TableStore
) -> dg.MaterializeResult:
    """Daily open, high, low, close, volume and VWAP of every ticker as traded (never adjusted: the
    readers adjust with `corporate_actions` as of their day), one partition per trading day. Rows the
    source delivers unusably are quarantined with a reason in `daily_bars__quarantine`. A day the
    source fails for keeps the bars it had; when it fails for more than $IC_MAX_FAILED_SHARE (2%) of
    the days, the step fails and no partition changes."""
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
