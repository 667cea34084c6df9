from datetime import date, datetime, timedelta

import polars as pl
import pytest

from ic_platform.sources.documents import SourceFormatError
from ic_platform.sources.edgar_submission import parse_submission
from ic_platform.sources.ownership import DATASET_FORMS, parse_insider_dataset, parse_ownership
from ic_platform_tests.sec_datasets import insider_tables, write_insider_dataset

pytestmark = pytest.mark.real_data

# file -> (rows = transactions x owners, owners, codes, rows without a price)
EXPECTED = {
    "0000320193-22-000061_AAPL": (7, 1, {"S"}, 0),
    "0001104659-25-025206_DKNG": (3, 1, {"S"}, 0),
    "0001127602-25-001055_AIR": (1, 1, {"S"}, 0),
    "0001127602-25-004598_ARW": (2, 1, {"A", "F"}, 0),
    "0001158463-25-000044_JBLU": (1, 1, {"A"}, 1),
    "0001327811-25-000050_WDAY": (1, 1, {"F"}, 0),
    "0001387467-25-000038_AOSL": (4, 1, {"A", "F"}, 0),
    "0001493152-25-009612_BETR": (16, 8, {"C"}, 8),
    "0001562180-25-000280_TSVT": (2, 1, {"A"}, 0),
    "0001617553-25-000024_ZIP": (9, 1, {"M", "F"}, 0),
    "AAPL_form4_newstead": (3, 1, {"M", "F"}, 2),
    "AAPL_form5_wagner": (1, 1, {"W"}, 0),
    "DVA_form4_berkshire_joint": (2, 2, {"S"}, 0),
    "SCWO_form4_2025-04-30": (2, 1, {"A"}, 0),
    "SNOW_form4_2022-12-13": (7, 1, {"M", "S"}, 0),
    "SNOW_form5_2022-01-31": (1, 1, {"G"}, 0),
    "AAPL_form3_newstead": (0, 1, set(), 0),
    "SNOW_form3_2020-09-15": (0, 1, set(), 0),
    "SPWR_form3_nosecurities": (0, 1, set(), 0),
}


def test_every_real_ownership_document_parses_to_its_transactions(real_data):
    for path in sorted((real_data / "sec_form4" / "xml").glob("*.xml")):
        rows, quarantined = parse_ownership(path.read_text(), path.name)
        count, owners, codes, no_price = EXPECTED[path.stem]
        assert len(rows) == count and not quarantined, path.name
        assert {r["code"] for r in rows} == codes, path.name
        assert sum(r["price"] is None for r in rows) == no_price, path.name
        assert all(r["owner_count"] == owners for r in rows), path.name


def test_a_full_submission_gives_the_same_rows_as_its_xml_plus_the_header(real_data):
    for path in sorted((real_data / "sec_form4" / "submissions").iterdir()):
        rows, _ = parse_ownership(path.read_text(), path.name)
        alone, _ = parse_ownership((real_data / "sec_form4" / "xml" / f"{path.stem}.xml").read_text(), path.name)
        accession = path.stem.split("_")[0]
        assert [r | {"accession": "", "filed": None, "accepted": None} for r in rows] == alone, path.name
        assert all(r["accession"] == accession and r["filed"] is not None for r in rows), path.name


def test_both_header_styles_give_accession_dates_and_acceptance(real_data):
    classic = parse_submission((real_data / "sec_form4/submissions/0000320193-22-000061_AAPL.txt").read_text(), "AAPL")
    assert (classic.accession, classic.form, classic.filed, classic.accepted, classic.period) == (
        "0000320193-22-000061",
        "4",
        date(2022, 5, 6),
        datetime(2022, 5, 6, 18, 30, 57),
        date(2022, 5, 4),
    )
    tags = parse_submission((real_data / "sec_form4/submissions/0001127602-25-004598_ARW.nc").read_text(), "ARW")
    assert (tags.accession, tags.form, tags.filed, tags.accepted, tags.period) == (
        "0001127602-25-004598",
        "4",
        date(2025, 2, 13),
        None,
        date(2025, 2, 12),
    )


def test_real_values_owners_and_flags(real_data):
    rows, _ = parse_ownership((real_data / "sec_form4/xml/DVA_form4_berkshire_joint.xml").read_text(), "DVA")
    assert {r["owner_name"] for r in rows} == {"BERKSHIRE HATHAWAY INC", "BUFFETT WARREN E"}
    assert all(r["is_ten_percent_owner"] and not r["is_director"] for r in rows)  # flags written "true"/"false"
    assert {(r["transaction_index"], r["shares"], r["ticker"]) for r in rows} == {(0, 1220376.0, "DVA")}
    aapl, _ = parse_ownership((real_data / "sec_form4/xml/0000320193-22-000061_AAPL.xml").read_text(), "AAPL")
    assert aapl[0]["issuer_cik"] == 320193 and aapl[0]["owner_cik"] == 1462356 and aapl[0]["is_officer"]
    assert all(r["acquired_disposed"] == "D" and r["price"] > 100 for r in aapl)
    betr, _ = parse_ownership((real_data / "sec_form4/xml/0001493152-25-009612_BETR.xml").read_text(), "BETR")
    assert {r["is_derivative"] for r in betr} == {True, False} and len(
        {r["owner_cik"] for r in betr}
    ) == 8  # a conversion: both tables


def test_bad_documents_give_clear_errors_and_bad_transactions_are_quarantined():
    with pytest.raises(SourceFormatError, match="malformed ownership XML"):
        parse_ownership("<ownershipDocument><issuer>", "broken.xml")
    with pytest.raises(SourceFormatError, match="not an EDGAR full submission"):
        parse_ownership("<SEC-DOCUMENT>nothing here\n", "empty.txt")
    document = """<ownershipDocument><documentType>4</documentType>
      <issuer><issuerCik>1</issuerCik><issuerTradingSymbol>abc</issuerTradingSymbol></issuer>
      <reportingOwner><reportingOwnerId><rptOwnerCik>2</rptOwnerCik><rptOwnerName>X</rptOwnerName></reportingOwnerId></reportingOwner>
      <nonDerivativeTable><nonDerivativeTransaction><transactionDate><value>2024-01-02</value></transactionDate>
      <transactionCoding><transactionCode>P</transactionCode></transactionCoding>
      <transactionAmounts><transactionShares><value>-5</value></transactionShares></transactionAmounts>
      </nonDerivativeTransaction></nonDerivativeTable></ownershipDocument>"""
    rows, quarantined = parse_ownership(document, "negative.xml")
    assert rows == [] and quarantined[0]["reason"] == "negative share count -5.0"


@pytest.mark.real_data
def test_the_insider_transaction_data_set_reads_as_the_real_filings_do(real_data, tmp_path):
    filings, expected = [], []
    for number, path in enumerate(sorted((real_data / "sec_form4" / "xml").glob("*.xml"))):
        accession, filed = f"0000000000-25-{number:06d}", date(2025, 1, 2) + timedelta(days=number)
        rows, _ = parse_ownership(path.read_text(encoding="latin-1"), path.name, accession, filed)
        if rows and rows[0]["form"] in DATASET_FORMS:
            filings.append((accession, filed, rows))
            expected += rows
    assert len(filings) > 15 and len(expected) > 60
    tables = insider_tables(filings)
    lines = tables["NONDERIV_TRANS.tsv"].splitlines(keepends=True)
    tables["NONDERIV_TRANS.tsv"] = b"".join([*lines, lines[1].replace(b"\t", b"\t\t", 1), b"x\ty\n"])
    submissions = tables["SUBMISSION.tsv"].splitlines(keepends=True)
    tables["SUBMISSION.tsv"] = b"".join([*submissions, submissions[1]])  # a filing listed twice
    read, quarantined = parse_insider_dataset(write_insider_dataset(tmp_path / "2025q1_form345.zip", tables))
    columns = [c for c in read.columns if c != "accepted"]
    key = ["accession", "transaction_index", "owner_cik"]
    as_read = read.select(columns).sort(key)
    as_filed = pl.DataFrame(expected).select(columns).cast(dict(as_read.schema)).sort(key)
    assert as_read.equals(as_filed)
    assert [q["reason"].split(" where")[0] for q in quarantined] == [
        "the accession is on an earlier line",
        "29 fields",
        "2 fields",
    ]
