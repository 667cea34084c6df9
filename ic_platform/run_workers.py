"""Runs whose process died are marked failed, wherever they were started.

A run that `ic-platform` executes in its own process (`materialize_window`) records a heartbeat
tag every `$IC_RUN_HEARTBEAT_S` seconds. The instance's run launcher, `HeartbeatRunLauncher`
(Dagster's default launcher otherwise), tells the daemon's run monitoring that the worker of a
STARTED run whose heartbeat is older than four intervals has died (kill -9, a lost container), so
monitoring marks it failed and the run queue moves on. Runs without the tag (those the daemon
launches) are left to the run time limits.
"""

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
from dagster._core.launcher import CheckRunHealthResult, DefaultRunLauncher, WorkerStatus

from ic_platform import settings

HEARTBEAT_TAG = "ic/heartbeat"  # the run process's last sign of life, in seconds since the epoch
STALE_AFTER_BEATS = 4


@contextmanager
def heartbeat(instance: dg.DagsterInstance) -> Iterator[tuple[str, dict[str, str]]]:
    """A new run's id and its first heartbeat tag, and a thread that records the heartbeat on that
    run every `$IC_RUN_HEARTBEAT_S` while the block runs (once the run exists)."""
    run_id, interval = str(uuid.uuid4()), settings.current().run_heartbeat_s
    stopped = threading.Event()

    def beat() -> None:
        while not stopped.wait(interval):
            try:
                instance.add_run_tags(run_id, {HEARTBEAT_TAG: f"{time.time():.0f}"})
            except Exception:  # the run not created yet, or the instance busy: the next beat tries again
                continue

    thread = threading.Thread(target=beat, name="run-heartbeat", daemon=True)
    thread.start()
    try:
        yield run_id, {HEARTBEAT_TAG: f"{time.time():.0f}"}
    finally:
        stopped.set()
        thread.join()


class HeartbeatRunLauncher(DefaultRunLauncher):
    """Dagster's default run launcher, which also reports as dead the worker of a run whose
    heartbeat stopped."""

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: dg.DagsterRun) -> CheckRunHealthResult:
        last = run.tags.get(HEARTBEAT_TAG)
        if last is None:
            return CheckRunHealthResult(WorkerStatus.RUNNING, "no heartbeat recorded: left to the run time limit")
        silent = time.time() - float(last)
        if silent > STALE_AFTER_BEATS * settings.current().run_heartbeat_s:
            return CheckRunHealthResult(
                WorkerStatus.FAILED,
                f"the process running it has recorded no heartbeat for {silent:.0f} s: it died (killed, or its "
                "machine or container lost)",
            )
        return CheckRunHealthResult(WorkerStatus.RUNNING)
