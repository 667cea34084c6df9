import gzip

import pytest

from ic_platform.sources.documents import SourceFormatError
from ic_platform.sources.edgar_files import parse_company_tickers, parse_submissions_profile


@pytest.mark.real_data
def test_the_real_ticker_map_parses(real_data):
    payload = gzip.decompress((real_data / "sec_submissions" / "company_tickers.json.gz").read_bytes())
    tickers = parse_company_tickers(payload)
    assert tickers.height > 9000
    assert tickers.filter(tickers["ticker"] == "AAPL").row(0, named=True) == {
        "ticker": "AAPL",
        "cik": 320193,
        "name": "Apple Inc.",
    }


@pytest.mark.real_data
def test_real_submissions_give_sic_and_sector(real_data):
    payload = gzip.decompress((real_data / "sec_submissions" / "CIK0000320193_AAPL.json.gz").read_bytes())
    profile = parse_submissions_profile(payload, "AAPL")
    assert profile == {
        "cik": 320193,
        "sic": 3571,
        "sic_description": "Electronic Computers",
        "gics_sector": "Information Technology",
        "exchange": "Nasdaq",
        "fiscal_year_end": "0926",
        "former_names": "APPLE INC; APPLE COMPUTER INC; APPLE COMPUTER INC/ FA",
    }


@pytest.mark.real_data
def test_an_owner_without_sic_has_no_sector(real_data):
    payload = gzip.decompress(
        (real_data / "sec_submissions" / "CIK0000315090_owner_BuffettWarrenE.json.gz").read_bytes()
    )
    profile = parse_submissions_profile(payload, "owner")
    assert profile["sic"] is None and profile["gics_sector"] is None


def test_malformed_json_names_the_source_and_position():
    with pytest.raises(SourceFormatError, match=r"tickers.json: malformed JSON at line 1 column 9"):
        parse_company_tickers('{"0": {"', "tickers.json")


def test_an_entry_without_a_ticker_is_a_clear_error():
    with pytest.raises(SourceFormatError, match="entry '0' lacks ticker"):
        parse_company_tickers('{"0": {"cik_str": 1, "title": "X"}}', "tickers.json")
    with pytest.raises(SourceFormatError, match="not a submissions document"):
        parse_submissions_profile("[]", "x.json")
