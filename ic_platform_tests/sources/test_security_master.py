import json
from datetime import date

import polars as pl
import pytest

from ic_platform import cli
from ic_platform.sources.documents import SourceFormatError
from ic_platform.sources.security_master import listings, parse_polygon_tickers, read_ticker_history, with_listings
from ic_platform_tests.local_server import LocalServer, Reply

# public events: Google's reorganisation into Alphabet (GOOGL under CIK 1652044 from 2015-10-05),
# Marvell's re-domicile (MRVL under CIK 1835632 from 2021-04-20), Celgene's delisting after its
# acquisition (2019-11-20), Facebook's ticker change to META (2022-06-09)
HISTORY = """ticker,cik,start_date,end_date,name,exchange
GOOGL,1288776,2014-04-03,2015-10-02,Google Inc.,NASDAQ
GOOGL,1652044,2015-10-05,,Alphabet Inc.,NASDAQ
MRVL,1058057,2000-06-27,2021-04-19,Marvell Technology Group Ltd,NASDAQ
MRVL,1835632,2021-04-20,,"Marvell Technology, Inc.",NASDAQ
CELG,816284,1987-07-16,2019-11-20,Celgene Corp,NASDAQ
FB,1326801,2012-05-18,2022-06-08,"Facebook, Inc.",NASDAQ
META,1326801,2022-06-09,,"Meta Platforms, Inc.",NASDAQ
OLD,1111,2001-01-02,2003-05-30,An old company,NYSE
OLD,2222,2010-03-01,,A new one,NYSE
BAD,x,2001-01-02,,Bad cik,NYSE
LATE,3333,2020-01-02,2019-01-02,Ends before it starts,NYSE
"""


def _listed(tmp_path) -> tuple[pl.DataFrame, list[dict]]:
    path = tmp_path / "history.csv"
    path.write_text(HISTORY)
    periods, quarantined = read_ticker_history(path)
    listed, unused = listings(periods, str(path))
    return listed, quarantined + unused


def test_the_ticker_history_gives_listings_with_their_dates_and_predecessors(tmp_path):
    listed, quarantined = _listed(tmp_path)
    rows = {row["ticker"]: row for row in listed.iter_rows(named=True)}
    assert rows["GOOGL"] | {"history_name": None} == {
        "ticker": "GOOGL",
        "cik": 1652044,
        "listed_from": date(2014, 4, 3),  # the ticker's history goes back through its predecessor
        "listed_until": None,
        "history_name": None,
        "history_exchange": "NASDAQ",
        "predecessor_ciks": "1288776",
    }
    assert (rows["MRVL"]["cik"], rows["MRVL"]["predecessor_ciks"]) == (1835632, "1058057")
    assert (rows["CELG"]["listed_until"], rows["CELG"]["predecessor_ciks"]) == (date(2019, 11, 20), None)
    assert (rows["FB"]["listed_until"], rows["META"]["listed_from"]) == (date(2022, 6, 8), date(2022, 6, 9))
    assert (rows["OLD"]["cik"], rows["OLD"]["listed_from"], rows["OLD"]["predecessor_ciks"]) == (
        2222,
        date(2010, 3, 1),
        None,
    )  # reused after years by an unrelated company: not a succession
    assert [q["reason"] for q in quarantined] == [
        "cik 'x' is not a CIK",
        "end_date 2019-01-02 is before start_date 2020-01-02",
        "the ticker was used again from 2010-03-01 by CIK 2222 (not scored as OLD)",
    ]


def test_the_history_adds_delisted_companies_to_the_ticker_map_and_defers_to_it_on_reuse(tmp_path):
    listed, _ = _listed(tmp_path)
    today = pl.DataFrame(
        {
            "ticker": ["GOOGL", "MRVL", "META", "OLD"],
            "cik": [1652044, 1835632, 1326801, 9999],
            "name": ["ALPHABET INC."] * 4,
        }
    )
    merged, reused = with_listings(today, listed, "history.csv")
    rows = {row["ticker"]: row for row in merged.iter_rows(named=True)}
    assert rows["CELG"] == {
        "ticker": "CELG",
        "cik": 816284,
        "name": "Celgene Corp",
        "listed_from": date(1987, 7, 16),
        "listed_until": date(2019, 11, 20),
        "predecessor_ciks": None,
        "exchange": "NASDAQ",
    }
    assert rows["GOOGL"]["predecessor_ciks"] == "1288776" and rows["GOOGL"]["name"] == "ALPHABET INC."
    assert rows["OLD"]["cik"] == 2222  # the history's listing is still open: it wins
    assert reused == []


def test_a_ticker_history_without_its_columns_is_refused(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("symbol,cik\nAAPL,320193\n")
    with pytest.raises(SourceFormatError, match=r"needs the columns \['ticker', 'start_date', 'end_date'\]"):
        read_ticker_history(path)


def test_an_ended_listing_whose_ticker_the_map_gives_to_another_company_is_quarantined(tmp_path):
    listed, _ = _listed(tmp_path)
    today = pl.DataFrame({"ticker": ["CELG"], "cik": [5555], "name": ["A later CELG"]})
    merged, reused = with_listings(today, listed, "history.csv")
    assert merged.filter(pl.col("ticker") == "CELG").row(0, named=True)["cik"] == 5555
    assert [q["reason"] for q in reused] == ["the ticker map gives CELG to CIK 5555 today"]


def test_the_delisted_tickers_of_the_market_data_api_become_a_ticker_history_file(tmp_path, monkeypatch, capsys):
    celg = {  # Polygon's /v3/reference/tickers record of a delisted stock
        "ticker": "CELG",
        "name": "Celgene Corporation",
        "market": "stocks",
        "locale": "us",
        "primary_exchange": "XNAS",
        "type": "CS",
        "active": False,
        "currency_name": "usd",
        "cik": "0000816284",
        "delisted_utc": "2019-11-20T00:00:00Z",
        "last_updated_utc": "2019-11-21T00:00:00Z",
    }
    without_cik = celg | {"ticker": "ZZZ", "cik": None}
    _, bad_date, _ = parse_polygon_tickers(json.dumps({"results": [celg | {"delisted_utc": 20191120}]}), "page")
    assert bad_date[0]["reason"].startswith("'int' object has no attribute")  # quarantined, not a crash
    with LocalServer() as server:
        server.routes["/v3/reference/tickers"] = [
            Reply(
                json.dumps(
                    {"results": [without_cik], "next_url": f"{server.url}/v3/reference/tickers?cursor=2"}
                ).encode()
            )
        ]
        server.routes["/v3/reference/tickers?cursor=2&apiKey=k"] = [Reply(json.dumps({"results": [celg]}).encode())]
        monkeypatch.setenv("POLYGON_BASE_URL", server.url)
        monkeypatch.setenv("POLYGON_API_KEY", "k")
        monkeypatch.setenv("IC_DATA_DIR", str(tmp_path / "data"))
        assert cli.main(["ticker-history", "--out", str(tmp_path / "history.csv")]) == 0
        first = server.paths()[0]
    assert "active=false" in first and "market=stocks" in first
    assert "1 delisted tickers with their CIK and last day; 1 left out" in capsys.readouterr().out
    periods, quarantined = read_ticker_history(tmp_path / "history.csv")
    assert quarantined == [] and [(p["ticker"], p["cik"], p["end"], p["exchange"]) for p in periods] == [
        ("CELG", 816284, date(2019, 11, 20), "XNAS")
    ]
    monkeypatch.delenv("POLYGON_API_KEY")
    assert cli.main(["ticker-history", "--out", str(tmp_path / "h.csv")]) == 2
    assert "POLYGON_API_KEY is not set" in capsys.readouterr().err
