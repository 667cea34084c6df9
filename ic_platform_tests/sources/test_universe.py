import gzip

import polars as pl
import pytest

from ic_platform.sources.documents import SourceFormatError
from ic_platform.sources.edgar_files import parse_company_tickers
from ic_platform.sources.sector_map import read_sector_map
from ic_platform.sources.universe import read_universe, select_universe, universe_companies


@pytest.fixture
def real_tickers(real_data) -> pl.DataFrame:
    payload = gzip.decompress((real_data / "sec_submissions" / "company_tickers.json.gz").read_bytes())
    return parse_company_tickers(payload)


@pytest.mark.real_data
def test_the_real_sp500_list_selects_its_companies_by_cik_from_the_real_ticker_map(real_data, real_tickers):
    path = real_data / "sectors" / "sp500_constituents_current.csv"
    members = read_universe(path)
    kept, missing = select_universe(real_tickers, members, str(path))
    assert members.height >= 500 and members.get_column("cik").null_count() == 0
    # every member the ticker map knows, with each ticker of the company (GOOGL and GOOG share a CIK)
    assert kept.get_column("cik").n_unique() + len(missing) == members.get_column("cik").n_unique()
    assert len(missing) < 10 and {"AAPL", "MSFT", "GOOGL", "GOOG"} <= set(kept.get_column("ticker"))
    assert all(record["reason"] == "the CIK is not in EDGAR's ticker map" for record in missing)


@pytest.mark.real_data
def test_with_sec_off_the_real_sp500_list_alone_names_the_companies_and_their_sectors(real_data, tmp_path):
    path = real_data / "sectors" / "sp500_constituents_current.csv"
    companies, quarantined = universe_companies(read_universe(path), str(path))
    assert companies.height >= 500 and not quarantined
    assert companies.filter(pl.col("ticker") == "BRK-B").row(0) == ("BRK-B", 1067983, "Berkshire Hathaway")
    sectors, bad = read_sector_map(path)
    assert bad.is_empty() and set(companies["ticker"]) <= set(sectors.filter(pl.col("key") == "ticker")["value"])
    without_cik = tmp_path / "universe.csv"
    without_cik.write_text("symbol,cik\nAAPL,320193\nMSFT,\nAAPL,320193\n")
    companies, quarantined = universe_companies(read_universe(without_cik), "universe.csv")
    assert companies.rows() == [("AAPL", 320193, "AAPL")]
    assert [(q["record"], q["reason"]) for q in quarantined] == [
        ("line 3", "SEC is off: a member needs a ticker and a CIK"),
        ("line 4: AAPL", "the ticker is named on an earlier line"),
    ]


@pytest.mark.real_data
def test_a_tickers_file_matches_class_shares_and_reports_unknown_tickers(real_tickers, tmp_path):
    path = tmp_path / "universe.txt"
    path.write_text("# my universe\nAAPL\nbrk.b  # class B\n\nNOPE\n")
    kept, missing = select_universe(real_tickers, read_universe(path), "universe.txt")
    assert sorted(kept.get_column("ticker")) == ["AAPL", "BRK-B"]
    assert [(m["record"], m["reason"]) for m in missing] == [
        ("line 5: NOPE", "the ticker is not in EDGAR's ticker map")
    ]


@pytest.mark.parametrize(
    "text, message",
    [("name\nApple\n", "needs a ticker, symbol or cik column"), ("cik\nabc\n", "cik 'abc' is not a number")],
)
def test_a_universe_csv_without_keys_or_with_a_bad_cik_is_refused(tmp_path, text, message):
    path = tmp_path / "universe.csv"
    path.write_text(text)
    with pytest.raises(SourceFormatError, match=message):
        read_universe(path)


def test_a_missing_or_empty_universe_file_is_refused(tmp_path):
    with pytest.raises(SourceFormatError, match="does not exist"):
        read_universe(tmp_path / "nope.txt")
    (tmp_path / "empty.txt").write_text("# nothing\n")
    with pytest.raises(SourceFormatError, match="names no company"):
        read_universe(tmp_path / "empty.txt")


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.csv", b"", "not a readable CSV"),
        ("ragged.csv", b'ticker,cik\n"AAPL,320193\n', "not a readable CSV"),
        ("sheet.csv", b"PK\x03\x04\xff\x00", "not a UTF-8 text file"),
        ("latin.txt", b"AAPL\nNESTL\xc9\n", "not a UTF-8 text file"),
    ],
)
def test_an_unreadable_universe_file_is_a_one_line_error(tmp_path, name, content, message):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(SourceFormatError, match=message) as error:
        read_universe(tmp_path / name)
    assert "\n" not in str(error.value)
