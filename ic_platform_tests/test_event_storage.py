import dagster as dg
import pytest

from ic_platform.definitions import defs
from ic_platform.event_storage import BatchedSqliteEventLogStorage
from ic_platform.runner import instance_for_cli, materialize_window, selected
from ic_platform_tests.defs.market.test_assets import demo_days

pytestmark = pytest.mark.slow  # two range runs on SQLite instances

ASSETS = ["daily_bars", "technical_daily", "valuation_daily"]


def _recorded(instance: dg.DagsterInstance, days: list) -> dict:
    """What the UI reads of each asset: its materialized partitions, each partition's latest
    materialization (partition and row count) and the asset's latest event."""
    recorded = {}
    for name in ASSETS:
        key = dg.AssetKey(name)
        records = instance.fetch_materializations(key, limit=len(days) + 10).records
        latest = instance.get_latest_materialization_event(key)
        recorded[name] = {
            "partitions": sorted(instance.get_materialized_partitions(key)),
            "events": sorted(
                (r.partition_key, r.asset_materialization.metadata["dagster/row_count"].value) for r in records
            ),
            "latest": latest.dagster_event.partition if latest else None,
            "by_tag": len(
                instance.get_event_records(
                    dg.EventRecordsFilter(
                        dg.DagsterEventType.ASSET_MATERIALIZATION, asset_key=key, asset_partitions=[days[3].isoformat()]
                    )
                )
            ),
        }
    return recorded


def test_the_batched_event_log_records_what_dagsters_sqlite_storage_records(demo_data_dir, tmp_path, monkeypatch):
    days = demo_days(demo_data_dir)[-30:]
    stock_home = tmp_path / "stock"
    stock_home.mkdir()
    (stock_home / "dagster.yaml").write_text(f"storage:\n  sqlite:\n    base_dir: {stock_home}\n")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "batched"))
    batches: list[int] = []
    store_event_batch = BatchedSqliteEventLogStorage.store_event_batch

    def spy(self, events):
        batches.append(len(events))
        store_event_batch(self, events)

    monkeypatch.setattr(BatchedSqliteEventLogStorage, "store_event_batch", spy)
    with dg.DagsterInstance.from_config(str(stock_home)) as stock, instance_for_cli() as batched:
        assert isinstance(batched.event_log_storage, BatchedSqliteEventLogStorage)
        for instance in (stock, batched):
            result = materialize_window(
                defs, days[0], days[-1], instance, progress=False, selection=selected(defs, ASSETS)
            )
            assert result.success
        expected = _recorded(stock, days)
        assert expected["daily_bars"]["partitions"] == [d.isoformat() for d in days]
        assert len(expected["valuation_daily"]["events"]) == len(days) and expected["daily_bars"]["by_tag"] == 1
        assert _recorded(batched, days) == expected
        (run,) = batched.get_runs()
        logged = [
            e for e in batched.all_logs(run.run_id) if e.dagster_event_type == dg.DagsterEventType.ASSET_MATERIALIZATION
        ]
        assert len(logged) == len(ASSETS) * len(days)
        assert batches.count(len(days)) == len(ASSETS)  # each asset's partitions in one batch
