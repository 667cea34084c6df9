from datetime import date

import polars as pl
import pytest

from ic_platform.features.splits import index_on, restated, split_index

COMPANIES = pl.DataFrame({"ticker": ["AAA", "AAB", "BBB"], "cik": [1, 1, 2]})


def _bars(rows):
    return pl.DataFrame(rows, schema=["ticker", "date", "split_factor"], orient="row").lazy()


def test_the_index_steps_by_each_split_s_ratio_on_its_day():
    bars = _bars(
        [
            # AAA split 4:1 on Jan 4 and 2:1 on Jan 6; the source divided earlier prices by 8, then 2
            ("AAA", date(2024, 1, 2), 8.0),
            ("AAA", date(2024, 1, 3), 8.0),
            ("AAA", date(2024, 1, 4), 2.0),
            ("AAA", date(2024, 1, 5), 2.0),
            ("AAA", date(2024, 1, 6), 1.0),
            ("AAB", date(2024, 1, 2), 1.0),  # a second share class: AAA speaks for the company
            ("BBB", date(2024, 1, 2), 1.0),
            ("BBB", date(2024, 1, 3), 1.0),
        ]
    )
    index = split_index(bars, COMPANIES)
    assert index.rows() == [
        (1, date(2024, 1, 2), 1.0),
        (1, date(2024, 1, 4), 4.0),
        (1, date(2024, 1, 6), 8.0),
        (2, date(2024, 1, 2), 1.0),
    ]


def test_a_lookup_takes_the_index_in_force_on_the_day():
    index = pl.DataFrame({"cik": [1, 1], "date": [date(2024, 1, 2), date(2024, 1, 4)], "split_index": [1.0, 4.0]})
    frame = pl.DataFrame(
        {
            "cik": [1, 1, 1, 1, 3],
            "day": [date(2024, 1, 5), date(2023, 6, 1), date(2024, 1, 3), date(2024, 1, 4), date(2024, 1, 5)],
        }
    )
    looked_up = index_on(frame, index, "day", "basis")
    assert looked_up.get_column("basis").to_list() == [4.0, 1.0, 1.0, 4.0, 1.0]  # order kept; no bars: 1
    assert looked_up.columns == ["cik", "day", "basis"]


@pytest.mark.parametrize(
    "line_item, expected",
    [("shares_outstanding", 400.0), ("eps_diluted", 25.0), ("eps_basic", 25.0), ("revenue", 100.0)],
)
def test_share_counts_multiply_per_share_figures_divide_and_the_rest_stay(line_item, expected):
    frame = pl.DataFrame({"value": [100.0], "line_item": [line_item]})
    moved = frame.select(restated(pl.col("value"), pl.col("line_item"), pl.lit(4.0))).item()
    assert moved == expected
    assert pl.select(restated(pl.lit(100.0), line_item, pl.lit(4.0))).item() == expected
