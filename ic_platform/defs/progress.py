"""Progress lines for long loops inside assets, shown in the run's log."""

from collections.abc import Iterator
from typing import TypeVar

import dagster as dg

Item = TypeVar("Item")


def log_progress(
    context: dg.AssetExecutionContext, label: str, done: int, total: int, newly: int = 1, steps: int = 10
) -> None:
    """Log `label: done/total` about `steps` times over a loop: when the `newly` items just done
    pass one of the marks, and at the end."""
    every = max(1, total // steps)
    if done // every > (done - newly) // every or done == total:
        context.log.info(f"{label}: {done}/{total}")


def with_progress(context: dg.AssetExecutionContext, items: list[Item], label: str, steps: int = 10) -> Iterator[Item]:
    """Yield `items`, logging `label: done/total` about `steps` times."""
    for done, item in enumerate(items, start=1):
        yield item
        log_progress(context, label, done, len(items), steps=steps)
