"""Materialize the asset graph over a window of trading days in one run, with progress lines."""

import gc
import logging
import sys
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

import dagster as dg

from ic_platform import settings
from ic_platform.defs.partitions import RANGE_END_TAG, RANGE_START_TAG, WINDOW_JOB
from ic_platform.memory import peak_memory_gib
from ic_platform.run_workers import heartbeat
from ic_platform.tables import INCREMENTAL_TABLES

# the embedded instance's configuration, its folders relative to the project root
EMBEDDED_INSTANCE = settings.PROJECT_ROOT / "dagster.yaml"
EMBEDDED_FOLDER = ".dagster_home"
STEP_EVENTS = {"STEP_START": "started", "STEP_SUCCESS": "done", "STEP_FAILURE": "FAILED"}


class _ProgressHandler(logging.Handler):
    def __init__(self, stream) -> None:
        super().__init__()
        self.stream = stream
        self.started = time.monotonic()

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", {})
        event = meta.get("dagster_event")
        step = meta.get("step_key") or ""
        if event is not None:
            if event.event_type_value not in STEP_EVENTS:
                return
            message = STEP_EVENTS[event.event_type_value]
            if event.event_type_value == "STEP_SUCCESS":
                message += f" (peak memory so far {peak_memory_gib():.1f} GiB)"
        elif record.levelno >= logging.INFO:
            message = meta.get("orig_message") or record.getMessage()
        else:
            return
        self.stream.write(f"[{time.monotonic() - self.started:7.1f}s] {step:<44} {message}\n")
        self.stream.flush()


@dg.logger(config_schema={}, description="One line per step start, finish and progress message")
def progress_logger(_init_context) -> logging.Logger:
    logger = logging.Logger("ic_platform.progress", level=logging.DEBUG)
    logger.addHandler(_ProgressHandler(sys.stderr))
    return logger


class InstanceUnavailableError(ValueError):
    """The instance's storage cannot be opened (a database that does not exist, a server down)."""


@dataclass(frozen=True)
class AssetSummary:
    asset: str
    rows: int | None
    partitions: int | None
    quarantined: int | None


def instance_for_cli() -> dg.DagsterInstance:
    """`$DAGSTER_HOME`'s instance. Unset or the project root, it is the embedded instance of the
    project's `dagster.yaml` (the one `dagster dev` reads from the root), its files in
    `.dagster_home/`; a home without a `dagster.yaml` gets that configuration with its files there."""
    home = settings.current().instance_home()
    embedded = home == settings.PROJECT_ROOT
    folder = home / EMBEDDED_FOLDER if embedded else home
    folder.mkdir(parents=True, exist_ok=True)
    if embedded or not (folder / "dagster.yaml").exists():
        # the same configuration, with the folder as an absolute path: the same files from any directory
        configuration = EMBEDDED_INSTANCE.read_text().replace(f" {EMBEDDED_FOLDER}", f" {folder}")
        (folder / "dagster.yaml").write_text(configuration)
    quiet, level = logging.getLogger(), logging.getLogger().level
    quiet.setLevel(logging.ERROR)  # Dagster's retries of an unreachable database warn on the root logger
    try:
        return dg.DagsterInstance.from_config(str(folder))
    except Exception as error:
        cause: BaseException = error
        while cause.__cause__ is not None or cause.__context__ is not None:
            cause = cause.__cause__ or cause.__context__  # type: ignore[assignment]
        if type(cause).__name__ != "OperationalError":  # the database driver's, PostgreSQL's or SQLite's
            raise
        reason = " ".join(str(cause).split())  # the server and database named, never a password
        raise InstanceUnavailableError(
            f"the Dagster instance of {folder / 'dagster.yaml'} cannot open its storage: {reason}"
        ) from None
    finally:
        quiet.setLevel(level)


def materialize_window(
    defs: dg.Definitions,
    start: date,
    end: date,
    instance: dg.DagsterInstance,
    progress: bool = True,
    full_refresh: bool = False,
    selection: tuple[list[dg.AssetKey], list[dg.AssetCheckKey]] | None = None,
) -> dg.ExecuteInProcessResult:
    """Run every asset of `defs` and its checks (the `score_window` job) once over the trading days
    `start`..`end` (a single-run backfill), or only the assets and checks of `selection`; with
    `full_refresh` the incremental tables read their sources' whole history.

    Dagster records one "materialization planned" event per asset for the range instead of one per
    partition (the project's `.env`, unless the environment says otherwise): a 10-year run starts
    in seconds instead of a minute. The materializations themselves are still recorded per
    partition; a failed run does not mark its partitions failed (the run shows the failure). They
    are written in batches of up to 1,000: the PostgreSQL instance inserts a batch in one
    statement, 6x faster for a 756-day asset, and so does the embedded SQLite instance's event log
    (`event_storage.BatchedSqliteEventLogStorage`), where Dagster's writes them one by one. The
    objects alive before the run (Dagster, the definitions) are frozen out of the cyclic garbage
    collector for the run, which otherwise walks them again and again while parsers create
    millions of objects; they are handed back after it, so a long-lived
    process calling this leaks nothing. The run records a heartbeat, so that the daemon fails it if
    this process dies (`run_workers`).
    """
    settings.configure_dagster()  # the .env's switches, which Dagster's own commands load themselves
    job = defs.resolve_job_def(WINDOW_JOB)
    if selection is not None:
        job = job.get_subset(asset_selection=set(selection[0]), asset_check_selection=set(selection[1]))
    run_config: dict = {}
    if progress:
        job = job.with_logger_defs({"progress": progress_logger})
        run_config["loggers"] = {"progress": {}}
    if full_refresh:
        ops = {table.name for table in INCREMENTAL_TABLES}
        if selection is not None:
            ops &= {key.to_user_string() for key in selection[0]}
        run_config["ops"] = {name: {"config": {"full_refresh": True}} for name in ops}
    gc.freeze()
    try:
        with heartbeat(instance) as (run_id, heartbeat_tag):
            return job.execute_in_process(
                run_config=run_config,
                instance=instance,
                run_id=run_id,
                tags={RANGE_START_TAG: start.isoformat(), RANGE_END_TAG: end.isoformat(), **heartbeat_tag},
                raise_on_error=False,
            )
    finally:
        gc.unfreeze()


def selected(defs: dg.Definitions, names: list[str]) -> tuple[list[dg.AssetKey], list[dg.AssetCheckKey]]:
    """The assets named in `names` and their checks (but the freshness checks, which ask about
    today), as `materialize_window` takes them; a ValueError naming the unknown ones."""
    job = defs.resolve_job_def(WINDOW_JOB)
    known = {key.to_user_string(): key for key in job.asset_layer.executable_asset_keys}
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise ValueError(f"--select: no asset named {', '.join(unknown)}; the assets are {', '.join(sorted(known))}")
    assets = [known[name] for name in names]
    checks = [key for key in job.asset_layer.asset_graph.asset_check_keys if key.asset_key in assets]
    return assets, checks


def _plus(total: int | None, value: int | None) -> int | None:
    return total if value is None else (total or 0) + value


def summarize(result: dg.ExecuteInProcessResult) -> list[AssetSummary]:
    """Rows, partitions and quarantined rows of each asset the run materialized (a daily asset's
    summed over its partitions' events)."""
    summaries: dict[str, AssetSummary] = {}
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        key = materialization.asset_key.to_user_string()
        metadata: dict[str, Any] = {k: getattr(v, "value", v) for k, v in materialization.metadata.items()}
        so_far = summaries.get(key, AssetSummary(key, None, None, None))
        summaries[key] = AssetSummary(
            key,
            _plus(so_far.rows, metadata.get("dagster/row_count")),
            _plus(so_far.partitions, None if materialization.partition is None else 1),
            _plus(so_far.quarantined, metadata.get("quarantined_rows")),
        )
    return list(summaries.values())


def notices(result: dg.ExecuteInProcessResult) -> list[str]:
    """`asset: notice` for each asset whose materialization has a `notice` in its metadata: what it
    declined to write and why (days refused as too small); once, though a range run records the
    notice on each partition."""
    found = (
        f"{materialization.asset_key.to_user_string()}: {materialization.metadata['notice'].value}"
        for event in result.get_asset_materialization_events()
        if "notice" in (materialization := event.step_materialization_data.materialization).metadata
    )
    return list(dict.fromkeys(found))


def check_results(result: dg.ExecuteInProcessResult) -> list[tuple[str, bool, str]]:
    """(check, passed, severity) of every asset check the run evaluated."""
    return [
        (f"{e.asset_key.to_user_string()}:{e.check_name}", e.passed, e.severity.value)
        for e in result.get_asset_check_evaluations()
    ]


def failure_messages(result: dg.ExecuteInProcessResult) -> list[str]:
    """`step: error` for every failed step."""
    messages = []
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            error = event.step_failure_data.error
            while error is not None and error.cause is not None:  # the user's error, not Dagster's wrapper
                error = error.cause
            text = error.message.strip() if error else "failed"
            if error is not None and error.cls_name == "Failure":  # our own message, without the class path
                text = text.split(": ", 1)[-1]
            messages.append(f"{event.step_key}: {text}")
    return messages
