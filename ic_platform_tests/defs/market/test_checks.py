from datetime import date

import dagster as dg
import polars as pl

from ic_platform.defs.market.assets import daily_bars
from ic_platform.defs.market.checks import bar_count_drops, bar_count_steady
from ic_platform.defs.resources import MarketDataSource
from ic_platform.tables import DAILY_BARS
from ic_platform_tests.defs.checking import check_results
from ic_platform_tests.defs.market.test_assets import demo_days, materialize_range


def _check(days) -> dg.AssetCheckEvaluation:
    results = check_results(daily_bars, days, [daily_bars, bar_count_steady], {"market_data": MarketDataSource()})
    return results["bar_count_steady"]


def test_a_day_with_a_fraction_of_the_market_is_refused(demo_data_dir):
    days = demo_days(demo_data_dir)[:4]
    assert materialize_range(days[0], days[-1]).success
    assert _check(days).passed
    partial = DAILY_BARS.scan(days[2], days[2]).collect()
    DAILY_BARS.write(partial.head(partial.height // 2), days[2], days[2])  # a source that sent half the market
    check = _check(days[2:3])  # the day before the window is compared too
    assert not check.passed and check.blocking
    assert check.metadata["days_with_a_drop"].value == 1


def test_drops_are_measured_against_the_day_before():
    counts = pl.DataFrame(
        {"date": [date(2025, 1, d) for d in (2, 3, 6, 7)], "bars": [100, 80, 50, 100]},
        schema_overrides={"bars": pl.UInt32},
    )
    assert bar_count_drops(counts, 0.25).rows() == [(date(2025, 1, 6), 80, 50)]
    assert bar_count_drops(counts, 0.5).is_empty()
