"""Feature assets: technical indicators and valuation ratios."""

from datetime import date

import dagster as dg
import polars as pl

from ic_platform.defs.market.assets import DAILY_BARS
from ic_platform.defs.partitions import daily_asset
from ic_platform.defs.sec.assets import COMPANIES, FUNDAMENTAL_STATES
from ic_platform.features.technical import WARMUP_BARS, technical_features
from ic_platform.features.valuation import prior_closes, valuation_ratios
from ic_platform.schemas.features import TechnicalDaily, ValuationDaily
from ic_platform.storage import DailyTable
from ic_platform.trading_days import last_trading_days, partition_window, previous_trading_day

TECHNICAL_DAILY = DailyTable("technical_daily", TechnicalDaily, ("date", "ticker"))
# Day D's row reads the bars before D.
PRIOR_BARS = dg.AssetDep("daily_bars", partition_mapping=dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=-1))


def bars_before(start: date, end: date, history: int) -> pl.LazyFrame:
    """The bars days `start`..`end` may use: from `history` trading days before `start` to the day before `end`."""
    return DAILY_BARS.scan(last_trading_days(previous_trading_day(start), history)[0], previous_trading_day(end))


@daily_asset("features", TECHNICAL_DAILY, deps=[PRIOR_BARS])
def technical_daily(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """RSI(14), MACD(12,26,9), SMA(50/200), EMA(12/26), Bollinger(20,2), 20-day volume average,
    1/3/6/12-month returns and the distance from SMA(50/200) per ticker for day D, from closes up to
    D-1 only (TA-Lib's definitions). A range is computed in one Polars pass that reads each bar once,
    with 600 bars of warm-up before the range so exponential indicators equal full-history values."""
    start, end = partition_window(context)
    frame = technical_features(bars_before(start, end, WARMUP_BARS), start, end).collect()
    context.log.info(f"technical_daily: {frame.height} rows")
    # computed in one pass, written (validated, sorted, split into days) a year at a time: less memory
    return TECHNICAL_DAILY.write_in_chunks(lambda first, last: frame.filter(pl.col("date").is_between(first, last)), start, end)


VALUATION_DAILY = DailyTable("valuation_daily", ValuationDaily, ("date", "ticker"))


@daily_asset("features", VALUATION_DAILY, deps=[PRIOR_BARS, "fundamental_states", "sec_companies"])
def valuation_daily(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """P/E, P/B, P/S, debt/equity, current and quick ratios, interest coverage, ROE, ROA, ROIC,
    margins and revenue/EPS/FCF growth (YoY on TTM, 3-year CAGR) per ticker for day D: the prior
    close as traded that day against the fundamentals known on D (filed before D's trading day)."""
    start, end = partition_window(context)
    companies, states = COMPANIES.scan().collect(), FUNDAMENTAL_STATES.scan().collect()

    def compute(first, last) -> pl.DataFrame:
        closes = prior_closes(bars_before(first, last, 10)).filter(pl.col("date").is_between(first, last))
        frame = valuation_ratios(closes, companies, states)
        context.log.info(f"valuation_daily {first}..{last}: {frame.height} rows, {frame.get_column('pe_ratio').null_count()} without a P/E")
        return frame

    return VALUATION_DAILY.write_in_chunks(compute, start, end)
