"""Raw tables read incrementally: a run reads what its source published since the newest record
the table holds (less an overlap, read again), and a full rebuild stays one config switch away.

The table's manifest records the source's mode and anything else its rows depend on (the sentiment
model), and the newest publication time it holds; a run whose settings differ, or a table without
a manifest, reads the source's whole history.
"""

from datetime import datetime, timedelta

import dagster as dg
import polars as pl
from pydantic import Field

from ic_platform.schemas.common import QuarantinedRecord, frame_of
from ic_platform.storage import SnapshotTable, quarantine_table

# an incremental read starts this long before the newest record held: records the source indexed
# late, or corrected, in that time are read again (and replace what the table had for them)
OVERLAP = timedelta(days=3)


class SourceRead(dg.Config):
    """How a raw table reads its source."""

    full_refresh: bool = Field(
        default=False,
        description=(
            "Re-read the source's whole history (a full rebuild) instead of what it published since the last read"
        ),
    )


def incremental_start(table: SnapshotTable, config: SourceRead, settings: dict) -> datetime | None:
    """Where this run's read starts: OVERLAP before the newest publication time the table holds; None
    (read everything) when a full refresh is asked for, the table has no manifest, or it was read
    with other `settings`."""
    manifest = table.manifest()
    if config.full_refresh or not manifest.get("newest") or manifest.get("settings") != settings:
        return None
    return datetime.fromisoformat(manifest["newest"]) - OVERLAP


def held_before(table: SnapshotTable, since: datetime | None) -> pl.DataFrame:
    """The rows published before `since` (none for a full read), kept as they are."""
    if since is None:
        return table.scan().clear().collect()
    return table.scan().filter(pl.col("published_utc") < since).collect()


def quarantined_with_earlier(table: SnapshotTable, since: datetime | None, records: list[dict]) -> pl.DataFrame:
    """`records`, with the table's earlier quarantined records when the read is incremental (each once)."""
    new = frame_of(QuarantinedRecord, records)
    if since is None:
        return new
    return pl.concat([quarantine_table(table).scan().collect(), new]).unique(maintain_order=True)


def manifest(frame: pl.DataFrame, settings: dict) -> dict:
    """The manifest of a written raw table: its settings and newest publication time."""
    newest = frame.get_column("published_utc").max()
    return {"settings": settings, "newest": newest.isoformat() if newest else None}


def read_metadata(since: datetime | None, kept: int, read: int) -> dict:
    """What a run read: from where, the rows it kept as they were, and the records it read."""
    return {
        "read": f"since {since.isoformat()}" if since else "the whole history",
        "rows_kept": kept,
        "records_read": read,
    }
