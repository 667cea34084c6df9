import dagster as dg

from ic_platform.definitions import defs
from ic_platform.trading_days import TRADING_DAY_PARTITIONS


def all_assets():
    return list(defs.resolve_asset_graph().assets_defs)


def test_definitions_load_and_every_asset_has_a_description_and_a_group():
    assert dg.Definitions.validate_loadable(defs) is None
    specs = [spec for assets in all_assets() for spec in assets.specs]
    assert {spec.key.to_user_string() for spec in specs} >= {"sec_companies", "daily_bars"}
    for spec in specs:
        assert spec.description and len(spec.description) > 20, spec.key
        assert spec.group_name and spec.group_name != "default", spec.key
        if "parquet" in spec.kinds:  # a table: its columns (from the pandera model) are on the definition
            assert spec.metadata["dagster/column_schema"].columns, spec.key


def test_every_daily_asset_shares_the_trading_day_partitions_and_backfills_in_one_run():
    daily = [assets for assets in all_assets() if assets.partitions_def is not None]
    assert daily
    for assets in daily:
        assert assets.partitions_def == TRADING_DAY_PARTITIONS, assets.key
        assert assets.backfill_policy == dg.BackfillPolicy.single_run(), assets.key
