"""Data-quality measures of the daily tables, in Polars and NumPy: rows and null shares per day,
their change against the trailing window, each numeric column's population stability index (PSI)
against the trailing window, and quarantined records by reason.

PSI compares a day's distribution with the pooled trailing window's over ten bins whose edges are
the window's deciles: sum((a - e) * ln(a / e)) over the bins, a and e the day's and the window's
shares (floored at 0.0001). Under 0.1 is stable, 0.1 to 0.25 a shift, over 0.25 a large shift. The
window's deciles and its shares in each bin are taken from each day's percentiles (1 to 99, every
day weighted alike), all days at once; the day's own shares are counted exactly. `psi_vs_usual` is
a day's PSI over the median PSI of the column's trailing days.
"""

import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import numpy as np
import polars as pl
from numpy.lib.stride_tricks import sliding_window_view

from ic_platform.schemas.common import polars_schema
from ic_platform.schemas.quality import QualityMeasure

TRAILING_DAYS = 60  # the reference window, in trading days
MIN_REFERENCE_DAYS = 20  # fewer days before the first one measured: no drift or change measured
MIN_VALUES = 100  # fewer values on a day: no drift measured (ten bins of a few values are noise)
BINS = 10
FLOOR = 1e-4  # share given to an empty bin
SKETCH = np.linspace(1, 99, 99)  # percentiles kept of each day
DRIFT_THREADS = os.cpu_count() or 1  # columns whose drift is measured at once
LARGE_PSI = 0.25
DRIFT_WARNS_FOR = ("daily_bars",)  # the raw daily source tables
UNUSUAL_DRIFT = 3.0  # a drift this many times the column's usual (median) PSI of the trailing days
COVERAGE_DROP = 0.8  # a day with fewer rows than this share of the trailing median
NULL_SHARE_RISE = 0.2  # a column whose null share rises more than this over the trailing mean
REASON_CHARACTERS = 120
# ids, hashes and numbers in a reason ("same content as 003da7f7...", "close: -1.0 fails ..."), written
# as "#" so that records kept aside for the same reason are counted together
RECORD_SPECIFIC = r"[0-9a-f]{8,}|-?\d+(?:\.\d+)?"


def _row(day: date, table: str, column: str, metric: str, value: float, detail: str = "") -> dict:
    return {"date": day, "table": table, "column": column, "metric": metric, "detail": detail, "value": float(value)}


def population_stability(actual: np.ndarray, expected: np.ndarray) -> float:
    """PSI of two bin-count vectors."""
    a = np.maximum(actual / max(actual.sum(), 1), FLOOR)
    e = np.maximum(expected / max(expected.sum(), 1), FLOOR)
    return float(((a - e) * np.log(a / e)).sum())


def _sorted_rows(rows: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The rows' finite values sorted, padded with NaN to one width, and each row's count of them."""
    padded = np.full((len(rows), max(1, max((row.size for row in rows), default=0))), np.nan)
    for i, row in enumerate(rows):
        padded[i, : row.size] = row
    padded[~np.isfinite(padded)] = np.nan
    padded.sort(axis=1)  # NaNs last
    return padded, np.isfinite(padded).sum(axis=1)


def _quantiles(padded: np.ndarray, counts: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Each sorted row's quantiles at `shares` (0..1), interpolated linearly as `np.quantile` does;
    NaN for an empty row."""
    position = shares[None, :] * np.maximum(counts[:, None] - 1, 0)
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, np.maximum(counts[:, None] - 1, 0))
    fraction = position - low
    rows = np.arange(padded.shape[0])[:, None]
    below, above = padded[rows, low], padded[rows, high]
    step = above - below
    # NumPy's own interpolation, from the nearer end, so that the values are its to the last bit
    values = np.where(fraction >= 0.5, above - step * (1 - fraction), below + step * fraction)
    return np.where(counts[:, None] > 0, values, np.nan)


def _bin_counts(padded: np.ndarray, counts: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Each sorted row's values counted in the bins its edges cut (NaN edges count nothing below)."""
    below = np.zeros(edges.shape, dtype=int)
    for i in range(padded.shape[0]):
        if counts[i]:
            found = np.searchsorted(padded[i, : counts[i]], edges[i], side="right")
            below[i] = np.where(np.isnan(edges[i]), 0, found)
    return np.diff(np.concatenate([np.zeros((len(counts), 1), dtype=int), below, counts[:, None]], axis=1), axis=1)


def column_drift(values_by_day: list[np.ndarray], measured_from: int) -> list[float | None]:
    """PSI of each day from index `measured_from` on against the up to TRAILING_DAYS days before it
    (None with fewer than MIN_REFERENCE_DAYS of them, or fewer than MIN_VALUES values that day).
    Every day at once: each day's window is a view over the days' percentile sketches, and every
    quantile comes from rows sorted once."""
    measured = range(measured_from, len(values_by_day))
    if not measured:
        return []
    days, day_counts = _sorted_rows(values_by_day)
    sketches = np.full((TRAILING_DAYS + len(values_by_day), SKETCH.size), np.nan)  # TRAILING_DAYS empty days first
    sketches[TRAILING_DAYS:] = _quantiles(days, day_counts, SKETCH / 100)
    # day i's window: the padded rows i .. i + TRAILING_DAYS - 1, the days i - TRAILING_DAYS .. i - 1
    windows = sliding_window_view(sketches, TRAILING_DAYS, axis=0)[measured_from : len(values_by_day)]
    reference_days = np.isfinite(windows[:, 0, :]).sum(axis=1)
    pooled_sorted = np.sort(windows.transpose(0, 2, 1).reshape(len(measured), -1), axis=1)  # NaNs last
    pooled_counts = np.isfinite(pooled_sorted).sum(axis=1)
    usable = reference_days >= MIN_REFERENCE_DAYS
    edges = np.full((len(measured), BINS - 1), np.nan)
    if usable.any():
        edges[usable] = _quantiles(pooled_sorted[usable], pooled_counts[usable], np.arange(1, BINS) / BINS)
    expected = _bin_counts(pooled_sorted, pooled_counts, edges)
    actual = _bin_counts(days[measured_from:], day_counts[measured_from:], edges)
    return [
        population_stability(actual[row], expected[row]) if usable[row] and day_counts[i] >= MIN_VALUES else None
        for row, i in enumerate(measured)
    ]


def _trailing(values: np.ndarray) -> np.ndarray:
    """Row i: the up to TRAILING_DAYS values before index i, NaN-padded in front (a view)."""
    padded = np.concatenate([np.full(TRAILING_DAYS, np.nan), values.astype(float)])
    return sliding_window_view(padded, TRAILING_DAYS)[: values.size]


def _per_window(reduce, windows: np.ndarray) -> np.ndarray:
    """`reduce` (np.nanmedian, np.nanmean) of each window's values; NaN for a window without any."""
    with warnings.catch_warnings():  # an all-NaN window is NaN, as intended
        warnings.simplefilter("ignore", RuntimeWarning)
        return reduce(windows, axis=1)


def table_measures(table: str, frame: pl.DataFrame, days: list[date], measured_from: int) -> pl.DataFrame:
    """Rows, null shares and each float column's PSI of `table` (its rows of
    `days`, where the first `measured_from` days are only the reference of the first measured
    day), as QualityMeasure rows. Every day and column at once: per-day counts in one group-by,
    the trailing windows as views."""
    columns = [name for name, dtype in frame.schema.items() if name not in ("date", "ticker")]
    floats = [name for name in columns if frame.schema[name].is_float()]
    frame = frame.filter(pl.col("date").is_in(days))
    if not frame.get_column("date").is_sorted():  # tables are read day by day, in order
        frame = frame.sort("date")
    per_day = pl.DataFrame({"date": days}, schema={"date": pl.Date}).join(
        frame.group_by("date").agg(pl.len().alias("_rows"), *(pl.col(c).null_count() for c in columns)),
        on="date",
        how="left",
        maintain_order="left",
    )
    counts = per_day.get_column("_rows").fill_null(0).to_numpy().astype(float)
    index = np.arange(len(days))
    measured, enough = index >= measured_from, np.minimum(index, TRAILING_DAYS) >= MIN_REFERENCE_DAYS
    day_series = pl.Series("date", days, dtype=pl.Date)
    parts: list[tuple[str, str, np.ndarray, np.ndarray]] = []

    def add(column: str, metric: str, values: np.ndarray, keep: np.ndarray) -> None:
        parts.append((column, metric, values, keep & measured))

    add("", "rows", counts, np.ones(len(days), dtype=bool))
    median_rows = _per_window(np.nanmedian, _trailing(counts))
    with np.errstate(divide="ignore", invalid="ignore"):
        add("", "rows_vs_trailing_median", counts / median_rows, enough & (median_rows > 0))
        for name in columns:
            nulls = per_day.get_column(name).fill_null(0).to_numpy().astype(float)
            share = np.where(counts > 0, nulls / np.where(counts > 0, counts, 1), np.nan)
            present = ~np.isnan(share)
            add(name, "null_share", share, present)
            trailing = _trailing(share)
            usable = enough & present & np.isfinite(trailing).any(axis=1)
            add(name, "null_share_change", share - _per_window(np.nanmean, trailing), usable)
    cuts = np.cumsum(counts.astype(int))[:-1]

    def drift_of(name: str) -> list[float | None]:
        return column_drift(np.split(frame.get_column(name).cast(pl.Float64).to_numpy(), cuts), 0)

    with ThreadPoolExecutor(max_workers=DRIFT_THREADS) as pool:  # NumPy's sorts release the interpreter
        drifts = dict(zip(floats, pool.map(drift_of, floats)))
    for name in floats:
        psi = np.array([np.nan if d is None else d for d in drifts[name]], dtype=float)
        add(name, "psi", psi, ~np.isnan(psi))
        trailing = _trailing(psi)
        usual = _per_window(np.nanmedian, trailing)
        usable = ~np.isnan(psi) & (np.isfinite(trailing).sum(axis=1) >= MIN_REFERENCE_DAYS) & (usual > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            add(name, "psi_vs_usual", psi / usual, usable)
    lengths = [int(keep.sum()) for *_, keep in parts]
    return pl.DataFrame(
        {
            "date": pl.concat([day_series.filter(keep) for *_, keep in parts]),
            "table": [table] * sum(lengths),
            "column": np.repeat([column for column, *_ in parts], lengths),
            "metric": np.repeat([metric for _, metric, *_ in parts], lengths),
            "detail": [""] * sum(lengths),
            "value": np.concatenate([values[keep] for *_, values, keep in parts]),
        },
        schema=polars_schema(QualityMeasure),
    )


def quarantine_measures(table: str, records: pl.DataFrame, days: list[date]) -> list[dict]:
    """Quarantined records of `table` per day of `days` and reason (its first characters, ids and
    numbers written `#`)."""
    reason = pl.col("reason").str.replace_all(RECORD_SPECIFIC, "#").str.slice(0, REASON_CHARACTERS)
    counted = records.filter(pl.col("date").is_in(days)).group_by("date", reason).len()
    return [_row(day, table, "", "quarantined", n, reason) for day, reason, n in counted.iter_rows()]


def jump_measures(jumps: pl.DataFrame) -> list[dict]:
    """The unexplained price steps (`features.splits.unexplained_jumps`) as measures of daily_bars'
    close: one per ticker and day, the ticker as the detail and the step as the value."""
    return [
        _row(day, "daily_bars", "close", "unexplained_jump", step, ticker)
        for day, ticker, step in jumps.select("date", "ticker", "step").iter_rows()
    ]


def flagged(measures: pl.DataFrame) -> pl.DataFrame:
    """The measures that warn: an unexplained price step; a drift of a raw source table
    (DRIFT_WARNS_FOR) both large and unusual for its column (a PSI over LARGE_PSI and over
    UNUSUAL_DRIFT times the column's median PSI of the trailing days); a day with too few rows, a
    column much emptier. The derived tables' drift is measured, not warned on: their cross-sections
    move with the market (returns, RSI) and jump as filings arrive (insider activity), and a
    source's unit or format error shows in its own table."""
    keys = ["date", "table", "column"]
    unusual = measures.filter((pl.col("metric") == "psi_vs_usual") & (pl.col("value") > UNUSUAL_DRIFT)).select(keys)
    large = measures.filter(
        (pl.col("metric") == "psi") & (pl.col("value") > LARGE_PSI) & pl.col("table").is_in(DRIFT_WARNS_FOR)
    )
    return pl.concat(
        [
            large.join(unusual, on=keys, how="semi"),
            measures.filter(
                (pl.col("metric") == "unexplained_jump")
                | ((pl.col("metric") == "rows_vs_trailing_median") & (pl.col("value") < COVERAGE_DROP))
                | ((pl.col("metric") == "null_share_change") & (pl.col("value") > NULL_SHARE_RISE))
            ),
        ]
    )
