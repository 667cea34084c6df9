"""Daily bars from the three kinds of market-data source, each returning (bars, quarantined rows).

- `DemoBars`: the demo universe's grouped-daily files, split-adjusted with its `splits.json`.
- `ArchiveBars`: a CSV or Parquet file of bars a user already has (columns date, open, high, low,
  close, volume, and ticker or Name; vwap optional), such as Kaggle's `all_stocks_5yr.csv`.
- `PolygonClient`: a Polygon-compatible REST API (grouped daily for daily updates, per-ticker
  ranges for backfills and gap repair), through the shared rate-limited, retrying, caching client.

Bars are split-adjusted as of the source: a split is a change of units, so prices before it are
divided by its ratio (volumes multiplied) and returns across it stay right. `split_factor` keeps
that ratio, so `close * split_factor` is the price as traded that day, the one to set against
per-share figures as they were reported then. Live bars are requested as traded (`adjusted=false`)
and adjusted here with the API's reference splits, exactly as the demo's files are: Polygon's own
`adjusted=true` bars do not say their factor.

Cash dividends ride on the bar of their ex-dividend day (`dividend`, in the bar's split-adjusted
units), from the demo's `dividends.json` or the API's reference dividends (`/v3/reference/dividends`),
so momentum and forward returns are total returns. Archive files carry none.
"""

import os
from collections.abc import Iterator
from datetime import date
from functools import partial
from pathlib import Path

import polars as pl

from ic_platform.schemas.common import QuarantinedRecord, frame_of
from ic_platform.schemas.market import DailyBar
from ic_platform.sources.documents import SourceFormatError, load_json, map_in_processes, read_ahead
from ic_platform.sources.http import HttpClient, HttpError
from ic_platform.sources.polygon_files import (
    BAR_FIELDS,
    RAW_SCHEMA,
    checked_bars,
    parse_grouped_daily,
    parse_ticker_aggregates,
)
from ic_platform.sources.readers import BarReader

PRICE_COLUMNS = ("open", "high", "low", "close", "vwap")
REFERENCE_MAX_AGE_S = 6 * 3600  # the reference splits and dividends are read again after this long
DIVIDEND_SCHEMA = {"ticker": pl.String, "ex_dividend_date": pl.Date, "cash_amount": pl.Float64}  # no dividends


def adjust_for_splits(bars: pl.DataFrame, splits: pl.DataFrame) -> pl.DataFrame:
    """Divide prices (multiply volume) of bars dated before each split of their ticker by its ratio."""
    if not bars.is_empty():  # only a split after a bar's date changes the bar (most change none of a day's)
        splits = splits.filter(pl.col("execution_date") > bars.get_column("date").min())
    if splits.is_empty() or bars.is_empty():
        return bars
    factors = (
        bars.select("ticker", "date")
        .join(splits, on="ticker")
        .filter(pl.col("date") < pl.col("execution_date"))
        .group_by("ticker", "date")
        .agg(factor=(pl.col("split_to") / pl.col("split_from")).product())
    )
    adjusted = bars.join(factors, on=["ticker", "date"], how="left").with_columns(pl.col("factor").fill_null(1.0))
    return adjusted.with_columns(
        *(pl.col(c) / pl.col("factor") for c in PRICE_COLUMNS),
        pl.col("volume") * pl.col("factor"),
        split_factor=pl.col("split_factor") * pl.col("factor"),
    ).drop("factor")


def _string(value) -> str:
    if not isinstance(value, str) or not value:
        raise TypeError(f"{value!r} is not a text")
    return value


def _reference_results(payload: bytes | str, source: str, what: str, columns: dict, keep=None) -> pl.DataFrame:
    """A reference endpoint's `results` as a frame of `columns` (name: (type, converter of the
    record's field of that name)), the records `keep` accepts; a record without one is a clear error."""
    document = load_json(payload, source)
    rows = document.get("results") if isinstance(document, dict) else None
    if not isinstance(rows, list):
        raise SourceFormatError(f"{source}: no 'results' list of {what}")
    try:
        records = [
            {name: convert(r[name]) for name, (_, convert) in columns.items()} for r in rows if not keep or keep(r)
        ]
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        *first, last = columns
        raise SourceFormatError(f"{source}: one of its {what} lacks {', '.join(first)} or {last} ({error})") from error
    return pl.DataFrame(records, schema={name: dtype for name, (dtype, _) in columns.items()})


def parse_splits(payload: bytes | str, source: str) -> pl.DataFrame:
    """Polygon's reference splits (`/v3/reference/splits`) as ticker, execution_date, split_from, split_to."""
    columns = {
        "ticker": (pl.String, _string),
        "execution_date": (pl.Date, date.fromisoformat),
        "split_from": (pl.Float64, float),
        "split_to": (pl.Float64, float),
    }
    return _reference_results(payload, source, "splits", columns)


def parse_dividends(payload: bytes | str, source: str) -> pl.DataFrame:
    """Polygon's reference dividends (`/v3/reference/dividends`) as ticker, ex_dividend_date and
    cash_amount per share as paid (the units traded then). A dividend in another currency than the
    dollar (`currency`; none given is USD) is left out: its amount is not in the bars' units."""
    columns = {
        "ticker": (pl.String, _string),
        "ex_dividend_date": (pl.Date, date.fromisoformat),
        "cash_amount": (pl.Float64, float),
    }
    dividends = _reference_results(
        payload, source, "dividends", columns, keep=lambda r: (r.get("currency") or "USD") == "USD"
    )
    if (dividends.get_column("cash_amount") < 0).any():
        raise SourceFormatError(f"{source}: a dividend has a negative cash_amount")
    return dividends


def with_dividends(bars: pl.DataFrame, dividends: pl.DataFrame) -> pl.DataFrame:
    """`bars` (split-adjusted) with `dividend`: the cash its ticker pays per share going ex that day,
    divided by the bar's split factor into the bar's units (0 without one)."""
    dates = bars.get_column("date")
    paid = (
        dividends.filter(pl.col("ex_dividend_date").is_between(dates.min(), dates.max()))  # the bars' days only
        .group_by(ticker="ticker", date="ex_dividend_date")
        .agg(_cash=pl.col("cash_amount").sum())
    )
    return (
        bars.drop("dividend", strict=False)
        .join(paid, on=["ticker", "date"], how="left")
        .with_columns(dividend=pl.col("_cash").fill_null(0.0) / pl.col("split_factor"))
        .drop("_cash")
        .select(bars.columns)
    )


def _page(parse):
    """A decoder of one page of a reference endpoint: the parsed rows and the URL of the next page
    (None on the last)."""
    return lambda payload, source: (parse(payload, source), load_json(payload, source).get("next_url"))


class NoBars:
    """Prices that are off: no bars on any day."""

    read_threads = parse_processes = 1

    def day(self, day: date) -> tuple[pl.DataFrame, pl.DataFrame]:
        return frame_of(DailyBar, []), frame_of(QuarantinedRecord, [])

    def ticker_range(self, ticker: str, start: date, end: date) -> tuple[pl.DataFrame, pl.DataFrame]:
        return frame_of(DailyBar, []), frame_of(QuarantinedRecord, [])


class DemoBars:
    """The demo universe's Polygon files."""

    read_threads = 4  # days read at once by `read_ahead` (reading waits on the disk)
    parse_processes = os.cpu_count() or 1  # worker processes parsing many days (parsing JSON is Python work)

    def __init__(self, root: Path):
        self.root = root
        splits_file, dividends_file = root / "polygon" / "splits.json", root / "polygon" / "dividends.json"
        self.splits = parse_splits(splits_file.read_bytes(), str(splits_file))
        self.dividends = (
            parse_dividends(dividends_file.read_bytes(), str(dividends_file))
            if dividends_file.exists()  # demos generated before dividends have none
            else pl.DataFrame(schema=DIVIDEND_SCHEMA)
        )

    def day(self, day: date) -> tuple[pl.DataFrame, pl.DataFrame]:
        path = self.root / "polygon" / "grouped" / f"{day.isoformat()}.json"
        if not path.exists():
            raise FileNotFoundError(
                f"the demo universe has no bars for {day} ({path} is missing): pick days inside its range"
            )
        bars, quarantined = parse_grouped_daily(path.read_bytes(), day, str(path))
        return with_dividends(adjust_for_splits(bars, self.splits), self.dividends), quarantined

    def ticker_range(self, ticker: str, start: date, end: date) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The ticker's bars from the grouped files of `start`..`end` (the demo has no per-ticker files)."""
        frames = [self.day(d) for d in _days_with_files(self.root, start, end)]
        bars = pl.concat([f[0] for f in frames]) if frames else frame_of(DailyBar, [])
        return bars.filter(pl.col("ticker") == ticker), frame_of(QuarantinedRecord, [])


def _days_with_files(root: Path, start: date, end: date) -> list[date]:
    days = (date.fromisoformat(p.stem) for p in (root / "polygon" / "grouped").glob("*.json"))
    return sorted(d for d in days if start <= d <= end)


class ArchiveBars:
    """A CSV or Parquet file of daily bars, read once and served by day.

    A CSV is read as text and each column converted on its own, so one bad cell anywhere in the
    file costs its row (quarantined with the reason), not the file. Rows whose date cannot be read
    are quarantined with the file's first day."""

    read_threads = parse_processes = 1  # served from memory

    def __init__(self, path: Path):
        if not path.exists():
            raise FileNotFoundError(f"archive bars file {path} does not exist")
        suffixes = "".join(path.suffixes)
        try:
            frame = pl.read_parquet(path) if suffixes.endswith(".parquet") else pl.read_csv(path, infer_schema=False)
        except (pl.exceptions.PolarsError, OSError, EOFError) as error:
            raise SourceFormatError(f"{path}: not a readable bars file ({error})") from error
        if "ticker" not in frame.columns and "Name" in frame.columns:
            frame = frame.rename({"Name": "ticker"})
        missing = {"date", "ticker", "open", "high", "low", "close", "volume"} - set(frame.columns)
        if missing:
            raise SourceFormatError(f"{path}: missing columns {sorted(missing)}")
        self.path = path
        dated = (
            pl.col("date").str.strip_chars().str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
            if frame.schema["date"] == pl.String
            else pl.col("date").cast(pl.Date, strict=False)
        )
        frame = frame.with_columns(date=dated, _text_date=pl.col("date").cast(pl.String))
        undated = frame.filter(pl.col("date").is_null())
        self.frame = frame.filter(pl.col("date").is_not_null()).drop("_text_date")
        self.first_day = self.frame.get_column("date").min()
        self.undated = frame_of(
            QuarantinedRecord,
            [
                {"date": self.first_day, "source": str(path), "record": str(row)[:2000], "reason": "unreadable date"}
                for row in undated.drop("date").iter_rows(named=True)
            ],
        )

    def bars(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Usable bars and quarantined rows of a slice of the file."""
        frame = frame.with_row_index("_row").with_columns(_row=pl.col("_row").cast(pl.Int64))
        raw = frame.select(
            "_row",
            "date",
            *(
                pl.col(name).cast(RAW_SCHEMA[key], strict=False).alias(key)
                if name in frame.columns
                else pl.lit(None, RAW_SCHEMA[key]).alias(key)
                for key, name in BAR_FIELDS.items()
            ),
        )
        return checked_bars(raw, str(self.path), lambda i: frame.drop("_row").row(i, named=True))

    def day(self, day: date) -> tuple[pl.DataFrame, pl.DataFrame]:
        bars, quarantined = self.bars(self.frame.filter(pl.col("date") == day))
        return bars, pl.concat([quarantined, self.undated]) if day == self.first_day else quarantined

    def ticker_range(self, ticker: str, start: date, end: date) -> tuple[pl.DataFrame, pl.DataFrame]:
        return self.bars(self.frame.filter((pl.col("ticker") == ticker) & pl.col("date").is_between(start, end)))


class PolygonClient:
    """Polygon-compatible REST API; `api_key` is sent as the `apiKey` query parameter."""

    read_threads = parse_processes = 1  # one request at a time under the rate limiter

    def __init__(self, http: HttpClient, api_key: str):
        if not api_key:
            raise ValueError("the market-data API key is missing: set POLYGON_API_KEY")
        self.http = http
        self.api_key = api_key
        self._reference: dict[str, pl.DataFrame] = {}

    def _reference_table(self, path: str, sort: str, parse) -> pl.DataFrame:
        """Every row a reference endpoint lists (all pages), read once per client."""
        if path not in self._reference:
            url: str | None = path
            params = {"limit": 1000, "order": "asc", "sort": sort, "apiKey": self.api_key}
            pages, decode = [], _page(parse)
            while url:
                page, url = self.http.get(
                    url, params=params, max_age=REFERENCE_MAX_AGE_S, decode=lambda body, page=url: decode(body, page)
                )
                pages.append(page)
                params = {"apiKey": self.api_key}  # next_url carries the other parameters
            self._reference[path] = pl.concat(pages)
        return self._reference[path]

    def splits(self) -> pl.DataFrame:
        """Every split the API lists (`/v3/reference/splits`)."""
        return self._reference_table("/v3/reference/splits", "execution_date", parse_splits)

    def dividends(self) -> pl.DataFrame:
        """Every cash dividend the API lists (`/v3/reference/dividends`)."""
        return self._reference_table("/v3/reference/dividends", "ex_dividend_date", parse_dividends)

    def _adjusted(self, bars: pl.DataFrame) -> pl.DataFrame:
        return with_dividends(adjust_for_splits(bars, self.splits()), self.dividends())

    def day(self, day: date) -> tuple[pl.DataFrame, pl.DataFrame]:
        path = f"/v2/aggs/grouped/locale/us/market/stocks/{day.isoformat()}"
        bars, quarantined = self.http.get(
            path,
            params={"adjusted": "false", "apiKey": self.api_key},
            max_age=None if day < date.today() else 300,
            decode=lambda body: parse_grouped_daily(body, day, path),
        )
        return self._adjusted(bars), quarantined

    def ticker_range(self, ticker: str, start: date, end: date) -> tuple[pl.DataFrame, pl.DataFrame]:
        """All pages of the ticker's daily bars from `start` to `end`."""
        url: str | None = f"/v2/aggs/ticker/{ticker}/range/1/day/{start.isoformat()}/{end.isoformat()}"
        params: dict | None = {"adjusted": "false", "sort": "asc", "limit": 50000, "apiKey": self.api_key}
        bars, quarantined = [], []
        while url:
            page_bars, page_quarantined, url = self.http.get(
                url,
                params=params,
                max_age=3600,
                decode=lambda body, page=url: parse_ticker_aggregates(body, ticker, page),
            )
            bars.append(page_bars)
            quarantined.append(page_quarantined)
            params = {"apiKey": self.api_key}  # next_url carries the other parameters
        return self._adjusted(pl.concat(bars)), pl.concat(quarantined)


DAYS_PER_BATCH = 120  # days a worker process reads and parses per task
DayRead = tuple[pl.DataFrame, pl.DataFrame] | FileNotFoundError | SourceFormatError | HttpError


def _read_days(reader: BarReader, days: list[date]) -> list[tuple[date, DayRead]]:
    """Each day's (bars, quarantined records), or the error that kept the day from being read."""
    reads: list[tuple[date, DayRead]] = []
    for day in days:
        try:
            reads.append((day, reader.day(day)))
        except (FileNotFoundError, SourceFormatError, HttpError) as error:
            reads.append((day, error))
    return reads


def read_days(reader: BarReader, days: list[date]) -> Iterator[tuple[int, list[tuple[date, DayRead]]]]:
    """(days done, the next days' reads) for `days` in order, by `reader.parse_processes` worker
    processes a batch of days at a time (a long window of files), else one day at a time with
    `reader.read_threads` days read ahead. Each read is the day's (bars, quarantined records) or
    the error that kept it from being read."""
    if reader.parse_processes > 1:
        yield from map_in_processes(partial(_read_days, reader), days, reader.parse_processes, DAYS_PER_BATCH)
        return
    for done, (_, read) in enumerate(
        read_ahead([[day] for day in days], partial(_read_days, reader), reader.read_threads), 1
    ):
        yield done, read.result()
