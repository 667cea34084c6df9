"""Alerts to the Slack-compatible webhook of the `alerts` resource (`$IC_ALERT_WEBHOOK_URL`;
`$IC_DAGSTER_URL` is the UI's address the links use): a failed run with its job, failed steps and
errors; an asset check of ERROR severity that fails (a late `ic_scores`, for one) with its reason."""

import json

import dagster as dg

from ic_platform import settings
from ic_platform.defs.stores import AlertWebhook

MAX_ERROR_CHARS = 500
NO_WEBHOOK = f"{settings.variable('alert_webhook_url')} is not set (the alerts resource has no url): no alert posted"


def alert_message(link: str, run_id: str, job: str, failures: list[tuple[str, str]]) -> dict:
    """The webhook body (Slack's `text`, Markdown links) naming the run, each failed step and its error."""
    lines = [f":red_circle: IC Platform run failed: job `{job}`, run <{link}|{run_id[:8]}>"]
    for step, error in failures or [("(no step)", "the run failed before or outside its steps")]:
        lines.append(f"• step `{step}`: {error.strip()[:MAX_ERROR_CHARS]}")
    return {"text": "\n".join(lines), "run_id": run_id, "job": job, "link": link}


def step_failures(context: dg.RunFailureSensorContext) -> list[tuple[str, str]]:
    """(step key, error message) of each failed step of the run: the error that caused it, not
    Dagster's wrapper around it."""
    failures = []
    for event in context.get_step_failure_events():
        error = event.step_failure_data.error
        while error is not None and error.cause is not None:
            error = error.cause
        failures.append((event.step_key or "", error.message if error else "unknown error"))
    return failures


@dg.run_failure_sensor(
    name="alert_on_run_failure",
    description=(
        "Posts every failed run (its job, failed steps, errors and a link) to the Slack-compatible "
        "webhook of the alerts resource ($IC_ALERT_WEBHOOK_URL); does nothing while that is unset."
    ),
    monitor_all_code_locations=True,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def alert_on_run_failure(context: dg.RunFailureSensorContext, alerts: AlertWebhook) -> dg.SkipReason | None:
    if not alerts.url:
        return dg.SkipReason(NO_WEBHOOK)
    run = context.dagster_run
    alerts.post(alert_message(alerts.run_link(run.run_id), run.run_id, run.job_name, step_failures(context)))
    context.log.info(f"alert posted for run {run.run_id}")
    return None


@dg.sensor(
    name="alert_on_failed_checks",
    description=(
        "Posts every failed asset check of ERROR severity (a late ic_scores, a point-in-time violation) "
        "to the webhook at $IC_ALERT_WEBHOOK_URL; does nothing while that is unset."
    ),
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def alert_on_failed_checks(
    context: dg.SensorEvaluationContext, alerts: AlertWebhook
) -> dg.SensorResult | dg.SkipReason:
    if not alerts.url:
        return dg.SkipReason(NO_WEBHOOK)
    # by time, not storage id: the embedded SQLite instance keeps each run's events in its own file
    seen = json.loads(context.cursor) if context.cursor else {"at": None, "seen": []}
    records = context.instance.get_event_records(
        dg.EventRecordsFilter(event_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, after_timestamp=seen["at"]),
        ascending=True,
        limit=500,
    )
    records = [record for record in records if f"{record.run_id}/{record.storage_id}" not in seen["seen"]]
    for record in records:
        event = record.event_log_entry.dagster_event
        evaluation = event.event_specific_data if event else None
        if not isinstance(evaluation, dg.AssetCheckEvaluation):
            continue
        if evaluation.passed or evaluation.severity != dg.AssetCheckSeverity.ERROR:
            continue
        check = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        link = alerts.run_link(record.run_id)
        reason = evaluation.description or "no reason given"
        alerts.post(
            {
                "text": f":red_circle: IC Platform check failed: `{check}`: {reason} (<{link}|run>)",
                "check": check,
                "link": link,
            },
        )
    if records:
        at = records[-1].timestamp - 1  # a second back, for events written out of order
        recent = [f"{r.run_id}/{r.storage_id}" for r in records if r.timestamp > at]
        context.update_cursor(json.dumps({"at": at, "seen": recent}))
    return dg.SensorResult(cursor=context.cursor)
