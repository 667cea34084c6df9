"""Corporate actions the way they break a platform: a split and a dividend that arrive during daily
operation. The days before them are scored while they are unknown, then the split's day and the
days after it are published one at a time and each is run as the new-days sensor runs it; every
daily table must then equal a rebuild of the same window made after everything was known."""

import json
import shutil
from datetime import date

import dagster as dg
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ic_platform.definitions import defs
from ic_platform.defs.automation import new_day_selection
from ic_platform.demo.generator import DemoOptions, generate
from ic_platform.demo.publish import advance
from ic_platform.runner import materialize_window
from ic_platform.tables import DAILY_TABLES
from ic_platform.trading_days import last_trading_days

pytestmark = pytest.mark.slow  # the whole graph, day by day

# seed 2 puts a dividend (PMWF, declared 2026-10-02) going ex on 2026-10-23, among the held-back days
# before the split (FLWN, 4-for-1 on 2026-10-27)
DEMO = DemoOptions(companies=20, years=1, seed=2, hold_back=6, split_days_before_end=3)
WINDOW = 30  # trading days scored before the held-back ones


def _tables(first: date, last: date) -> dict[str, pl.DataFrame]:
    return {name: table.scan(first, last).collect().sort(list(table.sort_by)) for name, table in DAILY_TABLES.items()}


def _split_rows(tables: dict[str, pl.DataFrame], ticker: str, days: list[date]) -> pl.DataFrame:
    technical = tables["technical_daily"].select("date", "ticker", "return_1m", "rsi_14")
    valuation = tables["valuation_daily"].select("date", "ticker", "market_cap", "pe_ratio")
    scores = tables["ic_scores"].select("date", "ticker", "score")
    return (
        technical.join(valuation, on=["date", "ticker"])
        .join(scores, on=["date", "ticker"], how="left")
        .filter((pl.col("ticker") == ticker) & pl.col("date").is_in(days))
        .sort("date")
    )


def test_a_split_and_a_dividend_arriving_in_daily_operation_give_the_rebuilds_rows(tmp_path, monkeypatch):
    daily_dir, rebuild_dir = tmp_path / "daily", tmp_path / "rebuild"
    monkeypatch.setenv("IC_DATA_DIR", str(daily_dir))
    manifest = generate(daily_dir / "demo", DEMO)
    simulated = json.loads((daily_dir / "demo.simulated" / "manifest.json").read_text())
    split_ticker, split_day = simulated["split"]["ticker"], date.fromisoformat(simulated["split"]["date"])
    published = date.fromisoformat(manifest["last_day"])
    held = last_trading_days(date.fromisoformat(simulated["last_day"]), DEMO.hold_back)
    assert held[0] > published and split_day in held
    dividends = json.loads((daily_dir / "demo.simulated" / "polygon" / "dividends.json").read_text())["results"]
    assert any(held[0] <= date.fromisoformat(d["ex_dividend_date"]) < split_day for d in dividends)
    first = last_trading_days(published, WINDOW)[0]

    instance = dg.DagsterInstance.ephemeral()
    assert materialize_window(defs, first, published, instance, progress=False).success
    selection = new_day_selection(defs.get_repository_def())
    for day in held:  # published one at a time, each run as the new-days sensor runs it
        assert advance(daily_dir / "demo")["last_day"] == day.isoformat()
        assert materialize_window(defs, day, day, instance, progress=False, selection=selection).success
    daily = _tables(first, held[-1])

    shutil.copytree(daily_dir / "demo", rebuild_dir / "demo")
    monkeypatch.setenv("IC_DATA_DIR", str(rebuild_dir))
    assert materialize_window(defs, first, held[-1], dg.DagsterInstance.ephemeral(), progress=False).success
    rebuilt = _tables(first, held[-1])

    for name, table in rebuilt.items():
        assert table.height > 0, name
        assert_frame_equal(daily[name], table, check_exact=False, rel_tol=1e-9, abs_tol=1e-12)
    after_split = [d for d in held if d > split_day]
    rows = _split_rows(daily, split_ticker, after_split)
    print(rows)
    assert rows.height == len(after_split)
    assert (rows.get_column("return_1m").abs() < 0.5).all()  # no -75% "return" on the split
