"""Backup and restore of the serving database, in a portable file for either backend.

A backup is a zip holding each table as Parquet and a manifest (schema revision, row counts,
time), so a SQLite backup restores into PostgreSQL and back. Restoring migrates the target to the
newest schema and replaces both tables in one transaction, after checking the counts.
"""

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import sqlalchemy as sa

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


def restore(db: sa.Engine, backup_file: Path) -> dict:
    """Replace the serving database's contents with a backup's; the manifest."""
    try:
        with zipfile.ZipFile(backup_file) as archive:
            manifest = json.loads(archive.read("manifest.json"))
            frames = {
                table.name: pl.read_parquet(io.BytesIO(archive.read(f"{table.name}.parquet"))) for table in TABLES
            }
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError) as error:
        raise ValueError(f"{backup_file}: not a serving backup ({error})") from error
    for name, frame in frames.items():
        if frame.height != manifest["rows"][name]:
            raise ValueError(
                f"{backup_file}: {name} holds {frame.height} rows, its manifest says {manifest['rows'][name]}"
            )
    store.migrate(db)
    with store.write_transaction(db) as cursor:
        for table in reversed(TABLES):
            cursor.execute(f"DELETE FROM {table.name}")
        for table in TABLES:
            store.ingest(cursor, table, frames[table.name])
    return manifest
