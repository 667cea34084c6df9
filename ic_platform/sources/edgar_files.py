"""Parsers for EDGAR's `company_tickers.json` and `submissions/CIK##########.json` documents."""

from datetime import date, datetime

import polars as pl

from ic_platform.sources.documents import SourceFormatError, load_json
from ic_platform.sources.sic_gics import gics_sector_for_sic


def parse_company_tickers(payload: bytes | str, source: str = "company_tickers.json") -> pl.DataFrame:
    """EDGAR's ticker map (`{"0": {"cik_str", "ticker", "title"}, ...}`) as ticker, cik, name."""
    document = load_json(payload, source)
    if not isinstance(document, dict):
        raise SourceFormatError(f"{source}: expected an object of numbered entries, got {type(document).__name__}")
    rows = []
    for key, entry in document.items():
        try:
            rows.append(
                {"ticker": str(entry["ticker"]).upper(), "cik": int(entry["cik_str"]), "name": str(entry["title"])}
            )
        except (KeyError, TypeError, ValueError) as error:
            raise SourceFormatError(f"{source}: entry {key!r} lacks ticker, cik_str or title ({error})") from error
    return pl.DataFrame(rows, schema={"ticker": pl.String, "cik": pl.Int64, "name": pl.String})


def parse_submissions_profile(payload: bytes | str | dict, source: str) -> dict:
    """The company profile of a submissions document: cik, SIC, its description, GICS sector, exchange, FYE."""
    document = payload if isinstance(payload, dict) else load_json(payload, source)
    if not isinstance(document, dict) or "cik" not in document:
        raise SourceFormatError(f"{source}: not a submissions document (no 'cik')")
    sic_text = str(document.get("sic") or "").strip()
    sic = int(sic_text) if sic_text.isdigit() else None
    exchanges = [e for e in document.get("exchanges") or [] if e]
    return {
        "cik": int(document["cik"]),
        "sic": sic,
        "sic_description": document.get("sicDescription") or None,
        "gics_sector": gics_sector_for_sic(sic, int(document["cik"])),
        "exchange": exchanges[0] if exchanges else None,
        "fiscal_year_end": document.get("fiscalYearEnd") or None,
    }


def filings_of(document: dict, forms: tuple[str, ...]) -> list[dict]:
    """The filings of the given forms in a submissions document: accession, form, filed, accepted
    (naive, as EDGAR writes it)."""
    recent = document.get("filings", {}).get("recent", {})
    rows = zip(
        recent.get("accessionNumber", []),
        recent.get("form", []),
        recent.get("filingDate", []),
        recent.get("acceptanceDateTime", []) or [],
    )
    found = []
    for accession, form, filed, accepted in rows:
        if form in forms:
            accepted_at = datetime.fromisoformat(accepted.replace("Z", "")[:19]) if accepted else None
            found.append(
                {"accession": accession, "form": form, "filed": date.fromisoformat(filed), "accepted": accepted_at}
            )
    return found
