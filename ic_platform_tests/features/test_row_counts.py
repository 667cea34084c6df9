from datetime import date

import polars as pl

from ic_platform.features.row_counts import count_drops, daily_counts, describe_drops


def test_drops_are_measured_against_the_day_before():
    counts = pl.DataFrame(
        {"date": [date(2025, 1, d) for d in (2, 3, 6, 7)], "rows": [100, 80, 50, 100]},
        schema_overrides={"rows": pl.UInt32},
    )
    assert count_drops(counts, 0.25).rows() == [(date(2025, 1, 6), 80, 50)]
    assert count_drops(counts, 0.5).is_empty()
    assert count_drops(counts, 0.25, previous=200).rows()[0] == (date(2025, 1, 2), 200, 100)


def test_a_day_without_rows_counts_zero_and_is_named():
    days = [date(2025, 1, 2), date(2025, 1, 3)]
    counts = daily_counts(pl.DataFrame({"date": [days[0]] * 60}), days)
    assert counts.rows() == [(days[0], 60), (days[1], 0)]
    assert describe_drops(count_drops(counts, 0.25), "scores") == "2025-01-03: scores 60 -> 0"
