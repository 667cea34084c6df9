import gzip
import json
import zipfile

import pytest

from ic_platform.sources.documents import SourceFormatError
from ic_platform.sources.edgar import EdgarClient, EdgarFolder, EdgarZipArchive, parse_current_filings
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


def test_demo_folders_read_like_edgar(small_demo):
    reader = EdgarFolder(small_demo / "edgar")
    ciks = reader.companyfacts_ciks()
    assert len(ciks) == 30
    assert json.loads(reader.companyfacts(ciks[0]))["cik"] == ciks[0]


def test_a_broken_feed_is_a_clear_error():
    with pytest.raises(SourceFormatError, match="malformed Atom feed"):
        parse_current_filings(b"<feed><entry>", "feed")
