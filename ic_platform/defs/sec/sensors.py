"""The sensor on new SEC filings: EDGAR's current-filings feed, with a cursor."""

import dagster as dg

from ic_platform.defs.filings_feed import feed_run_requests, refresh_job
from ic_platform.defs.resources import EdgarSource
from ic_platform.sources.edgar_files import FUNDAMENTAL_FORMS

refresh_fundamentals = refresh_job(
    "refresh_fundamentals",
    "sec_companyfacts",
    "Re-read companyfacts and rebuild the point-in-time fundamentals, then the valuation, factor "
    "scores, IC Scores and serving rows of the day the filings become known.",
)


@dg.sensor(
    job=refresh_fundamentals,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description=(
        "Reads EDGAR's current-filings feed and, for new 10-K/10-Q filings (and amendments) of companies "
        "in the universe, requests a fundamentals refresh through to the scores and serving rows of the "
        "day they become known."
    ),
)
def sec_filings_sensor(context: dg.SensorEvaluationContext, edgar: EdgarSource) -> dg.SensorResult | dg.SkipReason:
    return feed_run_requests(context, edgar, FUNDAMENTAL_FORMS, "", "filings")
