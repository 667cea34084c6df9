import dagster as dg
import polars as pl
import pytest

from ic_platform.defs.checks import POINT_IN_TIME_CHECKS
from ic_platform.defs.features.assets import technical_daily
from ic_platform.defs.market.assets import daily_bars
from ic_platform.defs.resources import MarketDataSource
from ic_platform.defs.stores import TableStore
from ic_platform.features.technical import indicators_by_close_date
from ic_platform.tables import DAILY_BARS, TECHNICAL_DAILY
from ic_platform.trading_days import next_trading_day
from ic_platform_tests.defs.market.test_assets import demo_days


def run_range(assets, start, end, selection=None, **kwargs):
    tags = {
        "dagster/asset_partition_range_start": start.isoformat(),
        "dagster/asset_partition_range_end": end.isoformat(),
    }
    return dg.materialize(
        assets,
        resources={"table_store": TableStore(), "market_data": MarketDataSource()},
        tags=tags,
        selection=selection,
        **kwargs,
    )


@pytest.mark.slow
def test_technical_daily_backfills_a_range_in_one_run_and_passes_its_point_in_time_check(demo_data_dir):
    days = demo_days(demo_data_dir)
    result = run_range([daily_bars, technical_daily, POINT_IN_TIME_CHECKS["technical_daily"]], days[0], days[-1])
    assert result.success
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.passed and evaluation.metadata["rows_with_future_inputs"].value == 0
    rows = TECHNICAL_DAILY.scan().collect()
    assert TECHNICAL_DAILY.days() == days
    assert (rows.get_column("close_date") < rows.get_column("date")).all()
    late = rows.filter(pl.col("date") == days[-1])
    assert late.get_column("rsi_14").null_count() < late.height  # a year of bars fills RSI(14)
    # a later one-day run gives the same values as the range run (warm-up covers the history)
    again = run_range([technical_daily], days[-1], days[-1], **{"raise_on_error": True})
    assert again.success
    single_day = TECHNICAL_DAILY.scan(days[-1], days[-1]).collect()
    assert single_day.select("ticker", "close_date").equals(late.select("ticker", "close_date"))
    for column in ("rsi_14", "macd", "ema_26", "sma_200", "return_3m"):
        assert ((single_day[column] - late[column]).abs() <= 1e-12 * late[column].abs()).all(), column


def test_the_check_fails_when_a_row_uses_the_close_of_its_own_day(demo_data_dir):
    days = demo_days(demo_data_dir)[:60]
    assert run_range([daily_bars], days[0], days[-1]).success
    # the mistake the rule forbids: day D's row computed from bars up to and including D
    leaky = (
        indicators_by_close_date(DAILY_BARS.scan(days[0], days[-1]))
        .collect()
        .with_columns(
            close_date=pl.col("date"),
            inputs_knowledge_date=pl.col("date").map_elements(next_trading_day, return_dtype=pl.Date),
        )
    )
    TECHNICAL_DAILY.write(leaky, days[0], days[-1])
    result = run_range(
        [technical_daily, POINT_IN_TIME_CHECKS["technical_daily"]],
        days[0],
        days[-1],
        selection=dg.AssetSelection.checks_for_assets(technical_daily),
        raise_on_error=False,
    )
    [evaluation] = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.metadata["rows_with_future_inputs"].value == leaky.height
