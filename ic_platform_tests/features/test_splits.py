from datetime import date

import polars as pl
import pytest

from ic_platform.features.splits import (
    action_indexes,
    adjusted_bars,
    index_on,
    restated,
    split_index,
    unexplained_jumps,
)

COMPANIES = pl.DataFrame({"ticker": ["AAA", "AAB", "BBB"], "cik": [1, 1, 2]})


def _actions(rows):
    return pl.DataFrame(
        rows,
        schema={
            "ticker": pl.String,
            "ex_date": pl.Date,
            "kind": pl.String,
            "ratio": pl.Float64,
            "cash_amount": pl.Float64,
        },
        orient="row",
    )


def _traded(rows):
    """Bars as traded: (ticker, date, close, volume), in date order."""
    frame = pl.DataFrame(rows, schema=["ticker", "date", "close", "volume"], orient="row")
    return frame.sort("date", maintain_order=True).lazy()


# AAA split 4:1 on Jan 4 and 2:1 on Jan 8 and paid $1 going ex on Jan 5; AAB (a second share class)
# and BBB have no action
ACTIONS = _actions(
    [
        ("AAA", date(2024, 1, 4), "split", 4.0, None),
        ("AAA", date(2024, 1, 5), "cash_dividend", None, 1.0),
        ("AAA", date(2024, 1, 8), "split", 2.0, None),
    ]
)


def test_the_index_steps_by_each_split_s_ratio_on_its_day():
    index = split_index(ACTIONS, COMPANIES)
    assert index.rows() == [(1, date(2024, 1, 4), 4.0), (1, date(2024, 1, 8), 8.0)]  # AAA speaks for CIK 1


def test_a_spin_off_moves_the_price_basis_but_not_the_share_count():
    actions = _actions([("AAA", date(2024, 1, 4), "spin_off", 1.25, None)])
    assert action_indexes(actions).select("price_index", "share_index").row(0) == (1.25, 1.0)


def test_adjusted_bars_run_across_splits_and_carry_the_dividend_in_their_units():
    bars = _traded(
        [
            ("AAA", date(2024, 1, 3), 400.0, 10.0),
            ("AAA", date(2024, 1, 4), 101.0, 40.0),
            ("AAA", date(2024, 1, 5), 100.0, 40.0),
            ("AAA", date(2024, 1, 8), 51.0, 80.0),
            ("BBB", date(2024, 1, 3), 10.0, 5.0),
        ]
    )
    adjusted = adjusted_bars(bars, ACTIONS).filter(pl.col("ticker") == "AAA").collect()
    assert adjusted.get_column("close").to_list() == [400.0, 404.0, 400.0, 408.0]
    assert adjusted.get_column("volume").to_list() == [10.0, 10.0, 10.0, 10.0]
    assert (adjusted.get_column("close") * adjusted.get_column("split_factor")).to_list() == [400.0, 101.0, 100.0, 51.0]
    assert adjusted.get_column("dividend").to_list() == [0.0, 0.0, 4.0, 0.0]  # $1 as paid, 4 in the units of Jan 3


def test_a_later_action_leaves_every_earlier_bar_exactly_as_it_was():
    bars = _traded([("AAA", date(2024, 1, d), 100.0 + d, 10.0) for d in (2, 3, 4, 5)])
    known = ACTIONS.filter(pl.col("ex_date") <= date(2024, 1, 4))
    early, late = adjusted_bars(bars, known).collect(), adjusted_bars(bars, ACTIONS).collect()
    assert late.filter(pl.col("date") < date(2024, 1, 5)).equals(early.filter(pl.col("date") < date(2024, 1, 5)))


def test_a_step_no_action_explains_is_a_jump_and_a_known_split_is_not():
    bars = _traded(
        [
            ("AAA", date(2024, 1, 3), 400.0, 10.0),
            ("AAA", date(2024, 1, 4), 101.0, 40.0),  # the 4:1 split
            ("BBB", date(2024, 1, 3), 10.0, 5.0),
            ("BBB", date(2024, 1, 4), 4.5, 5.0),  # under half, nothing to explain it
        ]
    )
    jumps = unexplained_jumps(bars, ACTIONS)
    assert jumps.select("date", "ticker", "previous_close", "close").rows() == [(date(2024, 1, 4), "BBB", 10.0, 4.5)]
    assert jumps.get_column("step").to_list() == [0.45]
    missing = unexplained_jumps(bars, ACTIONS.filter(pl.col("kind") != "split"))
    assert missing.get_column("ticker").to_list() == ["AAA", "BBB"]
    assert unexplained_jumps(bars, ACTIONS, since=date(2024, 1, 5)).is_empty()


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
