"""Insider activity per ticker and day, from Form 4 transactions: a pure Polars function.

Point in time: a filing counts from the first trading day after its acceptance date (`knowledge_date`);
a 4/A replaces its original from the day the amendment is known. Rows carry the newest knowledge date
they used in `inputs_knowledge_date`."""

from datetime import date, timedelta

import polars as pl

from ic_platform.features.daily import days_frame

INSIDER_WINDOWS = (30, 90)  # calendar days of transactions


def with_amendments(transactions: pl.DataFrame) -> pl.DataFrame:
    """Adds `superseded_from`: the knowledge date of a later 4/A for the same issuer, owner and
    period, from which the original's rows no longer count (the amendment's rows replace them)."""
    key = ["issuer_cik", "owner_cik", "period_of_report"]
    amendments = (
        transactions.filter(pl.col("form").str.ends_with("/A"))
        .group_by(key + ["knowledge_date"])
        .agg()
        .rename({"knowledge_date": "amended_known"})
    )
    originals = transactions.with_row_index("_row")
    superseded = (
        originals.filter(~pl.col("form").str.ends_with("/A"))
        .join(amendments, on=key)
        .filter(pl.col("amended_known") >= pl.col("knowledge_date"))
        .group_by("_row")
        .agg(superseded_from=pl.col("amended_known").min())
    )
    return originals.join(superseded, on="_row", how="left").drop("_row")


def insider_daily(transactions: pl.DataFrame, days: list[date]) -> pl.DataFrame:
    """Per (date, ticker): net open-market buying by value (P minus S) over 30 and 90 days, distinct
    buyers over 90 days and the count of transactions, from non-derivative transactions known by D."""
    value = (
        pl.when(pl.col("code") == "P").then(1.0).when(pl.col("code") == "S").then(-1.0).otherwise(0.0)
        * pl.col("shares")
        * pl.col("price").fill_null(0.0)
    )
    rows = (
        with_amendments(transactions)
        .filter(~pl.col("is_derivative"))
        .with_columns(
            value=value,
            first_owner=pl.col("owner_cik") == pl.col("owner_cik").first().over("accession", "transaction_index"),
        )
    )
    joined = (
        days_frame(days)
        .join_where(
            rows,
            pl.col("date") >= pl.col("knowledge_date"),
            pl.col("transaction_date") > pl.col("date") - timedelta(days=INSIDER_WINDOWS[1]),
        )
        .filter(pl.col("superseded_from").is_null() | (pl.col("date") < pl.col("superseded_from")))
    )
    counted = pl.col("first_owner")  # a joint filing's transaction counts once
    recent = pl.col("transaction_date") > pl.col("date") - timedelta(days=INSIDER_WINDOWS[0])
    return (
        joined.group_by("date", "ticker")
        .agg(
            insider_net_buying_30d=pl.col("value").filter(counted & recent).sum(),
            insider_net_buying_90d=pl.col("value").filter(counted).sum(),
            insider_buyers_90d=pl.col("owner_cik").filter(pl.col("code") == "P").n_unique().cast(pl.Int64),
            insider_transactions_90d=counted.sum().cast(pl.Int64),
            inputs_knowledge_date=pl.col("knowledge_date").max(),
        )
        .sort("date", "ticker")
    )
