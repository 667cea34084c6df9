"""Each source in its own mode: a source that is off gives empty raw tables, null factors and lower
completeness, never a failed run or a neutral 50."""

import dagster as dg
import polars as pl
import pytest

from ic_platform import settings
from ic_platform.definitions import defs, score_window
from ic_platform.defs.resources import source_resources
from ic_platform.defs.stores import TableStore, store_resources
from ic_platform.runner import materialize_window
from ic_platform.tables import (
    ANALYST_RATINGS,
    COMPANIES,
    COMPANY_FACTS,
    DAILY_BARS,
    FACTOR_SCORES,
    IC_SCORES,
    INSIDER_TRANSACTIONS,
    NEWS_ARTICLES,
    THIRTEENF_HOLDINGS,
    VALUATION_DAILY,
)
from ic_platform_tests.defs.market.test_assets import demo_days

pytestmark = pytest.mark.slow  # the whole graph per mode

PRICE_FACTORS = ("value", "momentum", "technical")
FUNDAMENTAL_FACTORS = ("value", "growth", "profitability", "financial_health")


def run_in_modes(monkeypatch, days, **modes: str) -> dg.ExecuteInProcessResult:
    """The whole graph over `days` with the sources of `modes` (sec, prices, news, ratings) set."""
    for source, mode in modes.items():
        monkeypatch.setenv(settings.source_mode_variable(source), mode)
    wired = dg.Definitions(
        assets=defs.assets,
        asset_checks=defs.asset_checks,
        jobs=[score_window],
        resources={**source_resources(), **store_resources()},
    )
    return materialize_window(wired, days[0], days[-1], dg.DagsterInstance.ephemeral(), progress=False)


def test_each_source_takes_its_own_mode_else_the_common_one(monkeypatch):
    monkeypatch.setenv("IC_SOURCE_MODE", "live")
    monkeypatch.setenv("IC_NEWS_MODE", "off")
    monkeypatch.setenv("IC_PRICES_MODE", "archive")
    assert settings.current().modes() == {"sec": "live", "prices": "archive", "news": "off", "ratings": "live"}
    resources = source_resources()
    assert [resources[k].mode for k in ("edgar", "market_data", "news", "ratings")] == [
        "live",
        "archive",
        "off",
        "live",
    ]
    monkeypatch.setenv("IC_RATINGS_MODE", "sometimes")
    with pytest.raises(ValueError, match="IC_RATINGS_MODE='sometimes' is not one of demo, archive, live, off"):
        source_resources()


def test_news_and_ratings_off_null_their_factors_and_lower_completeness(demo_data_dir, monkeypatch):
    days = demo_days(demo_data_dir)[-5:]
    assert run_in_modes(monkeypatch, days).success
    before = IC_SCORES.scan().collect()
    assert FACTOR_SCORES.scan().collect().get_column("news_sentiment").drop_nulls().len() > 0
    assert run_in_modes(monkeypatch, days, news="off", ratings="off").success
    assert NEWS_ARTICLES.scan().collect().is_empty() and ANALYST_RATINGS.scan().collect().is_empty()
    factors = FACTOR_SCORES.scan().collect()
    assert factors.get_column("news_sentiment").null_count() == factors.height
    assert factors.get_column("analyst_consensus").null_count() == factors.height
    after = IC_SCORES.scan().collect()
    joined = before.join(after, on=["date", "ticker"], suffix="_off")
    assert joined.height > 0 and (joined["data_completeness_off"] <= joined["data_completeness"]).all()
    assert (joined["data_completeness_off"] < joined["data_completeness"]).any()


def test_prices_off_leave_the_fundamental_factors_and_null_the_priced_ones(demo_data_dir, monkeypatch):
    days = demo_days(demo_data_dir)[-3:]
    assert run_in_modes(monkeypatch, days, prices="off").success
    assert DAILY_BARS.scan().collect().is_empty()
    valuation = VALUATION_DAILY.scan().collect()
    assert valuation.height > 0 and valuation.get_column("price").null_count() == valuation.height
    factors = FACTOR_SCORES.scan().collect()
    for factor in PRICE_FACTORS:
        assert factors.get_column(factor).null_count() == factors.height, factor
    assert factors.get_column("growth").drop_nulls().len() > 0
    scores = IC_SCORES.scan().collect()
    assert scores.height > 0 and scores.get_column("data_completeness").max() < 100


def test_sec_off_reads_the_universe_file_alone_and_scores_nothing_without_fundamentals(demo_data_dir, monkeypatch):
    demo_companies = pl.read_csv(demo_data_dir / "demo" / "sectors.csv")
    universe = demo_data_dir / "universe.csv"
    demo_companies.rename({c: c.lower() for c in demo_companies.columns}).write_csv(universe)
    days = demo_days(demo_data_dir)[-3:]
    monkeypatch.setenv("IC_UNIVERSE", str(universe))
    assert run_in_modes(monkeypatch, days, sec="off").success
    companies = COMPANIES.scan().collect()
    assert companies.height == demo_companies.height and companies.get_column("gics_sector").null_count() == 0
    for table in (COMPANY_FACTS, INSIDER_TRANSACTIONS, THIRTEENF_HOLDINGS):
        assert table.scan().collect().is_empty(), table.name
    factors = FACTOR_SCORES.scan().collect()
    assert factors.height == companies.height * (len(days) - 1)  # every company, from its prior bar
    for factor in FUNDAMENTAL_FACTORS:
        assert factors.get_column(factor).null_count() == factors.height, factor
    assert IC_SCORES.scan().collect().is_empty()  # fewer than two of value/growth/profitability/health


def test_sec_off_without_a_universe_file_is_a_clear_error(demo_data_dir, monkeypatch):
    from ic_platform.defs.resources import EdgarSource
    from ic_platform.defs.sec.assets import sec_companies

    result = dg.materialize(
        [sec_companies], resources={"table_store": TableStore(), "edgar": EdgarSource(mode="off")}, raise_on_error=False
    )
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    assert "the universe file ($IC_UNIVERSE) must name the companies" in str(failure.step_failure_data.error)


def test_a_universe_that_matches_no_ticker_fails_and_rewrites_nothing(demo_data_dir, monkeypatch, tmp_path):
    days = demo_days(demo_data_dir)[-2:]
    assert run_in_modes(monkeypatch, days).success
    held = {table.name: table.scan().collect() for table in (COMPANIES, COMPANY_FACTS, INSIDER_TRANSACTIONS, IC_SCORES)}
    (tmp_path / "universe.txt").write_text("NOSUCH\nNOTHER\n")
    monkeypatch.setenv("IC_UNIVERSE", str(tmp_path / "universe.txt"))
    result = run_in_modes(monkeypatch, days)
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    assert failure.step_key == "sec_companies"
    assert f"the universe fell from {held['sec_companies'].height} to 0 companies" in str(
        failure.step_failure_data.error
    )
    assert not [e for e in result.get_asset_materialization_events() if e.asset_key.path[-1] == "serving_scores"]
    for table in (COMPANIES, COMPANY_FACTS, INSIDER_TRANSACTIONS, IC_SCORES):
        assert table.scan().collect().equals(held[table.name]), table.name
