"""The resources beside the sources: what a run's configuration says is where it reads and writes."""

import dagster as dg

from ic_platform import settings
from ic_platform.definitions import defs
from ic_platform.defs.market.assets import daily_bars
from ic_platform.defs.resources import MarketDataSource
from ic_platform.defs.stores import ServingDatabase, TableStore, store_resources
from ic_platform.storage import tables_root
from ic_platform.tables import DAILY_BARS
from ic_platform_tests.defs.market.test_assets import demo_days


def test_a_run_writes_its_tables_where_its_table_store_says(demo_data_dir, tmp_path):
    day = demo_days(demo_data_dir)[-1].isoformat()
    elsewhere = tmp_path / "elsewhere"
    # the launchpad's override of the resource's configuration, as a run's config gives it
    override = {"resources": {"table_store": {"config": {"root": str(elsewhere)}}}}
    resources = {"table_store": TableStore(), "market_data": MarketDataSource()}
    assert dg.materialize([daily_bars], resources=resources, partition_key=day, run_config=override).success
    assert (elsewhere / "daily_bars" / f"{day}.parquet").exists()
    assert DAILY_BARS.days() == []  # nothing in $IC_DATA_DIR/tables
    assert tables_root() == settings.current().tables_root()  # after the run, the settings' folder again
    assert dg.materialize([daily_bars], resources=resources, partition_key=day).success  # no override
    assert [d.isoformat() for d in DAILY_BARS.days()] == [day]


def test_the_definitions_carry_every_resource_built_from_the_settings(monkeypatch):
    monkeypatch.setenv("IC_SERVING_URL", "postgresql://ic@db:5432/serving")
    monkeypatch.setenv("IC_ALERT_WEBHOOK_URL", "http://hooks.example/ic")
    built = store_resources()
    assert built["serving_database"].url == "postgresql://ic@db:5432/serving"
    assert built["alerts"].url == "http://hooks.example/ic" and built["table_store"].root == ""
    assert {"table_store", "serving_database", "alerts", "edgar", "market_data", "news", "ratings"} <= set(
        defs.resources
    )
    # an empty url follows the settings as the run starts
    assert ServingDatabase().engine().url.render_as_string() == "postgresql+psycopg2://ic@db:5432/serving"
