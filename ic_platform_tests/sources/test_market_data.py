import gzip
import json
import shutil
from datetime import date

import polars as pl
import pytest

from ic_platform.defs.resources import MarketDataSource
from ic_platform.sources import market_data
from ic_platform.sources.documents import SourceFormatError
from ic_platform.sources.http import HttpClient, HttpError
from ic_platform.sources.market_data import (
    ArchiveBars,
    DemoBars,
    PolygonClient,
    PolygonFlatFiles,
    read_days,
)
from ic_platform.trading_days import trading_days_between
from ic_platform_tests.local_server import LocalServer, Reply


@pytest.mark.real_data
def test_archive_mode_reads_the_real_bars_file_and_quarantines_blank_fields(real_data, tmp_path):
    actions = tmp_path / "actions.csv"
    actions.write_text("ticker,ex_date,kind,ratio,amount\nAAPL,2014-06-09,split,7,\n")
    archive = ArchiveBars(real_data / "prices" / "all_stocks_5yr.csv.gz", "split_adjusted", actions)
    bars, quarantined = archive.day(date(2015, 7, 17))
    assert bars.height > 480
    assert bars.filter(pl.col("ticker") == "DHR").is_empty()  # its open is blank that day
    assert quarantined.filter(pl.col("record").str.contains('"DHR"')).get_column("reason").to_list() == [
        "missing fields ['o']"
    ]
    aapl, _ = archive.ticker_range("AAPL", date(2013, 2, 8), date(2013, 2, 12))
    # the file's closes are adjusted for the 7-for-1 split of 2014-06-09: as traded they were 7 times higher
    assert aapl.get_column("close").to_list() == pytest.approx([474.98, 479.93, 467.90], abs=0.001)
    after, _ = archive.ticker_range("AAPL", date(2014, 6, 9), date(2014, 6, 9))
    assert after.get_column("close").to_list() == [93.7]  # from the split on, as the file has it


@pytest.mark.real_data
def test_a_split_adjusted_archive_without_an_actions_file_is_refused(real_data):
    with pytest.raises(ValueError, match="split-adjusted.*IC_ACTIONS_ARCHIVE"):
        ArchiveBars(real_data / "prices" / "all_stocks_5yr.csv.gz", "split_adjusted")
    with pytest.raises(ValueError, match="IC_BARS_BASIS to one of as_traded, split_adjusted"):
        ArchiveBars(real_data / "prices" / "all_stocks_5yr.csv.gz", "")


def test_days_parsed_by_worker_processes_equal_days_read_one_by_one(small_demo, tmp_path, monkeypatch):
    demo = tmp_path / "demo"
    shutil.copytree(small_demo, demo)
    days = sorted(date.fromisoformat(path.stem) for path in (demo / "polygon" / "grouped").glob("*.json"))[:40]
    (demo / "polygon" / "grouped" / f"{days[13]}.json").write_text('{"results": [')  # one malformed day
    monkeypatch.setattr(market_data, "DAYS_PER_BATCH", 5)  # enough batches for the workers to start
    in_processes = DemoBars(demo)
    in_processes.parse_processes = 2
    one_by_one = DemoBars(demo)
    one_by_one.parse_processes = 1

    def reads(reader):
        progress = [done for done, _ in read_days(reader, days)]
        return progress, [read for _, batch in read_days(reader, days) for read in batch]

    (batches, parsed), (singles, read) = reads(in_processes), reads(one_by_one)
    assert batches == list(range(5, 41, 5)) and singles == list(range(1, 41))
    assert [day for day, _ in parsed] == [day for day, _ in read] == days
    for (day, bars), (_, same) in zip(parsed, read):
        if day == days[13]:
            assert isinstance(bars, SourceFormatError) and isinstance(same, SourceFormatError)
            assert str(bars) == str(same) and "malformed JSON" in str(bars)
        else:
            assert bars[0].height > 25 and bars[0].equals(same[0]) and bars[1].equals(same[1])


@pytest.mark.real_data
def test_live_mode_reads_grouped_and_paged_ticker_ranges_through_faults(real_data, tmp_path):
    real = (real_data / "prices" / "polygon_aggs_AAPL_2023-01-01_2023-01-10.json").read_bytes()
    document = json.loads(real)
    first_page = dict(document, results=document["results"][:3], next_url="/v2/aggs/page2")
    second_page = dict(document, results=document["results"][3:])
    grouped = {"status": "OK", "results": [dict(document["results"][0], T="AAPL")]}
    with LocalServer() as server:
        server.routes["/v2/aggs/ticker/AAPL/range/1/day/2023-01-01/2023-01-10"] = [
            Reply(status=503),
            Reply(json.dumps(first_page).encode()),
        ]
        server.routes["/v2/aggs/page2"] = [Reply(json.dumps(second_page).encode())]
        server.routes["/v3/reference/splits"] = [Reply(json.dumps({"status": "OK", "results": []}).encode())]
        server.routes["/v3/reference/dividends"] = [Reply(json.dumps({"status": "OK", "results": []}).encode())]
        server.routes["/v2/aggs/grouped/locale/us/market/stocks/2023-01-03"] = [
            Reply(status=429, headers={"Retry-After": "0"}),
            Reply(json.dumps(grouped).encode()),
        ]
        client = PolygonClient(HttpClient(server.url, backoff_seconds=0.01, cache_dir=tmp_path), api_key="test-key")
        bars, quarantined = client.ticker_range("AAPL", date(2023, 1, 1), date(2023, 1, 10))
        day_bars, _ = client.day(date(2023, 1, 3))
        assert all("apiKey=test-key" in path for path in server.paths())
    assert quarantined.is_empty()
    assert bars.get_column("date").to_list() == [date(2023, 1, d) for d in (3, 4, 5, 6, 9, 10)]
    assert bars.get_column("close").to_list()[:2] == [125.07, 126.36]
    assert day_bars.row(0, named=True)["close"] == 125.07


def _real_aapl(real_data, day: str) -> dict:
    """The real file's AAPL bar of `day` (its prices adjusted for the 7-for-1 split of 2014-06-09)."""
    frame = pl.read_csv(real_data / "prices" / "all_stocks_5yr.csv.gz").filter(
        (pl.col("Name") == "AAPL") & (pl.col("date") == day)
    )
    return frame.row(0, named=True)


def _as_traded(bar: dict, ratio: int, timestamp: int) -> dict:
    """A Polygon bar as traded: adjusted prices times the split's ratio, the volume divided by it."""
    o, h, lo, c = (round(bar[k] * ratio, 2) for k in ("open", "high", "low", "close"))
    return {
        "T": "AAPL",
        "o": o,
        "h": h,
        "l": lo,
        "c": c,
        "v": bar["volume"] / ratio,
        "vw": c,
        "n": 1000,
        "t": timestamp,
    }


# Apple's real dividends around its split: $3.29 a share going ex on 2014-05-08 before the 7-for-1
# split, $0.47 on 2014-08-07 after it (the same payout), in Polygon's reference-dividends format
AAPL_DIVIDENDS = [
    {"ticker": "AAPL", "ex_dividend_date": "2014-05-08", "cash_amount": 3.29, "currency": "USD", "frequency": 4},
    {"ticker": "AAPL", "ex_dividend_date": "2014-08-07", "cash_amount": 0.47, "currency": "USD", "frequency": 4},
    {"ticker": "XYZ", "ex_dividend_date": "2014-05-08", "cash_amount": 1.0, "currency": "CAD"},  # not dollars
]


@pytest.mark.real_data
def test_live_bars_are_requested_as_traded_and_the_apis_splits_and_dividends_read_as_actions(real_data, tmp_path):
    before, after = _real_aapl(real_data, "2014-06-06"), _real_aapl(real_data, "2014-06-09")
    friday = {"status": "OK", "adjusted": False, "results": [_as_traded(before, 7, 1402027200000)]}
    monday = {"status": "OK", "adjusted": False, "results": [_as_traded(after, 1, 1402286400000)]}
    aapl = {"ticker": "AAPL", "execution_date": "2014-06-09", "split_from": 1, "split_to": 7}
    other = {"ticker": "XYZ", "execution_date": "2015-01-02", "split_from": 1, "split_to": 2}
    with LocalServer() as server:
        server.routes["/v2/aggs/grouped/locale/us/market/stocks/2014-06-06"] = [Reply(json.dumps(friday).encode())]
        server.routes["/v2/aggs/grouped/locale/us/market/stocks/2014-06-09"] = [Reply(json.dumps(monday).encode())]
        server.routes["/v3/reference/splits"] = [
            Reply(json.dumps({"status": "OK", "results": [aapl], "next_url": f"{server.url}/splits/p2"}).encode())
        ]
        server.routes["/splits/p2"] = [Reply(json.dumps({"status": "OK", "results": [other]}).encode())]
        server.routes["/v3/reference/dividends"] = [
            Reply(json.dumps({"status": "OK", "results": AAPL_DIVIDENDS}).encode())
        ]
        client = PolygonClient(HttpClient(server.url, cache_dir=tmp_path), api_key="test-key")
        friday_bars, _ = client.day(date(2014, 6, 6))
        monday_bars, _ = client.day(date(2014, 6, 9))
        actions, quarantined = client.actions(None)
        since, _ = client.actions(date(2014, 6, 1))
        paths = server.paths()
    assert all("adjusted=false" in path for path in paths if "/aggs/" in path)
    assert any("execution_date.gte=2014-06-01" in path for path in paths)
    # the bars stay as traded: the readers adjust them with the actions
    assert friday_bars.row(0, named=True)["close"] == pytest.approx(645.57, abs=0.01)
    assert monday_bars.row(0, named=True)["close"] == after["close"]
    assert actions.sort("ticker", "ex_date").select("ticker", "ex_date", "kind", "ratio", "cash_amount").rows() == [
        ("AAPL", date(2014, 5, 8), "cash_dividend", None, 3.29),
        ("AAPL", date(2014, 6, 9), "split", 7.0, None),
        ("AAPL", date(2014, 8, 7), "cash_dividend", None, 0.47),
        ("XYZ", date(2015, 1, 2), "split", 2.0, None),
    ]
    assert quarantined.get_column("reason").to_list() == ["paid in CAD, not in the bars' dollars"]
    assert since.height == 3  # a server that ignores the filter: the reader keeps what goes ex from the day on


def test_live_mode_needs_an_api_key():
    with pytest.raises(ValueError, match="POLYGON_API_KEY"):
        PolygonClient(HttpClient("http://127.0.0.1:9"), api_key="")


def test_a_bad_cell_deep_in_an_archive_costs_its_row_not_the_file(tmp_path):
    days = trading_days_between(date(2015, 1, 2), date(2015, 12, 31))
    lines = ["date,open,high,low,close,volume,Name"]
    lines += [f"{day},10,11,9,10.5,1000,T{n:03d}" for day in days for n in range(45)]  # over 10,000 rows
    lines[-5] = lines[-5].replace(",10.5,", ",n/a,")  # past the rows a schema would be inferred from
    lines.append("someday,10,11,9,10.5,1000,T000")
    path = tmp_path / "bars.csv"
    path.write_text("\n".join(lines) + "\n")
    archive = ArchiveBars(path, "as_traded")
    last_bars, last_bad = archive.day(days[-1])
    assert last_bars.height == 44 and last_bad.get_column("reason").to_list() == ["missing fields ['c']"]
    first_bars, first_bad = archive.day(days[0])
    assert first_bars.height == 45 and first_bad.get_column("reason").to_list() == ["unreadable date"]


def _split_record(n: int) -> dict:
    return {"ticker": f"T{n:04d}", "execution_date": "2024-06-10", "split_from": 1, "split_to": 2}


def test_reference_pages_keep_their_cursor_and_end_on_a_repeated_one(tmp_path):
    """Polygon pages with a cursor in `next_url`'s query: 2,500 splits, 1,000 a page."""
    with LocalServer() as server:
        pages = [[_split_record(n) for n in range(k, min(k + 1000, 2500))] for k in range(0, 2500, 1000)]
        server.routes["/v3/reference/splits"] = [
            Reply(json.dumps({"results": pages[0], "next_url": f"{server.url}/v3/reference/splits?cursor=p2"}).encode())
        ]
        server.routes["/v3/reference/splits?cursor=p2&apiKey=k"] = [
            Reply(json.dumps({"results": pages[1], "next_url": f"{server.url}/v3/reference/splits?cursor=p3"}).encode())
        ]
        # the last page names the second again: a server that loops is not followed round
        server.routes["/v3/reference/splits?cursor=p3&apiKey=k"] = [
            Reply(json.dumps({"results": pages[2], "next_url": f"{server.url}/v3/reference/splits?cursor=p2"}).encode())
        ]
        server.routes["/v3/reference/dividends"] = [Reply(json.dumps({"results": []}).encode())]
        client = PolygonClient(HttpClient(server.url, cache_dir=tmp_path), api_key="k")
        actions, _ = client.actions(None)
        paths = [p for p in server.paths() if "splits" in p]
    assert actions.height == 2500 and actions.get_column("ticker").n_unique() == 2500
    assert len(paths) == 3 and [p.split("?")[1].split("&")[0] for p in paths[1:]] == ["cursor=p2", "cursor=p3"]


def test_a_next_page_on_another_host_never_receives_the_api_key(tmp_path):
    with LocalServer() as server, LocalServer() as other:
        server.routes["/v2/aggs/ticker/AAPL/range/1/day/2023-01-03/2023-01-03"] = [
            Reply(json.dumps({"status": "OK", "results": [], "next_url": f"{other.url}/steal?cursor=x"}).encode())
        ]
        client = PolygonClient(HttpClient(server.url, cache_dir=tmp_path), api_key="pk_secret")
        with pytest.raises(HttpError, match="another host"):
            client.ticker_range("AAPL", date(2023, 1, 3), date(2023, 1, 3))
        assert other.paths() == []
    # an https API whose next page is plain http on the same host: not followed either
    https = HttpClient("https://api.example.test", cache_dir=tmp_path)
    fetched = []

    def fetch(url, params):
        fetched.append((url, params))
        return "page", "http://api.example.test/v3/reference/splits?cursor=x"

    with pytest.raises(HttpError, match="another host or scheme"):
        list(https.pages("/v3/reference/splits", {}, {"apiKey": "pk_secret"}, fetch))
    assert fetched == [("/v3/reference/splits", {"apiKey": "pk_secret"})]


def write_flat_files(frame: pl.DataFrame, root) -> None:
    """Polygon's day-aggregate flat files (`YYYY/MM/YYYY-MM-DD.csv.gz`, window_start at midnight New
    York in nanoseconds) holding `frame`'s rows (date, ticker, open, high, low, close, volume)."""
    midnight = pl.col("date").cast(pl.Datetime("ns")).dt.replace_time_zone("America/New_York")
    rows = frame.select(
        "date",
        "ticker",
        pl.col("volume").cast(pl.String),
        *(pl.col(c).cast(pl.String) for c in ("open", "close", "high", "low")),
        window_start=midnight.dt.epoch("ns").cast(pl.String),
        transactions=pl.lit("1000"),
    )
    for (day,), part in rows.group_by("date", maintain_order=True):
        path = root / f"{day:%Y}" / f"{day:%m}" / f"{day}.csv.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress(part.drop("date").write_csv().encode()))


@pytest.mark.real_data
def test_polygon_day_aggregate_flat_files_are_read_in_place_a_day_at_a_time(real_data, tmp_path):
    days = [date(2017, 3, 1), date(2017, 3, 2), date(2017, 3, 3)]
    real = (
        pl.read_csv(real_data / "prices" / "all_stocks_5yr.csv.gz", try_parse_dates=True)
        .rename({"Name": "ticker"})
        .filter(pl.col("date").is_in(days))
    )
    write_flat_files(real, tmp_path / "day_aggs_v1")
    reader = PolygonFlatFiles(tmp_path / "day_aggs_v1")
    bars, quarantined = reader.day(days[1])
    expected = real.filter((pl.col("date") == days[1]) & pl.all_horizontal(pl.all().is_not_null()))
    assert (
        bars.height == expected.height > 480
        and quarantined.height == real.filter(pl.col("date") == days[1]).height - expected.height
    )
    aapl = bars.filter(pl.col("ticker") == "AAPL").row(0, named=True)
    assert (aapl["open"], aapl["close"], aapl["volume"]) == tuple(
        expected.filter(pl.col("ticker") == "AAPL").select("open", "close", pl.col("volume").cast(pl.Float64)).row(0)
    )
    assert reader.ticker_range("AAPL", days[0], days[-1])[0].get_column("date").to_list() == days
    # a bad cell costs its row; a bar stamped on another day is not the file's
    path = tmp_path / "day_aggs_v1" / "2017" / "03" / "2017-03-03.csv.gz"
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    header = lines[0].split(",")
    bad = lines[1].split(",")
    bad[header.index("close")] = "n/a"
    other = lines[2].split(",")
    other[header.index("window_start")] = str(int(other[header.index("window_start")]) + 86_400 * 10**9)
    path.write_bytes(gzip.compress("\n".join([lines[0], ",".join(bad), ",".join(other), *lines[3:]]).encode()))
    bars, quarantined = reader.day(days[2])
    assert bars.height == len(lines) - 3 and quarantined.get_column("reason").to_list() == [
        "missing fields ['c']",
        f"window_start is on 2017-03-04, not on the file's day {days[2]}",
    ]
    path.write_bytes(path.read_bytes()[:200])  # a download cut short
    with pytest.raises(SourceFormatError, match="2017-03-03.csv.gz: cannot be read"):
        reader.day(days[2])
    with pytest.raises(
        FileNotFoundError,
        match=r"no day-aggregate file for 2017-03-06 \(expected 2017/03/2017-03-06.csv.gz; the folder holds 3 days "
        r"from 2017-03-01 to 2017-03-03\)",
    ):
        reader.day(date(2017, 3, 6))


def test_a_flat_files_folder_is_read_as_traded_and_refuses_another_basis(tmp_path):
    write_flat_files(
        pl.DataFrame(
            {
                "date": [date(2024, 3, 7)],
                "ticker": ["X"],
                "open": [1.0],
                "high": [2.0],
                "low": [0.5],
                "close": [1.5],
                "volume": [10],
            }
        ),
        tmp_path,
    )
    assert isinstance(MarketDataSource(mode="archive", archive_path=str(tmp_path)).reader(), PolygonFlatFiles)
    with pytest.raises(ValueError, match="flat files, which are as traded: IC_BARS_BASIS=split_adjusted"):
        MarketDataSource(mode="archive", archive_path=str(tmp_path), bars_basis="split_adjusted").reader()
