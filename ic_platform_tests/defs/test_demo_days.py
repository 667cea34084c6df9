"""The README's automation recipe, run as written (on a small demo, in a copy of the project's
Dagster files): after `ic-platform demo` has scored the demo, `generate-demo --hold-back` replaces
it, `dagster sensor start demo_new_days` and `dagster dev` (webserver and daemon) score the new
demo by themselves, and a day published by `ic-platform advance-demo` is scored too. Dagster's
commands find the project's `dagster.yaml` and `.env` in the folder they run in, as the README says."""

import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from ic_platform import settings
from ic_platform.api.process import free_port
from ic_platform.defs.partitions import RANGE_END_TAG, RANGE_START_TAG

BIN = Path(sys.executable).parent
CODE = ("-m", "ic_platform.definitions")
SMALL = ("--companies", "20", "--years", "1", "--seed", "11")
PROJECT_FILES = ("dagster.yaml", ".env", "workspace.yaml")

pytestmark = pytest.mark.slow


def _sensor_runs(instance: dg.DagsterInstance) -> list[dg.DagsterRun]:
    return list(instance.get_runs(dg.RunsFilter(tags={"dagster/sensor_name": "demo_new_days"})))


def _wait_for_runs(
    home: Path, count: int, dev: subprocess.Popen, log: Path, timeout: float
) -> tuple[float, dg.DagsterRun]:
    """Wait until the sensor has `count` successful runs; the time it took and the newest run."""
    started = time.monotonic()
    while True:
        assert dev.poll() is None, f"dagster dev exited:\n{log.read_text()[-3000:]}"
        with dg.DagsterInstance.from_config(str(home)) as instance:
            runs = _sensor_runs(instance)
        failed = [run for run in runs if run.status == dg.DagsterRunStatus.FAILURE]
        assert not failed, f"run {failed[0].run_id} failed:\n{log.read_text()[-3000:]}"
        done = [run for run in runs if run.status == dg.DagsterRunStatus.SUCCESS]
        if len(done) >= count:
            return time.monotonic() - started, done[0]
        assert time.monotonic() - started < timeout, (
            f"{count} runs not done after {timeout}s:\n{log.read_text()[-3000:]}"
        )
        time.sleep(2)


def test_the_readme_automation_recipe_keeps_the_demo_current(tmp_path, monkeypatch):
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)  # where the recipe runs: the dagster.yaml's folders are relative to it
    for name in PROJECT_FILES:
        shutil.copyfile(settings.PROJECT_ROOT / name, project / name)
    # the README's `export DAGSTER_HOME=$PWD`, run from the project folder; the demo in its own data folder
    env = settings.environment_with({"DAGSTER_HOME": str(project), "IC_DATA_DIR": str(tmp_path / "data")})
    for name in settings.dagster_switches():  # only the project's .env may set Dagster's switches
        env.pop(name, None)
    run = {"env": env, "cwd": project, "check": True, "capture_output": True, "text": True}
    subprocess.run([BIN / "ic-platform", "demo", *SMALL], **run)  # the README's first command
    subprocess.run([BIN / "ic-platform", "generate-demo", "--hold-back", "1", *SMALL], **run)
    subprocess.run([BIN / "dagster", "sensor", "start", "demo_new_days", *CODE], **run)
    log = tmp_path / "dev.log"
    with log.open("w") as output:
        dev = subprocess.Popen(
            [BIN / "dagster", "dev", "-p", str(free_port())], env=env, cwd=project, stdout=output, stderr=output
        )
        try:
            first, regenerated = _wait_for_runs(project, 1, dev, log, timeout=400)
            advanced = subprocess.run([BIN / "ic-platform", "advance-demo"], **run)
            new_day = advanced.stdout.split("now ends on ")[1][:10]
            second, newest = _wait_for_runs(project, 2, dev, log, timeout=300)
        finally:
            dev.terminate()
            dev.wait(timeout=60)
    print(f"the regenerated demo scored after {first:.0f}s; the advanced day after {second:.0f}s more")
    assert regenerated.tags[RANGE_END_TAG] < new_day  # the regenerated demo, not skipped as "every day is scored"
    assert (newest.tags[RANGE_START_TAG], newest.tags[RANGE_END_TAG]) == (new_day, new_day)
    text = log.read_text()
    assert "Loaded environment variables from .env file" in text
    assert "will not be used to configure Dagster" not in text  # no warning about the dagster.yaml
    with dg.DagsterInstance.from_config(str(project)) as instance:  # the instance the recipe's commands share
        runs = instance.get_runs()
    assert len(runs) == 3 and "dagster/sensor_name" not in runs[-1].tags  # ic-platform demo's run, then the sensor's
    assert date.fromisoformat(new_day)
