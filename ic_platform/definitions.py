"""The one Dagster entry point: every domain's assets, checks, jobs and resources."""

import dagster as dg

from ic_platform.defs.features.assets import technical_daily, valuation_daily
from ic_platform.defs.features.checks import technical_daily_point_in_time, valuation_daily_point_in_time
from ic_platform.defs.market.assets import daily_bars
from ic_platform.defs.market.checks import no_missing_ticker_days
from ic_platform.defs.market.jobs import repair_daily_bar_gaps
from ic_platform.defs.market.resources import MarketDataSource
from ic_platform.defs.news.assets import analyst_daily, analyst_ratings, news_articles, news_sentiment_daily
from ic_platform.defs.news.checks import analyst_daily_point_in_time, news_sentiment_daily_point_in_time
from ic_platform.defs.news.resources import NewsSource
from ic_platform.defs.ownership.assets import insider_daily, institutional_daily, sec_13f, sec_form4
from ic_platform.defs.ownership.checks import insider_daily_point_in_time, institutional_daily_point_in_time
from ic_platform.defs.ownership.sensors import form4_filings_sensor, refresh_insiders
from ic_platform.defs.scores.assets import factor_scores, ic_scores, score_evaluation
from ic_platform.defs.scores.checks import factor_scores_point_in_time, ic_scores_point_in_time, scores_consistent
from ic_platform.defs.sec.assets import fundamental_states, fundamentals_pit, sec_companies, sec_companyfacts
from ic_platform.defs.sec.resources import EdgarSource
from ic_platform.defs.sec.sensors import refresh_fundamentals, sec_filings_sensor

defs = dg.Definitions(
    assets=[sec_companies, sec_companyfacts, fundamentals_pit, fundamental_states, sec_form4, sec_13f, daily_bars, news_articles,
            analyst_ratings, technical_daily, valuation_daily, insider_daily, institutional_daily, analyst_daily, news_sentiment_daily,
            factor_scores, ic_scores, score_evaluation],
    asset_checks=[
        no_missing_ticker_days, technical_daily_point_in_time, valuation_daily_point_in_time, insider_daily_point_in_time,
        institutional_daily_point_in_time, analyst_daily_point_in_time, news_sentiment_daily_point_in_time,
        factor_scores_point_in_time, ic_scores_point_in_time, scores_consistent,
    ],
    jobs=[repair_daily_bar_gaps, refresh_fundamentals, refresh_insiders],
    sensors=[sec_filings_sensor, form4_filings_sensor],
    resources={"edgar": EdgarSource(), "market_data": MarketDataSource(), "news": NewsSource()},
)


def daily_tables() -> dict:
    """The storage table of every daily asset, by asset name."""
    from ic_platform.defs.features.assets import TECHNICAL_DAILY, VALUATION_DAILY
    from ic_platform.defs.market.assets import DAILY_BARS
    from ic_platform.defs.news.assets import ANALYST_DAILY, NEWS_SENTIMENT_DAILY
    from ic_platform.defs.ownership.assets import INSIDER_DAILY, INSTITUTIONAL_DAILY
    from ic_platform.defs.scores.assets import FACTOR_SCORES, IC_SCORES

    tables = (DAILY_BARS, TECHNICAL_DAILY, VALUATION_DAILY, INSIDER_DAILY, INSTITUTIONAL_DAILY, ANALYST_DAILY, NEWS_SENTIMENT_DAILY, FACTOR_SCORES, IC_SCORES)
    return {table.name: table for table in tables}
