"""News and analyst assets: deduplicated articles with sentiment, rating actions, and their daily features."""

from datetime import date, timedelta

import dagster as dg
import numpy as np
import polars as pl

from ic_platform import settings
from ic_platform.defs.inputs import bars_before
from ic_platform.defs.outages import StaleBodies
from ic_platform.defs.partitions import partition_window
from ic_platform.defs.policies import source_step
from ic_platform.defs.resources import NewsSource, RatingsSource
from ic_platform.defs.table_assets import daily_asset, materialized, table_asset
from ic_platform.features import analyst as analyst_features
from ic_platform.features import news as news_features
from ic_platform.features.valuation import prior_closes
from ic_platform.schemas.common import QuarantinedRecord, frame_of, polars_schema, quarantined_record
from ic_platform.schemas.news import AnalystRating, NewsArticle
from ic_platform.sentiment import build_model, score_with_cache
from ic_platform.sources.documents import SourceFormatError
from ic_platform.sources.http import HttpError
from ic_platform.sources.news import deduplicate, parse_news
from ic_platform.sources.ratings import parse_ratings
from ic_platform.sources.readers import DocumentReader
from ic_platform.tables import ANALYST_DAILY, ANALYST_RATINGS, NEWS_ARTICLES, NEWS_SENTIMENT_DAILY
from ic_platform.trading_days import before_open_knowledge_date, trading_days_between

LIVE_HISTORY_DAYS = 400  # how far back live mode asks the APIs


def _documents(reader: DocumentReader) -> list[tuple[str, bytes]]:
    return reader.documents(date.today() - timedelta(days=LIVE_HISTORY_DAYS), date.today())


ARTICLE_COLUMNS = {
    "article_id": pl.String,
    "published_utc": pl.Datetime("us", "UTC"),
    "publisher": pl.String,
    "title": pl.String,
    "description": pl.String,
    "article_url": pl.String,
    "content_hash": pl.String,
}


def _article_ticker_rows(articles: list[dict]) -> pl.DataFrame:
    """One row per article and ticker, built column by column (Polars reads lists of scalars several
    times faster than dicts or lists of lists)."""
    frame = pl.DataFrame({name: [a[name] for a in articles] for name in ARTICLE_COLUMNS}, schema=ARTICLE_COLUMNS)
    rows = np.repeat(np.arange(len(articles)), [len(a["tickers"]) for a in articles])
    return frame[rows].with_columns(ticker=pl.Series([t for a in articles for t in a["tickers"]], dtype=pl.String))


@table_asset("news", NEWS_ARTICLES, **source_step())
def news_articles(context: dg.AssetExecutionContext, news: NewsSource) -> dg.MaterializeResult:
    """Every news article, deduplicated (same URL, same content, near-identical titles across
    publishers: the duplicates are quarantined with the reason), one row per article and ticker, with
    the sentiment of the configured model (cached by content hash and model version) and the
    knowledge date (the first trading day whose open follows the publication)."""
    articles, quarantined, stale = [], [], StaleBodies()
    for name, payload in _documents(news.reader()):
        try:
            found, bad, _ = parse_news(payload, name)
        except (SourceFormatError, HttpError) as error:
            quarantined.append(quarantined_record(name, "", str(error)))
            continue
        articles.extend(found)
        quarantined.extend(bad)
    kept, duplicates = deduplicate(articles)
    quarantined.extend(quarantined_record("news dedup", d["article_url"], d["reason"]) for d in duplicates)
    frame = _article_ticker_rows(kept)
    model = build_model(news.sentiment_model)
    texts = frame.select("content_hash", text=pl.concat_str("title", pl.lit(". "), "description"))
    scored = score_with_cache(model, texts, settings.data_dir() / "cache" / "sentiment").unique("content_hash")
    frame = (
        frame.join(scored.drop("text"), on="content_hash", how="left")
        .with_columns(knowledge_date=before_open_knowledge_date(frame.get_column("published_utc")))
        .unique(["article_id", "ticker"], keep="first")
        .select(polars_schema(NewsArticle).names())
    )
    context.log.info(
        f"{len(articles)} articles read, {len(duplicates)} duplicates dropped, {frame.height} "
        f"article-ticker rows scored by {model.name}"
    )
    return materialized(
        NEWS_ARTICLES.write(frame, quarantined=frame_of(QuarantinedRecord, quarantined)),
        sentiment_model=f"{model.name} {model.version}",
        source_mode=news.mode,
        duplicates_dropped=len(duplicates),
        **stale.metadata(),
    )


@table_asset("news", ANALYST_RATINGS, **source_step())
def analyst_ratings(context: dg.AssetExecutionContext, ratings: RatingsSource) -> dg.MaterializeResult:
    """Every analyst rating action with its rating on the 1-5 scale (Strong Buy 5 .. Strong Sell 1;
    Outperform, Overweight, Market Perform, Underweight and the other synonyms mapped), price target,
    publication time in UTC and knowledge date. Unknown ratings are quarantined with the text, and
    so is each record a later one of the same id replaces."""
    rows, quarantined, stale = [], [], StaleBodies()
    for name, payload in _documents(ratings.reader()):
        try:
            found, bad = parse_ratings(payload, name)
        except (SourceFormatError, HttpError) as error:
            quarantined.append(quarantined_record(name, "", str(error)))
            continue
        rows.extend(found)
        quarantined.extend(bad)
    frame = pl.DataFrame([r | {"knowledge_date": None} for r in rows], schema=polars_schema(AnalystRating))
    replaced = frame.filter(~pl.col("rating_id").is_last_distinct())  # a later record of the same id updates it
    quarantined.extend(
        quarantined_record("ratings", str(row), f"rating {row['rating_id']} is replaced by a later record of its id")
        for row in replaced.select("rating_id", "ticker", "firm", "rating", "published_utc").iter_rows(named=True)
    )
    frame = frame.filter(pl.col("rating_id").is_last_distinct())
    frame = frame.with_columns(knowledge_date=before_open_knowledge_date(frame.get_column("published_utc")))
    context.log.info(f"{frame.height} ratings, {len(quarantined)} quarantined")
    summary = ANALYST_RATINGS.write(frame, quarantined=frame_of(QuarantinedRecord, quarantined))
    return materialized(summary, source_mode=ratings.mode, **stale.metadata())


@daily_asset("features", ANALYST_DAILY, deps=["analyst_ratings", "daily_bars"])
def analyst_daily(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Analyst consensus per ticker for day D: the mean of each firm's latest rating of the last 90
    days (1-5), the mean price target's upside against the prior close (as traded), and the number of
    firms, from ratings published before D's open."""
    start, end = partition_window(context)
    levels = analyst_features.analyst_levels(ANALYST_RATINGS.scan().filter(pl.col("knowledge_date") <= end).collect())

    def compute(first, last) -> pl.DataFrame:
        closes = prior_closes(bars_before(first, last, 10)).select(
            "date", "ticker", close="price", close_known="close_known"
        )
        return analyst_features.analyst_daily(levels, closes, trading_days_between(first, last))

    return materialized(ANALYST_DAILY.write_in_chunks(compute, start, end))


@daily_asset("features", NEWS_SENTIMENT_DAILY, deps=["news_articles"])
def news_sentiment_daily(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Mean article sentiment in [-1, 1] and article counts per ticker over the 7 and 30 days before
    D's 09:30 New York open (articles published later count from the next trading day)."""
    start, end = partition_window(context)
    articles = (
        NEWS_ARTICLES.scan()
        .filter(pl.col("knowledge_date") <= end)
        .select("ticker", "published_utc", "sentiment", "knowledge_date")
        .collect()
    )

    def compute(first, last) -> pl.DataFrame:
        recent = articles.filter(
            pl.col("knowledge_date").is_between(first - timedelta(days=news_features.SENTIMENT_WINDOWS[1] + 1), last)
        )
        return news_features.news_sentiment_daily(recent, trading_days_between(first, last))

    return materialized(NEWS_SENTIMENT_DAILY.write_in_chunks(compute, start, end))
