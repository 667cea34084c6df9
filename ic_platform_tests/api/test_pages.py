import os
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ic_platform.api.app import create_app
from ic_platform.api.process import serving
from ic_platform.schemas.scores import FACTOR_METRICS
from ic_platform.serving import store
from ic_platform_tests.api.conftest import DAYS
from ic_platform_tests.serving.test_store import COMPANIES, score_rows

CHROMIUM = Path("/usr/bin/chromium")


def test_the_top_page_lists_the_latest_day_best_first_and_filters_by_sector(client):
    page = client.get("/").text
    assert "Scores of 2025-01-06" in page
    assert re.findall(r'href="/scores/(\w+)"', page) == ["AAA", "BBB"]
    filtered = client.get("/", params={"sector": "Utilities"}).text
    assert re.findall(r'href="/scores/(\w+)"', filtered) == ["BBB"]
    assert re.findall(r"<option value=\"(\w+)\"", filtered) == ["Energy", "Utilities"]  # the latest day's sectors


def test_a_stock_page_shows_its_score_factors_and_a_year_of_history(client):
    response = client.get("/scores/aaa")
    page = response.text
    assert response.status_code == 200 and "A Inc." in page
    assert re.search(r'id="overall-score">70<', page) and re.search(r'id="completeness">90%<', page)
    assert re.findall(r'data-factor="(\w+)"', page) == list(FACTOR_METRICS)
    points = re.search(r'<polyline points="([^"]+)"', page).group(1).split()
    assert len(points) == len(DAYS)
    assert "http" not in page.split("<body>")[1].replace('href="/', "")  # no external asset


def test_an_unknown_stock_is_a_404_page_and_names_are_escaped(tmp_path):
    url = f"sqlite:///{tmp_path / 'serving.sqlite'}"
    db = store.engine(url)
    store.migrate(db)
    hostile = COMPANIES.with_columns(name=COMPANIES["name"] + "<script>alert(1)</script>")
    store.replace_window(db, score_rows(DAYS[:1]), DAYS[0], DAYS[0], hostile)
    with TestClient(create_app(url)) as client:
        assert client.get("/scores/ZZZZ").status_code == 404
        page = client.get("/scores/AAA").text
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_an_empty_database_says_so_on_the_top_page(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    store.migrate(store.engine(url))
    with TestClient(create_app(url)) as client:
        response = client.get("/")
    assert response.status_code == 200 and "No scores in the serving database yet" in response.text


@pytest.fixture
def chromium():
    """Debian's chromium driven by Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing and CI must run the browser tests (.ci/run installs it)")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.mark.slow
def test_the_pages_in_a_real_browser(serving_url, chromium, tmp_path):
    with serving(serving_url) as base:
        page = chromium.new_page()
        page.goto(f"{base}/")
        assert page.locator("#top-scores tbody tr").count() == 2
        page.select_option("#sector", "Utilities")  # submits the filter form
        page.wait_for_url("**/?sector=Utilities")
        assert page.locator("#top-scores tbody tr td a").all_inner_texts() == ["BBB"]
        page.click("text=BBB")
        page.wait_for_url("**/scores/BBB")
        assert page.locator("#overall-score").inner_text() == "40"
        assert page.locator("#factor-bars g.factor").count() == len(FACTOR_METRICS)
        chart = page.locator("#history-chart").bounding_box()
        assert chart["width"] > 600 and chart["height"] > 200  # the SVG is laid out, not an empty box
        page.screenshot(path=tmp_path / "stock.png", full_page=True)
    assert (tmp_path / "stock.png").stat().st_size > 10_000
