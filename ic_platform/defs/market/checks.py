"""Checks on market data: ticker-days missing inside a ticker's trading life, days whose bar count
fell as a partial delivery makes it fall, and price steps that no corporate action explains."""

import dagster as dg

from ic_platform import settings
from ic_platform.defs.checks import checked_window
from ic_platform.defs.inputs import jumps_in
from ic_platform.defs.market.assets import daily_bars
from ic_platform.defs.stores import with_table_store
from ic_platform.defs.table_assets import table_preview
from ic_platform.features.bar_gaps import find_gaps
from ic_platform.features.row_counts import count_drops, daily_counts
from ic_platform.features.splits import MAX_STEP
from ic_platform.tables import DAILY_BARS
from ic_platform.trading_days import previous_trading_day, trading_days_between


@with_table_store(
    dg.asset_check,
    asset=daily_bars,
    description=(
        "Warns about ticker-days missing between a ticker's first and last bar; the "
        "`repair_daily_bar_gaps` job refetches them."
    ),
)
def no_missing_ticker_days(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    start, end = checked_window(context)
    days = DAILY_BARS.days()
    if not days:
        return dg.AssetCheckResult(passed=True, metadata={"missing_ticker_days": 0})
    window = trading_days_between(start or days[0], end or days[-1])
    gaps = find_gaps(DAILY_BARS.scan(window[0], window[-1]), window)
    return dg.AssetCheckResult(
        passed=gaps.is_empty(),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "missing_ticker_days": gaps.height,
            "tickers": gaps.get_column("ticker").n_unique(),
            "examples": table_preview(gaps),
        },
    )


@with_table_store(
    dg.asset_check,
    asset=daily_bars,
    blocking=True,
    description=(
        "Refuses days whose bar count fell by more than $IC_MAX_ROW_DROP (25%) from the trading day "
        "before, as a source that delivered part of the market makes it fall; nothing downstream runs."
    ),
)
def bar_count_steady(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    start, end = checked_window(context)
    written = DAILY_BARS.days()
    if not written:
        return dg.AssetCheckResult(passed=True, metadata={"days_with_a_drop": 0})
    first = previous_trading_day(start) if start else written[0]
    days = [d for d in written if first <= d <= (end or written[-1])]
    counts = daily_counts(DAILY_BARS.scan(days[0], days[-1]).select("date").collect(), days)
    drops = count_drops(counts, settings.current().max_row_drop)
    return dg.AssetCheckResult(
        passed=drops.is_empty(),
        metadata={"days_with_a_drop": drops.height, "examples": table_preview(drops)},
    )


@with_table_store(
    dg.asset_check,
    asset=daily_bars,
    description=(
        f"Fails on a close more than {MAX_STEP:g} times above or below its ticker's previous close once both "
        "are adjusted with the known corporate actions (and the day's dividend): a split or other action "
        "missing from corporate_actions, or a bad price. It names each ticker, day and step. It blocks nothing: "
        "the day is scored, that ticker included (a real move can exceed the bound); add the missing action "
        "and re-run the window from the step's day."
    ),
)
def price_steps_explained(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    start, end = checked_window(context)
    jumps = jumps_in(start, end)
    return dg.AssetCheckResult(
        passed=jumps.is_empty(),
        description=None
        if jumps.is_empty()
        else "unexplained price steps: "
        + ", ".join(f"{t} on {d} x{s:.3f}" for d, t, s in jumps.select("date", "ticker", "step").head(10).rows()),
        metadata={"unexplained_steps": jumps.height, "examples": table_preview(jumps)},
    )
