import gzip
import io
import json
import zipfile
from datetime import date

import pytest

from ic_platform.sources.documents import SourceFormatError
from ic_platform.sources.edgar import (
    BULK_ARCHIVES,
    EdgarBulk,
    EdgarClient,
    EdgarFolder,
    EdgarZipArchive,
    parse_current_filings,
)
from ic_platform.sources.edgar_files import parse_form_index
from ic_platform.sources.http import HttpError
from ic_platform_tests.local_server import LocalServer, Reply

AGENT = "IC Platform tests ops@example.com"


def real(real_data, *parts) -> bytes:
    return gzip.decompress(real_data.joinpath(*parts).read_bytes())


def test_live_mode_needs_a_declared_user_agent():
    with pytest.raises(ValueError, match="EDGAR_USER_AGENT"):
        EdgarClient("")
    with pytest.raises(ValueError, match="contact e-mail"):
        EdgarClient("Acme Research")


@pytest.mark.real_data
def test_live_client_reads_tickers_submissions_with_overflow_pages_and_companyfacts(real_data, tmp_path):
    tsla = real(real_data, "sec_submissions", "CIK0001318605_TSLA.json.gz")
    page = real(real_data, "sec_submissions", "CIK0001318605-submissions-001_TSLA_page001.json.gz")
    with LocalServer() as server:
        server.routes["/files/company_tickers.json"] = [
            Reply(real(real_data, "sec_submissions", "company_tickers.json.gz"))
        ]
        server.routes["/submissions/CIK0001318605.json"] = [Reply(status=503), Reply(tsla)]
        server.routes["/submissions/CIK0001318605-submissions-001.json"] = [Reply(page)]
        server.routes["/api/xbrl/companyfacts/CIK0000320193.json"] = [
            Reply(real(real_data, "sec_companyfacts", "CIK0000320193_AAPL.json.gz"))
        ]
        client = EdgarClient(AGENT, server.url, server.url, cache_dir=tmp_path)
        client.www.backoff_seconds = client.data.backoff_seconds = 0.01
        assert b'"AAPL"' in client.company_tickers()
        submissions = client.submissions(1318605)
        facts = client.companyfacts(320193)
        assert client.companyfacts(1) is None  # 404: EDGAR has none
        assert client.companyfacts(320193) == facts  # from the cache, no new request
        assert all(headers["User-Agent"] == AGENT for _, _, headers in server.requests)
        assert server.paths().count("/api/xbrl/companyfacts/CIK0000320193.json") == 1
    recent = json.loads(tsla)["filings"]["recent"]
    overflow = json.loads(page)
    assert len(submissions["filings"]["recent"]["accessionNumber"]) == len(recent["accessionNumber"]) + len(
        overflow["accessionNumber"]
    )
    assert json.loads(facts)["entityName"] == "Apple Inc."


@pytest.mark.real_data
def test_archive_mode_reads_bulk_zips_without_unpacking(real_data, tmp_path):
    with zipfile.ZipFile(tmp_path / "companyfacts.zip", "w") as archive:
        archive.writestr("CIK0000320193.json", real(real_data, "sec_companyfacts", "CIK0000320193_AAPL.json.gz"))
    with zipfile.ZipFile(tmp_path / "submissions.zip", "w") as archive:
        archive.writestr("CIK0000320193.json", real(real_data, "sec_submissions", "CIK0000320193_AAPL.json.gz"))
    reader = EdgarZipArchive(tmp_path)
    assert reader.companyfacts_ciks() == [320193]
    assert json.loads(reader.companyfacts(320193))["cik"] == 320193
    assert reader.submissions(320193)["sic"] == "3571"
    assert reader.companyfacts(1) is None and reader.submissions(1) is None


def _zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.real_data
def test_a_whole_universe_reads_the_bulk_archives_downloaded_only_when_they_changed(real_data, tmp_path):
    facts = _zipped({"CIK0000320193.json": real(real_data, "sec_companyfacts", "CIK0000320193_AAPL.json.gz")})
    submissions = _zipped(
        {
            "CIK0001318605.json": real(real_data, "sec_submissions", "CIK0001318605_TSLA.json.gz"),
            "CIK0001318605-submissions-001.json": real(
                real_data, "sec_submissions", "CIK0001318605-submissions-001_TSLA_page001.json.gz"
            ),
        }
    )
    changed = {"ETag": '"v1"', "Last-Modified": "Thu, 03 Dec 2026 08:00:00 GMT"}
    with LocalServer() as server:
        server.routes[BULK_ARCHIVES["companyfacts"]] = [Reply(facts, headers=changed), Reply(b"", status=304)]
        server.routes[BULK_ARCHIVES["submissions"]] = [Reply(submissions, headers=changed), Reply(b"", status=304)]
        client = EdgarClient(AGENT, server.url, server.url, cache_dir=tmp_path / "cache")
        bulk = EdgarBulk(client, tmp_path / "bulk")
        assert json.loads(bulk.companyfacts(320193))["entityName"] == "Apple Inc."
        assert len(bulk.submissions(1318605)["filings"]["recent"]["accessionNumber"]) > 1000  # with its page
        assert bulk.companyfacts(1) is None
        # the next day: EDGAR is asked whether the archives changed, and says not
        for name in BULK_ARCHIVES:
            meta = tmp_path / "bulk" / f"{name}.zip.json"
            meta.write_text(json.dumps(json.loads(meta.read_text()) | {"stored_at": 0}))
        EdgarBulk(client, tmp_path / "bulk")
        asked = [headers for _, path, headers in server.requests if path in BULK_ARCHIVES.values()]
    assert server.paths().count(BULK_ARCHIVES["companyfacts"]) == 2 and not any("/api/" in p for p in server.paths())
    assert all(h.get("If-None-Match") == '"v1"' and h["Accept-Encoding"] == "identity" for h in asked[2:])
    assert (tmp_path / "bulk" / "companyfacts.zip").read_bytes() == facts


def test_a_failed_or_broken_download_keeps_the_archive_it_had(tmp_path):
    good = _zipped({"CIK0000000001.json": b"{}"})
    target = tmp_path / "companyfacts.zip"
    from ic_platform.sources.edgar import _whole_zip
    from ic_platform.sources.http import HttpClient, stale_served_mark, stale_served_since

    with LocalServer() as server:
        server.routes["/a.zip"] = [
            Reply(good, headers={"ETag": '"1"'}),
            Reply(good[:-40], headers={"ETag": '"2"'}),  # a body that is not a whole zip
            Reply(status=503),
        ]
        http = HttpClient(server.url, attempts=2, backoff_seconds=0.01)
        assert http.download("/a.zip", target, max_age=0, check=_whole_zip) is True
        with pytest.raises(HttpError, match="not a whole zip archive"):
            http.download("/a.zip", target, max_age=0, check=_whole_zip)
        mark = stale_served_mark()
        assert http.download("/a.zip", target, max_age=0, check=_whole_zip) is False  # EDGAR is down
        assert stale_served_since(mark) == [f"{server.url}/a.zip"]
    assert target.read_bytes() == good and not (tmp_path / "companyfacts.zip.partial").exists()


def test_demo_folders_read_like_edgar(small_demo):
    reader = EdgarFolder(small_demo / "edgar")
    ciks = reader.companyfacts_ciks()
    assert len(ciks) == 30
    assert json.loads(reader.companyfacts(ciks[0]))["cik"] == ciks[0]


def test_a_broken_feed_is_a_clear_error():
    with pytest.raises(SourceFormatError, match="malformed Atom feed"):
        parse_current_filings(b"<feed><entry>", "feed")


def test_live_daily_form_indexes_are_read_by_quarter_and_a_missing_day_is_none(tmp_path):
    from datetime import date, timedelta

    from ic_platform.sources.edgar_files import form_index_text, parse_form_index

    filing = {"form": "4", "name": "APPLE INC", "cik": 320193, "accession": "0000320193-26-000105"}
    with LocalServer() as server:
        server.routes["/Archives/edgar/daily-index/2026/QTR4/form.20261103.idx"] = [
            Reply(form_index_text(date(2026, 11, 3), [filing]).encode())
        ]
        client = EdgarClient(AGENT, server.url, server.url, cache_dir=tmp_path)
        text = client.form_index(date(2026, 11, 3))
        assert client.form_index(date(2026, 11, 7)) is None  # a Saturday: EDGAR has no index (404)
    assert parse_form_index(text, "index") == [filing | {"filed": date(2026, 11, 3)}]
    two_days_ago = date.today() - timedelta(days=2)
    with LocalServer() as server:  # yesterday's index is not out yet: the newest is the day before
        quarter = f"{two_days_ago.year}/QTR{(two_days_ago.month - 1) // 3 + 1}"
        server.routes[f"/Archives/edgar/daily-index/{quarter}/form.{two_days_ago:%Y%m%d}.idx"] = [
            Reply(form_index_text(two_days_ago, [filing]).encode())
        ]
        assert EdgarClient(AGENT, server.url, server.url).indexed_through() == two_days_ago
    with pytest.raises(SourceFormatError, match="not an EDGAR form index"):
        parse_form_index("<html>Too many requests</html>", "index")
    with pytest.raises(SourceFormatError, match="line 11 is not a filing"):
        parse_form_index(text + "garbage line\n", "index")


def test_form_indexes_read_in_edgars_layouts_daily_or_quarterly(small_demo, tmp_path):
    flat = EdgarFolder(small_demo / "edgar")
    days = sorted(
        date(int(p.name[5:9]), int(p.name[9:11]), int(p.name[11:13]))
        for p in (small_demo / "edgar" / "daily-index").glob("form.*.idx")
    )
    quarter_days = [d for d in days if (d.year, (d.month - 1) // 3) == (days[-1].year, (days[-1].month - 1) // 3)]
    nested, quarterly = tmp_path / "nested", tmp_path / "quarterly"
    lines = []
    for day in quarter_days:
        text = flat.form_index(day)
        path = nested / "daily-index" / f"{day:%Y}" / f"QTR{(day.month - 1) // 3 + 1}" / f"form.{day:%Y%m%d}.idx"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        lines += [line.replace(f"{day:%Y%m%d}", f"{day:%Y-%m-%d}") for line in text.splitlines()[9:]]
    full = quarterly / "full-index" / f"{days[-1]:%Y}" / f"QTR{(days[-1].month - 1) // 3 + 1}" / "form.idx"
    full.parent.mkdir(parents=True)
    header = flat.form_index(quarter_days[0]).splitlines()[:9]
    full.write_text("\n".join(header + lines) + "\n")  # EDGAR's full index writes dates as 2024-01-02
    last_filed = max(d for d in quarter_days if parse_form_index(flat.form_index(d), "flat"))
    for folder, through in ((EdgarFolder(nested), quarter_days[-1]), (EdgarFolder(quarterly), last_filed)):
        assert folder.indexed_through() == through  # a full index knows only the days that had filings
        for day in quarter_days[:: max(1, len(quarter_days) // 5)]:
            expected = parse_form_index(flat.form_index(day), "flat")
            text = folder.form_index(day)  # None: a quarterly index lists no filing that day
            assert sorted(parse_form_index(text, "read") if text else [], key=str) == sorted(expected, key=str)
    assert EdgarFolder(quarterly).form_index(date(2001, 1, 2)) is None
