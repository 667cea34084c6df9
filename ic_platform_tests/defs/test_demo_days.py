"""The platform keeps the demo current by itself: with the dagster-daemon running and the
`demo_new_days` sensor on, a fresh instance scores the whole demo, and a day published by
`ic-platform advance-demo` reaches the serving database without anything else being done."""

import os
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from ic_platform import settings
from ic_platform.demo.generator import generate
from ic_platform.runner import EMBEDDED_INSTANCE
from ic_platform.serving import store
from ic_platform_tests.conftest import SMALL_DEMO

BIN = Path(sys.executable).parent
CODE = ("-m", "ic_platform.definitions")


def _served_days(url: str) -> set[date]:
    engine = store.engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("select distinct date from scores"))
            return {date.fromisoformat(str(row[0])[:10]) for row in rows}  # SQLite answers text
    except sa.exc.OperationalError:  # no table before the first run
        return set()
    finally:
        engine.dispose()


def _wait_for(day: date, url: str, daemon: subprocess.Popen, log: Path, timeout: float) -> float:
    started = time.monotonic()
    while day not in _served_days(url):
        assert daemon.poll() is None, f"the daemon exited:\n{log.read_text()[-3000:]}"
        assert time.monotonic() - started < timeout, f"{day} not served after {timeout}s:\n{log.read_text()[-3000:]}"
        time.sleep(2)
    return time.monotonic() - started


def test_the_daemon_keeps_the_demo_current_day_after_day(tmp_path, monkeypatch):
    home, data = tmp_path / "home", tmp_path / "data"
    home.mkdir()
    shutil.copyfile(EMBEDDED_INSTANCE, home / "dagster.yaml")
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(data))
    manifest = generate(settings.demo_dir(), replace(SMALL_DEMO, companies=20, hold_back=1))
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        settings.DATA_DIR_ENV: str(data),
        settings.SOURCE_MODE_ENV: "demo",
        "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS": "true",
    }
    run = {"env": env, "cwd": settings.PROJECT_ROOT, "check": True, "capture_output": True, "text": True}
    subprocess.run([BIN / "dagster", "sensor", "start", "demo_new_days", *CODE], **run)
    url = settings.serving_url()
    log = tmp_path / "daemon.log"
    with log.open("w") as output:
        daemon = subprocess.Popen(
            [BIN / "dagster-daemon", "run", *CODE], env=env, cwd=settings.PROJECT_ROOT, stdout=output, stderr=output
        )
        try:
            first = _wait_for(date.fromisoformat(manifest["last_day"]), url, daemon, log, timeout=400)
            advanced = subprocess.run([BIN / "ic-platform", "advance-demo"], **run)
            new_day = date.fromisoformat(manifest["simulated_through"])
            assert f"now ends on {new_day}" in advanced.stdout
            assert new_day not in _served_days(url)
            second = _wait_for(new_day, url, daemon, log, timeout=300)
        finally:
            daemon.terminate()
            daemon.wait(timeout=60)
    print(f"whole demo served after {first:.0f}s; the advanced day after {second:.0f}s more")
    served = sorted(_served_days(url))
    assert served[-2:] == [date.fromisoformat(manifest["last_day"]), new_day]
    assert len(served) == manifest["trading_days"]  # every published day but the first, which follows no close
