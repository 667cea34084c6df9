"""Score tables."""

from datetime import date

import pandera.polars as pa

from ic_platform.features.scoring import FACTOR_METRICS, RATING_BANDS


def _with_factors(name: str, doc: str, columns: dict) -> type[pa.DataFrameModel]:
    annotations = {key: kind for key, (kind, _) in columns.items()}
    fields = {key: field for key, (_, field) in columns.items()}
    for factor in FACTOR_METRICS:
        annotations[factor] = float
        fields[factor] = pa.Field(nullable=True, ge=0, le=100, description=f"{factor} factor: mean sector percentile of its sub-metrics (null without inputs)")
    annotations["inputs_knowledge_date"] = date
    fields["inputs_knowledge_date"] = pa.Field(description="Newest knowledge date of any input")
    config = type("Config", (), {"unique": ["date", "ticker"]})
    return type(name, (pa.DataFrameModel,), {"__annotations__": annotations, "__doc__": doc, "Config": config, **fields})


KEYS = {
    "date": (date, pa.Field(description="Trading day D the row is for")),
    "ticker": (str, pa.Field(description="Exchange ticker")),
    "gics_sector": (str, pa.Field(nullable=True, description="GICS sector the percentiles rank within")),
}

FactorScores = _with_factors("FactorScores", "The ten sector-relative factor scores per ticker and day.", KEYS)

IcScore = _with_factors(
    "IcScore",
    "The published IC Score per ticker and day, with its factors.",
    KEYS | {
        "score": (int, pa.Field(ge=1, le=100, description="IC Score, 1-100: weighted mean of the present factors")),
        "rating": (str, pa.Field(isin=[name for _, name in RATING_BANDS], description="Rating band of the score")),
        "sector_percentile": (float, pa.Field(ge=0, le=100, description="Percentile of the score within the sector that day")),
        "data_completeness": (float, pa.Field(ge=0.4, le=1.0, description="Share of the factor weight with inputs")),
        "confidence": (str, pa.Field(isin=("High", "Medium", "Low"), description="High >= 90% completeness, Medium >= 70%, else Low")),
    },
)
