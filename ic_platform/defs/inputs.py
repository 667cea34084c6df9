"""Inputs several domains read the same way: the bars a window of days may use, as traded or
adjusted with the corporate actions."""

from datetime import date

import dagster as dg
import polars as pl

from ic_platform.features.splits import adjusted_bars, unexplained_jumps
from ic_platform.tables import CORPORATE_ACTIONS, DAILY_BARS
from ic_platform.trading_days import last_trading_days, previous_trading_day

# Day D's row reads the bars before D, and the actions to adjust them with.
PRIOR_BARS = dg.AssetDep("daily_bars", partition_mapping=dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=-1))
ACTIONS = "corporate_actions"


def bars_before(start: date, end: date, history: int) -> pl.LazyFrame:
    """The bars (as traded) days `start`..`end` may use: from `history` trading days before `start`
    to the day before `end`."""
    return DAILY_BARS.scan(last_trading_days(previous_trading_day(start), history)[0], previous_trading_day(end))


def adjusted(bars: pl.LazyFrame) -> pl.LazyFrame:
    """`bars` (a daily table's scan, in date order) adjusted with the corporate actions
    (`features.splits.adjusted_bars`): an action changes the bars from its ex-date on only, so a
    day's row comes out the same whichever later actions are known."""
    return adjusted_bars(bars, CORPORATE_ACTIONS.scan().collect())


LOOK_BACK_FOR_PREVIOUS = 10  # trading days read before a window for each ticker's previous close


def jumps_in(start: date | None, end: date | None) -> pl.DataFrame:
    """The price steps no corporate action explains (`features.splits.unexplained_jumps`) on the
    days `start`..`end` (None: the table's first or last day)."""
    read_from = last_trading_days(start, LOOK_BACK_FOR_PREVIOUS)[0] if start else None
    return unexplained_jumps(DAILY_BARS.scan(read_from, end), CORPORATE_ACTIONS.scan().collect(), since=start)
