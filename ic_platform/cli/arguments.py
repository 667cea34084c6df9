"""What the commands' arguments share."""

import argparse
from datetime import date


def parse_date(text: str) -> date:
    """A YYYY-MM-DD argument, else argparse's error."""
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from error
