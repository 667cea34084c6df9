from datetime import date

import numpy as np
import polars as pl
import pytest

from ic_platform.scoring import evaluation
from ic_platform.trading_days import trading_days_between


def test_walk_forward_weights_learn_the_signal_and_never_score_inside_their_training_window():
    rng = np.random.default_rng(0)
    days = trading_days_between(date(2023, 1, 2), date(2024, 6, 28))
    tickers = [f"T{i}" for i in range(40)]
    signal = rng.normal(size=len(tickers))
    scores = pl.DataFrame(
        {
            "date": [d for d in days for _ in tickers],
            "ticker": tickers * len(days),
            "growth": [50 + 15 * s for _ in days for s in signal],
            "value": rng.uniform(0, 100, len(days) * len(tickers)),
        }
    )
    returns = scores.select(
        "date", "ticker", forward_21d=pl.col("growth") / 1000 + pl.Series(rng.normal(0, 0.01, scores.height))
    )
    joined = evaluation.with_forward_returns(scores, returns)
    learned, fits = evaluation.walk_forward_scores(joined, ["growth", "value"])
    assert not learned.is_empty() and fits.height == learned.get_column("training_end").n_unique()
    position = {d: i for i, d in enumerate(days)}
    gap = learned.select(
        pl.col("date").replace_strict(position) - pl.col("training_end").replace_strict(position)
    ).to_series()
    assert gap.min() == 21 + 20 + 1  # the training rows' 21-day returns ended 20 trading days (the embargo) before
    assert (fits.get_column("growth").abs() > 10 * fits.get_column("value").abs()).all()
    _, summary = evaluation.information_coefficients(
        joined.join(learned, on=["date", "ticker"]), ["learned_score"], (21,)
    )
    assert summary.get_column("mean_ic")[0] > 0.5


def test_forward_returns_are_total_returns():
    days = trading_days_between(date(2024, 1, 2), date(2024, 3, 28))
    bars = pl.DataFrame(
        {"date": days, "ticker": "T", "close": 50.0, "dividend": [1.0 if i == 10 else 0.0 for i in range(len(days))]}
    )
    returns = evaluation.forward_returns(bars.lazy(), (21,))
    assert returns.get_column("forward_21d")[0] == pytest.approx(0.02)  # the dividend of bar 10, reinvested
    assert returns.get_column("forward_21d")[10] == 0.0  # bought on its ex-day's close: after it


@pytest.mark.parametrize("shuffled", [False, True])
def test_scores_join_their_forward_returns_a_year_at_a_time_in_key_order(monkeypatch, shuffled):
    monkeypatch.setattr(evaluation, "JOIN_DAYS", 2)  # five days: three joins
    days = trading_days_between(date(2024, 1, 2), date(2024, 1, 8))
    scores = pl.DataFrame({"date": [d for d in days for _ in "AB"], "ticker": ["A", "B"] * len(days)})
    scores = scores.with_columns(score=pl.int_range(pl.len()))
    returns = scores.filter(pl.col("ticker") == "A").select("date", "ticker", forward_21d=pl.col("score") / 100)
    joined = evaluation.with_forward_returns(
        scores.sample(fraction=1, shuffle=True, seed=1) if shuffled else scores, returns
    )
    assert joined.equals(scores.join(returns, on=["date", "ticker"], how="left").sort("date", "ticker"))
    assert evaluation.with_forward_returns(scores.head(0), returns).columns == [
        "date",
        "ticker",
        "score",
        "forward_21d",
    ]


def test_no_ic_is_computed_from_a_cross_section_below_the_minimum():
    days = trading_days_between(date(2024, 1, 2), date(2024, 3, 28))
    rows = [(d, f"T{i}", float(i), float(i) / 100) for d in days for i in range(12 if d.day % 2 else 3)]
    joined = pl.DataFrame(rows, schema=["date", "ticker", "score", "forward_21d"], orient="row")
    daily, summary = evaluation.information_coefficients(joined, ["score"], (21,), min_names=10)
    large_days = sum(1 for d in days if d.day % 2)
    assert daily.get_column("score|21").null_count() == len(days) - large_days
    assert summary.row(0, named=True)["days"] == large_days  # the two- and three-name days are not counted
    _, none = evaluation.information_coefficients(joined.filter(pl.col("ticker") < "T3"), ["score"], (21,), 10)
    assert none.is_empty()


def test_the_newey_west_t_statistic_on_a_worked_example():
    values = np.array([1.0, 2.0, 3.0, 4.0])
    # deviations -1.5 -0.5 0.5 1.5: gamma0 = 5/4, gamma1 = 1.25/4; lag 1 weighs gamma1 by 1/2
    # variance 1.25 + 2 * 0.5 * 0.3125 = 1.5625, standard error sqrt(1.5625 / 4) = 0.625, t = 2.5 / 0.625
    assert evaluation.newey_west_t(values, 1) == pytest.approx(4.0)
    assert evaluation.newey_west_t(values, 0) == pytest.approx(2.5 / (1.25 / 4) ** 0.5)
    assert evaluation.newey_west_t(np.ones(30), 5) is None


def test_overlapping_windows_inflate_the_plain_t_statistic_and_newey_west_does_not():
    rng = np.random.default_rng(1)
    plain, corrected = [], []
    for _ in range(300):  # no signal: 21-day sums of independent noise overlap as 21-day returns do
        noise = rng.normal(size=520)
        series = np.convolve(noise, np.ones(21), mode="valid")
        plain.append(series.mean() / series.std(ddof=1) * len(series) ** 0.5)
        corrected.append(evaluation.newey_west_t(series, 21))
    assert np.std(plain) > 3  # a "significant" plain t-statistic about two times in three
    assert 0.8 < np.std(corrected) < 1.5  # close to a standard normal, as a t-statistic of nothing should be


def test_the_summary_gives_each_horizon_with_guards_and_the_decay_its_half_life():
    days = trading_days_between(date(2023, 1, 2), date(2024, 6, 28))
    rng = np.random.default_rng(3)
    tickers = [f"T{i}" for i in range(30)]
    signal = rng.normal(size=len(tickers))
    rows = []
    for d in days:
        noise = rng.normal(size=len(tickers))
        rows += [
            (d, t, float(s), *(float(s) * np.exp(-h * np.log(2) / 10) + n for h in (1, 5, 21, 63)))
            for t, s, n in zip(tickers, signal, noise)
        ]
    columns = ["date", "ticker", "score", *(f"forward_{h}d" for h in evaluation.HORIZONS)]
    joined = pl.DataFrame(rows, schema=columns, orient="row")
    _, summary = evaluation.information_coefficients(joined, ["score"], min_names=10)
    assert summary.get_column("horizon_days").to_list() == [1, 5, 21, 63]
    assert summary.get_column("warning").null_count() == 4 and summary.get_column("days").min() > 252
    ics = summary.get_column("mean_ic").to_list()
    assert ics == sorted(ics, reverse=True) and ics[0] > 0.3  # the signal's share of the return halves every 10 days
    decay, half_life = evaluation.ic_decay(summary)
    assert decay.height == 4 and 5 < half_life < 40
    short = joined.filter(pl.col("date") < days[100])
    _, brief = evaluation.information_coefficients(short, ["score"], min_names=10)
    assert set(brief.get_column("warning")) == {"short sample: 100 days"}
    _, nothing = evaluation.information_coefficients(joined.filter(pl.col("date") < days[19]), ["score"])
    assert nothing.is_empty()  # fewer than 20 days: no statistics


def test_quintile_returns_and_the_top_minus_bottom_spread_by_horizon():
    days = trading_days_between(date(2024, 1, 2), date(2024, 4, 30))
    rng = np.random.default_rng(5)
    rows = []
    for d in days:
        scores = rng.permutation(50).astype(float)
        rows += [
            (d, f"T{i}", s, *(s / 1000 + rng.normal(0, 0.01) for _ in evaluation.HORIZONS))
            for i, s in enumerate(scores)
        ]
    rows += [(days[0], f"X{i}", float(i), *(0.0,) * 4) for i in range(3)]  # more names on one day: still bucketed
    columns = ["date", "ticker", "score", *(f"forward_{h}d" for h in evaluation.HORIZONS)]
    joined = pl.DataFrame(rows, schema=columns, orient="row").sort("date", "ticker")
    spreads = evaluation.top_minus_bottom(joined)
    assert spreads.get_column("horizon_days").to_list() == list(evaluation.HORIZONS)
    first = spreads.row(0, named=True)
    means = [first[f"q{q}"] for q in range(1, 6)]
    assert means == sorted(means) and first["spread"] == pytest.approx(means[-1] - means[0], abs=2e-3)
    assert first["spread"] == pytest.approx(0.040, abs=0.003) and first["t_stat"] > 10 and first["days"] == len(days)
    deciles = evaluation.quantile_returns(joined, 10, 21)
    assert deciles.get_column("quantile").to_list() == list(range(1, 11)) and set(deciles.get_column("days")) == {
        len(days)
    }
    few = joined.filter(pl.col("ticker").is_in(["T1", "T2", "T3"]))
    assert evaluation.top_minus_bottom(few).is_empty()  # three names cannot fill five buckets


def test_sector_neutral_ic_year_by_year_and_rank_autocorrelation():
    days = trading_days_between(date(2023, 11, 1), date(2024, 3, 28))
    rng = np.random.default_rng(8)
    within = rng.normal(size=40)
    sectors = ["Energy" if i < 20 else "Utilities" for i in range(40)]
    rows = []
    for d in days:
        noise = rng.normal(size=40)
        # energy scores 50 points higher, a sector effect that predicts nothing; within a sector the
        # score's part that differs predicts the return
        rows += [
            (d, f"T{i}", sectors[i], within[i] + (50.0 if i < 20 else 0.0), within[i] / 100 + noise[i] / 50)
            for i in range(40)
        ]
    frame = pl.DataFrame(rows, schema=["date", "ticker", "gics_sector", "score", "forward_21d"], orient="row")
    frame = frame.with_columns(evaluation.sector_neutral())
    daily, summary = evaluation.information_coefficients(frame, ["score", "score_sector_neutral"], (21,), 10)
    ic = dict(summary.select("signal", "mean_ic").iter_rows())
    assert ic["score_sector_neutral"] > ic["score"] + 0.2  # the sector offset hid the within-sector signal
    by_year = evaluation.ic_by_year(daily)
    assert by_year.get_column("year").to_list() == [2023, 2024] and by_year.get_column("days").sum() == len(days)
    assert evaluation.rank_autocorrelation(frame, 1) == pytest.approx(1.0)  # the same scores every day
    fresh = frame.with_columns(score=pl.Series(np.random.default_rng(9).normal(size=frame.height)))
    assert abs(evaluation.rank_autocorrelation(fresh, 21)) < 0.1  # new scores every day
    assert evaluation.rank_autocorrelation(frame.filter(pl.col("date") < days[5]), 21) is None  # too few days
