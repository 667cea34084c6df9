import dagster as dg
import polars as pl

from ic_platform.definitions import defs
from ic_platform.defs.scores.assets import ic_scores
from ic_platform.runner import materialize_window
from ic_platform.tables import FACTOR_SCORES, IC_SCORES
from ic_platform_tests.defs.market.test_assets import demo_days


def test_the_whole_graph_scores_a_range_in_one_run_and_a_rerun_changes_nothing(demo_data_dir):
    days = demo_days(demo_data_dir)[-30:]
    instance = dg.DagsterInstance.ephemeral()
    result = materialize_window(defs, days[0], days[-1], instance, progress=False)
    assert result.success and len(instance.get_runs()) == 1
    assert all(
        check.passed for check in result.get_asset_check_evaluations() if check.check_name != "no_missing_ticker_days"
    )
    scores = IC_SCORES.scan().collect()
    assert IC_SCORES.days() == days
    assert scores.get_column("score").is_between(1, 100).all()
    assert (scores.get_column("inputs_knowledge_date") <= scores.get_column("date")).all()
    for factor in (
        "analyst_consensus",
        "insider_activity",
        "institutional",
        "news_sentiment",
    ):  # every factor has inputs somewhere
        assert scores.get_column(factor).null_count() < scores.height, factor
    assert scores.get_column("news_sentiment").null_count() > 0  # and is null, never 50, where a ticker has none
    assert set(scores.get_column("confidence")) == {"High", "Medium", "Low"}
    factors_before = FACTOR_SCORES.scan().collect()
    again = materialize_window(defs, days[-1], days[-1], instance, progress=False)
    assert again.success
    assert IC_SCORES.scan().collect().equals(scores)
    assert FACTOR_SCORES.scan().collect().equals(factors_before)
    evaluation = [
        e for e in result.get_asset_materialization_events() if e.asset_key == dg.AssetKey("score_evaluation")
    ][0]
    assert "mean_ic" in evaluation.step_materialization_data.materialization.metadata["ic_summary"].value


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
    tags = {
        "dagster/asset_partition_range_start": days[0].isoformat(),
        "dagster/asset_partition_range_end": days[-1].isoformat(),
    }
    result = dg.materialize(
        [*defs.resolve_asset_graph().assets_defs],
        selection=dg.AssetSelection.checks_for_assets(ic_scores),
        tags=tags,
        raise_on_error=False,
    )
    outcome = {e.check_name: e for e in result.get_asset_check_evaluations()}
    rows_of = {t: scores.filter(pl.col("ticker") == t).height for t in scores["ticker"][:2]}
    assert not outcome["inputs_known_before_the_day"].passed
    assert (
        outcome["inputs_known_before_the_day"].metadata["rows_with_future_inputs"].value == rows_of[scores["ticker"][0]]
    )
    assert not outcome["scores_consistent"].passed
    assert outcome["scores_consistent"].metadata["ratings not matching the score"].value == rows_of[scores["ticker"][1]]
