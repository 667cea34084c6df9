"""Checks on market data: ticker-days missing inside a ticker's trading life."""

import dagster as dg

from ic_platform.defs.checks import checked_window
from ic_platform.defs.market.assets import daily_bars
from ic_platform.defs.table_assets import markdown_preview
from ic_platform.features.bar_gaps import find_gaps
from ic_platform.tables import DAILY_BARS
from ic_platform.trading_days import trading_days_between


@dg.asset_check(
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
            "examples": dg.MetadataValue.md(markdown_preview(gaps)),
        },
    )
