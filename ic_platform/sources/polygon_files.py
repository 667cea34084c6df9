"""Parser for Polygon's grouped-daily bars (`/v2/aggs/grouped/locale/us/market/stocks/{date}`)."""

import json
from datetime import date

import polars as pl

from ic_platform.schemas.common import QuarantinedRecord, frame_of
from ic_platform.schemas.market import DailyBar
from ic_platform.sources.documents import SourceFormatError, load_json

BAR_FIELDS = {"T": "ticker", "o": "open", "h": "high", "l": "low", "c": "close", "v": "volume", "vw": "vwap", "n": "transactions"}
REQUIRED = ("T", "o", "h", "l", "c", "v")


def _problem(row: dict) -> str | None:
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


def parse_grouped_daily(payload: bytes | str, day: date, source: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Bars of one day and the quarantined rows (with reasons): bad values and repeated tickers."""
    document = load_json(payload, source)
    if not isinstance(document, dict) or document.get("status") not in ("OK", "DELAYED"):
        raise SourceFormatError(f"{source}: not a successful grouped-daily response")
    results = document.get("results") or []
    if not isinstance(results, list):
        raise SourceFormatError(f"{source}: 'results' is not a list")
    bars, quarantined, seen = [], [], set()
    for row in results:
        problem = _problem(row) if isinstance(row, dict) else "row is not an object"
        if problem is None and row["T"] in seen:
            problem = "duplicate ticker for the day"
        if problem:
            quarantined.append({"date": day, "source": source, "record": json.dumps(row, sort_keys=True), "reason": problem})
            continue
        seen.add(row["T"])
        bars.append({"date": day} | {name: row.get(key) for key, name in BAR_FIELDS.items()})
    return frame_of(DailyBar, bars), frame_of(QuarantinedRecord, quarantined)
