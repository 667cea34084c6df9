"""The EDGAR source as a Dagster resource."""

import polars as pl

from ic_platform.defs.sources import SourceResource
from ic_platform.sources.edgar_files import parse_company_tickers, parse_submissions_profile


class EdgarSource(SourceResource):
    """SEC EDGAR: the ticker map and the submissions (company profile) documents."""

    def company_tickers(self) -> pl.DataFrame:
        self.checked_mode(("demo",))
        path = self.demo_folder() / "edgar" / "company_tickers.json"
        return parse_company_tickers(path.read_bytes(), str(path))

    def submissions_profile(self, cik: int) -> dict | None:
        """The company's profile from its submissions document, or None when EDGAR has none."""
        path = self.demo_folder() / "edgar" / "submissions" / f"CIK{cik:010d}.json"
        return parse_submissions_profile(path.read_bytes(), str(path)) if path.exists() else None
