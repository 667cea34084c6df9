"""The published scores' consistency check."""

import dagster as dg
import polars as pl

from ic_platform.defs.checks import checked_window
from ic_platform.scoring.scores import ic_scores, rating
from ic_platform.storage import CHUNK_DAYS
from ic_platform.tables import FACTOR_SCORES, IC_SCORES

MIN_COVERAGE = 0.98


@dg.asset_check(
    asset=IC_SCORES.name,
    blocking=True,
    description=(
        "One row per ticker and day, scores in 1..100, ratings matching the bands, and at "
        "least 98% of the names passing the gates scored."
    ),
)
def scores_consistent(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    start, end = checked_window(context)
    days = [d for d in IC_SCORES.days() if (start is None or d >= start) and (end is None or d <= end)]
    problems = {"duplicate ticker-days": 0, "scores outside 1..100": 0, "ratings not matching the score": 0}
    covered = eligible_count = 0
    for first in range(0, len(days), CHUNK_DAYS):  # a year at a time, to bound memory on long windows
        chunk_start, chunk_end = days[first], days[min(first + CHUNK_DAYS, len(days)) - 1]
        scores = IC_SCORES.scan(chunk_start, chunk_end).select("date", "ticker", "score", "rating").collect()
        eligible = ic_scores(FACTOR_SCORES.scan(chunk_start, chunk_end).collect()).select("date", "ticker")
        covered += eligible.join(scores, on=["date", "ticker"], how="semi").height
        eligible_count += eligible.height
        problems["duplicate ticker-days"] += scores.height - scores.select("date", "ticker").n_unique()
        problems["scores outside 1..100"] += scores.filter(~pl.col("score").is_between(1, 100)).height
        problems["ratings not matching the score"] += scores.filter(pl.col("rating") != rating(pl.col("score"))).height
    coverage = covered / eligible_count if eligible_count else 1.0
    return dg.AssetCheckResult(
        passed=not any(problems.values()) and coverage >= MIN_COVERAGE,
        metadata=problems | {"coverage_of_eligible_names": coverage},
    )
