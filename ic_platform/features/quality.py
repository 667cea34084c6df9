"""Data-quality measures of the daily tables, in Polars and NumPy: rows and null shares per day,
their change against the trailing window, each numeric column's population stability index (PSI)
against the trailing window, and quarantined records by reason.

PSI compares a day's distribution with the pooled trailing window's over ten bins whose edges are
the window's deciles: sum((a - e) * ln(a / e)) over the bins, a and e the day's and the window's
shares (floored at 0.0001). Under 0.1 is stable, 0.1 to 0.25 a shift, over 0.25 a large shift. The
window's deciles are taken from each day's percentiles (1 to 99, every day weighted alike), which
keeps a ten-year report to seconds; the shares in each bin are then counted exactly.
"""

from datetime import date

import numpy as np
import polars as pl

TRAILING_DAYS = 60  # the reference window, in trading days
MIN_REFERENCE_DAYS = 20  # fewer days before the first one measured: no drift or change measured
MIN_VALUES = 100  # fewer values on a day: no drift measured (ten bins of a few values are noise)
BINS = 10
FLOOR = 1e-4  # share given to an empty bin
SKETCH = np.linspace(1, 99, 99)  # percentiles kept of each day
LARGE_PSI = 0.25
COVERAGE_DROP = 0.8  # a day with fewer rows than this share of the trailing median
NULL_SHARE_RISE = 0.2  # a column whose null share rises more than this over the trailing mean
REASON_CHARACTERS = 120


def _row(day: date, table: str, column: str, metric: str, value: float, detail: str = "") -> dict:
    return {"date": day, "table": table, "column": column, "metric": metric, "detail": detail, "value": float(value)}


def population_stability(actual: np.ndarray, expected: np.ndarray) -> float:
    """PSI of two bin-count vectors."""
    a = np.maximum(actual / max(actual.sum(), 1), FLOOR)
    e = np.maximum(expected / max(expected.sum(), 1), FLOOR)
    return float(((a - e) * np.log(a / e)).sum())


def _bin_counts(sorted_values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    cuts = np.searchsorted(sorted_values, edges, side="right")
    return np.diff(np.concatenate([[0], cuts, [sorted_values.size]]))


def column_drift(values_by_day: list[np.ndarray], measured_from: int) -> list[float | None]:
    """PSI of each day from index `measured_from` on against the up to TRAILING_DAYS days before it
    (None with fewer than MIN_REFERENCE_DAYS of them, or fewer than MIN_VALUES values that day)."""
    ordered = [np.sort(v[np.isfinite(v)]) for v in values_by_day]
    sketches = [np.percentile(v, SKETCH) if v.size else v for v in ordered]
    drifts: list[float | None] = []
    for i in range(measured_from, len(ordered)):
        window = [j for j in range(max(0, i - TRAILING_DAYS), i) if ordered[j].size]
        if len(window) < MIN_REFERENCE_DAYS or ordered[i].size < MIN_VALUES:
            drifts.append(None)
            continue
        edges = np.unique(np.quantile(np.concatenate([sketches[j] for j in window]), np.arange(1, BINS) / BINS))
        expected = sum(_bin_counts(ordered[j], edges) for j in window)
        drifts.append(population_stability(_bin_counts(ordered[i], edges), expected))
    return drifts


def table_measures(table: str, frame: pl.DataFrame, days: list[date], measured_from: int) -> list[dict]:
    """Rows, null shares and each float column's PSI of `table` (its rows of `days`, where the
    first `measured_from` days are only the reference of the first measured day)."""
    columns = [name for name, dtype in frame.schema.items() if name not in ("date", "ticker")]
    floats = [name for name in columns if frame.schema[name].is_float()]
    by_day = {key[0]: part for key, part in frame.partition_by("date", as_dict=True).items()}
    empty = frame.clear()
    parts = [by_day.get(day, empty) for day in days]
    counts = np.array([part.height for part in parts], dtype=float)
    null_shares = {
        name: np.array([part.get_column(name).null_count() / part.height if part.height else np.nan for part in parts])
        for name in columns
    }
    drifts = {
        name: column_drift([part.get_column(name).cast(pl.Float64).to_numpy() for part in parts], measured_from)
        for name in floats
    }
    rows = []
    for i in range(measured_from, len(days)):
        day, reference = days[i], slice(max(0, i - TRAILING_DAYS), i)
        rows.append(_row(day, table, "", "rows", counts[i]))
        enough = i - reference.start >= MIN_REFERENCE_DAYS
        if enough and np.median(counts[reference]) > 0:
            rows.append(_row(day, table, "", "rows_vs_trailing_median", counts[i] / np.median(counts[reference])))
        for name in columns:
            share = null_shares[name][i]
            if np.isnan(share):
                continue
            rows.append(_row(day, table, name, "null_share", share))
            trailing = null_shares[name][reference]
            if enough and np.isfinite(trailing).any():
                rows.append(_row(day, table, name, "null_share_change", share - np.nanmean(trailing)))
        for name in floats:
            drift = drifts[name][i - measured_from]
            if drift is not None:
                rows.append(_row(day, table, name, "psi", drift))
    return rows


def quarantine_measures(table: str, records: pl.DataFrame, days: list[date]) -> list[dict]:
    """Quarantined records of `table` per day of `days` and reason (the first characters of it)."""
    counted = (
        records.filter(pl.col("date").is_in(days))
        .group_by("date", pl.col("reason").str.slice(0, REASON_CHARACTERS))
        .len()
    )
    return [_row(day, table, "", "quarantined", n, reason) for day, reason, n in counted.iter_rows()]


def flagged(measures: pl.DataFrame) -> pl.DataFrame:
    """The measures that warn: a large drift, a day with too few rows, a column much emptier."""
    return measures.filter(
        ((pl.col("metric") == "psi") & (pl.col("value") > LARGE_PSI))
        | ((pl.col("metric") == "rows_vs_trailing_median") & (pl.col("value") < COVERAGE_DROP))
        | ((pl.col("metric") == "null_share_change") & (pl.col("value") > NULL_SHARE_RISE))
    )
