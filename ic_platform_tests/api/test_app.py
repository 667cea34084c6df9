import httpx
import pytest
from fastapi.testclient import TestClient

from ic_platform.api.app import create_app
from ic_platform.api.process import serving
from ic_platform.serving import store
from ic_platform_tests.api.conftest import DAYS
from ic_platform_tests.serving.test_store import COMPANIES, score_rows


def test_a_ticker_s_latest_score_and_the_score_known_on_a_day(client):
    latest = client.get("/api/scores/aaa").json()
    assert (latest["ticker"], latest["date"], latest["overall_score"]) == ("AAA", "2025-01-06", 70)
    assert set(latest["factors"]) >= {"value", "growth", "news_sentiment"}
    assert client.get("/api/scores/AAA", params={"date": "2025-01-03"}).json()["date"] == "2025-01-03"


def test_history_top_and_screener(client):
    history = client.get("/api/scores/AAA/history", params={"days": 2}).json()["scores"]
    assert [row["date"] for row in history] == ["2025-01-03", "2025-01-06"]
    window = client.get("/api/scores/BBB/history", params={"start": "2025-01-02", "end": "2025-01-03"}).json()
    assert len(window["scores"]) == 2
    top = client.get("/api/scores/top").json()
    assert top["date"] == "2025-01-06" and [row["ticker"] for row in top["scores"]] == ["AAA", "BBB"]
    assert [row["ticker"] for row in client.get("/api/scores/top?sector=Utilities").json()["scores"]] == ["BBB"]
    assert [row["ticker"] for row in client.get("/api/scores/top?min_score=60").json()["scores"]] == ["AAA"]
    screened = client.get("/api/scores/screener", params={"min_value": 40, "min_score": 60}).json()["scores"]
    assert [row["ticker"] for row in screened] == ["AAA"]
    assert client.get("/api/scores/screener", params={"min_growth": 60}).json()["scores"] == []


def test_top_and_screener_are_not_taken_for_tickers(client):
    assert "scores" in client.get("/api/scores/top").json()
    assert "scores" in client.get("/api/scores/screener").json()


@pytest.mark.parametrize(
    "path, status, reason",
    [
        ("/api/scores/ZZZZ", 404, "no IC Score for ZZZZ"),
        ("/api/scores/AAA?date=2025-01-04", 404, "no IC Score for AAA on 2025-01-04"),
        ("/api/scores/AAA?date=yesterday", 422, "date"),
        ("/api/scores/AAA/history?days=0", 422, "greater than or equal to 1"),
        ("/api/scores/AAA/history?days=100000", 422, "less than or equal to 2520"),
        ("/api/scores/AAA/history?start=2025-01-06&end=2025-01-02", 422, "is after end"),
        ("/api/scores/ZZZZ/history", 404, "no IC Scores for ZZZZ"),
        ("/api/scores/top?limit=100000", 422, "less than or equal to 500"),
        ("/api/scores/screener?min_value=abc", 422, "valid number"),
        ("/api/scores/AA%00A", 422, "NUL character"),  # a 500 from PostgreSQL before
        ("/api/scores/AAA/history?start=2025-01-02%00", 422, "NUL character"),
        ("/api/scores/top?sector=Ener%00gy", 422, "NUL character"),
        ("/scores/AA%00A", 422, "NUL character"),
    ],
)
def test_bad_input_gets_a_4xx_with_the_reason(client, path, status, reason):
    response = client.get(path)
    assert response.status_code == status and reason in response.text


def test_health_and_the_openapi_document(client, tmp_path):
    assert client.get("/health").json() == {"status": "ok", "latest_day": "2025-01-06"}
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/scores/{ticker}", "/api/scores/{ticker}/history", "/api/scores/top", "/health"} <= set(paths)
    empty = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    store.migrate(store.engine(empty))
    with TestClient(create_app(empty)) as no_scores:
        assert no_scores.get("/health").status_code == 503


@pytest.mark.slow
def test_ic_platform_serve_answers_over_real_http(tmp_path):
    url = f"sqlite:///{tmp_path / 'serving.sqlite'}"
    db = store.engine(url)
    store.migrate(db)
    store.replace_window(db, score_rows(DAYS), DAYS[0], DAYS[-1], COMPANIES)
    with serving(url, workers=2) as base:
        response = httpx.get(f"{base}/api/scores/AAA", timeout=5)
    assert response.status_code == 200 and response.json()["ticker"] == "AAA"
