"""What every parser shares: its error type and JSON decoding that names the source."""

import orjson


class SourceFormatError(ValueError):
    """A source file or response is not in the format its parser expects (the message says where and why)."""


def load_json(payload: bytes | str, source: str):
    """Decode a JSON document, naming the source and the position when it is malformed."""
    try:
        return orjson.loads(payload)
    except orjson.JSONDecodeError as error:
        raise SourceFormatError(f"{source}: malformed JSON at line {error.lineno} column {error.colno}: {error.msg}") from error
