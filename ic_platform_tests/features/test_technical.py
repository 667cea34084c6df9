from datetime import date

import numpy as np
import polars as pl
import pytest
import talib

from ic_platform.features.technical import INDICATOR_COLUMNS, indicators_by_close_date, technical_features
from ic_platform.trading_days import next_trading_day, trading_days_between

TICKERS = ("AAPL", "MSFT", "GE", "XOM", "NFLX")


@pytest.fixture(scope="module")
def real_bars(real_data) -> pl.DataFrame:
    frame = pl.read_csv(real_data / "prices" / "all_stocks_5yr.csv.gz", try_parse_dates=True)
    return frame.rename({"Name": "ticker"}).filter(pl.col("ticker").is_in(TICKERS))


def talib_reference(close: np.ndarray, volume: np.ndarray) -> dict[str, np.ndarray]:
    macd, signal, hist = talib.MACD(close, 12, 26, 9)
    upper, middle, lower = talib.BBANDS(close, 20, 2, 2, talib.MA_Type.SMA)
    sma_50, sma_200 = talib.SMA(close, 50), talib.SMA(close, 200)
    return {
        "rsi_14": talib.RSI(close, 14),
        "macd": macd,
        "macd_signal": signal,
        "macd_hist": hist,
        "sma_50": sma_50,
        "sma_200": sma_200,
        "ema_12": talib.EMA(close, 12),
        "ema_26": talib.EMA(close, 26),
        "bb_upper": upper,
        "bb_middle": middle,
        "bb_lower": lower,
        "volume_sma_20": talib.SMA(volume, 20),
        "return_1m": talib.ROCR(close, 21) - 1,
        "return_3m": talib.ROCR(close, 63) - 1,
        "return_6m": talib.ROCR(close, 126) - 1,
        "return_12m": talib.ROCR(close, 252) - 1,
        "price_to_sma_50": close / sma_50 - 1,
        "price_to_sma_200": close / sma_200 - 1,
    }


@pytest.mark.real_data
@pytest.mark.parametrize("ticker", TICKERS)
def test_every_indicator_equals_talib_on_real_prices(real_bars, ticker):
    bars = real_bars.filter(pl.col("ticker") == ticker).sort("date")
    ours = indicators_by_close_date(bars.lazy()).collect().sort("date")
    reference = talib_reference(
        bars.get_column("close").to_numpy().astype(float), bars.get_column("volume").to_numpy().astype(float)
    )
    assert set(reference) == set(INDICATOR_COLUMNS)
    for column, expected in reference.items():
        actual = ours.get_column(column).to_numpy().astype(float)
        # the first valid value appears exactly where TA-Lib's does (its lookback is filled)
        assert np.array_equal(np.isnan(actual), np.isnan(expected)), column
        valid = ~np.isnan(expected)
        np.testing.assert_allclose(actual[valid], expected[valid], rtol=1e-9, atol=1e-12, err_msg=column)


@pytest.mark.real_data
def test_first_values_appear_when_the_lookback_is_filled(real_bars):
    ours = indicators_by_close_date(real_bars.filter(pl.col("ticker") == "AAPL").lazy()).collect().sort("date")
    first_valid = {
        c: ours.get_column(c).is_not_null().arg_true()[0]
        for c in ("rsi_14", "macd", "macd_signal", "sma_50", "sma_200", "ema_12", "bb_upper", "return_12m")
    }
    assert first_valid == {
        "rsi_14": 14,
        "macd": 33,
        "macd_signal": 33,
        "sma_50": 49,
        "sma_200": 199,
        "ema_12": 11,
        "bb_upper": 19,
        "return_12m": 252,
    }


def test_the_row_for_day_d_uses_closes_up_to_d_minus_1_only():
    days = [date(2024, 7, 1), date(2024, 7, 2), date(2024, 7, 3), date(2024, 7, 5), date(2024, 7, 8)]
    closes = [10.0, 11.0, 12.0, 13.0, 1000.0]  # a jump on the last day must not show before the next day
    bars = pl.DataFrame({"date": days, "ticker": "T", "close": closes, "volume": 1.0})
    rows = technical_features(bars.lazy()).collect()
    assert rows.get_column("date").to_list() == [next_trading_day(d) for d in days]
    assert all(r["close_date"] < r["date"] for r in rows.iter_rows(named=True))
    row_for_last_day = rows.filter(pl.col("date") == days[-1]).row(0, named=True)
    assert row_for_last_day["close_date"] == date(2024, 7, 5)
    window = technical_features(bars.lazy(), start=days[2], end=days[-1]).collect()
    assert window.get_column("date").to_list() == days[2:]


def test_returns_are_total_returns_that_reinvest_dividends_on_their_ex_day():
    days = trading_days_between(date(2024, 1, 2), date(2024, 3, 28))
    flat = pl.DataFrame({"date": days, "ticker": "T", "close": 100.0, "volume": 1.0, "dividend": 0.0})
    paying = flat.with_columns(dividend=pl.when(pl.col("date") == days[-5]).then(2.0).otherwise(0.0))
    returns = {
        name: indicators_by_close_date(frame.lazy()).collect().sort("date").get_column("return_1m")[-1]
        for name, frame in (("flat", flat), ("paying", paying), ("no dividend column", flat.drop("dividend")))
    }
    assert returns == {"flat": 0.0, "paying": pytest.approx(0.02), "no dividend column": 0.0}
