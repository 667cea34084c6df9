import re
import subprocess
import sys

from ic_platform import cli


def test_demo_generates_the_universe_materializes_a_window_and_prints_a_summary(data_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    code = cli.main(["demo", "--companies", "20", "--years", "1", "--start", "2026-10-01"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "Generating the demo universe (20 companies, 1 years, seed 7)" in out.out
    assert "succeeded" in out.out
    assert "daily_bars" in out.out and "sec_companies" in out.out
    assert re.search(r"\] daily_bars +started", out.err)  # progress lines
    assert "check technical_daily:inputs_known_before_the_day: passed" in out.out
    assert (tmp_path / "dagster_home" / "history" / "runs.db").exists()  # the run is in the SQLite instance
    # a second call reuses the universe
    assert cli.main(["demo", "--companies", "20", "--years", "1", "--start", "2026-10-28"]) == 0
    assert "Using the demo universe" in capsys.readouterr().out


def test_a_failed_run_exits_non_zero_with_the_reason(data_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    assert cli.main(["generate-demo", "--companies", "20", "--years", "1"]) == 0
    code = cli.main(["demo", "--companies", "20", "--years", "1", "--start", "2026-10-29", "--end-day", "2026-11-03"])
    err = capsys.readouterr().err
    assert code == 1
    assert "error: the run failed" in err
    assert "daily_bars: the demo universe has no bars for 2026-11-02" in err


def test_bad_arguments_are_refused_clearly():
    result = subprocess.run(
        [sys.executable, "-m", "ic_platform.cli", "demo", "--start", "yesterday"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "expected a date YYYY-MM-DD, got 'yesterday'" in result.stderr
    assert cli.main(["generate-demo", "--companies", "2"]) == 1
