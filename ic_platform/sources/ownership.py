"""SEC ownership documents (Forms 3, 4, 5 and amendments) to insider transactions.

A document is the `ownershipDocument` XML, alone or inside a full EDGAR submission. Each
non-derivative and derivative transaction becomes one row per reporting owner (joint filings have
several owners; `transaction_index` and `owner_count` tell the copies apart). Flags may be written
"1"/"0" or "true"/"false"; a price may be absent (grants, conversions) and stays null. Transactions
that cannot be read are returned as quarantined records with a reason.
"""

import math
import xml.etree.ElementTree as ET
from datetime import date, datetime

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
