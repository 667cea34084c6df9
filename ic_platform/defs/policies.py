"""How source steps run: a retry policy for the steps that read a source (a failed attempt leaves
its table as it was, so a retry is safe; failures a retry cannot fix, such as a missing demo
universe or a day the files lack, are raised with `allow_retries=False`), and the concurrency pool
that serialises EDGAR steps across runs (EDGAR allows 10 requests/s per client; the instance's
`concurrency:` setting gives the pool its limit)."""

import dagster as dg

from ic_platform import settings

SOURCE_RETRIES = 2
MAX_RUNTIME_TAG = "dagster/max_runtime"  # read by run monitoring, in seconds
EDGAR_POOL = "edgar"


def source_retry_policy() -> dg.RetryPolicy:
    """Two retries, after `$IC_SOURCE_RETRY_DELAY_S` (60 s) and twice that, each +- jitter."""
    return dg.RetryPolicy(
        max_retries=SOURCE_RETRIES,
        delay=settings.current().source_retry_delay_s,
        backoff=dg.Backoff.EXPONENTIAL,
        jitter=dg.Jitter.PLUS_MINUS,
    )


def source_step(edgar: bool = False) -> dict:
    """The keyword arguments of a source step's asset decorator: the retry policy, and for EDGAR's
    steps the EDGAR pool."""
    return {"retry_policy": source_retry_policy()} | ({"pool": EDGAR_POOL} if edgar else {})


def time_limit(hours: float) -> dict[str, str]:
    """A job's tags that have the daemon's run monitoring fail its runs still going after `hours`
    (Dagster's `dagster/max_runtime`): a run blocked on a source or a database does not hold its
    slot in the queue for ever."""
    return {MAX_RUNTIME_TAG: str(int(hours * 3600))}
