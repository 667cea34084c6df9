"""Parquet tables that assets validate and write themselves.

A daily table keeps one file per trading day, `<tables>/<name>/<YYYY-MM-DD>.parquet`; a snapshot
table keeps one file, `<tables>/<name>/snapshot.parquet`. Every file is written to a temporary name
in the same folder and moved into place with `os.replace`, so a reader sees the old file or the new
one, never half of one. Writing a window replaces exactly the files of that window's trading days
(an empty file where a day has no rows), so a re-run never duplicates rows and gives identical bytes.
Each table's columns and rules live in its `pandera.polars` model, which is checked before any write.
A table fed by a source (written with its quarantined records) keeps the rows that meet the model
and quarantines the others with the rules they broke; a derived table that breaks its model is a
bug, and nothing is written.
"""

import json
import os
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal, TypeVar

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaErrors

from ic_platform import settings
from ic_platform.schemas.common import QuarantinedRecord, polars_schema
from ic_platform.trading_days import is_trading_day, trading_days_between

PREVIEW_ROWS = 5  # rows of a write kept as its preview
SORT_SLICE_ROWS = 2_000_000  # a larger table is sorted a range of its first key at a time
CHUNK_DAYS = 252  # trading days a chunked daily asset computes and writes at a time (a year)
TEMPORARY_SUFFIX = ".tmp"
WRITER_THREADS = 4  # partitions written at once
# a day's file written with LZ4 takes a third less time than with zstd and reads in half the time,
# for files about 10% larger (a 10-year backfill writes and reads every table's 2,520 files)
COMPRESSION: Literal["lz4"] = "lz4"


_run_root: list[Path] = []  # the folder the table store resource set for the run under way


def tables_root() -> Path:
    """The tables' folder: the one the running job's `table_store` resource names, else the
    settings' (`$IC_DATA_DIR/tables`)."""
    return _run_root[-1] if _run_root else settings.current().tables_root()


@contextmanager
def tables_at(root: Path) -> Iterator[None]:
    """Read and write the tables under `root` while the block runs (a run's table store)."""
    _run_root.append(root)
    try:
        yield
    finally:
        _run_root.pop()


class EmptySnapshotError(ValueError):
    """A read found nothing where the snapshot holds rows: an outage or a wrong setting, never kept."""


class TableValidationError(ValueError):
    """A frame broke its table's pandera model; nothing was written."""


def validate(frame: pl.DataFrame, model: type[pa.DataFrameModel]) -> pl.DataFrame:
    """Cast `frame` to the model's columns (in order) and check every rule, all errors at once."""
    schema = polars_schema(model)
    missing = [name for name in schema if name not in frame.columns]
    if missing:
        raise TableValidationError(f"{model.__name__}: missing columns {missing}")
    frame = frame.select(pl.col(name).cast(dtype, strict=True) for name, dtype in schema.items())
    try:
        return model.validate(frame, lazy=True)
    except SchemaErrors as error:
        raise TableValidationError(f"{model.__name__} rejected the frame:\n{error}") from error


def _rejected(frame: pl.DataFrame, rows: dict[int, str], source: str) -> pl.DataFrame:
    """QuarantinedRecord rows for the frame's rows by index, with their reasons."""
    if not rows:
        return pl.DataFrame(schema=polars_schema(QuarantinedRecord))
    indexes = sorted(rows)
    picked = frame[indexes]
    dates = picked.get_column("date") if "date" in frame.columns else pl.Series([None] * len(indexes), dtype=pl.Date)
    records = [str(row)[:200] for row in picked.iter_rows(named=True)]
    return pl.DataFrame(
        {"date": dates, "source": [source] * len(indexes), "record": records, "reason": [rows[i] for i in indexes]},
        schema=polars_schema(QuarantinedRecord),
    )


def valid_rows(frame: pl.DataFrame, model: type[pa.DataFrameModel]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows of `frame` that meet `model`, and QuarantinedRecord rows (the failed rules as the
    reason) for the others: values that are not of their column's type or not finite, exact copies of another
    row (the first is kept), and rows breaking a check or a key. A problem of the whole frame (a
    missing column) raises TableValidationError."""
    schema = polars_schema(model)
    missing = [name for name in schema if name not in frame.columns]
    if missing:
        raise TableValidationError(f"{model.__name__}: missing columns {missing}")
    original = frame.select(list(schema))
    frame = original.select(pl.col(name).cast(dtype, strict=False) for name, dtype in schema.items())
    reasons: dict[int, list[str]] = {}
    for name, dtype in schema.items():
        unreadable = original.get_column(name).is_not_null() & frame.get_column(name).is_null()
        for index in unreadable.arg_true().to_list():
            reasons.setdefault(index, []).append(f"{name}: {original[index, name]!r} is not {dtype}")
        if dtype.is_float():
            for index in (~frame.get_column(name).is_finite()).fill_null(False).arg_true().to_list():
                reasons.setdefault(index, []).append(f"{name}: {frame[index, name]} is not a finite number")
    indexed = frame.with_row_index("_row")
    alike = indexed.filter(frame.hash_rows().is_duplicated())  # only rows that hash alike are compared in full
    firsts = alike.group_by(list(schema), maintain_order=True).agg(pl.col("_row").min()).get_column("_row")
    for index in alike.filter(~pl.col("_row").is_in(firsts.implode())).get_column("_row").to_list():
        reasons.setdefault(index, []).append("an exact copy of an earlier row")
    candidates = indexed.filter(~pl.col("_row").is_in(list(reasons))) if reasons else indexed
    try:
        model.validate(candidates.drop("_row"), lazy=True)
    except SchemaErrors as error:
        cases = error.failure_cases
        if cases.get_column("index").null_count():
            raise TableValidationError(f"{model.__name__} rejected the frame:\n{error}") from error
        rows, key = candidates.get_column("_row"), ", ".join(model.to_schema().unique or [])
        for column, check, index in cases.select("column", "check", "index").iter_rows():
            reason = f"another row has its key ({key})" if check == "multiple_fields_uniqueness" else None
            reasons.setdefault(rows[index], []).append(reason or f"{column}: fails {check}")
    rejected = _rejected(original, {i: "; ".join(dict.fromkeys(r)) for i, r in reasons.items()}, model.__name__)
    kept = indexed.filter(~pl.col("_row").is_in(list(reasons))).drop("_row") if reasons else frame
    return kept, rejected  # typed as the model, every rule met: the rows that broke one are set aside


def sorted_by(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """`frame` sorted by `keys` (stable). A frame of more than SORT_SLICE_ROWS rows is sorted one
    range of its first key at a time and the ranges put end to end: the same order, with the sort's
    working memory (its encoded keys) of one range instead of the whole frame's."""
    first = frame.get_column(keys[0])
    if frame.height <= SORT_SLICE_ROWS or first.null_count():
        return frame.sort(keys, maintain_order=True)
    values = first.unique().sort()
    slices = -(-frame.height // SORT_SLICE_ROWS)
    cuts = [values[len(values) * k // slices] for k in range(1, slices)]
    column, parts = pl.col(keys[0]), []
    for low, high in zip([None, *cuts], [*cuts, None]):
        inside = pl.lit(True)
        if low is not None:
            inside &= column >= low
        if high is not None:
            inside &= column < high
        parts.append(frame.filter(inside).sort(keys, maintain_order=True))
    return pl.concat(parts)


def _temporary_file(frame: pl.DataFrame, path: Path) -> Path:
    """`frame` written to a temporary name beside `path` (removed again if the write fails)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}{TEMPORARY_SUFFIX}")
    try:
        frame.write_parquet(temporary, compression=COMPRESSION, statistics=True)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def _write_atomically(files: dict[Path, pl.DataFrame]) -> None:
    """Write every frame to its path so that a reader sees the old file or the new one, never half.

    All frames go to temporary names first (by 4 threads: compression releases the interpreter),
    then one `os.sync()` puts their bytes on disk (one flush for the whole window instead of an
    fsync per file, which cost more than the writing), and only then is each moved into place with
    `os.replace`: after a crash a partition is the old file or the complete new one. A failed write
    leaves every path as it was.
    """
    with ThreadPoolExecutor(max_workers=WRITER_THREADS) as pool:
        writes = {path: pool.submit(_temporary_file, frame, path) for path, frame in files.items()}
    failed = [error for write in writes.values() if (error := write.exception()) is not None]
    if failed:
        for write in writes.values():
            if write.exception() is None:
                write.result().unlink(missing_ok=True)
        raise failed[0]
    os.sync()
    for path, write in writes.items():
        os.replace(write.result(), path)


@dataclass(frozen=True)
class DayWrite:
    """What a write put in one day's partition: rows, the first rows, and quarantined records (when
    the write kept any aside)."""

    day: date
    rows: int
    preview: pl.DataFrame
    quarantined: int | None = None


@dataclass(frozen=True)
class WriteSummary:
    """What a write put in place: rows, the first rows as a preview, quarantined records (when the
    write kept any aside) and, for a daily table, each day's partition."""

    rows: int
    preview: pl.DataFrame
    quarantined: int | None = None
    days: tuple[DayWrite, ...] = ()

    @property
    def partitions(self) -> int | None:
        """Partitions written (daily tables), None for a snapshot."""
        return len(self.days) if self.days else None


def rows_by_day(frame: pl.DataFrame) -> dict[date, pl.DataFrame]:
    """`frame`'s rows split by their `date`."""
    return {key[0]: part for key, part in frame.partition_by("date", as_dict=True).items()}


def day_writes(
    by_day: dict[date, pl.DataFrame], days: list[date], empty: pl.DataFrame, quarantined: dict[date, int] | None = None
) -> tuple[DayWrite, ...]:
    """Each of `days`' rows and preview from the frames `by_day` (`empty` where a day has none), and
    its quarantined records (when `quarantined` has the day)."""
    parts = [(day, by_day.get(day, empty)) for day in days]
    return tuple(
        DayWrite(day, part.height, part.head(PREVIEW_ROWS), (quarantined or {}).get(day)) for day, part in parts
    )


def day_summaries(frame: pl.DataFrame, days: list[date]) -> tuple[DayWrite, ...]:
    """Each of `days`' rows and first rows in `frame`, without splitting the whole frame by day."""
    counts = dict(frame.group_by("date").len().iter_rows())
    previews = rows_by_day(frame.group_by("date", maintain_order=True).head(PREVIEW_ROWS).select(frame.columns))
    return tuple(DayWrite(day, counts.get(day, 0), previews.get(day, frame.clear())) for day in days)


@dataclass(frozen=True)
class _Table:
    name: str
    model: type[pa.DataFrameModel]
    sort_by: tuple[str, ...]

    @property
    def path(self) -> Path:
        return tables_root() / self.name

    def _prepare(self, frame: pl.DataFrame) -> pl.DataFrame:
        return sorted_by(validate(frame, self.model), list(self.sort_by))

    def _prepare_source(self, frame: pl.DataFrame, quarantined: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """A source's rows: the valid ones sorted, the others added to its quarantined records."""
        kept, rejected = valid_rows(frame, self.model)
        return sorted_by(kept, list(self.sort_by)), pl.concat([quarantined, rejected], how="diagonal_relaxed")

    def _empty(self) -> pl.LazyFrame:
        return pl.LazyFrame(schema=polars_schema(self.model))


@dataclass(frozen=True)
class SnapshotTable(_Table):
    """A table rewritten whole on each materialization (reference data such as the universe)."""

    @property
    def file(self) -> Path:
        return self.path / "snapshot.parquet"

    @property
    def manifest_file(self) -> Path:
        return self.path / "manifest.json"

    def write(
        self,
        frame: pl.DataFrame,
        quarantined: pl.DataFrame | None = None,
        manifest: dict | None = None,
        source_off: bool = False,
    ) -> WriteSummary:
        """Validate and replace the table; quarantined records (a source's table) go to
        `<name>__quarantine`, with the rows that break the model; a source's table that has rows is
        never replaced by an empty read (`EmptySnapshotError`, the table unchanged) unless the
        source is now off (`source_off`: empty is what it holds). `manifest`
        (what an incremental table holds: how far its source was read) replaces the table's
        manifest once the table is in place; a write without one removes it."""
        if quarantined is None:
            frame = self._prepare(frame)
        else:
            frame, quarantined = self._prepare_source(frame, quarantined)
        guarded = frame.is_empty() and quarantined is not None and not source_off
        if guarded and (held := self.scan().select(pl.len()).collect().item()):
            raise EmptySnapshotError(
                f"{self.name}: refusing to replace its {held} rows with an empty read; the table is unchanged"
            )
        self.manifest_file.unlink(missing_ok=True)  # never a manifest saying more than the table holds
        _write_atomically({self.file: frame})
        kept_aside = quarantine_table(self).write(quarantined).rows if quarantined is not None else None
        if manifest is not None:
            self.record_manifest(manifest)
        return WriteSummary(frame.height, frame.head(PREVIEW_ROWS), quarantined=kept_aside)

    def record_manifest(self, manifest: dict) -> None:
        """Replace the manifest of the table as it is (a read that found nothing new)."""
        temporary = self.manifest_file.with_name(self.manifest_file.name + TEMPORARY_SUFFIX)
        temporary.write_text(json.dumps(manifest, sort_keys=True))
        os.replace(temporary, self.manifest_file)

    def manifest(self) -> dict:
        """What the last write said the table holds (empty when it said nothing)."""
        return json.loads(self.manifest_file.read_text()) if self.manifest_file.exists() and self.file.exists() else {}

    def scan(self) -> pl.LazyFrame:
        """Lazy scan of the table (an empty frame when it was never written). A column the model
        gained since the table was written reads as null until the next write (the universe
        written before its listing dates, read by a run that scores only)."""
        if not self.file.exists():
            return self._empty()
        frame, schema = pl.scan_parquet(self.file), polars_schema(self.model)
        missing = [name for name in schema if name not in frame.collect_schema()]
        return frame.with_columns(pl.lit(None, dtype=schema[name]).alias(name) for name in missing)


@dataclass(frozen=True)
class DailyTable(_Table):
    """A table with a `date` column, one Parquet file per trading day."""

    def file(self, day: date) -> Path:
        return self.path / f"{day.isoformat()}.parquet"

    def write(
        self, frame: pl.DataFrame, start: date, end: date, quarantined: pl.DataFrame | None = None
    ) -> WriteSummary:
        """Validate `frame` and replace the trading days from `start` to `end` (both included) with it.

        Rows dated outside the window are refused, days of the window without rows become empty
        partitions. Quarantined records (columns of `QuarantinedRecord`: a source's table) go to
        `<name>__quarantine` over the same window, with the rows that break the model.
        """
        if quarantined is None:
            frame = self._prepare(frame)
        else:
            frame, quarantined = self._prepare_source(frame, quarantined)
            quarantined = quarantined.with_columns(pl.col("date").fill_null(start))
        days = trading_days_between(start, end)
        if not days:
            raise ValueError(f"{self.name}: no trading day between {start} and {end}")
        if frame.get_column("date").null_count():
            raise ValueError(f"{self.name}: rows without a date cannot be placed in a daily partition")
        outside = frame.filter(~pl.col("date").is_between(start, end)).get_column("date").unique().sort()
        if outside.len():
            raise ValueError(f"{self.name}: rows dated {outside.to_list()[:5]} fall outside the window {start}..{end}")
        by_day = rows_by_day(frame)
        not_trading = sorted(day for day in by_day if not is_trading_day(day))
        if not_trading:
            raise ValueError(f"{self.name}: rows dated on non-trading days {not_trading[:5]}")
        empty = frame.clear()
        _write_atomically({self.file(day): by_day.get(day, empty) for day in days})
        aside = quarantine_table(self).write(quarantined, start, end) if quarantined is not None else None
        return WriteSummary(
            frame.height,
            frame.head(PREVIEW_ROWS),
            aside.rows if aside is not None else None,
            day_writes(by_day, days, empty, {d.day: d.rows for d in aside.days} if aside is not None else {}),
        )

    def write_in_chunks(
        self, compute: Callable[[date, date], pl.DataFrame], start: date, end: date, chunk_days: int = CHUNK_DAYS
    ) -> WriteSummary:
        """`compute(chunk_start, chunk_end)` over consecutive chunks of at most `chunk_days` trading days,
        each validated and written by a background thread while the next one is computed (at most two
        chunks in memory, however long the window). Only for assets whose days are computed
        independently of each other. A failed chunk stops the run after the writes under way finish.
        The summary's preview is the last chunk's."""
        days = trading_days_between(start, end)
        if not days:
            raise ValueError(f"{self.name}: no trading day between {start} and {end}")
        chunks: list[WriteSummary] = []
        written: Future[WriteSummary] | None = None
        with ThreadPoolExecutor(max_workers=1) as writer:
            for first in range(0, len(days), chunk_days):
                chunk = days[first : first + chunk_days]
                frame = compute(chunk[0], chunk[-1])
                if written is not None:
                    chunks.append(written.result())  # the previous chunk is on disk (or its error is raised here)
                written = writer.submit(self.write, frame, chunk[0], chunk[-1])
                del frame
            if written is not None:
                chunks.append(written.result())
        return WriteSummary(
            sum(c.rows for c in chunks), chunks[-1].preview, days=tuple(d for c in chunks for d in c.days)
        )

    def days(self) -> list[date]:
        """Trading days that have a written partition."""
        if not self.path.exists():
            return []
        return sorted(date.fromisoformat(p.name.removesuffix(".parquet")) for p in self.path.glob("????-??-??.parquet"))

    def scan(self, start: date | None = None, end: date | None = None) -> pl.LazyFrame:
        """Lazy scan of the partitions from `start` to `end` (open-ended when None).

        The window is applied to the file list before any file is opened; further filters on the
        returned frame are pushed down into the Parquet reader by Polars.
        """
        files = [
            self.file(day) for day in self.days() if (start is None or day >= start) and (end is None or day <= end)
        ]
        return pl.scan_parquet(files) if files else self._empty()


AnyTable = TypeVar("AnyTable", bound="DailyTable | SnapshotTable")


def quarantine_table(table: AnyTable) -> AnyTable:
    """The table that keeps `table`'s quarantined input records, partitioned the same way."""
    return type(table)(f"{table.name}__quarantine", QuarantinedRecord, ("date", "source", "record"))
