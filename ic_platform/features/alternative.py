"""Daily insider, institutional, analyst and news features, as pure Polars functions.

Point in time (DESIGN.md): Form 4 and 13F filings count from the first trading day after their
acceptance date; news and ratings published before D's 09:30 New York open count for D. Every
function takes a `knowledge_date` per input and returns, per (date, ticker), the newest one used in
`inputs_knowledge_date`, so the asset checks can refuse a row that used anything from after its day.
"""

from datetime import date, timedelta

import polars as pl

from ic_platform.trading_days import next_trading_days

NEW_YORK = "America/New_York"
INSIDER_WINDOWS = (30, 90)  # calendar days of transactions
RATING_WINDOW_DAYS = 90
SENTIMENT_WINDOWS = (7, 30)
STALE_13F_DAYS = 200  # a manager whose latest report is older than this no longer counts


def before_open_knowledge_date(published_utc: pl.Series) -> pl.Series:
    """The trading day whose 09:30 New York open comes first after each UTC publication time."""
    local = published_utc.dt.convert_time_zone(NEW_YORK)
    before_open = local.dt.hour().cast(pl.Int32) * 60 + local.dt.minute().cast(pl.Int32) < 9 * 60 + 30
    candidate = pl.select(pl.when(before_open).then(local.dt.date()).otherwise(local.dt.date() + timedelta(days=1))).to_series()
    return next_trading_days(candidate - timedelta(days=1))


def _days(days: list[date]) -> pl.DataFrame:
    return pl.DataFrame({"date": days}, schema={"date": pl.Date})


# --- insiders -----------------------------------------------------------------------------------


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
    value = pl.when(pl.col("code") == "P").then(1.0).when(pl.col("code") == "S").then(-1.0).otherwise(0.0) * pl.col("shares") * pl.col("price").fill_null(0.0)
    rows = (
        with_amendments(transactions)
        .filter(~pl.col("is_derivative"))
        .with_columns(
            value=value,
            first_owner=pl.col("owner_cik") == pl.col("owner_cik").first().over("accession", "transaction_index"),
        )
    )
    joined = _days(days).join_where(
        rows,
        pl.col("date") >= pl.col("knowledge_date"),
        pl.col("transaction_date") > pl.col("date") - timedelta(days=INSIDER_WINDOWS[1]),
    ).filter(pl.col("superseded_from").is_null() | (pl.col("date") < pl.col("superseded_from")))
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


# --- institutions ---------------------------------------------------------------------------------


def current_reports(filings: pl.DataFrame) -> pl.DataFrame:
    """Each manager's filings that become its current report when known (a late filing for an older
    period does not replace a newer one), with the accession of the previous period's report."""
    ordered = filings.sort("manager_cik", "knowledge_date", "accession")
    current = ordered.filter(pl.col("period") >= pl.col("period").cum_max().over("manager_cik"))
    last_of_period = current.group_by("manager_cik", "period").agg(pl.col("accession").last().alias("period_accession")).sort("manager_cik", "period")
    previous = last_of_period.with_columns(previous_accession=pl.col("period_accession").shift(1).over("manager_cik")).drop("period_accession")
    return current.join(previous, on=["manager_cik", "period"], how="left")


def _running_levels(contributions: pl.DataFrame, measures: tuple[str, ...]) -> pl.DataFrame:
    """Per (change_day, ticker), the sums of `measures` over the contributions that count on that day:
    each counts from its `knowledge_date` until (not on) its `until`, adding its measures on the
    first day and taking them away on the last, so running sums per ticker give every level."""
    events = pl.concat([
        contributions.select("ticker", *measures, change_day="knowledge_date"),
        contributions.select("ticker", *(-pl.col(m) for m in measures), change_day="until"),
    ])
    return (
        events.group_by("change_day", "ticker").agg(pl.col(m).sum() for m in measures)
        .sort("change_day")
        .with_columns(pl.col(m).cum_sum().over("ticker") for m in measures)
    )


MEASURES = ("held", "holders", "held_by_continuing", "previous")


def institutional_levels(filings: pl.DataFrame, holdings: pl.DataFrame) -> pl.DataFrame:
    """Per (change_day, ticker): shares held by the managers' current reports, holders, shares held by
    managers that also reported the quarter before, and those managers' previous shares, on every
    day that changes them.

    `filings`: accession, manager_cik, period, knowledge_date. `holdings`: accession, ticker, shares
    (common shares). A report counts from its knowledge date until the manager's next current report
    is known or it is STALE_13F_DAYS past its period; each report adds its holdings on the first day
    and takes them away on the last, and running sums give the levels (no per-day state of every manager).
    """
    reports = current_reports(filings).sort("manager_cik", "knowledge_date", "accession")
    reports = reports.with_columns(
        until=pl.max_horizontal(
            "knowledge_date",
            pl.min_horizontal(pl.col("knowledge_date").shift(-1).over("manager_cik"), pl.col("period") + timedelta(days=STALE_13F_DAYS)),
        )
    )
    per_ticker = holdings.group_by("accession", "ticker").agg(pl.col("shares").sum())
    now = reports.join(per_ticker, on="accession").select(
        "accession", "ticker", held="shares", holders=(pl.col("shares") > 0).cast(pl.Int64),
        held_by_continuing=pl.when(pl.col("previous_accession").is_not_null()).then("shares").otherwise(0.0), previous=pl.lit(0.0),
    )
    before = reports.join(per_ticker.rename({"accession": "previous_accession"}), on="previous_accession").select(
        "accession", "ticker", held=pl.lit(0.0), holders=pl.lit(0, dtype=pl.Int64), held_by_continuing=pl.lit(0.0), previous="shares",
    )
    return _running_levels(pl.concat([now, before]).join(reports.select("accession", "knowledge_date", "until"), on="accession"), MEASURES)


def institutional_daily(levels: pl.DataFrame, shares_outstanding: pl.DataFrame, days: list[date]) -> pl.DataFrame:
    """Per (date, ticker): shares held by 13F managers over shares outstanding, their quarter-over-quarter
    change (managers that reported both quarters), and the holder count, from `institutional_levels`.

    `shares_outstanding`: date, ticker, shares_outstanding, shares_known.
    """
    rows = (
        shares_outstanding.filter(pl.col("date").is_in(days)).sort("date")
        .join_asof(levels, left_on="date", right_on="change_day", by="ticker", strategy="backward", check_sortedness=False)
        .filter(pl.col("held") > 0)
    )
    return rows.select(
        "date",
        "ticker",
        institutional_ownership=pl.col("held") / pl.col("shares_outstanding"),
        institutional_ownership_change=pl.when(pl.col("previous") > 0).then(pl.col("held_by_continuing") / pl.col("previous") - 1),
        institutional_holders="holders",
        shares_held="held",
        inputs_knowledge_date=pl.max_horizontal("change_day", "shares_known"),  # the reports current on change_day
    ).sort("date", "ticker")


# --- analysts and news ----------------------------------------------------------------------------


ANALYST_MEASURES = ("firms", "scores", "score_sum", "targets", "target_sum")


def analyst_levels(ratings: pl.DataFrame) -> pl.DataFrame:
    """Per (change_day, ticker): the firms with a current rating, how many of them have a score and a
    price target, and their sums, on every day that changes them.

    `ratings`: ticker, firm, published_utc, rating_score, price_target, knowledge_date. A firm's rating
    is current from its knowledge date until the firm's next rating is known or RATING_WINDOW_DAYS
    after its publication; it adds to the sums on the first day and leaves them on the last.
    """
    ordered = ratings.sort("ticker", "firm", "published_utc", maintain_order=True)
    same_firm_next = (pl.col("ticker").shift(-1) == pl.col("ticker")) & pl.col("firm").shift(-1).eq_missing(pl.col("firm"))
    expiry = pl.col("published_utc").dt.date() + timedelta(days=RATING_WINDOW_DAYS)
    current = ordered.select(
        "ticker", "knowledge_date",
        until=pl.max_horizontal("knowledge_date", pl.min_horizontal(pl.when(same_firm_next).then(pl.col("knowledge_date").shift(-1)), expiry)),
        firms=pl.lit(1, dtype=pl.Int64), scores=pl.col("rating_score").is_not_null().cast(pl.Int64), score_sum=pl.col("rating_score").fill_null(0.0),
        targets=pl.col("price_target").is_not_null().cast(pl.Int64), target_sum=pl.col("price_target").fill_null(0.0),
    )
    return _running_levels(current, ANALYST_MEASURES).with_columns(pl.col("target_sum").round(6))  # no float dust from adding and removing targets


def analyst_daily(levels: pl.DataFrame, prior_close: pl.DataFrame, days: list[date]) -> pl.DataFrame:
    """Per (date, ticker): the consensus (mean 1-5 rating) of each firm's latest rating of the last 90
    days, the mean price target's upside against the prior close, and the number of firms, from
    `analyst_levels`; `inputs_knowledge_date` is the day the ratings last changed (or the close's).

    `prior_close`: date, ticker, close, close_known (the close D's rows may use and when it was known).
    """
    grid = _days(days).join(levels.select("ticker").unique(), how="cross").sort("date")
    rows = grid.join_asof(levels, left_on="date", right_on="change_day", by="ticker", strategy="backward", check_sortedness=False)
    return (
        rows.filter(pl.col("firms") > 0)
        .join(prior_close, on=["date", "ticker"], how="left")
        .select(
            "date", "ticker",
            analyst_mean_rating=pl.when(pl.col("scores") > 0).then(pl.col("score_sum") / pl.col("scores")),
            price_target_upside=pl.when(pl.col("targets") > 0).then(pl.col("target_sum") / pl.col("targets") / pl.col("close") - 1),
            analysts="firms",
            inputs_knowledge_date=pl.max_horizontal("change_day", pl.when(pl.col("targets") > 0).then(pl.col("close_known"))),
        )
        .sort("date", "ticker")
    )


def news_sentiment_daily(articles: pl.DataFrame, days: list[date]) -> pl.DataFrame:
    """Per (date, ticker): mean article sentiment and article count over the 7 and 30 days before D's open.

    `articles`: ticker (one row per article and ticker), published_utc, sentiment, knowledge_date.
    """
    opens = _days(days).with_columns(
        open_utc=(pl.col("date").cast(pl.Datetime("us")) + timedelta(hours=9, minutes=30)).dt.replace_time_zone(NEW_YORK).dt.convert_time_zone("UTC")
    )
    joined = opens.join_where(
        articles.with_columns(pl.col("published_utc").dt.convert_time_zone("UTC")),
        pl.col("published_utc") < pl.col("open_utc"),
        pl.col("published_utc") >= pl.col("open_utc") - timedelta(days=SENTIMENT_WINDOWS[1]),
    )
    week = pl.col("published_utc") >= pl.col("open_utc") - timedelta(days=SENTIMENT_WINDOWS[0])
    return (
        joined.group_by("date", "ticker")
        .agg(
            sentiment_7d=pl.col("sentiment").filter(week).mean(),
            sentiment_30d=pl.col("sentiment").mean(),
            articles_7d=week.sum().cast(pl.Int64),
            articles_30d=pl.len().cast(pl.Int64),
            inputs_knowledge_date=pl.col("knowledge_date").max(),
        )
        .sort("date", "ticker")
    )


_NAME_NOISE = {"INC", "INCORPORATED", "CORP", "CORPORATION", "CO", "COMPANY", "LTD", "LIMITED", "PLC", "THE", "NEW", "DEL", "HLDGS", "HOLDINGS", "LLC", "LP", "SA", "NV", "AG"}


def normalised_name(name: pl.Expr) -> pl.Expr:
    """Upper-case issuer name without punctuation and corporate suffixes, for matching 13F issuers to companies."""
    words = name.str.to_uppercase().str.replace_all(r"[^A-Z0-9 ]", " ").str.split(" ")
    return words.list.eval(pl.element().filter((pl.element() != "") & ~pl.element().is_in(list(_NAME_NOISE)))).list.join(" ")


def cusip_tickers(holdings: pl.DataFrame, companies: pl.DataFrame, mapped: pl.DataFrame | None = None) -> pl.DataFrame:
    """CUSIP -> ticker: the rows of a mapping file first, then 13F issuer names that match exactly one
    universe company's name (after `normalised_name`); ambiguous names stay unmapped."""
    by_name = (
        companies.select("ticker", key=normalised_name(pl.col("name")))
        .filter(pl.col("key") != "")
        .group_by("key")
        .agg(pl.col("ticker").first(), tickers=pl.len())
        .filter(pl.col("tickers") == 1)
    )
    matched = (
        holdings.select("cusip", key=normalised_name(pl.col("issuer_name")))
        .unique()
        .join(by_name, on="key")
        .group_by("cusip")
        .agg(pl.col("ticker").unique())
        .filter(pl.col("ticker").list.len() == 1)
        .select("cusip", ticker=pl.col("ticker").list.first(), source=pl.lit("issuer name matches the company name"))
    )
    if mapped is None or mapped.is_empty():
        return matched.sort("cusip")
    from_file = mapped.select(pl.col("cusip").str.to_uppercase(), pl.col("ticker").str.to_uppercase(), source=pl.lit("mapping file"))
    return pl.concat([from_file, matched.join(from_file, on="cusip", how="anti")]).unique("cusip", keep="first").sort("cusip")
