from datetime import UTC, datetime

import dagster as dg
import pytest

from ic_platform.definitions import defs
from ic_platform.defs import freshness
from ic_platform.defs.freshness import FRESHNESS_CHECKS, due_day
from ic_platform.defs.partitions import TRADING_DAY_PARTITIONS


@pytest.mark.parametrize(
    "asset, now, due",
    [
        ("ic_scores", datetime(2026, 12, 3, 7, 0, tzinfo=UTC), "2026-12-03"),  # 02:00 New York: today's
        ("ic_scores", datetime(2026, 12, 3, 5, 0, tzinfo=UTC), "2026-12-02"),  # 00:00: still yesterday's
        ("ic_scores", datetime(2026, 11, 26, 12, 0, tzinfo=UTC), "2026-11-25"),  # Thanksgiving
        ("ic_scores", datetime(2026, 12, 6, 12, 0, tzinfo=UTC), "2026-12-04"),  # a Sunday: Friday's
        ("daily_bars", datetime(2026, 12, 3, 23, 0, tzinfo=UTC), "2026-12-02"),  # 18:00 New York
        ("daily_bars", datetime(2026, 12, 4, 2, 0, tzinfo=UTC), "2026-12-03"),  # 21:00 New York
    ],
)
def test_the_day_due_is_the_latest_trading_day_past_its_deadline(asset, now, due, monkeypatch):
    monkeypatch.setenv("IC_SOURCE_MODE", "live")
    assert due_day(asset, now).isoformat() == due


def test_in_demo_mode_nothing_past_the_demo_universe_is_due(data_dir, monkeypatch):
    monkeypatch.setenv("IC_SOURCE_MODE", "demo")
    (data_dir / "demo").mkdir()
    (data_dir / "demo" / "manifest.json").write_text('{"last_day": "2026-10-30"}')
    assert due_day("ic_scores", datetime(2026, 12, 3, 12, 0, tzinfo=UTC)).isoformat() == "2026-10-30"


def stand_in(name: str) -> dg.AssetsDefinition:
    """A daily asset of that name: the check reads only the instance's materializations."""
    return dg.asset(name=name, partitions_def=TRADING_DAY_PARTITIONS)(lambda: None)


def scores_freshness(materialized_day: str, now: datetime, monkeypatch) -> dg.AssetCheckEvaluation:
    monkeypatch.setenv("IC_SOURCE_MODE", "live")
    (check,) = [c for c in FRESHNESS_CHECKS if dg.AssetKey("ic_scores") in {k.asset_key for k in c.check_keys}]
    scores = stand_in("ic_scores")
    with dg.instance_for_test() as instance:
        dg.materialize([scores], instance=instance, partition_key=materialized_day)
        monkeypatch.setattr(freshness, "clock", lambda: now)
        result = dg.materialize([scores, check], instance=instance, selection=dg.AssetSelection.checks(check))
    (evaluation,) = result.get_asset_check_evaluations()
    return evaluation


def test_a_missing_day_of_scores_fails_its_freshness_check_as_an_error(monkeypatch):
    late = scores_freshness("2026-12-01", datetime(2026, 12, 2, 7, 0, tzinfo=UTC), monkeypatch)
    assert not late.passed and late.severity == dg.AssetCheckSeverity.ERROR
    assert "ic_scores has no partition 2026-12-02, due by now (latest: 2026-12-01)" in late.description
    assert scores_freshness("2026-12-02", datetime(2026, 12, 2, 7, 0, tzinfo=UTC), monkeypatch).passed


def test_every_daily_asset_has_a_freshness_check():
    checked = {key.asset_key.to_user_string() for check in FRESHNESS_CHECKS for key in check.check_keys}
    daily = {node.key.to_user_string() for node in defs.resolve_asset_graph().asset_nodes if node.partitions_def}
    assert checked == daily
