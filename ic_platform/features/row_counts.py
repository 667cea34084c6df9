"""Days whose row count fell as a partial delivery or a wrong setting makes it fall: the guard of
daily bars, of the universe and of the scores."""

from datetime import date

import polars as pl


def count_drops(counts: pl.DataFrame, max_drop: float, previous: int | None = None) -> pl.DataFrame:
    """Days of `counts` (date, rows, in date order) whose row count is more than `max_drop` below
    the day before's; the first day is compared with `previous` (the day before the window) when
    given. Columns date, previous, rows."""
    return (
        counts.with_columns(previous=pl.col("rows").shift(1, fill_value=previous).cast(pl.Int64))
        .filter(pl.col("rows") < pl.col("previous") * (1 - max_drop))
        .select("date", "previous", pl.col("rows").cast(pl.Int64))
    )


def describe_drops(drops: pl.DataFrame, what: str) -> str:
    """One line naming each day whose `what` count fell, with the counts."""
    return ", ".join(
        f"{day}: {what} {previous} -> {rows}" for day, previous, rows in drops.select("date", "previous", "rows").rows()
    )


def fell(previous: int, now: int, max_drop: float) -> bool:
    """Whether a count went from `previous` to `now`, more than `max_drop` below it."""
    return now < previous * (1 - max_drop)


def daily_counts(frame: pl.DataFrame, days: list[date]) -> pl.DataFrame:
    """Rows per day of `frame` (a `date` column) for each of `days`, 0 where it has none."""
    return (
        pl.DataFrame({"date": days}, schema={"date": pl.Date})
        .join(frame.group_by("date").agg(rows=pl.len()), on="date", how="left")
        .with_columns(pl.col("rows").fill_null(0).cast(pl.Int64))
        .sort("date")
    )
