"""Factor scores and the IC Score (the rules are in docs/scoring.md), as pure Polars functions.

- A sub-metric's percentile is the exact rank of the stock's value among its GICS sector on the
  same day, ties averaged: `100 * (rank - 0.5) / n`, inverted where lower is better, after the
  day's values are winsorised at the 1st and 99th percentiles. A sector with fewer than 5 values
  for the metric falls back to the whole market.
- A factor is the mean of its available sub-metric percentiles; without any it is null, never 50.
- The overall score is the weighted mean of the present factors with the weights renormalised,
  rounded to an integer in 1..100; `data_completeness` is the share of weight present. No score
  is published below 40% completeness or with fewer than two of value, growth, profitability and
  financial health. `sector_percentile` ranks the score within the sector in a second pass.
- A day with fewer scores than a minimum (`$IC_MIN_NAMES_PER_DAY`) is refused whole: ranks among
  two or three names are 25, 50 and 75 whatever the stocks are.
"""

from typing import Any

import polars as pl

from ic_platform.schemas.scores import DEFAULT_WEIGHTS, FACTOR_METRICS, FUNDAMENTAL_FACTORS, RATING_BANDS

MIN_SECTOR_SIZE = 5
COMPLETENESS_FLOOR = 0.40
WINSOR = (0.01, 0.99)


def sector_percentiles(frame: pl.DataFrame, metrics: dict[str, bool], suffix: str = "_percentile") -> pl.DataFrame:
    """`frame` with `<metric><suffix>` columns: each metric's percentile within (date, gics_sector),
    inverted where `metrics[metric]` (higher is better) is False, the day's whole market where the
    sector has fewer than 5 values. Ranks and counts are computed as separate columns (Polars then
    groups each key set once); market ranks only for metrics where some sector is that small."""
    in_sector = ["date", "gics_sector"]
    ranked = frame.with_columns(
        *(pl.col(m).rank("average").over(in_sector).alias(f"_rank_{m}") for m in metrics),
        *(pl.col(m).count().over(in_sector).alias(f"_count_{m}") for m in metrics),
    )
    too_small = (
        ranked.select(pl.col(f"_count_{m}").is_between(1, MIN_SECTOR_SIZE - 1).any() for m in metrics).row(0)
        if metrics
        else ()
    )
    small = [m for m, any_small in zip(metrics, too_small) if any_small]
    if small:
        ranked = ranked.with_columns(
            *(pl.col(m).rank("average").over("date").alias(f"_market_rank_{m}") for m in small),
            *(pl.col(m).count().over("date").alias(f"_market_count_{m}") for m in small),
        ).with_columns(
            pl.when(pl.col(f"_count_{m}") < MIN_SECTOR_SIZE)
            .then(pl.col(f"_market_{kind}_{m}"))
            .otherwise(pl.col(f"_{kind}_{m}"))
            .alias(f"_{kind}_{m}")
            for m in small
            for kind in ("rank", "count")
        )
    percentile = {m: 100 * (pl.col(f"_rank_{m}") - 0.5) / pl.col(f"_count_{m}") for m in metrics}
    return ranked.with_columns(
        (percentile[m] if higher_is_better else 100 - percentile[m]).alias(f"{m}{suffix}")
        for m, higher_is_better in metrics.items()
    ).select(*frame.columns, *(f"{m}{suffix}" for m in metrics))


def _winsorised(metric: str) -> pl.Expr:
    value = pl.col(metric).cast(pl.Float64).fill_nan(None)
    low, high = value.quantile(WINSOR[0]).over("date"), value.quantile(WINSOR[1]).over("date")
    return value.clip(low, high)


def factor_scores(inputs: pl.DataFrame) -> pl.DataFrame:
    """(date, ticker, gics_sector, metrics..., inputs_knowledge_date) -> the ten factor scores.

    Metrics absent from `inputs` (their sources not built yet) leave their factors null.
    """
    available = {m: better for metrics in FACTOR_METRICS.values() for m, better in metrics if m in inputs.columns}
    winsorised = inputs.select(
        "date", "ticker", "gics_sector", "inputs_knowledge_date", *(_winsorised(m).alias(m) for m in available)
    )
    ranked = sector_percentiles(winsorised, available)
    factors = []
    for factor, metrics in FACTOR_METRICS.items():
        percentiles = [pl.col(f"{m}_percentile") for m, _ in metrics if m in available]
        factors.append(
            (pl.mean_horizontal(percentiles) if percentiles else pl.lit(None, dtype=pl.Float64)).alias(factor)
        )
    return ranked.select("date", "ticker", "gics_sector", *factors, "inputs_knowledge_date")


def rating(score: pl.Expr) -> pl.Expr:
    """The rating band of an integer score."""
    expression: Any = pl.when(score >= RATING_BANDS[0][0]).then(pl.lit(RATING_BANDS[0][1]))  # when/then links
    for floor, name in RATING_BANDS[1:]:
        expression = expression.when(score >= floor).then(pl.lit(name))
    return expression


def ic_scores(factors: pl.DataFrame, weights: dict[str, float] = DEFAULT_WEIGHTS) -> pl.DataFrame:
    """Overall score, rating, completeness, confidence and sector percentile for the rows passing the gates."""
    total = sum(weights.values())
    present_weight = pl.sum_horizontal(pl.when(pl.col(f).is_not_null()).then(w) for f, w in weights.items())
    weighted = pl.sum_horizontal(pl.col(f).fill_null(0) * w for f, w in weights.items())
    fundamentals_present = pl.sum_horizontal(pl.col(f).is_not_null().cast(pl.Int32) for f in FUNDAMENTAL_FACTORS)
    scored = (
        factors.with_columns(data_completeness=(present_weight / total).round(9), _fundamentals=fundamentals_present)
        .filter((pl.col("data_completeness") >= COMPLETENESS_FLOOR - 1e-12) & (pl.col("_fundamentals") >= 2))
        .with_columns(score=(weighted / present_weight).round(0).clip(1, 100).cast(pl.Int32))
        .with_columns(
            rating=rating(pl.col("score")),
            confidence=pl.when(pl.col("data_completeness") >= 0.9 - 1e-12)
            .then(pl.lit("High"))
            .when(pl.col("data_completeness") >= 0.7 - 1e-12)
            .then(pl.lit("Medium"))
            .otherwise(pl.lit("Low")),
        )
    )
    scored = sector_percentiles(scored, {"score": True}).rename({"score_percentile": "sector_percentile"})
    return scored.select(
        "date",
        "ticker",
        "gics_sector",
        "score",
        "rating",
        "sector_percentile",
        "data_completeness",
        "confidence",
        *weights,
        "inputs_knowledge_date",
    ).sort("date", "ticker")


def refuse_small_days(published: pl.DataFrame, min_names: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The scores of the days with at least `min_names` of them, and the refused days (date, names)."""
    names = published.group_by("date").agg(names=pl.len())
    refused = names.filter(pl.col("names") < min_names).sort("date")
    return published.filter(~pl.col("date").is_in(refused.get_column("date").implode())), refused
