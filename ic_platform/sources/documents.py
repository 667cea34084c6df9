"""What every parser shares: its error type and JSON decoding that names the source."""

from datetime import date
from pathlib import Path

import orjson


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
