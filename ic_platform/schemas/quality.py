"""The data-quality report's table: one row per day, table, column and measure."""

from datetime import date

import pandera.polars as pa

METRICS = (
    "rows",
    "rows_vs_trailing_median",
    "null_share",
    "null_share_change",
    "psi",
    "psi_vs_usual",
    "quarantined",
    "unexplained_jump",
)


class QualityMeasure(pa.DataFrameModel):
    """A measure of one table (and column) on one trading day."""

    date: date = pa.Field(description="Trading day measured")
    table: str = pa.Field(description="Table measured (a source table for quarantined records)")
    column: str = pa.Field(description="Column measured; empty for a measure of the whole table")
    metric: str = pa.Field(
        isin=METRICS,
        description="rows; rows_vs_trailing_median (the day's rows over the trailing 60 days' median); "
        "null_share; null_share_change (against the trailing 60 days' mean); psi (population stability "
        "index against the trailing 60 days); psi_vs_usual (the psi over the column's median psi of the "
        "trailing 60 days); quarantined (records kept aside, by reason); unexplained_jump (a close's step "
        "from the previous one, adjusted with the known corporate actions, beyond 2x or 0.5x)",
    )
    detail: str = pa.Field(
        description="The quarantine reason, or the ticker of an unexplained jump; empty for the other measures"
    )
    value: float = pa.Field(description="The measure")

    class Config:
        unique = ["date", "table", "column", "metric", "detail"]
