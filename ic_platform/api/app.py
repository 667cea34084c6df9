"""The scores API (FastAPI on uvicorn; `ic-platform serve`), reading the serving database.

JSON under `/api/scores`, the score pages at `/` and `/scores/{ticker}` (HTML, no external
assets), `/health` for probes and OpenAPI docs at `/docs`. Every query is parameterised
(`queries.py`) on a pooled engine; the API needs only read access to the database. Bad input gets
a 4xx with the reason: an unknown ticker 404, a bad date or parameter 422, `limit` and `days` above
their caps 422, a NUL character anywhere in the path or query 422.
"""

from datetime import date
from typing import Annotated

import sqlalchemy as sa
from fastapi import FastAPI, HTTPException, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from ic_platform.api import pages
from ic_platform.api.queries import ScoreQueries, as_json
from ic_platform.api.responses import JSON, DayScores, History, Score
from ic_platform.serving import store

MAX_TOP = 500
MAX_HISTORY_DAYS = 2520  # ten years of trading days
# The score endpoints are `async` and run their indexed queries (about a millisecond) on the event
# loop: handing each to a thread cost more than the query, and the history endpoint saturated two
# cores at 500 requests/s (benchmarks/api.py). A query that runs long is cancelled instead of
# stalling its worker; /health and the pages stay in threads (a database that is down blocks there).
STATEMENT_TIMEOUT_MS = 2000
FactorMinimum = Annotated[float, Query(ge=0, le=100)]


class RefuseNulCharacters:
    """ASGI middleware: a request with a NUL character in its path or query (which PostgreSQL
    refuses in a text parameter) gets a 422 before any route runs."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        query = scope.get("query_string", b"").lower()
        where = "path" if "\x00" in scope.get("path", "") else "query" if b"%00" in query or b"\x00" in query else None
        if scope["type"] == "http" and where:
            error = {"loc": [where], "msg": "a parameter contains a NUL character", "type": "value_error"}
            await JSONResponse({"detail": [error]}, status_code=422)(scope, receive, send)  # FastAPI's 422 shape
            return
        await self.app(scope, receive, send)


def create_app(url: str | None = None) -> FastAPI:
    """The API on the serving database at `url` (default `$IC_SERVING_URL`)."""
    reads = ScoreQueries(store.engine(url, statement_timeout_ms=STATEMENT_TIMEOUT_MS))
    app = FastAPI(title="IC Score API", description="Daily point-in-time IC Scores of US stocks.")
    app.add_middleware(RefuseNulCharacters)

    @app.get("/health")
    def health() -> JSONResponse:
        """The database answers and holds scores: 200 with the latest scored day, else 503."""
        try:
            day = reads.latest_day()
        except sa.exc.SQLAlchemyError as error:
            return JSONResponse({"status": "down", "reason": type(error).__name__}, status_code=503)
        if day is None:
            return JSONResponse({"status": "empty", "reason": "no scores in the serving database"}, status_code=503)
        return JSONResponse({"status": "ok", "latest_day": day.isoformat()})

    def best(minimums: dict, sector: str | None, min_score: int, limit: int) -> JSON:
        day, rows = reads.best_of_latest_day(minimums, sector, min_score, limit)
        return JSON({"date": day, "scores": [as_json(row) for row in rows]})

    # /top and /screener are declared before /{ticker}, which would otherwise take them as tickers
    @app.get("/api/scores/top", response_model=DayScores)
    async def top(
        sector: str | None = None,
        min_score: Annotated[int, Query(ge=1, le=100)] = 1,
        limit: Annotated[int, Query(ge=1, le=MAX_TOP)] = 50,
    ) -> JSON:
        """The highest scores of the latest day, optionally of one GICS sector."""
        return best({}, sector, min_score, limit)

    @app.get("/api/scores/screener", response_model=DayScores)
    async def screener(
        sector: str | None = None,
        min_value: FactorMinimum = 0,
        min_growth: FactorMinimum = 0,
        min_profitability: FactorMinimum = 0,
        min_financial_health: FactorMinimum = 0,
        min_momentum: FactorMinimum = 0,
        min_score: Annotated[int, Query(ge=1, le=100)] = 1,
        limit: Annotated[int, Query(ge=1, le=MAX_TOP)] = 100,
    ) -> JSON:
        """The latest day's stocks whose factors all reach the given minimums (a missing factor does not)."""
        minimums = {
            "value": min_value,
            "growth": min_growth,
            "profitability": min_profitability,
            "financial_health": min_financial_health,
            "momentum": min_momentum,
        }
        return best(minimums, sector, min_score, limit)

    @app.get("/api/scores/{ticker}", response_model=Score, responses={404: {"description": "no such score"}})
    async def score(ticker: str, date: date | None = None) -> JSON:
        """The ticker's latest score with its factors, or the score known for trading day `date`."""
        row = reads.score(ticker.upper(), date)
        if row is None:
            known = f" on {date}" if date else ""
            raise HTTPException(404, f"no IC Score for {ticker.upper()}{known}")
        return JSON(as_json(row))

    @app.get("/api/scores/{ticker}/history", response_model=History, responses={404: {"description": "no such scores"}})
    async def history(
        ticker: str,
        days: Annotated[int, Query(ge=1, le=MAX_HISTORY_DAYS)] = 90,
        start: date | None = None,
        end: date | None = None,
    ) -> JSON:
        """The ticker's scores over the last `days` trading days, or from `start` to `end`."""
        if start and end and start > end:
            reason = {"type": "value_error", "loc": ("query", "start"), "msg": f"start {start} is after end {end}"}
            raise RequestValidationError([reason | {"input": start.isoformat()}])  # a 422 shaped as the others
        rows = reads.history(ticker.upper(), None if start else days, start, end)
        if not rows:
            raise HTTPException(404, f"no IC Scores for {ticker.upper()}")
        return JSON({"ticker": ticker.upper(), "scores": [as_json(row) for row in rows]})

    app.include_router(pages.router(reads))
    return app
