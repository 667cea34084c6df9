"""The source resources, and the one place that chooses what each mode wires.

`source_resources(mode)` builds every resource the definitions use for `demo` (the generated
universe), `archive` (files a user has) or `live` (HTTP APIs). Secrets (API keys, EDGAR's
User-Agent) are passed as `dg.EnvVar`, so Dagster reads them when a run starts and the UI shows
the variable's name, never its value.
"""

import json
import os
from pathlib import Path

import dagster as dg
from pydantic import Field

from ic_platform import settings
from ic_platform.sources.documents import JsonFolder
from ic_platform.sources.edgar import USER_AGENT_ENV, EdgarClient, EdgarFolder, EdgarZipArchive
from ic_platform.sources.http import HttpClient
from ic_platform.sources.market_data import ArchiveBars, DemoBars, PolygonClient
from ic_platform.sources.news import NewsClient
from ic_platform.sources.ratings import RatingsClient
from ic_platform.sources.readers import BarReader, DocumentReader, EdgarReader

MODES = ("demo", "archive", "live")
POLYGON_URL, RATINGS_URL = "https://api.polygon.io", "https://api.benzinga.com"


class SourceResource(dg.ConfigurableResource):
    """What every source resource shares: the mode and the demo folder."""

    mode: str = Field(default="demo", description="demo (generated universe), archive (files you have) or live (HTTP)")
    demo_root: str = Field(
        default="", description="Folder of the generated demo universe; empty means $IC_DATA_DIR/demo"
    )

    def checked_mode(self) -> str:
        """The mode, with a clear error when it is not one of MODES."""
        if self.mode not in MODES:
            raise dg.Failure(
                f"{type(self).__name__}: mode {self.mode!r} is not available; choose one of {', '.join(MODES)}",
                allow_retries=False,  # a setting: a retry cannot fix it
            )
        return self.mode

    def demo_folder(self) -> Path:
        """The demo universe's folder, with the command to make it when it is missing."""
        root = Path(self.demo_root) if self.demo_root else settings.demo_dir()
        if not (root / "manifest.json").exists():
            raise dg.Failure(
                f"no demo universe in {root}: run `ic-platform generate-demo` (or `ic-platform demo`)",
                allow_retries=False,
            )
        return root

    def cache(self, name: str, configured: str = "") -> Path:
        """The response cache of a live source: `configured`, else `$IC_DATA_DIR/cache/<name>`."""
        return Path(configured) if configured else settings.data_dir() / "cache" / name


class EdgarSource(SourceResource):
    """SEC EDGAR: the ticker map, submissions, companyfacts, full filings and the current-filings feed."""

    archive_path: str = Field(
        default="",
        description=(
            "Folder with companyfacts.zip/submissions.zip (or their unpacked folders) and "
            "company_tickers.json (archive mode)"
        ),
    )
    user_agent: str = Field(default="", description="'Company contact@example.com' (live mode)")
    www_url: str = Field(default="https://www.sec.gov", description="EDGAR web root (live mode)")
    data_url: str = Field(default="https://data.sec.gov", description="EDGAR data API root (live mode)")
    cache_dir: str = Field(default="", description="Response cache for live mode; empty means $IC_DATA_DIR/cache/edgar")
    thirteenf_managers: str = Field(
        default="",
        description="Comma-separated CIKs of the 13F managers to follow (archive and live); the demo lists its own",
    )
    thirteenf_datasets: str = Field(
        default="",
        description=(
            "Folder of SEC Form 13F data sets (a sub-folder per quarter with "
            "SUBMISSION/COVERPAGE/INFOTABLE.tsv), read instead of per-manager filings"
        ),
    )
    cusip_map: str = Field(
        default="", description="Optional CSV with cusip,ticker columns that takes precedence over name matching"
    )
    universe: str = Field(
        default="",
        description=(
            "Optional file naming the companies to score: tickers one a line, or a CSV with a ticker, "
            "symbol or cik column (such as the S&P 500 constituents); empty means every ticker in EDGAR's map"
        ),
    )
    sector_map: str = Field(
        default="",
        description=(
            "Optional CSV of ticker or cik to gics_sector, used before the SIC crosswalk "
            "(empty in demo mode: the demo's sectors.csv)"
        ),
    )

    def reader(self) -> EdgarReader:
        """The EDGAR reader of the configured mode."""
        mode = self.checked_mode()
        if mode == "demo":
            return EdgarFolder(self.demo_folder() / "edgar")
        if mode == "archive":
            root = Path(self.archive_path)
            return EdgarZipArchive(root) if (root / "companyfacts.zip").exists() else EdgarFolder(root)
        return EdgarClient(self.user_agent, self.www_url, self.data_url, self.cache("edgar", self.cache_dir))

    def sector_map_path(self) -> Path | None:
        """The sector table to use: the configured one, else the demo's in demo mode, else none."""
        if self.sector_map:
            return Path(self.sector_map)
        demo_table = self.demo_folder() / "sectors.csv"
        return demo_table if self.mode == "demo" and demo_table.exists() else None

    def thirteenf_manager_ciks(self) -> list[int]:
        """The 13F managers to follow: the demo's, or the configured list."""
        if self.mode == "demo":
            manifest = json.loads((self.demo_folder() / "manifest.json").read_text())
            return [m["cik"] for m in manifest.get("thirteenf_managers", [])]
        return [int(c) for c in self.thirteenf_managers.replace(" ", "").split(",") if c]


class MarketDataSource(SourceResource):
    """Daily bars: the demo files, an archive file (`archive_path`), or a Polygon-compatible API."""

    archive_path: str = Field(default="", description="CSV or Parquet bars file (archive mode)")
    base_url: str = Field(default=POLYGON_URL, description="API root (live mode)")
    api_key: str = Field(default="", description="API key (live mode)")
    max_requests_per_second: float = Field(default=5.0, description="Rate limit for live mode")
    cache_dir: str = Field(
        default="", description="Response cache for live mode; empty means $IC_DATA_DIR/cache/polygon"
    )

    def reader(self) -> BarReader:
        """The bar reader of the configured mode."""
        mode = self.checked_mode()
        if mode == "demo":
            return DemoBars(self.demo_folder())
        if mode == "archive":
            return ArchiveBars(Path(self.archive_path))
        http = HttpClient(
            self.base_url, max_per_second=self.max_requests_per_second, cache_dir=self.cache("polygon", self.cache_dir)
        )
        return PolygonClient(http, self.api_key)


class NewsSource(SourceResource):
    """News articles (Polygon reference-news format) and analyst ratings (Benzinga-style calendar)."""

    news_archive: str = Field(default="", description="Folder of news JSON responses (archive mode)")
    ratings_archive: str = Field(default="", description="Folder of ratings JSON files (archive mode)")
    news_url: str = Field(default=POLYGON_URL, description="News API root (live mode)")
    news_api_key: str = Field(default="", description="News API key (live mode)")
    ratings_url: str = Field(default=RATINGS_URL, description="Ratings API root (live mode)")
    ratings_token: str = Field(default="", description="Ratings API token (live mode)")
    sentiment_model: str = Field(default="lexicon", description="lexicon (default), transformer, trained or ensemble")

    def _http(self, base_url: str, name: str) -> HttpClient:
        return HttpClient(base_url, max_per_second=5, cache_dir=self.cache(name))

    def news_reader(self) -> DocumentReader:
        mode = self.checked_mode()
        if mode == "demo":
            return JsonFolder(self.demo_folder() / "polygon" / "news")
        if mode == "archive":
            return JsonFolder(Path(self.news_archive))
        return NewsClient(self._http(self.news_url, "news"), self.news_api_key)

    def ratings_reader(self) -> DocumentReader:
        mode = self.checked_mode()
        if mode == "demo":
            return JsonFolder(self.demo_folder() / "ratings")
        if mode == "archive":
            return JsonFolder(Path(self.ratings_archive))
        return RatingsClient(self._http(self.ratings_url, "ratings"), self.ratings_token)


def source_resources(mode: str | None = None) -> dict[str, SourceResource]:
    """Every source resource for `mode` (default `$IC_SOURCE_MODE`, else demo), by resource key."""
    mode = mode or settings.source_mode()
    env = os.environ.get
    sentiment = env("IC_SENTIMENT_MODEL", "lexicon")
    ownership = {
        "thirteenf_managers": env("IC_13F_MANAGERS", ""),
        "thirteenf_datasets": env("IC_13F_DATASETS", ""),
        "cusip_map": env("IC_CUSIP_MAP", ""),
        "sector_map": env("IC_SECTOR_MAP", ""),
        "universe": env("IC_UNIVERSE", ""),
    }
    if mode == "demo":
        return {
            "edgar": EdgarSource(
                mode="demo",
                cusip_map=ownership["cusip_map"],
                sector_map=ownership["sector_map"],
                universe=ownership["universe"],
            ),
            "market_data": MarketDataSource(mode="demo"),
            "news": NewsSource(mode="demo", sentiment_model=sentiment),
        }
    if mode == "archive":
        return {
            "edgar": EdgarSource(mode="archive", archive_path=env("IC_EDGAR_ARCHIVE", ""), **ownership),
            "market_data": MarketDataSource(mode="archive", archive_path=env("IC_BARS_ARCHIVE", "")),
            "news": NewsSource(
                mode="archive",
                news_archive=env("IC_NEWS_ARCHIVE", ""),
                ratings_archive=env("IC_RATINGS_ARCHIVE", ""),
                sentiment_model=sentiment,
            ),
        }
    if mode == "live":
        return {
            "edgar": EdgarSource(mode="live", user_agent=dg.EnvVar(USER_AGENT_ENV), **ownership),
            "market_data": MarketDataSource(
                mode="live", base_url=env("POLYGON_BASE_URL", POLYGON_URL), api_key=dg.EnvVar("POLYGON_API_KEY")
            ),
            "news": NewsSource(
                mode="live",
                news_url=env("POLYGON_BASE_URL", POLYGON_URL),
                news_api_key=dg.EnvVar("POLYGON_API_KEY"),
                ratings_url=env("RATINGS_BASE_URL", RATINGS_URL),
                ratings_token=dg.EnvVar("RATINGS_API_TOKEN"),
                sentiment_model=sentiment,
            ),
        }
    raise ValueError(f"{settings.SOURCE_MODE_ENV}={mode!r} is not a source mode: choose one of {', '.join(MODES)}")
