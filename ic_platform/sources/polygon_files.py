"""Parsers for Polygon's daily aggregates: grouped daily (`/v2/aggs/grouped/locale/us/market/stocks/{date}`),
per-ticker ranges (`/v2/aggs/ticker/{ticker}/range/1/day/{from}/{to}`) and the day-aggregate flat
files (`us_stocks_sip/day_aggs_v1/YYYY/MM/YYYY-MM-DD.csv.gz`)."""

import io
import json
from collections.abc import Callable, Sequence
from datetime import date
from zoneinfo import ZoneInfo

import polars as pl

from ic_platform.schemas.common import QuarantinedRecord, frame_of, polars_schema
from ic_platform.schemas.market import DailyBar
from ic_platform.sources.documents import SourceFormatError, load_json

BAR_FIELDS = {
    "T": "ticker",
    "o": "open",
    "h": "high",
    "l": "low",
    "c": "close",
    "v": "volume",
    "vw": "vwap",
    "n": "transactions",
}
RAW_SCHEMA = {
    "T": pl.String,
    "o": pl.Float64,
    "h": pl.Float64,
    "l": pl.Float64,
    "c": pl.Float64,
    "v": pl.Float64,
    "vw": pl.Float64,
    "n": pl.Int64,
    "t": pl.Int64,
}
REQUIRED = ("T", "o", "h", "l", "c", "v")
NEW_YORK = ZoneInfo("America/New_York")


def _coerced(row: dict) -> tuple[dict, str | None]:
    """A row with Polygon's short keys as RAW_SCHEMA's types, or why it cannot be (slow path: typed
    rows go straight to a frame)."""
    ticker = row.get("T")
    if ticker is not None and not isinstance(ticker, str):
        return {}, "ticker is not a non-empty string"
    try:
        numbers = {key: None if row.get(key) is None else float(row[key]) for key in ("o", "h", "l", "c", "v", "vw")}
    except (TypeError, ValueError, OverflowError):
        return {}, "a price or the volume is not a number"
    transactions, timestamp = row.get("n"), row.get("t")
    return {
        "T": ticker,
        **numbers,
        "n": transactions if _is_int64(transactions) else None,
        "t": timestamp if _is_int64(timestamp) else None,
    }, None


def _is_int64(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63


def _problem() -> pl.Expr:
    """Why a typed row cannot be used (the first reason that applies), or null."""
    missing = pl.concat_list([pl.when(pl.col(key).is_null()).then(pl.lit(key)) for key in REQUIRED]).list.drop_nulls()
    prices = ("o", "h", "l", "c")
    return (
        pl.when(missing.list.len() > 0)
        .then(pl.lit("missing fields ['") + missing.list.join("', '") + pl.lit("']"))
        .when(pl.col("T") == "")
        .then(pl.lit("ticker is not a non-empty string"))
        .when(
            ~pl.all_horizontal(pl.col(c).is_finite() for c in (*prices, "v"))
            | (pl.col("vw").is_not_null() & ~pl.col("vw").is_finite())
        )
        .then(pl.lit("a price or the volume is not a finite number"))
        .when(pl.min_horizontal(prices) <= 0)
        .then(pl.lit("non-positive price"))
        .when(pl.col("v") < 0)
        .then(pl.lit("negative volume"))
        .when((pl.col("h") < pl.max_horizontal("o", "c", "l")) | (pl.col("l") > pl.min_horizontal("o", "c")))
        .then(pl.lit("high/low do not contain open and close"))
        .when(pl.col("date").is_null())
        .then(pl.lit("no timestamp 't' to date the bar"))
    )


def bars_from_rows(rows: list, source: str, day: date | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Usable bars and quarantined rows (with reasons) from Polygon rows (short keys), in one vectorised
    pass. `day` dates every row (grouped daily); without it a row is dated by its `t` timestamp (New York)."""
    objects = [row for row in rows if isinstance(row, dict)]
    unusable = [(i, "row is not an object") for i, row in enumerate(rows) if not isinstance(row, dict)]
    positions = [i for i, row in enumerate(rows) if isinstance(row, dict)]
    typed = all(type(row.get("T")) is str for row in objects)
    try:
        raw = pl.DataFrame(objects, schema=RAW_SCHEMA, strict=True) if typed else None
    except (pl.exceptions.PolarsError, TypeError, ValueError, OverflowError):
        raw = None
    if raw is None:  # some row has a value of the wrong type: check them one by one
        coerced = [(i, *_coerced(row)) for i, row in zip(positions, objects)]
        unusable += [(i, problem) for i, _, problem in coerced if problem]
        positions = [i for i, _, problem in coerced if not problem]
        raw = pl.DataFrame([row for _, row, problem in coerced if not problem], schema=RAW_SCHEMA)
    dated = (
        pl.lit(day, dtype=pl.Date)
        if day is not None
        else pl.from_epoch("t", time_unit="ms").dt.replace_time_zone("UTC").dt.convert_time_zone(NEW_YORK.key).dt.date()
    )
    raw = raw.with_columns(_row=pl.Series(positions, dtype=pl.Int64), date=dated)
    return checked_bars(raw, source, lambda i: rows[i], unusable)


def checked_bars(
    raw: pl.DataFrame, source: str, record_of: Callable[[int], object], unusable: Sequence[tuple[int, str]] = ()
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Usable bars and quarantined rows (reason, and `record_of(_row)` as JSON) from a frame of RAW_SCHEMA's
    columns with `date` and `_row`; `unusable` adds (row, reason) pairs found before."""
    checked = raw.with_columns(_problem=_problem())
    checked = checked.with_columns(
        _problem=pl.when(
            pl.col("_problem").is_null()
            & ~pl.struct("T", "date").is_first_distinct().over(pl.col("_problem").is_null())
        )
        .then(pl.lit("duplicate ticker for the day"))
        .otherwise("_problem")
    )
    bars = checked.filter(pl.col("_problem").is_null()).select(
        "date",
        *(pl.col(k).alias(name) for k, name in BAR_FIELDS.items()),
    )
    problems = list(unusable) + checked.filter(pl.col("_problem").is_not_null()).select("_row", "_problem").rows()
    dates = dict(checked.filter(pl.col("_problem").is_not_null()).select("_row", "date").rows())
    quarantined = [
        {
            "date": dates.get(i),
            "source": source,
            "record": json.dumps(record_of(i), sort_keys=True, default=str),
            "reason": problem,
        }
        for i, problem in sorted(problems)
    ]
    return frame_of(DailyBar, []).vstack(bars.cast(polars_schema(DailyBar))), frame_of(QuarantinedRecord, quarantined)


def _results(payload: bytes | str, source: str) -> tuple[dict, list]:
    document = load_json(payload, source)
    if not isinstance(document, dict) or document.get("status") not in ("OK", "DELAYED"):
        raise SourceFormatError(f"{source}: not a successful aggregates response")
    results = document.get("results") or []
    if not isinstance(results, list):
        raise SourceFormatError(f"{source}: 'results' is not a list")
    return document, results


def parse_grouped_daily(payload: bytes | str, day: date, source: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Bars of one day and the quarantined rows (with reasons): bad values and repeated tickers."""
    _, results = _results(payload, source)
    return bars_from_rows(results, source, day)


def parse_ticker_aggregates(
    payload: bytes | str, ticker: str, source: str
) -> tuple[pl.DataFrame, pl.DataFrame, str | None]:
    """One ticker's daily bars, the quarantined rows, and the `next_url` of the next page (or None)."""
    document, results = _results(payload, source)
    rows = [dict(row, T=document.get("ticker") or ticker) if isinstance(row, dict) else row for row in results]
    bars, quarantined = bars_from_rows(rows, source)
    return bars, quarantined, document.get("next_url")


FLAT_FILE_COLUMNS = {  # a day-aggregate flat file's header -> RAW_SCHEMA's key
    "ticker": "T",
    "open": "o",
    "high": "h",
    "low": "l",
    "close": "c",
    "volume": "v",
    "transactions": "n",
}


def parse_day_aggregates(payload: bytes, day: date, source: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Bars of one day-aggregate flat file (CSV: ticker, volume, open, close, high, low,
    window_start in nanoseconds, transactions) and the quarantined rows: a cell that is not a
    number, a bar not dated on the file's day by its `window_start` (New York), the checks of
    `checked_bars`. Every cell is read as text, so one bad cell costs its row."""
    try:
        frame = pl.read_csv(io.BytesIO(payload), infer_schema=False)
    except pl.exceptions.PolarsError as error:
        raise SourceFormatError(f"{source}: not a readable day-aggregate CSV ({str(error).splitlines()[0]})") from None
    missing = sorted({*FLAT_FILE_COLUMNS, "window_start"} - set(frame.columns))
    if missing:
        raise SourceFormatError(
            f"{source}: a day-aggregate file needs the columns {missing}; its header is {frame.columns}"
        )
    starts = pl.col("window_start").str.strip_chars().cast(pl.Int64, strict=False)
    raw = frame.select(
        _row=pl.int_range(pl.len(), dtype=pl.Int64),
        **{key: pl.col(name).cast(RAW_SCHEMA[key], strict=False) for name, key in FLAT_FILE_COLUMNS.items()},
        vw=pl.lit(None, dtype=pl.Float64),
        t=starts // 1_000_000,
        date=pl.from_epoch(starts, time_unit="ns")
        .dt.replace_time_zone("UTC")
        .dt.convert_time_zone(NEW_YORK.key)
        .dt.date(),
    )
    elsewhere = raw.filter(pl.col("date").is_not_null() & (pl.col("date") != day))
    unusable = [
        (i, f"window_start is on {other}, not on the file's day {day}")
        for i, other in elsewhere.select("_row", "date").rows()
    ]
    raw = raw.join(elsewhere.select("_row"), on="_row", how="anti")
    return checked_bars(raw, source, lambda i: frame.row(i, named=True), unusable)
