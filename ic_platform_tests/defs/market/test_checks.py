import dagster as dg

from ic_platform.defs.market.assets import daily_bars
from ic_platform.defs.market.checks import bar_count_steady
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
