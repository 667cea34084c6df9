"""Dagster definitions, one folder per domain, each owning its assets, checks, sensors and resources."""

import warnings

import dagster as dg

# single-run backfills (`backfill_policy`, beta) and partitioned checks (preview) are used on
# purpose; their warnings would repeat for every asset on every load of the code location
warnings.filterwarnings("ignore", category=dg.BetaWarning)
warnings.filterwarnings("ignore", category=dg.PreviewWarning)
