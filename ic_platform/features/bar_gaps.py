"""Ticker-days missing inside a ticker's trading life, and their repair from a per-ticker source."""

from datetime import date
from typing import Protocol

import polars as pl

from ic_platform.schemas.common import QuarantinedRecord, frame_of
from ic_platform.schemas.market import DailyBar


class TickerRangeSource(Protocol):
    def ticker_range(self, ticker: str, start: date, end: date) -> tuple[pl.DataFrame, pl.DataFrame]: ...


def find_gaps(bars: pl.LazyFrame, trading_days: list[date]) -> pl.DataFrame:
    """(ticker, date) of every trading day between a ticker's first and last bar that has no bar."""
    present = bars.select("ticker", "date")
    spans = present.group_by("ticker").agg(first=pl.col("date").min(), last=pl.col("date").max())
    expected = spans.join(pl.LazyFrame({"date": trading_days}, schema={"date": pl.Date}), how="cross").filter(
        pl.col("date").is_between(pl.col("first"), pl.col("last"))
    )
    return (
        expected.join(present, on=["ticker", "date"], how="anti")
        .select("ticker", "date")
        .sort("ticker", "date")
        .collect()
    )


def fetch_missing_bars(gaps: pl.DataFrame, source: TickerRangeSource) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Bars for the gaps from one per-ticker request each; what the source still lacks is quarantined."""
    found, quarantined = [frame_of(DailyBar, [])], [frame_of(QuarantinedRecord, [])]
    for (ticker,), days in gaps.group_by("ticker", maintain_order=True):
        first, last = days.get_column("date").min(), days.get_column("date").max()
        assert isinstance(first, date) and isinstance(last, date)  # the gaps' days
        bars, bad = source.ticker_range(ticker, first, last)
        wanted = bars.join(days.select("date"), on="date", how="semi")
        found.append(wanted)
        quarantined.append(bad.with_columns(pl.col("date").fill_null(first)))
        still_missing = days.join(wanted.select("date"), on="date", how="anti")
        quarantined.append(
            frame_of(
                QuarantinedRecord,
                [
                    {
                        "date": d,
                        "source": f"{ticker} range {first}..{last}",
                        "record": ticker,
                        "reason": "gap: the source has no bar for this ticker-day",
                    }
                    for d in still_missing.get_column("date")
                ],
            )
        )
    return pl.concat(found), pl.concat(quarantined)
