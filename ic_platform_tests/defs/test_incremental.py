"""Raw tables read incrementally: a run after new days reads only what they published (news and
ratings since the newest record held, filings from EDGAR's daily form indexes), and its tables
equal those of a full rebuild over the same files."""

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from ic_platform.defs.news.assets import analyst_ratings, news_articles
from ic_platform.defs.ownership.assets import sec_13f, sec_form4
from ic_platform.defs.resources import EdgarSource, NewsSource, RatingsSource
from ic_platform.defs.sec.assets import fundamental_states, fundamentals_pit, sec_companies, sec_companyfacts
from ic_platform.defs.stores import TableStore
from ic_platform.demo.generator import DemoOptions, generate
from ic_platform.demo.publish import advance
from ic_platform.sources.archives import DocumentFolder
from ic_platform.sources.edgar_files import FUNDAMENTAL_FORMS, parse_form_index
from ic_platform.storage import quarantine_table
from ic_platform.tables import (
    ANALYST_RATINGS,
    COMPANIES,
    COMPANY_FACTS,
    CUSIP_TICKERS,
    FUNDAMENTAL_STATES,
    FUNDAMENTALS_PIT,
    INSIDER_TRANSACTIONS,
    NEWS_ARTICLES,
    THIRTEENF_FILINGS,
    THIRTEENF_HOLDINGS,
)

pytestmark = pytest.mark.slow  # rebuilds compared with incremental runs

RESOURCES = {"table_store": TableStore(), "news": NewsSource(), "ratings": RatingsSource(), "edgar": EdgarSource()}
FEEDS = (news_articles, analyst_ratings)
FILINGS = (sec_companyfacts, sec_form4, fundamentals_pit, fundamental_states, sec_13f)


def _read(assets, full_refresh: bool = False) -> dict[str, dict]:
    """Materialize the raw tables (after sec_companies); each one's metadata."""
    config = {"ops": {a.node_def.name: {"config": {"full_refresh": full_refresh}} for a in (sec_companies, *assets)}}
    result = dg.materialize([sec_companies, *assets], resources=RESOURCES, run_config=config)
    assert result.success
    return {
        e.asset_key.path[-1]: e.step_materialization_data.materialization.metadata
        for e in result.get_asset_materialization_events()
    }


def _tables(tables) -> dict[str, pl.DataFrame]:
    frames = {}
    for table in tables:
        rows = table.scan().collect()
        frames[table.name] = rows.sort(rows.columns)
        quarantined = quarantine_table(table).scan().collect()
        frames[f"{table.name} quarantine"] = quarantined.sort(quarantined.columns)
    return frames


def _copy_of_an_old_article(demo: Path, day: date) -> str:
    """An article published on `day` at 12:00 UTC under a new id with the URL of one a month older."""
    months = sorted((demo / "polygon" / "news").glob("*.json"))
    old = json.loads(months[-3].read_text())["results"][0]
    latest = json.loads(months[-1].read_text())
    latest["results"].append(old | {"id": "a-late-copy", "published_utc": f"{day}T12:00:00Z"})
    months[-1].write_text(json.dumps(latest))
    return old["article_url"]


@pytest.fixture
def held_back_demo(data_dir) -> Path:
    demo = data_dir / "demo"
    generate(demo, DemoOptions(companies=20, years=1, seed=5, hold_back=5))
    return demo


def test_news_and_ratings_after_new_days_read_only_them_and_equal_a_full_rebuild(held_back_demo):
    first = _read(FEEDS)
    assert {first[a.key.path[-1]]["read"].value for a in FEEDS} == {"the whole history"}
    manifest = advance(held_back_demo, days=5)
    url = _copy_of_an_old_article(held_back_demo, date.fromisoformat(manifest["last_day"]))
    second = _read(FEEDS)
    for name in ("news_articles", "analyst_ratings"):
        metadata = second[name]
        assert metadata["read"].value.startswith("since "), name
        since = datetime.fromisoformat(metadata["read"].value.removeprefix("since "))
        assert metadata["rows_kept"].value > 0 and metadata["records_read"].value < first[name]["records_read"].value
        assert since.date() >= date.fromisoformat(manifest["last_day"]) - timedelta(days=20)
    incremental = _tables((NEWS_ARTICLES, ANALYST_RATINGS))
    copies = incremental["news_articles quarantine"].filter(pl.col("record") == url)
    assert copies.get_column("reason").str.starts_with("same URL as").any()  # the copy of an article held
    assert "a-late-copy" not in incremental["news_articles"].get_column("article_id").to_list()
    rebuilt = _read(FEEDS, full_refresh=True)
    assert {rebuilt[a.key.path[-1]]["read"].value for a in FEEDS} == {"the whole history"}
    for name, frame in _tables((NEWS_ARTICLES, ANALYST_RATINGS)).items():
        assert frame.equals(incremental[name]), name


def test_filings_after_new_days_come_from_the_daily_indexes_and_equal_a_full_rebuild(data_dir):
    held_back_demo = data_dir / "demo"  # the last 60 days hold the 10-Qs of August and a 10-K of October
    generate(held_back_demo, DemoOptions(companies=20, years=1, seed=5, hold_back=60))
    first = _read(FILINGS)
    assert (
        first["sec_form4"]["read"].value == "every issuer" and first["sec_companyfacts"]["companies_read"].value == 20
    )
    published_through = json.loads((held_back_demo / "manifest.json").read_text())["last_day"].replace("-", "")
    manifest = advance(held_back_demo, days=60)
    second = _read(FILINGS)
    assert second["sec_form4"]["read"].value.startswith("daily indexes after ")
    assert first["sec_13f"]["read"].value == "every manager"
    assert second["sec_13f"]["read"].value.startswith("daily indexes after ")  # the new 13F-HRs only
    indexes = [p for p in (held_back_demo / "edgar" / "daily-index").glob("*.idx") if p.stem[5:] > published_through]
    filers = {
        f["cik"] for p in indexes for f in parse_form_index(p.read_text(), p.name) if f["form"] in FUNDAMENTAL_FORMS
    }
    assert second["sec_companyfacts"]["companies_read"].value == len(filers) > 0  # only those that filed
    assert second["fundamentals_pit"]["companies_rebuilt"].value <= len(filers)  # whose facts changed
    any_filers = {f["cik"] for p in indexes for f in parse_form_index(p.read_text(), p.name)}
    universe = set(COMPANIES.scan().collect().get_column("cik"))
    assert first["sec_companies"]["submissions_read"].value == len(universe)
    assert second["sec_companies"]["submissions_read"].value == len(any_filers & universe)
    assert COMPANY_FACTS.manifest()["indexed_through"] == manifest["last_day"]
    new_form4s = INSIDER_TRANSACTIONS.scan().filter(pl.col("filed").dt.strftime("%Y%m%d") > published_through)
    assert new_form4s.collect().height > 0
    digests = FUNDAMENTALS_PIT.manifest()["digests"]
    assert sorted(int(cik) for cik in digests) == sorted(COMPANY_FACTS.scan().collect().get_column("cik").unique())
    tables = (
        COMPANIES,
        COMPANY_FACTS,
        INSIDER_TRANSACTIONS,
        FUNDAMENTALS_PIT,
        FUNDAMENTAL_STATES,
        THIRTEENF_HOLDINGS,
        THIRTEENF_FILINGS,
        CUSIP_TICKERS,
    )
    incremental = _tables(tables)
    third = _read(FILINGS)  # no new day: nothing read, nothing rebuilt
    assert third["sec_companyfacts"]["companies_read"].value == 0 and "unchanged" in third["sec_13f"]
    assert third["fundamentals_pit"]["companies_rebuilt"].value == third["sec_companies"]["submissions_read"].value == 0
    assert all(frame.equals(incremental[name]) for name, frame in _tables(tables).items())
    _read(FILINGS, full_refresh=True)
    for name, frame in _tables(tables).items():
        assert frame.equals(incremental[name]), name


def test_a_full_read_of_the_demo_files_reads_every_month_and_an_incremental_one_the_recent_ones(held_back_demo):
    folder = DocumentFolder(held_back_demo / "polygon" / "news")
    every = folder.documents(None, date.today())
    recent = folder.documents(date(2026, 10, 1), date.today())
    assert len(every) == 13 and [name for name, _ in recent] == ["2026-10.json"]
