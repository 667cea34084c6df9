import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from ic_platform import tables
from ic_platform.definitions import defs
from ic_platform.defs.partitions import TRADING_DAY_PARTITIONS
from ic_platform.settings import PROJECT_ROOT
from ic_platform.tables import DAILY_TABLES


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


def test_every_asset_is_in_the_group_of_the_folder_that_defines_it():
    for assets in [a for a in all_assets() if list(a.specs)]:  # not the definitions of checks alone
        function = getattr(assets.op.compute_fn, "decorated_fn", assets.op.compute_fn)
        folder = function.__module__.split(".")[2]  # ic_platform.defs.<folder>.assets
        assert {spec.group_name for spec in assets.specs} == {folder}, assets.keys


def test_every_daily_asset_shares_the_trading_day_partitions_and_backfills_in_one_run():
    daily = [assets for assets in all_assets() if assets.partitions_def is not None]
    assert daily
    for assets in daily:
        assert assets.partitions_def == TRADING_DAY_PARTITIONS, assets.key
        assert assets.backfill_policy == dg.BackfillPolicy.single_run(), assets.key


def test_every_catalog_table_has_its_asset_and_every_feature_table_its_point_in_time_check():
    keys = {spec.key.to_user_string() for assets in all_assets() for spec in assets.specs}
    catalog = {value.name for name, value in vars(tables).items() if name.isupper() and hasattr(value, "model")}
    assert catalog <= keys and {"sec_13f", "sec_13f_filings", "cusip_tickers"} <= keys
    checks = {key.to_user_string() for key in defs.resolve_asset_graph().asset_check_keys}
    for name, table in DAILY_TABLES.items():
        if "inputs_knowledge_date" in table.model.to_schema().columns:
            assert f"{name}:inputs_known_before_the_day" in checks


@pytest.mark.slow
def test_dg_check_defs_passes():
    venv = Path(sys.executable).parent
    env = os.environ | {"VIRTUAL_ENV": str(venv.parent)}
    checked = subprocess.run([venv / "dg", "check", "defs"], capture_output=True, text=True, env=env, cwd=PROJECT_ROOT)
    assert checked.returncode == 0 and "All definitions loaded successfully" in checked.stdout + checked.stderr


def test_every_asset_runs_once_per_range_so_the_dagster_cli_takes_a_partition_range():
    graph = defs.resolve_asset_graph()
    for node in graph.asset_nodes:
        if node.is_materializable:
            assert node.backfill_policy == dg.BackfillPolicy.single_run(), node.key


@pytest.mark.slow
def test_dagster_asset_materialize_runs_the_whole_graph_over_a_partition_range(demo_data_dir, tmp_path):
    from ic_platform_tests.defs.market.test_assets import demo_days

    first, last = demo_days(demo_data_dir)[-2], demo_days(demo_data_dir)[-1]
    (tmp_path / "home").mkdir()
    environment = os.environ | {"DAGSTER_HOME": str(tmp_path / "home")}
    command = [str(Path(sys.executable).parent / "dagster"), "asset", "materialize", "-m", "ic_platform.definitions"]
    result = subprocess.run(
        [*command, "--select", "*", "--partition-range", f"{first}...{last}"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "RUN_SUCCESS" in result.stderr + result.stdout
    assert tables.IC_SCORES.days() == [first, last]
