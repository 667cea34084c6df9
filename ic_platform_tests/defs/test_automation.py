import json
import time
from datetime import UTC, datetime

import dagster as dg
import pytest
from dagster._core.storage.dagster_run import DagsterRun  # a run record, as the daemon would have launched

from ic_platform.definitions import defs
from ic_platform.defs.automation import (
    DAILY_FEATURES_AND_SCORES,
    MAX_ATTEMPTS,
    SENSOR_NAME_TAG,
    after_the_close,
    before_the_open,
    demo_new_days,
)
from ic_platform.defs.partitions import RANGE_END_TAG, RANGE_START_TAG
from ic_platform.defs.resources import source_resources


def evaluate(schedule: dg.ScheduleDefinition, at: datetime):
    """The schedule's answer at `at`, with the source resources of the settings as they are now."""
    with dg.build_schedule_context(scheduled_execution_time=at, resources=source_resources()) as context:
        return schedule(context)


@pytest.fixture
def live(monkeypatch):
    monkeypatch.setenv("IC_SOURCE_MODE", "live")
    for secret in ("EDGAR_USER_AGENT", "POLYGON_API_KEY", "RATINGS_API_TOKEN"):  # live resources need theirs
        monkeypatch.setenv(secret, "Test ops@example.com")


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


def _demo_manifest(data_dir, first: str, last: str, **more) -> None:
    (data_dir / "demo").mkdir(exist_ok=True)
    (data_dir / "demo" / "manifest.json").write_text(json.dumps({"first_day": first, "last_day": last, **more}))


def _scored(instance: dg.DagsterInstance, *days: str) -> None:
    for day in days:
        instance.report_runless_asset_event(dg.AssetMaterialization("serving_scores", partition=day))


def evaluate_sensor(instance: dg.DagsterInstance):
    with dg.build_sensor_context(instance=instance, definitions=defs) as context:
        return demo_new_days(context)


DEMO_DAYS = ("2026-10-26", "2026-10-27", "2026-10-28", "2026-10-29", "2026-10-30")


def test_the_demo_sensor_scores_the_days_published_since_its_last_run(data_dir, monkeypatch):
    monkeypatch.setenv("IC_SOURCE_MODE", "demo")
    _demo_manifest(data_dir, "2026-10-26", "2026-10-30", generated_at=time.time())
    with dg.DagsterInstance.ephemeral() as instance:
        first = evaluate_sensor(instance)  # nothing scored yet: the whole demo
        assert first.tags == {RANGE_START_TAG: "2026-10-26", RANGE_END_TAG: "2026-10-30"}
        assert first.asset_selection is None  # every asset
        _scored(instance, *DEMO_DAYS)
        assert "every day of the demo universe is scored" in evaluate_sensor(instance).skip_message
        published = {"2026-11-02": time.time()}  # advance-demo published the Monday
        _demo_manifest(data_dir, "2026-10-26", "2026-11-02", generated_at=0, published=published)
        advanced = evaluate_sensor(instance)
        assert advanced.tags == {RANGE_START_TAG: "2026-11-02", RANGE_END_TAG: "2026-11-02"}
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


def test_a_demo_regenerated_after_it_was_scored_is_scored_again(data_dir, monkeypatch):
    """The README's order: `ic-platform demo` scores every day, then `generate-demo --hold-back 5`
    replaces the demo with fewer days published: the sensor scores the new demo, it does not skip."""
    monkeypatch.setenv("IC_SOURCE_MODE", "demo")
    with dg.DagsterInstance.ephemeral() as instance:
        _scored(instance, *DEMO_DAYS)
        _demo_manifest(data_dir, "2026-10-26", "2026-10-28", generated_at=time.time(), published={})
        again = evaluate_sensor(instance)
        assert again.tags == {RANGE_START_TAG: "2026-10-26", RANGE_END_TAG: "2026-10-28"}
        assert again.asset_selection is None


def test_a_run_that_fails_even_before_it_starts_is_requested_again_a_few_times(data_dir, monkeypatch):
    monkeypatch.setenv("IC_SOURCE_MODE", "demo")
    _demo_manifest(data_dir, "2026-10-26", "2026-10-30", generated_at=time.time())
    tags = {SENSOR_NAME_TAG: "demo_new_days", RANGE_START_TAG: "2026-10-26", RANGE_END_TAG: "2026-10-30"}
    with dg.DagsterInstance.ephemeral() as instance:
        keys = set()
        for _ in range(MAX_ATTEMPTS):
            request = evaluate_sensor(instance)
            assert isinstance(request, dg.RunRequest) and request.run_key not in keys  # not deduplicated away
            keys.add(request.run_key)
            # the run monitor failed it before it started
            instance.add_run(DagsterRun("score_window", status=dg.DagsterRunStatus.FAILURE, tags=tags))
        skipped = evaluate_sensor(instance)
        assert f"the last {MAX_ATTEMPTS} runs over 2026-10-26..2026-10-30 failed" in skipped.skip_message


def test_the_demo_sensor_skips_outside_demo_mode(live):
    with dg.DagsterInstance.ephemeral() as instance:
        assert "not in demo mode" in evaluate_sensor(instance).skip_message


def test_a_source_refresh_runs_only_while_its_source_is_read_live_or_from_an_archive(live, monkeypatch):
    schedules = {s.name: s for s in defs.schedules}
    at = datetime(2026, 12, 2, 22, 0, tzinfo=UTC)
    assert isinstance(evaluate(schedules["ratings_refresh"], at), dg.RunRequest)
    monkeypatch.setenv("IC_RATINGS_MODE", "off")
    skipped = evaluate(schedules["ratings_refresh"], at)
    assert isinstance(skipped, dg.SkipReason) and "ratings is off ($IC_RATINGS_MODE=off" in skipped.skip_message
    assert isinstance(evaluate(schedules["news_refresh"], at), dg.RunRequest)  # news stays live
