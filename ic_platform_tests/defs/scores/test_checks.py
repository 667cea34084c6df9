from datetime import date

import dagster as dg
import polars as pl
import pytest

from ic_platform.definitions import defs
from ic_platform.defs.scores.assets import ic_scores
from ic_platform.defs.scores.checks import MIN_COVERAGE, factor_coverage_drops
from ic_platform.runner import materialize_window, notices
from ic_platform.tables import FACTOR_SCORES, IC_SCORES
from ic_platform_tests.defs.checking import check_results
from ic_platform_tests.defs.market.test_assets import demo_days

pytestmark = pytest.mark.slow  # the scores graph over windows, perturbed


def test_coverage_is_counted_from_the_inputs_so_names_the_scorer_lost_fail_the_check(demo_data_dir):
    days = demo_days(demo_data_dir)[-5:]
    assert materialize_window(defs, days[0], days[-1], dg.DagsterInstance.ephemeral(), progress=False).success
    outcome = check_results(ic_scores, days)
    assert outcome["scores_consistent"].passed and outcome["factor_coverage_steady"].passed
    metadata = outcome["scores_consistent"].metadata
    assert metadata["coverage_of_eligible_names"].value >= MIN_COVERAGE and metadata["eligible_names"].value > 100
    assert 0 < metadata["coverage_news_sentiment"].value < 1 and metadata["coverage_value"].value > 0.5
    # a scorer that loses a tenth of the names from its factors and scores: the old check, which
    # asked the same scorer which names were eligible, could not see it
    lost = IC_SCORES.scan().select("ticker").unique().sort("ticker").collect().get_column("ticker").gather_every(10)
    for table in (FACTOR_SCORES, IC_SCORES):
        table.write(table.scan().filter(~pl.col("ticker").is_in(lost.implode())).collect(), days[0], days[-1])
    outcome = check_results(ic_scores, days)
    assert not outcome["scores_consistent"].passed
    assert outcome["scores_consistent"].metadata["coverage_of_eligible_names"].value < 0.95


def test_a_factor_whose_coverage_falls_by_more_than_20_points_warns(demo_data_dir):
    days = demo_days(demo_data_dir)[-5:]
    assert materialize_window(defs, days[0], days[-1], dg.DagsterInstance.ephemeral(), progress=False).success
    scores = IC_SCORES.scan().collect()
    outage = scores.with_columns(
        institutional=pl.when(pl.col("date") == days[-1]).then(None).otherwise(pl.col("institutional"))
    )
    IC_SCORES.write(outage, days[0], days[-1])
    check = check_results(ic_scores, days)["factor_coverage_steady"]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert check.metadata["drops"].value == 1
    assert "institutional" in str([record.data for record in check.metadata["examples"].records])


def test_coverage_drops_compare_each_day_with_the_day_before():
    frame = pl.DataFrame(
        {
            "date": [date(2025, 1, 2)] * 4 + [date(2025, 1, 3)] * 4 + [date(2025, 1, 6)] * 4,
            "news_sentiment": [1.0, 1.0, 1.0, 1.0, 1.0, None, None, 1.0, 1.0, 1.0, 1.0, 1.0],
        }
    ).with_columns(pl.lit(50.0).alias(f) for f in ("value", "growth", "profitability", "financial_health"))
    frame = frame.with_columns(
        pl.lit(50.0).alias(f)
        for f in ("momentum", "analyst_consensus", "insider_activity", "institutional", "technical")
    )
    drops = factor_coverage_drops(frame.lazy())
    assert drops.rows() == [(date(2025, 1, 3), "news_sentiment", 1.0, 0.5)]  # the recovery is no drop


def test_the_checks_fail_on_a_score_from_future_inputs_or_a_wrong_band(demo_data_dir):
    days = demo_days(demo_data_dir)[-5:]
    assert materialize_window(defs, days[0], days[-1], dg.DagsterInstance.ephemeral(), progress=False).success
    scores = IC_SCORES.scan().collect()
    leaky = scores.with_columns(
        inputs_knowledge_date=pl.when(pl.col("ticker") == scores["ticker"][0])
        .then(pl.col("date").dt.offset_by("1d"))
        .otherwise("inputs_knowledge_date"),
        rating=pl.when(pl.col("ticker") == scores["ticker"][1]).then(pl.lit("Sell")).otherwise("rating"),
        score=pl.when(pl.col("ticker") == scores["ticker"][1]).then(pl.lit(99)).otherwise("score"),
    )
    IC_SCORES.write(leaky, days[0], days[-1])
    outcome = check_results(ic_scores, days)
    rows_of = {t: scores.filter(pl.col("ticker") == t).height for t in scores["ticker"][:2]}
    assert not outcome["inputs_known_before_the_day"].passed
    assert (
        outcome["inputs_known_before_the_day"].metadata["rows_with_future_inputs"].value == rows_of[scores["ticker"][0]]
    )
    assert not outcome["scores_consistent"].passed
    assert outcome["scores_consistent"].metadata["ratings not matching the score"].value == rows_of[scores["ticker"][1]]


def test_a_day_whose_score_count_falls_is_refused_before_it_is_written(demo_data_dir):
    days = demo_days(demo_data_dir)[-3:]
    instance = dg.DagsterInstance.ephemeral()
    assert materialize_window(defs, days[0], days[-1], instance, progress=False).success
    scores = IC_SCORES.scan().collect()
    factors = FACTOR_SCORES.scan(days[-1], days[-1]).collect()
    FACTOR_SCORES.write(factors.head(factors.height // 2), days[-1], days[-1])  # half the universe lost
    only_scores = ([dg.AssetKey("ic_scores")], [])
    result = materialize_window(defs, days[1], days[-1], instance, progress=False, selection=only_scores)
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    assert f"{days[-1]}: scores {scores.filter(pl.col('date') == days[-2]).height} -> " in str(
        failure.step_failure_data.error
    )
    assert IC_SCORES.scan().collect().equals(scores)  # neither the day that fell nor the day before it rewritten


def test_days_with_fewer_names_than_the_minimum_are_refused_with_the_reason(demo_data_dir, monkeypatch):
    days = demo_days(demo_data_dir)[-3:]
    monkeypatch.setenv("IC_MIN_NAMES_PER_DAY", "100000")
    result = materialize_window(defs, days[0], days[-1], dg.DagsterInstance.ephemeral(), progress=False)
    assert result.success and IC_SCORES.scan().collect().is_empty()
    refused = result.asset_materializations_for_node("ic_scores")[0].metadata["days_refused_small_universe"].value
    assert (
        refused >= 2
        and len(result.asset_materializations_for_node("ic_scores")[0].metadata["refused_days"].value.records)
        == refused
    )
    (notice,) = notices(result)
    assert notice.startswith(f"ic_scores: {refused} days not published, each with fewer than 100000 scores")
    outcome = check_results(ic_scores, days)
    assert outcome["scores_consistent"].passed  # refused days are not names the scorer lost
    assert outcome["scores_consistent"].metadata["days_refused_small_universe"].value == refused
