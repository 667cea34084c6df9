"""News sentiment per ticker and day: a pure Polars function.

Point in time: an article counts for D when it was published before D's 09:30 New York open."""

from datetime import date, timedelta

import polars as pl

from ic_platform.features.daily import days_frame
from ic_platform.trading_days import NEW_YORK

SENTIMENT_WINDOWS = (7, 30)  # calendar days before the open


def news_sentiment_daily(articles: pl.DataFrame, days: list[date]) -> pl.DataFrame:
    """Per (date, ticker): mean article sentiment and article count over the 7 and 30 days before D's open.

    `articles`: ticker (one row per article and ticker), published_utc, sentiment, knowledge_date.
    """
    opens = days_frame(days).with_columns(
        open_utc=(pl.col("date").cast(pl.Datetime("us")) + timedelta(hours=9, minutes=30))
        .dt.replace_time_zone(NEW_YORK)
        .dt.convert_time_zone("UTC")
    )
    joined = opens.join_where(
        articles.with_columns(pl.col("published_utc").dt.convert_time_zone("UTC")),
        pl.col("published_utc") < pl.col("open_utc"),
        pl.col("published_utc") >= pl.col("open_utc") - timedelta(days=SENTIMENT_WINDOWS[1]),
    )
    week = pl.col("published_utc") >= pl.col("open_utc") - timedelta(days=SENTIMENT_WINDOWS[0])
    return (
        joined.group_by("date", "ticker")
        .agg(
            sentiment_7d=pl.col("sentiment").filter(week).mean(),
            sentiment_30d=pl.col("sentiment").mean(),
            articles_7d=week.sum().cast(pl.Int64),
            articles_30d=pl.len().cast(pl.Int64),
            inputs_knowledge_date=pl.col("knowledge_date").max(),
        )
        .sort("date", "ticker")
    )
