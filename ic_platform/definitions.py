"""The one Dagster entry point: every domain's assets, checks, jobs and sensors, the schedules and
alerts that run it, the point-in-time checks generated from the table catalog, and the resources
built from the settings (`ic_platform/settings.py`) as the code location loads: the sources, each
in its own mode, the table store, the serving database and the alert webhook."""

import dagster as dg

from ic_platform.defs.alerts import alert_on_failed_checks, alert_on_run_failure
from ic_platform.defs.automation import JOBS, SCHEDULES, demo_new_days
from ic_platform.defs.checks import POINT_IN_TIME_CHECKS
from ic_platform.defs.features.assets import technical_daily, valuation_daily
from ic_platform.defs.freshness import FRESHNESS_CHECKS, check_freshness, freshness_every_30_minutes
from ic_platform.defs.market.assets import corporate_actions, daily_bars
from ic_platform.defs.market.checks import bar_count_steady, no_missing_ticker_days, price_steps_explained
from ic_platform.defs.market.jobs import repair_daily_bar_gaps
from ic_platform.defs.news.assets import analyst_daily, analyst_ratings, news_articles, news_sentiment_daily
from ic_platform.defs.ownership.assets import insider_daily, institutional_daily, sec_13f, sec_form4
from ic_platform.defs.ownership.sensors import form4_filings_sensor, refresh_insiders
from ic_platform.defs.partitions import WINDOW_JOB
from ic_platform.defs.policies import time_limit
from ic_platform.defs.quality.assets import data_quality, quality_within_bounds
from ic_platform.defs.resources import source_resources
from ic_platform.defs.scores.assets import factor_scores, ic_scores, score_evaluation
from ic_platform.defs.scores.checks import factor_coverage_steady, scores_consistent
from ic_platform.defs.sec.assets import fundamental_states, fundamentals_pit, sec_companies, sec_companyfacts
from ic_platform.defs.sec.sensors import refresh_fundamentals, sec_filings_sensor
from ic_platform.defs.serving.assets import serving_matches_scores, serving_scores
from ic_platform.defs.stores import store_resources
from ic_platform.defs.versions import described

# what `ic-platform demo` (and a range backfill of everything) runs; the freshness checks belong to
# the freshness schedule: in a window of past days they would only say that today is missing
score_window = dg.define_asset_job(
    WINDOW_JOB,
    selection=dg.AssetSelection.all() - dg.AssetSelection.checks(*FRESHNESS_CHECKS),
    description="Every asset and its checks over a window of trading days, in one run: what ic-platform demo runs.",
    # the steps run one after another in the run's process, as `ic-platform demo` runs them: a
    # process per step (Dagster's default for launched runs) re-imports the code ~60 times, which
    # doubled a daemon-launched demo run on two cores
    executor_def=dg.in_process_executor,
    tags=time_limit(12),  # a 10-year backfill at full scale takes under half an hour
)

defs = dg.Definitions(
    assets=described(
        [
            # sec
            sec_companies,
            sec_companyfacts,
            fundamentals_pit,
            fundamental_states,
            sec_form4,
            sec_13f,
            # market, news
            corporate_actions,
            daily_bars,
            news_articles,
            analyst_ratings,
            # features
            technical_daily,
            valuation_daily,
            insider_daily,
            institutional_daily,
            analyst_daily,
            news_sentiment_daily,
            # scores
            factor_scores,
            ic_scores,
            score_evaluation,
            # serving
            serving_scores,
            # quality
            data_quality,
        ]
    ),
    asset_checks=[
        *POINT_IN_TIME_CHECKS.values(),
        no_missing_ticker_days,
        bar_count_steady,
        price_steps_explained,
        scores_consistent,
        factor_coverage_steady,
        serving_matches_scores,
        quality_within_bounds,
        *FRESHNESS_CHECKS,
    ],
    jobs=[score_window, repair_daily_bar_gaps, refresh_fundamentals, refresh_insiders, *JOBS, check_freshness],
    schedules=[*SCHEDULES, freshness_every_30_minutes],
    sensors=[demo_new_days, sec_filings_sensor, form4_filings_sensor, alert_on_run_failure, alert_on_failed_checks],
    resources={**source_resources(), **store_resources()},
)
