"""Running an asset's checks alone over a window, as a range backfill's run would."""

import dagster as dg

from ic_platform.definitions import defs
from ic_platform.defs.partitions import RANGE_END_TAG, RANGE_START_TAG
from ic_platform.defs.stores import TableStore


def check_results(asset, days, assets=None, resources=None) -> dict[str, dg.AssetCheckEvaluation]:
    """The evaluations (by check name) of `asset`'s checks over the trading days `days`, run against
    `assets` (default: the whole graph's definitions)."""
    result = dg.materialize(
        assets or [*defs.resolve_asset_graph().assets_defs],
        selection=dg.AssetSelection.checks_for_assets(asset),
        tags={RANGE_START_TAG: days[0].isoformat(), RANGE_END_TAG: days[-1].isoformat()},
        resources={"table_store": TableStore(), **resources} if resources else None,
        raise_on_error=False,
    )
    return {e.check_name: e for e in result.get_asset_check_evaluations()}
