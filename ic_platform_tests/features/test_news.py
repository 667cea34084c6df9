from datetime import UTC, date, datetime

import polars as pl
import pytest

from ic_platform.features import analyst, news
from ic_platform.trading_days import before_open_knowledge_date

DAYS = [date(2024, 3, 4), date(2024, 3, 5), date(2024, 3, 6)]


def test_ratings_and_news_count_only_when_published_before_the_open():
    utc = UTC
    published = pl.Series(
        [
            datetime(2024, 3, 4, 14, 0, tzinfo=utc),
            datetime(2024, 3, 4, 15, 0, tzinfo=utc),
            datetime(2024, 3, 2, 15, 0, tzinfo=utc),
        ]
    )
    assert before_open_knowledge_date(published).to_list() == [
        date(2024, 3, 4),
        date(2024, 3, 5),
        date(2024, 3, 4),
    ]  # 9:00, 10:00 ET, Saturday
    articles = pl.DataFrame(
        {
            "ticker": ["AAA"] * 3,
            "published_utc": published,
            "sentiment": [1.0, -1.0, 0.5],
            "knowledge_date": before_open_knowledge_date(published),
        }
    )
    sentiment = news.news_sentiment_daily(articles, DAYS).to_dicts()
    assert (
        sentiment[0]["sentiment_7d"] == 0.75
        and sentiment[0]["articles_7d"] == 2
        and sentiment[0]["inputs_knowledge_date"] == date(2024, 3, 4)
    )
    assert sentiment[1]["articles_7d"] == 3 and sentiment[1]["inputs_knowledge_date"] == date(2024, 3, 5)
    ratings = pl.DataFrame(
        {
            "ticker": ["AAA"] * 3,
            "firm": ["F1", "F2", "F1"],
            "published_utc": published,
            "rating_score": [5.0, 1.0, 3.0],
            "price_target": [120.0, 80.0, None],
            "knowledge_date": before_open_knowledge_date(published),
        }
    )
    closes = pl.DataFrame(
        {"date": DAYS, "ticker": ["AAA"] * 3, "close_date": DAYS, "close": [100.0] * 3, "close_known": DAYS}
    )
    analysts = analyst.analyst_daily(analyst.analyst_levels(ratings), closes, DAYS).to_dicts()
    assert (
        analysts[0]["analyst_mean_rating"] == 5.0
        and analysts[0]["analysts"] == 1
        and analysts[0]["price_target_upside"] == pytest.approx(0.2)
    )
    assert analysts[1]["analyst_mean_rating"] == 3.0 and analysts[1]["price_target_upside"] == 0.0
