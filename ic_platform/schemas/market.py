"""Market-data tables."""

from datetime import date

import pandera.polars as pa
import polars as pl


class DailyBar(pa.DataFrameModel):
    """One ticker's trading day: prices as delivered by the market-data source."""

    date: date = pa.Field(description="Trading day of the bar")
    ticker: str = pa.Field(description="Exchange ticker")
    open: float = pa.Field(gt=0, description="Opening price")
    high: float = pa.Field(gt=0, description="Highest price")
    low: float = pa.Field(gt=0, description="Lowest price")
    close: float = pa.Field(gt=0, description="Closing price")
    volume: float = pa.Field(ge=0, description="Shares traded")
    vwap: float = pa.Field(gt=0, nullable=True, description="Volume-weighted average price")
    transactions: int = pa.Field(ge=0, nullable=True, description="Number of trades")
    split_factor: float = pa.Field(
        gt=0,
        description=(
            "Splits after the bar that its prices were divided by (1: as traded); close * "
            "split_factor is the price that day"
        ),
    )
    dividend: float = pa.Field(
        ge=0,
        description=(
            "Cash dividend per share going ex that day, in the bar's units (as paid / split_factor); 0 without one"
        ),
    )

    class Config:
        unique = ["date", "ticker"]

    @pa.dataframe_check(description="high is the day's highest and low its lowest price")
    def range_contains_open_and_close(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("high") >= pl.max_horizontal("open", "close", "low"))
            & (pl.col("low") <= pl.min_horizontal("open", "close"))
        )
