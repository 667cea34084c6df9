"""The gap-repair job: refetch missing ticker-days through the per-ticker endpoint."""

from datetime import date

import dagster as dg
import polars as pl

from ic_platform.defs.policies import time_limit
from ic_platform.defs.resources import MarketDataSource
from ic_platform.defs.stores import TableStore, with_table_store
from ic_platform.features.bar_gaps import fetch_missing_bars, find_gaps
from ic_platform.storage import quarantine_table
from ic_platform.tables import DAILY_BARS
from ic_platform.trading_days import trading_days_between


class GapRepairConfig(dg.Config):
    start: str = ""  # first day to scan, YYYY-MM-DD; empty: the first partition
    end: str = ""  # last day to scan; empty: the last partition


@with_table_store(
    dg.op,
    description="Finds ticker-days missing inside trading lives and rewrites their partitions with the refetched bars.",
)
def repair_gaps(
    context: dg.OpExecutionContext, config: GapRepairConfig, market_data: MarketDataSource, table_store: TableStore
) -> dg.Output:
    days = DAILY_BARS.days()
    if not days:
        return dg.Output(0, metadata={"repaired": 0})
    window = trading_days_between(
        date.fromisoformat(config.start) if config.start else days[0],
        date.fromisoformat(config.end) if config.end else days[-1],
    )
    gaps = find_gaps(DAILY_BARS.scan(window[0], window[-1]), window)
    context.log.info(f"{gaps.height} missing ticker-days over {gaps.get_column('ticker').n_unique()} tickers")
    found, quarantined = fetch_missing_bars(gaps, market_data.reader())
    quarantine = quarantine_table(DAILY_BARS)
    for day in sorted(set(found.get_column("date")) | set(quarantined.get_column("date"))):
        DAILY_BARS.write(
            pl.concat([DAILY_BARS.scan(day, day).collect(), found.filter(pl.col("date") == day)]),
            day,
            day,
            quarantined=pl.concat(
                [quarantine.scan(day, day).collect(), quarantined.filter(pl.col("date") == day)]
            ).unique(),
        )
        context.log_event(
            dg.AssetMaterialization(asset_key="daily_bars", partition=day.isoformat(), description="gap repair")
        )
    return dg.Output(
        found.height,
        metadata={"missing": gaps.height, "repaired": found.height, "still_missing": gaps.height - found.height},
    )


@dg.job(
    description="Refetch the ticker-days missing from daily_bars through the market-data source's per-ticker endpoint.",
    tags=time_limit(3),
)
def repair_daily_bar_gaps():
    repair_gaps()
