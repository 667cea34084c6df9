"""Daily feature tables."""

from datetime import date

import pandera.polars as pa


class TechnicalDaily(pa.DataFrameModel):
    """Technical indicators per ticker for day D, from closes up to D-1 (TA-Lib definitions)."""

    date: date = pa.Field(description="Trading day D the row is for")
    ticker: str = pa.Field(description="Exchange ticker")
    close_date: date = pa.Field(description="Date of the last bar used: the last trading day before D the ticker traded")
    inputs_knowledge_date: date = pa.Field(description="First day the newest input was known (the trading day after close_date)")
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
