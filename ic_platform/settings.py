"""Where the platform keeps its files, from environment variables with embedded defaults."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]

DATA_DIR_ENV = "IC_DATA_DIR"
SOURCE_MODE_ENV = "IC_SOURCE_MODE"
FUNDAMENTALS_MAX_AGE_ENV = "IC_FUNDAMENTALS_MAX_AGE_DAYS"
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


def source_mode() -> str:
    """Which source every client reads: `demo` (default), later `archive` or `live`."""
    return os.environ.get(SOURCE_MODE_ENV, "demo")


def fundamentals_max_age_days() -> int:
    """How old (days from its newest period's end to D) a company's fundamentals may be and still be
    used: `$IC_FUNDAMENTALS_MAX_AGE_DAYS`, else 200."""
    configured = os.environ.get(FUNDAMENTALS_MAX_AGE_ENV)
    if not configured:
        return DEFAULT_FUNDAMENTALS_MAX_AGE_DAYS
    if not configured.isdigit() or int(configured) == 0:
        raise ValueError(f"{FUNDAMENTALS_MAX_AGE_ENV}={configured!r} is not a whole number of days above 0")
    return int(configured)


def dagster_home() -> Path:
    """Dagster's instance folder: `$DAGSTER_HOME`, else `.dagster_home/` under the project (SQLite)."""
    return Path(os.environ.get("DAGSTER_HOME") or PROJECT_ROOT / ".dagster_home").resolve()
