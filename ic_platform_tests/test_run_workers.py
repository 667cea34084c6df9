"""A run `ic-platform demo` executes and that dies with kill -9 is failed by a real daemon's run
monitoring, and the run queue it blocked moves again."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from ic_platform import settings
from ic_platform.run_workers import HEARTBEAT_TAG, HeartbeatRunLauncher
from ic_platform.runner import EMBEDDED_FOLDER, EMBEDDED_INSTANCE

BIN = Path(sys.executable).parent
IN_PROGRESS = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]


def _instance_folder(tmp_path: Path) -> Path:
    """The embedded instance's configuration with one run at a time and a 2 s monitoring poll."""
    home = tmp_path / "home"
    home.mkdir()
    configuration = EMBEDDED_INSTANCE.read_text().replace(f" {EMBEDDED_FOLDER}", f" {home}")
    configuration = configuration.replace("max_concurrent_runs: 4", "max_concurrent_runs: 1")
    (home / "dagster.yaml").write_text(configuration.replace("poll_interval_seconds: 60", "poll_interval_seconds: 2"))
    return home


def _wait(home: Path, until, what: str, timeout: float) -> list[dg.DagsterRun]:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        with dg.DagsterInstance.from_config(str(home)) as instance:
            runs = list(instance.get_runs())
        if until(runs):
            return runs
        time.sleep(0.5)
    raise AssertionError(f"{what} not within {timeout} s: {[(r.job_name, r.status) for r in runs]}")


def test_the_launcher_reports_a_silent_run_as_dead_and_leaves_others_running(monkeypatch):
    monkeypatch.setenv("IC_RUN_HEARTBEAT_S", "30")
    launcher = HeartbeatRunLauncher()
    now = time.time()

    def health(tags: dict) -> dg.DagsterRun:
        return launcher.check_run_worker_health(dg.DagsterRun(job_name="score_window", tags=tags)).status.value

    assert health({HEARTBEAT_TAG: f"{now - 20:.0f}"}) == "RUNNING"
    assert health({HEARTBEAT_TAG: f"{now - 200:.0f}"}) == "FAILED"
    assert health({}) == "RUNNING"  # launched by the daemon: its run time limit bounds it


@pytest.mark.slow
def test_a_killed_cli_run_is_failed_by_the_daemon_and_the_queue_moves_again(tmp_path):
    home = _instance_folder(tmp_path)
    environment = settings.environment_with(
        {"DAGSTER_HOME": str(home), "IC_DATA_DIR": str(tmp_path / "data"), "IC_RUN_HEARTBEAT_S": "1"}
    )
    demo = subprocess.Popen(
        [BIN / "ic-platform", "demo", "--companies", "20", "--years", "1"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(home, lambda runs: any(r.status in IN_PROGRESS for r in runs), "the demo's run", timeout=120)
    finally:
        demo.send_signal(signal.SIGKILL)
        demo.wait()
    code = ("-m", "ic_platform.definitions")
    launch = subprocess.run(
        [BIN / "dagster", "job", "launch", *code, "-j", "check_freshness"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert launch.returncode == 0, launch.stderr[-2000:]
    queued = _wait(home, lambda runs: len(runs) == 2, "the queued run", timeout=10)[0]  # the newest first
    assert queued.job_name == "check_freshness" and queued.status == dg.DagsterRunStatus.QUEUED
    log = tmp_path / "daemon.log"
    with log.open("w") as output:
        daemon = subprocess.Popen([BIN / "dagster-daemon", "run", *code], env=environment, stdout=output, stderr=output)
    try:
        started = time.monotonic()
        runs = _wait(
            home,
            lambda runs: (
                {r.job_name: r.status for r in runs}.get("score_window") == dg.DagsterRunStatus.FAILURE
                and {r.job_name: r.status for r in runs}.get("check_freshness") != dg.DagsterRunStatus.QUEUED
            ),
            "the dead run failed and the queued run started",
            timeout=90,
        )
        took = time.monotonic() - started
    finally:
        daemon.send_signal(signal.SIGINT)
        daemon.wait(timeout=60)
    print(f"dead run failed and the queue moved {took:.0f} s after the daemon started")
    with dg.DagsterInstance.from_config(str(home)) as instance:
        dead = next(r for r in runs if r.job_name == "score_window")
        messages = [e.message for e in instance.all_logs(dead.run_id) if e.message]
    assert any("has recorded no heartbeat" in message for message in messages), messages[-5:]
