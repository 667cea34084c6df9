"""Models and helpers shared by every domain."""

from datetime import date

import pandera.polars as pa
import polars as pl


class QuarantinedRecord(pa.DataFrameModel):
    """Input records kept aside with the reason they could not be used."""

    date: date = pa.Field(nullable=True, description="Trading day the record belongs to, when known")
    source: str = pa.Field(description="File, URL or source name the record came from")
    record: str = pa.Field(description="The record as received (JSON or text)")
    reason: str = pa.Field(description="Why the record was quarantined")


def quarantined_record(source: str, record: str, reason: str) -> dict:
    """A QuarantinedRecord row for an input without a trading day of its own."""
    return {"date": None, "source": source, "record": record, "reason": reason}


def polars_schema(model: type[pa.DataFrameModel]) -> pl.Schema:
    """The Polars schema a pandera model describes, in its column order."""
    return pl.Schema({name: column.dtype.type for name, column in model.to_schema().columns.items()})


def frame_of(model: type[pa.DataFrameModel], rows: list[dict]) -> pl.DataFrame:
    """Rows as a frame with the model's columns and types (an empty frame when there are none)."""
    return pl.DataFrame(rows, schema=polars_schema(model))
