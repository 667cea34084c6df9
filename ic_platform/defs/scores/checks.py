"""Checks of the score assets: point in time, and the published scores' consistency."""

import dagster as dg
import polars as pl

from ic_platform.defs.checks import checked_window, point_in_time_check
from ic_platform.defs.scores.assets import FACTOR_SCORES, IC_SCORES, factor_scores, ic_scores
from ic_platform.features import scoring

factor_scores_point_in_time = point_in_time_check(factor_scores, FACTOR_SCORES)
ic_scores_point_in_time = point_in_time_check(ic_scores, IC_SCORES)
MIN_COVERAGE = 0.98


@dg.asset_check(asset=ic_scores, blocking=True, description="One row per ticker and day, scores in 1..100, ratings matching the bands, and at least 98% of the names passing the gates scored.")
def scores_consistent(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    start, end = checked_window(context)
    scores = IC_SCORES.scan(start, end).collect()
    factors = FACTOR_SCORES.scan(start, end).collect()
    eligible = scoring.ic_scores(factors).select("date", "ticker")
    covered = eligible.join(scores, on=["date", "ticker"], how="semi").height
    problems = {
        "duplicate ticker-days": scores.height - scores.select("date", "ticker").n_unique(),
        "scores outside 1..100": scores.filter(~pl.col("score").is_between(1, 100)).height,
        "ratings not matching the score": scores.filter(pl.col("rating") != scoring.rating(pl.col("score"))).height,
    }
    coverage = covered / eligible.height if eligible.height else 1.0
    return dg.AssetCheckResult(
        passed=not any(problems.values()) and coverage >= MIN_COVERAGE,
        metadata=problems | {"coverage_of_eligible_names": coverage},
    )
