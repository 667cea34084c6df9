"""News and ratings read incrementally: a run after new days reads only what they published, and
its tables equal those of a full rebuild over the same files."""

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from ic_platform.defs.news.assets import analyst_ratings, news_articles
from ic_platform.defs.resources import NewsSource, RatingsSource
from ic_platform.demo.generator import DemoOptions, generate
from ic_platform.demo.publish import advance
from ic_platform.sources.documents import JsonFolder
from ic_platform.storage import quarantine_table
from ic_platform.tables import ANALYST_RATINGS, NEWS_ARTICLES

RESOURCES = {"news": NewsSource(), "ratings": RatingsSource()}
TABLES = (NEWS_ARTICLES, ANALYST_RATINGS)


def _read(full_refresh: bool = False) -> dict[str, dict]:
    """Materialize both raw tables; each one's metadata."""
    config = {
        "ops": {a.key.path[-1]: {"config": {"full_refresh": full_refresh}} for a in (news_articles, analyst_ratings)}
    }
    result = dg.materialize([news_articles, analyst_ratings], resources=RESOURCES, run_config=config)
    assert result.success
    return {m.asset_key.path[-1]: m.metadata for m in result.asset_materializations_for_node("news_articles")} | {
        m.asset_key.path[-1]: m.metadata for m in result.asset_materializations_for_node("analyst_ratings")
    }


def _tables() -> dict[str, pl.DataFrame]:
    frames = {}
    for table in TABLES:
        frames[table.name] = table.scan().collect()
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


def test_a_run_after_new_days_reads_only_them_and_equals_a_full_rebuild(held_back_demo):
    first = _read()
    assert {m["read"].value for m in first.values()} == {"the whole history"}
    manifest = advance(held_back_demo, days=5)
    url = _copy_of_an_old_article(held_back_demo, date.fromisoformat(manifest["last_day"]))
    second = _read()
    for name, metadata in second.items():
        assert metadata["read"].value.startswith("since "), name
        since = datetime.fromisoformat(metadata["read"].value.removeprefix("since "))
        assert metadata["rows_kept"].value > 0 and metadata["records_read"].value < first[name]["records_read"].value
        assert since.date() >= date.fromisoformat(manifest["last_day"]) - timedelta(days=20)
    incremental = _tables()
    copies = incremental["news_articles quarantine"].filter(pl.col("record") == url)
    assert copies.get_column("reason").str.starts_with("same URL as").any()  # the copy of an article held
    assert "a-late-copy" not in incremental["news_articles"].get_column("article_id").to_list()
    rebuilt = _read(full_refresh=True)
    assert {m["read"].value for m in rebuilt.values()} == {"the whole history"}
    for name, frame in _tables().items():
        assert frame.equals(incremental[name]), name


def test_a_full_read_of_the_demo_files_reads_every_month_and_an_incremental_one_the_recent_ones(held_back_demo):
    folder = JsonFolder(held_back_demo / "polygon" / "news")
    every = folder.documents(None, date.today())
    recent = folder.documents(date(2026, 10, 1), date.today())
    assert len(every) == 13 and [name for name, _ in recent] == ["2026-10.json"]
