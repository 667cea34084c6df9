"""The docs' first real run, as written, on the real sample files: `ic-platform run` over six
months of 2016-2017, its values checked against expectations the test computes from the raw
companyfacts JSON and prices CSV (not through the platform's code)."""

import csv
import gzip
import json
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from ic_platform import settings
from ic_platform.tables import COMPANIES, IC_SCORES, VALUATION_DAILY
from ic_platform_tests.recipes import docs_recipe

pytestmark = [pytest.mark.real_data, pytest.mark.slow]
BIN = Path(sys.executable).parent


def _facts(real_data: Path) -> dict:
    return json.loads(gzip.decompress((real_data / "sec_companyfacts" / "CIK0000320193_AAPL.json.gz").read_bytes()))


def _point(points: list[dict], **match) -> dict:
    (point,) = [p for p in points if all(p.get(k) == v for k, v in match.items())]
    return point


def _closes(real_data: Path) -> dict[date, float]:
    with gzip.open(real_data / "prices" / "all_stocks_5yr.csv.gz", "rt", newline="") as text:
        return {date.fromisoformat(r["date"]): float(r["close"]) for r in csv.DictReader(text) if r["Name"] == "AAPL"}


def _run(commands: str, work: Path, real_data: Path) -> subprocess.CompletedProcess:
    env = settings.environment_with({"IC_WORK": str(work), "REAL": str(real_data)})
    command = commands.replace(".venv/bin/", f"{BIN}/")
    return subprocess.run(
        ["bash", "-ec", command], cwd=settings.PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=900
    )


def test_the_docs_first_real_run_scores_the_real_files_as_their_numbers_say(real_data, tmp_path, monkeypatch):
    recipe = docs_recipe("## A first real run")
    done = _run(recipe, tmp_path, real_data)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "succeeded" in done.stdout and "Top 3 IC Scores on 2017-02-28" in done.stdout

    # expectations from the raw files: Apple's 10-Q for the quarter to 2016-12-31 and the 10-K before it
    facts = _facts(real_data)
    revenue = facts["facts"]["us-gaap"]["SalesRevenueNet"]["units"]["USD"]
    quarter = _point(revenue, start="2016-09-25", end="2016-12-31", form="10-Q", fy=2017)
    year = _point(revenue, start="2015-09-27", end="2016-09-24", form="10-K", filed="2016-10-26")
    quarter_before = _point(revenue, start="2015-09-27", end="2015-12-26", form="10-Q", fp="Q1", fy=2016)
    eps = _point(
        facts["facts"]["us-gaap"]["EarningsPerShareDiluted"]["units"]["USD/shares"],
        start="2015-09-27",
        end="2016-09-24",
        filed="2016-10-26",
    )
    shares = facts["facts"]["dei"]["EntityCommonStockSharesOutstanding"]["units"]["shares"]
    closes = _closes(real_data)
    days = sorted(closes)
    filed = date.fromisoformat(quarter["filed"])
    known = next(d for d in days if d > filed)  # the first trading day after the filing
    before = days[days.index(known) - 1]

    monkeypatch.setenv("IC_DATA_DIR", str(tmp_path / "data"))
    rows = {
        row["date"]: row
        for row in VALUATION_DAILY.scan(before, known)
        .filter(pl.col("ticker") == "AAPL")
        .collect()
        .iter_rows(named=True)
    }
    # the day before it is known the filing is absent: the 10-K's figures, the close before that day
    assert rows[before]["fundamentals_as_of"] < known
    assert rows[before]["price"] == closes[days[days.index(before) - 1]]
    assert rows[before]["market_cap"] / rows[before]["ps_ratio"] == pytest.approx(year["val"], rel=1e-12)
    assert rows[before]["market_cap"] / rows[before]["price"] == pytest.approx(
        _point(shares, filed="2016-10-26")["val"], rel=1e-12
    )
    assert rows[before]["pe_ratio"] == pytest.approx(closes[days[days.index(before) - 1]] / eps["val"], rel=1e-12)
    # on its knowledge day it is present: TTM revenue = the year + the new quarter - the same quarter a year before
    assert rows[known]["fundamentals_as_of"] == known
    assert rows[known]["price"] == closes[before]
    ttm = year["val"] + quarter["val"] - quarter_before["val"]
    assert rows[known]["market_cap"] / rows[known]["ps_ratio"] == pytest.approx(ttm, rel=1e-12)
    assert rows[known]["market_cap"] / rows[known]["price"] == pytest.approx(
        _point(shares, filed=quarter["filed"])["val"], rel=1e-12
    )

    # served: the last day's scores are in the serving database as the table holds them
    scores = IC_SCORES.scan(date(2017, 2, 28), date(2017, 2, 28)).collect()
    assert sorted(scores.get_column("ticker")) == ["AAPL", "GOOGL", "NVDA"]  # TSLA has no prices in the file
    with sqlite3.connect(tmp_path / "data" / "serving.sqlite") as serving:
        served = dict(serving.execute("SELECT ticker, overall_score FROM scores WHERE date = '2017-02-28'").fetchall())
    assert served == dict(scores.select("ticker", "score").iter_rows())

    # the security master: Celgene, gone from today's ticker map, is in the universe until its last day
    celg = COMPANIES.scan().filter(pl.col("ticker") == "CELG").collect().row(0, named=True)
    assert (celg["cik"], celg["listed_until"], celg["gics_sector"]) == (816284, date(2019, 11, 20), "Health Care")
    googl = COMPANIES.scan().filter(pl.col("ticker") == "GOOGL").collect().row(0, named=True)
    assert googl["predecessor_ciks"] == "1288776"

    # without the lowered minimum the same days are refused, with the reason
    scored_days = IC_SCORES.scan().select(pl.col("date").n_unique()).collect().item()
    refused = _run(
        recipe.replace(" IC_MIN_NAMES_PER_DAY=3", "").replace(
            "\n.venv/bin/ic-platform run", "\n.venv/bin/ic-platform run --select ic_scores"
        ),
        tmp_path,
        real_data,
    )
    assert refused.returncode == 0, refused.stderr[-3000:]
    note = f"note ic_scores: {scored_days} days not published, each with fewer than 10 scores ($IC_MIN_NAMES_PER_DAY)"
    assert scored_days > 100 and note in refused.stdout
    assert IC_SCORES.scan().collect().is_empty()
