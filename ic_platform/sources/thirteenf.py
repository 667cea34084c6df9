"""Form 13F: cover pages, information tables (XML and the SEC's quarterly data-set TSVs), value units.

13F values were reported in thousands of dollars until the SEC's switch to whole dollars for
filings from 2023-01-03, but some filers kept thousands after it (and late filings for old
periods use dollars). `value_multiplier` decides per filing: against reference prices (value /
(shares x close) near 1 or near 1/1000) when enough holdings have one, otherwise from the filing
date, overruled when nearly every holding's implied price per share says otherwise.
"""

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from statistics import median
from typing import Any

import polars as pl

from ic_platform.sources.archives import TableFiles, first_of_each
from ic_platform.sources.documents import SourceFormatError, parse_xml
from ic_platform.sources.edgar_submission import is_full_submission, parse_submission

DOLLAR_VALUES_FROM = date(2023, 1, 3)
THIRTEENF_FORMS = ("13F-HR", "13F-HR/A")
MIN_REFERENCES = 3
OVERRULE_SHARE = 0.9  # share of holdings whose implied price contradicts the date rule
HOLDING_SCHEMA = pl.Schema(
    {
        "cusip": pl.String,
        "issuer_name": pl.String,
        "title_of_class": pl.String,
        "reported_value": pl.Float64,
        "shares": pl.Float64,
        "shares_type": pl.String,
        "put_call": pl.String,
        "investment_discretion": pl.String,
    }
)


@dataclass(frozen=True)
class CoverPage:
    """What a 13F-HR primary document says about the filing."""

    manager_cik: int
    manager_name: str
    period: date
    form: str
    is_amendment: bool
    amendment_type: str | None
    table_entry_total: int | None
    table_value_total: float | None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml_root(text: str, source: str) -> ET.Element:
    return parse_xml(text, source, "13F XML")


def _find_text(root: ET.Element, name: str) -> str | None:
    for element in root.iter():
        if _local(element.tag) == name:
            return (element.text or "").strip() or None
    return None


def _children(element: ET.Element) -> dict[str, ET.Element]:
    return {_local(child.tag): child for child in element}


def parse_cover_page(text: str, source: str) -> CoverPage:
    """The cover page (`edgarSubmission` primary document) of a 13F-HR or 13F-HR/A."""
    root = _xml_root(text, source)
    period_text, cik = (
        _find_text(root, "periodOfReport") or _find_text(root, "reportCalendarOrQuarter"),
        _find_text(root, "cik"),
    )
    if period_text is None or cik is None:
        raise SourceFormatError(f"{source}: 13F cover page without a period of report or filer CIK")
    entries, total = _find_text(root, "tableEntryTotal"), _find_text(root, "tableValueTotal")
    form = _find_text(root, "submissionType") or "13F-HR"
    try:
        manager_cik = int(cik)
        if not 0 < manager_cik < 10**10:
            raise ValueError(f"{cik} is not a CIK")
        return CoverPage(
            manager_cik=manager_cik,
            manager_name=_find_text(root, "name") or "",
            period=datetime.strptime(period_text, "%m-%d-%Y").date(),
            form=form,
            is_amendment=(_find_text(root, "isAmendment") or "false").lower() in ("true", "1", "y")
            or form.endswith("/A"),
            amendment_type=_find_text(root, "amendmentType"),
            table_entry_total=int(entries) if entries else None,
            table_value_total=float(total) if total else None,
        )
    except ValueError as error:
        raise SourceFormatError(f"{source}: unreadable 13F cover page field ({error})") from error


def parse_information_table(text: str, source: str) -> tuple[pl.DataFrame, list[dict]]:
    """Holdings of an information table (values as reported) and quarantined rows with a reason."""
    root = _xml_root(text, source)
    if _local(root.tag) != "informationTable":
        raise SourceFormatError(f"{source}: expected an informationTable, found <{_local(root.tag)}>")
    rows, quarantined = [], []
    for entry in root:
        fields = _children(entry)
        amounts = _children(fields["shrsOrPrnAmt"]) if "shrsOrPrnAmt" in fields else {}

        def text_of(name: str, parent: dict = fields) -> str | None:
            element = parent.get(name)
            return (element.text or "").strip() or None if element is not None else None

        try:
            cusip, value, shares = text_of("cusip"), text_of("value"), text_of("sshPrnamt", amounts)
            if not cusip or value is None or shares is None:
                raise ValueError("holding without a CUSIP, a value or an amount")
            row: dict[str, Any] = {
                "cusip": cusip.upper(),
                "issuer_name": text_of("nameOfIssuer") or "",
                "title_of_class": text_of("titleOfClass") or "",
                "reported_value": float(value.replace(",", "")),
                "shares": float(shares.replace(",", "")),
                "shares_type": text_of("sshPrnamtType", amounts) or "SH",
                "put_call": text_of("putCall"),
                "investment_discretion": text_of("investmentDiscretion"),
            }
            if not (math.isfinite(row["reported_value"]) and math.isfinite(row["shares"])):
                raise ValueError("a value or an amount is not a finite number")
            if row["reported_value"] < 0 or row["shares"] < 0:
                raise ValueError("negative value or amount")
        except ValueError as error:
            quarantined.append(
                {"date": None, "source": source, "record": ET.tostring(entry, "unicode")[:2000], "reason": str(error)}
            )
            continue
        rows.append(row)
    return pl.DataFrame(rows, schema=HOLDING_SCHEMA), quarantined


def value_multiplier(
    filed: date, holdings: pl.DataFrame, reference_prices: dict[str, float] | None = None
) -> tuple[int, str]:
    """1 when the filing's values are dollars, 1000 when thousands, with the reason."""
    shares_rows = holdings.filter(
        (pl.col("shares_type") == "SH") & (pl.col("shares") > 0) & pl.col("put_call").is_null()
    )
    implied = (shares_rows.get_column("reported_value") / shares_rows.get_column("shares")).to_list()
    cusips = shares_rows.get_column("cusip").to_list()
    ratios = [
        price / reference_prices[c] for c, price in zip(cusips, implied) if reference_prices and reference_prices.get(c)
    ]
    if len(ratios) >= MIN_REFERENCES:
        ratio = median(ratios)
        thousands = ratio > 0 and abs(ratio * 1000 - 1) < abs(ratio - 1)
        return (1000 if thousands else 1), f"value/(shares x close) median {ratio:.4g} over {len(ratios)} holdings"
    if filed >= DOLLAR_VALUES_FROM:
        if implied and sum(p < 1 for p in implied) >= OVERRULE_SHARE * len(implied):
            return (
                1000,
                f"filed after the switch to dollars, but {sum(p < 1 for p in implied)} of "
                f"{len(implied)} implied prices are below $1: thousands",
            )
        return 1, "filed on or after 2023-01-03: dollars"
    if implied and sum(p >= 10 for p in implied) >= OVERRULE_SHARE * len(implied):
        return (
            1,
            f"filed before the switch, but {sum(p >= 10 for p in implied)} of {len(implied)} "
            "implied prices exceed $10,000 in thousands: dollars",
        )
    return 1000, "filed before 2023-01-03: thousands"


def with_value_units(
    filings: pl.DataFrame, holdings: pl.DataFrame, closes: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Each filing's value unit decided from its holdings (`value_multiplier`, `value_unit_reason`,
    and its count of `holdings`), and the holdings with `value_usd`. `closes` holds the reference
    closes (accession, cusip, close) of the mapped holdings on their period's end."""
    references = closes.partition_by("accession", as_dict=True)
    rows_of = holdings.partition_by("accession", as_dict=True)
    empty = holdings.clear()
    units = []
    for filing in filings.iter_rows(named=True):
        key = (filing["accession"],)
        rows = rows_of.get(key, empty)
        prices = dict(references[key].select("cusip", "close").iter_rows()) if key in references else {}
        multiplier, reason = value_multiplier(filing["filed"], rows, prices)
        units.append(
            {"accession": key[0], "value_multiplier": multiplier, "value_unit_reason": reason, "holdings": rows.height}
        )
    schema = {
        "accession": pl.String,
        "value_multiplier": pl.Int64,
        "value_unit_reason": pl.String,
        "holdings": pl.Int64,
    }
    filings = filings.join(pl.DataFrame(units, schema=schema), on="accession")
    holdings = holdings.join(filings.select("accession", "value_multiplier"), on="accession").with_columns(
        value_usd=pl.col("reported_value") * pl.col("value_multiplier")
    )
    return filings, holdings


@dataclass(frozen=True)
class ThirteenFFiling:
    accession: str
    filed: date
    accepted: datetime | None
    cover: CoverPage
    holdings: pl.DataFrame
    quarantined: list[dict]


def parse_thirteenf_submission(text: str, source: str) -> ThirteenFFiling:
    """A full 13F-HR submission: its header, cover page and information table."""
    if not is_full_submission(text):
        raise SourceFormatError(
            f"{source}: not an EDGAR full submission; pass the cover page and the information table separately"
        )
    submission = parse_submission(text, source)
    cover_xml, table_xml = submission.xml_of(*THIRTEENF_FORMS), submission.xml_of("INFORMATION TABLE")
    if cover_xml is None:
        raise SourceFormatError(f"{source}: no 13F-HR cover page in the submission")
    cover = parse_cover_page(cover_xml, source)
    holdings, quarantined = (
        parse_information_table(table_xml, source) if table_xml else (pl.DataFrame(schema=HOLDING_SCHEMA), [])
    )
    read = holdings.height + len(quarantined)
    if cover.table_entry_total and read < cover.table_entry_total:  # a cut-off table must not replace a report
        raise SourceFormatError(
            f"{source}: the cover page lists {cover.table_entry_total} holdings, the information table "
            f"holds {read}: the filing is incomplete"
        )
    return ThirteenFFiling(submission.accession, submission.filed, submission.accepted, cover, holdings, quarantined)


SUBMISSION_COLUMNS = ("ACCESSION_NUMBER", "CIK", "SUBMISSIONTYPE", "FILING_DATE", "PERIODOFREPORT")
COVERPAGE_COLUMNS = ("ACCESSION_NUMBER", "FILINGMANAGER_NAME", "ISAMENDMENT")
INFOTABLE_COLUMNS = (
    "ACCESSION_NUMBER",
    "NAMEOFISSUER",
    "TITLEOFCLASS",
    "CUSIP",
    "VALUE",
    "SSHPRNAMT",
    "SSHPRNAMTTYPE",
    "PUTCALL",
    "INVESTMENTDISCRETION",
)


def parse_thirteenf_dataset(location: Path) -> tuple[pl.DataFrame, pl.DataFrame, list[dict]]:
    """The SEC's quarterly Form 13F data set (SUBMISSION, COVERPAGE and INFOTABLE .tsv files, in
    the zip as published or unpacked in a folder), read line by line: the filings (accession,
    manager, period, filed, form), their holdings (values as reported) and the quarantined rows:
    a line with more or fewer fields than its header, a filing whose CIK or dates cannot be read
    (with its holdings), a holding whose value or amount is not a finite number. Every cell is read
    as text, so a bad one costs its row, not the file; a table missing or lacking a column is a
    SourceFormatError naming it."""
    tables, quarantined = TableFiles(location), list[dict]()
    submissions = tables.frame("SUBMISSION.tsv", SUBMISSION_COLUMNS, quarantined)
    covers = tables.frame("COVERPAGE.tsv", COVERPAGE_COLUMNS, quarantined)
    table = tables.frame("INFOTABLE.tsv", INFOTABLE_COLUMNS, quarantined)
    submissions, covers = (
        first_of_each(frame, "ACCESSION_NUMBER", f"{location}: {name}", quarantined)
        for frame, name in ((submissions, "SUBMISSION.tsv"), (covers, "COVERPAGE.tsv"))
    )
    filings = submissions.join(
        covers.select("ACCESSION_NUMBER", "FILINGMANAGER_NAME", "ISAMENDMENT"), on="ACCESSION_NUMBER", how="left"
    ).select(
        accession=pl.col("ACCESSION_NUMBER"),
        manager_cik=pl.col("CIK").str.strip_chars().cast(pl.Int64, strict=False),
        manager_name=pl.col("FILINGMANAGER_NAME").fill_null(""),
        form=pl.col("SUBMISSIONTYPE"),
        filed=pl.col("FILING_DATE").str.to_date("%d-%b-%Y", strict=False),
        period=pl.col("PERIODOFREPORT").str.to_date("%d-%b-%Y", strict=False),
        is_amendment=pl.col("ISAMENDMENT").fill_null("N") == "Y",
    )
    unreadable = filings.filter(
        pl.col("filed").is_null() | pl.col("period").is_null() | ~pl.col("manager_cik").is_between(1, 10**10 - 1)
    )
    reason = "unreadable CIK, FILING_DATE or PERIODOFREPORT (its holdings are left out too)"
    quarantined += [
        {"date": None, "source": f"{location}: SUBMISSION.tsv", "record": str(row)[:2000], "reason": reason}
        for row in unreadable.iter_rows(named=True)
    ]
    filings = filings.join(unreadable.select("accession"), on="accession", how="anti")
    holdings = table.select(
        accession=pl.col("ACCESSION_NUMBER"),
        cusip=pl.col("CUSIP").str.to_uppercase(),
        issuer_name=pl.col("NAMEOFISSUER"),
        title_of_class=pl.col("TITLEOFCLASS"),
        reported_value=pl.col("VALUE").str.replace_all(",", "").cast(pl.Float64, strict=False),
        shares=pl.col("SSHPRNAMT").str.replace_all(",", "").cast(pl.Float64, strict=False),
        shares_type=pl.col("SSHPRNAMTTYPE"),
        put_call=pl.col("PUTCALL"),
        investment_discretion=pl.col("INVESTMENTDISCRETION"),
    ).join(unreadable.select("accession"), on="accession", how="anti")
    bad = ~(pl.col("reported_value").is_finite() & pl.col("shares").is_finite()).fill_null(False)
    quarantined += [
        {
            "date": None,
            "source": f"{location}: INFOTABLE.tsv",
            "record": str(row)[:2000],
            "reason": "VALUE or SSHPRNAMT is not a finite number",
        }
        for row in holdings.filter(bad).iter_rows(named=True)
    ]
    return filings, holdings.filter(~bad), quarantined
