"""Analyst ratings in a Benzinga-style calendar JSON (`{"ratings": [...]}`) or a CSV with the same
fields as columns (Benzinga's export: date, time, ticker, analyst, analyst_name, action_company,
rating_current, pt_current, id, ...), from files or over HTTP.

Rating texts map to the 1-5 scale (Strong Buy 5 ... Strong Sell 1) with the usual synonyms; a
rating whose text is unknown, or a record without ticker, firm or date, is quarantined with the reason.
"""

import csv
import io
import math
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ic_platform.sources.documents import SourceFormatError, load_json
from ic_platform.sources.http import HttpClient

RATING_SCALE: dict[str, int] = {
    **dict.fromkeys(("strong buy", "top pick", "conviction buy", "buy (strong)"), 5),
    **dict.fromkeys(
        (
            "buy",
            "outperform",
            "overweight",
            "accumulate",
            "add",
            "positive",
            "market outperform",
            "sector outperform",
            "moderate buy",
            "long-term buy",
            "speculative buy",
        ),
        4,
    ),
    **dict.fromkeys(
        (
            "hold",
            "neutral",
            "market perform",
            "sector perform",
            "equal-weight",
            "equal weight",
            "peer perform",
            "in-line",
            "in line",
            "sector weight",
            "mixed",
            "perform",
            "fair value",
        ),
        3,
    ),
    **dict.fromkeys(
        (
            "underweight",
            "underperform",
            "reduce",
            "moderate sell",
            "market underperform",
            "sector underperform",
            "negative",
            "cautious",
        ),
        2,
    ),
    **dict.fromkeys(("sell", "strong sell"), 1),
}
NEW_YORK = ZoneInfo("America/New_York")


def rating_score(text: str | None) -> int | None:
    """The 1-5 score of a rating text, None when it is not a known rating."""
    return RATING_SCALE.get(" ".join((text or "").lower().replace("_", " ").split()))


def _number(text) -> float | None:
    if text in (None, ""):
        return None
    value = float(str(text).replace(",", "").replace("$", ""))
    if not math.isfinite(value):
        raise ValueError(f"price target {text!r} is not a finite number")
    return value if value > 0 else None


RATINGS_ARCHIVE_FILES = ("*.json", "*.json.gz", "*.csv", "*.csv.gz")


def _csv_records(payload: bytes | str, source: str) -> list[dict]:
    try:
        text = payload.decode("utf-8-sig") if isinstance(payload, bytes) else payload
        return list(csv.DictReader(io.StringIO(text, newline="")))
    except (UnicodeDecodeError, csv.Error) as error:
        raise SourceFormatError(f"{source}: not a readable UTF-8 CSV ({error})") from None


def parse_ratings(payload: bytes | str, source: str) -> tuple[list[dict], list[dict]]:
    """Rating rows (publication time in UTC, from the calendar's New York date and time) and
    quarantined records, from a calendar JSON response or (a source named `.csv`) a CSV."""
    if source.removesuffix(".gz").endswith(".csv"):
        records: list = _csv_records(payload, source)
    else:
        document = load_json(payload, source)
        if not isinstance(document, dict) or not isinstance(document.get("ratings", []), list):
            raise SourceFormatError(f"{source}: expected an object with a 'ratings' list")
        records = document.get("ratings", [])
    rows, quarantined = [], []
    for record in records:
        try:
            if not isinstance(record, dict):
                raise TypeError(f"a rating is not an object but {type(record).__name__}")
            score = rating_score(record.get("rating_current"))
            if score is None:
                raise ValueError(f"unknown rating {record.get('rating_current')!r}")
            if not record.get("ticker") or not record.get("analyst"):
                raise ValueError("rating without a ticker or a firm")
            local = datetime.combine(
                date.fromisoformat(record["date"]),
                datetime.strptime(record.get("time") or "00:00:00", "%H:%M:%S").time(),
                NEW_YORK,
            )
            rows.append(
                {
                    "rating_id": str(record.get("id") or f"{record['ticker']}-{record['date']}-{record['analyst']}"),
                    "ticker": str(record["ticker"]).upper(),
                    "firm": str(record["analyst"]),
                    "analyst": record.get("analyst_name") or None,
                    "action": record.get("action_company") or None,
                    "rating": record["rating_current"],
                    "rating_score": float(score),
                    "price_target": _number(record.get("pt_current")),
                    "published_utc": local.astimezone(ZoneInfo("UTC")),
                }
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            quarantined.append({"date": None, "source": source, "record": str(record)[:2000], "reason": str(error)})
    return rows, quarantined


class RatingsClient:
    """A Benzinga-compatible calendar API: `GET /api/v2.1/calendar/ratings`, one page per request."""

    def __init__(self, http: HttpClient, token: str, page_size: int = 1000):
        if not token:
            raise ValueError("the ratings API token is missing: set RATINGS_API_TOKEN")
        self.http, self.token, self.page_size = http, token, page_size

    def documents(self, start: date | None, end: date) -> list[tuple[str, bytes]]:
        if start is None:
            raise ValueError("a live read needs a first day: the API has no whole history to list")
        pages, page = [], 0
        while True:
            params = {
                "token": self.token,
                "parameters[date_from]": start.isoformat(),
                "parameters[date_to]": end.isoformat(),
                "page": page,
                "pagesize": self.page_size,
            }
            source = f"ratings page {page}"
            document, body = self.http.get(
                "/api/v2.1/calendar/ratings",
                params=params,
                max_age=3600,
                decode=lambda body, source=source: (load_json(body, source), body),
            )
            pages.append((source, body))
            ratings = document.get("ratings", []) if isinstance(document, dict) else []
            if not isinstance(ratings, list) or len(ratings) < self.page_size:
                return pages
            page += 1
