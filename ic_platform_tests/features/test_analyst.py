from datetime import UTC, date, datetime

import polars as pl
import pytest

from ic_platform.features import analyst
from ic_platform.trading_days import before_open_knowledge_date

DAYS = [date(2024, 3, 4), date(2024, 3, 5), date(2024, 3, 6)]


def test_a_rating_counts_until_the_firm_rates_again_or_90_days_pass():
    published = pl.Series([datetime(2024, 1, 2, 12, 0, tzinfo=UTC), datetime(2024, 2, 1, 12, 0, tzinfo=UTC)])
    ratings = pl.DataFrame(
        {
            "ticker": ["AAA", "AAA"],
            "firm": ["F1", "F2"],
            "published_utc": published,
            "rating_score": [5.0, 1.0],
            "price_target": [110.0, None],
            "knowledge_date": before_open_knowledge_date(published),
        }
    )
    days = [date(2024, 1, 2), date(2024, 3, 29), date(2024, 4, 1), date(2024, 4, 30), date(2024, 5, 1)]
    closes = pl.DataFrame(
        {"date": days, "ticker": ["AAA"] * 5, "close_date": days, "close": [100.0] * 5, "close_known": days}
    )
    rows = analyst.analyst_daily(analyst.analyst_levels(ratings), closes, days)
    # F1 counts up to 2024-03-31 (90 days after publication), F2 up to 2024-04-30; nothing after
    assert rows.select("date", "analyst_mean_rating", "analysts").rows() == [
        (date(2024, 1, 2), 5.0, 1),
        (date(2024, 3, 29), 3.0, 2),
        (date(2024, 4, 1), 1.0, 1),
        (date(2024, 4, 30), 1.0, 1),
    ]
    assert rows.get_column("price_target_upside").to_list()[:2] == [pytest.approx(0.1), pytest.approx(0.1)]
    assert rows.get_column("price_target_upside")[2:].to_list() == [None, None]
