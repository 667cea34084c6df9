import hashlib
import os
import signal
import subprocess
import sys
import textwrap
from datetime import date

import numpy as np
import pandera.polars as pa
import polars as pl
import pytest

from ic_platform import storage
from ic_platform.schemas.common import QuarantinedRecord, frame_of
from ic_platform.storage import DailyTable, SnapshotTable, TableValidationError, quarantine_table


class Price(pa.DataFrameModel):
    date: date
    ticker: str
    close: float = pa.Field(gt=0, description="Closing price")

    class Config:
        unique = ["date", "ticker"]


TABLE = DailyTable("prices", Price, ("date", "ticker"))
JULY = [date(2024, 7, 1), date(2024, 7, 2), date(2024, 7, 3), date(2024, 7, 5)]


def prices(days, tickers=("AAA", "BBB"), close=10.0):
    return pl.DataFrame([{"date": d, "ticker": t, "close": close} for d in days for t in tickers])


def digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_a_window_is_written_one_file_per_trading_day(data_dir):
    result = TABLE.write(prices(JULY), date(2024, 7, 1), date(2024, 7, 5))
    assert TABLE.days() == JULY  # 2024-07-04 is a holiday: no partition
    assert result.rows == 8 and result.partitions == 4 and result.quarantined is None
    assert result.preview.columns == ["date", "ticker", "close"] and result.preview.height == 5
    assert TABLE.scan().collect().height == 8


def test_a_long_window_is_computed_and_written_chunk_by_chunk(data_dir):
    chunks = []

    def compute(first, last):
        chunks.append((first, last))
        return prices([d for d in JULY if first <= d <= last])

    result = TABLE.write_in_chunks(compute, date(2024, 7, 1), date(2024, 7, 5), chunk_days=3)
    assert chunks == [(date(2024, 7, 1), date(2024, 7, 3)), (date(2024, 7, 5), date(2024, 7, 5))]
    assert result.rows == 8 and result.partitions == 4
    assert TABLE.scan().collect().equals(TABLE.scan().collect().sort("date", "ticker")) and TABLE.days() == JULY


def test_rewriting_a_partition_replaces_it_and_gives_identical_files(data_dir):
    TABLE.write(prices(JULY), JULY[0], JULY[-1])
    first = digest(TABLE.path)
    TABLE.write(prices(JULY), JULY[0], JULY[-1])
    assert digest(TABLE.path) == first
    TABLE.write(prices([JULY[1]], tickers=("AAA",), close=11.0), JULY[1], JULY[1])
    frame = TABLE.scan().collect()
    assert frame.height == 7  # one day replaced by one row, nothing duplicated
    assert frame.filter(pl.col("date") == JULY[1]).to_dicts() == [{"date": JULY[1], "ticker": "AAA", "close": 11.0}]


def test_a_window_without_rows_leaves_empty_partitions(data_dir):
    TABLE.write(prices(JULY), JULY[0], JULY[-1])
    TABLE.write(prices(JULY).clear(), JULY[2], JULY[3])
    assert TABLE.days() == JULY
    assert TABLE.scan(JULY[2], JULY[3]).collect().height == 0
    assert TABLE.scan().collect().height == 4


def test_rows_outside_the_window_or_invalid_are_refused_and_nothing_is_written(data_dir):
    with pytest.raises(ValueError, match="outside the window"):
        TABLE.write(prices(JULY), JULY[0], JULY[1])
    with pytest.raises(TableValidationError, match="greater_than"):
        TABLE.write(prices(JULY, close=-1.0), JULY[0], JULY[-1])
    with pytest.raises(TableValidationError, match="not unique"):
        TABLE.write(pl.concat([prices(JULY), prices(JULY)]), JULY[0], JULY[-1])
    with pytest.raises(ValueError, match="non-trading days"):
        TABLE.write(prices([date(2024, 7, 4)]), JULY[0], JULY[-1])
    assert TABLE.days() == []


def test_scans_take_a_window_and_push_filters_down(data_dir):
    TABLE.write(prices(JULY), JULY[0], JULY[-1])
    window = TABLE.scan(JULY[1], JULY[2])
    assert sorted(window.collect().get_column("date").unique()) == JULY[1:3]
    plan = window.filter(pl.col("ticker") == "AAA").explain()
    assert "SELECTION" in plan or "selection" in plan.lower()  # the predicate reaches the Parquet scan
    assert window.filter(pl.col("ticker") == "AAA").collect().height == 2
    assert DailyTable("never_written", Price, ("date",)).scan().collect().columns == ["date", "ticker", "close"]


def test_snapshot_tables_and_quarantine(data_dir):
    table = SnapshotTable("universe", Price, ("ticker",))
    bad = frame_of(QuarantinedRecord, [{"date": None, "source": "x.json", "record": "{}", "reason": "no ticker"}])
    result = table.write(prices([JULY[0]]), quarantined=bad)
    assert result.quarantined == 1
    assert quarantine_table(table).scan().collect().get_column("reason").to_list() == ["no ticker"]
    assert table.scan().collect().height == 2


class PriceWithVolume(Price):
    volume: float = pa.Field(nullable=True, description="A column added after the table was written")


def test_a_column_the_model_gained_reads_as_null_from_a_table_written_before(data_dir):
    SnapshotTable("universe", Price, ("ticker",)).write(prices([JULY[0]]))
    later = SnapshotTable("universe", PriceWithVolume, ("ticker",))
    read = later.scan().collect()
    assert read.columns == ["date", "ticker", "close", "volume"] and read.get_column("volume").null_count() == 2


def test_a_source_table_keeps_its_valid_rows_and_quarantines_the_others_with_the_broken_rule(data_dir):
    day = JULY[0]
    rows = pl.DataFrame(
        {
            "date": [day] * 7,
            "ticker": ["AAA", "BBB", "BBB", "CCC", "CCC", "DDD", "EEE"],
            "close": ["10", "-1", "-1", "12", "13", "ten", "inf"],  # as a source's text: one is not a number
        }
    )
    summary = TABLE.write(rows, day, day, quarantined=frame_of(QuarantinedRecord, []))
    assert TABLE.scan().collect().rows() == [(day, "AAA", 10.0)]
    reasons = quarantine_table(TABLE).scan().collect().get_column("reason").sort().to_list()
    assert summary.quarantined == 6
    assert reasons == [
        "an exact copy of an earlier row",
        "another row has its key (date, ticker)",  # two closes for CCC: neither can be trusted
        "another row has its key (date, ticker)",
        "close: 'ten' is not Float64",
        "close: fails greater_than(0)",
        "close: inf is not a finite number",
    ]


WRITER = textwrap.dedent(
    """
    import os, sys, time
    from datetime import date
    import polars as pl
    sys.path.insert(0, sys.argv[1])
    from ic_platform_tests.test_storage import TABLE, prices, JULY

    real_write = pl.DataFrame.write_parquet

    def slow_write(self, target, **kwargs):
        with open(target, "wb") as handle:
            handle.write(b"PAR1 half a file")  # part of the new file is on disk ...
        os.write(1, b"writing\\n")  # one system call: the writer threads' lines never interleave
        time.sleep(60)  # ... when the process is killed

    pl.DataFrame.write_parquet = slow_write
    TABLE.write(prices(JULY, close=99.0), JULY[0], JULY[-1])
    """
)


def test_a_writer_killed_mid_write_leaves_the_previous_partition_readable(data_dir):
    TABLE.write(prices(JULY), JULY[0], JULY[-1])
    before = TABLE.scan().collect()
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(os.getcwd())], stdout=subprocess.PIPE, env=os.environ.copy()
    )
    assert process.stdout.readline().strip() == b"writing"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert any(p.name.endswith(".tmp") for p in TABLE.path.iterdir())  # the half-written file is there ...
    assert TABLE.scan().collect().equals(before)  # ... and invisible: readers see the previous partitions
    TABLE.write(prices(JULY, close=12.0), JULY[0], JULY[-1])
    assert TABLE.scan().collect().get_column("close").unique().to_list() == [12.0]


def test_a_failed_write_of_one_day_leaves_the_whole_window_as_it_was(data_dir, monkeypatch):
    TABLE.write(prices(JULY), JULY[0], JULY[-1])
    before = TABLE.scan().collect()
    real_write = pl.DataFrame.write_parquet

    def failing_write(self, target, **kwargs):
        if self.height and self.get_column("date")[0] == JULY[2]:
            raise OSError("disk full")
        real_write(self, target, **kwargs)

    monkeypatch.setattr(pl.DataFrame, "write_parquet", failing_write)
    with pytest.raises(OSError, match="disk full"):
        TABLE.write(prices(JULY, close=99.0), JULY[0], JULY[-1])
    assert TABLE.scan().collect().equals(before)  # no day of the window was replaced ...
    assert not [p.name for p in TABLE.path.iterdir() if p.name.endswith(".tmp")]  # ... and nothing is left behind


def test_a_large_frame_sorted_a_range_at_a_time_is_in_the_order_of_one_sort(monkeypatch):
    monkeypatch.setattr(storage, "SORT_SLICE_ROWS", 100)
    rng = np.random.default_rng(3)
    frame = pl.DataFrame(
        {
            "cik": rng.integers(1, 40, 1_000),
            "concept": rng.choice(["b", "a", "c"], 1_000),
            "order": np.arange(1_000),  # ties on both keys keep their order
        }
    )
    assert storage.sorted_by(frame, ["cik", "concept"]).equals(frame.sort("cik", "concept", maintain_order=True))
