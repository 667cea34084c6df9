"""The universe a user names: a text file of tickers (one a line, `#` starts a comment) or a CSV
with a `ticker` or `symbol` column and/or a `cik` column, such as the S&P 500 constituents list.

A member is matched to EDGAR's ticker map by its CIK where the file gives one (every ticker of the
company), else by ticker, with `.` and `-` alike (BRK.B is BRK-B). Members the map lacks are
returned as quarantined records with the reason, never dropped silently. When SEC is off, the file
alone names the companies (`universe_companies`): each member then needs a ticker and a CIK.
"""

import io
from pathlib import Path

import polars as pl

from ic_platform.schemas.common import quarantined_record
from ic_platform.sources.documents import SourceFormatError
from ic_platform.sources.sector_map import TICKER_COLUMNS, header_column, ticker_key

UNIVERSE_SCHEMA = {"ticker": pl.String, "cik": pl.Int64, "name": pl.String, "line": pl.Int64}
NAME_COLUMNS = ("name", "security", "company")


def read_universe(path: Path) -> pl.DataFrame:
    """The members of the universe file: ticker (as the ticker map is matched), cik, name (where the
    file has a name or security column), line."""
    if not path.is_file():
        raise SourceFormatError(f"{path}: the universe file does not exist")
    if path.suffix.lower() != ".csv":
        lines = [(n, line.split("#", 1)[0].strip()) for n, line in enumerate(_text(path).splitlines(), start=1)]
        rows = [{"ticker": text, "cik": None, "name": None, "line": n} for n, text in lines if text]
    else:
        try:
            raw = pl.read_csv(io.StringIO(_text(path)), infer_schema=False)
        except pl.exceptions.PolarsError as error:
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise SourceFormatError(f"{path}: not a readable CSV ({first_line})") from None
        ticker, cik = header_column(raw.columns, TICKER_COLUMNS), header_column(raw.columns, ("cik",))
        name = header_column(raw.columns, NAME_COLUMNS)
        if ticker is None and cik is None:
            raise SourceFormatError(
                f"{path}: a universe CSV needs a ticker, symbol or cik column; its header is {raw.columns}"
            )
        rows = []
        for n, row in enumerate(raw.iter_rows(named=True), start=2):
            cik_text = (row[cik] or "").strip() if cik else ""
            if cik_text and not cik_text.isdigit():
                raise SourceFormatError(f"{path}: line {n}: cik {cik_text!r} is not a number")
            rows.append(
                {
                    "ticker": (row[ticker] or "").strip() if ticker else None,
                    "cik": int(cik_text) if cik_text else None,
                    "name": (row[name] or "").strip() or None if name else None,
                    "line": n,
                }
            )
    members = pl.DataFrame(rows, schema=UNIVERSE_SCHEMA).with_columns(ticker=ticker_key(pl.col("ticker")))
    if members.is_empty():
        raise SourceFormatError(f"{path}: the universe file names no company")
    return members


def _text(path: Path) -> str:
    """The file's text, a one-line error when it is not UTF-8 (a spreadsheet saved as .xlsx)."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceFormatError(f"{path}: not a UTF-8 text file (byte {error.start})") from None


def select_universe(tickers: pl.DataFrame, members: pl.DataFrame, source: str) -> tuple[pl.DataFrame, list[dict]]:
    """The rows of the ticker map (ticker, cik, name) in the universe, and a quarantined record for
    each member the map lacks."""
    by_cik = members.filter(pl.col("cik").is_not_null())
    by_ticker = members.filter(pl.col("cik").is_null() & pl.col("ticker").is_not_null() & (pl.col("ticker") != ""))
    keys = tickers.with_columns(_key=ticker_key(pl.col("ticker")))
    kept = keys.filter(
        pl.col("cik").is_in(by_cik["cik"].implode()) | pl.col("_key").is_in(by_ticker["ticker"].implode())
    )
    missing = [
        quarantined_record(source, f"line {line}: cik {cik}", "the CIK is not in EDGAR's ticker map")
        for cik, line in by_cik.filter(~pl.col("cik").is_in(keys["cik"].implode())).select("cik", "line").iter_rows()
    ] + [
        quarantined_record(source, f"line {line}: {ticker}", "the ticker is not in EDGAR's ticker map")
        for ticker, line in by_ticker.filter(~pl.col("ticker").is_in(keys["_key"].implode()))
        .select("ticker", "line")
        .iter_rows()
    ]
    return kept.drop("_key"), missing


def universe_companies(members: pl.DataFrame, source: str) -> tuple[pl.DataFrame, list[dict]]:
    """The members as companies (ticker as EDGAR writes it, cik, name: the ticker where the file
    has none) when no ticker map is read (SEC off), and a quarantined record for each member
    without a ticker or a CIK, or repeating a ticker."""
    usable = pl.col("cik").is_not_null() & pl.col("ticker").is_not_null() & (pl.col("ticker") != "")
    quarantined = [
        quarantined_record(source, f"line {line}", "SEC is off: a member needs a ticker and a CIK")
        for (line,) in members.filter(~usable).select("line").iter_rows()
    ]
    companies = members.filter(usable)
    repeated = companies.filter(pl.col("ticker").is_duplicated() & ~pl.col("ticker").is_first_distinct())
    quarantined += [
        quarantined_record(source, f"line {line}: {ticker}", "the ticker is named on an earlier line")
        for ticker, line in repeated.select("ticker", "line").iter_rows()
    ]
    companies = companies.unique("ticker", keep="first", maintain_order=True)
    return companies.select("ticker", "cik", name=pl.coalesce("name", "ticker")), quarantined
