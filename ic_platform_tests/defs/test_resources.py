import dagster as dg
import pytest

from ic_platform.defs.resources import EdgarSource, MarketDataSource, NewsSource, RatingsSource, source_resources


def test_each_mode_wires_every_source_and_secrets_stay_environment_variables(monkeypatch):
    monkeypatch.setenv("IC_BARS_ARCHIVE", "/srv/bars.csv.gz")
    monkeypatch.setenv("IC_BARS_BASIS", "split_adjusted")
    monkeypatch.setenv("IC_ACTIONS_ARCHIVE", "/srv/actions.csv")
    for mode in ("demo", "archive", "live", "off"):
        resources = source_resources(mode)
        assert set(resources) == {"edgar", "market_data", "news", "ratings"}
        assert {r.mode for r in resources.values()} == {mode}
    archive = source_resources("archive")["market_data"]
    assert (archive.archive_path, archive.bars_basis, archive.actions_path) == (
        "/srv/bars.csv.gz",
        "split_adjusted",
        "/srv/actions.csv",
    )
    live = source_resources("live")
    assert (
        isinstance(live["market_data"].api_key, dg.EnvVar)
        and live["market_data"].api_key.env_var_name == "POLYGON_API_KEY"
    )
    assert isinstance(live["edgar"].user_agent, dg.EnvVar) and isinstance(live["ratings"].token, dg.EnvVar)


def test_the_default_mode_is_demo_and_an_unknown_mode_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("IC_SOURCE_MODE", raising=False)
    assert {r.mode for r in source_resources().values()} == {"demo"}
    monkeypatch.setenv("IC_SOURCE_MODE", "bogus")
    with pytest.raises(ValueError, match="IC_SOURCE_MODE='bogus' is not one of demo, archive, live, off"):
        source_resources()


def test_a_live_secret_is_read_when_the_resource_is_initialised(monkeypatch):
    monkeypatch.setenv("POLYGON_API_KEY", "k-123")
    assert source_resources("live")["market_data"].process_config_and_initialize().api_key == "k-123"
    assert (
        EdgarSource().mode == MarketDataSource().mode == NewsSource().mode == RatingsSource().mode == "demo"
    )  # a resource built in a test


def test_live_edgar_reads_recent_form4s_and_takes_the_bulk_archives_for_a_whole_universe(monkeypatch):
    edgar = source_resources("live")["edgar"]
    assert (edgar.form4_lookback_days, edgar.bulk_from) == (400, 1000)
    assert source_resources("demo")["edgar"].form4_lookback_days == 0  # the demo reads every Form 4
    monkeypatch.setenv("IC_FORM4_LOOKBACK_DAYS", "two years")
    with pytest.raises(ValueError, match="IC_FORM4_LOOKBACK_DAYS='two years' is not a whole number"):
        source_resources("live")
