"""The one Dagster entry point: every domain's assets, checks, jobs and resources."""

import dagster as dg

from ic_platform.defs.features.assets import technical_daily, valuation_daily
from ic_platform.defs.features.checks import technical_daily_point_in_time, valuation_daily_point_in_time
from ic_platform.defs.market.assets import daily_bars
from ic_platform.defs.market.checks import no_missing_ticker_days
from ic_platform.defs.market.jobs import repair_daily_bar_gaps
from ic_platform.defs.market.resources import MarketDataSource
from ic_platform.defs.scores.assets import factor_scores, ic_scores, score_evaluation
from ic_platform.defs.scores.checks import factor_scores_point_in_time, ic_scores_point_in_time, scores_consistent
from ic_platform.defs.sec.assets import fundamental_states, fundamentals_pit, sec_companies, sec_companyfacts
from ic_platform.defs.sec.resources import EdgarSource
from ic_platform.defs.sec.sensors import refresh_fundamentals, sec_filings_sensor

defs = dg.Definitions(
    assets=[sec_companies, sec_companyfacts, fundamentals_pit, fundamental_states, daily_bars, technical_daily, valuation_daily,
            factor_scores, ic_scores, score_evaluation],
    asset_checks=[
        no_missing_ticker_days, technical_daily_point_in_time, valuation_daily_point_in_time,
        factor_scores_point_in_time, ic_scores_point_in_time, scores_consistent,
    ],
    jobs=[repair_daily_bar_gaps, refresh_fundamentals],
    sensors=[sec_filings_sensor],
    resources={"edgar": EdgarSource(), "market_data": MarketDataSource()},
)


def daily_tables() -> dict:
    """The storage table of every daily asset, by asset name."""
    from ic_platform.defs.features.assets import TECHNICAL_DAILY, VALUATION_DAILY
    from ic_platform.defs.market.assets import DAILY_BARS
    from ic_platform.defs.scores.assets import FACTOR_SCORES, IC_SCORES

    return {table.name: table for table in (DAILY_BARS, TECHNICAL_DAILY, VALUATION_DAILY, FACTOR_SCORES, IC_SCORES)}
