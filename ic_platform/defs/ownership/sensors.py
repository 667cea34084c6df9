"""The sensor on new Form 4 filings: EDGAR's current-filings feed for form type 4, with a cursor."""

import dagster as dg

from ic_platform.defs.filings_feed import feed_run_requests, refresh_job
from ic_platform.defs.ownership.assets import FORM4_FORMS
from ic_platform.defs.resources import EdgarSource

refresh_insiders = refresh_job(
    "refresh_insiders",
    "sec_form4",
    "Re-read the Form 4s of the issuers that filed, then rebuild insider_daily, the factor scores, "
    "IC Scores and serving rows of the day they become known.",
)


@dg.sensor(
    job=refresh_insiders,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description=(
        "Follows EDGAR's current-filings feed for Form 4 and 4/A and, for issuers in the universe, requests "
        "the insider refresh (through to the scores and serving rows) of the trading day after acceptance, "
        "tagged with the issuers' CIKs."
    ),
)
def form4_filings_sensor(context: dg.SensorEvaluationContext, edgar: EdgarSource) -> dg.SensorResult | dg.SkipReason:
    return feed_run_requests(context, edgar, FORM4_FORMS, "4", "form4")
