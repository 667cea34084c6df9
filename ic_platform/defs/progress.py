"""Progress lines for long loops inside assets, shown in the run's log."""

from collections.abc import Iterator
from typing import TypeVar

import dagster as dg

Item = TypeVar("Item")


def with_progress(context: dg.AssetExecutionContext, items: list[Item], label: str, steps: int = 10) -> Iterator[Item]:
    """Yield `items`, logging `label: done/total` about `steps` times."""
    total = len(items)
    every = max(1, total // steps)
    for done, item in enumerate(items, start=1):
        yield item
        if done % every == 0 or done == total:
            context.log.info(f"{label}: {done}/{total}")
