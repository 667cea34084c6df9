"""The market-data source as a Dagster resource."""

import os
from pathlib import Path

from pydantic import Field

from ic_platform import settings
from ic_platform.defs.sources import SourceResource
from ic_platform.sources.http import HttpClient
from ic_platform.sources.market_data import ArchiveBars, DemoBars, PolygonClient


class MarketDataSource(SourceResource):
    """Daily bars: the demo files, an archive file (`archive_path`), or a Polygon-compatible API."""

    archive_path: str = Field(default_factory=lambda: os.environ.get("IC_BARS_ARCHIVE", ""), description="CSV or Parquet bars file for archive mode ($IC_BARS_ARCHIVE)")
    base_url: str = Field(default_factory=lambda: os.environ.get("POLYGON_BASE_URL", "https://api.polygon.io"), description="API root for live mode ($POLYGON_BASE_URL)")
    api_key: str = Field(default_factory=lambda: os.environ.get("POLYGON_API_KEY", ""), description="API key for live mode ($POLYGON_API_KEY)")
    max_requests_per_second: float = Field(default=5.0, description="Rate limit for live mode")
    cache_dir: str = Field(default="", description="Response cache for live mode; empty means $IC_DATA_DIR/cache/polygon")

    def reader(self) -> DemoBars | ArchiveBars | PolygonClient:
        """The bar reader of the configured mode."""
        mode = self.checked_mode()
        if mode == "demo":
            return DemoBars(self.demo_folder())
        if mode == "archive":
            return ArchiveBars(Path(self.archive_path))
        cache = Path(self.cache_dir) if self.cache_dir else settings.data_dir() / "cache" / "polygon"
        http = HttpClient(self.base_url, max_per_second=self.max_requests_per_second, cache_dir=cache)
        return PolygonClient(http, self.api_key)
