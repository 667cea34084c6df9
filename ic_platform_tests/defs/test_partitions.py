from datetime import date

from ic_platform.defs.partitions import TRADING_DAY_PARTITIONS


def test_partitions_are_weekdays_without_exchange_holidays():
    keys = set(TRADING_DAY_PARTITIONS.get_partition_keys())
    assert {"2024-07-03", "2024-07-05", "2024-12-31"} <= keys
    # Independence Day, Thanksgiving, Christmas, and the 2025-01-09 closure for President Carter's funeral.
    assert not {"2024-07-04", "2024-11-28", "2024-12-25", "2025-01-09"} & keys
    assert all(date.fromisoformat(k).weekday() < 5 for k in keys)
