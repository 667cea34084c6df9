from datetime import date, datetime

import pytest

from ic_platform.trading_days import (
    is_trading_day,
    last_trading_days,
    next_trading_day,
    previous_trading_day,
    trading_days_between,
    weekday_holidays,
)


def test_a_year_has_the_sessions_nyse_held():
    assert len(trading_days_between(date(2024, 1, 1), date(2024, 12, 31))) == 252
    assert len(trading_days_between(date(2023, 1, 1), date(2023, 12, 31))) == 250


def test_next_and_previous_trading_day_skip_weekends_and_holidays():
    assert next_trading_day(date(2024, 7, 3)) == date(2024, 7, 5)
    assert next_trading_day(date(2024, 7, 5)) == date(2024, 7, 8)
    assert next_trading_day(date(2024, 7, 6)) == date(2024, 7, 8)  # a Saturday filing is known Monday
    assert previous_trading_day(date(2024, 7, 5)) == date(2024, 7, 3)
    assert previous_trading_day(date(2024, 7, 8)) == date(2024, 7, 5)
    assert previous_trading_day(date(2025, 1, 10)) == date(2025, 1, 8)


def test_is_trading_day_and_window_helpers():
    assert is_trading_day(date(2024, 7, 5))
    assert not is_trading_day(date(2024, 7, 4))
    assert not is_trading_day(date(2024, 7, 6))
    assert last_trading_days(date(2024, 7, 7), 3) == [date(2024, 7, 2), date(2024, 7, 3), date(2024, 7, 5)]


def test_dates_outside_the_calendar_are_refused():
    with pytest.raises(ValueError, match="outside the trading calendar"):
        next_trading_day(date(1999, 1, 1))


def test_weekday_holidays_start_on_the_day_asked():
    holidays = weekday_holidays(date(2024, 7, 5))
    assert holidays[0] == datetime(2024, 9, 2)  # Labor Day, the first after Independence Day
    assert datetime(2025, 1, 9) in holidays  # the closure for President Carter's funeral
    assert holidays == [day for day in weekday_holidays() if day.date() >= date(2024, 7, 5)]
