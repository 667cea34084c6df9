import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import dagster as dg
import pytest

from ic_platform.defs.alerts import alert_on_failed_checks, alert_on_run_failure
from ic_platform.defs.stores import AlertWebhook, store_resources


@pytest.fixture
def webhook():
    """A local Slack-compatible webhook recording the JSON bodies posted to it."""
    received = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()


@dg.op
def fetch_bars():
    raise ConnectionError("market-data API answered 503 for 2026-11-02")


@dg.job
def daily_prices():
    fetch_bars()


def failure_context(instance: dg.DagsterInstance, alerts: AlertWebhook) -> dg.RunFailureSensorContext:
    result = daily_prices.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    failure = instance.all_logs(result.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)[0].dagster_event
    return dg.build_run_status_sensor_context(
        sensor_name="alert_on_run_failure",
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        dagster_event=failure,
        resources={"alerts": alerts},
    ).for_run_failure()


def test_a_failed_run_posts_its_job_step_error_and_link(webhook, monkeypatch):
    url, received = webhook
    monkeypatch.setenv("IC_ALERT_WEBHOOK_URL", url)
    monkeypatch.setenv("IC_DAGSTER_URL", "http://dagster.example:3000/")
    with dg.instance_for_test() as instance:
        context = failure_context(instance, store_resources()["alerts"])
        alert_on_run_failure(context)
    (message,) = received
    run_id = context.dagster_run.run_id
    assert message["job"] == "daily_prices" and message["link"] == f"http://dagster.example:3000/runs/{run_id}"
    assert "step `fetch_bars`" in message["text"] and "answered 503 for 2026-11-02" in message["text"]


def test_without_a_webhook_the_sensor_skips_with_the_reason(monkeypatch):
    monkeypatch.delenv("IC_ALERT_WEBHOOK_URL", raising=False)
    with dg.instance_for_test() as instance:
        skipped = alert_on_run_failure(failure_context(instance, store_resources()["alerts"]))
    assert "IC_ALERT_WEBHOOK_URL is not set" in skipped.skip_message


@dg.asset
def scores_table() -> None:
    pass


@dg.asset_check(asset=scores_table)
def on_time() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.ERROR, description="due 2026-12-02")


@dg.asset_check(asset=scores_table)
def tidy() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.WARN, description="a warning")


def test_a_failed_error_check_is_posted_once_and_a_warning_not_at_all(webhook):
    url, received = webhook
    with dg.instance_for_test() as instance:
        dg.materialize([scores_table, on_time, tidy], instance=instance)
        alerts = {"alerts": AlertWebhook(url=url)}
        with dg.build_sensor_context(instance=instance, resources=alerts) as context:
            first = alert_on_failed_checks(context)
        with dg.build_sensor_context(instance=instance, cursor=first.cursor, resources=alerts) as context:
            alert_on_failed_checks(context)
    (message,) = received
    assert message["check"] == "scores_table:on_time" and "due 2026-12-02" in message["text"]
