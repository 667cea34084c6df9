"""A live day, end to end: every source in live mode against local servers on 127.0.0.1 that serve
the demo universe as EDGAR, the market-data and news API and the ratings calendar serve theirs.

The platform loads the published days, then the servers publish a new trading day (bars, 10-Qs and
Form 4s in that day's form index, articles, ratings): the run for it reads only what that day
brought and the day's scores reach the serving database. The next day the news API is down: that
step fails, the news table keeps what it had, and the other sources' new day is in."""

import json
import shutil
from datetime import date

import dagster as dg
import pytest
import sqlalchemy

from ic_platform import settings
from ic_platform.definitions import defs, score_window
from ic_platform.defs.automation import new_day_selection
from ic_platform.defs.resources import source_resources
from ic_platform.defs.stores import store_resources
from ic_platform.demo.generator import DemoOptions, generate
from ic_platform.demo.publish import advance
from ic_platform.runner import materialize_window
from ic_platform.sources.edgar_files import FUNDAMENTAL_FORMS, parse_form_index
from ic_platform.tables import DAILY_BARS, INSIDER_TRANSACTIONS, NEWS_ARTICLES
from ic_platform.trading_days import last_trading_days, previous_trading_day
from ic_platform_tests.demo_server import DemoServer

pytestmark = pytest.mark.slow  # a whole live day through every asset


@pytest.fixture
def live(data_dir, tmp_path, monkeypatch):
    """A demo universe ending on the last trading day before today, two days held back, served live."""
    demo = tmp_path / "served" / "demo"
    manifest = generate(
        demo, DemoOptions(companies=20, years=1, seed=9, hold_back=2, end=previous_trading_day(date.today()))
    )
    with DemoServer(demo) as server:
        environment = {
            "IC_SOURCE_MODE": "live",
            "EDGAR_USER_AGENT": "IC Platform tests ops@example.com",
            "EDGAR_WWW_URL": server.url,
            "EDGAR_DATA_URL": server.url,
            "POLYGON_BASE_URL": server.url,
            "POLYGON_API_KEY": "test-key",
            "RATINGS_BASE_URL": server.url,
            "RATINGS_API_TOKEN": "test-token",
            "IC_SECTOR_MAP": str(demo / "sectors.csv"),
            "IC_13F_MANAGERS": ",".join(str(m["cik"]) for m in manifest["thirteenf_managers"]),
            "IC_FORM4_LOOKBACK_DAYS": "60",  # fewer requests: EDGAR's rate is 10 a second, the test's too
        }
        for variable, value in environment.items():
            monkeypatch.setenv(variable, value)
        wired = dg.Definitions(
            assets=defs.assets,
            asset_checks=defs.asset_checks,
            jobs=[score_window],
            resources={**source_resources(), **store_resources()},
        )
        yield server, demo, wired, manifest


def _scored_days() -> set[str]:
    engine = sqlalchemy.create_engine(settings.current().serving_database())
    with engine.connect() as connection:
        days = {str(day) for (day,) in connection.execute(sqlalchemy.text("SELECT DISTINCT date FROM scores"))}
    engine.dispose()
    return days


def _new_day(server, wired, day: str) -> dg.ExecuteInProcessResult:
    """The run for a new day: every raw table reads what is new, the day's features, scores and serving rows."""
    selection = new_day_selection(wired.get_repository_def())
    requests = len(server.paths)
    result = materialize_window(
        wired, date.fromisoformat(day), date.fromisoformat(day), dg.DagsterInstance.ephemeral(), False, False, selection
    )
    server.requested = server.paths[requests:]
    return result


def test_a_live_day_is_read_scored_and_served_and_a_source_down_keeps_its_data(live):
    server, demo, wired, manifest = live
    last = date.fromisoformat(manifest["last_day"])
    first = last_trading_days(last, 20)[0]  # the bars of 20 days (a request each); the other sources whole
    assert materialize_window(wired, first, last, dg.DagsterInstance.ephemeral(), progress=False).success
    assert last.isoformat() in _scored_days()
    news_before = NEWS_ARTICLES.scan().collect()

    day = advance(demo)["last_day"]
    index = (demo / "edgar" / "daily-index" / f"form.{day.replace('-', '')}.idx").read_text()
    result = _new_day(server, wired, day)
    assert result.success
    assert day in _scored_days()
    assert DAILY_BARS.scan(date.fromisoformat(day), date.fromisoformat(day)).collect().height > 0
    # the day's reads: its bars, its form index and the filings it lists, the news and ratings since the last read
    requested = server.requested
    assert any(path.startswith(f"/v2/aggs/grouped/locale/us/market/stocks/{day}") for path in requested)
    assert any(f"form.{day.replace('-', '')}.idx" in path for path in requested)
    listed = parse_form_index(index, "index")
    filers = {f["cik"] for f in listed if f["form"] in FUNDAMENTAL_FORMS}
    facts_read = [path for path in requested if path.startswith("/api/xbrl/companyfacts/")]
    assert len(facts_read) == len(filers)  # the companies that filed that day, no other
    fetched = {
        path.rsplit("/", 1)[1].removesuffix(".txt") for path in requested if path.startswith("/Archives/edgar/data/")
    }
    assert fetched <= {f["accession"] for f in listed}  # the day's filings, not every issuer's or manager's history
    form4s = {f["accession"] for f in listed if f["form"] == "4"}
    assert form4s <= set(INSIDER_TRANSACTIONS.scan().collect().get_column("accession"))
    assert NEWS_ARTICLES.scan().collect().height >= news_before.height

    news_held = NEWS_ARTICLES.scan().collect()
    server.down.add("news")
    # a read asks for what was published from the newest article held up to today: when the day
    # brought no article, this run (the same day here) sends the last run's request, which the
    # hour-long response cache, or with the source down its stale copy, would answer. The next real
    # day's request names another day, which no cache holds.
    shutil.rmtree(settings.current().data_root() / "cache" / "news")
    next_day = advance(demo)["last_day"]
    outage = _new_day(server, wired, next_day)
    assert not outage.success
    failed = {e.step_key for e in outage.all_events if e.is_step_failure}
    assert failed == {"news_articles"}
    assert NEWS_ARTICLES.scan().collect().equals(news_held)  # the outage replaced nothing
    assert DAILY_BARS.scan(date.fromisoformat(next_day), date.fromisoformat(next_day)).collect().height > 0
    assert next_day not in _scored_days()  # no score is computed without the day's news
    assert json.loads((demo / "manifest.json").read_text())["last_day"] == next_day
