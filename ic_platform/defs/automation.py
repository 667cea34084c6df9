"""What runs by itself: schedules built on the trading-day partitions (one run per new trading day,
none on weekends and NYSE holidays) and the raw sources' refreshes, on the original system's cadence.

A day's partition D holds what was public before D's open, so the day splits in two runs:
`after_the_close` (23:00 UTC) reads the corporate actions, writes day D's bars into `daily_bars` D
and D's data-quality report, and `before_the_open` (00:15 New York, when partition D+1 opens)
computes every daily feature, the IC Scores and their serving rows for D+1 from them: the
information the original system scored at 19:00 New York. In demo mode each skips, with the reason,
where the demo universe holds nothing new."""

from datetime import date
from zoneinfo import ZoneInfo

import dagster as dg

from ic_platform import settings
from ic_platform.defs.partitions import RANGE_END_TAG, RANGE_START_TAG, WINDOW_JOB
from ic_platform.defs.policies import time_limit
from ic_platform.defs.resources import EdgarSource, MarketDataSource, NewsSource, RatingsSource
from ic_platform.tables import DAILY_BARS, DAILY_TABLES
from ic_platform.trading_days import is_trading_day, next_trading_day

NEW_YORK = ZoneInfo("America/New_York")
SENSOR_NAME_TAG = "dagster/sensor_name"  # set by Dagster on a sensor's runs
UNFINISHED = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]
# every daily table of the catalog but the bars, and the serving rows
DAILY_FEATURES_AND_SCORES = (*(name for name in DAILY_TABLES if name != DAILY_BARS.name), "serving_scores")
# the evaluation re-reads every score and bar: weekly (`evaluate_scores`), not on each new day
EVALUATION = "score_evaluation"
FRESHNESS_CHECK_NAME = "latest_day_on_time"  # every daily asset's freshness check (defs/freshness.py)

market_close = dg.define_asset_job(
    "market_close",
    selection=dg.AssetSelection.assets("corporate_actions", "daily_bars", "data_quality"),
    tags=time_limit(2),
    description=(
        "The corporate actions known, the day's bars of every ticker, after the close, and the day's "
        "data-quality report."
    ),
)
daily_scores = dg.define_asset_job(
    "daily_scores",
    selection=dg.AssetSelection.assets(*DAILY_FEATURES_AND_SCORES),
    tags=time_limit(3),
    description="Every daily feature, the factor scores, the IC Scores and their serving rows of one trading day.",
)


def new_day_selection(repository: dg.RepositoryDefinition) -> tuple[list[dg.AssetKey], list[dg.AssetCheckKey]]:
    """What a run for new days materializes, as score_window would but for the weekly score
    evaluation: every other asset and its checks (not the freshness checks, which ask about today)."""
    graph = repository.asset_graph
    assets = sorted(key for key in graph.materializable_asset_keys if key != dg.AssetKey(EVALUATION))
    checks = sorted(
        key
        for key in graph.asset_check_keys
        if key.asset_key != dg.AssetKey(EVALUATION) and key.name != FRESHNESS_CHECK_NAME
    )
    return assets, checks


def demo_last_day() -> date | None:
    """The demo universe's last published trading day in demo mode, else None."""
    manifest = settings.current().demo_manifest()
    return date.fromisoformat(manifest["last_day"]) if manifest else None


def trading_day_request(day: date, what: str) -> dg.RunRequest | dg.SkipReason:
    """A run of partition `day`, or why there is none: not a trading day, or past the demo's data."""
    if not is_trading_day(day):
        return dg.SkipReason(f"{day} is not a trading day (weekend or NYSE holiday): no {what}")
    last = demo_last_day()
    if last is not None and day > last:
        return dg.SkipReason(
            f"the demo universe ends on {last}: nothing new for {day} "
            "(ic-platform advance-demo publishes a held-back day; demo_new_days scores it)"
        )
    return dg.RunRequest(partition_key=day.isoformat())


def trading_day_schedule(name: str, job, cron: str, timezone: str, what: str, description: str):
    """A schedule of `job` on `cron` that requests the New York trading day's partition (or skips)."""

    @dg.schedule(name=name, job=job, cron_schedule=cron, execution_timezone=timezone, description=description)
    def on_trading_days(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
        return trading_day_request(context.scheduled_execution_time.astimezone(NEW_YORK).date(), what)

    return on_trading_days


after_the_close = trading_day_schedule(
    "after_the_close",
    market_close,
    "0 23 * * 1-5",
    "UTC",
    "bars",
    "23:00 UTC on trading days: that day's bars and quality report.",
)
before_the_open = trading_day_schedule(
    "before_the_open",
    daily_scores,
    "15 0 * * 1-5",
    "America/New_York",
    "scores",
    "00:15 New York on trading days, as the day's partition opens: its features, scores and serving rows.",
)


MAX_ATTEMPTS = 3  # runs of the same days the demo sensor requests before it waits for a new day


def scored_since(instance: dg.DagsterInstance) -> tuple[float | None, date | None]:
    """When the run that last wrote serving rows started, and the newest day served (None, None
    before any)."""
    event = instance.get_latest_materialization_event(dg.AssetKey("serving_scores"))
    if event is None:
        return None, None
    record = instance.get_run_record_by_id(event.run_id)
    started = record.start_time if record is not None and record.start_time else event.timestamp
    days = instance.get_materialized_partitions(dg.AssetKey("serving_scores"))
    return started, (date.fromisoformat(max(days)) if days else None)


def days_to_score(manifest: dict, started: float | None, latest: date | None) -> date | None:
    """The first demo day to score again, or None when every published day is scored: every day
    when nothing was scored since the demo was generated, else the days published (advance-demo)
    after the last scoring run started and those after the newest day served."""
    first, last = date.fromisoformat(manifest["first_day"]), date.fromisoformat(manifest["last_day"])
    if started is None or latest is None or started < manifest.get("generated_at", 0):
        return first
    waiting = [date.fromisoformat(day) for day, at in manifest.get("published", {}).items() if at > started]
    if latest < last:
        waiting.append(next_trading_day(latest))
    return max(min(waiting), first) if waiting else None


@dg.sensor(
    name="demo_new_days",
    job_name=WINDOW_JOB,
    minimum_interval_seconds=30,
    description="Demo mode: when the demo universe has trading days not scored since they were published "
    "(ic-platform advance-demo published one, the demo was regenerated, or nothing is scored yet), one run of "
    "score_window over them, once its previous run has finished (new days without the weekly score "
    f"evaluation). A run that fails, even before it starts, is requested again, up to {MAX_ATTEMPTS} times.",
)
def demo_new_days(context: dg.SensorEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    manifest = settings.current().demo_manifest()
    if manifest is None:
        return dg.SkipReason("not in demo mode (or no demo universe yet): live and archive days come by the schedules")
    mine = {SENSOR_NAME_TAG: "demo_new_days"}
    under_way = context.instance.get_runs(dg.RunsFilter(tags=mine, statuses=UNFINISHED), limit=1)
    if under_way:
        return dg.SkipReason(f"run {under_way[0].run_id} of this sensor is under way: new days wait for it")
    start = days_to_score(manifest, *scored_since(context.instance))
    last = manifest["last_day"]
    if start is None:
        return dg.SkipReason(f"every day of the demo universe is scored (through {last})")
    tags = {RANGE_START_TAG: start.isoformat(), RANGE_END_TAG: last}
    failed = []
    for run in context.instance.get_runs(dg.RunsFilter(tags=mine), limit=MAX_ATTEMPTS):
        if run.status != dg.DagsterRunStatus.FAILURE or run.tags.get(RANGE_START_TAG) != tags[RANGE_START_TAG]:
            break
        failed.append(run)
    if len(failed) >= MAX_ATTEMPTS:
        return dg.SkipReason(
            f"the last {len(failed)} runs over {start}..{last} failed (latest {failed[0].run_id}, see its logs): "
            "no more tries until a new day is published or the demo is regenerated"
        )
    if failed:
        context.log.info(f"run {failed[0].run_id} over {start}..{last} failed: requesting it again")
    run_key = (
        f"demo-{start}-{last}-{manifest.get('generated_at', 0)}-{len(manifest.get('published', {}))}-{len(failed)}"
    )
    if start.isoformat() == manifest["first_day"]:  # the whole demo: every asset
        return dg.RunRequest(run_key=run_key, tags=tags)
    assert context.repository_def is not None  # a sensor is evaluated in its code location
    assets, checks = new_day_selection(context.repository_def)
    return dg.RunRequest(run_key=run_key, tags=tags, asset_selection=assets, asset_check_keys=checks)


def source_refresh(
    name: str, source: str, assets: tuple[str, ...], cron: str, timezone: str, cadence: str, hours: float = 1
):
    """A job rebuilding the raw tables `assets` of `source` (failed after `hours`) and the schedule
    that runs it on `cron`, skipped while that source's resource is in demo mode (the demo's files
    change only when it is regenerated) or off."""
    job = dg.define_asset_job(
        f"refresh_{name}",
        selection=dg.AssetSelection.assets(*assets),
        description=f"Re-read {', '.join(assets)}.",
        tags=time_limit(hours),
    )

    @dg.schedule(
        name=f"{name}_refresh",
        job=job,
        cron_schedule=cron,
        execution_timezone=timezone,
        description=f"{cadence}: re-read {', '.join(assets)}.",
    )
    def refresh(
        context: dg.ScheduleEvaluationContext,
        edgar: EdgarSource,
        market_data: MarketDataSource,
        news: NewsSource,
        ratings: RatingsSource,
    ) -> dg.RunRequest | dg.SkipReason:
        mode = {"sec": edgar, "prices": market_data, "news": news, "ratings": ratings}[source].mode
        if mode == "demo":
            return dg.SkipReason("demo mode: the demo's files change only when it is regenerated")
        if mode == "off":
            return dg.SkipReason(
                f"{source} is off (${settings.source_mode_variable(source)}=off, or the resource's mode)"
            )
        return dg.RunRequest(run_key=f"{name}-{context.scheduled_execution_time.isoformat()}")

    return job, refresh


SOURCE_REFRESHES = [
    source_refresh(
        "sec_facts",
        "sec",
        ("sec_companies", "sec_companyfacts", "fundamentals_pit", "fundamental_states"),
        "0 2 * * 0",
        "UTC",
        "Sundays 02:00 UTC (the filings sensor adds the week's filings in between)",
        hours=8,
    ),
    source_refresh("form4", "sec", ("sec_form4",), "0 10-16 * * 1-5", "America/New_York", "Hourly in market hours"),
    source_refresh("news", "news", ("news_articles",), "0 */4 * * *", "UTC", "Every 4 hours"),
    source_refresh("ratings", "ratings", ("analyst_ratings",), "0 22 * * 1-5", "UTC", "Weekdays 22:00 UTC"),
    # 13F-HRs are due 45 days after each quarter's end
    source_refresh(
        "13f",
        "sec",
        ("sec_13f", "sec_13f_filings", "cusip_tickers"),
        "0 6 16 2,5,8,11 *",
        "UTC",
        "Quarterly, after the 13F-HR deadline",
        hours=8,
    ),
]
evaluate_scores = dg.define_asset_job(
    "evaluate_scores",
    selection=dg.AssetSelection.assets(EVALUATION),
    description="The score evaluation, again.",
    tags=time_limit(3),
)
evaluate_weekly = dg.ScheduleDefinition(
    name="evaluate_weekly",
    job=evaluate_scores,
    cron_schedule="0 4 * * 0",
    execution_timezone="UTC",
    description="Sundays 04:00 UTC: the score evaluation over every score and its forward returns.",
)
JOBS = [market_close, daily_scores, evaluate_scores, *(job for job, _ in SOURCE_REFRESHES)]
SCHEDULES = [after_the_close, before_the_open, evaluate_weekly, *(schedule for _, schedule in SOURCE_REFRESHES)]
