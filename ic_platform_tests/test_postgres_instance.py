"""The production instance (docker/dagster.yaml) on a real PostgreSQL server."""

import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import psycopg2
import pytest

from ic_platform import settings
from ic_platform.definitions import defs
from ic_platform.runner import materialize_window
from ic_platform.tables import DAILY_BARS
from ic_platform_tests.defs.market.test_assets import demo_days
from ic_platform_tests.recipes import docs_recipe

BIN = Path(sys.executable).parent


@pytest.mark.postgres
def test_a_partitioned_asset_materializes_on_the_postgres_instance(
    postgres_database, demo_data_dir, tmp_path, monkeypatch
):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(settings.PROJECT_ROOT / "docker" / "dagster.yaml", home / "dagster.yaml")
    for variable, key in (
        ("HOST", "host"),
        ("PORT", "port"),
        ("USER", "user"),
        ("PASSWORD", "password"),
        ("DB", "dbname"),
    ):
        monkeypatch.setenv(f"DAGSTER_PG_{variable}", str(postgres_database[key]))
    monkeypatch.delenv("DAGSTER_EVENT_BATCH_SIZE", raising=False)  # materialize_window's default applies
    days = demo_days(demo_data_dir)[:3]

    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        assert type(instance.schedule_storage).__name__ == "PostgresScheduleStorage"
        assert instance.run_monitoring_enabled and instance.run_monitoring_max_resume_run_attempts == 0
        batches = []  # (event type, asset) of each event, per batch the storage was asked to insert
        store_batch = type(instance.event_log_storage).store_event_batch

        def recording_store_batch(storage, events):
            batches.append([(e.get_dagster_event().event_type_value, e.get_dagster_event().asset_key) for e in events])
            return store_batch(storage, events)

        monkeypatch.setattr(type(instance.event_log_storage), "store_event_batch", recording_store_batch)
        result = materialize_window(defs, days[0], days[-1], instance, progress=False)
        assert result.success
        partitions = instance.get_materialized_partitions(dg.AssetKey("daily_bars"))
        assert partitions == {d.isoformat() for d in days}
        daily_bars_batches = [
            batch for batch in batches if ("ASSET_MATERIALIZATION", dg.AssetKey("daily_bars")) in batch
        ]
        assert daily_bars_batches == [
            [("ASSET_MATERIALIZATION", dg.AssetKey("daily_bars"))] * 3
        ]  # the window's partitions in one insert
    assert DAILY_BARS.days() == days

    connection = psycopg2.connect(**postgres_database)
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM runs")
        assert cursor.fetchone()[0] == 1
        cursor.execute(
            "SELECT asset_key, count(*) FROM event_logs WHERE dagster_event_type = "
            "'ASSET_MATERIALIZATION' GROUP BY asset_key"
        )
        counts = dict(cursor.fetchall())
        assert counts['["daily_bars"]'] == 3 and counts['["valuation_daily"]'] == 3 and counts['["sec_companies"]'] == 1
    connection.close()


@pytest.mark.postgres
@pytest.mark.slow
def test_the_docs_postgresql_instance_recipe_works_as_written(postgres_database, tmp_path):
    recipe = docs_recipe("**Production instance.**")
    name = f"{postgres_database['dbname']}_recipe"  # the recipe's `dagster` database, made unique here
    commands = (
        recipe.replace("/srv/ic", str(tmp_path))
        .replace("postgres dagster", f"postgres {name}")
        .replace("DAGSTER_PG_DB=dagster", f"DAGSTER_PG_DB={name}")
        .replace(".venv/bin/", f"{BIN}/")
        .replace("ic-platform demo", "ic-platform demo --companies 20 --years 1")  # a small demo
    )
    env = settings.environment_with({"IC_DATA_DIR": str(tmp_path / "data")})
    run = {"cwd": settings.PROJECT_ROOT, "env": env, "capture_output": True, "text": True}
    missing = subprocess.run(["bash", "-ec", commands.split("\n", 1)[1]], **run)  # without creating the database
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines()[-1].startswith("error: the Dagster instance of")
    assert f'database "{name}" does not exist' in missing.stderr and "Traceback" not in missing.stderr
    try:
        done = subprocess.run(["bash", "-ec", commands], **run)
        assert done.returncode == 0, done.stderr[-3000:]
        assert "succeeded" in done.stdout and "Top 10 IC Scores" in done.stdout
    finally:
        admin = psycopg2.connect(**postgres_database)
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
