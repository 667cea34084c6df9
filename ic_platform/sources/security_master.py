"""The security master's history: which company (CIK) used which ticker from when to when, read
from a ticker-history file (`$IC_TICKER_HISTORY`), so that a backfill sees the companies listed
on each day, not only today's.

The file is a CSV with the columns `ticker`, `cik`, `start_date` and `end_date` (ISO dates; an
empty end date: still listed), and optionally `name`, `exchange` and `predecessor_cik`. One row
per ticker and period of use:

- a company that changed its ticker has a row per ticker (FB until 2022-06-08, META from 2022-06-09);
- a delisted company's last row ends on its last trading day (CELG, 2019-11-20);
- a ticker that passed to a new CIK within 7 days (a holding-company reorganisation or a
  re-domicile: Google's GOOGL to Alphabet in 2015, Marvell's MRVL in 2021) makes the earlier CIK a
  predecessor of the later: the later company's listing starts with the earlier's, and the
  earlier CIK's filings are its own earlier filings. `predecessor_cik` names one explicitly.

A ticker reused by an unrelated company after a longer gap keeps only its latest listing; the
earlier one is quarantined with the reason, as are rows with an unreadable CIK or date, an end
before the start, or periods of one ticker that overlap.
"""

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from ic_platform.schemas.common import quarantined_record
from ic_platform.sources.documents import SourceFormatError, load_json
from ic_platform.sources.sector_map import header_column, ticker_key

SUCCESSION_GAP = timedelta(days=7)  # a ticker passing to a new CIK within this is a succession, not a reuse
LISTING_SCHEMA = {
    "ticker": pl.String,
    "cik": pl.Int64,
    "listed_from": pl.Date,
    "listed_until": pl.Date,
    "history_name": pl.String,
    "history_exchange": pl.String,
    "predecessor_ciks": pl.String,
}


def _date(text: str | None, what: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"{what} {text!r} is not a date") from None


def _cik(text: str | None, what: str = "cik") -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if not text.isdigit() or not 0 < int(text) < 10**10:
        raise ValueError(f"{what} {text!r} is not a CIK")
    return int(text)


def read_ticker_history(path: Path) -> tuple[list[dict], list[dict]]:
    """The file's periods (ticker as EDGAR writes it, cik, start, end, name, exchange,
    predecessor_cik) and the quarantined rows with their reasons."""
    if not path.is_file():
        raise SourceFormatError(f"{path}: the ticker-history file does not exist")
    try:
        raw = pl.read_csv(path, infer_schema=False)
    except pl.exceptions.PolarsError as error:
        raise SourceFormatError(f"{path}: not a readable CSV ({str(error).splitlines()[0]})") from None
    columns = {
        name: header_column(raw.columns, (name,))
        for name in ("ticker", "cik", "start_date", "end_date", "name", "exchange", "predecessor_cik")
    }
    missing = [name for name in ("ticker", "cik", "start_date", "end_date") if columns[name] is None]
    if missing:
        raise SourceFormatError(
            f"{path}: a ticker-history file needs the columns {missing}; its header is {raw.columns}"
        )
    periods, quarantined = [], []
    for line, row in enumerate(raw.iter_rows(named=True), start=2):
        value = {name: (row[column] if column else None) for name, column in columns.items()}
        try:
            ticker = (value["ticker"] or "").strip().upper().replace(".", "-")
            cik = _cik(value["cik"])
            if not ticker or cik is None:
                raise ValueError("a row without a ticker or a CIK")
            start, end = _date(value["start_date"], "start_date"), _date(value["end_date"], "end_date")
            if start and end and end < start:
                raise ValueError(f"end_date {end} is before start_date {start}")
            periods.append(
                {
                    "ticker": ticker,
                    "cik": cik,
                    "start": start,
                    "end": end,
                    "name": (value["name"] or "").strip() or None,
                    "exchange": (value["exchange"] or "").strip() or None,
                    "predecessor_cik": _cik(value["predecessor_cik"], "predecessor_cik"),
                    "line": line,
                }
            )
        except ValueError as error:
            quarantined.append(quarantined_record(str(path), f"line {line}: {row}", str(error)))
    return periods, quarantined


def listings(periods: list[dict], source: str) -> tuple[pl.DataFrame, list[dict]]:
    """One listing per ticker (LISTING_SCHEMA): the CIK that used it last, from the first day of its
    chain of successions to the last day of use (null: still listed), with the predecessor CIKs
    (comma-separated, oldest first); and the quarantined periods (overlapping, or a ticker reused)."""
    by_ticker: dict[str, list[dict]] = {}
    for period in sorted(periods, key=lambda p: (p["ticker"], p["start"] or date.min)):
        by_ticker.setdefault(period["ticker"], []).append(period)
    rows, quarantined = [], []
    for ticker, used in by_ticker.items():
        chain = [used[0]]
        for period in used[1:]:
            before = chain[-1]
            if before["end"] is None or (period["start"] is not None and period["start"] <= before["end"]):
                reason = f"overlaps the period of line {before['line']} for {ticker}"
                quarantined.append(quarantined_record(source, f"line {period['line']}: {ticker}", reason))
                continue
            succession = period["start"] is None or period["start"] - before["end"] <= SUCCESSION_GAP
            if not succession and period["predecessor_cik"] != before["cik"]:
                reason = (
                    f"the ticker was used again from {period['start']} by CIK {period['cik']} (not scored as {ticker})"
                )
                quarantined.extend(
                    quarantined_record(source, f"line {p['line']}: {ticker} CIK {p['cik']}", reason) for p in chain
                )
                chain = [period]
                continue
            chain.append(period)
        last = chain[-1]
        predecessors = [p["cik"] for p in chain if p["cik"] != last["cik"]] + [
            p["predecessor_cik"] for p in chain if p["predecessor_cik"] is not None
        ]
        rows.append(
            {
                "ticker": ticker,
                "cik": last["cik"],
                "listed_from": chain[0]["start"],
                "listed_until": last["end"],
                "history_name": last["name"],
                "history_exchange": last["exchange"],
                "predecessor_ciks": ",".join(str(c) for c in dict.fromkeys(predecessors) if c != last["cik"]) or None,
            }
        )
    return pl.DataFrame(rows, schema=LISTING_SCHEMA), quarantined


def with_listings(tickers: pl.DataFrame, listed: pl.DataFrame, source: str) -> tuple[pl.DataFrame, list[dict]]:
    """EDGAR's ticker map (ticker, cik, name) joined with the history's listings: every ticker of
    either, with the history's CIK, dates, predecessors and exchange where it has the ticker and
    the map's name first; and a quarantined record for each ended listing whose ticker the map now gives to
    another company (the map's company keeps the ticker)."""
    keyed = tickers.with_columns(_key=ticker_key(pl.col("ticker")))
    merged = keyed.join(listed.rename({"ticker": "_key", "cik": "_history_cik"}), on="_key", how="full", coalesce=True)
    reused = (
        pl.col("cik").is_not_null() & (pl.col("cik") != pl.col("_history_cik")) & pl.col("listed_until").is_not_null()
    )
    quarantined = [
        quarantined_record(source, f"{ticker} CIK {cik}", f"the ticker map gives {ticker} to CIK {now} today")
        for ticker, cik, now in merged.filter(reused).select("_key", "_history_cik", "cik").iter_rows()
    ]
    history = ~reused & pl.col("_history_cik").is_not_null()
    return merged.select(
        ticker=pl.coalesce("ticker", "_key"),
        cik=pl.when(history).then("_history_cik").otherwise("cik"),
        name=pl.when(history & (pl.col("cik") != pl.col("_history_cik")).fill_null(True))
        .then(pl.coalesce("history_name", "name", "_key"))
        .otherwise(pl.coalesce("name", "history_name", "_key")),
        listed_from=pl.when(history).then("listed_from"),
        listed_until=pl.when(history).then("listed_until"),
        predecessor_ciks=pl.when(history).then("predecessor_ciks"),
        exchange=pl.when(history).then("history_exchange"),
    ), quarantined


HISTORY_COLUMNS = ("ticker", "cik", "start_date", "end_date", "name", "exchange")


def parse_polygon_tickers(payload: bytes | str, source: str) -> tuple[list[dict], list[dict], str | None]:
    """The periods of a Polygon reference-tickers page (`/v3/reference/tickers`, `active=false`:
    the delisted tickers, each with its CIK and `delisted_utc`), the quarantined records (a ticker
    without a CIK cannot be matched to EDGAR) and the next page's URL."""
    document = load_json(payload, source)
    results = document.get("results") if isinstance(document, dict) else None
    if not isinstance(results, list):
        raise SourceFormatError(f"{source}: no 'results' list of tickers")
    periods, quarantined = [], []
    for record in results:
        try:
            if not isinstance(record, dict) or not isinstance(record.get("ticker"), str) or not record["ticker"]:
                raise ValueError("a record without a ticker")
            cik = _cik(str(record.get("cik") or ""))
            if cik is None:
                raise ValueError("no CIK: the ticker cannot be matched to EDGAR")
            periods.append(
                {
                    "ticker": record["ticker"].upper().replace(".", "-"),
                    "cik": cik,
                    "start": None,
                    "end": _date(record.get("delisted_utc"), "delisted_utc"),
                    "name": record.get("name") if isinstance(record.get("name"), str) else None,
                    "exchange": record.get("primary_exchange")
                    if isinstance(record.get("primary_exchange"), str)
                    else None,
                }
            )
        except (TypeError, ValueError, AttributeError) as error:
            quarantined.append(quarantined_record(source, str(record)[:2000], str(error)))
    return periods, quarantined, document.get("next_url")


def history_csv(periods: list[dict]) -> str:
    """A ticker-history file (the `$IC_TICKER_HISTORY` format) holding `periods`."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(HISTORY_COLUMNS)
    for p in sorted(periods, key=lambda p: (p["ticker"], p["end"] or date.max)):
        writer.writerow([p["ticker"], p["cik"], p["start"] or "", p["end"] or "", p["name"] or "", p["exchange"] or ""])
    return text.getvalue()
