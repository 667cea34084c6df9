"""The one Dagster entry point: every domain's assets, checks, sensors and resources."""

import dagster as dg

from ic_platform.defs.market.assets import daily_bars
from ic_platform.defs.market.resources import MarketDataSource
from ic_platform.defs.sec.assets import sec_companies
from ic_platform.defs.sec.resources import EdgarSource

defs = dg.Definitions(
    assets=[sec_companies, daily_bars],
    resources={"edgar": EdgarSource(), "market_data": MarketDataSource()},
)
