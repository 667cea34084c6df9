"""Institutional ownership per ticker and day, from 13F-HR reports: pure Polars functions.

Point in time: a report counts from the first trading day after its acceptance date (`knowledge_date`)
until the manager's next current report is known or it is STALE_13F_DAYS past its period."""

from datetime import date, timedelta

import polars as pl

from ic_platform.features.daily import running_levels
from ic_platform.features.splits import ticker_index_on

STALE_13F_DAYS = 200  # a manager whose latest report is older than this no longer counts
# shares held below this (on the basis before a split) are the rounding left by the running sums
# of shares divided by a split ratio, not a holding
HELD_FLOOR = 1e-3


def current_reports(filings: pl.DataFrame) -> pl.DataFrame:
    """Each manager's filings that become its current report when known (a late filing for an older
    period does not replace a newer one), with the accession of the previous period's report."""
    ordered = filings.sort("manager_cik", "knowledge_date", "accession")
    current = ordered.filter(pl.col("period") >= pl.col("period").cum_max().over("manager_cik"))
    last_of_period = (
        current.group_by("manager_cik", "period")
        .agg(pl.col("accession").last().alias("period_accession"))
        .sort("manager_cik", "period")
    )
    previous = last_of_period.with_columns(
        previous_accession=pl.col("period_accession").shift(1).over("manager_cik")
    ).drop("period_accession")
    return current.join(previous, on=["manager_cik", "period"], how="left")


MEASURES = ("held", "holders", "held_by_continuing", "previous")


def institutional_levels(
    filings: pl.DataFrame, holdings: pl.DataFrame, splits: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Per (change_day, ticker): shares held by the managers' current reports, holders, shares held by
    managers that also reported the quarter before, and those managers' previous shares, on every
    day that changes them.

    `filings`: accession, manager_cik, period, knowledge_date. `holdings`: accession, ticker, shares
    (common shares). A report counts from its knowledge date until the manager's next current report
    is known or it is STALE_13F_DAYS past its period; each report adds its holdings on the first day
    and takes them away on the last, and running sums give the levels (no per-day state of every manager).
    The shares are counted on the basis before the ticker's first split: each report's shares are
    divided by `splits`' index (`features.splits.ticker_index`) on its period's last day.
    """
    reports = current_reports(filings).sort("manager_cik", "knowledge_date", "accession")
    reports = reports.with_columns(
        until=pl.max_horizontal(
            "knowledge_date",
            pl.min_horizontal(
                pl.col("knowledge_date").shift(-1).over("manager_cik"),
                pl.col("period") + timedelta(days=STALE_13F_DAYS),
            ),
        )
    )
    per_ticker = ticker_index_on(
        holdings.group_by("accession", "ticker")
        .agg(pl.col("shares").sum())
        .join(reports.select("accession", "period"), on="accession"),
        splits,
        "period",
        "_index",
    ).select("accession", "ticker", shares=pl.col("shares") / pl.col("_index"))
    now = reports.join(per_ticker, on="accession").select(
        "accession",
        "ticker",
        held="shares",
        holders=(pl.col("shares") > 0).cast(pl.Int64),
        held_by_continuing=pl.when(pl.col("previous_accession").is_not_null()).then("shares").otherwise(0.0),
        previous=pl.lit(0.0),
    )
    before = reports.join(per_ticker.rename({"accession": "previous_accession"}), on="previous_accession").select(
        "accession",
        "ticker",
        held=pl.lit(0.0),
        holders=pl.lit(0, dtype=pl.Int64),
        held_by_continuing=pl.lit(0.0),
        previous="shares",
    )
    return running_levels(
        pl.concat([now, before]).join(reports.select("accession", "knowledge_date", "until"), on="accession"), MEASURES
    )


def institutional_daily(
    levels: pl.DataFrame, shares_outstanding: pl.DataFrame, days: list[date], splits: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Per (date, ticker): shares held by 13F managers over shares outstanding, their quarter-over-quarter
    change (managers that reported both quarters), and the holder count, from `institutional_levels`.
    The shares held are put on the basis of the close the shares outstanding are on (`splits`' index
    on `close_date`).

    `shares_outstanding`: date, ticker, close_date, shares_outstanding, shares_known.
    """
    on_close_basis = ticker_index_on(
        shares_outstanding.filter(pl.col("date").is_in(days)), splits, "close_date", "_index"
    )
    rows = (
        on_close_basis.sort("date")
        .join_asof(
            levels, left_on="date", right_on="change_day", by="ticker", strategy="backward", check_sortedness=False
        )
        .filter(pl.col("held") > HELD_FLOOR)
        .with_columns(pl.col("held", "held_by_continuing", "previous") * pl.col("_index"))
    )
    return rows.select(
        "date",
        "ticker",
        institutional_ownership=pl.col("held") / pl.col("shares_outstanding"),
        institutional_ownership_change=pl.when(pl.col("previous") > 0).then(
            pl.col("held_by_continuing") / pl.col("previous") - 1
        ),
        institutional_holders="holders",
        shares_held="held",
        inputs_knowledge_date=pl.max_horizontal("change_day", "shares_known"),  # the reports current on change_day
    ).sort("date", "ticker")
