import os
import tracemalloc
import zipfile

import pytest

from ic_platform.sources.archives import read_member, tsv_batches
from ic_platform.sources.documents import SourceFormatError
from ic_platform.sources.edgar import EdgarZipArchive


def test_a_decompression_bomb_in_a_bulk_zip_is_refused_in_bounded_memory(tmp_path):
    with zipfile.ZipFile(tmp_path / "companyfacts.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("CIK0000320193.json", "w", force_zip64=True) as member:
            zeros = b"\0" * 2**20
            for _ in range(1024):  # 1 GiB that deflates to about 1 MiB
                member.write(zeros)
    assert (tmp_path / "companyfacts.zip").stat().st_size < 2**21
    tracemalloc.start()
    with pytest.raises(SourceFormatError, match=r"CIK0000320193.json expands \d+x \(more than 1000x\), refused"):
        EdgarZipArchive(tmp_path).companyfacts(320193)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 16 * 2**20


def test_a_member_larger_than_the_limit_is_refused_whether_its_size_is_stated_or_found(tmp_path):
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.json", os.urandom(2 * 2**20))
    with zipfile.ZipFile(path) as archive:
        with pytest.raises(SourceFormatError, match="big.json is 2 MiB, more than 1 MiB, refused"):
            read_member(archive, "big.json", "a.zip", limit=2**20)
        archive.getinfo("big.json").file_size = 100  # a directory that lies: zipfile stops at the stated size
        tracemalloc.start()
        with pytest.raises(SourceFormatError, match=r"a.zip: big.json cannot be read \(Bad CRC-32"):
            read_member(archive, "big.json", "a.zip", limit=2**20)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert peak < 4 * 2**20
        assert read_member(archive, "absent.json", "a.zip") is None


def test_a_table_is_read_in_batches_and_a_line_too_long_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr("ic_platform.sources.archives.TABLE_BATCH", 2)
    path = tmp_path / "t.tsv"
    path.write_bytes(b"A\tB\n1\t2\n3\t4\n5\n\n6\t7\n")
    with path.open("rb") as stream:
        batches = list(tsv_batches(stream, "t.tsv", ("B",)))
    assert [frame.get_column("B").to_list() for frame, _ in batches] == [["2", "4"], ["7"]]
    assert [q["record"] for _, bad in batches for q in bad] == ["line 4: 5\n"]
    path.write_bytes(b"A\n" + b"x" * (2**20 + 1) + b"\n")
    with path.open("rb") as stream, pytest.raises(SourceFormatError, match="line 2 is longer than 1024 KiB"):
        list(tsv_batches(stream, "t.tsv", ("A",)))
