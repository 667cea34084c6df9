"""Score tables and the vocabulary they name: the factors, their sub-metrics and weights, the rating bands."""

from datetime import date

import pandera.polars as pa

# The ten factors and their sub-metrics: factor -> (metric, higher is better)
FACTOR_METRICS: dict[str, tuple[tuple[str, bool], ...]] = {
    "value": (("pe_ratio", False), ("pb_ratio", False), ("ps_ratio", False)),
    "growth": (
        ("revenue_growth_yoy", True),
        ("eps_growth_yoy", True),
        ("fcf_growth_yoy", True),
        ("revenue_cagr_3y", True),
        ("eps_cagr_3y", True),
    ),
    "profitability": (
        ("gross_margin", True),
        ("operating_margin", True),
        ("net_margin", True),
        ("roe", True),
        ("roa", True),
        ("roic", True),
    ),
    "financial_health": (
        ("debt_to_equity", False),
        ("current_ratio", True),
        ("quick_ratio", True),
        ("interest_coverage", True),
    ),
    "momentum": (("return_1m", True), ("return_3m", True), ("return_6m", True), ("return_12m", True)),
    "analyst_consensus": (("analyst_mean_rating", True), ("price_target_upside", True)),
    "insider_activity": (("insider_net_buying_30d", True), ("insider_net_buying_90d", True)),
    "institutional": (
        ("institutional_ownership", True),
        ("institutional_ownership_change", True),
        ("institutional_holders", True),
    ),
    "news_sentiment": (("sentiment_7d", True), ("sentiment_30d", True)),
    "technical": (
        ("rsi_14", True),
        ("macd_hist_to_price", True),
        ("price_to_sma_50", True),
        ("price_to_sma_200", True),
        ("bollinger_position", True),
    ),
}
DEFAULT_WEIGHTS: dict[str, float] = {
    "value": 0.12,
    "growth": 0.15,
    "profitability": 0.12,
    "financial_health": 0.10,
    "momentum": 0.08,
    "analyst_consensus": 0.10,
    "insider_activity": 0.08,
    "institutional": 0.10,
    "news_sentiment": 0.07,
    "technical": 0.08,
}
FUNDAMENTAL_FACTORS = ("value", "growth", "profitability", "financial_health")  # a score needs two of them
RATING_BANDS = (
    (80, "Strong Buy"),
    (65, "Buy"),
    (50, "Hold"),
    (35, "Underperform"),
    (1, "Sell"),
)  # lowest score of each band


def _with_factors(name: str, doc: str, columns: dict) -> type[pa.DataFrameModel]:
    annotations = {key: kind for key, (kind, _) in columns.items()}
    fields = {key: field for key, (_, field) in columns.items()}
    for factor in FACTOR_METRICS:
        annotations[factor] = float
        fields[factor] = pa.Field(
            nullable=True,
            ge=0,
            le=100,
            description=f"{factor} factor: mean sector percentile of its sub-metrics (null without inputs)",
        )
    annotations["inputs_knowledge_date"] = date
    fields["inputs_knowledge_date"] = pa.Field(description="Newest knowledge date of any input")
    config = type("Config", (), {"unique": ["date", "ticker"]})
    return type(
        name, (pa.DataFrameModel,), {"__annotations__": annotations, "__doc__": doc, "Config": config, **fields}
    )


KEYS = {
    "date": (date, pa.Field(description="Trading day D the row is for")),
    "ticker": (str, pa.Field(description="Exchange ticker")),
    "gics_sector": (str, pa.Field(nullable=True, description="GICS sector the percentiles rank within")),
}

FactorScores = _with_factors("FactorScores", "The ten sector-relative factor scores per ticker and day.", KEYS)

IcScore = _with_factors(
    "IcScore",
    "The published IC Score per ticker and day, with its factors.",
    KEYS
    | {
        "score": (int, pa.Field(ge=1, le=100, description="IC Score, 1-100: weighted mean of the present factors")),
        "rating": (str, pa.Field(isin=[name for _, name in RATING_BANDS], description="Rating band of the score")),
        "sector_percentile": (
            float,
            pa.Field(ge=0, le=100, description="Percentile of the score within the sector that day"),
        ),
        "data_completeness": (float, pa.Field(ge=0.4, le=1.0, description="Share of the factor weight with inputs")),
        "confidence": (
            str,
            pa.Field(isin=("High", "Medium", "Low"), description="High >= 90% completeness, Medium >= 70%, else Low"),
        ),
    },
)
