from ic_platform.runner import EMBEDDED_INSTANCE, instance_for_cli


def test_the_embedded_instance_marks_runs_whose_worker_died_as_failed(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    instance = instance_for_cli()
    assert (tmp_path / "dagster.yaml").read_text() == EMBEDDED_INSTANCE.read_text()
    assert instance.run_monitoring_enabled
    assert instance.run_monitoring_max_resume_run_attempts == 0  # failed, not resumed
    assert instance.run_monitoring_settings["poll_interval_seconds"] == 60
