from datetime import timedelta

import dagster as dg
import polars as pl
import pytest

from ic_platform.defs.checks import POINT_IN_TIME_CHECKS
from ic_platform.defs.features.assets import valuation_daily
from ic_platform.defs.market.assets import corporate_actions, daily_bars
from ic_platform.defs.resources import EdgarSource, MarketDataSource
from ic_platform.defs.sec.assets import fundamental_states, fundamentals_pit, sec_companies, sec_companyfacts
from ic_platform.defs.stores import TableStore
from ic_platform.features.splits import split_index
from ic_platform.features.valuation import prior_closes, valuation_ratios
from ic_platform.tables import (
    COMPANIES,
    COMPANY_FACTS,
    CORPORATE_ACTIONS,
    DAILY_BARS,
    FUNDAMENTAL_STATES,
    FUNDAMENTALS_PIT,
    VALUATION_DAILY,
)
from ic_platform_tests.defs.market.test_assets import demo_days, demo_split

GRAPH = [
    sec_companies,
    sec_companyfacts,
    fundamentals_pit,
    fundamental_states,
    corporate_actions,
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
        resources={"table_store": TableStore(), "edgar": EdgarSource(), "market_data": MarketDataSource()},
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
    companies = COMPANIES.scan().collect()
    future = FUNDAMENTAL_STATES.scan().collect().with_columns(as_of=pl.col("as_of") - timedelta(days=1))
    leaky = (
        valuation_ratios(
            closes, companies, future.sort("as_of"), split_index(CORPORATE_ACTIONS.scan().collect(), companies), 200
        )
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


def test_market_cap_and_pe_move_only_with_the_price_across_the_split(demo_data_dir):
    ticker, split_day = demo_split(demo_data_dir)
    days = demo_days(demo_data_dir)
    middle = days.index(split_day)
    assert run_graph(days[middle - 5 : middle + 6]).success
    rows = VALUATION_DAILY.scan().filter(pl.col("ticker") == ticker).sort("date").collect()
    before, after = (rows.filter(pl.col("close_date") < split_day), rows.filter(pl.col("close_date") >= split_day))
    last, first = before.row(-1, named=True), after.row(0, named=True)
    assert first["fundamentals_as_of"] == last["fundamentals_as_of"]  # no new filing on the split day
    assert first["price"] / last["price"] < 0.3  # the close as traded: 4 shares for 1
    price_move = first["price"] * 4 / last["price"]
    assert first["market_cap"] / last["market_cap"] == pytest.approx(price_move)
    assert first["pe_ratio"] / last["pe_ratio"] == pytest.approx(price_move)
    print(
        f"{ticker} split {split_day}: market cap {last['market_cap'] / 1e6:,.1f} M -> "
        f"{first['market_cap'] / 1e6:,.1f} M"
    )


def test_the_demo_files_share_counts_on_the_basis_of_their_filing_day(demo_data_dir):
    ticker, split_day = demo_split(demo_data_dir)
    assert run_graph(demo_days(demo_data_dir)[-3:], selection=[sec_companies, sec_companyfacts]).success
    cik = COMPANIES.scan().filter(pl.col("ticker") == ticker).collect().get_column("cik").item()
    covers = (
        COMPANY_FACTS.scan()
        .filter((pl.col("cik") == cik) & (pl.col("concept") == "EntityCommonStockSharesOutstanding"))
        .sort("filed")
        .collect()
    )
    before = covers.filter(pl.col("filed") < split_day).get_column("value")[-1]
    after = covers.filter(pl.col("filed") >= split_day).get_column("value")[0]
    assert after / before == pytest.approx(4, rel=0.1)


def test_fundamentals_older_than_the_limit_are_not_used(demo_data_dir, monkeypatch):
    monkeypatch.setenv("IC_FUNDAMENTALS_MAX_AGE_DAYS", "60")
    assert run_graph(demo_days(demo_data_dir)[-40:]).success
    rows = VALUATION_DAILY.scan().collect()
    states = FUNDAMENTAL_STATES.scan().select("cik", fundamentals_as_of="as_of", period_end="latest_period_end")
    rows = rows.join(states.collect(), on=["cik", "fundamentals_as_of"])
    assert (rows.get_column("fundamentals_age_days") == (rows["date"] - rows["period_end"]).dt.total_days()).all()
    stale, current = (
        rows.filter(pl.col("fundamentals_age_days") > 60),
        rows.filter(pl.col("fundamentals_age_days") <= 60),
    )
    assert stale.height and current.height
    ratios = ["market_cap", "pe_ratio", "pb_ratio", "roe", "revenue_growth_yoy"]
    assert stale.select(pl.all_horizontal(pl.col(ratios).is_null())).to_series().all()
    assert current.get_column("pe_ratio").null_count() < current.height / 2
    assert stale.get_column("price").null_count() == 0
