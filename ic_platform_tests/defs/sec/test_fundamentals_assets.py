from datetime import timedelta

import dagster as dg
import polars as pl

from ic_platform.defs.checks import POINT_IN_TIME_CHECKS
from ic_platform.defs.features.assets import valuation_daily
from ic_platform.defs.market.assets import daily_bars
from ic_platform.defs.resources import EdgarSource, MarketDataSource
from ic_platform.defs.sec.assets import fundamental_states, fundamentals_pit, sec_companies, sec_companyfacts
from ic_platform.features.valuation import prior_closes, valuation_ratios
from ic_platform.tables import (
    COMPANIES,
    COMPANY_FACTS,
    DAILY_BARS,
    FUNDAMENTAL_STATES,
    FUNDAMENTALS_PIT,
    VALUATION_DAILY,
)
from ic_platform_tests.defs.market.test_assets import demo_days

GRAPH = [
    sec_companies,
    sec_companyfacts,
    fundamentals_pit,
    fundamental_states,
    daily_bars,
    valuation_daily,
    POINT_IN_TIME_CHECKS["valuation_daily"],
]


def run_graph(days, selection=None, raise_on_error=True):
    tags = {
        "dagster/asset_partition_range_start": days[0].isoformat(),
        "dagster/asset_partition_range_end": days[-1].isoformat(),
    }
    return dg.materialize(
        GRAPH,
        resources={"edgar": EdgarSource(), "market_data": MarketDataSource()},
        tags=tags,
        selection=selection,
        raise_on_error=raise_on_error,
    )


def test_the_fundamentals_graph_runs_and_valuation_uses_only_what_was_known(demo_data_dir):
    days = demo_days(demo_data_dir)[-60:]
    result = run_graph(days)
    assert result.success
    [check] = result.get_asset_check_evaluations()
    assert check.passed
    facts, versions, states = (
        COMPANY_FACTS.scan().collect(),
        FUNDAMENTALS_PIT.scan().collect(),
        FUNDAMENTAL_STATES.scan().collect(),
    )
    assert facts.get_column("cik").n_unique() == 30
    assert set(versions.get_column("period_type")) == {"Q", "FY"}
    assert (versions.get_column("knowledge_date") > versions.get_column("filed")).all()
    valuation = VALUATION_DAILY.scan().collect()
    assert valuation.height > 25 * len(days)
    assert (valuation.get_column("fundamentals_as_of") <= valuation.get_column("date")).all()
    assert (valuation.get_column("close_date") < valuation.get_column("date")).all()
    assert valuation.get_column("revenue_growth_yoy").null_count() < valuation.height / 10
    # a state that becomes known on day D is used from D on, not before
    ticker, cik = COMPANIES.scan().collect().select("ticker", "cik").row(0)
    changes = states.filter((pl.col("cik") == cik) & pl.col("as_of").is_between(days[1], days[-1])).get_column("as_of")
    if changes.len():
        change = changes[0]
        rows = valuation.filter(pl.col("ticker") == ticker).sort("date")
        assert rows.filter(pl.col("date") < change).get_column("fundamentals_as_of").max() < change
        assert rows.filter(pl.col("date") >= change).get_column("fundamentals_as_of").min() == change


def test_the_check_fails_when_a_row_uses_fundamentals_filed_after_its_day(demo_data_dir):
    days = demo_days(demo_data_dir)[-60:]
    assert run_graph(days).success
    closes = prior_closes(DAILY_BARS.scan()).filter(pl.col("date").is_between(days[0], days[-1]))
    # the mistake the rule forbids: taking the next state a company will publish
    future = FUNDAMENTAL_STATES.scan().collect().with_columns(as_of=pl.col("as_of") - timedelta(days=1))
    leaky = (
        valuation_ratios(closes, COMPANIES.scan().collect(), future.sort("as_of"))
        .with_columns(inputs_knowledge_date=pl.col("fundamentals_as_of") + timedelta(days=1))
        .with_columns(fundamentals_as_of=pl.col("inputs_knowledge_date"))
    )
    leaked = leaky.filter(pl.col("inputs_knowledge_date") > pl.col("date")).height
    assert leaked > 0
    VALUATION_DAILY.write(leaky, days[0], days[-1])
    result = run_graph(days, selection=dg.AssetSelection.checks_for_assets(valuation_daily), raise_on_error=False)
    [check] = result.get_asset_check_evaluations()
    assert not check.passed
    assert check.metadata["rows_with_future_inputs"].value == leaked
