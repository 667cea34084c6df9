"""Daily valuation, quality and growth ratios: the prior close against the fundamentals known on D."""

import polars as pl

from ic_platform.features.splits import index_on, restated
from ic_platform.trading_days import next_trading_days

TAX_RATE = 0.21  # US federal rate, for the after-tax operating income in ROIC


def _ratio(numerator: pl.Expr, denominator: pl.Expr, positive_denominator: bool = True) -> pl.Expr:
    valid = denominator > 0 if positive_denominator else denominator != 0
    return pl.when(valid).then(numerator / denominator)


def prior_closes(bars: pl.LazyFrame) -> pl.DataFrame:
    """Each bar (as traded) re-dated to the next trading day D, the day its close became known: the
    close D's rows may use. `close_known` keeps that knowledge date for the point-in-time check."""
    closes = bars.select(close_date="date", ticker="ticker", price="close").collect()
    known = next_trading_days(closes.get_column("close_date"))
    return closes.with_columns(date=known, close_known=known)


def no_closes(companies: pl.DataFrame, days: list) -> pl.DataFrame:
    """Every company's rows for `days` without a close (prices off): the shape `prior_closes` gives,
    so the fundamentals-only ratios (growth, profitability, health) are still computed."""
    rows = companies.select("ticker").join(pl.DataFrame({"date": days}, schema={"date": pl.Date}), how="cross")
    return rows.with_columns(
        close_date=pl.lit(None, pl.Date), price=pl.lit(None, pl.Float64), close_known=pl.lit(None, pl.Date)
    )


def valuation_ratios(
    closes: pl.DataFrame, companies: pl.DataFrame, states: pl.DataFrame, splits: pl.DataFrame, max_age_days: int
) -> pl.DataFrame:
    """Rows per (D, ticker) with a prior close, a CIK and fundamentals known on D (state as_of <= D).

    The state's share count and EPS are moved from its own share basis to the close's (the splits
    between the two, `splits` being a `features.splits.split_index`), so market cap and P/E move only
    with the price across a split. Fundamentals whose newest period ended more than `max_age_days`
    before D are not used: their ratios are null, never stale.
    """
    rows = closes.join(companies.select("ticker", "cik"), on="ticker").sort("date")
    rows = rows.join_asof(
        states.sort("as_of"), left_on="date", right_on="as_of", by="cik", strategy="backward", check_sortedness=False
    )
    rows = index_on(index_on(rows, splits, "close_date", "_close_index"), splits, "as_of", "_state_index")
    age = (pl.col("date") - pl.col("latest_period_end")).dt.total_days()
    current = age <= max_age_days
    state_columns = [c for c in states.columns if c not in ("cik", "as_of", "latest_period_end")]
    basis = pl.col("_close_index") / pl.col("_state_index")
    rows = rows.with_columns(
        pl.when(current).then(restated(pl.col(c), c, basis)).alias(c) for c in state_columns
    ).with_columns(fundamentals_age_days=age)
    c = pl.col
    debt = pl.when(c("short_term_debt").is_not_null() | c("long_term_debt").is_not_null()).then(
        c("short_term_debt").fill_null(0) + c("long_term_debt").fill_null(0)
    )
    market_cap = c("price") * c("shares_outstanding")
    gross_profit = pl.coalesce(c("gross_profit"), c("revenue") - c("cost_of_revenue"))
    return (
        rows.with_columns(market_cap=market_cap, _debt=debt)
        .select(
            "date",
            "ticker",
            "cik",
            "close_date",
            "price",
            "market_cap",
            pe_ratio=_ratio(c("price"), c("eps_diluted")),
            pb_ratio=_ratio(c("market_cap"), c("shareholders_equity")),
            ps_ratio=_ratio(c("market_cap"), c("revenue")),
            debt_to_equity=_ratio(c("_debt"), c("shareholders_equity")),
            current_ratio=_ratio(c("current_assets"), c("current_liabilities")),
            quick_ratio=_ratio(c("current_assets") - c("inventory").fill_null(0), c("current_liabilities")),
            interest_coverage=_ratio(c("operating_income"), c("interest_expense")),
            roe=_ratio(c("net_income"), c("shareholders_equity")),
            roa=_ratio(c("net_income"), c("total_assets")),
            roic=_ratio(c("operating_income") * (1 - TAX_RATE), c("shareholders_equity") + c("_debt").fill_null(0)),
            gross_margin=_ratio(gross_profit, c("revenue")),
            operating_margin=_ratio(c("operating_income"), c("revenue")),
            net_margin=_ratio(c("net_income"), c("revenue")),
            revenue_growth_yoy="revenue_growth_yoy",
            eps_growth_yoy="eps_diluted_growth_yoy",
            fcf_growth_yoy="free_cash_flow_growth_yoy",
            revenue_cagr_3y="revenue_cagr_3y",
            eps_cagr_3y="eps_diluted_cagr_3y",
            fcf_cagr_3y="free_cash_flow_cagr_3y",
            fundamentals_as_of="as_of",
            fundamentals_age_days="fundamentals_age_days",
            inputs_knowledge_date=pl.max_horizontal(c("as_of"), c("close_known")),
        )
        .sort("date", "ticker")
    )
