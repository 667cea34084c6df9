"""Point-in-time line items from the fact table: quarterly, fiscal-year and trailing-twelve-month values.

Rules (from the design notes):
- A period is keyed by its dates, never by the filing's fy/fp. A duration of 80-100 days is a
  quarter, 350-380 days a fiscal year (52/53-week years included), 170-190 and 260-285 days are
  six- and nine-month year-to-date figures; an instant is a balance-sheet value.
- Only financial-statement forms count (10-K, 10-Q, their amendments and transition reports,
  20-F and 40-F); values that come only from other forms (a proxy's pay-versus-performance table,
  an 8-K) are ignored.
- Each line item takes, filing by filing and period by period, the first concept of its ordered
  list that the filing reports for the period; across filings the version known latest wins,
  whatever its concept (so a company that moved from SalesRevenueNet to ASC 606 revenue keeps one
  series, and a later re-tag never hides a period that was known before it).
- Quarters missing as such are derived from year-to-date figures that share line item, unit and
  start date: Q2 = 6M - Q1, Q3 = 9M - 6M, Q4 = FY - 9M. A derived value is known once both parts
  are: each version of one part is paired with the latest version of the other filed by then. It
  holds until the company reports that quarter itself; a later report never removes it from the
  days before that report was known.
- Every version is kept with its `filed` date and `knowledge_date`, the first trading day after
  filing; an as-of lookup for day D takes, per period, the latest version known on D.
"""

from datetime import date, timedelta
from typing import Any

import polars as pl

from ic_platform.features.splits import SHARE_COUNT_ITEMS, SPLIT_INDEX_SCHEMA, index_on, restated
from ic_platform.schemas.sec import GROWTH_ITEMS, LINE_ITEMS
from ic_platform.trading_days import next_trading_days

STOCK_ITEMS = frozenset(
    {
        "shares_outstanding",
        "total_assets",
        "total_liabilities",
        "shareholders_equity",
        "current_assets",
        "current_liabilities",
        "cash_and_equivalents",
        "inventory",
        "short_term_debt",
        "long_term_debt",
    }
)
FLOW_ITEMS = frozenset(LINE_ITEMS) - STOCK_ITEMS | {"free_cash_flow"}
FINANCIAL_STATEMENT_FORMS = frozenset(
    {
        "10-K",
        "10-K/A",
        "10-Q",
        "10-Q/A",
        "10-KT",
        "10-KT/A",
        "10-QT",
        "10-QT/A",
        "20-F",
        "20-F/A",
        "40-F",
        "40-F/A",
    }
)
UNITS = ("USD", "USD/shares", "shares")
DURATIONS = (("Q", 80, 100, 1), ("6M", 170, 190, 2), ("9M", 260, 285, 3), ("FY", 350, 380, 4))

LINE_ITEM_SCHEMA = {
    "cik": pl.Int64,
    "line_item": pl.String,
    "period_type": pl.String,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "value": pl.Float64,
    "filed": pl.Date,
    "knowledge_date": pl.Date,
    "accession": pl.String,
    "form": pl.String,
    "derived": pl.Boolean,
}


def _concept_table() -> pl.DataFrame:
    rows = [
        {"line_item": item, "concept": concept, "precedence": rank}
        for item, concepts in LINE_ITEMS.items()
        for rank, concept in enumerate(concepts)
    ]
    return pl.DataFrame(rows)


def statement_facts(facts: pl.DataFrame) -> pl.DataFrame:
    """Facts of financial-statement forms mapped to line items, with their duration class.

    Columns: cik, line_item, concept, unit, start, end, value, accession, form, filed, period_class
    (I, Q, 6M, 9M, FY), quarters (0 for instants) and precedence.
    """
    days = (pl.col("end") - pl.col("start")).dt.total_days()
    # a chain of when/then (Polars types its links Then, then ChainedThen)
    period_class: Any = pl.when(pl.col("start").is_null()).then(pl.lit("I"))
    quarters: Any = pl.when(pl.col("start").is_null()).then(0)
    for name, low, high, count in DURATIONS:
        period_class = period_class.when(days.is_between(low, high)).then(pl.lit(name))
        quarters = quarters.when(days.is_between(low, high)).then(count)
    mapped = (
        facts.filter(pl.col("form").is_in(FINANCIAL_STATEMENT_FORMS) & pl.col("unit").is_in(UNITS))
        .join(_concept_table(), on="concept")
        .with_columns(period_class=period_class, quarters=quarters)
        .filter(pl.col("period_class").is_not_null())
    )
    stocks = pl.col("line_item").is_in(STOCK_ITEMS)
    mapped = mapped.filter(stocks == (pl.col("period_class") == "I"))
    # per filing and period, the first concept of the line item's list that the filing reports for it:
    # precedence is decided within one filing, so a later filing that re-tags a period adds a version
    # from its own knowledge date and never hides what earlier filings made known
    in_filing = ["cik", "line_item", "start", "end", "accession"]
    best = mapped.group_by(in_filing).agg(pl.col("precedence").min())
    return mapped.join(best, on=[*in_filing, "precedence"], how="semi", nulls_equal=True)


def _pair_versions(left: pl.DataFrame, right: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Rows of `left` and `right` that share `keys`, one per version of either side paired with the
    latest version of the other filed by then (`filed` is when the pair became known).

    `left` brings value, filed, accession and form; `right` brings right_value and right_filed.
    """
    pairs = left.join(right, on=keys)
    version_dates = pl.concat([pairs.select(*keys, "filed"), pairs.select(*keys, filed=pl.col("right_filed"))]).unique()
    return (
        pairs.rename({"filed": "left_filed"})
        .join(version_dates, on=keys)
        .filter((pl.col("left_filed") <= pl.col("filed")) & (pl.col("right_filed") <= pl.col("filed")))
        .sort("left_filed", "right_filed", "accession")
        .group_by(*keys, "filed", maintain_order=True)
        .last()
    )


def _derived_quarters(durations: pl.DataFrame, splits: pl.DataFrame) -> pl.DataFrame:
    """Quarters from year-to-date differences (same line item, unit and start date, whatever concept
    each filing chose: a filer that re-tags between its 10-Q and its 10-K still gets its Q4), on the
    share basis of the later of the two filings (per-share figures filed before a split are restated)."""
    keys = ["cik", "line_item", "unit", "start"]
    longer = durations.filter(pl.col("quarters") >= 2).select(
        *keys, "end", "quarters", "value", "filed", "accession", "form"
    )
    shorter = durations.filter(pl.col("quarters") <= 3).select(
        *keys,
        shorter_end=pl.col("end"),
        shorter_quarters=pl.col("quarters") + 1,
        right_value=pl.col("value"),
        right_filed=pl.col("filed"),
    )
    candidates = longer.join(shorter, left_on=[*keys, "quarters"], right_on=[*keys, "shorter_quarters"]).filter(
        (pl.col("end") - pl.col("shorter_end")).dt.total_days().is_between(80, 100)
    )
    # each side's versions once: a candidate row is one longer version with one shorter version
    paired = _pair_versions(
        candidates.select(*keys, "end", "shorter_end", "value", "filed", "accession", "form").unique(
            maintain_order=True
        ),
        candidates.select(*keys, "end", "shorter_end", "right_value", "right_filed").unique(),
        [*keys, "end", "shorter_end"],
    )
    for day in ("filed", "left_filed", "right_filed"):
        paired = index_on(paired, splits, day, f"_{day}_index")
    on_filed_basis = [
        restated(pl.col(value), pl.col("line_item"), pl.col("_filed_index") / pl.col(f"_{side}_index"))
        for value, side in (("value", "left_filed"), ("right_value", "right_filed"))
    ]
    return paired.select(
        "cik",
        "line_item",
        start=pl.col("shorter_end") + timedelta(days=1),
        end=pl.col("end"),
        value=on_filed_basis[0] - on_filed_basis[1],
        accession="accession",
        form="form",
        filed="filed",
    )


def _free_cash_flow(versions: pl.DataFrame) -> pl.DataFrame:
    """free_cash_flow = operating_cash_flow - capex, period by period and version by version."""
    keys = ["cik", "period_type", "period_start", "period_end"]
    operating = versions.filter(pl.col("line_item") == "operating_cash_flow")
    capex = versions.filter(pl.col("line_item") == "capex").select(
        *keys, right_value="value", right_filed="filed", right_derived="derived"
    )
    paired = _pair_versions(operating.drop("line_item", "knowledge_date"), capex, keys)
    return paired.select(
        "cik",
        line_item=pl.lit("free_cash_flow"),
        period_type="period_type",
        period_start="period_start",
        period_end="period_end",
        value=pl.col("value") - pl.col("right_value"),
        filed="filed",
        accession="accession",
        form="form",
        derived=pl.lit(True),
    )


COMPANIES_PER_CHUNK = 200  # bounds the joins of one pass; companies never interact


def in_company_chunks(frame: pl.DataFrame | pl.LazyFrame, function, *args) -> list[pl.DataFrame]:
    """`function(part, *args)` for parts of `frame` holding COMPANIES_PER_CHUNK companies each; a lazy
    frame (a table scan) is read one part at a time, so only one part is in memory."""
    lazy = frame.lazy()
    ciks = lazy.select("cik").unique().collect().get_column("cik").sort()
    chunks = [ciks.slice(first, COMPANIES_PER_CHUNK) for first in range(0, ciks.len(), COMPANIES_PER_CHUNK)]
    return [
        function(lazy.filter(pl.col("cik").is_between(chunk.min(), chunk.max())).collect(), *args) for chunk in chunks
    ]


def line_item_versions(facts: pl.DataFrame | pl.LazyFrame, splits: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every version of every quarterly (Q) and fiscal-year (FY) line-item value with its knowledge date.

    Balance-sheet items are instants: a Q row per quarter-end and an FY row where a fiscal year ends.
    Every version is on the share basis of its filed date; `splits` (a `features.splits.split_index`)
    puts a quarter derived from two filings on one basis.
    """
    parts = in_company_chunks(facts, _company_line_item_versions, _no_splits() if splits is None else splits)
    return pl.concat(parts) if parts else pl.DataFrame(schema=LINE_ITEM_SCHEMA)


def _no_splits() -> pl.DataFrame:
    return pl.DataFrame(schema=SPLIT_INDEX_SCHEMA)


def _company_line_item_versions(facts: pl.DataFrame, splits: pl.DataFrame) -> pl.DataFrame:
    statement = statement_facts(facts)
    durations = statement.filter(pl.col("period_class") != "I")
    reported = durations.filter(pl.col("period_class").is_in(["Q", "FY"])).select(
        "cik",
        "line_item",
        period_type="period_class",
        period_start="start",
        period_end="end",
        value="value",
        filed="filed",
        accession="accession",
        form="form",
        derived=pl.lit(False),
    )
    derived = _derived_quarters(durations, splits).select(
        "cik",
        "line_item",
        period_type=pl.lit("Q"),
        period_start="start",
        period_end="end",
        value="value",
        filed="filed",
        accession="accession",
        form="form",
        derived=pl.lit(True),
    )
    # a derived quarter only until the company reports that quarter itself: a later filing that
    # reports it (a 10-K's quarterly comparatives) must not take back what was known before it
    quarter_keys = ["cik", "line_item", "period_start", "period_end"]
    first_reported = (
        reported.filter(pl.col("period_type") == "Q").group_by(quarter_keys).agg(_first_reported=pl.col("filed").min())
    )
    derived = (
        derived.join(first_reported, on=quarter_keys, how="left")
        .filter(pl.col("_first_reported").is_null() | (pl.col("filed") < pl.col("_first_reported")))
        .drop("_first_reported")
    )
    fiscal_year_ends = durations.filter(pl.col("period_class") == "FY").select("cik", end="end").unique()
    instants = (
        statement.filter(pl.col("period_class") == "I")
        .join(fiscal_year_ends.with_columns(fy_end=pl.lit(True)), on=["cik", "end"], how="left")
        .select(
            "cik",
            "line_item",
            period_type=pl.when(pl.col("fy_end")).then(pl.lit("FY")).otherwise(pl.lit("Q")),
            period_start=pl.lit(None, dtype=pl.Date),
            period_end="end",
            value="value",
            filed="filed",
            accession="accession",
            form="form",
            derived=pl.lit(False),
        )
    )
    versions = pl.concat([reported, derived, instants])
    versions = pl.concat([versions, _free_cash_flow(versions.with_columns(knowledge_date=pl.col("filed")))]).unique(
        [*PERIOD_KEYS, "filed", "value"], keep="first", maintain_order=True
    )
    versions = versions.with_columns(knowledge_date=next_trading_days(versions.get_column("filed")))
    return versions.select(list(LINE_ITEM_SCHEMA)).sort(
        "cik", "line_item", "period_end", "period_type", "filed", "accession"
    )


PERIOD_KEYS = ["cik", "line_item", "period_type", "period_start", "period_end"]


def as_of(versions: pl.DataFrame, day: date) -> pl.DataFrame:
    """The latest version of each period whose knowledge date is on or before `day`."""
    return (
        versions.filter(pl.col("knowledge_date") <= day)
        .sort("knowledge_date", "filed", "accession")
        .group_by(*PERIOD_KEYS, maintain_order=True)
        .last()
        .sort("cik", "line_item", "period_end", "period_type")
    )


def _lagged(expression: pl.Expr, rows_back: int) -> pl.Expr:
    """`expression` `rows_back` rows earlier in the same `_group` (null across a group boundary); the
    frame is sorted by group. Global shifts with a boundary mask, much faster than many small windows."""
    if rows_back == 0:
        return expression
    return pl.when(pl.col("_group").shift(rows_back) == pl.col("_group")).then(expression.shift(rows_back))


def _trailing_quarters(quarters: pl.DataFrame, count: int, keys: list[str]) -> pl.DataFrame:
    """For each quarter, the sum of it and the `count - 1` quarters before it, where they are contiguous."""
    group = [*keys, "line_item"]
    ordered = quarters.sort(*group, "period_end").with_columns(_group=pl.struct(group).rle_id())
    linked = ordered.with_columns(
        _link=(pl.col("period_start") - _lagged(pl.col("period_end"), 1))
        .dt.total_days()
        .is_between(1, 8)
        .fill_null(False)
    )
    all_linked = pl.sum_horizontal(_lagged(pl.col("_link"), k).fill_null(False) for k in range(count - 1)) == count - 1
    ttm_value = pl.sum_horizontal(_lagged(pl.col("value"), k) for k in range(count))
    per_share = pl.col("line_item").is_in(["eps_basic", "eps_diluted"])
    return linked.with_columns(
        ttm_value=pl.when(all_linked).then(
            pl.when(per_share).then(ttm_value.round(6)).otherwise(ttm_value)
        ),  # no float dust in sums of cents
        ttm_start=_lagged(pl.col("period_start"), count - 1),
        ttm_knowledge_date=pl.when(_lagged(pl.col("_group"), count - 1).is_not_null()).then(
            pl.max_horizontal(_lagged(pl.col("knowledge_date"), k) for k in range(count))
        ),
    ).drop("_group", "_link")


def trailing_twelve_months(known: pl.DataFrame, keys: list[str] | None = None) -> pl.DataFrame:
    """TTM rows from an as-of view: flows sum the last four contiguous quarters (the fiscal-year value
    when the last quarter closes a fiscal year), stocks take the latest value."""
    keys = keys or ["cik"]
    flows = known.filter(pl.col("line_item").is_in(FLOW_ITEMS))
    quarters = _trailing_quarters(flows.filter(pl.col("period_type") == "Q"), 4, keys).drop_nulls("ttm_value")
    latest_quarter = quarters.sort("period_end").group_by(*keys, "line_item").last()
    years = flows.filter(pl.col("period_type") == "FY").select(
        *keys, "line_item", "period_end", fy_value="value", fy_start="period_start"
    )
    flow_ttm = latest_quarter.join(years, on=[*keys, "line_item", "period_end"], how="left").select(
        *keys,
        "line_item",
        period_type=pl.lit("TTM"),
        period_start=pl.coalesce("fy_start", "ttm_start"),
        period_end="period_end",
        value=pl.coalesce("fy_value", "ttm_value"),
        filed="filed",
        knowledge_date=pl.when(pl.col("fy_value").is_null()).then("ttm_knowledge_date").otherwise("knowledge_date"),
        accession="accession",
        form="form",
        derived=pl.col("fy_value").is_null(),
    )
    stock_ttm = (
        known.filter(pl.col("line_item").is_in(STOCK_ITEMS))
        .sort("period_end", "knowledge_date")
        .group_by(*keys, "line_item")
        .last()
        .with_columns(period_type=pl.lit("TTM"))
    )
    return pl.concat([flow_ttm, stock_ttm.select(flow_ttm.columns)]).sort(*keys, "line_item")


STATE_HISTORY_DAYS = 1600  # quarters older than this cannot change a 3-year growth rate


def _growth(known: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """YoY growth of TTM (null from a zero base) and 3-year CAGR per (keys, item), from the TTM at each quarter end."""
    quarters = known.filter(pl.col("line_item").is_in(GROWTH_ITEMS) & (pl.col("period_type") == "Q"))
    group = [*keys, "line_item"]
    ttm = (
        _trailing_quarters(quarters, 4, keys)
        .drop_nulls("ttm_value")
        .sort(*group, "period_end")
        .with_columns(_group=pl.struct(group).rle_id())
    )

    def earlier(quarters_back: int, low: int, high: int) -> pl.Expr:
        end_gap = (pl.col("period_end") - _lagged(pl.col("period_end"), quarters_back)).dt.total_days()
        return pl.when(end_gap.is_between(low, high)).then(_lagged(pl.col("ttm_value"), quarters_back))

    ttm = ttm.with_columns(year_ago=earlier(4, 350, 380), three_years_ago=earlier(12, 1080, 1110))
    latest = ttm.group_by(*group).last()
    return latest.select(
        *group,
        growth_yoy=pl.when(pl.col("year_ago") != 0).then(
            (pl.col("ttm_value") - pl.col("year_ago")) / pl.col("year_ago").abs()
        ),  # none from a zero base
        cagr_3y=pl.when((pl.col("ttm_value") > 0) & (pl.col("three_years_ago") > 0)).then(
            (pl.col("ttm_value") / pl.col("three_years_ago")).pow(1 / 3) - 1
        ),
    )


def fundamental_states(
    versions: pl.DataFrame | pl.LazyFrame, since: date | None = None, splits: pl.DataFrame | None = None
) -> pl.DataFrame:
    """One row per company and knowledge date: every line item's TTM (flows) or latest (stocks)
    value and the growth rates, as known from that date until the next one.

    Share counts and per-share figures are on the share basis of the state's date: each version is
    restated by the splits (`splits`, a `features.splits.split_index`) executed between its filing
    and that date, so a TTM EPS never adds quarters of two bases. `since` drops the states that end
    before it (the one in force on `since` is kept). Companies are processed COMPANIES_PER_CHUNK at
    a time.
    """
    chunks = in_company_chunks(versions, _company_states, since, _no_splits() if splits is None else splits)
    states = (
        pl.concat(chunks, how="diagonal_relaxed")
        if chunks
        else pl.DataFrame(schema={"cik": pl.Int64, "as_of": pl.Date})
    )
    columns = [*LINE_ITEMS, "free_cash_flow", *(f"{i}_{k}" for i in GROWTH_ITEMS for k in ("growth_yoy", "cagr_3y"))]
    missing = [pl.lit(None, dtype=pl.Float64).alias(c) for c in columns if c not in states.columns]
    if "latest_period_end" not in states.columns:
        missing.append(pl.lit(None, dtype=pl.Date).alias("latest_period_end"))
    return states.with_columns(missing).select("cik", "as_of", "latest_period_end", *columns).sort("cik", "as_of")


def _value_changes(versions: pl.DataFrame) -> pl.DataFrame:
    """The versions that change their period's value (a filing repeating last quarter's figure as a
    comparative does not: the as-of values are the same from about half the rows), each with
    `valid_until`, the knowledge date of the next change (far in the future for the latest): the
    version known on D is the one with knowledge_date <= D < valid_until."""
    ordered = versions.sort(*PERIOD_KEYS, "knowledge_date", "filed", "accession").with_columns(
        _group=pl.struct(PERIOD_KEYS).rle_id()
    )
    changes = ordered.filter(pl.col("value").ne_missing(_lagged(pl.col("value"), 1)))
    return changes.with_columns(
        valid_until=pl.when(pl.col("_group").shift(-1) == pl.col("_group"))
        .then(pl.col("knowledge_date").shift(-1))
        .otherwise(date.max)
    ).drop("_group")


def _company_states(versions: pl.DataFrame, since: date | None, splits: pl.DataFrame) -> pl.DataFrame:
    events = versions.select("cik", as_of="knowledge_date").unique()
    versions = index_on(_value_changes(versions), splits, "filed", "_filed_index")
    if since is not None:
        in_force = events.filter(pl.col("as_of") <= since).group_by("cik").agg(pl.col("as_of").max())
        events = pl.concat([in_force, events.filter(pl.col("as_of") > since)])
    history = (
        pl.when(pl.col("line_item").is_in(GROWTH_ITEMS))
        .then(STATE_HISTORY_DAYS)  # 3-year growth: 16 quarters back
        .when(pl.col("line_item").is_in(STOCK_ITEMS))
        .then(400)  # the latest balance
        .otherwise(500)  # the last four quarters and the fiscal year
    )
    known = (
        versions.lazy()
        .with_columns(_history=pl.duration(days=history))
        .join_where(
            index_on(events, splits, "as_of", "_as_of_index").lazy().rename({"cik": "_event_cik"}),
            pl.col("cik") == pl.col("_event_cik"),
            pl.col("knowledge_date") <= pl.col("as_of"),
            pl.col("valid_until") > pl.col("as_of"),
            pl.col("period_end") >= pl.col("as_of") - pl.col("_history"),
        )
        .drop("_event_cik", "_history", "valid_until")
        .collect()
    )
    known = known.with_columns(
        value=restated(pl.col("value"), pl.col("line_item"), pl.col("_as_of_index") / pl.col("_filed_index"))
    ).drop("_filed_index", "_as_of_index")
    keys = ["cik", "as_of"]
    values = trailing_twelve_months(known, keys).pivot("line_item", index=keys, values="value")
    growth = _growth(known, keys).pivot("line_item", index=keys, values=["growth_yoy", "cagr_3y"])
    growth = growth.rename({c: _growth_name(c) for c in growth.columns if c not in keys})
    # a cover page's share count is dated near its filing, not at the end of a fiscal period
    periods = known.filter(~pl.col("line_item").is_in(SHARE_COUNT_ITEMS))
    newest = periods.group_by(keys).agg(latest_period_end=pl.col("period_end").max())
    return events.join(newest, on=keys, how="left").join(values, on=keys, how="left").join(growth, on=keys, how="left")


def _growth_name(pivoted: str) -> str:
    """`growth_yoy_revenue` (pivot's name) as `revenue_growth_yoy`."""
    for measure in ("growth_yoy", "cagr_3y"):
        if pivoted.startswith(measure + "_"):
            return f"{pivoted[len(measure) + 1 :]}_{measure}"
    return pivoted
