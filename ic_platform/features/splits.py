"""Share bases: a split changes the unit of a share, so share counts and per-share figures are
comparable with each other and with a price only on one basis.

A filing states its per-share figures and share counts on the basis of the day it was filed (under
US GAAP a split before the statements are issued is applied retroactively, so a later filing's
comparatives are restated). A figure filed on day F is put on day T's basis by the splits executed
after F and on or before T: share counts are multiplied by their ratios, per-share figures divided.

The splits are read off the bars' `split_factor` (the ratios of the splits after each bar that the
source divided its prices by): between two bars of a ticker the factor falls by the ratio of the
splits executed in between. Only splits up to a date change that date's basis, so the future never
reaches the past.
"""

import polars as pl

SHARE_COUNT_ITEMS = ("shares_outstanding",)
PER_SHARE_ITEMS = ("eps_basic", "eps_diluted")
SPLIT_INDEX_SCHEMA = pl.Schema(
    {
        "cik": pl.Int64,
        "date": pl.Date,
        "split_index": pl.Float64,
    }
)


def split_index(bars: pl.LazyFrame, companies: pl.DataFrame) -> pl.DataFrame:
    """Per CIK, each date its share basis changed (its first bar's date, then each split's) with
    `split_index`, the product of the ratios of the splits executed from its first bar to that date.

    A company with several tickers (share classes) follows the first in alphabetical order. Bars
    read day by day (a daily table's scan) are already in date order and are not sorted again:
    each company's bars are compared in the order they come.
    """
    listed = companies.select("ticker", "cik").sort("ticker").unique("cik", keep="first")
    factors = (
        bars.select("ticker", "date", "split_factor").join(listed.lazy(), on="ticker", maintain_order="left").collect()
    )
    if not factors.get_column("date").is_sorted():
        factors = factors.sort("date", maintain_order=True)
    changes = factors.filter(pl.col("split_factor").ne_missing(pl.col("split_factor").shift(1).over("cik")))
    first_factor = pl.col("split_factor").first().over("cik")
    return (
        changes.sort("cik", "date")
        .select("cik", "date", split_index=first_factor / pl.col("split_factor"))
        .cast(SPLIT_INDEX_SCHEMA)
    )


def index_on(frame: pl.DataFrame, index: pl.DataFrame, day: str, name: str) -> pl.DataFrame:
    """`frame` with column `name`: its company's split index on the date in column `day` (1 before
    the first bar and for a company without bars)."""
    looked_up = (
        frame.with_row_index("_row")
        .sort(day)
        .join_asof(
            index.rename({"date": "_index_date", "split_index": name}).sort("_index_date"),
            left_on=day,
            right_on="_index_date",
            by="cik",
            strategy="backward",
            check_sortedness=False,
        )
        .sort("_row")
    )
    return looked_up.with_columns(pl.col(name).fill_null(1.0)).drop("_row", "_index_date")


def restated(value: pl.Expr, line_item: str | pl.Expr, ratio: pl.Expr) -> pl.Expr:
    """`value` moved to another basis, `ratio` being the target basis's index over the value's."""
    if isinstance(line_item, str):
        line_item = pl.lit(line_item)
    return (
        pl.when(line_item.is_in(SHARE_COUNT_ITEMS))
        .then(value * ratio)
        .when(line_item.is_in(PER_SHARE_ITEMS))
        .then(value / ratio)
        .otherwise(value)
    )
