"""Point-in-time checks of the news and analyst daily assets."""

from ic_platform.defs.checks import point_in_time_check
from ic_platform.defs.news.assets import ANALYST_DAILY, NEWS_SENTIMENT_DAILY, analyst_daily, news_sentiment_daily

analyst_daily_point_in_time = point_in_time_check(analyst_daily, ANALYST_DAILY)
news_sentiment_daily_point_in_time = point_in_time_check(news_sentiment_daily, NEWS_SENTIMENT_DAILY)
