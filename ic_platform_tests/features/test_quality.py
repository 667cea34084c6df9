from datetime import date

import numpy as np
import polars as pl

from ic_platform.features.quality import (
    column_drift,
    flagged,
    population_stability,
    quarantine_measures,
    table_measures,
)
from ic_platform.trading_days import last_trading_days

DAYS = last_trading_days(date(2026, 10, 30), 80)


def _normal_days(shift_last_by: float = 0.0) -> list[np.ndarray]:
    rng = np.random.default_rng(1)
    days = [rng.normal(size=400) for _ in DAYS]
    days[-1] = days[-1] + shift_last_by
    return days


def test_identical_distributions_are_stable_and_a_shift_is_large():
    counts = np.array([10, 20, 30, 40])
    assert population_stability(counts, counts * 3) == 0
    assert population_stability(np.array([40, 30, 20, 10]), counts) > 0.25
    steady = column_drift(_normal_days(), measured_from=60)
    assert max(steady) < 0.1  # same distribution every day
    shifted = column_drift(_normal_days(shift_last_by=1.0), measured_from=60)
    assert shifted[-1] > 0.25 and max(shifted[:-1]) < 0.1


def test_too_short_a_history_measures_no_drift():
    drifts = column_drift(_normal_days()[:30], measured_from=10)  # days 10..19 have fewer than 20 days before
    assert drifts[:10] == [None] * 10 and all(d is not None for d in drifts[10:])


def test_a_table_gets_rows_null_shares_and_drift_and_a_coverage_drop_warns():
    values = _normal_days()
    rows = [
        {"date": day, "ticker": f"T{k}", "close": float(v), "note": None if k % 4 == 0 else "x"}
        for day, day_values in zip(DAYS, values)
        for k, v in enumerate(day_values[: 400 if day != DAYS[-1] else 200])  # the last day has half the rows
    ]
    measures = pl.DataFrame(table_measures("prices", pl.DataFrame(rows), list(DAYS), measured_from=60))
    last = measures.filter(pl.col("date") == DAYS[-1])
    by_metric = {(r["column"], r["metric"]): r["value"] for r in last.iter_rows(named=True)}
    assert by_metric[("", "rows")] == 200 and by_metric[("", "rows_vs_trailing_median")] == 0.5
    assert by_metric[("note", "null_share")] == 0.25 and abs(by_metric[("note", "null_share_change")]) < 1e-9
    assert ("close", "psi") in by_metric and ("note", "psi") not in by_metric  # text has no drift
    assert measures.get_column("date").min() == DAYS[60]  # the reference days are not reported
    warned = flagged(measures)
    assert warned.select("date", "metric").rows() == [(DAYS[-1], "rows_vs_trailing_median")]


def test_quarantined_records_are_counted_by_day_and_reason():
    records = pl.DataFrame(
        {
            "date": [DAYS[-1], DAYS[-1], DAYS[-1], DAYS[-2], None],
            "source": ["f"] * 5,
            "record": ["r"] * 5,
            "reason": ["close: -1.5 fails greater_than(0)", "close: -2.0 fails greater_than(0)"]
            + ["an exact copy of an earlier row"] * 2
            + ["x"],
        }
    )
    counted = pl.DataFrame(quarantine_measures("daily_bars", records, [DAYS[-1]])).sort("detail")
    assert counted.select("detail", "value").rows() == [
        ("an exact copy of an earlier row", 1.0),
        ("close: # fails greater_than(#)", 2.0),
    ]


def _drift_by_definition(values_by_day: list[np.ndarray], measured_from: int) -> list[float | None]:
    """The PSI of the module's docstring, day by day with NumPy's own quantiles: the reference the
    vectorized column_drift must equal."""
    from ic_platform.features.quality import BINS, MIN_REFERENCE_DAYS, MIN_VALUES, SKETCH, TRAILING_DAYS

    finite = [v[np.isfinite(v)] for v in values_by_day]
    sketches = [np.percentile(v, SKETCH) if v.size else None for v in finite]
    drifts = []
    for i in range(measured_from, len(finite)):
        window = [s for s in sketches[max(0, i - TRAILING_DAYS) : i] if s is not None]
        if len(window) < MIN_REFERENCE_DAYS or finite[i].size < MIN_VALUES:
            drifts.append(None)
            continue
        pooled = np.concatenate(window)
        edges = np.quantile(pooled, np.arange(1, BINS) / BINS)

        def counts(values, edges=edges):
            below = np.array([(values <= edge).sum() for edge in edges])
            return np.diff(np.concatenate([[0], below, [values.size]]))

        drifts.append(population_stability(counts(finite[i]), counts(pooled)))
    return drifts


def test_the_vectorized_drift_equals_the_definition_with_ties_gaps_and_missing_values():
    rng = np.random.default_rng(4)
    days = [np.round(rng.gamma(2.0, size=rng.integers(50, 500)), 1) for _ in DAYS]  # many ties
    days[5] = np.array([])  # a day without rows
    days[30][:20] = np.nan
    days[70] = days[70] * 1.5
    assert column_drift(days, measured_from=10) == _drift_by_definition(days, measured_from=10)
