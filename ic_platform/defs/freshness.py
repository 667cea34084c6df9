"""Freshness: every daily asset holds the latest trading day that is due by now, checked every 30
minutes. A day's bars and data-quality report are due by 20:00 New York (`after_the_close` runs at 23:00 UTC); its
features, scores and serving rows by 01:30 New York (`before_the_open` runs at 00:15). Weekends
and NYSE holidays are never due. `ic_scores` and `serving_scores` late are errors (the web site
shows stale scores, and `alert_on_failed_checks` posts them); the others warn."""

from datetime import datetime, time

import dagster as dg

from ic_platform.defs.automation import DAILY_FEATURES_AND_SCORES, FRESHNESS_CHECK_NAME, NEW_YORK, demo_last_day
from ic_platform.defs.policies import time_limit
from ic_platform.trading_days import is_trading_day, previous_trading_day

LATE_IS_AN_ERROR = ("ic_scores", "serving_scores")
DEADLINES = {"daily_bars": time(20, 0), "data_quality": time(20, 0)} | dict.fromkeys(
    DAILY_FEATURES_AND_SCORES, time(1, 30)
)


def clock() -> datetime:
    """Now (the tests set it)."""
    return datetime.now(tz=NEW_YORK)


def due_day(asset: str, now: datetime):
    """The latest trading day whose partition of `asset` is due by `now` (its deadline passed); in
    demo mode no later than the demo universe's last day."""
    local = now.astimezone(NEW_YORK)
    day = local.date()
    due = day if is_trading_day(day) and local.time() >= DEADLINES[asset] else previous_trading_day(day)
    last = demo_last_day()
    return min(due, last) if last else due


def freshness_check(asset: str) -> dg.AssetChecksDefinition:
    severity = dg.AssetCheckSeverity.ERROR if asset in LATE_IS_AN_ERROR else dg.AssetCheckSeverity.WARN

    @dg.asset_check(
        asset=asset,
        name=FRESHNESS_CHECK_NAME,
        description=f"Fails ({severity.value}) when the latest trading day due by now "
        f"({DEADLINES[asset].strftime('%H:%M')} New York on the day) is not materialized.",
    )
    def latest_day_on_time(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        due = due_day(asset, clock()).isoformat()
        held = context.instance.get_materialized_partitions(dg.AssetKey(asset))
        latest = max(held) if held else None
        late = due not in held
        return dg.AssetCheckResult(
            passed=not late,
            severity=severity,
            description=f"{asset} has no partition {due}, due by now (latest: {latest})" if late else None,
            metadata={"due_day": due, "latest_day": latest or ""},
        )

    return latest_day_on_time


FRESHNESS_CHECKS = [freshness_check(asset) for asset in DEADLINES]
check_freshness = dg.define_asset_job(
    "check_freshness",
    selection=dg.AssetSelection.checks(*FRESHNESS_CHECKS),
    description="Every daily asset's freshness check.",
    tags=time_limit(0.25),
)
freshness_every_30_minutes = dg.ScheduleDefinition(
    name="freshness_every_30_minutes",
    job=check_freshness,
    cron_schedule="*/30 * * * *",
    description="Runs the freshness checks of every daily asset every 30 minutes.",
)
