"""What every parser shares: its error type, JSON decoding that names the source, reading documents
ahead in threads and parsing batches of them in worker processes."""

import json
import multiprocessing
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar, cast

import orjson

Item = TypeVar("Item")
Result = TypeVar("Result")
READ_AHEAD = 64  # items read ahead of the one being parsed
PROCESS_BATCH = 250  # items a worker process reads and parses per task


class SourceFormatError(ValueError):
    """A source file or response is not in the format its parser expects (the message says where and why)."""


MAX_XML_DEPTH = 64  # SEC documents nest about 8 deep; deeper is crafted, and recursive tools would crash on it
XML_CHUNK = 1 << 20


def parse_xml(payload: bytes | str, source: str, what: str) -> ET.Element:
    """The root element of an XML document; SourceFormatError naming `what` when it is malformed
    (or declares an encoding that does not exist) or nests elements deeper than MAX_XML_DEPTH
    (found while parsing, before the tree is whole)."""
    data = payload.lstrip().encode() if isinstance(payload, str) else payload.lstrip()
    parser: ET.XMLPullParser = ET.XMLPullParser(events=("start", "end"))
    root: ET.Element | None = None
    depth = 0
    try:  # some filers put a blank line before the XML declaration
        for offset in range(0, max(len(data), 1), XML_CHUNK):
            parser.feed(data[offset : offset + XML_CHUNK])
            for event, element in cast(Iterator[tuple[str, ET.Element]], parser.read_events()):
                depth += 1 if event == "start" else -1
                root = element if root is None else root
                if depth > MAX_XML_DEPTH:
                    raise SourceFormatError(f"{source}: {what} nested deeper than {MAX_XML_DEPTH} elements")
        parser.close()
    except (ET.ParseError, LookupError, ValueError) as error:
        if isinstance(error, SourceFormatError):
            raise
        raise SourceFormatError(f"{source}: malformed {what} ({error})") from error
    if root is None:
        raise SourceFormatError(f"{source}: malformed {what} (no element found)")
    return root


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    unique = dict(pairs)
    if len(unique) != len(pairs):
        keys = [key for key, _ in pairs]
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        raise ValueError(f"the key {repeated[0]!r} appears twice in one object")
    return unique


def load_json(payload: bytes | str, source: str):
    """Decode a JSON document, naming the source and the position when it is malformed. A key
    repeated in one object makes the document ambiguous (a decoder keeps one copy and silently
    loses the other): it is refused too."""
    try:
        document = orjson.loads(payload)
        json.loads(payload, object_pairs_hook=_unique_keys)  # about twice orjson's time, for the check
        return document
    except orjson.JSONDecodeError as error:
        raise SourceFormatError(
            f"{source}: malformed JSON at line {error.lineno} column {error.colno}: {error.msg}"
        ) from error
    except RecursionError as error:
        raise SourceFormatError(f"{source}: JSON nested deeper than the parser follows") from error
    except ValueError as error:
        raise SourceFormatError(f"{source}: {error}: the document is ambiguous") from error


def read_ahead(
    items: Iterable[Item], read: Callable[[Item], Result], threads: int
) -> Iterator[tuple[Item, "Future[Result]"]]:
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


def map_in_processes(
    function: Callable[[list[Item]], Result], items: list[Item], processes: int, batch_size: int = PROCESS_BATCH
) -> Iterator[tuple[int, Result]]:
    """(items done, `function(batch)`) for consecutive batches of `batch_size` items, in order. With
    `processes` > 1 and at least two batches a process, the batches run in spawned worker processes
    (parsing is Python work that threads cannot share; spawned workers start clean, without the
    threads of this one), so `function` must be a module-level function of picklable arguments.
    Batches whose workers could not run are done in this process."""
    batches = [items[first : first + batch_size] for first in range(0, len(items), batch_size)]
    done = 0
    if processes <= 1 or len(batches) < 2 * processes:  # a small job: starting workers would cost more
        for batch in batches:
            done += len(batch)
            yield done, function(batch)
        return
    with ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(function, batch) for batch in batches]
        for batch, future in zip(batches, futures):
            try:
                result = future.result()
            except BrokenProcessPool:  # the workers could not start (a script without a __main__ guard) or died
                result = function(batch)
            done += len(batch)
            yield done, result
