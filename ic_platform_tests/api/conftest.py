"""A serving database on each backend, and the API on it."""

from datetime import date

import pytest
from fastapi.testclient import TestClient

from ic_platform.api.app import create_app
from ic_platform.serving import store
from ic_platform_tests.conftest import postgres_url
from ic_platform_tests.serving.test_store import COMPANIES, score_rows

DAYS = [date(2025, 1, 2), date(2025, 1, 3), date(2025, 1, 6)]


@pytest.fixture(params=["sqlite", "postgresql"])
def serving_url(request, tmp_path) -> str:
    """A serving database on each backend holding three days of scores for AAA and BBB."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'serving.sqlite'}"
    else:
        url = postgres_url(request.getfixturevalue("postgres_database"))
    db = store.engine(url)
    store.migrate(db)
    rows = score_rows(DAYS).with_columns(
        overall_score=(score_rows(DAYS)["ticker"] == "AAA").cast(int) * 30 + 40,
        gics_sector=(score_rows(DAYS)["ticker"] == "AAA").replace_strict({True: "Energy", False: "Utilities"}),
    )
    store.replace_window(db, rows, DAYS[0], DAYS[-1], COMPANIES)
    db.dispose()
    return url


@pytest.fixture
def client(serving_url):
    with TestClient(create_app(serving_url)) as running:
        yield running
