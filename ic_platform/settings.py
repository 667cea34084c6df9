"""Where the platform keeps its files, from environment variables with embedded defaults."""

import json
import os
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]

DATA_DIR_ENV = "IC_DATA_DIR"
SOURCE_MODE_ENV = "IC_SOURCE_MODE"
FUNDAMENTALS_MAX_AGE_ENV = "IC_FUNDAMENTALS_MAX_AGE_DAYS"
MAX_FAILED_SHARE_ENV = "IC_MAX_FAILED_SHARE"
MAX_ROW_DROP_ENV = "IC_MAX_ROW_DROP"
SERVING_URL_ENV = "IC_SERVING_URL"
PARTITIONS_START_ENV = "IC_PARTITIONS_START"
SOURCES = ("sec", "prices", "news", "ratings")
# demo: the generated universe; archive: files a user has; live: the HTTP APIs; off: not read at all
SOURCE_MODES = ("demo", "archive", "live", "off")
DEFAULT_FUNDAMENTALS_MAX_AGE_DAYS = 200  # a quarter's filing is due 40-45 days after it ends, a 10-K 60-90


def data_dir() -> Path:
    """Root of every file the platform writes: `$IC_DATA_DIR`, else `data/` under the project."""
    return Path(os.environ.get(DATA_DIR_ENV) or PROJECT_ROOT / "data").resolve()


def tables_dir() -> Path:
    """Parquet tables written by assets."""
    return data_dir() / "tables"


def demo_dir() -> Path:
    """The generated demo universe, in the real sources' file formats."""
    return data_dir() / "demo"


def source_mode_variable(source: str) -> str:
    """The variable that sets one source's mode: `IC_SEC_MODE`, `IC_PRICES_MODE`, ..."""
    return f"IC_{source.upper()}_MODE"


def source_mode(source: str) -> str:
    """The mode one source (one of SOURCES) is read in: `$IC_<SOURCE>_MODE`, else `$IC_SOURCE_MODE`,
    else `demo`; a value that is not one of SOURCE_MODES is a clear error."""
    variable = source_mode_variable(source)
    if not os.environ.get(variable):
        variable = SOURCE_MODE_ENV
    mode = os.environ.get(variable) or "demo"
    if mode not in SOURCE_MODES:
        raise ValueError(f"{variable}={mode!r} is not a source mode: choose one of {', '.join(SOURCE_MODES)}")
    return mode


def source_modes() -> dict[str, str]:
    """Every source's mode, by source."""
    return {source: source_mode(source) for source in SOURCES}


def partitions_start() -> date | None:
    """The first trading day the daily partitions offer: `$IC_PARTITIONS_START`, else in demo mode
    the demo universe's first day (once it is generated), else None (the calendar's first day)."""
    configured = os.environ.get(PARTITIONS_START_ENV)
    if configured:
        try:
            return date.fromisoformat(configured)
        except ValueError:
            raise ValueError(f"{PARTITIONS_START_ENV}={configured!r} is not a date YYYY-MM-DD") from None
    manifest = demo_manifest()
    return date.fromisoformat(manifest["first_day"]) if manifest else None


def demo_manifest() -> dict | None:
    """The demo universe's manifest when a source reads the demo, else None (or before the demo is
    generated)."""
    manifest = demo_dir() / "manifest.json"
    if "demo" not in source_modes().values() or not manifest.exists():
        return None
    return json.loads(manifest.read_text())


def fundamentals_max_age_days() -> int:
    """How old (days from its newest period's end to D) a company's fundamentals may be and still be
    used: `$IC_FUNDAMENTALS_MAX_AGE_DAYS`, else 200."""
    configured = os.environ.get(FUNDAMENTALS_MAX_AGE_ENV)
    if not configured:
        return DEFAULT_FUNDAMENTALS_MAX_AGE_DAYS
    if not configured.isdigit() or int(configured) == 0:
        raise ValueError(f"{FUNDAMENTALS_MAX_AGE_ENV}={configured!r} is not a whole number of days above 0")
    return int(configured)


def _number(variable: str, default: float, low: float, high: float, meaning: str) -> float:
    """`$variable` as a number from `low` to `high` (`default` when unset), else a clear error."""
    configured = os.environ.get(variable)
    if not configured:
        return default
    try:
        number = float(configured)
    except ValueError:
        number = float("nan")
    if not low <= number <= high:
        raise ValueError(f"{variable}={configured!r} is not {meaning}")
    return number


def whole_number(variable: str, default: int) -> int:
    """`$variable` as a whole number of 0 or more (`default` when unset), else a clear error."""
    configured = os.environ.get(variable)
    if not configured:
        return default
    if not configured.strip().isdigit():
        raise ValueError(f"{variable}={configured!r} is not a whole number of 0 or more")
    return int(configured)


def _share(variable: str, default: float) -> float:
    return _number(variable, default, 0, 1, "a share between 0 and 1")


def max_failed_share() -> float:
    """The share of a step's items a source may fail before the step fails and keeps its table as it
    was: `$IC_MAX_FAILED_SHARE`, else 0.02."""
    return _share(MAX_FAILED_SHARE_ENV, 0.02)


def max_row_drop() -> float:
    """How far a day's bar count may fall below the day before's: `$IC_MAX_ROW_DROP`, else 0.25."""
    return _share(MAX_ROW_DROP_ENV, 0.25)


def serving_url() -> str:
    """The serving database: `$IC_SERVING_URL`, else the SQLite file `$IC_DATA_DIR/serving.sqlite`."""
    return os.environ.get(SERVING_URL_ENV) or f"sqlite:///{data_dir() / 'serving.sqlite'}"


def dagster_home() -> Path:
    """Dagster's instance folder: `$DAGSTER_HOME`, else `.dagster_home/` under the project (SQLite)."""
    return Path(os.environ.get("DAGSTER_HOME") or PROJECT_ROOT / ".dagster_home").resolve()


def source_retry_delay_seconds() -> float:
    """The wait before a failed source step's first retry (doubled for the next, with jitter):
    `$IC_SOURCE_RETRY_DELAY_S`, else 60."""
    return _number("IC_SOURCE_RETRY_DELAY_S", 60.0, 0, float("inf"), "a number of seconds of 0 or more")
