"""The outage rule: a source that fails never replaces good data.

When a source fails for more than `$IC_MAX_FAILED_SHARE` (2%) of the items a step reads (days,
companies), the step fails with the reason and leaves its table exactly as it was. Below that
share, the items that failed keep the rows they had (and are listed in the metadata and the
quarantine table), never an empty replacement.
"""

from dataclasses import dataclass, field

import dagster as dg

from ic_platform import settings
from ic_platform.defs.policies import SOURCE_RETRIES
from ic_platform.sources.http import stale_served_mark, stale_served_since


def within_failure_budget(table: str, failures: dict, total: int, attempt: int) -> dict:
    """Raise `dg.Failure` when `failures` (item -> reason) are too large a share of `total` items
    (retryable until `attempt`, the step's retry number, is its last, so that the last failure
    carries this reason); else the metadata that lists them."""
    limit = settings.current().max_failed_share
    examples = "; ".join(f"{item}: {reason}" for item, reason in list(failures.items())[:3])
    if total and len(failures) / total > limit:
        raise dg.Failure(
            description=(
                f"{table}: the source failed for {len(failures)} of {total} items "
                f"({len(failures) / total:.1%}, more than the {limit:.0%} allowed by "
                f"${settings.variable('max_failed_share')}); the table is left as it was. First failures: {examples}"
            ),
            metadata={"failed_items": len(failures), "items": total},
            allow_retries=attempt < SOURCE_RETRIES,
        )
    return {
        "failed_items": len(failures),
        "failed_item_list": dg.MetadataValue.json([str(item) for item in failures]),
    }


@dataclass
class FetchTally:
    """The items a step asked a source for and the ones it failed for (item -> reason); worker
    processes return one each, which `merge` adds up."""

    listed: int = 0
    failures: dict = field(default_factory=dict)

    def merge(self, other: "FetchTally") -> None:
        self.listed += other.listed
        self.failures |= other.failures

    def within_budget(self, table: str, attempt: int) -> dict:
        return within_failure_budget(table, self.failures, self.listed, attempt)


class StaleBodies:
    """Counts the bodies a step was served stale from the HTTP cache while a source was down (in
    this process), for its metadata."""

    def __init__(self):
        self.mark = stale_served_mark()

    def metadata(self) -> dict:
        urls = stale_served_since(self.mark)
        return {"stale_bodies_served": len(urls), "stale_urls": dg.MetadataValue.json(urls[:100])} if urls else {}
