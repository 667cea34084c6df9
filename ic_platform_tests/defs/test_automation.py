import json
from datetime import UTC, datetime

import dagster as dg
import pytest
from dagster._core.storage.dagster_run import DagsterRun  # a run record, as the daemon would have launched

from ic_platform.definitions import defs
from ic_platform.defs.automation import (
    DAILY_FEATURES_AND_SCORES,
    SENSOR_NAME_TAG,
    after_the_close,
    before_the_open,
    demo_new_days,
)
from ic_platform.defs.partitions import RANGE_END_TAG, RANGE_START_TAG


def evaluate(schedule: dg.ScheduleDefinition, at: datetime):
    with dg.build_schedule_context(scheduled_execution_time=at) as context:
        return schedule(context)


@pytest.fixture
def live(monkeypatch):
    monkeypatch.setenv("IC_SOURCE_MODE", "live")


def test_a_trading_day_gets_its_bars_after_the_close_and_its_scores_before_the_open(live):
    bars = evaluate(after_the_close, datetime(2026, 12, 2, 23, 0, tzinfo=UTC))  # a Wednesday
    assert bars.partition_key == "2026-12-02"
    scores = evaluate(before_the_open, datetime(2026, 12, 3, 5, 15, tzinfo=UTC))  # 00:15 New York
    assert scores.partition_key == "2026-12-03"


@pytest.mark.parametrize(
    "at, why",
    [
        (datetime(2026, 11, 26, 23, 0, tzinfo=UTC), "2026-11-26 is not a trading day"),  # Thanksgiving
        (datetime(2026, 12, 5, 23, 0, tzinfo=UTC), "2026-12-05 is not a trading day"),  # a Saturday
    ],
)
def test_holidays_and_weekends_produce_no_run(live, at, why):
    for schedule in (after_the_close, before_the_open):
        skipped = evaluate(schedule, at)
        assert isinstance(skipped, dg.SkipReason) and why in skipped.skip_message


def test_in_demo_mode_days_past_the_demo_universe_skip_with_the_reason(data_dir, monkeypatch):
    monkeypatch.setenv("IC_SOURCE_MODE", "demo")
    (data_dir / "demo").mkdir()
    (data_dir / "demo" / "manifest.json").write_text(json.dumps({"last_day": "2026-10-30"}))
    assert evaluate(after_the_close, datetime(2026, 10, 30, 23, 0, tzinfo=UTC)).partition_key == "2026-10-30"
    skipped = evaluate(before_the_open, datetime(2026, 12, 3, 5, 15, tzinfo=UTC))
    assert "the demo universe ends on 2026-10-30: nothing new for 2026-12-03" in skipped.skip_message
    refresh = defs.resolve_schedule_def("news_refresh")
    assert "demo mode" in evaluate(refresh, datetime(2026, 12, 3, 8, 0, tzinfo=UTC)).skip_message


def test_the_daily_runs_cover_every_daily_asset_through_serving():
    daily = {
        node.key.to_user_string() for node in defs.resolve_asset_graph().asset_nodes if node.partitions_def is not None
    }
    scheduled = {"daily_bars", "data_quality", *DAILY_FEATURES_AND_SCORES}
    assert daily == scheduled
    for name in ("after_the_close", "before_the_open", "sec_facts_refresh", "form4_refresh", "13f_refresh"):
        assert defs.resolve_schedule_def(name).description


def test_every_sensor_schedule_and_job_says_what_it_does():
    repository = defs.get_repository_def()
    for definition in [*repository.sensor_defs, *repository.schedule_defs, *repository.get_all_jobs()]:
        assert definition.description or definition.name == "__ASSET_JOB", definition.name


def _demo_manifest(data_dir, first: str, last: str) -> None:
    (data_dir / "demo").mkdir()
    (data_dir / "demo" / "manifest.json").write_text(json.dumps({"first_day": first, "last_day": last}))


def _scored(instance: dg.DagsterInstance, *days: str) -> None:
    for day in days:
        instance.report_runless_asset_event(dg.AssetMaterialization("serving_scores", partition=day))


def evaluate_sensor(instance: dg.DagsterInstance):
    with dg.build_sensor_context(instance=instance, definitions=defs) as context:
        return demo_new_days(context)


def test_the_demo_sensor_scores_the_days_the_serving_database_lacks(data_dir, monkeypatch):
    monkeypatch.setenv("IC_SOURCE_MODE", "demo")
    _demo_manifest(data_dir, "2026-10-26", "2026-10-30")
    with dg.DagsterInstance.ephemeral() as instance:
        first = evaluate_sensor(instance)  # nothing scored yet: the whole demo
        assert first.tags == {RANGE_START_TAG: "2026-10-26", RANGE_END_TAG: "2026-10-30"}
        assert first.asset_selection is None  # every asset
        _scored(instance, "2026-10-26", "2026-10-27", "2026-10-28", "2026-10-29", "2026-10-30")
        assert "every day of the demo universe is scored" in evaluate_sensor(instance).skip_message
        (data_dir / "demo" / "manifest.json").write_text(
            json.dumps({"first_day": "2026-10-26", "last_day": "2026-11-02"})
        )
        advanced = evaluate_sensor(instance)  # advance-demo published the Monday
        assert advanced.tags == {RANGE_START_TAG: "2026-11-02", RANGE_END_TAG: "2026-11-02"}
        assert advanced.run_key == "demo-2026-11-02-2026-11-02"
        # a new day runs every asset but the weekly score evaluation
        assert dg.AssetKey("score_evaluation") not in advanced.asset_selection
        assert {dg.AssetKey("serving_scores"), dg.AssetKey("sec_form4")} <= set(advanced.asset_selection)
        checks = {(key.asset_key.to_user_string(), key.name) for key in advanced.asset_check_keys}
        assert ("ic_scores", "inputs_known_before_the_day") in checks
        assert not any(name == "latest_day_on_time" for _, name in checks)  # freshness asks about today
        running = DagsterRun(
            "score_window", status=dg.DagsterRunStatus.STARTED, tags={SENSOR_NAME_TAG: "demo_new_days"}
        )
        instance.add_run(running)
        assert f"run {running.run_id} of this sensor is under way" in evaluate_sensor(instance).skip_message
    assert defs.resolve_sensor_def("demo_new_days").job_name == "score_window"


def test_the_demo_sensor_skips_outside_demo_mode(live):
    with dg.DagsterInstance.ephemeral() as instance:
        assert "not in demo mode" in evaluate_sensor(instance).skip_message


def test_a_source_refresh_runs_only_while_its_source_is_read_live_or_from_an_archive(live, monkeypatch):
    schedules = {s.name: s for s in defs.schedules}
    at = datetime(2026, 12, 2, 22, 0, tzinfo=UTC)
    assert isinstance(evaluate(schedules["ratings_refresh"], at), dg.RunRequest)
    monkeypatch.setenv("IC_RATINGS_MODE", "off")
    skipped = evaluate(schedules["ratings_refresh"], at)
    assert isinstance(skipped, dg.SkipReason) and "ratings is off ($IC_RATINGS_MODE=off)" in skipped.skip_message
    assert isinstance(evaluate(schedules["news_refresh"], at), dg.RunRequest)  # news stays live
