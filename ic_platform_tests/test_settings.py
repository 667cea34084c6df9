import ast
import re
from pathlib import Path

import pytest

from ic_platform import settings

PACKAGE = Path(__file__).resolve().parents[1] / "ic_platform"
OPERATIONS = PACKAGE.parent / "docs" / "operations.md"


def test_the_fundamentals_age_limit_defaults_to_200_days():
    assert settings.load({}).fundamentals_max_age_days == 200
    assert settings.load({"IC_FUNDAMENTALS_MAX_AGE_DAYS": "120"}).fundamentals_max_age_days == 120


@pytest.mark.parametrize("configured", ["0", "-5", "ninety", "1.5"])
def test_a_fundamentals_age_limit_that_is_not_a_number_of_days_is_refused(configured):
    with pytest.raises(
        settings.SettingsError, match=f"IC_FUNDAMENTALS_MAX_AGE_DAYS='{re.escape(configured)}' is not a whole number"
    ):
        settings.load({"IC_FUNDAMENTALS_MAX_AGE_DAYS": configured})


def test_a_partitions_start_that_is_not_a_date_is_refused():
    with pytest.raises(settings.SettingsError, match="IC_PARTITIONS_START='last year' is not a date YYYY-MM-DD"):
        settings.load({"IC_PARTITIONS_START": "last year"})


def test_every_bad_value_is_named_at_once_with_what_is_allowed():
    with pytest.raises(settings.SettingsError) as refused:
        settings.load({"IC_SOURCE_MODE": "paper", "IC_MAX_FAILED_SHARE": "2", "IC_SENTIMENT_MODEL": "vader"})
    message = str(refused.value)
    assert "IC_SOURCE_MODE='paper' is not one of demo, archive, live, off" in message
    assert "IC_MAX_FAILED_SHARE='2' is not a share between 0 and 1" in message
    assert "IC_SENTIMENT_MODEL='vader' is not one of lexicon, transformer, trained, ensemble" in message


def test_a_source_takes_its_own_mode_else_the_common_one():
    configured = settings.load({"IC_SOURCE_MODE": "live", "IC_NEWS_MODE": "off"})
    assert configured.modes() == {"sec": "live", "prices": "live", "news": "off", "ratings": "live"}
    assert configured.form4_lookback("live") == 400 and configured.form4_lookback("archive") == 0


def test_the_environment_is_read_when_asked_not_when_imported(monkeypatch):
    monkeypatch.setenv("IC_MAX_ROW_DROP", "0.5")
    assert settings.current().max_row_drop == 0.5
    monkeypatch.setenv("IC_MAX_ROW_DROP", "0.1")
    assert settings.current().max_row_drop == 0.1


def test_the_settings_module_is_the_only_reader_of_the_environment():
    readers, secrets = [], []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "settings.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
                readers.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
            # a secret Dagster reads as a run starts, named by its settings field
            if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("EnvVar"):
                secrets.append(ast.unparse(node.args[0]))
    assert readers == []
    assert secrets and all(s.startswith("settings.variable(") for s in secrets), secrets


def test_the_docs_configuration_table_is_the_one_the_settings_write():
    text = OPERATIONS.read_text()
    assert settings.configuration_table() in text, (
        "paste the output of `python -m ic_platform.settings` into docs/operations.md"
    )
