"""Market-data tables."""

from datetime import date

import pandera.polars as pa
import polars as pl


class DailyBar(pa.DataFrameModel):
    """One ticker's trading day as traded: prices and volume as the market-data source delivered
    them, never adjusted for a split or dividend (those are `CorporateAction` rows)."""

    date: date = pa.Field(description="Trading day of the bar")
    ticker: str = pa.Field(description="Exchange ticker")
    open: float = pa.Field(gt=0, description="Opening price")
    high: float = pa.Field(gt=0, description="Highest price")
    low: float = pa.Field(gt=0, description="Lowest price")
    close: float = pa.Field(gt=0, description="Closing price")
    volume: float = pa.Field(ge=0, description="Shares traded")
    vwap: float = pa.Field(gt=0, nullable=True, description="Volume-weighted average price")
    transactions: int = pa.Field(ge=0, nullable=True, description="Number of trades")

    class Config:
        unique = ["date", "ticker"]

    @pa.dataframe_check(description="high is the day's highest and low its lowest price")
    def range_contains_open_and_close(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("high") >= pl.max_horizontal("open", "close", "low"))
            & (pl.col("low") <= pl.min_horizontal("open", "close"))
        )


ACTION_KINDS = ("split", "stock_dividend", "spin_off", "cash_dividend")
PRICE_RATIO_KINDS = ("split", "stock_dividend", "spin_off")  # prices before the ex-date are divided by the ratio
SHARE_RATIO_KINDS = ("split", "stock_dividend")  # share counts before the ex-date are multiplied by the ratio


class CorporateAction(pa.DataFrameModel):
    """A split, stock dividend, spin-off or cash dividend of a ticker, keyed by its ex-date: data
    every reader of the bars adjusts with, as of the day it computes."""

    ticker: str = pa.Field(description="Exchange ticker")
    ex_date: date = pa.Field(description="First trading day the shares trade without it (a split's execution date)")
    kind: str = pa.Field(isin=list(ACTION_KINDS), description="split, stock_dividend, spin_off or cash_dividend")
    ratio: float = pa.Field(
        gt=0,
        nullable=True,
        description=(
            "Prices before the ex-date are divided by it: new shares per old share for a split (below 1 "
            "for a reverse split) or stock dividend, the price factor of a spin-off; null for cash"
        ),
    )
    cash_amount: float = pa.Field(
        ge=0, nullable=True, description="Cash dividend per share as traded on the ex-date (USD); null otherwise"
    )
    declared_date: date = pa.Field(nullable=True, description="Day it was announced, where the source says")
    learned_at: pl.Datetime("us", "UTC") = pa.Field(description="When the platform first read it")
    source: str = pa.Field(description="Where it was read: the file or API endpoint")

    class Config:
        unique = ["ticker", "ex_date", "kind"]

    @pa.dataframe_check(description="a cash dividend has an amount and no ratio; the other kinds a ratio")
    def amount_or_ratio(cls, data: pa.PolarsData) -> pl.LazyFrame:
        cash = pl.col("kind") == "cash_dividend"
        return data.lazyframe.select(
            pl.when(cash)
            .then(pl.col("cash_amount").is_not_null() & pl.col("ratio").is_null())
            .otherwise(pl.col("ratio").is_not_null() & pl.col("cash_amount").is_null())
        )
