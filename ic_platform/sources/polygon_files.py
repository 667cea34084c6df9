"""Parsers for Polygon's daily aggregates: grouped daily (`/v2/aggs/grouped/locale/us/market/stocks/{date}`)
and per-ticker ranges (`/v2/aggs/ticker/{ticker}/range/1/day/{from}/{to}`)."""

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import polars as pl

from ic_platform.schemas.common import QuarantinedRecord, frame_of
from ic_platform.schemas.market import DailyBar
from ic_platform.sources.documents import SourceFormatError, load_json

BAR_FIELDS = {"T": "ticker", "o": "open", "h": "high", "l": "low", "c": "close", "v": "volume", "vw": "vwap", "n": "transactions"}
REQUIRED = ("T", "o", "h", "l", "c", "v")
NEW_YORK = ZoneInfo("America/New_York")


def bar_problem(row: dict) -> str | None:
    """Why a bar (Polygon's short keys) cannot be used, or None."""
    missing = [key for key in REQUIRED if row.get(key) is None]
    if missing:
        return f"missing fields {missing}"
    if not isinstance(row["T"], str) or not row["T"]:
        return "ticker is not a non-empty string"
    try:
        o, h, l, c, v = (float(row[key]) for key in ("o", "h", "l", "c", "v"))
    except (TypeError, ValueError):
        return "a price or the volume is not a number"
    if min(o, h, l, c) <= 0:
        return "non-positive price"
    if v < 0:
        return "negative volume"
    if h < max(o, c, l) or l > min(o, c):
        return "high/low do not contain open and close"
    return None


def bars_from_rows(rows: list, day_of, source: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Usable bars and quarantined rows (with reasons) from Polygon rows; `day_of(row)` dates a row."""
    bars, quarantined, seen = [], [], set()
    for row in rows:
        problem = bar_problem(row) if isinstance(row, dict) else "row is not an object"
        day = day_of(row) if isinstance(row, dict) else None
        if problem is None and day is None:
            problem = "no timestamp 't' to date the bar"
        if problem is None and (row["T"], day) in seen:
            problem = "duplicate ticker for the day"
        if problem:
            quarantined.append({"date": day, "source": source, "record": json.dumps(row, sort_keys=True, default=str), "reason": problem})
            continue
        seen.add((row["T"], day))
        bars.append({"date": day} | {name: row.get(key) for key, name in BAR_FIELDS.items()} | {"split_factor": 1.0})
    return frame_of(DailyBar, bars), frame_of(QuarantinedRecord, quarantined)


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
    return bars_from_rows(results, lambda row: day, source)


def session_date(timestamp_ms: int) -> date:
    """The New York date of a Polygon aggregate's timestamp."""
    return datetime.fromtimestamp(timestamp_ms / 1000, NEW_YORK).date()


def parse_ticker_aggregates(payload: bytes | str, ticker: str, source: str) -> tuple[pl.DataFrame, pl.DataFrame, str | None]:
    """One ticker's daily bars, the quarantined rows, and the `next_url` of the next page (or None)."""
    document, results = _results(payload, source)
    rows = [dict(row, T=document.get("ticker") or ticker) if isinstance(row, dict) else row for row in results]
    bars, quarantined = bars_from_rows(rows, lambda row: session_date(row["t"]) if isinstance(row.get("t"), int) else None, source)
    return bars, quarantined, document.get("next_url")
