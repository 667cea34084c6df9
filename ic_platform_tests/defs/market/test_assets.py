import json
from datetime import date

import dagster as dg
import polars as pl

from ic_platform.defs.market.assets import corporate_actions, daily_bars
from ic_platform.defs.market.checks import price_steps_explained
from ic_platform.defs.resources import MarketDataSource
from ic_platform.defs.stores import TableStore
from ic_platform.storage import quarantine_table
from ic_platform.tables import CORPORATE_ACTIONS, DAILY_BARS
from ic_platform.trading_days import trading_days_between


def materialize_range(start: date, end: date, instance=None, raise_on_error=True) -> dg.ExecuteInProcessResult:
    tags = {
        "dagster/asset_partition_range_start": start.isoformat(),
        "dagster/asset_partition_range_end": end.isoformat(),
    }
    return dg.materialize(
        [daily_bars],
        resources={"table_store": TableStore(), "market_data": MarketDataSource()},
        tags=tags,
        instance=instance,
        raise_on_error=raise_on_error,
    )


def demo_days(data_dir) -> list[date]:
    manifest = json.loads((data_dir / "demo" / "manifest.json").read_text())
    return trading_days_between(date.fromisoformat(manifest["first_day"]), date.fromisoformat(manifest["last_day"]))


def demo_split(data_dir) -> tuple[str, date]:
    """The demo's split: its ticker and ex-date."""
    split = json.loads((data_dir / "demo" / "manifest.json").read_text())["split"]
    return split["ticker"], date.fromisoformat(split["date"])


def test_a_single_run_range_backfill_materializes_every_partition_of_the_range(demo_data_dir):
    days = demo_days(demo_data_dir)[10:40]
    instance = dg.DagsterInstance.ephemeral()
    result = materialize_range(days[0], days[-1], instance)
    assert result.success
    assert len(instance.get_runs()) == 1
    materialized = {e.partition for e in result.get_asset_materialization_events()}
    assert materialized == {d.isoformat() for d in days}
    assert DAILY_BARS.days() == days
    bars = DAILY_BARS.scan().collect()
    assert bars.group_by("date").len().get_column("len").min() >= 25  # about 30 tickers a day, a few gaps


def test_re_running_a_partition_replaces_rather_than_duplicates(demo_data_dir):
    day = demo_days(demo_data_dir)[5]
    first = dg.materialize(
        [daily_bars],
        resources={"table_store": TableStore(), "market_data": MarketDataSource()},
        partition_key=day.isoformat(),
    )
    rows = DAILY_BARS.scan().collect()
    second = dg.materialize(
        [daily_bars],
        resources={"table_store": TableStore(), "market_data": MarketDataSource()},
        partition_key=day.isoformat(),
    )
    assert first.success and second.success
    assert DAILY_BARS.scan().collect().equals(rows)
    assert rows.select(pl.struct("date", "ticker").is_unique().all()).item()


def test_bad_rows_are_quarantined_with_a_reason_and_the_rest_is_kept(demo_data_dir):
    day = demo_days(demo_data_dir)[3]
    path = demo_data_dir / "demo" / "polygon" / "grouped" / f"{day.isoformat()}.json"
    document = json.loads(path.read_text())
    good = len(document["results"])
    document["results"][0]["c"] = -5.0
    document["results"].append(dict(document["results"][1]))
    document["results"].append({"T": "NOPRICE", "v": 100})
    path.write_text(json.dumps(document))
    result = dg.materialize(
        [daily_bars],
        resources={"table_store": TableStore(), "market_data": MarketDataSource()},
        partition_key=day.isoformat(),
    )
    assert result.success
    assert DAILY_BARS.scan().collect().height == good - 1
    reasons = quarantine_table(DAILY_BARS).scan(day, day).collect().get_column("reason").to_list()
    assert sorted(reasons) == [
        "duplicate ticker for the day",
        "missing fields ['o', 'h', 'l', 'c']",
        "non-positive price",
    ]


def test_a_day_the_source_does_not_have_fails_with_a_clear_message(demo_data_dir):
    result = dg.materialize(
        [daily_bars],
        resources={"table_store": TableStore(), "market_data": MarketDataSource()},
        partition_key="2015-06-01",
        raise_on_error=False,
    )
    assert not result.success
    failure = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"][0]
    assert "has no bars for 2015-06-01" in failure.step_failure_data.error.message


def test_a_day_the_source_fails_for_keeps_its_bars_and_too_many_such_days_fail_the_step(demo_data_dir, monkeypatch):
    days = demo_days(demo_data_dir)[:3]
    assert materialize_range(days[0], days[-1]).success
    tables = demo_data_dir / "tables"
    before = {path: path.read_bytes() for path in tables.rglob("*.parquet")}
    (demo_data_dir / "demo" / "polygon" / "grouped" / f"{days[1].isoformat()}.json").write_text('{"results": [')
    # one day of three is more than the 2% a source may fail: the step fails, no file changes
    result = materialize_range(days[0], days[-1], raise_on_error=False)
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert "failed for 1 of 3 items" in failure.step_failure_data.error.message  # the last retry says why
    assert "left as it was" in failure.step_failure_data.error.message
    assert {path: path.read_bytes() for path in tables.rglob("*.parquet")} == before
    # under a looser limit the day keeps the bars it had, and says why
    monkeypatch.setenv("IC_MAX_FAILED_SHARE", "0.5")
    result = materialize_range(days[0], days[-1])
    counts = dict(DAILY_BARS.scan().collect().group_by("date").len().iter_rows())
    assert counts[days[1]] > 0 and counts[days[0]] > 0 and counts[days[2]] > 0
    [reason] = quarantine_table(DAILY_BARS).scan(days[1], days[1]).collect().get_column("reason").to_list()
    assert "malformed JSON" in reason and f"keeps its {counts[days[1]]} previous bars" in reason
    materialization = result.get_asset_materialization_events()[0]  # one per partition, alike
    metadata = materialization.step_materialization_data.materialization.metadata
    assert metadata["failed_items"].value == 1 and metadata["failed_item_list"].value == [days[1].isoformat()]


def _actions_and_bars(days, instance=None) -> dg.ExecuteInProcessResult:
    tags = {
        "dagster/asset_partition_range_start": days[0].isoformat(),
        "dagster/asset_partition_range_end": days[-1].isoformat(),
    }
    return dg.materialize(
        [corporate_actions, daily_bars, price_steps_explained],
        resources={"table_store": TableStore(), "market_data": MarketDataSource()},
        tags=tags,
        instance=instance,
        raise_on_error=False,
    )


def test_the_demo_splits_and_dividends_are_actions_that_keep_when_they_were_first_read(demo_data_dir):
    ticker, split_day = demo_split(demo_data_dir)
    days = demo_days(demo_data_dir)
    window = days[days.index(split_day) - 3 : days.index(split_day) + 3]
    assert _actions_and_bars(window).success
    actions = CORPORATE_ACTIONS.scan().collect()
    dividends = json.loads((demo_data_dir / "demo" / "polygon" / "dividends.json").read_text())["results"]
    assert actions.filter(pl.col("kind") == "split").select("ticker", "ex_date", "ratio").rows() == [
        (ticker, split_day, 4.0)
    ]
    assert actions.filter(pl.col("kind") == "cash_dividend").height == len(dividends)
    assert set(actions.get_column("source").str.split("/").list.last()) == {"splits.json", "dividends.json"}
    # the bars stay as traded: the split's day closes about a quarter of the day before
    closes = DAILY_BARS.scan().filter(pl.col("ticker") == ticker).sort("date").collect()
    before, after = closes.filter(pl.col("date") < split_day), closes.filter(pl.col("date") >= split_day)
    assert 2.5 < before.get_column("close")[-1] / after.get_column("close")[0] < 6
    learned = actions.get_column("learned_at")
    assert _actions_and_bars(window).success
    assert CORPORATE_ACTIONS.scan().collect().get_column("learned_at").equals(learned)  # read again, kept


def test_the_jump_check_passes_with_the_demos_split_and_fails_without_it(demo_data_dir):
    ticker, split_day = demo_split(demo_data_dir)
    days = demo_days(demo_data_dir)
    window = days[days.index(split_day) - 3 : days.index(split_day) + 3]
    result = _actions_and_bars(window)
    [check] = result.get_asset_check_evaluations()
    assert check.passed and check.metadata["unexplained_steps"].value == 0

    splits_file = demo_data_dir / "demo" / "polygon" / "splits.json"
    splits_file.write_text(json.dumps({"status": "OK", "results": []}))  # the source lost the split
    result = _actions_and_bars(window)
    [check] = result.get_asset_check_evaluations()
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    assert check.metadata["unexplained_steps"].value == 1
    assert f"{ticker} on {split_day} x0.2" in check.description  # about a quarter of the day before
    assert result.success  # a failed check blocks nothing: the day is still scored
