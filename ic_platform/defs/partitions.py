"""The trading-day partitions every daily asset shares, and the window a run materializes."""

from datetime import date, datetime, timedelta

import dagster as dg

from ic_platform import settings
from ic_platform.trading_days import FIRST_TRADING_DAY, weekday_holidays

PARTITION_FORMAT = "%Y-%m-%d"
WINDOW_JOB = "score_window"  # every asset over a window of days in one run (defined in ic_platform/definitions.py)
# Tags Dagster sets on a single-run range backfill (public names of `dagster/asset_partition_range_*`).
RANGE_START_TAG, RANGE_END_TAG = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


def _after(day: date) -> date:
    """The weekday after `day`: where the window of partition `day` ends."""
    return day + timedelta(days=3 if day.weekday() == 4 else 1)


# The settings as the code location loads: the partitions are part of the definitions, so a change
# of $IC_PARTITIONS_START (or a regenerated demo) takes a reload of the code location.
_LOADED = settings.current()
# from $IC_PARTITIONS_START, else the demo universe's first day in demo mode: the UI lists no days before the data
PARTITIONS_START = max(_LOADED.first_partition() or FIRST_TRADING_DAY, FIRST_TRADING_DAY)
# in demo mode the last simulated day: the UI lists no days the demo cannot have
PARTITIONS_END = _LOADED.last_partition()
TRADING_DAY_PARTITIONS = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 * * 1-5",
    start=PARTITIONS_START.strftime(PARTITION_FORMAT),
    end=_after(PARTITIONS_END).strftime(PARTITION_FORMAT) if PARTITIONS_END else None,
    fmt=PARTITION_FORMAT,
    timezone="America/New_York",
    # Day D's partition is available from D's midnight: its score uses only what was known before the open.
    end_offset=1,
    # only the holidays from the start on: Dagster serializes the definition into every partition's
    # planned check event of a range run (14 checks x 2,519 days in a 10-year backfill), so each
    # holiday before the start would only cost time
    exclusions=weekday_holidays(PARTITIONS_START),
)


def partition_window(context: dg.AssetExecutionContext) -> tuple[date, date]:
    """First and last trading day of the partitions a run materializes (one day or a backfilled range)."""
    keys = context.partition_key_range
    return (
        datetime.strptime(keys.start, PARTITION_FORMAT).date(),
        datetime.strptime(keys.end, PARTITION_FORMAT).date(),
    )
