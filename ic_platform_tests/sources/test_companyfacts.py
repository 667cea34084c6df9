import gzip
import json

import polars as pl
import pytest

from ic_platform.sources.companyfacts import BATCH_DOCUMENTS, parse_companyfacts, parse_companyfacts_documents
from ic_platform.sources.documents import SourceFormatError


def document(facts: dict, cik=1) -> str:
    return json.dumps({"cik": cik, "entityName": "X", "facts": facts})


POINT = {
    "start": "2024-01-01",
    "end": "2024-03-31",
    "val": 100,
    "accn": "0000000001-24-000001",
    "fy": 2024,
    "fp": "Q1",
    "form": "10-Q",
    "filed": "2024-05-01",
}


@pytest.mark.real_data
def test_every_real_companyfacts_file_parses(real_data):
    files = sorted((real_data / "sec_companyfacts").rglob("*.json.gz"))
    assert len(files) == 11
    documents = [(gzip.decompress(path.read_bytes()), path.name) for path in files]
    one_by_one = [parse_companyfacts(*document) for document in documents]
    batched = parse_companyfacts_documents(documents)
    assert batched[0].equals(pl.concat(facts for facts, _ in one_by_one))
    assert batched[1].equals(pl.concat(quarantined for _, quarantined in one_by_one))
    for path, (facts, quarantined) in zip(files, one_by_one):
        assert facts.schema["filed"] == pl.Date and facts.schema["value"] == pl.Float64
        if "LPA" in path.name:  # the IFRS 20-F filer: quarantined with the reason, not a crash
            assert (
                "IFRS filer: ifrs-full statements are not mapped to line items"
                in quarantined.get_column("reason").to_list()
            )
            assert set(facts.get_column("taxonomy")) <= {"dei"}
        else:
            assert facts.height > 150, path.name


def test_bad_input_is_an_error_or_a_quarantined_record_with_a_reason():
    with pytest.raises(SourceFormatError, match="x.json: malformed JSON"):
        parse_companyfacts('{"cik": 1, "facts": {', "x.json")
    with pytest.raises(SourceFormatError, match="not a companyfacts document"):
        parse_companyfacts("[]", "x.json")
    facts, quarantined = parse_companyfacts(
        document(
            {
                "us-gaap": {
                    "Revenues": {"units": {"USD": [POINT, POINT, dict(POINT, val="n/a")], "EUR": [POINT]}},
                    "Assets": {"label": "no units"},
                    "CommonStockSharesOutstanding": {"units": {"shares": [dict(POINT, val=-5, start=None)]}},
                    "StockRepurchasedDuringPeriodShares": {"units": {"shares": [dict(POINT, val=-5)]}},
                }
            }
        ),
        "x.json",
    )
    assert sorted(quarantined.get_column("reason").str.replace(r" \(.*", "")) == sorted(
        [
            "duplicate of an identical fact in the same filing",
            "malformed fact",
            "unit EUR is not USD",
            "concept has no units",
            "negative share count",
        ]
    )
    assert facts.get_column("concept").to_list() == [
        "Revenues",
        "StockRepurchasedDuringPeriodShares",
    ]  # a change in shares may be negative


def test_an_empty_company_is_quarantined():
    facts, quarantined = parse_companyfacts(document({}), "empty.json")
    assert facts.is_empty()
    assert quarantined.get_column("reason").to_list() == ["company has no usable facts"]


def test_values_that_are_not_numbers_are_quarantined_and_the_rest_of_the_company_kept():
    later = dict(POINT, end="2024-06-30", start="2024-04-01", filed="2024-08-01")
    facts, quarantined = parse_companyfacts(
        document(
            {
                "us-gaap": {
                    "Revenues": {
                        "units": {"USD": [dict(POINT, val=True), later, dict(POINT, val="12.5", end="2024-09-30")]}
                    }
                }
            }
        ),
        "x.json",
    )
    assert quarantined.get_column("reason").str.replace(r" \(.*", "").to_list() == ["malformed fact"]
    assert '"val": "true"' in quarantined.get_column("record").first()
    assert facts.select("concept", "value").rows() == [("Revenues", 100.0), ("Revenues", 12.5)]
    with pytest.raises(SourceFormatError, match="x.json: a fact is not an object"):  # read point by point, then refused
        parse_companyfacts(document({"us-gaap": {"Revenues": {"units": {"USD": [POINT, [1]]}}}}), "x.json")


def test_a_unit_whose_points_are_null_is_quarantined_not_dropped():
    facts, quarantined = parse_companyfacts(
        document({"us-gaap": {"Revenues": {"units": {"USD": None}}, "Assets": {"units": {"USD": [POINT]}}}}), "x.json"
    )
    assert quarantined.get_column("reason").to_list() == ["points are not a list"]
    assert facts.get_column("concept").to_list() == ["Assets"]


def test_documents_parsed_in_batches_keep_each_document_apart():
    companies = [
        document({"us-gaap": {"Revenues": {"units": {"USD": [dict(POINT, val=cik), dict(POINT, val=cik)]}}}}, cik=cik)
        for cik in range(1, 25)
    ]
    documents = [(body, f"CIK{cik}") for cik, body in enumerate(companies, 1)]
    documents.insert(3, ('{"cik": 99, "facts": {', "CIK99"))  # malformed: one record, the rest go on
    documents.insert(7, documents[6])  # the same document twice in one batch: neither copy is a duplicate of the other
    assert len(documents) > BATCH_DOCUMENTS
    facts, quarantined = parse_companyfacts_documents(documents)
    assert facts.get_column("cik").to_list() == [*range(1, 7), 6, *range(7, 25)]
    assert facts.get_column("value").to_list() == facts.get_column("cik").cast(pl.Float64).to_list()
    reasons = dict(zip(quarantined.get_column("source"), quarantined.get_column("reason")))
    assert reasons.pop("CIK99").startswith("CIK99: malformed JSON")
    assert '"head": "{\\"cik\\": 99' in quarantined.get_column("record").last()
    assert set(reasons.values()) == {"duplicate of an identical fact in the same filing"} and len(reasons) == 24
    assert quarantined.height == 26  # one duplicate per document, the repeated one included
    assert parse_companyfacts_documents([])[0].schema == facts.schema


def test_a_brace_inside_a_string_reads_the_points_one_by_one_and_keeps_them():
    odd = dict(POINT, frame="CY{2024}Q1", end="2024-06-30")
    facts, quarantined = parse_companyfacts(
        document({"us-gaap": {"Revenues": {"units": {"USD": [POINT, odd, dict(odd, frame="{")], "shares": []}}}}),
        "x.json",
    )
    assert facts.get_column("frame").to_list() == [None, "CY{2024}Q1", "{"]
    assert quarantined.is_empty()


def test_a_concept_key_repeated_in_the_document_is_counted_not_silently_lost():
    point = (
        '{{"end": "{end}-12-31", "start": "{end}-01-01", "val": {val}, "accn": "0000000001-25-00000{val}", '
        '"fy": {end}, "fp": "FY", "form": "10-K", "filed": "2025-02-01"}}'
    )
    concept = '"Revenues": {{"label": "R", "units": {{"USD": [' + point + "]}}}}"
    document = (
        '{"cik": 1, "entityName": "X", "facts": {"us-gaap": {'
        + concept.format(end=2024, val=1)
        + ", "
        + concept.format(end=2023, val=2)
        + "}}}"
    )
    facts, quarantined = parse_companyfacts(document.encode(), "doubled")
    assert facts.height == 1
    assert quarantined.get_column("reason").to_list() == [
        "1 concept keys repeated in the document: only the last copy of each is read"
    ]
