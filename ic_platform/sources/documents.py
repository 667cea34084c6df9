"""What every parser shares: its error type and JSON decoding that names the source."""

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import TypeVar

import orjson

Item = TypeVar("Item")
Result = TypeVar("Result")
READ_AHEAD = 64  # items read ahead of the one being parsed


class SourceFormatError(ValueError):
    """A source file or response is not in the format its parser expects (the message says where and why)."""


def load_json(payload: bytes | str, source: str):
    """Decode a JSON document, naming the source and the position when it is malformed."""
    try:
        return orjson.loads(payload)
    except orjson.JSONDecodeError as error:
        raise SourceFormatError(f"{source}: malformed JSON at line {error.lineno} column {error.colno}: {error.msg}") from error


class JsonFolder:
    """JSON documents (`*.json`) in a folder, in name order: the demo's news or ratings, or an archive."""

    def __init__(self, root: Path):
        self.root = root

    def documents(self, start: date | None = None, end: date | None = None) -> list[tuple[str, bytes]]:
        """Every document as (file name, bytes); `start`/`end` are accepted for the API clients' signature."""
        if not self.root.is_dir():
            raise FileNotFoundError(f"no folder of JSON documents at {self.root}")
        return [(path.name, path.read_bytes()) for path in sorted(self.root.glob("*.json"))]


def read_ahead(items: Iterable[Item], read: Callable[[Item], Result], threads: int) -> Iterator[tuple[Item, "Future[Result]"]]:
    """(item, future of `read(item)`) in the order of `items`, with up to READ_AHEAD items read ahead
    by `threads` threads (reading files or responses waits on I/O, not on the interpreter), so
    parsing one document overlaps reading the next. `future.result()` returns the document or
    raises what `read` raised. With one thread, reads still happen one at a time, in order."""
    with ThreadPoolExecutor(max_workers=threads) as pool:
        pending: deque = deque()
        for item in items:
            pending.append((item, pool.submit(read, item)))
            if len(pending) >= READ_AHEAD:
                yield pending.popleft()
        while pending:
            yield pending.popleft()
