"""News and analyst assets: deduplicated articles with sentiment, rating actions, and their daily features."""

import os
from datetime import date, datetime, timedelta
from functools import partial

import dagster as dg
import numpy as np
import polars as pl

from ic_platform.defs.incremental import (
    SourceRead,
    held_before,
    incremental_start,
    manifest,
    quarantined_with_earlier,
    read_metadata,
)
from ic_platform.defs.inputs import bars_before
from ic_platform.defs.outages import StaleBodies
from ic_platform.defs.partitions import partition_window
from ic_platform.defs.policies import source_step
from ic_platform.defs.resources import NewsSource, RatingsSource
from ic_platform.defs.stores import TableStore
from ic_platform.defs.table_assets import daily_asset, materialized, table_asset
from ic_platform.features import analyst as analyst_features
from ic_platform.features import news as news_features
from ic_platform.features.splits import ticker_index
from ic_platform.features.valuation import prior_closes
from ic_platform.schemas.common import polars_schema, quarantined_record
from ic_platform.schemas.news import AnalystRating, NewsArticle
from ic_platform.sentiment import build_model, score_with_cache
from ic_platform.sources.documents import SourceFormatError, map_in_processes
from ic_platform.sources.http import HttpError
from ic_platform.sources.news import DOCUMENTS_PER_BATCH, NEAR_DUPLICATE_WINDOW, deduplicate, parse_news_documents
from ic_platform.sources.ratings import parse_ratings
from ic_platform.sources.readers import DocumentReader
from ic_platform.tables import ANALYST_DAILY, ANALYST_RATINGS, CORPORATE_ACTIONS, NEWS_ARTICLES, NEWS_SENTIMENT_DAILY
from ic_platform.trading_days import before_open_knowledge_date, trading_days_between

LIVE_HISTORY_DAYS = 400  # how far back a full read asks the live APIs
PARSE_PROCESSES = os.cpu_count() or 1  # worker processes parsing many news documents (Python work)


def _documents(reader: DocumentReader, mode: str, since: datetime | None) -> list[tuple[str, bytes]]:
    """The source's documents from `since`'s day (a full read: everything the files hold, or the
    live APIs' last LIVE_HISTORY_DAYS) to today."""
    start: date | None = since.date() if since is not None else None
    if start is None and mode == "live":
        start = date.today() - timedelta(days=LIVE_HISTORY_DAYS)
    return reader.documents(start, date.today())


ARTICLE_COLUMNS: dict[str, pl.DataType | type[pl.DataType]] = {
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


def _deduplicated(articles: list[dict], held: pl.DataFrame, since: datetime | None) -> tuple[list[dict], list[dict]]:
    """The new articles kept and the duplicates dropped, each with the reason: against each other and,
    on an incremental read, against the articles held (a URL held before, or a near-identical
    article of the window before `since`), as a full read would decide."""
    if since is None:
        return deduplicate(articles)
    urls = dict(
        held.filter(pl.col("article_url") != "").select("article_url", "article_id").unique("article_url").iter_rows()
    )
    repeated = [a | {"reason": f"same URL as {urls[a['article_url']]}"} for a in articles if a["article_url"] in urls]
    recent = (
        held.filter(pl.col("published_utc") >= since - NEAR_DUPLICATE_WINDOW)
        .group_by("article_id")
        .agg(pl.col("ticker").sort().alias("tickers"), pl.exclude("ticker", "tickers").first())
        .to_dicts()
    )
    kept, dropped = deduplicate(recent + [a for a in articles if a["article_url"] not in urls])
    earlier = {a["article_id"] for a in recent}
    return [a for a in kept if a["article_id"] not in earlier], repeated + dropped


@table_asset("news", NEWS_ARTICLES, **source_step())
def news_articles(
    context: dg.AssetExecutionContext, news: NewsSource, config: SourceRead, table_store: TableStore
) -> dg.MaterializeResult:
    """Every news article, deduplicated (same URL, same content, near-identical titles across
    publishers: the duplicates are quarantined with the reason), one row per article and ticker, with
    the sentiment of the configured model (cached by content hash and model version) and the
    knowledge date (the first trading day whose open follows the publication). A run reads only what
    was published since the newest article held, less 3 days (read again); `full_refresh`, another
    mode or another model reads everything."""
    model = build_model(news.sentiment_options())
    read_settings = {"mode": news.mode, "sentiment_model": f"{model.name} {model.version}"}
    since = incremental_start(NEWS_ARTICLES, config, read_settings)
    articles, quarantined, stale = [], [], StaleBodies()
    documents = _documents(news.reader(), news.mode, since)
    parse = partial(parse_news_documents, since=since)
    for _, (found, bad) in map_in_processes(parse, documents, PARSE_PROCESSES, DOCUMENTS_PER_BATCH):
        articles.extend(found)
        quarantined.extend(bad)
    held = held_before(NEWS_ARTICLES, since)
    kept, duplicates = _deduplicated(articles, held, since)
    quarantined.extend(quarantined_record("news dedup", d["article_url"], d["reason"]) for d in duplicates)
    frame = _article_ticker_rows(kept)
    texts = frame.select("content_hash", text=pl.concat_str("title", pl.lit(". "), "description"))
    scored = score_with_cache(model, texts, news.cache("sentiment")).unique("content_hash")
    frame = (
        frame.join(scored.drop("text"), on="content_hash", how="left")
        .with_columns(knowledge_date=before_open_knowledge_date(frame.get_column("published_utc")))
        .unique(["article_id", "ticker"], keep="first")
        .select(polars_schema(NewsArticle).names())
    )
    context.log.info(
        f"{len(articles)} articles read {'since ' + since.isoformat() if since else '(the whole history)'}, "
        f"{len(duplicates)} duplicates dropped, {frame.height} article-ticker rows scored by {model.name}, "
        f"{held.height} rows held before"
    )
    table = pl.concat([held, frame])
    return materialized(
        NEWS_ARTICLES.write(
            table,
            quarantined=quarantined_with_earlier(NEWS_ARTICLES, since is not None, quarantined),
            manifest=manifest(table, read_settings),
            source_off=news.is_off,
        ),
        sentiment_model=f"{model.name} {model.version}",
        source_mode=news.mode,
        duplicates_dropped=len(duplicates),
        **read_metadata(since, held.height, len(articles)),
        **stale.metadata(),
    )


@table_asset("news", ANALYST_RATINGS, **source_step())
def analyst_ratings(
    context: dg.AssetExecutionContext, ratings: RatingsSource, config: SourceRead, table_store: TableStore
) -> dg.MaterializeResult:
    """Every analyst rating action with its rating on the 1-5 scale (Strong Buy 5 .. Strong Sell 1;
    Outperform, Overweight, Market Perform, Underweight and the other synonyms mapped), price target,
    publication time in UTC and knowledge date. Unknown ratings are quarantined with the text, and
    so is each record a later one of the same id replaces. A run reads only what was published since
    the newest rating held, less 3 days; `full_refresh` or another mode reads everything."""
    read_settings = {"mode": ratings.mode}
    since = incremental_start(ANALYST_RATINGS, config, read_settings)
    rows: list[dict] = []
    quarantined: list[dict] = []
    stale = StaleBodies()
    for name, payload in _documents(ratings.reader(), ratings.mode, since):
        try:
            found, bad = parse_ratings(payload, name)
        except (SourceFormatError, HttpError) as error:
            quarantined.append(quarantined_record(name, "", str(error)))
            continue
        rows.extend(r for r in found if since is None or r["published_utc"] >= since)
        quarantined.extend(bad)
    frame = pl.DataFrame([r | {"knowledge_date": None} for r in rows], schema=polars_schema(AnalystRating))
    # a later record of an id updates it, whether the table held the earlier one or this read has it
    held = held_before(ANALYST_RATINGS, since)
    frame = pl.concat([held.with_columns(knowledge_date=pl.lit(None, pl.Date)), frame])
    replaced = frame.filter(~pl.col("rating_id").is_last_distinct())
    quarantined.extend(
        quarantined_record("ratings", str(row), f"rating {row['rating_id']} is replaced by a later record of its id")
        for row in replaced.select("rating_id", "ticker", "firm", "rating", "published_utc").iter_rows(named=True)
    )
    frame = frame.filter(pl.col("rating_id").is_last_distinct())
    frame = frame.with_columns(knowledge_date=before_open_knowledge_date(frame.get_column("published_utc")))
    context.log.info(f"{frame.height} ratings ({len(rows)} read), {len(quarantined)} quarantined")
    summary = ANALYST_RATINGS.write(
        frame,
        quarantined=quarantined_with_earlier(ANALYST_RATINGS, since is not None, quarantined),
        manifest=manifest(frame, read_settings),
        source_off=ratings.is_off,
    )
    return materialized(
        summary, source_mode=ratings.mode, **read_metadata(since, held.height, len(rows)), **stale.metadata()
    )


@daily_asset("news", ANALYST_DAILY, deps=["analyst_ratings", "daily_bars", "corporate_actions"])
def analyst_daily(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Analyst consensus per ticker for day D: the mean of each firm's latest rating of the last 90
    days (1-5), the mean price target's upside against the prior close (targets set before a split
    put on the close's basis), and the number of firms, from ratings published before D's open."""
    start, end = partition_window(context)
    splits = ticker_index(CORPORATE_ACTIONS.scan().collect(), "price_index")
    levels = analyst_features.analyst_levels(
        ANALYST_RATINGS.scan().filter(pl.col("knowledge_date") <= end).collect(), splits
    )

    def compute(first, last) -> pl.DataFrame:
        closes = prior_closes(bars_before(first, last, 10)).select(
            "date", "ticker", "close_date", "close_known", close="price"
        )
        return analyst_features.analyst_daily(levels, closes, trading_days_between(first, last), splits)

    return materialized(ANALYST_DAILY.write_in_chunks(compute, start, end))


@daily_asset("news", NEWS_SENTIMENT_DAILY, deps=["news_articles"])
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
