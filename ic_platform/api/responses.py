"""The API's response bodies: Pydantic models for the OpenAPI document, and the JSON response the
endpoints send (orjson-encoded dicts of the rows, which the models describe)."""

from datetime import date
from typing import Any

import orjson
from fastapi.responses import Response
from pydantic import BaseModel, Field, create_model

from ic_platform.schemas.scores import FACTOR_METRICS

FACTOR_FIELDS: dict[str, Any] = {factor: (float | None, ...) for factor in FACTOR_METRICS}
Factors = create_model(
    "Factors", __doc__="The ten sector-relative factor scores (0-100; null without inputs).", **FACTOR_FIELDS
)


class Score(BaseModel):
    """One ticker's IC Score on one trading day, with its factors."""

    ticker: str
    date: date
    overall_score: int = Field(ge=1, le=100)
    rating: str
    factors: Factors
    sector_percentile: float
    data_completeness: float = Field(description="share of the factor weight with inputs, 0-1")
    confidence_level: str
    gics_sector: str | None
    inputs_knowledge_date: date = Field(description="the newest day whose information the score used")


class DayScores(BaseModel):
    """The latest scored day and its rows that met the filters, best first."""

    date: date | None
    scores: list[Score]


class History(BaseModel):
    """A ticker's scores, oldest first."""

    ticker: str
    scores: list[Score]


class JSON(Response):
    """JSON encoded by orjson, bypassing FastAPI's per-field encoding (the rows are already plain
    values): the history endpoint's largest cost at 500 requests/s."""

    media_type = "application/json"

    def render(self, content) -> bytes:
        return orjson.dumps(content)
