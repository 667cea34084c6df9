"""Reading archives as they are downloaded, in bounded memory: a member of a zip or a gzipped file
read whole only below a size limit, and tab-separated tables read line by line, each row with the
wrong number of fields set aside with the reason.

A zip's directory states each member's size, but a crafted archive can lie: every read stops one
byte past its limit, so a decompression bomb costs at most the limit, never the whole expansion.
"""

import gzip
import re
import zipfile
import zlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import IO, cast

import polars as pl

from ic_platform.sources.documents import SourceFormatError

MAX_DOCUMENT_BYTES = 512 * 2**20  # a document (JSON, XML, CSV) read whole: EDGAR's largest are ~100 MB
MAX_TABLE_BYTES = 16 * 2**30  # a table read line by line: the 13F INFOTABLE of a quarter is ~1 GB
MAX_LINE_BYTES = 1 << 20  # one line of a table
MAX_RATIO = 1000  # expansion of a zip member beyond which it is a bomb (real TSV and JSON: 5-30)
TABLE_BATCH = 200_000  # rows of a table parsed into a frame at a time


def _limited(stream: IO[bytes], limit: int, source: str) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise SourceFormatError(f"{source}: larger than {limit >> 20} MiB uncompressed, refused")
    return data


def member_info(archive: zipfile.ZipFile, name: str, source: str) -> zipfile.ZipInfo | None:
    """The member `name` of `archive` (None when absent), refused when its stated expansion is a bomb's."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
        raise SourceFormatError(
            f"{source}: {name} expands {info.file_size // info.compress_size}x (more than {MAX_RATIO}x), refused"
        )
    return info


def read_member(archive: zipfile.ZipFile, name: str, source: str, limit: int = MAX_DOCUMENT_BYTES) -> bytes | None:
    """The bytes of the member `name` (None when absent), SourceFormatError when it is larger than
    `limit` (stated or found while reading) or a bomb."""
    info = member_info(archive, name, source)
    if info is None:
        return None
    if info.file_size > limit:
        raise SourceFormatError(f"{source}: {name} is {info.file_size >> 20} MiB, more than {limit >> 20} MiB, refused")
    try:
        with archive.open(info) as stream:
            return _limited(stream, limit, f"{source}: {name}")
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise SourceFormatError(f"{source}: {name} cannot be read ({error})") from None


def read_file(path: Path, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """A file's bytes, gunzipped when its name ends in `.gz`, refused above `limit` after
    decompression (a gzip bomb costs at most the limit)."""
    try:
        with gzip.open(path) if path.suffix == ".gz" else path.open("rb") as stream:
            return _limited(cast(IO[bytes], stream), limit, str(path))
    except (OSError, EOFError, zlib.error) as error:
        raise SourceFormatError(f"{path}: cannot be read ({error})") from None


def tsv_batches(
    stream: IO[bytes], source: str, columns: tuple[str, ...], limit: int = MAX_TABLE_BYTES
) -> Iterator[tuple[pl.DataFrame, list[dict]]]:
    """A tab-separated table with a header line, as frames of `columns` (all text, a cell empty in
    the file is null) of at most TABLE_BATCH rows, each with the quarantined rows of its lines: a
    line with more or fewer fields than the header, or one not UTF-8. SourceFormatError when the
    header lacks one of `columns`, a line is longer than MAX_LINE_BYTES, or the table is larger
    than `limit`."""
    header = stream.readline(MAX_LINE_BYTES + 1).decode("utf-8-sig", errors="replace").rstrip("\r\n").split("\t")
    missing = [c for c in columns if c not in header]
    if missing:
        raise SourceFormatError(f"{source}: the header lacks {missing} (it has {header[:12]})")
    positions = [header.index(c) for c in columns]
    rows: list[list[str | None]] = []
    quarantined: list[dict] = []
    read, number = 0, 1
    while line := stream.readline(MAX_LINE_BYTES + 1):
        number += 1
        read += len(line)
        if len(line) > MAX_LINE_BYTES:
            raise SourceFormatError(f"{source}: line {number} is longer than {MAX_LINE_BYTES >> 10} KiB")
        if read > limit:
            raise SourceFormatError(f"{source}: larger than {limit >> 20} MiB, refused")
        try:
            fields = line.decode("utf-8").rstrip("\r\n").split("\t")
        except UnicodeDecodeError as error:
            quarantined.append(_quarantined(source, number, line, f"not UTF-8 (byte {error.start})"))
            continue
        if fields == [""]:
            continue
        if len(fields) != len(header):
            reason = f"{len(fields)} fields where the header has {len(header)}"
            quarantined.append(_quarantined(source, number, line, reason))
            continue
        rows.append([fields[p] or None for p in positions])
        if len(rows) >= TABLE_BATCH:
            yield _frame(rows, columns), quarantined
            rows, quarantined = [], []
    if rows or quarantined or number == 1:
        yield _frame(rows, columns), quarantined


def _frame(rows: list[list[str | None]], columns: tuple[str, ...]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=dict.fromkeys(columns, pl.String), orient="row")


def _quarantined(source: str, number: int, line: bytes, reason: str) -> dict:
    return {
        "date": None,
        "source": source,
        "record": f"line {number}: {line[:2000].decode('utf-8', errors='replace')}",
        "reason": reason,
    }


def dataset_locations(folder: Path) -> list[Path]:
    """The quarters of a folder of SEC data sets: the zips as downloaded (`2024q1_form13f.zip`,
    `01mar2024-31may2024_form13f.zip`, `2024q1_form345.zip`) and folders of their unpacked .tsv
    files, in name order."""
    return sorted(p for p in folder.iterdir() if p.is_dir() or p.suffix.lower() == ".zip")


def first_of_each(frame: pl.DataFrame, key: str, source: str, quarantined: list[dict]) -> pl.DataFrame:
    """`frame` without the rows repeating an earlier row's `key` (a data set's accession), which
    are added to `quarantined` with the reason."""
    first = pl.col(key).is_first_distinct()
    quarantined += [
        {"date": None, "source": source, "record": str(row)[:2000], "reason": f"the {key} is on an earlier line"}
        for row in frame.filter(~first).iter_rows(named=True)
    ]
    return frame.filter(first)


class TableFiles:
    """The tables of a data set, whether a folder of `.tsv` files or the zip the SEC publishes."""

    def __init__(self, location: Path):
        self.location = location

    def frame(self, name: str, columns: tuple[str, ...], quarantined: list[dict]) -> pl.DataFrame:
        """The table `name` as one frame (its batches joined), its quarantined lines added to `quarantined`."""
        frames = []
        for frame, bad in self.read(name, columns):
            frames.append(frame)
            quarantined.extend(bad)
        return pl.concat(frames)

    def read(self, name: str, columns: tuple[str, ...]) -> Iterator[tuple[pl.DataFrame, list[dict]]]:
        """The batches of the table `name` (`tsv_batches`); SourceFormatError when it is absent."""
        source = f"{self.location}: {name}"
        if self.location.is_dir():
            path = self.location / name
            if not path.exists():
                raise SourceFormatError(f"{self.location}: the data set has no {name}")
            with path.open("rb") as stream:
                yield from tsv_batches(stream, source, columns)
            return
        try:
            with zipfile.ZipFile(self.location) as archive:
                member = next((n for n in archive.namelist() if n.rsplit("/", 1)[-1] == name), None)
                info = None if member is None else member_info(archive, member, str(self.location))
                if info is None:
                    raise SourceFormatError(f"{self.location}: the data set has no {name}")
                with archive.open(info) as stream:
                    yield from tsv_batches(stream, source, columns)
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise SourceFormatError(f"{self.location}: not a readable zip archive ({error})") from None


MONTH_NAME = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})")


class DocumentFolder:
    """Documents in a folder, in name order, each read whole (gunzipped when named `.gz`): the demo's
    news or ratings JSON, or an archive's JSON responses and dumps (`patterns` say which files)."""

    def __init__(self, root: Path, patterns: tuple[str, ...] = ("*.json",)):
        self.root = root
        self.patterns = patterns

    def documents(self, start: date | None = None, end: date | None = None) -> list[tuple[str, bytes]]:
        """The documents as (file name, bytes): every one, but a file named by its month
        (`YYYY-MM.json`, as the demo writes them) only when that month meets `start`..`end`."""
        if not self.root.is_dir():
            raise FileNotFoundError(f"no folder of documents at {self.root}")
        first = (start.year, start.month) if start else None
        last = (end.year, end.month) if end else None
        documents = []
        for path in sorted({path for pattern in self.patterns for path in self.root.glob(pattern)}):
            month = MONTH_NAME.fullmatch(path.name.split(".", 1)[0])
            if month:
                key = (int(month["year"]), int(month["month"]))
                if (first and key < first) or (last and key > last):
                    continue
            documents.append((path.name, read_file(path)))
        return documents


class NoDocuments:
    """A source that is off: no documents, whatever the dates."""

    def documents(self, start: date | None = None, end: date | None = None) -> list[tuple[str, bytes]]:
        return []
