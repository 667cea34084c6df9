"""Feature assets: technical indicators and valuation ratios."""

import dagster as dg
import polars as pl

from ic_platform import settings
from ic_platform.defs.inputs import ACTIONS, PRIOR_BARS, adjusted, bars_before
from ic_platform.defs.partitions import partition_window
from ic_platform.defs.resources import MarketDataSource
from ic_platform.defs.stores import TableStore
from ic_platform.defs.table_assets import daily_asset, materialized
from ic_platform.features.splits import split_index
from ic_platform.features.technical import WARMUP_BARS, technical_features
from ic_platform.features.valuation import no_closes, prior_closes, valuation_ratios
from ic_platform.tables import COMPANIES, CORPORATE_ACTIONS, FUNDAMENTAL_STATES, TECHNICAL_DAILY, VALUATION_DAILY
from ic_platform.trading_days import trading_days_between


@daily_asset("features", TECHNICAL_DAILY, deps=[PRIOR_BARS, ACTIONS])
def technical_daily(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """RSI(14), MACD(12,26,9), SMA(50/200), EMA(12/26), Bollinger(20,2), 20-day volume average,
    1/3/6/12-month returns and the distance from SMA(50/200) per ticker for day D, from closes up to
    D-1 only (TA-Lib's definitions), on the bars adjusted with the corporate actions up to D-1 (returns
    with dividends reinvested; prices, averages and bands as traded on D-1). A range is computed in one
    Polars pass that reads each bar once, with 600 bars of warm-up before the range so exponential
    indicators equal full-history values."""
    start, end = partition_window(context)
    frame = technical_features(adjusted(bars_before(start, end, WARMUP_BARS)), start, end).collect()
    context.log.info(f"technical_daily: {frame.height} rows")
    # computed in one pass, written (validated, sorted, split into days) a year at a time: less memory

    def in_chunk(first, last) -> pl.DataFrame:
        return frame.filter(pl.col("date").is_between(first, last))

    return materialized(TECHNICAL_DAILY.write_in_chunks(in_chunk, start, end))


@daily_asset("features", VALUATION_DAILY, deps=[PRIOR_BARS, ACTIONS, "fundamental_states", "sec_companies"])
def valuation_daily(
    context: dg.AssetExecutionContext, market_data: MarketDataSource, table_store: TableStore
) -> dg.MaterializeResult:
    """P/E, P/B, P/S, debt/equity, current and quick ratios, interest coverage, ROE, ROA, ROIC,
    margins and revenue/EPS/FCF growth (YoY on TTM, 3-year CAGR) per ticker for day D: the prior
    close as traded that day against the fundamentals known on D (filed before D's trading day),
    share counts and EPS restated to the close's split basis. Fundamentals whose newest period
    ended more than $IC_FUNDAMENTALS_MAX_AGE_DAYS (200) days before D are not used. With prices off
    ($IC_PRICES_MODE=off) every company has a row with the ratios that need no price."""
    start, end = partition_window(context)
    companies, states = COMPANIES.scan().collect(), FUNDAMENTAL_STATES.scan().collect()
    splits = split_index(CORPORATE_ACTIONS.scan().collect(), companies)
    max_age = settings.current().fundamentals_max_age_days
    prices_off = market_data.is_off

    def compute(first, last) -> pl.DataFrame:
        if prices_off:
            closes = no_closes(companies, trading_days_between(first, last))
        else:
            closes = prior_closes(bars_before(first, last, 10)).filter(pl.col("date").is_between(first, last))
        frame = valuation_ratios(closes, companies, states, splits, max_age)
        if prices_off:
            frame = frame.filter(pl.col("fundamentals_as_of").is_not_null())
        context.log.info(
            f"valuation_daily {first}..{last}: {frame.height} rows, "
            f"{frame.get_column('pe_ratio').null_count()} without a P/E"
        )
        return frame

    return materialized(VALUATION_DAILY.write_in_chunks(compute, start, end))
