"""Backup and restore of the serving database, in a portable file for either backend.

A backup is a zip holding each table as Parquet and a manifest (schema revision, row counts,
time), so a SQLite backup restores into PostgreSQL and back. Restoring migrates the target to the
newest schema and replaces both tables in one transaction, after checking the file against the
serving schema (nothing is changed when it does not fit).
"""

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pandera.polars as pa
import polars as pl
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from ic_platform.schemas.scores import IcScore
from ic_platform.serving import store

TABLES = (store.scores, store.companies)
SUFFIX = ".serving.zip"  # the backups `keep` counts in a folder


def backup(db: sa.Engine, out: Path, keep: int | None = None) -> dict:
    """Write the whole serving database to `out`; with `keep`, only the `keep` newest `*.serving.zip`
    files of `out`'s folder remain. The manifest."""
    if keep is not None and keep < 1:
        raise ValueError(f"--keep {keep}: keep at least the backup being written")
    if keep is not None and not out.name.endswith(SUFFIX):
        raise ValueError(f"{out}: a backup kept by --keep must be named *{SUFFIX}")
    frames = {table.name: store.read_rows(db, table).sort([c.name for c in table.primary_key]) for table in TABLES}
    with db.connect() as connection:
        revision = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    manifest = {
        "revision": revision,
        "rows": {name: frame.height for name, frame in frames.items()},
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_STORED) as archive:
        for name, frame in frames.items():
            buffer = io.BytesIO()
            frame.write_parquet(buffer)
            archive.writestr(f"{name}.parquet", buffer.getvalue())
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    temporary.replace(out)
    if keep is not None:
        for old in sorted(out.parent.glob(f"*{SUFFIX}"), key=lambda p: p.stat().st_mtime)[:-keep]:
            old.unlink()
    return manifest


class BackupError(ValueError):
    """A file that is not a serving backup this version can restore; nothing was changed."""


def restore(db: sa.Engine, backup_file: Path) -> dict:
    """Replace the serving database's contents with a backup's, once `read_backup` has checked it;
    the manifest."""
    manifest, frames = read_backup(backup_file)
    store.migrate(db)
    with store.write_transaction(db) as cursor:
        for table in reversed(TABLES):
            cursor.execute(f"DELETE FROM {table.name}")
        for table in TABLES:
            store.ingest(cursor, table, frames[table.name])
    return manifest


def read_backup(backup_file: Path) -> tuple[dict, dict[str, pl.DataFrame]]:
    """A backup's manifest and tables, checked against the serving schema before anything is
    written: the manifest's shape, a schema revision this version knows, each table's columns
    (none missing, none extra), types, row count, primary key, lengths and nulls, and the scores'
    value ranges (the `IcScore` model). `BackupError` in one line naming the first problem."""
    try:
        with zipfile.ZipFile(backup_file) as archive:
            manifest = json.loads(archive.read("manifest.json"))
            frames = {
                table.name: pl.read_parquet(io.BytesIO(archive.read(f"{table.name}.parquet"))) for table in TABLES
            }
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError, UnicodeDecodeError, pl.exceptions.PolarsError) as error:
        raise BackupError(f"{backup_file}: not a serving backup ({_one_line(error)})") from None
    _check_manifest(backup_file, manifest)
    checked = {}
    for table in TABLES:
        checked[table.name] = _checked_table(backup_file, table, frames[table.name], manifest["rows"][table.name])
    renamed = checked["scores"].rename({"overall_score": "score", "confidence_level": "confidence"})
    renamed = renamed.cast({"score": pl.Int64})  # the model's integer
    try:
        IcScore.validate(renamed)
    except (pa.errors.SchemaError, pa.errors.SchemaErrors) as error:
        raise BackupError(f"{backup_file}: scores: {_one_line(error)}") from None
    return manifest, checked


def _check_manifest(backup_file: Path, manifest) -> None:
    rows = manifest.get("rows") if isinstance(manifest, dict) else None
    if not isinstance(rows, dict) or not all(isinstance(rows.get(t.name), int) for t in TABLES):
        raise BackupError(
            f"{backup_file}: its manifest.json is not a serving backup's (an object whose `rows` gives the row "
            f"count of {', '.join(t.name for t in TABLES)})"
        )
    known = {script.revision for script in ScriptDirectory.from_config(store.alembic_config()).walk_revisions()}
    if manifest.get("revision") not in known:
        raise BackupError(
            f"{backup_file}: schema revision {manifest.get('revision')!r} is not one this version knows "
            f"({', '.join(sorted(known))}): restore it with the version that wrote it"
        )


def _checked_table(backup_file: Path, table: sa.Table, frame: pl.DataFrame, rows: int) -> pl.DataFrame:
    """`frame` typed as `table`'s columns, or `BackupError` naming what does not fit."""
    schema = store.polars_schema(table)
    missing, extra = sorted(set(schema) - set(frame.columns)), sorted(set(frame.columns) - set(schema))
    if missing or extra:
        raise BackupError(f"{backup_file}: {table.name} lacks columns {missing} and has unknown columns {extra}")
    if frame.height != rows:
        raise BackupError(f"{backup_file}: {table.name} holds {frame.height} rows, its manifest says {rows}")
    try:
        frame = frame.select(list(schema)).cast(schema, strict=True)
    except pl.exceptions.PolarsError as error:
        raise BackupError(f"{backup_file}: {table.name}: a column of the wrong type ({_one_line(error)})") from None
    for column in table.columns:
        values = frame.get_column(column.name)
        if not column.nullable and values.null_count():
            raise BackupError(f"{backup_file}: {table.name}.{column.name} has {values.null_count()} empty values")
        length = getattr(column.type, "length", None)
        if length and (values.str.len_chars().max() or 0) > length:
            raise BackupError(f"{backup_file}: {table.name}.{column.name} has values longer than {length}")
    key = [column.name for column in table.primary_key]
    if frame.select(key).is_duplicated().any():
        raise BackupError(f"{backup_file}: {table.name} repeats a {'/'.join(key)} key")
    return frame


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text[:300] + ("..." if len(text) > 300 else "")
