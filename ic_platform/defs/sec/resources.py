"""The EDGAR source as a Dagster resource."""

import json
import os
from pathlib import Path

from pydantic import Field

from ic_platform import settings
from ic_platform.defs.sources import SourceResource
from ic_platform.sources.edgar import USER_AGENT_ENV, EdgarClient, EdgarFolder, EdgarZipArchive


class EdgarSource(SourceResource):
    """SEC EDGAR: the ticker map, submissions, companyfacts and the current-filings feed."""

    archive_path: str = Field(default_factory=lambda: os.environ.get("IC_EDGAR_ARCHIVE", ""), description="Folder with companyfacts.zip/submissions.zip (or their unpacked folders) and company_tickers.json, for archive mode ($IC_EDGAR_ARCHIVE)")
    user_agent: str = Field(default_factory=lambda: os.environ.get(USER_AGENT_ENV, ""), description="'Company contact@example.com' for live mode ($EDGAR_USER_AGENT)")
    www_url: str = Field(default="https://www.sec.gov", description="EDGAR web root (live mode)")
    data_url: str = Field(default="https://data.sec.gov", description="EDGAR data API root (live mode)")
    cache_dir: str = Field(default="", description="Response cache for live mode; empty means $IC_DATA_DIR/cache/edgar")
    thirteenf_managers: str = Field(default_factory=lambda: os.environ.get("IC_13F_MANAGERS", ""), description="Comma-separated CIKs of the 13F managers to follow in archive and live modes ($IC_13F_MANAGERS); the demo lists its own")
    thirteenf_datasets: str = Field(default_factory=lambda: os.environ.get("IC_13F_DATASETS", ""), description="Folder of SEC Form 13F data sets (one sub-folder per quarter with SUBMISSION/COVERPAGE/INFOTABLE.tsv), read instead of per-manager filings ($IC_13F_DATASETS)")
    cusip_map: str = Field(default_factory=lambda: os.environ.get("IC_CUSIP_MAP", ""), description="Optional CSV with cusip,ticker columns that takes precedence over name matching ($IC_CUSIP_MAP)")

    def reader(self) -> EdgarFolder | EdgarClient:
        """The EDGAR reader of the configured mode."""
        mode = self.checked_mode()
        if mode == "demo":
            return EdgarFolder(self.demo_folder() / "edgar")
        if mode == "archive":
            root = Path(self.archive_path)
            return EdgarZipArchive(root) if (root / "companyfacts.zip").exists() else EdgarFolder(root)
        cache = Path(self.cache_dir) if self.cache_dir else settings.data_dir() / "cache" / "edgar"
        return EdgarClient(self.user_agent, self.www_url, self.data_url, cache)

    def thirteenf_manager_ciks(self) -> list[int]:
        """The 13F managers to follow: the demo's, or the configured list."""
        if self.mode == "demo":
            manifest = json.loads((self.demo_folder() / "manifest.json").read_text())
            return [m["cik"] for m in manifest.get("thirteenf_managers", [])]
        return [int(c) for c in self.thirteenf_managers.replace(" ", "").split(",") if c]
