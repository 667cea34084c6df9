import dagster as dg
import polars as pl
import pytest

from ic_platform.definitions import defs
from ic_platform.runner import materialize_window
from ic_platform.tables import COMPANIES, FACTOR_SCORES, IC_SCORES
from ic_platform_tests.defs.market.test_assets import demo_days


@pytest.mark.slow
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
    summary = evaluation.step_materialization_data.materialization.metadata["ic_summary"]
    assert "mean_ic" in {column.name for column in summary.schema.columns}


def test_a_company_is_scored_only_on_the_days_it_was_listed(demo_data_dir):
    days = demo_days(demo_data_dir)[-6:]
    instance = dg.DagsterInstance.ephemeral()
    assert materialize_window(defs, days[0], days[-1], instance, progress=False).success
    scored = IC_SCORES.scan().collect()
    ticker = scored.filter(pl.col("date") == days[-1]).get_column("ticker")[0]
    companies = COMPANIES.scan().collect()
    listed = pl.col("ticker") == ticker
    COMPANIES.write(
        companies.with_columns(listed_until=pl.when(listed).then(pl.lit(days[2])).otherwise("listed_until"))
    )
    only_scores = ([dg.AssetKey("factor_scores"), dg.AssetKey("ic_scores")], [])
    assert materialize_window(defs, days[0], days[-1], instance, progress=False, selection=only_scores).success
    delisted = IC_SCORES.scan().filter(pl.col("ticker") == ticker).collect().get_column("date").to_list()
    assert delisted == [d for d in scored.filter(pl.col("ticker") == ticker).get_column("date") if d <= days[2]]
    others = IC_SCORES.scan().filter(pl.col("ticker") != ticker).select("date", "ticker").collect()
    assert others.equals(scored.filter(pl.col("ticker") != ticker).select("date", "ticker"))  # ranked without it
