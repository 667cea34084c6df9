"""Analyst consensus per ticker and day, from rating actions: pure Polars functions.

Point in time: a rating published before D's 09:30 New York open counts for D (`knowledge_date`), and
stays current for RATING_WINDOW_DAYS or until the firm's next rating.

Price targets are stated in the prices traded when they are published; across a split they are
compared with the prior close on one basis (`splits`, a `features.splits.ticker_index` of prices)."""

from datetime import date, timedelta

import polars as pl

from ic_platform.features.daily import days_frame, running_levels
from ic_platform.features.splits import ticker_index_on

RATING_WINDOW_DAYS = 90


ANALYST_MEASURES = ("firms", "scores", "score_sum", "targets", "target_sum")


def analyst_levels(ratings: pl.DataFrame, splits: pl.DataFrame | None = None) -> pl.DataFrame:
    """Per (change_day, ticker): the firms with a current rating, how many of them have a score and a
    price target, and their sums, on every day that changes them.

    `ratings`: ticker, firm, published_utc, rating_score, price_target, knowledge_date. A firm's rating
    is current from its knowledge date until the firm's next rating is known or RATING_WINDOW_DAYS
    after its publication; it adds to the sums on the first day and leaves them on the last. Targets
    are summed on the basis before the ticker's first split (times the price index on their day).
    """
    ratings = ticker_index_on(
        ratings.with_columns(_day=pl.col("published_utc").dt.date()), splits, "_day", "_index"
    ).with_columns(pl.col("price_target") * pl.col("_index"))
    ordered = ratings.sort("ticker", "firm", "published_utc", maintain_order=True)
    same_firm_next = (pl.col("ticker").shift(-1) == pl.col("ticker")) & pl.col("firm").shift(-1).eq_missing(
        pl.col("firm")
    )
    expiry = pl.col("published_utc").dt.date() + timedelta(days=RATING_WINDOW_DAYS)
    current = ordered.select(
        "ticker",
        "knowledge_date",
        until=pl.max_horizontal(
            "knowledge_date",
            pl.min_horizontal(pl.when(same_firm_next).then(pl.col("knowledge_date").shift(-1)), expiry),
        ),
        firms=pl.lit(1, dtype=pl.Int64),
        scores=pl.col("rating_score").is_not_null().cast(pl.Int64),
        score_sum=pl.col("rating_score").fill_null(0.0),
        targets=pl.col("price_target").is_not_null().cast(pl.Int64),
        target_sum=pl.col("price_target").fill_null(0.0),
    )
    return running_levels(current, ANALYST_MEASURES).with_columns(
        pl.col("target_sum").round(6)
    )  # no float dust from adding and removing targets


def analyst_daily(
    levels: pl.DataFrame, prior_close: pl.DataFrame, days: list[date], splits: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Per (date, ticker): the consensus (mean 1-5 rating) of each firm's latest rating of the last 90
    days, the mean price target's upside against the prior close, and the number of firms, from
    `analyst_levels`; `inputs_knowledge_date` is the day the ratings last changed (or the close's).

    `prior_close`: date, ticker, close_date, close (as traded), close_known (the close D's rows may
    use, and when it was known).
    """
    prior_close = ticker_index_on(prior_close, splits, "close_date", "_index").select(
        "date", "ticker", "close_known", close=pl.col("close") * pl.col("_index")
    )
    grid = days_frame(days).join(levels.select("ticker").unique(), how="cross").sort("date")
    rows = grid.join_asof(
        levels, left_on="date", right_on="change_day", by="ticker", strategy="backward", check_sortedness=False
    )
    return (
        rows.filter(pl.col("firms") > 0)
        .join(prior_close, on=["date", "ticker"], how="left")
        .select(
            "date",
            "ticker",
            analyst_mean_rating=pl.when(pl.col("scores") > 0).then(pl.col("score_sum") / pl.col("scores")),
            price_target_upside=pl.when(pl.col("targets") > 0).then(
                pl.col("target_sum") / pl.col("targets") / pl.col("close") - 1
            ),
            analysts="firms",
            inputs_knowledge_date=pl.max_horizontal(
                "change_day", pl.when(pl.col("targets") > 0).then(pl.col("close_known"))
            ),
        )
        .sort("date", "ticker")
    )
