"""Daily bars as traded, and the corporate actions to adjust them with, from the three kinds of
market-data source, each returning (rows, quarantined records).

- `DemoBars`: the demo universe's grouped-daily files, its `splits.json` and `dividends.json`.
- `ArchiveBars`: a CSV or Parquet file of bars a user already has (columns date, open, high, low,
  close, volume, and ticker or Name; vwap optional), such as Kaggle's `all_stocks_5yr.csv`, and a
  corporate-actions file (`sources.corporate_actions`). The bars file declares its basis: as
  traded, or split-adjusted (as many public files are), which is turned back into as traded with
  the actions file's splits up to the file's last day; an adjusted file without one is refused.
- `PolygonFlatFiles`: a folder of Polygon's day-aggregate flat files as downloaded (one gzipped CSV
  a day, `YYYY/MM/YYYY-MM-DD.csv.gz` at any depth), read in place a day at a time, as traded, and
  the corporate-actions file.
- `PolygonClient`: a Polygon-compatible REST API (grouped daily for daily updates, per-ticker
  ranges for backfills and gap repair, bars requested as traded with `adjusted=false`; reference
  splits and dividends read from a day on), through the shared rate-limited, retrying, caching client.

No bar is adjusted here: the `daily_bars` table keeps what was traded, and its readers adjust with
the `corporate_actions` table as of the day they compute (`features.splits.adjusted_bars`).
"""

import os
from collections.abc import Iterator
from datetime import date
from functools import partial
from pathlib import Path

import polars as pl

from ic_platform.schemas.common import QuarantinedRecord, frame_of
from ic_platform.schemas.market import DailyBar
from ic_platform.sources.archives import read_file
from ic_platform.sources.corporate_actions import ACTION_SCHEMA, as_traded, parse_polygon_actions, read_actions_file
from ic_platform.sources.documents import SourceFormatError, load_json, map_in_processes, read_ahead
from ic_platform.sources.http import HttpClient, HttpError
from ic_platform.sources.polygon_files import (
    BAR_FIELDS,
    RAW_SCHEMA,
    checked_bars,
    parse_day_aggregates,
    parse_grouped_daily,
    parse_ticker_aggregates,
)
from ic_platform.sources.readers import BarReader
from ic_platform.sources.security_master import parse_polygon_tickers

REFERENCE_MAX_AGE_S = 6 * 3600  # the reference splits and dividends are read again after this long
BAR_BASES = ("as_traded", "split_adjusted")


class NoBars:
    """Prices that are off: no bars on any day."""

    read_threads = parse_processes = 1

    def day(self, day: date) -> tuple[pl.DataFrame, pl.DataFrame]:
        return frame_of(DailyBar, []), frame_of(QuarantinedRecord, [])

    def ticker_range(self, ticker: str, start: date, end: date) -> tuple[pl.DataFrame, pl.DataFrame]:
        return frame_of(DailyBar, []), frame_of(QuarantinedRecord, [])

    def actions(self, since: date | None) -> tuple[pl.DataFrame, pl.DataFrame]:
        return no_actions()


def no_actions() -> tuple[pl.DataFrame, pl.DataFrame]:
    """No corporate actions and nothing quarantined."""
    return pl.DataFrame(schema=ACTION_SCHEMA), frame_of(QuarantinedRecord, [])


def _from(actions: tuple[pl.DataFrame, pl.DataFrame], since: date | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The actions going ex on or after `since` (all when None), and the quarantined records."""
    frame, quarantined = actions
    return (frame if since is None else frame.filter(pl.col("ex_date") >= since)), quarantined


def _concat(parts: list[tuple[pl.DataFrame, pl.DataFrame]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    return pl.concat([p[0] for p in parts]), pl.concat([p[1] for p in parts])


class DemoBars:
    """The demo universe's Polygon files."""

    read_threads = 4  # days read at once by `read_ahead` (reading waits on the disk)
    parse_processes = os.cpu_count() or 1  # worker processes parsing many days (parsing JSON is Python work)

    def __init__(self, root: Path):
        self.root = root

    def day(self, day: date) -> tuple[pl.DataFrame, pl.DataFrame]:
        path = self.root / "polygon" / "grouped" / f"{day.isoformat()}.json"
        if not path.exists():
            raise FileNotFoundError(
                f"the demo universe has no bars for {day} ({path} is missing): pick days inside its range"
            )
        return parse_grouped_daily(path.read_bytes(), day, str(path))

    def ticker_range(self, ticker: str, start: date, end: date) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The ticker's bars from the grouped files of `start`..`end` (the demo has no per-ticker files)."""
        frames = [self.day(d) for d in _days_with_files(self.root, start, end)]
        bars = pl.concat([f[0] for f in frames]) if frames else frame_of(DailyBar, [])
        return bars.filter(pl.col("ticker") == ticker), frame_of(QuarantinedRecord, [])

    def actions(self, since: date | None) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The demo's splits and dividends (reference-endpoint files) going ex on or after `since`."""
        files = [self.root / "polygon" / name for name in ("splits.json", "dividends.json")]
        return _from(_concat([parse_polygon_actions(f.read_bytes(), str(f)) for f in files if f.exists()]), since)


def _days_with_files(root: Path, start: date, end: date) -> list[date]:
    days = (date.fromisoformat(p.stem) for p in (root / "polygon" / "grouped").glob("*.json"))
    return sorted(d for d in days if start <= d <= end)


class ArchiveBars:
    """A CSV or Parquet file of daily bars, read once and served by day.

    A CSV is read as text and each column converted on its own, so one bad cell anywhere in the
    file costs its row (quarantined with the reason), not the file. Rows whose date cannot be read
    are quarantined with the file's first day."""

    read_threads = parse_processes = 1  # served from memory

    def __init__(self, path: Path, basis: str, actions_path: Path | None = None):
        if basis not in BAR_BASES:
            raise ValueError(
                f"say whether the archive bars file {path} is as traded or split-adjusted: set "
                f"IC_BARS_BASIS to one of {', '.join(BAR_BASES)}, not {basis!r}"
            )
        if basis == "split_adjusted" and actions_path is None:
            raise ValueError(
                f"the archive bars file {path} is split-adjusted and there is no corporate-actions file "
                "to turn it back into the prices traded: set IC_ACTIONS_ARCHIVE to a CSV (ticker, ex_date, "
                "kind, ratio, amount) or Polygon JSON file of its splits"
            )
        self.actions_file = read_actions_file(actions_path) if actions_path else no_actions()
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
        # a split-adjusted file is taken as adjusted for the splits up to its last day
        last_day = self.frame.get_column("date").max()
        self.adjusted_through = last_day if basis == "split_adjusted" and isinstance(last_day, date) else None
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
        bars, quarantined = checked_bars(raw, str(self.path), lambda i: frame.drop("_row").row(i, named=True))
        if self.adjusted_through is not None:
            bars = as_traded(bars, self.actions_file[0], self.adjusted_through)
        return bars, quarantined

    def day(self, day: date) -> tuple[pl.DataFrame, pl.DataFrame]:
        bars, quarantined = self.bars(self.frame.filter(pl.col("date") == day))
        return bars, pl.concat([quarantined, self.undated]) if day == self.first_day else quarantined

    def ticker_range(self, ticker: str, start: date, end: date) -> tuple[pl.DataFrame, pl.DataFrame]:
        return self.bars(self.frame.filter((pl.col("ticker") == ticker) & pl.col("date").is_between(start, end)))

    def actions(self, since: date | None) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The actions file's splits and dividends going ex on or after `since`."""
        return _from(self.actions_file, since)


class PolygonFlatFiles:
    """Polygon's day-aggregate flat files in a folder (any layout: each file is found by its name,
    `YYYY-MM-DD.csv.gz` or `.csv`), a day read only when asked for; the prices are as traded."""

    read_threads = 4  # days read at once by `read_ahead` (reading waits on the disk)
    parse_processes = os.cpu_count() or 1  # worker processes parsing many days

    def __init__(self, root: Path, actions_path: Path | None = None):
        if not root.is_dir():
            raise FileNotFoundError(f"{root} is not a folder of day-aggregate flat files")
        self.root = root
        self.actions_file = read_actions_file(actions_path) if actions_path else no_actions()
        self.files: dict[date, Path] = {}
        for path in sorted(root.rglob("*.csv*")):
            name = path.name.removesuffix(".gz").removesuffix(".csv")
            try:
                self.files[date.fromisoformat(name)] = path
            except ValueError:
                continue  # not a day's file (a README, a listing)
        if not self.files:
            raise FileNotFoundError(f"{root} holds no day-aggregate flat file (YYYY-MM-DD.csv.gz)")

    def day(self, day: date) -> tuple[pl.DataFrame, pl.DataFrame]:
        path = self.files.get(day)
        if path is None:
            first, last = min(self.files), max(self.files)
            raise FileNotFoundError(
                f"{self.root} has no day-aggregate file for {day} (expected {day:%Y/%m}/{day}.csv.gz; the folder "
                f"holds {len(self.files)} days from {first} to {last})"
            )
        return parse_day_aggregates(read_file(path), day, str(path))

    def ticker_range(self, ticker: str, start: date, end: date) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The ticker's bars from the files of `start`..`end`."""
        reads = [self.day(d) for d in sorted(self.files) if start <= d <= end]
        if not reads:
            return frame_of(DailyBar, []), frame_of(QuarantinedRecord, [])
        bars, quarantined = _concat(reads)
        return bars.filter(pl.col("ticker") == ticker), quarantined.head(0)

    def actions(self, since: date | None) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The actions file's splits and dividends going ex on or after `since`."""
        return _from(self.actions_file, since)


class PolygonClient:
    """Polygon-compatible REST API; `api_key` is sent as the `apiKey` query parameter."""

    read_threads = parse_processes = 1  # one request at a time under the rate limiter

    def __init__(self, http: HttpClient, api_key: str):
        if not api_key:
            raise ValueError("the market-data API key is missing: set POLYGON_API_KEY")
        self.http = http
        self.api_key = api_key

    def _reference(self, path: str, sort: str, since: date | None) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Every record a reference endpoint lists going ex on or after `since` (all pages)."""
        params: dict = {"limit": 1000, "order": "asc", "sort": sort}
        if since is not None:
            params[f"{sort}.gte"] = since.isoformat()

        def fetch(url: str, request_params: dict):
            return self.http.get(
                url,
                params=request_params,
                max_age=REFERENCE_MAX_AGE_S,
                decode=lambda body: (parse_polygon_actions(body, url), load_json(body, url).get("next_url")),
            )

        return _concat(list(self.http.pages(path, params, {"apiKey": self.api_key}, fetch)))

    def inactive_tickers(self) -> tuple[list[dict], list[dict]]:
        """The delisted stock tickers (`/v3/reference/tickers?active=false`, all pages) as ticker
        history periods (`security_master.parse_polygon_tickers`), and the quarantined records."""
        params = {"market": "stocks", "active": "false", "limit": 1000, "order": "asc", "sort": "ticker"}

        def fetch(url: str, request_params: dict):
            found = self.http.get(
                url,
                params=request_params,
                max_age=REFERENCE_MAX_AGE_S,
                decode=lambda body: parse_polygon_tickers(body, url),
            )
            return found[:2], found[2]

        pages = list(self.http.pages("/v3/reference/tickers", params, {"apiKey": self.api_key}, fetch))
        return [p for periods, _ in pages for p in periods], [q for _, bad in pages for q in bad]

    def actions(self, since: date | None) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The splits (`/v3/reference/splits`) and cash dividends (`/v3/reference/dividends`) going
        ex on or after `since`."""
        return _from(
            _concat(
                [
                    self._reference("/v3/reference/splits", "execution_date", since),
                    self._reference("/v3/reference/dividends", "ex_dividend_date", since),
                ]
            ),
            since,
        )

    def day(self, day: date) -> tuple[pl.DataFrame, pl.DataFrame]:
        path = f"/v2/aggs/grouped/locale/us/market/stocks/{day.isoformat()}"
        bars, quarantined = self.http.get(
            path,
            params={"adjusted": "false", "apiKey": self.api_key},
            max_age=None if day < date.today() else 300,
            decode=lambda body: parse_grouped_daily(body, day, path),
        )
        return bars, quarantined

    def ticker_range(self, ticker: str, start: date, end: date) -> tuple[pl.DataFrame, pl.DataFrame]:
        """All pages of the ticker's daily bars from `start` to `end`."""
        path = f"/v2/aggs/ticker/{ticker}/range/1/day/{start.isoformat()}/{end.isoformat()}"

        def fetch(url: str, params: dict):
            page_bars, page_quarantined, next_url = self.http.get(
                url, params=params, max_age=3600, decode=lambda body: parse_ticker_aggregates(body, ticker, url)
            )
            return (page_bars, page_quarantined), next_url

        params = {"adjusted": "false", "sort": "asc", "limit": 50000}
        pages = list(self.http.pages(path, params, {"apiKey": self.api_key}, fetch))
        bars, quarantined = [p[0] for p in pages], [p[1] for p in pages]
        return pl.concat(bars), pl.concat(quarantined)


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
