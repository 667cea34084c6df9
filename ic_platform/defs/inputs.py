"""Inputs several domains read the same way: the bars a window of days may use."""

from datetime import date

import dagster as dg
import polars as pl

from ic_platform.tables import DAILY_BARS
from ic_platform.trading_days import last_trading_days, previous_trading_day

# Day D's row reads the bars before D.
PRIOR_BARS = dg.AssetDep("daily_bars", partition_mapping=dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=-1))


def every_bar_before(end: date | None = None) -> pl.LazyFrame:
    """Every bar before `end` (all of them when None): the splits a share basis may use."""
    return DAILY_BARS.scan(None, previous_trading_day(end) if end else None)


def bars_before(start: date, end: date, history: int) -> pl.LazyFrame:
    """The bars days `start`..`end` may use: from `history` trading days before `start` to the day before `end`."""
    return DAILY_BARS.scan(last_trading_days(previous_trading_day(start), history)[0], previous_trading_day(end))
