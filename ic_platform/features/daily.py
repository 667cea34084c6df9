"""What the daily feature families share: a frame of days, and levels kept by running sums."""

from datetime import date

import polars as pl


def days_frame(days: list[date]) -> pl.DataFrame:
    """The trading days a chunk computes, as a one-column frame to join inputs on."""
    return pl.DataFrame({"date": days}, schema={"date": pl.Date})


def running_levels(contributions: pl.DataFrame, measures: tuple[str, ...]) -> pl.DataFrame:
    """Per (change_day, ticker), the sums of `measures` over the contributions that count on that day:
    each counts from its `knowledge_date` until (not on) its `until`, adding its measures on the
    first day and taking them away on the last, so running sums per ticker give every level."""
    events = pl.concat(
        [
            contributions.select("ticker", *measures, change_day="knowledge_date"),
            contributions.select("ticker", *(-pl.col(m) for m in measures), change_day="until"),
        ]
    )
    return (
        events.group_by("change_day", "ticker")
        .agg(pl.col(m).sum() for m in measures)
        .sort("change_day")
        .with_columns(pl.col(m).cum_sum().over("ticker") for m in measures)
    )
