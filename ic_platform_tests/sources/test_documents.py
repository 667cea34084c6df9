import threading
import time

import pytest

from ic_platform.sources.documents import SourceFormatError, load_json, map_in_processes, read_ahead


def test_read_ahead_keeps_order_overlaps_reads_and_hands_back_errors():
    active, most = 0, 0
    lock = threading.Lock()

    def read(item: int) -> int:
        nonlocal active, most
        with lock:
            active += 1
            most = max(most, active)
        time.sleep(0.01)
        with lock:
            active -= 1
        if item == 3:
            raise ValueError("unreadable")
        return item * 10

    results = []
    for _, future in read_ahead(range(8), read, threads=4):
        try:
            results.append(future.result())
        except ValueError as error:
            results.append(str(error))
    assert results == [0, 10, 20, "unreadable", 40, 50, 60, 70] and most > 1


@pytest.mark.parametrize("processes", [1, 2])
def test_map_in_processes_gives_every_batch_in_order(processes):
    results = list(
        map_in_processes(sum, list(range(95)), processes, batch_size=10)
    )  # 10 batches: workers when processes > 1
    assert [done for done, _ in results] == [10, 20, 30, 40, 50, 60, 70, 80, 90, 95]
    assert sum(total for _, total in results) == sum(range(95))


def test_a_key_repeated_in_one_object_makes_the_document_ambiguous():
    with pytest.raises(SourceFormatError, match="'ticker' appears twice in one object: the document is ambiguous"):
        load_json(b'{"results": [{"ticker": "AAPL", "ticker": "MSFT"}]}', "news page")
    assert load_json(b'{"a": {"ticker": 1}, "b": {"ticker": 2}}', "x") == {"a": {"ticker": 1}, "b": {"ticker": 2}}
