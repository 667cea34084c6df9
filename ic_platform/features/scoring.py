"""Factor scores and the IC Score (the rules are in DESIGN.md), as pure Polars functions.

- A sub-metric's percentile is the exact rank of the stock's value among its GICS sector on the
  same day, ties averaged: `100 * (rank - 0.5) / n`, inverted where lower is better, after the
  day's values are winsorised at the 1st and 99th percentiles. A sector with fewer than 5 values
  for the metric falls back to the whole market.
- A factor is the mean of its available sub-metric percentiles; without any it is null, never 50.
- The overall score is the weighted mean of the present factors with the weights renormalised,
  rounded to an integer in 1..100; `data_completeness` is the share of weight present. No score
  is published below 40% completeness or with fewer than two of value, growth, profitability and
  financial health. `sector_percentile` ranks the score within the sector in a second pass.
"""

import polars as pl

# factor -> (metric, higher is better)
FACTOR_METRICS: dict[str, tuple[tuple[str, bool], ...]] = {
    "value": (("pe_ratio", False), ("pb_ratio", False), ("ps_ratio", False)),
    "growth": (("revenue_growth_yoy", True), ("eps_growth_yoy", True), ("fcf_growth_yoy", True), ("revenue_cagr_3y", True), ("eps_cagr_3y", True)),
    "profitability": (("gross_margin", True), ("operating_margin", True), ("net_margin", True), ("roe", True), ("roa", True), ("roic", True)),
    "financial_health": (("debt_to_equity", False), ("current_ratio", True), ("quick_ratio", True), ("interest_coverage", True)),
    "momentum": (("return_1m", True), ("return_3m", True), ("return_6m", True), ("return_12m", True)),
    "analyst_consensus": (("analyst_mean_rating", True), ("price_target_upside", True)),
    "insider_activity": (("insider_net_buying_30d", True), ("insider_net_buying_90d", True)),
    "institutional": (("institutional_ownership", True), ("institutional_ownership_change", True), ("institutional_holders", True)),
    "news_sentiment": (("sentiment_7d", True), ("sentiment_30d", True)),
    "technical": (("rsi_14", True), ("macd_hist_to_price", True), ("price_to_sma_50", True), ("price_to_sma_200", True), ("bollinger_position", True)),
}
DEFAULT_WEIGHTS: dict[str, float] = {
    "value": 0.12, "growth": 0.15, "profitability": 0.12, "financial_health": 0.10, "momentum": 0.08,
    "analyst_consensus": 0.10, "insider_activity": 0.08, "institutional": 0.10, "news_sentiment": 0.07, "technical": 0.08,
}
FUNDAMENTAL_FACTORS = ("value", "growth", "profitability", "financial_health")
MIN_SECTOR_SIZE = 5
COMPLETENESS_FLOOR = 0.40
RATING_BANDS = ((80, "Strong Buy"), (65, "Buy"), (50, "Hold"), (35, "Underperform"), (1, "Sell"))
WINSOR = (0.01, 0.99)


def _percentile(value: pl.Expr, group: list[str]) -> pl.Expr:
    rank = value.rank("average").over(group)
    return 100 * (rank - 0.5) / value.count().over(group)


def sector_percentile(value: pl.Expr, higher_is_better: bool = True) -> pl.Expr:
    """Percentile of `value` within (date, gics_sector), the whole market where the sector has fewer than 5 values."""
    in_sector = _percentile(value, ["date", "gics_sector"])
    in_market = _percentile(value, ["date"])
    percentile = pl.when(value.count().over("date", "gics_sector") >= MIN_SECTOR_SIZE).then(in_sector).otherwise(in_market)
    percentile = pl.when(value.is_not_null()).then(percentile)
    return percentile if higher_is_better else 100 - percentile


def _winsorised(metric: str) -> pl.Expr:
    value = pl.col(metric).cast(pl.Float64).fill_nan(None)
    low, high = value.quantile(WINSOR[0]).over("date"), value.quantile(WINSOR[1]).over("date")
    return value.clip(low, high)


def factor_scores(inputs: pl.DataFrame) -> pl.DataFrame:
    """(date, ticker, gics_sector, metrics..., inputs_knowledge_date) -> the ten factor scores.

    Metrics absent from `inputs` (their sources not built yet) leave their factors null.
    """
    available = set(inputs.columns)
    winsorised = inputs.with_columns(
        _winsorised(metric).alias(metric) for metrics in FACTOR_METRICS.values() for metric, _ in metrics if metric in available
    )
    factors = []
    for factor, metrics in FACTOR_METRICS.items():
        percentiles = [sector_percentile(pl.col(m), better) for m, better in metrics if m in available]
        factors.append((pl.mean_horizontal(percentiles) if percentiles else pl.lit(None, dtype=pl.Float64)).alias(factor))
    return winsorised.select("date", "ticker", "gics_sector", *factors, "inputs_knowledge_date")


def rating(score: pl.Expr) -> pl.Expr:
    """The rating band of an integer score."""
    expression = pl.when(score >= RATING_BANDS[0][0]).then(pl.lit(RATING_BANDS[0][1]))
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
            confidence=pl.when(pl.col("data_completeness") >= 0.9 - 1e-12).then(pl.lit("High"))
            .when(pl.col("data_completeness") >= 0.7 - 1e-12).then(pl.lit("Medium"))
            .otherwise(pl.lit("Low")),
            sector_percentile=sector_percentile(pl.col("score").cast(pl.Float64)),
        )
    )
    return scored.select(
        "date", "ticker", "gics_sector", "score", "rating", "sector_percentile", "data_completeness", "confidence",
        *weights, "inputs_knowledge_date",
    ).sort("date", "ticker")
