"""technical_daily at full scale against per-ticker loops with TA-Lib (C) and `ta` (pandas).

Bars come from the demo universe's price simulator (5,000 companies x 10 years by default). Each
method runs in a fresh process so its peak memory is its own; the Polars result is compared with
TA-Lib's value by value. Run: `.venv/bin/python benchmarks/technical_daily.py [--companies N --years Y]`
(needs the `bench` extra: `pip install -e ".[bench]"`).
"""

import argparse
import multiprocessing
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from ic_platform.features.technical import INDICATOR_COLUMNS

# the indicators TA-Lib computes (the price-to-SMA ratios are derived from them)
TALIB_COLUMNS = tuple(c for c in INDICATOR_COLUMNS if not c.startswith("price_to_"))


def make_bars(companies: int, years: int, path: Path) -> int:
    from ic_platform.demo.generator import DEFAULT_END, TRADING_DAYS_PER_YEAR
    from ic_platform.demo.universe import make_companies, simulate_prices
    from ic_platform.trading_days import last_trading_days

    rng = np.random.default_rng(7)
    days = last_trading_days(DEFAULT_END, years * TRADING_DAYS_PER_YEAR)
    universe = make_companies(rng, companies, len(days))
    prices = simulate_prices(rng, universe, len(days), np.zeros((companies, len(days))))
    frame = (
        pl.DataFrame(
            {
                "date": np.tile(np.array(days, dtype="datetime64[D]"), companies),
                "ticker": np.repeat([c.ticker for c in universe], len(days)),
                "close": prices.close.ravel(),
                "volume": prices.volume.ravel(),
            }
        )
        .drop_nans()
        .with_columns(pl.col("date").cast(pl.Date))
        .sort("date", "ticker")
    )  # as daily_bars stores them
    frame.write_parquet(path)
    return frame.height


def run_polars(path: str, out: str) -> float:
    from ic_platform.features.technical import indicators_by_close_date

    bars = pl.read_parquet(path)
    started = time.perf_counter()
    result = indicators_by_close_date(bars.lazy()).collect()
    elapsed = time.perf_counter() - started
    result.sort("ticker", "date").select("ticker", "date", *TALIB_COLUMNS).write_parquet(out)
    return elapsed


def run_talib(path: str, out: str) -> float:
    import talib

    bars = pl.read_parquet(path)
    started = time.perf_counter()
    frames = []
    for _, group in bars.group_by("ticker", maintain_order=True):  # each group keeps date order
        close, volume = group.get_column("close").to_numpy(), group.get_column("volume").to_numpy()
        macd, signal, hist = talib.MACD(close, 12, 26, 9)
        upper, middle, lower = talib.BBANDS(close, 20, 2, 2, talib.MA_Type.SMA)
        columns = {
            "rsi_14": talib.RSI(close, 14),
            "macd": macd,
            "macd_signal": signal,
            "macd_hist": hist,
            "sma_50": talib.SMA(close, 50),
            "sma_200": talib.SMA(close, 200),
            "ema_12": talib.EMA(close, 12),
            "ema_26": talib.EMA(close, 26),
            "bb_upper": upper,
            "bb_middle": middle,
            "bb_lower": lower,
            "volume_sma_20": talib.SMA(volume, 20),
            **{f"return_{m}m": talib.ROCR(close, n) - 1 for m, n in ((1, 21), (3, 63), (6, 126), (12, 252))},
        }
        frames.append(pl.DataFrame({"ticker": group.get_column("ticker"), "date": group.get_column("date"), **columns}))
    result = pl.concat(frames)
    elapsed = time.perf_counter() - started
    result.write_parquet(out)
    return elapsed


def run_ta(path: str, out: str) -> float:
    import pandas as pd
    from ta.momentum import ROCIndicator, RSIIndicator
    from ta.trend import MACD, EMAIndicator, SMAIndicator
    from ta.volatility import BollingerBands

    bars = pl.read_parquet(path).to_pandas()
    started = time.perf_counter()
    frames = []
    for ticker, group in bars.groupby("ticker", sort=False):  # each group keeps date order
        close, volume = group["close"].reset_index(drop=True), group["volume"].reset_index(drop=True)
        macd = MACD(close, 26, 12, 9)
        bands = BollingerBands(close, 20, 2)
        frames.append(
            pd.DataFrame(
                {
                    "ticker": ticker,
                    "date": group["date"].to_numpy(),
                    "rsi_14": RSIIndicator(close, 14).rsi(),
                    "macd": macd.macd(),
                    "macd_signal": macd.macd_signal(),
                    "macd_hist": macd.macd_diff(),
                    "sma_50": SMAIndicator(close, 50).sma_indicator(),
                    "sma_200": SMAIndicator(close, 200).sma_indicator(),
                    "ema_12": EMAIndicator(close, 12).ema_indicator(),
                    "ema_26": EMAIndicator(close, 26).ema_indicator(),
                    "bb_upper": bands.bollinger_hband(),
                    "bb_middle": bands.bollinger_mavg(),
                    "bb_lower": bands.bollinger_lband(),
                    "volume_sma_20": SMAIndicator(volume, 20).sma_indicator(),
                    **{
                        f"return_{m}m": ROCIndicator(close, n).roc() / 100
                        for m, n in ((1, 21), (3, 63), (6, 126), (12, 252))
                    },
                }
            )
        )
    result = pd.concat(frames)
    elapsed = time.perf_counter() - started
    pl.from_pandas(result).write_parquet(out)
    return elapsed


def _measured(function, path, out, queue):
    elapsed = function(path, out)
    from ic_platform.memory import peak_memory_gib

    queue.put((elapsed, peak_memory_gib() * 1024))


def measure(function, path: Path, out: Path) -> tuple[float, float]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_measured, args=(function, str(path), str(out), queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def max_relative_difference(a: Path, b: Path, columns=TALIB_COLUMNS) -> dict[str, float]:
    left, right = pl.read_parquet(a).sort("ticker", "date"), pl.read_parquet(b).sort("ticker", "date")
    differences = {}
    for column in columns:
        x, y = left.get_column(column).to_numpy().astype(float), right.get_column(column).to_numpy().astype(float)
        both = ~np.isnan(x) & ~np.isnan(y)
        # relative to the value, or to 0.001 where the value is nearer zero (MACD crosses zero)
        differences[column] = (
            float(np.max(np.abs(x[both] - y[both]) / np.maximum(np.abs(y[both]), 1e-3))) if both.any() else 0.0
        )
        differences[column + " (null positions differ)"] = int((np.isnan(x) != np.isnan(y)).sum())
    return differences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=5000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--skip-ta", action="store_true", help="leave out the slow `ta` loop")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        rows = make_bars(args.companies, args.years, folder / "bars.parquet")
        print(f"bars: {rows:,} rows ({args.companies:,} tickers x {args.years} years)")
        results = {
            "polars (technical_daily)": measure(run_polars, folder / "bars.parquet", folder / "polars.parquet"),
            "TA-Lib loop": measure(run_talib, folder / "bars.parquet", folder / "talib.parquet"),
        }
        if not args.skip_ta:
            results["ta loop"] = measure(run_ta, folder / "bars.parquet", folder / "ta.parquet")
        baseline = results["polars (technical_daily)"][0]
        print(f"{'method':<26}{'seconds':>10}{'peak MiB':>10}{'x polars':>10}")
        for name, (seconds, peak) in results.items():
            print(f"{name:<26}{seconds:>10.2f}{peak:>10.0f}{seconds / baseline:>10.2f}")
        vs_talib = max_relative_difference(folder / "polars.parquet", folder / "talib.parquet")
        worst = max(v for k, v in vs_talib.items() if "null" not in k)
        misplaced = sum(v for k, v in vs_talib.items() if "null" in k)
        print(
            f"polars vs TA-Lib: max relative difference {worst:.1e} (denominator at least 0.001) "
            f"over {len(TALIB_COLUMNS)} indicators, {misplaced} null positions differ"
        )
        if not args.skip_ta:
            vs_ta = max_relative_difference(folder / "polars.parquet", folder / "ta.parquet")
            differing = sorted(k for k, v in vs_ta.items() if "null" not in k and v > 1e-9)
            print(f"ta differs from TA-Lib's definitions in: {', '.join(differing) or 'nothing'} (seeding and warm-up)")


if __name__ == "__main__":
    main()
