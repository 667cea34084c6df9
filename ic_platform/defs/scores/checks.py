"""Checks on the published scores: consistency and coverage counted from the inputs, and a
warning when a factor's coverage falls from one day to the next."""

from datetime import date

import dagster as dg
import polars as pl

from ic_platform import settings
from ic_platform.defs.checks import checked_window
from ic_platform.defs.scores.assets import score_inputs
from ic_platform.defs.stores import with_table_store
from ic_platform.defs.table_assets import table_preview
from ic_platform.schemas.scores import DEFAULT_WEIGHTS, FACTOR_METRICS, FUNDAMENTAL_FACTORS
from ic_platform.scoring.scores import COMPLETENESS_FLOOR, rating
from ic_platform.storage import CHUNK_DAYS
from ic_platform.tables import DAILY_BARS, IC_SCORES
from ic_platform.trading_days import next_trading_days, previous_trading_day

MIN_COVERAGE = 0.98
MAX_COVERAGE_DROP = 0.20  # a factor's share of scored names may fall this much from one day to the next


def eligible_names(start: date, end: date) -> pl.DataFrame:
    """(date, ticker) of the names that should be scored on `start`..`end`, counted from the input
    tables without the scorer: a close on the trading day before, inputs for at least two of the
    fundamental factors, and inputs for factors holding COMPLETENESS_FLOOR of the default weight."""
    closes = DAILY_BARS.scan(previous_trading_day(start), previous_trading_day(end)).select("ticker", "date").collect()
    closed = closes.with_columns(date=next_trading_days(closes.get_column("date")))
    has = {
        factor: pl.any_horizontal(pl.col(metric).is_not_null() for metric, _ in metrics)
        for factor, metrics in FACTOR_METRICS.items()
    }
    fundamentals = pl.sum_horizontal(has[f].cast(pl.Int32) for f in FUNDAMENTAL_FACTORS)
    weight = pl.sum_horizontal(pl.when(has[f]).then(w).otherwise(0.0) for f, w in DEFAULT_WEIGHTS.items())
    inputs = score_inputs(start, end)
    return (
        inputs.filter((fundamentals >= 2) & (weight / sum(DEFAULT_WEIGHTS.values()) >= COMPLETENESS_FLOOR - 1e-12))
        .select("date", "ticker")
        .join(closed, on=["date", "ticker"], how="semi")
    )


def _window_days(context: dg.AssetCheckExecutionContext) -> list[date]:
    start, end = checked_window(context)
    return [d for d in IC_SCORES.days() if (start is None or d >= start) and (end is None or d <= end)]


@with_table_store(
    dg.asset_check,
    asset=IC_SCORES.name,
    blocking=True,
    description=(
        "One row per ticker and day, scores in 1..100, ratings matching the bands, and at least 98% "
        "of the eligible names scored: those with a close the day before and enough fundamental "
        "inputs, counted from the input tables, on days with at least $IC_MIN_NAMES_PER_DAY of them "
        "(smaller days are refused). Metadata: each factor's coverage of the scored names, the days refused."
    ),
)
def scores_consistent(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    days = _window_days(context)
    problems = {"duplicate ticker-days": 0, "scores outside 1..100": 0, "ratings not matching the score": 0}
    covered = eligible_count = scored_count = refused_days = 0
    min_names = settings.current().min_names_per_day
    with_factor = dict.fromkeys(DEFAULT_WEIGHTS, 0)
    for first in range(0, len(days), CHUNK_DAYS):  # a year at a time, to bound memory on long windows
        chunk_start, chunk_end = days[first], days[min(first + CHUNK_DAYS, len(days)) - 1]
        scores = IC_SCORES.scan(chunk_start, chunk_end).collect()
        eligible = eligible_names(chunk_start, chunk_end)
        refused_days += eligible.get_column("date").n_unique()
        eligible = eligible.filter(pl.len().over("date") >= min_names)  # smaller days are refused, not scored
        refused_days -= eligible.get_column("date").n_unique()
        covered += eligible.join(scores, on=["date", "ticker"], how="semi").height
        eligible_count += eligible.height
        scored_count += scores.height
        for factor in with_factor:
            with_factor[factor] += scores.height - scores.get_column(factor).null_count()
        problems["duplicate ticker-days"] += scores.height - scores.select("date", "ticker").n_unique()
        problems["scores outside 1..100"] += scores.filter(~pl.col("score").is_between(1, 100)).height
        problems["ratings not matching the score"] += scores.filter(pl.col("rating") != rating(pl.col("score"))).height
    coverage = covered / eligible_count if eligible_count else 1.0
    factor_coverage = {
        f"coverage_{f}": round(n / scored_count, 4) if scored_count else 0.0 for f, n in with_factor.items()
    }
    return dg.AssetCheckResult(
        passed=not any(problems.values()) and coverage >= MIN_COVERAGE,
        metadata=problems
        | {"eligible_names": eligible_count, "eligible_names_scored": covered, "coverage_of_eligible_names": coverage}
        | {"days_refused_small_universe": refused_days, "min_names_per_day": min_names}
        | factor_coverage,
    )


def factor_coverage_drops(scores: pl.LazyFrame) -> pl.DataFrame:
    """Per day and factor, the share of scored names with the factor, where it fell by more than
    MAX_COVERAGE_DROP from the trading day before (the first day has nothing to compare with)."""
    by_day = scores.group_by("date").agg(pl.col(f).is_not_null().mean() for f in DEFAULT_WEIGHTS).sort("date").collect()
    long = by_day.unpivot(index="date", variable_name="factor", value_name="coverage").sort("factor", "date")
    return (
        long.with_columns(previous=pl.col("coverage").shift(1).over("factor"))
        .filter(pl.col("previous") - pl.col("coverage") > MAX_COVERAGE_DROP)
        .select("date", "factor", "previous", "coverage")
        .sort("date", "factor")
    )


@with_table_store(
    dg.asset_check,
    asset=IC_SCORES.name,
    description=(
        "Warns when a factor's coverage (share of the scored names that have it) falls by more than "
        "20 points from the trading day before: a source that stopped delivering."
    ),
)
def factor_coverage_steady(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    days = _window_days(context)
    if not days:
        return dg.AssetCheckResult(passed=True, severity=dg.AssetCheckSeverity.WARN, metadata={"drops": 0})
    drops = factor_coverage_drops(IC_SCORES.scan(previous_trading_day(days[0]), days[-1]))
    return dg.AssetCheckResult(
        passed=drops.is_empty(),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"drops": drops.height, "examples": table_preview(drops)},
    )
