from datetime import date

import pandera.polars as pa
import polars as pl

from ic_platform.defs.table_assets import column_schema, materialized
from ic_platform.storage import WriteSummary


class Price(pa.DataFrameModel):
    date: date
    ticker: str
    close: float = pa.Field(gt=0, description="Closing price")


def test_the_column_schema_comes_from_the_model():
    schema = column_schema(Price)
    assert [c.name for c in schema.columns] == ["date", "ticker", "close"]
    assert schema.columns[2].description == "Closing price"


def test_a_write_becomes_a_materialization_with_its_counts_and_preview():
    preview = pl.DataFrame({"date": [date(2024, 7, 1)], "ticker": ["AAA"], "close": [10.123456]})
    result = materialized(WriteSummary(8, preview, partitions=4, quarantined=1), asset_key="prices", model="x")
    assert result.metadata["dagster/row_count"] == 8 and result.metadata["partitions_written"] == 4
    assert result.metadata["quarantined_rows"] == 1 and result.metadata["model"] == "x"
    table = result.metadata["preview"]  # a typed table, its floats rounded
    assert [column.name for column in table.schema.columns] == ["date", "ticker", "close"]
    assert table.records[0].data == {"date": "2024-07-01", "ticker": "AAA", "close": 10.1235}
    assert result.asset_key.to_user_string() == "prices"
    assert "partitions_written" not in materialized(WriteSummary(1, preview)).metadata
