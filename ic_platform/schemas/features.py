"""Daily feature tables."""

from datetime import date

import pandera.polars as pa


class TechnicalDaily(pa.DataFrameModel):
    """Technical indicators per ticker for day D, from closes up to D-1 (TA-Lib definitions)."""

    date: date = pa.Field(description="Trading day D the row is for")
    ticker: str = pa.Field(description="Exchange ticker")
    close_date: date = pa.Field(
        description="Date of the last bar used: the last trading day before D the ticker traded"
    )
    inputs_knowledge_date: date = pa.Field(
        description="First day the newest input was known (the trading day after close_date)"
    )
    close: float = pa.Field(gt=0, description="The close of close_date, as traded that day")
    rsi_14: float = pa.Field(nullable=True, ge=0, le=100, description="Wilder RSI(14)")
    macd: float = pa.Field(nullable=True, description="MACD line, EMA(12) - EMA(26)")
    macd_signal: float = pa.Field(nullable=True, description="EMA(9) of the MACD line")
    macd_hist: float = pa.Field(nullable=True, description="MACD minus its signal")
    sma_50: float = pa.Field(nullable=True, description="50-day simple moving average of the close")
    sma_200: float = pa.Field(nullable=True, description="200-day simple moving average of the close")
    ema_12: float = pa.Field(nullable=True, description="12-day exponential moving average (SMA-seeded)")
    ema_26: float = pa.Field(nullable=True, description="26-day exponential moving average (SMA-seeded)")
    bb_upper: float = pa.Field(nullable=True, description="Bollinger upper band, SMA(20) + 2 standard deviations")
    bb_middle: float = pa.Field(nullable=True, description="Bollinger middle band, SMA(20)")
    bb_lower: float = pa.Field(nullable=True, description="Bollinger lower band, SMA(20) - 2 standard deviations")
    volume_sma_20: float = pa.Field(nullable=True, description="20-day average volume")
    return_1m: float = pa.Field(nullable=True, description="Return over 21 trading days")
    return_3m: float = pa.Field(nullable=True, description="Return over 63 trading days")
    return_6m: float = pa.Field(nullable=True, description="Return over 126 trading days")
    return_12m: float = pa.Field(nullable=True, description="Return over 252 trading days")
    price_to_sma_50: float = pa.Field(nullable=True, description="Close / SMA(50) - 1")
    price_to_sma_200: float = pa.Field(nullable=True, description="Close / SMA(200) - 1")

    class Config:
        unique = ["date", "ticker"]


class ValuationDaily(pa.DataFrameModel):
    """Valuation, quality and growth ratios per ticker for day D: the prior close against the
    fundamentals known on D."""

    date: date = pa.Field(description="Trading day D the row is for")
    ticker: str = pa.Field(description="Exchange ticker")
    cik: int = pa.Field(description="SEC Central Index Key")
    close_date: date = pa.Field(
        nullable=True, description="Date of the prior close used (the last bar before D); null when prices are off"
    )
    price: float = pa.Field(
        gt=0,
        nullable=True,
        description="Prior close as traded that day (split factor applied back); null when prices are off",
    )
    market_cap: float = pa.Field(
        nullable=True, description="price x shares outstanding (on the price's share basis: splits applied)"
    )
    pe_ratio: float = pa.Field(
        nullable=True, description="price / TTM diluted EPS on the price's share basis (null when EPS <= 0)"
    )
    pb_ratio: float = pa.Field(nullable=True, description="market cap / shareholders' equity (null when equity <= 0)")
    ps_ratio: float = pa.Field(nullable=True, description="market cap / TTM revenue")
    debt_to_equity: float = pa.Field(nullable=True, description="(short + long-term debt) / equity")
    current_ratio: float = pa.Field(nullable=True, description="current assets / current liabilities")
    quick_ratio: float = pa.Field(nullable=True, description="(current assets - inventory) / current liabilities")
    interest_coverage: float = pa.Field(nullable=True, description="TTM operating income / TTM interest expense")
    roe: float = pa.Field(nullable=True, description="TTM net income / equity")
    roa: float = pa.Field(nullable=True, description="TTM net income / total assets")
    roic: float = pa.Field(nullable=True, description="TTM operating income x (1 - 21%) / (equity + debt)")
    gross_margin: float = pa.Field(nullable=True, description="TTM gross profit / revenue")
    operating_margin: float = pa.Field(nullable=True, description="TTM operating income / revenue")
    net_margin: float = pa.Field(nullable=True, description="TTM net income / revenue")
    revenue_growth_yoy: float = pa.Field(nullable=True, description="TTM revenue growth over a year")
    eps_growth_yoy: float = pa.Field(
        nullable=True, description="TTM diluted EPS growth over a year (over |EPS a year ago|)"
    )
    fcf_growth_yoy: float = pa.Field(
        nullable=True, description="TTM free-cash-flow growth over a year (over |FCF a year ago|)"
    )
    revenue_cagr_3y: float = pa.Field(nullable=True, description="3-year CAGR of TTM revenue")
    eps_cagr_3y: float = pa.Field(nullable=True, description="3-year CAGR of TTM diluted EPS (both ends positive)")
    fcf_cagr_3y: float = pa.Field(nullable=True, description="3-year CAGR of TTM free cash flow (both ends positive)")
    fundamentals_as_of: date = pa.Field(nullable=True, description="Knowledge date of the fundamentals used")
    fundamentals_age_days: int = pa.Field(
        nullable=True,
        description="Days from the end of the newest fiscal period known on D to D (older than the limit: not used)",
    )
    inputs_knowledge_date: date = pa.Field(description="Newest knowledge date of any input (fundamentals or the close)")

    class Config:
        unique = ["date", "ticker"]
