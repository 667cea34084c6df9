"""The market-data source as a Dagster resource."""

from datetime import date

import dagster as dg
import polars as pl

from ic_platform.defs.sources import SourceResource
from ic_platform.sources.polygon_files import parse_grouped_daily


class MarketDataSource(SourceResource):
    """Polygon-compatible market data: grouped daily bars for the whole market."""

    def grouped_daily(self, day: date) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The day's bars and its quarantined rows."""
        path = self.demo_path("polygon", "grouped", f"{day.isoformat()}.json")
        if not path.exists():
            raise dg.Failure(f"the demo universe has no bars for {day} ({path} is missing): pick days inside its range")
        return parse_grouped_daily(path.read_bytes(), day, str(path))
