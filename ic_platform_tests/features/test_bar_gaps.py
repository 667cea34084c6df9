from datetime import date

import polars as pl

from ic_platform.features.bar_gaps import fetch_missing_bars, find_gaps
from ic_platform.schemas.common import QuarantinedRecord, frame_of
from ic_platform.trading_days import trading_days_between

DAYS = trading_days_between(date(2024, 7, 1), date(2024, 7, 12))


def bar(ticker, day):
    return {
        "date": day,
        "ticker": ticker,
        "open": 1.0,
        "high": 1.0,
        "low": 1.0,
        "close": 1.0,
        "volume": 1.0,
        "vwap": None,
        "transactions": None,
    }


def test_gaps_are_days_missing_inside_a_tickers_trading_life():
    rows = (
        [bar("A", d) for d in DAYS if d != DAYS[3]]
        + [bar("IPO", d) for d in DAYS[5:]]
        + [bar("GONE", d) for d in DAYS[:4]]
    )
    gaps = find_gaps(pl.DataFrame(rows).lazy(), DAYS)
    assert gaps.to_dicts() == [{"ticker": "A", "date": DAYS[3]}]  # before an IPO or after a delisting is no gap


class FakeSource:
    def __init__(self, rows):
        self.rows, self.calls = pl.DataFrame(rows), []

    def ticker_range(self, ticker, start, end):
        self.calls.append((ticker, start, end))
        found = self.rows.filter((pl.col("ticker") == ticker) & pl.col("date").is_between(start, end))
        return found, frame_of(QuarantinedRecord, [])


def test_repair_fetches_one_range_per_ticker_and_quarantines_what_is_still_missing():
    gaps = pl.DataFrame({"ticker": ["A", "A", "B"], "date": [DAYS[1], DAYS[4], DAYS[2]]})
    source = FakeSource([bar("A", d) for d in DAYS])
    found, quarantined = fetch_missing_bars(gaps, source)
    assert source.calls == [("A", DAYS[1], DAYS[4]), ("B", DAYS[2], DAYS[2])]
    assert found.select("ticker", "date").to_dicts() == [
        {"ticker": "A", "date": DAYS[1]},
        {"ticker": "A", "date": DAYS[4]},
    ]
    assert quarantined.select("date", "reason").to_dicts() == [
        {"date": DAYS[2], "reason": "gap: the source has no bar for this ticker-day"}
    ]
