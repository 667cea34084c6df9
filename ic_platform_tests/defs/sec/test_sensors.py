import dagster as dg
import pytest

from ic_platform.defs.filings_feed import new_filings
from ic_platform.defs.resources import EdgarSource
from ic_platform.defs.sec.assets import sec_companies
from ic_platform.defs.sec.sensors import sec_filings_sensor
from ic_platform.defs.stores import TableStore
from ic_platform.sources.edgar import parse_current_filings
from ic_platform.tables import COMPANIES
from ic_platform_tests.local_server import LocalServer, Reply

PAGES = ("getcurrent_type4_start0.atom.xml", "getcurrent_type4_start100.atom.xml", "getcurrent_type4_start200.atom.xml")


@pytest.fixture
def feed_pages(real_data) -> list[bytes]:
    return [(real_data / "sec_form4" / name).read_bytes() for name in PAGES]


@pytest.mark.real_data
def test_the_real_feed_parses(feed_pages):
    entries = [e for page in feed_pages for e in parse_current_filings(page, "feed")]
    assert len(entries) == 300
    first = entries[0]
    assert (first["form"], first["cik"], first["name"], first["role"], first["accession"]) == (
        "4",
        2063236,
        "Perez Daniel Antonio",
        "Reporting",
        "0002063236-25-000004",
    )
    assert first["updated"].isoformat() == "2025-12-12T18:02:43-05:00"
    filings, cursor = new_filings(entries, {}, ("4",))
    assert {"4", "4/A", "424B2"} <= {e["form"] for e in entries}
    assert len(filings) == sum(e["form"] == "4" for e in entries) and cursor["updated"] == "2025-12-12T18:02:43-05:00"
    again, same = new_filings(entries, cursor, ("4",))
    assert again == [] and same["updated"] == cursor["updated"]


def as_fundamental_filing(page: bytes, cik: int, form: str) -> bytes:
    """The page with its first entry turned into a `form` filing by company `cik`."""
    text = page.decode("latin-1")
    text = text.replace(
        "<title>4 - Perez Daniel Antonio (0002063236) (Reporting)</title>",
        f"<title>{form} - DEMO CO ({cik:010d}) (Filer)</title>",
        1,
    )
    text = text.replace('label="form type" term="4"', f'label="form type" term="{form}"', 1)
    return text.encode("latin-1")


@pytest.mark.real_data
def test_the_sensor_requests_the_companies_and_partitions_new_filings_touch(feed_pages, demo_data_dir, tmp_path):
    assert dg.materialize([sec_companies], resources={"table_store": TableStore(), "edgar": EdgarSource()}).success
    cik = COMPANIES.scan().collect().get_column("cik")[0]
    pages = [as_fundamental_filing(feed_pages[0], cik, "10-Q"), *feed_pages[1:]]
    with LocalServer() as server:
        server.routes["/cgi-bin/browse-edgar"] = (
            [Reply(p) for p in pages] + [Reply(p) for p in pages] + [Reply(p) for p in pages]
        )
        live = EdgarSource(
            mode="live",
            user_agent="IC Platform tests ops@example.com",
            www_url=server.url,
            data_url=server.url,
            cache_dir=str(tmp_path / "cache"),
        )
        with dg.build_sensor_context(resources={"edgar": live}) as context:
            first = sec_filings_sensor(context)
            assert [r.partition_key for r in first.run_requests] == ["2025-12-15"]  # filed Friday evening: known Monday
            assert first.run_requests[0].tags["ic/ciks"] == str(cik)
            assert first.run_requests[0].tags["ic/forms"] == "10-Q"
        with dg.build_sensor_context(resources={"edgar": live}, cursor=first.cursor) as context:
            second = sec_filings_sensor(context)
            assert second.run_requests == []  # nothing new since the cursor
        assert all(
            headers.get("User-Agent") == "IC Platform tests ops@example.com" for _, _, headers in server.requests
        )
        assert "type=&" in server.requests[0][1] and "output=atom" in server.requests[0][1]


def test_the_sensor_skips_outside_live_mode(demo_data_dir):
    with dg.build_sensor_context(resources={"edgar": EdgarSource()}) as context:
        result = sec_filings_sensor(context)
    assert isinstance(result, dg.SkipReason) and "live mode" in result.skip_message


@pytest.mark.real_data
def test_the_form4_sensor_requests_insider_refreshes_for_issuers_in_the_universe(feed_pages, demo_data_dir, tmp_path):
    from ic_platform.defs.ownership.sensors import form4_filings_sensor

    assert dg.materialize([sec_companies], resources={"table_store": TableStore(), "edgar": EdgarSource()}).success
    cik = COMPANIES.scan().collect().get_column("cik")[0]
    issuer = next(e for e in parse_current_filings(feed_pages[0], "feed") if e["role"] == "Issuer")
    page = (
        feed_pages[0]
        .decode("latin-1")
        .replace(f"({issuer['cik']:010d}) (Issuer)", f"({cik:010d}) (Issuer)")
        .encode("latin-1")
    )
    with LocalServer() as server:
        server.routes["/cgi-bin/browse-edgar"] = [Reply(p) for p in (page, *feed_pages[1:])] * 2
        live = EdgarSource(
            mode="live",
            user_agent="IC Platform tests ops@example.com",
            www_url=server.url,
            data_url=server.url,
            cache_dir=str(tmp_path / "cache"),
        )
        with dg.build_sensor_context(resources={"edgar": live}) as context:
            first = form4_filings_sensor(context)
        assert len(first.run_requests) == 1 and first.run_requests[0].tags["ic/ciks"] == str(cik)
        assert first.run_requests[0].partition_key == "2025-12-15" and first.run_requests[0].job_name in (
            None,
            "refresh_insiders",
        )
        assert "type=4&" in server.requests[0][1]
        with dg.build_sensor_context(resources={"edgar": live}, cursor=first.cursor) as context:
            assert form4_filings_sensor(context).run_requests == []


@pytest.mark.parametrize("job", ["refresh_fundamentals", "refresh_insiders"])
def test_the_filings_sensors_runs_reach_the_scores_and_serving(job):
    from ic_platform.definitions import defs

    selected = {key.to_user_string() for key in defs.resolve_job_def(job).asset_layer.selected_asset_keys}
    assert {"factor_scores", "ic_scores", "serving_scores"} <= selected and "score_evaluation" not in selected
