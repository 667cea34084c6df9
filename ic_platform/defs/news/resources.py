"""The news and analyst-ratings source as a Dagster resource."""

import os
from pathlib import Path

from pydantic import Field

from ic_platform import settings
from ic_platform.defs.sources import SourceResource
from ic_platform.sources.http import HttpClient
from ic_platform.sources.documents import JsonFolder
from ic_platform.sources.news import NewsClient
from ic_platform.sources.ratings import RatingsClient


class NewsSource(SourceResource):
    """News articles (Polygon reference-news format) and analyst ratings (Benzinga-style calendar)."""

    news_archive: str = Field(default_factory=lambda: os.environ.get("IC_NEWS_ARCHIVE", ""), description="Folder of news JSON responses for archive mode ($IC_NEWS_ARCHIVE)")
    ratings_archive: str = Field(default_factory=lambda: os.environ.get("IC_RATINGS_ARCHIVE", ""), description="Folder of ratings JSON files for archive mode ($IC_RATINGS_ARCHIVE)")
    news_url: str = Field(default_factory=lambda: os.environ.get("POLYGON_BASE_URL", "https://api.polygon.io"), description="News API root for live mode ($POLYGON_BASE_URL)")
    news_api_key: str = Field(default_factory=lambda: os.environ.get("POLYGON_API_KEY", ""), description="News API key ($POLYGON_API_KEY)")
    ratings_url: str = Field(default_factory=lambda: os.environ.get("RATINGS_BASE_URL", "https://api.benzinga.com"), description="Ratings API root for live mode ($RATINGS_BASE_URL)")
    ratings_token: str = Field(default_factory=lambda: os.environ.get("RATINGS_API_TOKEN", ""), description="Ratings API token ($RATINGS_API_TOKEN)")
    sentiment_model: str = Field(default_factory=lambda: os.environ.get("IC_SENTIMENT_MODEL", "lexicon"), description="lexicon (default), transformer, trained or ensemble ($IC_SENTIMENT_MODEL)")

    def _http(self, base_url: str, name: str) -> HttpClient:
        return HttpClient(base_url, max_per_second=5, cache_dir=settings.data_dir() / "cache" / name)

    def news_reader(self) -> JsonFolder | NewsClient:
        mode = self.checked_mode()
        if mode == "demo":
            return JsonFolder(self.demo_folder() / "polygon" / "news")
        if mode == "archive":
            return JsonFolder(Path(self.news_archive))
        return NewsClient(self._http(self.news_url, "news"), self.news_api_key)

    def ratings_reader(self) -> JsonFolder | RatingsClient:
        mode = self.checked_mode()
        if mode == "demo":
            return JsonFolder(self.demo_folder() / "ratings")
        if mode == "archive":
            return JsonFolder(Path(self.ratings_archive))
        return RatingsClient(self._http(self.ratings_url, "ratings"), self.ratings_token)
