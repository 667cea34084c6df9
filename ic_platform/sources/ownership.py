"""SEC ownership documents (Forms 3, 4, 5 and amendments) to insider transactions, and the SEC's
quarterly insider-transaction data sets (the same transactions as tab-separated tables).

A document is the `ownershipDocument` XML, alone or inside a full EDGAR submission. Each
non-derivative and derivative transaction becomes one row per reporting owner (joint filings have
several owners; `transaction_index` and `owner_count` tell the copies apart). Flags may be written
"1"/"0" or "true"/"false"; a price may be absent (grants, conversions) and stays null. Transactions
that cannot be read are returned as quarantined records with a reason.
"""

import math
import xml.etree.ElementTree as ET
from datetime import date, datetime
from pathlib import Path

import polars as pl

from ic_platform.sources.archives import TableFiles, first_of_each
from ic_platform.sources.documents import SourceFormatError, parse_xml
from ic_platform.sources.edgar_submission import is_full_submission, parse_submission

OWNERSHIP_FORMS = ("3", "3/A", "4", "4/A", "5", "5/A")
TRANSACTION_TABLES = (
    ("nonDerivativeTable", "nonDerivativeTransaction", False),
    ("derivativeTable", "derivativeTransaction", True),
)


def _text(element: ET.Element | None, path: str) -> str | None:
    """Text at `path`, or at `path/value` (the ownership schema wraps most values); None when blank."""
    if element is None:
        return None
    found = element.find(path)
    if found is None:
        return None
    value = found.find("value")
    text = (value.text if value is not None else found.text) or ""
    return text.strip() or None


def _flag(element: ET.Element, path: str) -> bool:
    return (_text(element, path) or "0").lower() in ("1", "true")


def _number(element: ET.Element, path: str) -> float | None:
    text = _text(element, path)
    if text is None:
        return None
    value = float(text.replace(",", ""))
    if not math.isfinite(value):
        raise ValueError(f"{path}: {text!r} is not a finite number")
    return value


def _owner_cik(owner: ET.Element, source: str) -> int:
    text = _text(owner, "reportingOwnerId/rptOwnerCik") or "0"
    if not (text.isascii() and text.isdigit() and len(text) <= 10):
        raise SourceFormatError(f"{source}: reporting owner CIK {text!r} is not a CIK")
    return int(text)


def _owners(root: ET.Element, source: str) -> list[dict]:
    owners = []
    for owner in root.findall("reportingOwner"):
        relationship = owner.find("reportingOwnerRelationship")
        owners.append(
            {
                "owner_cik": _owner_cik(owner, source),
                "owner_name": _text(owner, "reportingOwnerId/rptOwnerName") or "",
                "is_director": _flag(relationship, "isDirector") if relationship is not None else False,
                "is_officer": _flag(relationship, "isOfficer") if relationship is not None else False,
                "is_ten_percent_owner": _flag(relationship, "isTenPercentOwner") if relationship is not None else False,
                "officer_title": _text(relationship, "officerTitle"),
            }
        )
    return owners


def _transaction(node: ET.Element, derivative: bool) -> dict:
    day = _text(node, "transactionDate")
    code = _text(node, "transactionCoding/transactionCode")
    shares = _number(node, "transactionAmounts/transactionShares")
    if day is None or code is None or shares is None:
        raise ValueError("transaction without a date, a code or a share count")
    if shares < 0:
        raise ValueError(f"negative share count {shares}")
    return {
        "is_derivative": derivative,
        "security": _text(node, "securityTitle") or "",
        "transaction_date": date.fromisoformat(day[:10]),
        "code": code,
        "shares": shares,
        "price": _number(node, "transactionAmounts/transactionPricePerShare"),
        "acquired_disposed": _text(node, "transactionAmounts/transactionAcquiredDisposedCode"),
        "shares_owned_after": _number(node, "postTransactionAmounts/sharesOwnedFollowingTransaction"),
        "direct_indirect": _text(node, "ownershipNature/directOrIndirectOwnership"),
    }


def parse_ownership(
    text: str, source: str, accession: str = "", filed: date | None = None, accepted: datetime | None = None
) -> tuple[list[dict], list[dict]]:
    """Transactions (one row per transaction and reporting owner) and quarantined records of one document.

    `text` is an ownershipDocument or a full submission holding one; the submission's header supplies
    the accession, filing date and acceptance time when the caller does not.
    """
    if is_full_submission(text):
        submission = parse_submission(text, source)
        xml = submission.xml_of(*OWNERSHIP_FORMS)
        if xml is None:
            raise SourceFormatError(f"{source}: the submission holds no ownership XML document")
        text, accession = xml, accession or submission.accession
        filed, accepted = filed or submission.filed, accepted or submission.accepted
    root = parse_xml(text, source, "ownership XML")
    if root.tag != "ownershipDocument":
        raise SourceFormatError(f"{source}: expected an ownershipDocument, found <{root.tag}>")
    form = _text(root, "documentType") or ""
    owners = _owners(root, source)
    if not owners:
        raise SourceFormatError(f"{source}: ownership document without a reporting owner")
    try:
        issuer_cik = int(_text(root, "issuer/issuerCik") or 0)
        period = _text(root, "periodOfReport")
        period_of_report = date.fromisoformat(period[:10]) if period else None
    except ValueError as error:
        raise SourceFormatError(f"{source}: unreadable issuer CIK or period of report ({error})") from error
    if not 0 <= issuer_cik < 10**10:
        raise SourceFormatError(f"{source}: issuer CIK {issuer_cik} is not a CIK")
    common = {
        "accession": accession,
        "form": form,
        "issuer_cik": issuer_cik,
        "ticker": (_text(root, "issuer/issuerTradingSymbol") or "").upper(),
        "period_of_report": period_of_report,
        "filed": filed,
        "accepted": accepted,
        "owner_count": len(owners),
    }
    rows: list[dict] = []
    quarantined: list[dict] = []
    index = 0
    for table, element, derivative in TRANSACTION_TABLES:
        for node in root.findall(f"{table}/{element}"):
            try:
                transaction = _transaction(node, derivative)
            except ValueError as error:
                quarantined.append(
                    {
                        "date": filed,
                        "source": source,
                        "record": ET.tostring(node, "unicode")[:2000],
                        "reason": str(error),
                    }
                )
                continue
            rows.extend(common | {"transaction_index": index} | transaction | owner for owner in owners)
            index += 1
    return rows, quarantined


SUBMISSION_COLUMNS = (
    "ACCESSION_NUMBER",
    "FILING_DATE",
    "PERIOD_OF_REPORT",
    "DOCUMENT_TYPE",
    "ISSUERCIK",
    "ISSUERTRADINGSYMBOL",
)
OWNER_COLUMNS = ("ACCESSION_NUMBER", "RPTOWNERCIK", "RPTOWNERNAME", "RPTOWNER_RELATIONSHIP", "RPTOWNER_TITLE")
TRANSACTION_COLUMNS = (
    "ACCESSION_NUMBER",
    "SECURITY_TITLE",
    "TRANS_DATE",
    "TRANS_CODE",
    "TRANS_SHARES",
    "TRANS_PRICEPERSHARE",
    "TRANS_ACQUIRED_DISP_CD",
    "SHRS_OWND_FOLWNG_TRANS",
    "DIRECT_INDIRECT_OWNERSHIP",
)
DATASET_TRANSACTION_TABLES = (
    ("NONDERIV_TRANS.tsv", "NONDERIV_TRANS_SK", False),
    ("DERIV_TRANS.tsv", "DERIV_TRANS_SK", True),
)
DATASET_FORMS = ("4", "4/A", "5", "5/A")  # Form 3 reports holdings, no transactions


def _sec_date(column: str) -> pl.Expr:
    """A data set's date (`31-MAR-2024`; ISO dates read too)."""
    text = pl.col(column).str.strip_chars()
    return pl.coalesce(
        text.str.to_date("%d-%b-%Y", strict=False), text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
    )


def _quarantine(frame: pl.DataFrame, bad: pl.Expr, source: str, reason: str) -> list[dict]:
    return [
        {"date": None, "source": source, "record": str(row)[:2000], "reason": reason}
        for row in frame.filter(bad).iter_rows(named=True)
    ]


def parse_insider_dataset(location: Path) -> tuple[pl.DataFrame, list[dict]]:
    """The transactions of one of the SEC's quarterly insider-transaction data sets (the
    `2024q1_form345.zip` as published, or its folder: SUBMISSION, REPORTINGOWNER, NONDERIV_TRANS and
    DERIV_TRANS .tsv files), read line by line, as `parse_ownership` gives a filing's: one row per
    transaction and reporting owner of each Form 4, 4/A, 5 and 5/A (knowledge date still empty;
    the data sets give the filing date, not the acceptance time), and the quarantined records: a
    line with more or fewer fields than its header, a filing whose CIK or filing date cannot be
    read (with its transactions), a transaction without a date, a code or a share count, or with a
    number that is not one."""
    tables, quarantined = TableFiles(location), list[dict]()
    source = str(location)
    filings = tables.frame("SUBMISSION.tsv", SUBMISSION_COLUMNS, quarantined).select(
        accession="ACCESSION_NUMBER",
        form=pl.col("DOCUMENT_TYPE").str.strip_chars(),
        issuer_cik=pl.col("ISSUERCIK").str.strip_chars().cast(pl.Int64, strict=False),
        ticker=pl.col("ISSUERTRADINGSYMBOL").str.strip_chars().str.to_uppercase().fill_null(""),
        period_of_report=_sec_date("PERIOD_OF_REPORT"),
        filed=_sec_date("FILING_DATE"),
    )
    unreadable = pl.col("filed").is_null() | ~pl.col("issuer_cik").is_between(1, 10**10 - 1)
    quarantined += _quarantine(
        filings,
        unreadable,
        f"{source}: SUBMISSION.tsv",
        "unreadable ISSUERCIK or FILING_DATE (its transactions are left out too)",
    )
    filings = first_of_each(filings.filter(~unreadable), "accession", f"{source}: SUBMISSION.tsv", quarantined)
    filings = filings.filter(pl.col("form").is_in(DATASET_FORMS))
    relationship = pl.col("RPTOWNER_RELATIONSHIP").fill_null("").str.to_lowercase()
    owners = tables.frame("REPORTINGOWNER.tsv", OWNER_COLUMNS, quarantined).select(
        accession="ACCESSION_NUMBER",
        owner_cik=pl.col("RPTOWNERCIK").str.strip_chars().cast(pl.Int64, strict=False),
        owner_name=pl.col("RPTOWNERNAME").fill_null(""),
        is_director=relationship.str.contains("director"),
        is_officer=relationship.str.contains("officer"),
        is_ten_percent_owner=relationship.str.contains("tenpercentowner"),
        officer_title=pl.col("RPTOWNER_TITLE"),
    )
    quarantined += _quarantine(
        owners, pl.col("owner_cik").is_null(), f"{source}: REPORTINGOWNER.tsv", "unreadable RPTOWNERCIK"
    )
    owners = owners.filter(pl.col("owner_cik").is_not_null()).with_columns(owner_count=pl.len().over("accession"))
    transactions = []
    for name, key, derivative in DATASET_TRANSACTION_TABLES:
        table = tables.frame(name, (*TRANSACTION_COLUMNS, key), quarantined)
        number = {
            c: pl.col(c).str.replace_all(",", "").cast(pl.Float64, strict=False)
            for c in ("TRANS_SHARES", "TRANS_PRICEPERSHARE", "SHRS_OWND_FOLWNG_TRANS")
        }
        read = table.with_columns(
            _order=pl.col(key).cast(pl.Int64, strict=False),
            transaction_date=_sec_date("TRANS_DATE"),
            **{f"_{c}": expression for c, expression in number.items()},
        )
        missing = (
            pl.col("transaction_date").is_null() | pl.col("TRANS_CODE").is_null() | pl.col("_TRANS_SHARES").is_null()
        )
        bad_number = pl.any_horizontal(pl.col(c).is_not_null() & pl.col(f"_{c}").is_null() for c in number)
        negative = pl.col("_TRANS_SHARES") < 0
        quarantined += _quarantine(
            read, missing, f"{source}: {name}", "transaction without a date, a code or a share count"
        )
        quarantined += _quarantine(
            read, ~missing & bad_number, f"{source}: {name}", "a share count or price is not a number"
        )
        quarantined += _quarantine(read, ~missing & ~bad_number & negative, f"{source}: {name}", "negative share count")
        transactions.append(
            read.filter(~missing & ~bad_number & ~negative).select(
                pl.col("ACCESSION_NUMBER").alias("accession"),
                "_order",
                is_derivative=pl.lit(derivative),
                security=pl.col("SECURITY_TITLE").fill_null(""),
                transaction_date="transaction_date",
                code=pl.col("TRANS_CODE").str.strip_chars(),
                shares="_TRANS_SHARES",
                price="_TRANS_PRICEPERSHARE",
                acquired_disposed="TRANS_ACQUIRED_DISP_CD",
                shares_owned_after="_SHRS_OWND_FOLWNG_TRANS",
                direct_indirect="DIRECT_INDIRECT_OWNERSHIP",
            )
        )
    # a document lists its non-derivative transactions first, each table in the data set's key order
    ordered = (
        pl.concat(transactions)
        .sort("accession", "is_derivative", "_order", nulls_last=True)
        .with_columns(transaction_index=pl.int_range(pl.len(), dtype=pl.Int64).over("accession"))
    )
    rows = filings.join(ordered.drop("_order"), on="accession").join(owners, on="accession")
    return rows.with_columns(accepted=pl.lit(None, pl.Datetime("us"))), quarantined
