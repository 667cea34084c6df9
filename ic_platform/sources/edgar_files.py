"""Parsers for EDGAR's `company_tickers.json`, `submissions/CIK##########.json` documents and daily
form indexes (`daily-index/form.YYYYMMDD.idx`)."""

import re
from datetime import date, datetime

import polars as pl

from ic_platform.sources.documents import SourceFormatError, load_json
from ic_platform.sources.sic_gics import gics_sector_for_sic

FUNDAMENTAL_FORMS = ("10-K", "10-Q", "10-K/A", "10-Q/A")  # the filings whose facts change a company's fundamentals


def parse_company_tickers(payload: bytes | str, source: str = "company_tickers.json") -> pl.DataFrame:
    """EDGAR's ticker map (`{"0": {"cik_str", "ticker", "title"}, ...}`) as ticker, cik, name."""
    document = load_json(payload, source)
    if not isinstance(document, dict):
        raise SourceFormatError(f"{source}: expected an object of numbered entries, got {type(document).__name__}")
    rows = []
    for key, entry in document.items():
        try:
            cik = int(entry["cik_str"])
            if not 0 < cik < 10**10:
                raise ValueError(f"cik_str {cik} is not a CIK")
            rows.append({"ticker": str(entry["ticker"]).upper(), "cik": cik, "name": str(entry["title"])})
        except (KeyError, TypeError, ValueError, OverflowError) as error:
            raise SourceFormatError(f"{source}: entry {key!r} lacks ticker, cik_str or title ({error})") from error
    return pl.DataFrame(rows, schema={"ticker": pl.String, "cik": pl.Int64, "name": pl.String})


def parse_submissions_profile(payload: bytes | str | dict, source: str) -> dict:
    """The company profile of a submissions document: cik, SIC, its description, GICS sector, exchange,
    FYE and former names."""
    document = payload if isinstance(payload, dict) else load_json(payload, source)
    if not isinstance(document, dict) or "cik" not in document:
        raise SourceFormatError(f"{source}: not a submissions document (no 'cik')")
    cik_text = str(document["cik"]).strip()
    if not (cik_text.isascii() and cik_text.isdigit() and 0 < len(cik_text) <= 10 and int(cik_text)):
        raise SourceFormatError(f"{source}: cik {document['cik']!r} is not a CIK")
    sic_text = str(document.get("sic") or "").strip()
    sic = int(sic_text) if sic_text.isascii() and sic_text.isdigit() and 100 <= int(sic_text) <= 9999 else None
    exchanges = document.get("exchanges")
    exchanges = [e for e in exchanges if isinstance(e, str) and e] if isinstance(exchanges, list) else []
    fiscal_year_end = _text(document.get("fiscalYearEnd"))
    former = document.get("formerNames")
    former_names = (
        [f["name"] for f in former if isinstance(f, dict) and _text(f.get("name"))] if isinstance(former, list) else []
    )
    return {
        "cik": int(cik_text),
        "sic": sic,
        "sic_description": _text(document.get("sicDescription")),
        "gics_sector": gics_sector_for_sic(sic, int(cik_text)),
        "exchange": exchanges[0] if exchanges else None,
        "fiscal_year_end": fiscal_year_end if fiscal_year_end and re.fullmatch(r"\d{4}", fiscal_year_end) else None,
        "former_names": "; ".join(former_names) or None,
    }


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None


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


# the daily form index: a few header lines, the column titles, a line of dashes, then one fixed-width
# line per filing and filer (a Form 4 is listed under its issuer and each reporting owner)
FORM_INDEX_COLUMNS = (("Form Type", 12), ("Company Name", 62), ("CIK", 12), ("Date Filed", 12), ("File Name", 0))
# the daily index writes the date 20240102, the quarterly full index 2024-01-02
FORM_INDEX_LINE = re.compile(
    r"(?P<cik>\d{1,10})\s+(?P<filed>\d{8}|\d{4}-\d{2}-\d{2})\s+(?P<file>edgar/data/\S+\.txt)\s*$"
)


def parse_form_index(text: str, source: str) -> list[dict]:
    """The filings of a form index, daily (`daily-index/.../form.YYYYMMDD.idx`) or quarterly
    (`full-index/YYYY/QTRn/form.idx`): form, name, cik, filed, accession (from the file name). A
    line that is not a filing is a clear error, naming the line."""
    lines = text.splitlines()
    titles = next((n for n, line in enumerate(lines) if line.startswith("Form Type")), None)
    if (
        titles is None
        or "Company Name" not in lines[titles]
        or titles + 1 >= len(lines)
        or not set(lines[titles + 1].strip()) <= {"-"}
    ):
        raise SourceFormatError(f"{source}: not an EDGAR form index (no 'Form Type' column titles and dashes)")
    name_at = lines[titles].index("Company Name")
    filings = []
    for number, line in enumerate(lines[titles + 2 :], start=titles + 3):
        if not line.strip():
            continue
        tail = FORM_INDEX_LINE.search(line)
        form = line[:name_at].strip()
        if tail is None or not form:
            raise SourceFormatError(f"{source}: line {number} is not a filing: {line.strip()[:120]!r}")
        filings.append(
            {
                "form": form,
                "name": line[name_at : tail.start()].strip(),
                "cik": int(tail["cik"]),
                "filed": datetime.strptime(tail["filed"].replace("-", ""), "%Y%m%d").date(),
                "accession": tail["file"].rsplit("/", 1)[1].removesuffix(".txt"),
            }
        )
    return filings


def form_index_text(day: date, filings: list[dict]) -> str:
    """A daily form index of `filings` (form, name, cik, accession), as EDGAR writes one."""
    header = [
        "Description:           Daily Index of EDGAR Dissemination Feed by Form Type",
        f"Last Data Received:    {day:%B %d, %Y}",
        "Comments:              webmaster@sec.gov",
        "Anonymous FTP:         ftp://ftp.sec.gov/edgar/",
        " ",
        " ",
        " ",
        "".join(title.ljust(width) for title, width in FORM_INDEX_COLUMNS),
        "-" * 141,
    ]
    rows = [
        f"{f['form']:<12}{f['name'][:60]:<62}{f['cik']:<12}{day:%Y%m%d}    edgar/data/{f['cik']}/{f['accession']}.txt"
        for f in sorted(filings, key=lambda f: (f["form"], f["name"], f["cik"], f["accession"]))
    ]
    return "\n".join(header + rows) + "\n"
