"""News articles, sentiment and analyst ratings tables."""

from datetime import date

import pandera.polars as pa
import polars as pl


class NewsArticle(pa.DataFrameModel):
    """A deduplicated article, one row per article and ticker, with its sentiment."""

    article_id: str = pa.Field(description="Source id of the article kept")
    ticker: str = pa.Field(description="A ticker the article is about")
    published_utc: pl.Datetime("us", "UTC") = pa.Field(description="Publication time, UTC")
    knowledge_date: date = pa.Field(description="First trading day whose open follows the publication")
    publisher: str = pa.Field(description="Publisher name")
    title: str = pa.Field(description="Headline")
    article_url: str = pa.Field(description="Article URL")
    content_hash: str = pa.Field(description="SHA-256 of the normalised title and description")
    sentiment: float = pa.Field(ge=-1, le=1, description="Sentiment score of the configured model")
    sentiment_confidence: float = pa.Field(ge=0, le=1, description="The model's confidence")
    sentiment_model: str = pa.Field(description="Model name and version")

    class Config:
        unique = ["article_id", "ticker"]


class AnalystRating(pa.DataFrameModel):
    """A rating action with its rating on the 1-5 scale."""

    rating_id: str = pa.Field(description="Source id")
    ticker: str = pa.Field(description="Exchange ticker")
    firm: str = pa.Field(description="Research firm")
    analyst: str = pa.Field(nullable=True, description="Analyst name")
    action: str = pa.Field(
        nullable=True, description="Action: Upgrades, Downgrades, Maintains, Initiates Coverage On, ..."
    )
    rating: str = pa.Field(description="Rating text as published")
    rating_score: float = pa.Field(ge=1, le=5, description="Rating on the 1 (Strong Sell) .. 5 (Strong Buy) scale")
    price_target: float = pa.Field(nullable=True, gt=0, description="Price target, when given")
    published_utc: pl.Datetime("us", "UTC") = pa.Field(description="Publication time, UTC")
    knowledge_date: date = pa.Field(description="First trading day whose open follows the publication")

    class Config:
        unique = ["rating_id"]


class AnalystDaily(pa.DataFrameModel):
    """Analyst consensus per ticker for day D."""

    date: date = pa.Field(description="Trading day D")
    ticker: str = pa.Field(description="Exchange ticker")
    analyst_mean_rating: float = pa.Field(ge=1, le=5, description="Mean of each firm's latest rating in 90 days")
    price_target_upside: float = pa.Field(nullable=True, description="Mean latest price target / prior close - 1")
    analysts: int = pa.Field(ge=1, description="Firms with a rating in 90 days")
    inputs_knowledge_date: date = pa.Field(description="Newest knowledge date of a rating or close used")

    class Config:
        unique = ["date", "ticker"]


class NewsSentimentDaily(pa.DataFrameModel):
    """News sentiment per ticker for day D, from articles published before D's open."""

    date: date = pa.Field(description="Trading day D")
    ticker: str = pa.Field(description="Exchange ticker")
    sentiment_7d: float = pa.Field(
        nullable=True, ge=-1, le=1, description="Mean sentiment of the 7 days before D's open"
    )
    sentiment_30d: float = pa.Field(ge=-1, le=1, description="Mean sentiment of the 30 days before D's open")
    articles_7d: int = pa.Field(ge=0, description="Articles in 7 days")
    articles_30d: int = pa.Field(ge=1, description="Articles in 30 days")
    inputs_knowledge_date: date = pa.Field(description="Newest knowledge date of an article used")

    class Config:
        unique = ["date", "ticker"]
