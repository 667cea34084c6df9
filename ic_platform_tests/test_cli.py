import csv
import io
import json
import re
import subprocess
import sys

import pytest

from ic_platform import cli, settings


@pytest.mark.slow
def test_demo_generates_the_universe_materializes_a_window_and_prints_a_summary(
    data_dir, tmp_path, monkeypatch, capsys
):
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


@pytest.mark.slow
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
    assert cli.main(["generate-demo", "--companies", "2"]) == 2


@pytest.mark.real_data
def test_unreadable_input_files_and_a_bogus_source_mode_are_clear_errors(real_data, tmp_path, capsys, monkeypatch):
    cut = tmp_path / "cut.json.gz"
    cut.write_bytes((real_data / "sec_companyfacts" / "CIK0000320193_AAPL.json.gz").read_bytes()[:1000])
    assert cli.main(["fundamentals", str(cut)]) == 2
    assert "cut.json.gz: a truncated or corrupt gzip file" in capsys.readouterr().err
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert cli.main(["technicals", str(empty)]) == 2
    assert "empty.csv: not a readable bars file" in capsys.readouterr().err
    monkeypatch.setenv("IC_SOURCE_MODE", "bogus")
    assert cli.main(["fundamentals", "320193"]) == 2
    assert "IC_SOURCE_MODE='bogus' is not one of demo, archive, live, off" in capsys.readouterr().err


@pytest.mark.real_data
def test_fundamentals_prints_line_items_as_known_on_a_date(real_data, capsys):
    path = real_data / "sec_companyfacts" / "CIK0000320193_AAPL.json.gz"
    assert cli.main(["fundamentals", str(path), "--as-of", "2024-11-01"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == [
        "cik",
        "line_item",
        "period_type",
        "period_start",
        "period_end",
        "value",
        "filed",
        "knowledge_date",
        "accession",
    ]
    revenue_ttm = next(r for r in rows if r["line_item"] == "revenue" and r["period_type"] == "TTM")
    assert revenue_ttm["period_end"] == "2024-06-29"  # the FY2024 10-K, filed that day, is not known yet
    assert all(r["knowledge_date"] <= "2024-11-01" for r in rows)
    assert cli.main(["fundamentals", str(path), "--as-of", "2024-11-04", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    revenue_ttm = next(r for r in rows if r["line_item"] == "revenue" and r["period_type"] == "TTM")
    assert (revenue_ttm["period_end"], revenue_ttm["value"]) == ("2024-09-28", 391035000000.0)


def test_fundamentals_refuses_what_is_neither_a_file_nor_a_cik(capsys):
    assert cli.main(["fundamentals", "no-such-file.json"]) == 2
    assert "neither a file nor a CIK" in capsys.readouterr().err


@pytest.mark.real_data
def test_technicals_prints_the_asset_columns_from_a_bars_file(real_data, capsys):
    assert cli.main(["technicals", str(real_data / "prices" / "all_stocks_5yr.csv.gz"), "--ticker", "AAPL"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 1259
    assert rows[0]["date"] == "2013-02-11" and rows[0]["close_date"] == "2013-02-08"
    assert rows[-1]["rsi_14"] != "" and float(rows[-1]["sma_200"]) > 0
    assert cli.main(["technicals", str(real_data / "prices" / "all_stocks_5yr.csv.gz"), "--ticker", "NOPE"]) == 1


@pytest.mark.slow
def test_score_and_export_read_the_scored_days(data_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    assert cli.main(["demo", "--companies", "20", "--years", "1", "--start", "2026-10-22"]) == 0
    out = capsys.readouterr().out
    assert "Top 10 IC Scores on 2026-10-30" in out
    ticker = out.split("factors\n")[1].split()[0]
    assert cli.main(["score", ticker]) == 0
    text = capsys.readouterr().out
    assert (
        f"{ticker} on 2026-10-30: IC Score" in text
        and "completeness" in text
        and "inputs known by   2026-10-30" in text
    )
    assert cli.main(["score", "NOPE"]) == 1
    target = tmp_path / "scores.parquet"
    assert cli.main(["export", "ic_scores", "--start", "2026-10-26", "--end", "2026-10-30", "--out", str(target)]) == 0
    import polars as pl

    exported = pl.read_parquet(target)
    assert set(exported.get_column("date").cast(str)) == {
        "2026-10-26",
        "2026-10-27",
        "2026-10-28",
        "2026-10-29",
        "2026-10-30",
    }
    assert cli.main(["export", "nothing", "--start", "2026-10-26", "--end", "2026-10-30", "--out", str(target)]) == 2


@pytest.mark.real_data
def test_form4_and_13f_commands_print_parsed_rows(real_data, capsys):
    assert cli.main(["form4", str(real_data / "sec_form4/xml/DVA_form4_berkshire_joint.xml"), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["owner_name"] for r in rows] == ["BERKSHIRE HATHAWAY INC", "BUFFETT WARREN E"] and rows[0]["code"] == "S"
    assert cli.main(["13f", str(real_data / "sec_13f/0001790837-23-000002_BullStreet_13F-HR.txt")]) == 0
    out = capsys.readouterr()
    assert "values: x1000" in out.err and out.out.splitlines()[1].endswith(",287000.0")
    assert cli.main(["13f", str(real_data / "sec_13f/13F-HR_infotable_255rows.xml")]) == 2
    assert "pass --filed" in capsys.readouterr().err


def test_sentiment_command_scores_text_with_the_default_lexicon(capsys):
    assert cli.main(["sentiment", "Strong gains and improved profitability", "--format", "json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["score"] == 1.0 and row["model"].startswith("lexicon lm-1")
    assert cli.main(["sentiment"]) == 2


def test_the_readmes_sentiment_example_scores_its_text(capsys):
    readme = (settings.PROJECT_ROOT / "README.md").read_text()
    (text,) = re.findall(r'ic-platform sentiment "([^"]+)"', readme)
    assert cli.main(["sentiment", text, "--format", "json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["score"] > 0 and row["confidence"] > 0  # an example that shows something


FULL_DISK_RUN = """
import resource, signal, sys
from ic_platform import cli
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails as on a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (3_000_000, 3_000_000))
sys.exit(cli.main(["demo", "--companies", "20", "--years", "1"]))
"""


@pytest.mark.slow
def test_a_full_disk_under_the_dagster_home_ends_the_run_with_one_line(data_dir, tmp_path, monkeypatch):
    assert cli.main(["generate-demo", "--companies", "20", "--years", "1"]) == 0
    environment = settings.environment_with({"DAGSTER_HOME": str(tmp_path / "home")})
    result = subprocess.run([sys.executable, "-c", FULL_DISK_RUN], env=environment, capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "error: a database failed: disk I/O error (is the disk under $DAGSTER_HOME or $IC_DATA_DIR full?)"
    )
    assert "Traceback" not in result.stderr  # 116 lines of it before


@pytest.mark.slow
def test_live_sources_without_their_keys_are_one_line_naming_them(data_dir, tmp_path):
    # a process of its own: the definitions take the sources' modes when they are first imported
    environment = settings.environment_with({"IC_SOURCE_MODE": "live", "DAGSTER_HOME": str(tmp_path / "home")})
    for secret in ("EDGAR_USER_AGENT", "POLYGON_API_KEY", "RATINGS_API_TOKEN"):
        environment.pop(secret, None)
    command = [sys.executable, "-m", "ic_platform.cli", "demo", "--companies", "20", "--years", "1"]
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1].startswith(
        "error: the sources in live mode need EDGAR_USER_AGENT, POLYGON_API_KEY, RATINGS_API_TOKEN set"
    )
    assert "Traceback" not in result.stderr  # a 77-line stack trace before


@pytest.mark.slow
def test_run_materializes_a_range_or_a_selection_with_the_sources_in_their_modes(
    data_dir, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    assert cli.main(["generate-demo", "--companies", "20", "--years", "1"]) == 0
    last = json.loads((data_dir / "demo" / "manifest.json").read_text())["last_day"]
    capsys.readouterr()
    code = cli.main(["run", "--start", "2026-10-27", "--end", last, "--select", "corporate_actions,daily_bars"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"Materializing corporate_actions, daily_bars from 2026-10-27 to {last} in one run" in out
    assert "sources: sec=demo prices=demo news=demo ratings=demo" in out
    assert "check daily_bars:bar_count_steady: passed" in out and "ic_scores" not in out
    assert cli.main(["run", "--start", "2026-10-27", "--end", last, "--select", "daily_barz"]) == 2
    assert "--select: no asset named daily_barz" in capsys.readouterr().err
    assert cli.main(["run", "--start", last, "--end", "2026-10-27"]) == 2
    assert "is after the end" in capsys.readouterr().err
    assert cli.main(["run", "--start", "2026-11-02", "--end", "2026-11-03", "--select", "daily_bars"]) == 1
    assert "daily_bars: the demo universe has no bars for 2026-11-02" in capsys.readouterr().err


def test_run_names_every_archive_the_sources_in_archive_mode_lack_before_it_starts(
    data_dir, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("IC_SOURCE_MODE", "archive")
    monkeypatch.setenv("IC_NEWS_MODE", "off")
    monkeypatch.setenv("IC_BARS_ARCHIVE", str(tmp_path / "bars.csv"))  # not there
    monkeypatch.setenv("IC_RATINGS_ARCHIVE", str(tmp_path))  # there
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    assert cli.main(["run", "--start", "2024-01-02", "--end", "2024-01-03"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "error: IC_EDGAR_ARCHIVE is not set: sec is in archive mode and reads EDGAR's bulk zips (or their folders) "
        "and company_tickers.json (or set IC_SEC_MODE=off)",
        f"error: IC_BARS_ARCHIVE={tmp_path / 'bars.csv'}: no such path (the bars, a CSV or Parquet file or a folder "
        "of flat files)",
        f"error: IC_BARS_BASIS is not set: is {tmp_path / 'bars.csv'} as_traded or split_adjusted?",
    ]
    assert not (tmp_path / "home" / "history").exists()  # no run was started
