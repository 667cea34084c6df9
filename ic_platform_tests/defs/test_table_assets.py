from datetime import date

import dagster as dg
import pandera.polars as pa
import polars as pl

from ic_platform.defs.partitions import RANGE_END_TAG, RANGE_START_TAG
from ic_platform.defs.stores import TableStore
from ic_platform.defs.table_assets import column_schema, daily_asset, materialized
from ic_platform.storage import DailyTable, WriteSummary


class Price(pa.DataFrameModel):
    date: date
    ticker: str
    close: float = pa.Field(gt=0, description="Closing price")


PRICES = DailyTable("prices", Price, ("date", "ticker"))
# two tickers on the first day, one on the second, none on the third
DAYS = (date(2024, 7, 1), date(2024, 7, 2), date(2024, 7, 3))
ROWS = pl.DataFrame(
    {"date": [DAYS[0], DAYS[0], DAYS[1]], "ticker": ["AAA", "BBB", "AAA"], "close": [10.123456, 20.0, 11.0]}
)


def test_the_column_schema_comes_from_the_model():
    schema = column_schema(Price)
    assert [c.name for c in schema.columns] == ["date", "ticker", "close"]
    assert schema.columns[2].description == "Closing price"


def test_a_snapshot_write_becomes_a_materialization_with_its_counts_and_preview():
    result = materialized(WriteSummary(8, ROWS.head(1), quarantined=1), asset_key="prices", model="x")
    assert result.metadata["dagster/row_count"] == 8 and result.metadata["quarantined_rows"] == 1
    assert result.metadata["model"] == "x"
    table = result.metadata["preview"]  # a typed table, its floats rounded
    assert [column.name for column in table.schema.columns] == ["date", "ticker", "close"]
    assert table.records[0].data == {"date": "2024-07-01", "ticker": "AAA", "close": 10.1235}
    assert result.asset_key.to_user_string() == "prices"
    assert "quarantined_rows" not in materialized(WriteSummary(1, ROWS.head(1))).metadata


def test_a_range_run_records_each_days_own_rows_and_preview(data_dir):
    @daily_asset("test", PRICES)
    def prices(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        return materialized(PRICES.write(ROWS, DAYS[0], DAYS[-1]), source="test")

    instance = dg.DagsterInstance.ephemeral()
    tags = {RANGE_START_TAG: DAYS[0].isoformat(), RANGE_END_TAG: DAYS[-1].isoformat()}
    assert dg.materialize([prices], instance=instance, tags=tags, resources={"table_store": TableStore()}).success

    events = instance.fetch_materializations(dg.AssetKey("prices"), limit=10).records
    by_day = {e.partition_key: e.asset_materialization.metadata for e in events}
    assert sorted(by_day) == [day.isoformat() for day in DAYS]  # one event per day, in the one run
    assert [by_day[day.isoformat()]["dagster/row_count"].value for day in DAYS] == [2, 1, 0]
    tickers = [[r.data["ticker"] for r in by_day[day.isoformat()]["preview"].value.records] for day in DAYS]
    assert tickers == [["AAA", "BBB"], ["AAA"], []]
    assert all(metadata["source"].value == "test" for metadata in by_day.values())  # the run's own metadata
