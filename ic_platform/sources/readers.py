"""The interfaces the assets and sensors read sources through, whatever the mode (demo, archive, live).

Each source module offers classes that satisfy one of these protocols: a folder of files, an
archive, or an HTTP client. The Dagster layer is typed against the protocol, never a class.
"""

from datetime import date
from typing import Protocol, runtime_checkable

import polars as pl


class EdgarReader(Protocol):
    """EDGAR's ticker map, submissions, companyfacts and full filing submissions."""

    read_threads: int  # documents `read_ahead` reads at once
    parse_processes: int  # worker processes that read and parse many filings

    def company_tickers(self) -> bytes: ...

    def submissions(self, cik: int) -> dict | None: ...

    def companyfacts(self, cik: int) -> bytes | None: ...

    def filing_text(self, cik: int, accession: str) -> str | None: ...

    def form_index(self, day: date) -> str | None:
        """The daily form index of `day` (None when there is none: no business day, or not yet)."""
        ...

    def indexed_through(self) -> date | None:
        """The last day whose daily form index is complete (None: the source has no daily indexes)."""
        ...


@runtime_checkable
class CurrentFilingsFeed(Protocol):
    """EDGAR's current-filings feed (live mode only): the newest filings, newest first."""

    def current_filings(self, form_type: str = "", start: int = 0, count: int = 100) -> list[dict]: ...


class BarReader(Protocol):
    """Daily bars as traded: one trading day of every ticker, or one ticker over a range (for gap
    repair); and the corporate actions going ex from a day on. Each returns the rows and the
    quarantined records."""

    read_threads: int  # days `read_ahead` reads at once
    parse_processes: int  # worker processes that read and parse many days

    def day(self, day: date) -> tuple[pl.DataFrame, pl.DataFrame]: ...

    def ticker_range(self, ticker: str, start: date, end: date) -> tuple[pl.DataFrame, pl.DataFrame]: ...

    def actions(self, since: date | None) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The splits, stock dividends, spin-offs and cash dividends going ex on or after `since`
        (all when None), as `sources.corporate_actions` rows."""
        ...


class DocumentReader(Protocol):
    """JSON documents (news pages, ratings files) as (name, payload) pairs, published from `start`
    (None: the source's whole history, for files) to `end`."""

    def documents(self, start: date | None, end: date) -> list[tuple[str, bytes]]: ...
