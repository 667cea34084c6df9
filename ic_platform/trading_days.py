"""US trading days: the NYSE calendar every daily table and knowledge date is built on.

Sessions come from `exchange_calendars`' XNYS calendar (NYSE holidays, maintained upstream), so
a new holiday arrives with a library upgrade, not an edit here.
"""

import bisect
from datetime import date, datetime, timedelta
from functools import lru_cache

import exchange_calendars as xcals
import pandas as pd
import polars as pl

FIRST_TRADING_DAY = date(2010, 1, 4)  # first daily partition
CALENDAR_START = date(2000, 1, 3)  # the helpers also date older filings (companyfacts reach back to 2009)
# The calendar is built to a fixed horizon so the partitions definition never changes from one
# day to the next (Dagster stores its snapshot); move it forward when the horizon comes close.
CALENDAR_HORIZON = date(2030, 12, 31)
NEW_YORK = "America/New_York"


@lru_cache(maxsize=1)
def _sessions() -> pd.DatetimeIndex:
    calendar = xcals.get_calendar("XNYS", start=CALENDAR_START.isoformat(), end=CALENDAR_HORIZON.isoformat())
    return calendar.sessions


@lru_cache(maxsize=1)
def _session_dates() -> tuple[date, ...]:
    return tuple(ts.date() for ts in _sessions())


def weekday_holidays(since: date = FIRST_TRADING_DAY) -> list[datetime]:
    """Weekdays from `since` to the horizon without a session (holidays, special closures)."""
    sessions = set(_session_dates())
    day, holidays = since, []
    while day <= CALENDAR_HORIZON:
        if day.weekday() < 5 and day not in sessions:
            holidays.append(datetime(day.year, day.month, day.day))
        day += timedelta(days=1)
    return holidays


def _check_in_range(day: date) -> None:
    if not CALENDAR_START <= day <= CALENDAR_HORIZON:
        raise ValueError(f"{day} is outside the trading calendar ({CALENDAR_START} to {CALENDAR_HORIZON})")


def is_trading_day(day: date) -> bool:
    """True when NYSE holds a regular session on `day`."""
    _check_in_range(day)
    return _index(day, "right") - _index(day, "left") == 1


def _index(day: date, side: str) -> int:
    dates = _session_dates()
    return bisect.bisect_left(dates, day) if side == "left" else bisect.bisect_right(dates, day)


def next_trading_day(day: date) -> date:
    """The first trading day strictly after `day` (an SEC filing's knowledge date is this of its filing date)."""
    _check_in_range(day)
    return _session_dates()[_index(day, "right")]


def previous_trading_day(day: date) -> date:
    """The last trading day strictly before `day` (day D's score uses closes up to this day)."""
    _check_in_range(day)
    position = _index(day, "left") - 1
    if position < 0:
        raise ValueError(f"no trading day before {day} in the calendar")
    return _session_dates()[position]


def next_trading_days(days: pl.Series) -> pl.Series:
    """`next_trading_day` of every date in a column (each distinct date looked up once)."""
    mapping = {day: next_trading_day(day) for day in days.unique().drop_nulls()}
    return days.replace_strict(mapping, default=None, return_dtype=pl.Date)


def trading_days_between(start: date, end: date) -> list[date]:
    """Trading days from `start` to `end`, both included."""
    dates = _session_dates()
    return list(dates[_index(start, "left") : _index(end, "right")])


def last_trading_days(end: date, count: int) -> list[date]:
    """The `count` trading days ending on or before `end`."""
    dates = _session_dates()
    stop = _index(end, "right")
    if stop < count:
        raise ValueError(f"the calendar has only {stop} trading days up to {end}, {count} asked")
    return list(dates[stop - count : stop])


def before_open_knowledge_date(published_utc: pl.Series) -> pl.Series:
    """The trading day whose 09:30 New York open comes first after each UTC publication time."""
    local = published_utc.dt.convert_time_zone(NEW_YORK)
    before_open = local.dt.hour().cast(pl.Int32) * 60 + local.dt.minute().cast(pl.Int32) < 9 * 60 + 30
    candidate = pl.select(
        pl.when(before_open).then(local.dt.date()).otherwise(local.dt.date() + timedelta(days=1))
    ).to_series()
    return next_trading_days(candidate - timedelta(days=1))
