import os

from ic_platform import settings
from ic_platform.runner import EMBEDDED_INSTANCE, instance_for_cli


def test_the_embedded_instance_marks_runs_whose_worker_died_as_failed(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    instance = instance_for_cli()
    written = (tmp_path / "dagster.yaml").read_text()
    assert written == EMBEDDED_INSTANCE.read_text().replace(" .dagster_home", f" {tmp_path}")
    assert instance.run_monitoring_enabled
    assert instance.run_monitoring_max_resume_run_attempts == 0  # failed, not resumed
    assert instance.run_monitoring_settings["poll_interval_seconds"] == 60


def test_the_project_env_file_holds_dagsters_range_run_switches(monkeypatch):
    assert settings.dagster_switches() == {
        "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS": "true",
        "DAGSTER_EVENT_BATCH_SIZE": "1000",
    }
    monkeypatch.delenv("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", raising=False)
    monkeypatch.setenv("DAGSTER_EVENT_BATCH_SIZE", "50")  # a value the environment sets is kept
    settings.configure_dagster()
    assert os.environ["DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS"] == "true"
    assert os.environ["DAGSTER_EVENT_BATCH_SIZE"] == "50"


def test_the_project_root_is_the_embedded_instance_whatever_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    instance = instance_for_cli()
    folder = settings.PROJECT_ROOT / ".dagster_home"
    assert instance.root_directory == str(folder)
    assert f"base_dir: {folder}\n" in (folder / "dagster.yaml").read_text()
    assert not list(tmp_path.iterdir())  # nothing written where the command ran
