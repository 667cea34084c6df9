"""Corporate actions as adjustments: bars are stored as traded, and every reader puts them on one
basis with the actions whose ex-date they reach, as of the day it computes.

Each ticker has two running indexes, 1 before its first action and multiplied by each action's
ratio from its ex-date on: the price index (splits, stock dividends and spin-offs: a price before
the ex-date is worth the price after times the ratio) and the share index (splits and stock
dividends only: a spin-off changes no share count). Both only look back: an action changes the
index from its ex-date on and never before, so a row computed from the bars up to D-1 is the same
whether it was computed that day or rebuilt after later actions arrived.

- `adjusted_bars`: prices times the price index (volume over the share index), so returns and
  indicators run across a split; `split_factor` (1 / the price index) takes a price back to as
  traded, and `dividend` is the cash going ex that day in the same units.
- Share bases: a filing states its per-share figures and share counts on the basis of the day it
  was filed (under US GAAP a split before the statements are issued is applied retroactively, so a
  later filing's comparatives are restated). A figure filed on day F is put on day T's basis by the
  share index's ratio between T and F (`index_on`, `restated`).
"""

import polars as pl

from ic_platform.schemas.market import PRICE_RATIO_KINDS, SHARE_RATIO_KINDS

SHARE_COUNT_ITEMS = ("shares_outstanding",)
PER_SHARE_ITEMS = ("eps_basic", "eps_diluted")
SPLIT_INDEX_SCHEMA = pl.Schema(
    {
        "cik": pl.Int64,
        "date": pl.Date,
        "split_index": pl.Float64,
    }
)
INDEX_SCHEMA = pl.Schema({"ticker": pl.String, "date": pl.Date, "price_index": pl.Float64, "share_index": pl.Float64})


def action_indexes(actions: pl.DataFrame) -> pl.DataFrame:
    """Per ticker, each ex-date of a split, stock dividend or spin-off with the price and share
    indexes from that day on (the products of the ratios of its actions up to that day)."""
    ratios = actions.filter(pl.col("kind").is_in(PRICE_RATIO_KINDS)).select(
        "ticker",
        date="ex_date",
        price_ratio="ratio",
        share_ratio=pl.when(pl.col("kind").is_in(SHARE_RATIO_KINDS)).then("ratio").otherwise(1.0),
    )
    return (
        ratios.group_by("ticker", "date")
        .agg(pl.col("price_ratio").product(), pl.col("share_ratio").product())
        .sort("ticker", "date")
        .select(
            "ticker",
            "date",
            price_index=pl.col("price_ratio").cum_prod().over("ticker"),
            share_index=pl.col("share_ratio").cum_prod().over("ticker"),
        )
        .cast(INDEX_SCHEMA)
    )


def adjusted_bars(bars: pl.LazyFrame, actions: pl.DataFrame) -> pl.LazyFrame:
    """`bars` (as traded, in date order as a daily table reads) on one basis per ticker: prices times
    the ticker's price index on the bar's date, volume over its share index, with `split_factor`
    (close * split_factor is the close as traded) and `dividend` (the cash per share going ex that
    day, in the adjusted units; 0 without one)."""
    indexes = action_indexes(actions)
    cash = (
        actions.filter(pl.col("kind") == "cash_dividend")
        .group_by("ticker", date="ex_date")
        .agg(_cash=pl.col("cash_amount").sum())
    )
    frame = bars.join_asof(
        indexes.lazy(), on="date", by="ticker", strategy="backward", check_sortedness=False
    ).with_columns(pl.col("price_index", "share_index").fill_null(1.0))
    if not cash.is_empty():
        frame = frame.join(cash.lazy(), on=["ticker", "date"], how="left", maintain_order="left")
    else:
        frame = frame.with_columns(_cash=pl.lit(None, pl.Float64))
    prices = [c for c in ("open", "high", "low", "close", "vwap") if c in bars.collect_schema().names()]
    return frame.with_columns(
        *(pl.col(c) * pl.col("price_index") for c in prices),
        pl.col("volume") / pl.col("share_index"),
        split_factor=1 / pl.col("price_index"),
        dividend=pl.col("_cash").fill_null(0.0) * pl.col("price_index"),
    ).drop("price_index", "share_index", "_cash")


def ticker_index(actions: pl.DataFrame, which: str = "share_index") -> pl.DataFrame:
    """Per ticker, each date its share basis (or, with `which="price_index"`, its price basis)
    changed, with `split_index`, the index from that day on."""
    return action_indexes(actions).select("ticker", "date", split_index=which)


def split_index(actions: pl.DataFrame, companies: pl.DataFrame) -> pl.DataFrame:
    """Per CIK, each date its share basis changed with `split_index` (the share index of its ticker).

    A company with several tickers (share classes) follows the first in alphabetical order."""
    listed = companies.select("ticker", "cik").sort("ticker").unique("cik", keep="first")
    return (
        ticker_index(actions)
        .join(listed, on="ticker")
        .select("cik", "date", "split_index")
        .sort("cik", "date")
        .cast(SPLIT_INDEX_SCHEMA)
    )


def index_on(frame: pl.DataFrame, index: pl.DataFrame, day: str, name: str, by: str = "cik") -> pl.DataFrame:
    """`frame` with column `name`: the split index (of `index`, per `by`) on the date in column `day`
    (1 before the first split and for one without splits)."""
    looked_up = (
        frame.with_row_index("_row")
        .sort(day)
        .join_asof(
            index.rename({"date": "_index_date", "split_index": name}).sort("_index_date"),
            left_on=day,
            right_on="_index_date",
            by=by,
            strategy="backward",
            check_sortedness=False,
        )
        .sort("_row")
    )
    return looked_up.with_columns(pl.col(name).fill_null(1.0)).drop("_row", "_index_date")


TICKER_INDEX_SCHEMA = pl.Schema({"ticker": pl.String, "date": pl.Date, "split_index": pl.Float64})


def ticker_index_on(frame: pl.DataFrame, splits: pl.DataFrame | None, day: str, name: str) -> pl.DataFrame:
    """`frame` with column `name`: its ticker's index in `splits` (a `ticker_index`; None: no
    splits) on the date in column `day`."""
    return index_on(frame, pl.DataFrame(schema=TICKER_INDEX_SCHEMA) if splits is None else splits, day, name, "ticker")


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


MAX_STEP = 2.0  # a close above twice, or below half, the previous one (both adjusted) is a jump


def unexplained_jumps(bars: pl.LazyFrame, actions: pl.DataFrame, since=None) -> pl.DataFrame:
    """The closes (from `since` on) more than MAX_STEP times above or below their ticker's previous
    close once both are adjusted with `actions` and the day's dividend is added back: a step that no
    known split, stock dividend, spin-off or dividend explains. Columns date, ticker, previous_date,
    previous_close and close (as traded) and `step`, the adjusted ratio. `bars` (as traded) must
    hold each ticker's bar before `since`, in date order."""
    adjusted = adjusted_bars(bars.select("date", "ticker", "close", "volume"), actions)
    previous = pl.col("close").shift(1).over("ticker")
    steps = adjusted.with_columns(
        previous_date=pl.col("date").shift(1).over("ticker"),
        step=(pl.col("close") + pl.col("dividend")) / previous,
        previous_close=previous * pl.col("split_factor").shift(1).over("ticker"),
        close=pl.col("close") * pl.col("split_factor"),
    ).filter((pl.col("step") > MAX_STEP) | (pl.col("step") < 1 / MAX_STEP))
    if since is not None:
        steps = steps.filter(pl.col("date") >= since)
    return (
        steps.select("date", "ticker", "previous_date", "previous_close", "close", "step")
        .collect()
        .sort("date", "ticker")
    )
