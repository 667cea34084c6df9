"""The insider, institutional, analyst and news assets on the demo universe, and their point-in-time checks."""

import json
from datetime import UTC, datetime, time, timedelta

import dagster as dg
import polars as pl
import pytest

from ic_platform.definitions import defs
from ic_platform.defs.freshness import FRESHNESS_CHECKS
from ic_platform.defs.news.assets import news_articles, news_sentiment_daily
from ic_platform.runner import materialize_window
from ic_platform.tables import (
    ANALYST_DAILY,
    CUSIP_TICKERS,
    INSIDER_DAILY,
    INSIDER_TRANSACTIONS,
    INSTITUTIONAL_DAILY,
    NEWS_ARTICLES,
    NEWS_SENTIMENT_DAILY,
    THIRTEENF_FILINGS,
    THIRTEENF_HOLDINGS,
)
from ic_platform.trading_days import previous_trading_day
from ic_platform_tests.defs.market.test_assets import demo_days

pytestmark = pytest.mark.slow  # materializations of the raw and daily alternative data

RANGE_TAGS = ("dagster/asset_partition_range_start", "dagster/asset_partition_range_end")


@pytest.fixture
def graph_days(demo_data_dir):
    days = demo_days(demo_data_dir)[-8:]
    assert materialize_window(defs, days[0], days[-1], dg.DagsterInstance.ephemeral(), progress=False).success
    return days


def run_checks(asset_names: list[str], start, end) -> dict[str, dg.AssetCheckEvaluation]:
    assets = [a for a in defs.resolve_asset_graph().assets_defs]
    # the point-in-time checks (not the freshness ones, which ask about today)
    selection = dg.AssetSelection.checks_for_assets(*asset_names) - dg.AssetSelection.checks(*FRESHNESS_CHECKS)
    result = dg.materialize(
        assets,
        selection=selection,
        tags=dict(zip(RANGE_TAGS, (start.isoformat(), end.isoformat()))),
        raise_on_error=False,
    )
    return {e.asset_key.to_user_string(): e for e in result.get_asset_check_evaluations()}


def test_raw_alternative_data_is_parsed_from_the_demo_files(graph_days, demo_data_dir):
    manifest = json.loads((demo_data_dir / "demo" / "manifest.json").read_text())
    transactions = INSIDER_TRANSACTIONS.scan().collect()
    assert transactions.get_column("accession").n_unique() == manifest["form4_filings"]
    assert (transactions.get_column("knowledge_date") > transactions.get_column("filed")).all()
    joint = transactions.filter(pl.col("owner_count") > 1)
    assert joint.height > 0 and joint.group_by("accession").len().get_column("len").min() == 2
    filings, holdings = THIRTEENF_FILINGS.scan().collect(), THIRTEENF_HOLDINGS.scan().collect()
    assert filings.get_column("manager_cik").n_unique() == len(manifest["thirteenf_managers"])
    assert set(filings.get_column("value_multiplier")) == {1}  # the one-year demo was filed after the switch to dollars
    assert (
        holdings.get_column("ticker").null_count() == 0
        and CUSIP_TICKERS.scan().collect().height == holdings.get_column("cusip").n_unique()
    )
    articles = NEWS_ARTICLES.scan().collect()
    assert (
        articles.get_column("article_url").n_unique()
        == articles.get_column("article_id").n_unique()
        < manifest["news_articles"]
    )
    assert articles.get_column("sentiment").is_between(-1, 1).all()


def test_the_daily_checks_fail_when_a_row_uses_a_future_input(graph_days):
    start, end = graph_days[0], graph_days[-1]
    tables = {
        "insider_daily": INSIDER_DAILY,
        "institutional_daily": INSTITUTIONAL_DAILY,
        "analyst_daily": ANALYST_DAILY,
        "news_sentiment_daily": NEWS_SENTIMENT_DAILY,
    }
    assert all(e.passed for e in run_checks(list(tables), start, end).values())
    for table in tables.values():
        rows = table.scan(start, end).collect()
        leaky = rows.with_columns(
            inputs_knowledge_date=pl.when(pl.col("ticker") == rows["ticker"][0])
            .then(pl.col("date") + timedelta(days=1))
            .otherwise("inputs_knowledge_date")
        )
        table.write(leaky, start, end)
    outcome = run_checks(list(tables), start, end)
    assert set(outcome) == set(tables) and not any(e.passed for e in outcome.values())
    assert all(e.metadata["rows_with_future_inputs"].value > 0 for e in outcome.values())


def test_an_article_published_after_the_open_counts_only_from_the_next_day(graph_days, demo_data_dir):
    day = graph_days[-1]
    ticker = NEWS_ARTICLES.scan().collect().get_column("ticker")[0]
    after_open = datetime.combine(previous_trading_day(day), time(14, 45), UTC) + timedelta(
        days=1
    )  # D at 10:45 New York
    article = {
        "id": "future-1",
        "publisher": {"name": "Wire"},
        "title": "Breaking: record profit and strong growth",
        "description": "",
        "published_utc": after_open.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "article_url": "https://x/future-1",
        "tickers": [ticker],
    }
    (demo_data_dir / "demo" / "polygon" / "news" / "zz-future.json").write_text(json.dumps({"results": [article]}))
    before = NEWS_SENTIMENT_DAILY.scan(day, day).filter(pl.col("ticker") == ticker).collect()
    tags = dict(zip(RANGE_TAGS, (day.isoformat(), day.isoformat())))
    assert dg.materialize([news_articles, news_sentiment_daily], resources=defs.resources, tags=tags).success
    assert NEWS_SENTIMENT_DAILY.scan(day, day).filter(pl.col("ticker") == ticker).collect().equals(before)
    assert NEWS_ARTICLES.scan().filter(pl.col("article_id") == "future-1").collect().get_column(
        "knowledge_date"
    ).to_list() == [day + timedelta(days=1) if day.weekday() < 4 else day + timedelta(days=3)]
