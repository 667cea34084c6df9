"""Technical indicators with TA-Lib's definitions, computed with Polars over many tickers at once.

`indicators_by_close_date` computes, for each ticker and bar date t, the indicators from the bars up
to and including t. `technical_features` re-dates them to the next trading day, so the row for day D
uses closes up to D-1 only (the point-in-time rule for prices).

Definitions (as TA-Lib's, so values match it to rounding):
- SMA(n): mean of the last n closes; first value at the n-th bar.
- EMA(n): seeded with SMA(n) at the n-th bar, then `ema += (close - ema) * 2 / (n + 1)`.
- RSI(14), Wilder: average gain and loss seeded with the mean of the first 14 changes, then
  smoothed with weight 1/14; `100 * gain / (gain + loss)`; first value at the 15th bar.
- MACD(12, 26, 9): both EMAs start at the 26th bar (the fast one seeded with the SMA of the 12
  closes ending there, as TA-Lib does), the signal is the EMA(9) of MACD; all three first appear at
  the 34th bar.
- Bollinger(20, 2): SMA(20) plus and minus two population standard deviations.
- return_N: close / close N bars earlier - 1 (TA-Lib's ROCR - 1), N = 21, 63, 126, 252.
"""

from datetime import date

import polars as pl

from ic_platform.trading_days import next_trading_day

RETURN_HORIZONS = {"return_1m": 21, "return_3m": 63, "return_6m": 126, "return_12m": 252}
INDICATOR_COLUMNS = (
    "rsi_14", "macd", "macd_signal", "macd_hist", "sma_50", "sma_200", "ema_12", "ema_26",
    "bb_upper", "bb_middle", "bb_lower", "volume_sma_20", *RETURN_HORIZONS,
    "price_to_sma_50", "price_to_sma_200",
)
# Bars read before a window so that exponential indicators equal their full-history values: the
# weight of anything older is below (1 - 2/27) ** 600 ~ 1e-20 for EMA(26), (13/14) ** 600 for RSI.
WARMUP_BARS = 600


def _bar_number() -> pl.Expr:
    return pl.int_range(pl.len()).over("ticker")


def _seeded_ewm(values: pl.Expr, seed_at: int, seed: pl.Expr, alpha: float) -> pl.Expr:
    """Exponential smoothing that starts at bar `seed_at` (0-based) from `seed`, as TA-Lib does."""
    n = _bar_number()
    started = pl.when(n < seed_at).then(None).when(n == seed_at).then(seed).otherwise(values)
    return started.ewm_mean(alpha=alpha, adjust=False, ignore_nulls=False).over("ticker")


def _ema(values: pl.Expr, period: int, start_at: int | None = None) -> pl.Expr:
    """EMA(period) seeded with the SMA of the `period` values ending at bar `start_at` (default period - 1)."""
    start_at = period - 1 if start_at is None else start_at
    seed = values.rolling_mean(period).over("ticker")
    return _seeded_ewm(values, start_at, seed, 2 / (period + 1))


def _rsi(close: pl.Expr, period: int = 14) -> pl.Expr:
    change = close.diff().over("ticker")
    gain, loss = change.clip(lower_bound=0), (-change).clip(lower_bound=0)
    average_gain = _seeded_ewm(gain, period, gain.rolling_mean(period).over("ticker"), 1 / period)
    average_loss = _seeded_ewm(loss, period, loss.rolling_mean(period).over("ticker"), 1 / period)
    total = average_gain + average_loss
    return pl.when(total == 0).then(0.0).otherwise(100 * average_gain / total)


def indicators_by_close_date(bars: pl.LazyFrame) -> pl.LazyFrame:
    """Indicators per ticker and bar date from `bars` (date, ticker, close, volume), in one pass."""
    close, volume = pl.col("close"), pl.col("volume")
    macd_line = _ema(close, 12, start_at=25) - _ema(close, 26)
    frame = (
        bars.select("date", "ticker", "close", "volume")
        .sort("ticker", "date")
        .with_columns(
            rsi_14=_rsi(close),
            macd=pl.when(_bar_number() >= 33).then(macd_line),
            macd_line=macd_line,
            sma_20=close.rolling_mean(20).over("ticker"),
            std_20=close.rolling_std(20, ddof=0).over("ticker"),
            sma_50=close.rolling_mean(50).over("ticker"),
            sma_200=close.rolling_mean(200).over("ticker"),
            ema_12=_ema(close, 12),
            ema_26=_ema(close, 26),
            volume_sma_20=volume.rolling_mean(20).over("ticker"),
            **{name: (close / close.shift(n) - 1).over("ticker") for name, n in RETURN_HORIZONS.items()},
        )
        .with_columns(macd_signal=_ema(pl.col("macd_line"), 9, start_at=33))
        .with_columns(
            macd_hist=pl.col("macd") - pl.col("macd_signal"),
            bb_upper=pl.col("sma_20") + 2 * pl.col("std_20"),
            bb_middle=pl.col("sma_20"),
            bb_lower=pl.col("sma_20") - 2 * pl.col("std_20"),
            price_to_sma_50=close / pl.col("sma_50") - 1,
            price_to_sma_200=close / pl.col("sma_200") - 1,
        )
    )
    return frame.select("date", "ticker", *INDICATOR_COLUMNS)


def technical_features(bars: pl.LazyFrame, start: date | None = None, end: date | None = None) -> pl.LazyFrame:
    """Rows for trading days D in `start`..`end`, each from the closes up to D-1.

    `close_date` says which bar the row was computed from (the last one before D).
    """
    indicators = indicators_by_close_date(bars).collect()
    close_dates = indicators.get_column("date").unique().sort()
    next_day = pl.DataFrame({"close_date": close_dates, "date": [next_trading_day(d) for d in close_dates]})
    frame = indicators.rename({"date": "close_date"}).join(next_day, on="close_date").lazy()
    if start is not None:
        frame = frame.filter(pl.col("date") >= start)
    if end is not None:
        frame = frame.filter(pl.col("date") <= end)
    return frame.select("date", "ticker", "close_date", *INDICATOR_COLUMNS).sort("date", "ticker")
