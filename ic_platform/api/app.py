"""The scores API (FastAPI on uvicorn; `ic-platform serve`), reading the serving database.

Every query is a parameterised SQLAlchemy Core statement on a pooled engine; the API needs only
read access to the database. Bad input gets a 4xx with the reason: an unknown ticker 404, a bad
date or parameter 422, `limit` and `days` above their caps 422.
"""

from datetime import date
from typing import Annotated

import sqlalchemy as sa
from fastapi import FastAPI, HTTPException, Query
from fastapi.responses import JSONResponse

from ic_platform.schemas.scores import FACTOR_METRICS
from ic_platform.serving import store

MAX_TOP = 500
MAX_HISTORY_DAYS = 2520  # ten years of trading days
scores = store.scores


def _score(row) -> dict:
    record = dict(row._mapping)
    return {
        "ticker": record["ticker"],
        "date": record["date"].isoformat(),
        "overall_score": record["overall_score"],
        "rating": record["rating"],
        "factors": {factor: record[factor] for factor in FACTOR_METRICS},
        "sector_percentile": record["sector_percentile"],
        "data_completeness": record["data_completeness"],
        "confidence_level": record["confidence_level"],
        "gics_sector": record["gics_sector"],
        "inputs_knowledge_date": record["inputs_knowledge_date"].isoformat(),
    }


def create_app(url: str | None = None) -> FastAPI:
    """The API on the serving database at `url` (default `$IC_SERVING_URL`)."""
    db = store.engine(url)
    app = FastAPI(title="IC Score API", description="Daily point-in-time IC Scores of US stocks.")

    def latest_day(connection) -> date | None:
        return connection.execute(sa.select(sa.func.max(scores.c.date))).scalar()

    @app.get("/health")
    def health() -> JSONResponse:
        """The database answers and holds scores: 200 with the latest scored day, else 503."""
        try:
            with db.connect() as connection:
                day = latest_day(connection)
        except sa.exc.SQLAlchemyError as error:
            return JSONResponse({"status": "down", "reason": type(error).__name__}, status_code=503)
        if day is None:
            return JSONResponse({"status": "empty", "reason": "no scores in the serving database"}, status_code=503)
        return JSONResponse({"status": "ok", "latest_day": day.isoformat()})

    def best_of_latest_day(conditions: list, sector: str | None, min_score: int, limit: int) -> dict:
        """The latest day's rows meeting `conditions`, the sector and the minimum score, best first."""
        with db.connect() as connection:
            day = latest_day(connection)
            query = sa.select(scores).where(scores.c.date == day, scores.c.overall_score >= min_score, *conditions)
            if sector:
                query = query.where(scores.c.gics_sector == sector)
            query = query.order_by(scores.c.overall_score.desc(), scores.c.ticker).limit(limit)
            rows = connection.execute(query).fetchall()
        return {"date": day.isoformat() if day else None, "scores": [_score(row) for row in rows]}

    # /top and /screener are declared before /{ticker}, which would otherwise take them as tickers
    @app.get("/api/scores/top")
    def top(
        sector: str | None = None,
        min_score: Annotated[int, Query(ge=1, le=100)] = 1,
        limit: Annotated[int, Query(ge=1, le=MAX_TOP)] = 50,
    ) -> dict:
        """The highest scores of the latest day, optionally of one GICS sector."""
        return best_of_latest_day([], sector, min_score, limit)

    @app.get("/api/scores/screener")
    def screener(
        sector: str | None = None,
        min_value: Annotated[float, Query(ge=0, le=100)] = 0,
        min_growth: Annotated[float, Query(ge=0, le=100)] = 0,
        min_profitability: Annotated[float, Query(ge=0, le=100)] = 0,
        min_financial_health: Annotated[float, Query(ge=0, le=100)] = 0,
        min_momentum: Annotated[float, Query(ge=0, le=100)] = 0,
        min_score: Annotated[int, Query(ge=1, le=100)] = 1,
        limit: Annotated[int, Query(ge=1, le=MAX_TOP)] = 100,
    ) -> dict:
        """The latest day's stocks whose factors all reach the given minimums (a missing factor does not)."""
        minimums = {
            "value": min_value,
            "growth": min_growth,
            "profitability": min_profitability,
            "financial_health": min_financial_health,
            "momentum": min_momentum,
        }
        conditions = [scores.c[factor] >= minimum for factor, minimum in minimums.items() if minimum > 0]
        return best_of_latest_day(conditions, sector, min_score, limit)

    @app.get("/api/scores/{ticker}")
    def score(ticker: str, date: date | None = None) -> dict:
        """The ticker's latest score with its factors, or the score known for trading day `date`."""
        query = sa.select(scores).where(scores.c.ticker == ticker.upper())
        query = query.where(scores.c.date <= date) if date else query
        with db.connect() as connection:
            row = connection.execute(query.order_by(scores.c.date.desc()).limit(1)).first()
        if row is None or (date is not None and row.date != date):
            known = f" on {date}" if date else ""
            raise HTTPException(404, f"no IC Score for {ticker.upper()}{known}")
        return _score(row)

    @app.get("/api/scores/{ticker}/history")
    def history(
        ticker: str,
        days: Annotated[int, Query(ge=1, le=MAX_HISTORY_DAYS)] = 90,
        start: date | None = None,
        end: date | None = None,
    ) -> dict:
        """The ticker's scores over the last `days` trading days, or from `start` to `end`."""
        if start and end and start > end:
            raise HTTPException(422, f"start {start} is after end {end}")
        query = sa.select(scores).where(scores.c.ticker == ticker.upper())
        if start or end:
            query = query.where(scores.c.date >= (start or date.min), scores.c.date <= (end or date.max))
        with db.connect() as connection:
            rows = connection.execute(
                query.order_by(scores.c.date.desc()).limit(days if not start else None)
            ).fetchall()
        if not rows:
            raise HTTPException(404, f"no IC Scores for {ticker.upper()}")
        return {"ticker": ticker.upper(), "scores": [_score(row) for row in reversed(rows)]}

    return app
