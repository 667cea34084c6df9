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
- return_N: the total return over the last N bars, N = 21, 63, 126, 252: TA-Lib's ROCR - 1 on a
  total-return index that reinvests each cash dividend at its ex-day's close (the index grows by
  (close + dividend) / previous close a bar); without dividends it is close / close N bars earlier - 1.

The bars come adjusted with the corporate actions (`features.splits.adjusted_bars`), so returns and
indicators run across a split; the levels (close, averages, bands, MACD, average volume) are then
put back on the basis the bar of `close_date` traded on (its `split_factor`), so a row says what a
reader of that day's prices sees, and the same whichever later actions are known.
"""

from datetime import date

import polars as pl

from ic_platform.trading_days import next_trading_days

RETURN_HORIZONS = {"return_1m": 21, "return_3m": 63, "return_6m": 126, "return_12m": 252}
# the indicators in price units, put back on the close date's basis (with the close)
PRICE_LEVELS = (
    "macd",
    "macd_signal",
    "macd_hist",
    "sma_50",
    "sma_200",
    "ema_12",
    "ema_26",
    "bb_upper",
    "bb_middle",
    "bb_lower",
)
INDICATOR_COLUMNS = ("rsi_14", *PRICE_LEVELS, "volume_sma_20", *RETURN_HORIZONS, "price_to_sma_50", "price_to_sma_200")
# Bars read before a window so that exponential indicators equal their full-history values: the
# weight of anything older is below (1 - 2/27) ** 600 ~ 1e-20 for EMA(26), (13/14) ** 600 for RSI.
WARMUP_BARS = 600


# Every expression below runs per ticker on the frame sorted by ticker code and date: `.over` with
# the "explode" mapping hands back each ticker's results one after the other, which is the frame's
# own row order, so no result is scattered back and a ticker's windows never reach into the
# previous ticker's bars (rolling and lagged values start null, smoothing starts from zero).
# Intermediate columns are materialized in stages so that nothing is computed twice.
def total_return_index(close: pl.Expr, dividend: pl.Expr) -> pl.Expr:
    """A ticker's total-return index (1 at its first bar), to be taken over one ticker's bars in date
    order: each bar multiplies it by (close + dividend going ex that day) / previous close."""
    return ((close + dividend) / close.shift(1)).fill_null(1.0).cum_prod()


def _per_ticker(expression: pl.Expr) -> pl.Expr:
    return expression.over("_code", mapping_strategy="explode")


N = pl.col("_n")  # the bar's position in its ticker's history, from 0


def _inside(expression: pl.Expr, first_valid: int) -> pl.Expr:
    """`expression` where the ticker has had `first_valid` earlier bars, else null."""
    return pl.when(N >= first_valid).then(expression)


class _SeededEwm:
    """Exponential smoothing that starts at each ticker's bar `seed_at` from the mean of the `period`
    values ending there, as TA-Lib's EMA and Wilder's RSI averages do.

    The smoothing runs per ticker from zero over inputs that make its state at `seed_at` exactly
    that mean: before the seed window the inputs are 0, inside it each value is divided by the
    weight the smoothing gives it at `seed_at` (times `period`), after it they are the values. The
    factor comes from a small table indexed by the bar number, so the seed costs a lookup and a
    multiplication instead of a rolling mean over the whole column.
    """

    def __init__(self, name: str, values: pl.Expr, period: int, seed_at: int, alpha: float):
        self.name, self.values, self.period, self.seed_at, self.alpha = name, values, period, seed_at, alpha

    def inputs(self) -> pl.Expr:
        first = self.seed_at - self.period + 1
        # weight of bar k at the seed: alpha * (1 - alpha) ** (seed_at - k), without alpha for bar 0
        # (the smoothing starts from the first input itself)
        weights = [
            self.alpha * (1 - self.alpha) ** (self.seed_at - k) if k else (1 - self.alpha) ** self.seed_at
            for k in range(self.seed_at + 1)
        ]
        factors = (
            [0.0] * first + [1 / (self.period * w) for w in weights[first:]] + [1.0]
        )  # by bar, the last for every later bar
        factor = pl.lit(pl.Series(factors)).gather(N.clip(upper_bound=self.seed_at + 1))
        # before the window the input is 0 even where the value is null (the first bar has no change)
        return pl.when(N < first).then(0.0).otherwise(self.values * factor).alias(f"_{self.name}_in")

    def result(self) -> pl.Expr:
        smoothed = _per_ticker(pl.col(f"_{self.name}_in").ewm_mean(alpha=self.alpha, adjust=False))
        return _inside(smoothed, self.seed_at).alias(self.name)


def _ema(name: str, values: pl.Expr, period: int, start_at: int | None = None) -> _SeededEwm:
    """EMA(period) seeded with the SMA of the `period` values ending at bar `start_at` (default period - 1)."""
    return _SeededEwm(name, values, period, period - 1 if start_at is None else start_at, 2 / (period + 1))


def _wilder(name: str, values: pl.Expr, period: int = 14) -> _SeededEwm:
    """Wilder's average, seeded with the mean of the first `period` values (bars 1..period: bar 0 has no change)."""
    return _SeededEwm(name, values, period, period, 1 / period)


def _smooth(frame: pl.LazyFrame, averages: list[_SeededEwm]) -> pl.LazyFrame:
    return frame.with_columns(a.inputs() for a in averages).with_columns(a.result() for a in averages)


def _sma(values: pl.Expr, period: int) -> pl.Expr:
    return _per_ticker(values.rolling_mean(period))


def indicators_by_close_date(bars: pl.LazyFrame) -> pl.LazyFrame:
    """The close and the indicators per ticker and bar date from `bars` (date, ticker, close, volume,
    and where adjusted, dividend and split_factor), levels on each bar's own basis, in one pass over
    the bars sorted by ticker and date (each bar read once).

    `ticker` comes back as an Enum whose categories are the tickers in alphabetical order: it sorts
    and groups as integers, compares with strings, and the tables' models cast it to String when a
    chunk is written (building 12 million strings here would cost a fifth of the pass)."""
    names = bars.collect_schema().names()
    dividend = pl.col("dividend") if "dividend" in names else pl.lit(0.0)
    split_factor = pl.col("split_factor") if "split_factor" in names else pl.lit(1.0)
    frame = bars.select(
        "date",
        "ticker",
        pl.col("close").cast(pl.Float64),
        pl.col("volume").cast(pl.Float64),
        dividend.cast(pl.Float64).alias("dividend"),
        split_factor.cast(pl.Float64).alias("split_factor"),
    ).collect()
    # group tickers with a stable sort on the Enum's integer codes (a string sort costs seven times
    # more), so the same bars give the same bytes
    tickers = frame.get_column("ticker").unique().sort()
    frame = frame.with_columns(_code=pl.col("ticker").cast(pl.Enum(tickers))).drop("ticker")
    if not frame.get_column("date").is_sorted():  # daily_bars partitions come in date order
        frame = frame.sort("date", maintain_order=True)
    # the in-memory engine: every step is a whole-column scan, rolling window or running sum, which
    # it runs 25% faster than the streaming engine (Polars' default) on one sorted frame
    frame = frame.sort("_code", maintain_order=True).with_columns(
        pl.col("_code").set_sorted()
    )  # grouped by slicing, not hashing
    return _indicators(frame.lazy()).collect(engine="in-memory").lazy()


def _indicators(bars: pl.LazyFrame) -> pl.LazyFrame:
    close, volume = pl.col("close"), pl.col("volume")
    change = _per_ticker(close.diff())
    frame = bars.with_columns(
        _n=_per_ticker(pl.int_range(pl.len(), dtype=pl.Int32)),
        _gain=change.clip(lower_bound=0),
        _loss=(-change).clip(lower_bound=0),
        _total=_per_ticker(total_return_index(close, pl.col("dividend"))),
    )
    frame = _smooth(
        frame,
        [
            _wilder("_average_gain", pl.col("_gain")),
            _wilder("_average_loss", pl.col("_loss")),
            _ema("_macd_fast", close, 12, start_at=25),  # TA-Lib starts MACD's fast EMA with the slow one
            _ema("ema_26", close, 26),
            _ema("ema_12", close, 12),
        ],
    ).with_columns(_macd_line=pl.col("_macd_fast") - pl.col("ema_26"))
    frame = _smooth(frame, [_ema("macd_signal", pl.col("_macd_line"), 9, start_at=33)])
    total = pl.col("_average_gain") + pl.col("_average_loss")
    frame = frame.with_columns(
        rsi_14=pl.when(total == 0).then(0.0).otherwise(100 * pl.col("_average_gain") / total),
        macd=_inside(pl.col("_macd_line"), 33),
        macd_hist=_inside(pl.col("_macd_line"), 33) - pl.col("macd_signal"),
        bb_middle=_sma(close, 20),
        _std_20=_per_ticker(close.rolling_std(20, ddof=0)),
        sma_50=_sma(close, 50),
        sma_200=_sma(close, 200),
        volume_sma_20=_sma(volume, 20),
        **{name: pl.col("_total") / _per_ticker(pl.col("_total").shift(n)) - 1 for name, n in RETURN_HORIZONS.items()},
    ).with_columns(
        bb_upper=pl.col("bb_middle") + 2 * pl.col("_std_20"),
        bb_lower=pl.col("bb_middle") - 2 * pl.col("_std_20"),
        price_to_sma_50=close / pl.col("sma_50") - 1,
        price_to_sma_200=close / pl.col("sma_200") - 1,
    )
    factor = pl.col("split_factor")
    rebased = frame.with_columns(pl.col("close", *PRICE_LEVELS) * factor, pl.col("volume_sma_20") / factor)
    return rebased.select("date", pl.col("_code").alias("ticker"), "close", *INDICATOR_COLUMNS)


def technical_features(bars: pl.LazyFrame, start: date | None = None, end: date | None = None) -> pl.LazyFrame:
    """Rows for trading days D in `start`..`end`, each from the closes up to D-1.

    `close_date` says which bar the row was computed from (the last one before D); D is the first
    trading day after it, the day that close became known, so it is also `inputs_knowledge_date`.
    """
    indicators = indicators_by_close_date(bars).collect().rename({"date": "close_date"})
    known = next_trading_days(indicators.get_column("close_date"))
    frame = indicators.with_columns(date=known, inputs_knowledge_date=known).lazy()
    if start is not None:
        frame = frame.filter(pl.col("date") >= start)
    if end is not None:
        frame = frame.filter(pl.col("date") <= end)
    return frame.select("date", "ticker", "close_date", "inputs_knowledge_date", "close", *INDICATOR_COLUMNS).sort(
        "date", "ticker"
    )  # the Enum sorts alphabetically, as integers
