"""Raw tables read incrementally, and a full rebuild one config switch away (`full_refresh`).

- News and ratings: a run reads what the source published since the newest record the table
  holds, less an overlap that is read again.
- Filings (Form 4, the companies whose facts to re-read): a run reads EDGAR's daily form indexes
  of the days after the last one it read, one document a day, and only the filings they list.
- Tables derived per company (the point-in-time fundamentals): a run rebuilds the companies whose
  inputs changed (a digest of each company's input rows, kept in the manifest).

The table's manifest records the source's mode and anything else its rows depend on (the sentiment
model, the universe, the Form 4 lookback), and how far the source was read; a run whose settings
differ, or a table without a manifest, reads the source's whole history.
"""

import hashlib
import inspect
from datetime import date, datetime, timedelta
from pathlib import Path

import dagster as dg
import polars as pl
from pydantic import Field

from ic_platform.schemas.common import QuarantinedRecord, frame_of
from ic_platform.sources.edgar_files import parse_form_index
from ic_platform.sources.readers import EdgarReader
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


def quarantined_with_earlier(
    table: SnapshotTable, incremental: bool, records: list[dict] | pl.DataFrame
) -> pl.DataFrame:
    """`records`, with the table's earlier quarantined records when the read is incremental (each once)."""
    new = records if isinstance(records, pl.DataFrame) else frame_of(QuarantinedRecord, records)
    if not incremental:
        return new
    return pl.concat([quarantine_table(table).scan().collect(), new]).unique(maintain_order=True)


def manifest(frame: pl.DataFrame, settings: dict) -> dict:
    """The manifest of a written raw table: its settings and newest publication time."""
    newest = frame.get_column("published_utc").max()
    return {"settings": settings, "newest": newest.isoformat() if isinstance(newest, datetime) else None}


def read_metadata(since: datetime | None, kept: int, read: int) -> dict:
    """What a run read: from where, the rows it kept as they were, and the records it read."""
    return {
        "read": f"since {since.isoformat()}" if since else "the whole history",
        "rows_kept": kept,
        "records_read": read,
    }


def universe_digest(ciks: list[int]) -> str:
    """A short digest of the companies a table was read for (another universe means a full read)."""
    return hashlib.sha256(",".join(map(str, sorted(ciks))).encode()).hexdigest()[:16]


def index_start(table: SnapshotTable, config: SourceRead, settings: dict, reader: EdgarReader) -> date | None:
    """The last day whose daily form index the table was read through; None (read everything) when a
    full refresh is asked for, the table has no manifest or was read with other `settings`, or the
    source has no daily indexes."""
    manifest = table.manifest()
    if config.full_refresh or not manifest.get("indexed_through") or manifest.get("settings") != settings:
        return None
    return date.fromisoformat(manifest["indexed_through"]) if reader.indexed_through() else None


def indexed_filings(
    reader: EdgarReader, after: date, forms: tuple[str, ...] | None, ciks: set[int]
) -> tuple[dict[int, list[dict]], date]:
    """The filings of `forms` (None: of any form) by `ciks` listed in the daily form indexes of the
    days after `after` through the source's last complete index, by CIK (each filing once, under
    the first of `ciks` the index lists it for), and the day read through."""
    through = max(reader.indexed_through() or after, after)
    by_cik: dict[int, list] = {}
    seen: set = set()
    day = after + timedelta(days=1)
    while day <= through:
        text = reader.form_index(day)
        for filing in parse_form_index(text, f"form index of {day}") if text else []:
            if (forms is None or filing["form"] in forms) and filing["cik"] in ciks and filing["accession"] not in seen:
                seen.add(filing["accession"])
                by_cik.setdefault(filing["cik"], []).append(filing | {"accepted": None})
        day += timedelta(days=1)
    return by_cik, through


def index_manifest(settings: dict, through: date | None) -> dict:
    """The manifest of a table read through the daily form index of `through`."""
    return {"settings": settings, "indexed_through": through.isoformat() if through else None}


# the modulus that keeps a company's sum of row hashes exact in 64 bits (10^10 rows at most)
HASH_MODULUS = 1_000_000_007


def company_digests(*frames: pl.LazyFrame) -> dict[str, str]:
    """Per CIK (as text), a digest of its rows in `frames` (each frame's row count and sum of row
    hashes): a company whose digest changed has other inputs."""
    parts = []
    for frame in frames:
        digest = (
            frame.select("cik", _hash=pl.struct(pl.all()).hash(seed=7) % HASH_MODULUS)
            .group_by("cik")
            .agg(pl.len(), pl.col("_hash").sum())
            .collect()
        )
        parts.append({str(cik): f"{rows}:{total}" for cik, rows, total in digest.iter_rows()})
    return {cik: "|".join(part.get(cik, "") for part in parts) for cik in set().union(*parts)}


def file_digest(path: str | Path | None) -> str:
    """A digest of a settings file's bytes ("" without one): another file means a full read."""
    if not path or not Path(path).is_file():
        return ""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def code_digest(*modules) -> str:
    """A digest of the modules' source: rows built by other code are rebuilt."""
    return hashlib.sha256("".join(inspect.getsource(module) for module in modules).encode()).hexdigest()[:16]


def changed_companies(
    table: SnapshotTable, config: SourceRead, settings: dict, digests: dict[str, str]
) -> list[int] | None:
    """The CIKs whose inputs changed since the table was written (their digest differs, or they are
    new or gone), or None (rebuild every company) when a full refresh is asked for, or the table has
    no manifest or was built with other `settings` (other code)."""
    manifest = table.manifest()
    if config.full_refresh or manifest.get("settings") != settings or "digests" not in manifest:
        return None
    before = manifest["digests"]
    return sorted(int(cik) for cik in set(before) | set(digests) if before.get(cik) != digests.get(cik))
