from datetime import date

import polars as pl
import pytest

from ic_platform.scoring.scores import (
    DEFAULT_WEIGHTS,
    factor_scores,
    ic_scores,
    rating,
    refuse_small_days,
    sector_percentiles,
)

D = date(2024, 7, 1)


def test_percentiles_are_exact_sector_ranks_with_ties_averaged_and_inversion():
    frame = pl.DataFrame(
        {
            "date": [D] * 6,
            "gics_sector": ["Energy"] * 5 + ["Utilities"],
            "x": [10.0, 20.0, 20.0, 40.0, None, 5.0],
        }
    )
    # Energy has 4 values (< 5): every row falls back to the market of 5 values: ranks 2, 3.5, 3.5, 5, -, 1
    result = sector_percentiles(frame.with_columns(y="x"), {"x": True, "y": False})
    assert result.get_column("x_percentile").to_list() == [30.0, 60.0, 60.0, 90.0, None, 10.0]
    assert result.get_column("y_percentile").to_list() == [70.0, 40.0, 40.0, 10.0, None, 90.0]


def test_a_sector_with_five_values_ranks_within_itself():
    frame = pl.DataFrame(
        {"date": [D] * 7, "gics_sector": ["Energy"] * 5 + ["Utilities"] * 2, "x": [1.0, 2, 3, 4, 5, 100, 200]}
    )
    # Utilities has two values: they rank in the market of seven (ranks 6 and 7)
    assert sector_percentiles(frame, {"x": True}).get_column("x_percentile").to_list() == pytest.approx(
        [10.0, 30.0, 50.0, 70.0, 90.0, 550 / 7, 650 / 7]
    )


def inputs(**metrics):
    count = len(next(iter(metrics.values())))
    return pl.DataFrame(
        {
            "date": [D] * count,
            "ticker": [f"T{i}" for i in range(count)],
            "gics_sector": ["Energy"] * count,
            **metrics,
            "inputs_knowledge_date": [D] * count,
        }
    )


def test_factors_average_available_percentiles_and_missing_is_null_not_50():
    frame = inputs(
        pe_ratio=[10.0, 20.0, 30.0, 40.0, 50.0],
        pb_ratio=[None, None, None, None, None],
        gross_margin=[0.1, 0.2, 0.3, 0.4, None],
    )
    factors = factor_scores(frame)
    assert factors.get_column("value").to_list() == [
        90.0,
        70.0,
        50.0,
        30.0,
        10.0,
    ]  # lower P/E is better; P/B all missing
    assert factors.get_column("profitability").to_list() == [12.5, 37.5, 62.5, 87.5, None]
    assert factors.get_column("growth").null_count() == 5 and factors.get_column("news_sentiment").null_count() == 5


def test_scores_renormalise_weights_gate_and_band():
    factors = pl.DataFrame(
        {
            "date": [D] * 3,
            "ticker": ["A", "B", "C"],
            "gics_sector": ["Energy"] * 3,
            "value": [80.0, 50.0, None],
            "growth": [60.0, None, None],
            "profitability": [70.0, 50.0, 90.0],
            "financial_health": [None, 50.0, None],
            "momentum": [100.0, None, 90.0],
            "analyst_consensus": [None, None, None],
            "insider_activity": [None, None, None],
            "institutional": [None, None, None],
            "news_sentiment": [None, None, None],
            "technical": [40.0, None, 90.0],
            "inputs_knowledge_date": [D] * 3,
        }
    )
    scores = ic_scores(factors)
    # A: (0.12*80 + 0.15*60 + 0.12*70 + 0.08*100 + 0.08*40) / 0.55 = 38.2 / 0.55 = 69.45 -> 69, Buy, 55% Low
    row = scores.filter(pl.col("ticker") == "A").row(0, named=True)
    assert (row["score"], row["rating"], row["confidence"]) == (69, "Buy", "Low")
    assert row["data_completeness"] == pytest.approx(0.55)
    # B: value, profitability, financial health = 34% < 40%: not published. C: one fundamental factor: not published.
    assert scores.get_column("ticker").to_list() == ["A"]


def test_rating_bands():
    scores = pl.DataFrame({"s": [100, 80, 79, 65, 64, 50, 49, 35, 34, 1]})
    assert scores.select(rating(pl.col("s"))).to_series().to_list() == [
        "Strong Buy",
        "Strong Buy",
        "Buy",
        "Buy",
        "Hold",
        "Hold",
        "Underperform",
        "Underperform",
        "Sell",
        "Sell",
    ]


def test_weights_add_up_to_one():
    assert sum(DEFAULT_WEIGHTS.values()) == pytest.approx(1.0)


def test_a_day_with_fewer_names_than_the_minimum_is_refused_whole():
    published = pl.DataFrame(
        {"date": [D] * 3 + [date(2024, 1, 3)] * 10, "ticker": [f"T{i}" for i in range(13)], "score": [50] * 13}
    )
    kept, refused = refuse_small_days(published, 10)
    assert kept.get_column("date").unique().to_list() == [date(2024, 1, 3)] and kept.height == 10
    assert refused.rows() == [(D, 3)]
