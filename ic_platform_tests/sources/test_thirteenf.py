from datetime import date

import polars as pl
import pytest

from ic_platform.sources.archives import dataset_locations
from ic_platform.sources.documents import SourceFormatError
from ic_platform.sources.thirteenf import (
    parse_cover_page,
    parse_information_table,
    parse_thirteenf_dataset,
    parse_thirteenf_submission,
    value_multiplier,
)
from ic_platform_tests.sec_datasets import infotable_tsv, write_dataset

SUBMISSIONS = {  # file -> (period, holdings, value unit)
    "0001140361-23-013281_MetLife_13F-HR.txt": (date(2021, 12, 31), 6, 1),  # a late filing for 2021: dollars
    "0001619124-21-000002_ACTIAM_13F-HR.txt": (date(2020, 12, 31), 5, 1000),  # thousands; pre-split megacaps
    "0001790837-23-000002_BullStreet_13F-HR.txt": (date(2022, 12, 31), 90, 1000),  # thousands after the switch
    "0001894188-23-000007_LTSOne_13F-HR.txt": (date(2023, 9, 30), 14, 1),
    "0001951757-25-000093_AcornCreek_13F-HR.nc": (date(2024, 12, 31), 77, 1),  # tag-style header on one line
}


@pytest.mark.real_data
def test_every_real_13f_submission_parses_and_totals_match_the_cover_page(real_data):
    for name, (period, count, unit) in SUBMISSIONS.items():
        filing = parse_thirteenf_submission((real_data / "sec_13f" / name).read_text(), name)
        assert filing.accession == name.split("_")[0] and filing.cover.period == period, name
        assert filing.holdings.height == count == filing.cover.table_entry_total and not filing.quarantined, name
        assert filing.holdings.get_column("reported_value").sum() == filing.cover.table_value_total, name
        multiplier, reason = value_multiplier(filing.filed, filing.holdings)
        assert multiplier == unit, (name, reason)


@pytest.mark.real_data
def test_information_tables_with_a_leading_blank_line_and_cover_pages(real_data):
    table, quarantined = parse_information_table(
        (real_data / "sec_13f/13F-HR_infotable_255rows.xml").read_text(), "255rows"
    )
    assert table.height == 255 and not quarantined
    assert table.row(0, named=True) == {
        "cusip": "88579Y101",
        "issuer_name": "3M CO",
        "title_of_class": "COM",
        "reported_value": 409469.0,
        "shares": 2334.0,
        "shares_type": "SH",
        "put_call": None,
        "investment_discretion": "SOLE",
    }
    brk = parse_cover_page((real_data / "sec_13f/brk13f_2026q1_primary_doc.xml").read_text(), "brk")
    assert (brk.manager_cik, brk.period, brk.table_entry_total, brk.is_amendment) == (
        1067983,
        date(2026, 3, 31),
        90,
        False,
    )
    old, _ = parse_information_table((real_data / "sec_13f/brk13f_2016q3_infotable_trimmed.xml").read_text(), "brk2016")
    assert value_multiplier(date(2016, 11, 14), old)[0] == 1000
    new, _ = parse_information_table((real_data / "sec_13f/brk13f_2026q1_infotable_trimmed.xml").read_text(), "brk2026")
    assert value_multiplier(date(2026, 5, 15), new)[0] == 1


def test_reference_prices_decide_the_unit_when_enough_holdings_have_one():
    holdings = pl.DataFrame(
        {
            "cusip": ["A", "B", "C"],
            "reported_value": [150.0, 300.0, 50.0],
            "shares": [1000.0, 2000.0, 500.0],
            "shares_type": ["SH"] * 3,
            "put_call": [None] * 3,
        },
        schema_overrides={"put_call": pl.String},
    )
    assert value_multiplier(date(2024, 2, 1), holdings, {"A": 150.0, "B": 150.0, "C": 100.0})[0] == 1000
    assert value_multiplier(date(2021, 2, 1), holdings, {"A": 0.15, "B": 0.15, "C": 0.1})[0] == 1


def test_bad_13f_input_is_refused_or_quarantined():
    with pytest.raises(SourceFormatError, match="malformed 13F XML"):
        parse_information_table("<informationTable><infoTable>", "broken")
    table, quarantined = parse_information_table(
        "<informationTable><infoTable><nameOfIssuer>X</nameOfIssuer><value>1</value></infoTable></informationTable>",
        "no cusip",
    )
    assert table.is_empty() and "without a CUSIP" in quarantined[0]["reason"]


def test_the_sec_13f_data_set_tsvs(tmp_path):
    (tmp_path / "SUBMISSION.tsv").write_text(
        "ACCESSION_NUMBER\tFILING_DATE\tSUBMISSIONTYPE\tCIK\tPERIODOFREPORT\n0000000001-24-000001\t14-FEB-2024\t13F-HR\t1067983\t31-DEC-2023\n"
    )
    (tmp_path / "COVERPAGE.tsv").write_text(
        "ACCESSION_NUMBER\tISAMENDMENT\tFILINGMANAGER_NAME\n0000000001-24-000001\tN\tBERKSHIRE HATHAWAY INC\n"
    )
    (tmp_path / "INFOTABLE.tsv").write_text(
        "ACCESSION_NUMBER\tINFOTABLE_SK\tNAMEOFISSUER\tTITLEOFCLASS\tCUSIP\tVALUE\tSSHPRNAMT\tSSHPRNAMTTYPE\tPUTCALL\tINVESTMENTDISCRETION\n"
        "0000000001-24-000001\t1\tAPPLE INC\tCOM\t037833100\t174347000000\t905560000\tSH\t\tDFND\n"
        "0000000001-24-000001\t2\tBANK OF AMERICA\tCOM\t060505104\tn/a\t1000\tSH\t\tDFND\n"
    )
    filings, holdings, quarantined = parse_thirteenf_dataset(tmp_path)
    assert [q["reason"] for q in quarantined] == ["VALUE or SSHPRNAMT is not a finite number"]
    assert holdings.height == 1
    assert filings.row(0, named=True) == {
        "accession": "0000000001-24-000001",
        "manager_cik": 1067983,
        "manager_name": "BERKSHIRE HATHAWAY INC",
        "form": "13F-HR",
        "filed": date(2024, 2, 14),
        "period": date(2023, 12, 31),
        "is_amendment": False,
    }
    assert holdings.row(0, named=True)["shares"] == 905560000.0
    (tmp_path / "INFOTABLE.tsv").unlink()
    with pytest.raises(SourceFormatError, match="no INFOTABLE.tsv"):
        parse_thirteenf_dataset(tmp_path)


@pytest.mark.real_data
def test_a_13f_data_set_zip_is_read_as_downloaded_and_bad_lines_are_quarantined(real_data, tmp_path):
    filing = parse_thirteenf_submission(
        (real_data / "sec_13f" / "0001790837-23-000002_BullStreet_13F-HR.txt").read_text(encoding="latin-1"), "real"
    )
    lines = infotable_tsv(filing.holdings).splitlines(keepends=True)
    ragged = lines[1].replace(b"\t", b"\t\t", 1)  # a row with one field too many
    short = b"\t".join(lines[2].split(b"\t")[:4]) + b"\n"  # a row cut short
    body = b"".join([lines[0], ragged, short, b"\xff\xfe\n", *lines[3:]])
    zipped = write_dataset(tmp_path / "2022q4_form13f.zip", body)
    filings, holdings, quarantined = parse_thirteenf_dataset(zipped)
    assert filings.row(0, named=True)["manager_name"] == "Bull Street Advisors, LLC"
    assert holdings.height == filing.holdings.height - 2
    assert holdings.get_column("reported_value").sum() == filing.holdings.slice(2).get_column("reported_value").sum()
    assert [q["reason"] for q in quarantined] == [
        "16 fields where the header has 15",
        "4 fields where the header has 15",
        "not UTF-8 (byte 0)",
    ]
    assert quarantined[0]["record"].startswith("line 2: 0001790837-23-000002")
    no_column = write_dataset(tmp_path / "b.zip", body.replace(b"SSHPRNAMT\t", b"AMOUNT\t", 1))
    with pytest.raises(SourceFormatError, match=r"INFOTABLE.tsv: the header lacks \['SSHPRNAMT'\]"):
        parse_thirteenf_dataset(no_column)
    (tmp_path / "c.zip").write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(SourceFormatError, match="not a readable zip archive"):
        parse_thirteenf_dataset(tmp_path / "c.zip")
    assert dataset_locations(tmp_path) == [tmp_path / "2022q4_form13f.zip", tmp_path / "b.zip", tmp_path / "c.zip"]


def test_13f_xml_nested_beyond_reason_is_refused_not_a_recursion_error():
    deep = "<informationTable>" + "<infoTable>" * 100_000 + "</infoTable>" * 100_000 + "</informationTable>"
    with pytest.raises(SourceFormatError, match="nested deeper than 64 elements"):
        parse_information_table(deep, "deep")
