import polars as pl
import pytest

from ic_platform.schemas.sec import GICS_SECTORS
from ic_platform.sources.documents import SourceFormatError
from ic_platform.sources.sector_map import read_sector_map, with_sectors


def _sector_of(table: pl.DataFrame, key: str, value: str) -> str:
    return table.filter((pl.col("key") == key) & (pl.col("value") == value)).get_column("gics_sector").item()


@pytest.mark.real_data
def test_the_current_sp500_list_reads_by_ticker_and_cik(real_data):
    table, quarantined = read_sector_map(real_data / "sectors" / "sp500_constituents_current.csv")
    assert quarantined.height == 0
    assert table.filter(pl.col("key") == "ticker").height == 503
    assert table.filter(pl.col("key") == "cik").height > 490  # share classes (GOOGL, GOOG) share a CIK
    assert set(table.get_column("gics_sector")) == set(GICS_SECTORS)
    for ticker, sector in [
        ("GOOGL", "Communication Services"),
        ("META", "Communication Services"),
        ("WMT", "Consumer Staples"),
        ("COST", "Consumer Staples"),
        ("V", "Financials"),
        ("UNH", "Health Care"),
        ("BRK-B", "Financials"),  # BRK.B in the list, BRK-B in EDGAR's ticker map
    ]:
        assert _sector_of(table, "ticker", ticker) == sector
    assert _sector_of(table, "cik", "1652044") == "Communication Services"


@pytest.mark.real_data
def test_the_2018_sp500_list_reads_by_ticker_with_the_sector_names_of_its_day(real_data):
    table, quarantined = read_sector_map(real_data / "sectors" / "sp500_constituents_2018-04-02.csv")
    assert quarantined.height == 0
    assert table.filter(pl.col("key") == "cik").height == 0
    assert table.height == 505
    assert _sector_of(table, "ticker", "T") == "Communication Services"  # then Telecommunication Services
    assert _sector_of(table, "ticker", "GOOGL") == "Information Technology"  # before GICS moved it in 2018


def test_unusable_rows_are_quarantined_with_a_reason(tmp_path):
    path = tmp_path / "sectors.csv"
    path.write_text(
        "Ticker,CIK,GICS Sector\n"
        "AAA,,Energy\n"
        ",123,Utilities\n"
        "BBB,,Technology\n"
        ",,Energy\n"
        "CCC,12x,Energy\n"
        "DDD,,Energy\n"
        "DDD,,Materials\n"
        "EEE,,Energy\n"
        "EEE,,Energy\n"
    )
    table, quarantined = read_sector_map(path)
    assert table.rows() == [("cik", "123", "Utilities"), ("ticker", "AAA", "Energy"), ("ticker", "EEE", "Energy")]
    assert sorted(zip(quarantined["record"], quarantined["reason"])) == [
        ("line 4", "'Technology' is not a GICS sector"),
        ("line 5", "neither a ticker nor a cik"),
        ("line 6", "cik '12x' is not a number"),
        ("line 7", "ticker DDD is given more than one sector"),
        ("line 8", "ticker DDD is given more than one sector"),
    ]


def test_a_file_that_is_not_a_sector_table_is_refused_with_its_header(tmp_path):
    path = tmp_path / "prices.csv"
    path.write_text("ticker,close\nAAA,10\n")
    with pytest.raises(SourceFormatError, match=r"needs a sector column .* header is \['ticker', 'close'\]"):
        read_sector_map(path)
    with pytest.raises(SourceFormatError, match="does not exist"):
        read_sector_map(tmp_path / "absent.csv")


def test_the_table_wins_by_ticker_then_by_cik_and_the_crosswalk_fills_the_rest(tmp_path):
    path = tmp_path / "sectors.csv"
    path.write_text("ticker,cik,sector\nGOOGL,1652044,Communication Services\nBRK.B,,Financials\n,200,Utilities\n")
    table, _ = read_sector_map(path)
    companies = pl.DataFrame(
        {
            "ticker": ["GOOGL", "GOOG", "BRK-B", "AAA", "BBB", "CCC"],
            "cik": [1652044, 1652044, 1067983, 200, 300, 400],
            "gics_sector": ["Information Technology", "Information Technology", None, "Energy", "Energy", None],
        }
    )
    placed = with_sectors(companies, table)
    assert placed.rows() == [
        ("GOOGL", 1652044, "Communication Services", "sector_map"),
        ("GOOG", 1652044, "Communication Services", "sector_map"),  # by the company's CIK
        ("BRK-B", 1067983, "Financials", "sector_map"),
        ("AAA", 200, "Utilities", "sector_map"),
        ("BBB", 300, "Energy", "sic"),
        ("CCC", 400, None, None),
    ]
    assert with_sectors(companies, None).get_column("sector_source").to_list() == [
        "sic",
        "sic",
        None,
        "sic",
        "sic",
        None,
    ]
