"""Score assets: factor scores, the daily IC Score and its evaluation."""

import dagster as dg
import polars as pl

from ic_platform import settings
from ic_platform.defs.inputs import adjusted
from ic_platform.defs.partitions import partition_window
from ic_platform.defs.stores import with_table_store
from ic_platform.defs.table_assets import daily_asset, materialized, table_preview
from ic_platform.features.row_counts import count_drops, daily_counts, describe_drops
from ic_platform.schemas.scores import DEFAULT_WEIGHTS, FACTOR_METRICS
from ic_platform.scoring import charts, evaluation, scores
from ic_platform.tables import (
    ANALYST_DAILY,
    COMPANIES,
    DAILY_BARS,
    FACTOR_SCORES,
    IC_SCORES,
    INSIDER_DAILY,
    INSTITUTIONAL_DAILY,
    NEWS_SENTIMENT_DAILY,
    TECHNICAL_DAILY,
    VALUATION_DAILY,
)
from ic_platform.trading_days import previous_trading_day, trading_days_between

ALTERNATIVE_INPUTS = {
    "insider": (INSIDER_DAILY, ("insider_net_buying_30d", "insider_net_buying_90d")),
    "institutional": (
        INSTITUTIONAL_DAILY,
        ("institutional_ownership", "institutional_ownership_change", "institutional_holders"),
    ),
    "analyst": (ANALYST_DAILY, ("analyst_mean_rating", "price_target_upside")),
    "news": (NEWS_SENTIMENT_DAILY, ("sentiment_7d", "sentiment_30d")),
}


class ScoreWeights(dg.Config):
    """Factor weights of the overall score (renormalised over the present factors)."""

    weights: dict[str, float] = DEFAULT_WEIGHTS


def score_inputs(start, end) -> pl.DataFrame:
    """Every universe ticker's sub-metrics for the days `start`..`end` it was listed (the tickers of
    sec_companies, within their listing dates where the ticker history gives them):
    technical and valuation rows, with the insider, institutional, analyst and news metrics where a
    ticker has them."""
    technical = TECHNICAL_DAILY.scan(start, end).select(
        "date",
        "ticker",
        "return_1m",
        "return_3m",
        "return_6m",
        "return_12m",
        "rsi_14",
        "price_to_sma_50",
        "price_to_sma_200",
        macd_hist_to_price=pl.col("macd_hist") / pl.col("close"),
        bollinger_position=(pl.col("close") - pl.col("bb_lower")) / (pl.col("bb_upper") - pl.col("bb_lower")),
        _technical_known=pl.col("inputs_knowledge_date"),
    )
    valuation = VALUATION_DAILY.scan(start, end).drop("cik", "close_date", "price", "market_cap", "fundamentals_as_of")
    sectors = COMPANIES.scan().select("ticker", "gics_sector", "listed_from", "listed_until")
    # only the universe's tickers (sec_companies) are scored, each on the days it was listed: bars of
    # other tickers are not, nor a delisted company's days after its last
    listed = (pl.col("listed_from").is_null() | (pl.col("date") >= pl.col("listed_from"))) & (
        pl.col("listed_until").is_null() | (pl.col("date") <= pl.col("listed_until"))
    )
    rows = (
        technical.join(valuation, on=["date", "ticker"], how="full", coalesce=True)
        .join(sectors, on="ticker", how="inner")
        .filter(listed)
        .drop("listed_from", "listed_until")
    )
    known = ["_technical_known", "inputs_knowledge_date"]
    for name, (table, metrics) in ALTERNATIVE_INPUTS.items():
        rows = rows.join(
            table.scan(start, end).select(
                "date", "ticker", *metrics, pl.col("inputs_knowledge_date").alias(f"_{name}_known")
            ),
            on=["date", "ticker"],
            how="left",
        )
        known.append(f"_{name}_known")
    return rows.with_columns(inputs_knowledge_date=pl.max_horizontal(known)).drop(known[:1] + known[2:]).collect()


@daily_asset(
    "scores",
    FACTOR_SCORES,
    deps=[
        "technical_daily",
        "valuation_daily",
        "insider_daily",
        "institutional_daily",
        "analyst_daily",
        "news_sentiment_daily",
        "sec_companies",
    ],
)
def factor_scores(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """The ten factor scores per universe ticker (sec_companies) and day: each the mean of its
    sub-metrics' exact percentiles within the GICS sector that day (ties averaged, lower-is-better
    inverted, winsorised inputs, the whole market for sectors with fewer than 5 values). Factors
    without inputs are null, never 50."""
    start, end = partition_window(context)

    def compute(first, last) -> pl.DataFrame:
        factors = scores.factor_scores(score_inputs(first, last))
        present = {f: factors.height - factors.get_column(f).null_count() for f in FACTOR_METRICS}
        context.log.info(f"factor_scores {first}..{last}: {factors.height} rows; rows with each factor: {present}")
        return factors

    return materialized(FACTOR_SCORES.write_in_chunks(compute, start, end))


@daily_asset("scores", IC_SCORES, deps=["factor_scores"])
def ic_scores(context: dg.AssetExecutionContext, config: ScoreWeights) -> dg.MaterializeResult:
    """The IC Score (1-100) per ticker and day: the weighted mean of the present factors (weights from
    docs/scoring.md, configurable), its rating band, data completeness, confidence and sector percentile.
    No score below 40% completeness or with fewer than two of value/growth/profitability/health.
    A day with fewer than $IC_MIN_NAMES_PER_DAY scores is refused (not written, listed with the
    reason); a day whose score count fell by more than $IC_MAX_ROW_DROP from the day before fails
    the step before it is written."""
    unknown = set(config.weights) - set(FACTOR_METRICS)
    if unknown:
        raise dg.Failure(f"unknown factors in the weights: {sorted(unknown)}", allow_retries=False)
    start, end = partition_window(context)
    gated_out = 0
    before = previous_trading_day(start)
    previous: int | None = IC_SCORES.scan(before, before).select(pl.len()).collect().item() or None
    max_drop, min_names = settings.current().max_row_drop, settings.current().min_names_per_day
    refused_days: list[pl.DataFrame] = []

    def compute(first, last) -> pl.DataFrame:
        nonlocal gated_out, previous
        factors = FACTOR_SCORES.scan(first, last).collect()
        published = scores.ic_scores(factors, config.weights)
        counts = daily_counts(published, trading_days_between(first, last))
        drops = count_drops(counts, max_drop, previous)
        if not drops.is_empty():
            raise dg.Failure(
                f"the number of scores fell by more than {max_drop:.0%} ($IC_MAX_ROW_DROP) from one "
                f"trading day to the next ({describe_drops(drops, 'scores')}); no day from {first} on is "
                "written. A universe or a source that lost companies makes it fall; a universe "
                "made smaller on purpose needs one run with IC_MAX_ROW_DROP=1.",
                allow_retries=False,
            )
        previous = counts.get_column("rows")[-1]
        published, refused = scores.refuse_small_days(published, min_names)
        if not refused.is_empty():
            refused_days.append(refused)
            context.log.warning(
                f"ic_scores {first}..{last}: {refused.height} days not published, each with fewer than "
                f"{min_names} scores ($IC_MIN_NAMES_PER_DAY): {describe_small_days(refused)}"
            )
        gated_out += factors.height - published.height
        context.log.info(f"ic_scores {first}..{last}: {published.height} scores from {factors.height} factor rows")
        return published

    summary = IC_SCORES.write_in_chunks(compute, start, end)
    if not refused_days:
        return materialized(summary, gated_out=gated_out, days_refused_small_universe=0)
    refused = pl.concat(refused_days)
    return materialized(
        summary,
        gated_out=gated_out,
        days_refused_small_universe=refused.height,
        refused_days=table_preview(refused),
        notice=f"{refused.height} days not published, each with fewer than {min_names} scores "
        f"($IC_MIN_NAMES_PER_DAY): {describe_small_days(refused)}",
    )


def describe_small_days(refused: pl.DataFrame, shown: int = 5) -> str:
    """The first refused days with their name counts, one line."""
    listed = ", ".join(f"{day} ({names} names)" for day, names in refused.head(shown).rows())
    return listed + (f" and {refused.height - shown} more" if refused.height > shown else "")


def evaluation_charts(daily_ics: pl.DataFrame, deciles: pl.DataFrame) -> dict[str, dg.MarkdownMetadataValue]:
    """The decile returns and the score's IC over time (21-day horizon, a 21-day rolling mean) as
    charts the UI draws; a sentence where there is nothing to draw yet."""
    ics = daily_ics.select("date", pl.col("score|21").alias("ic")).drop_nulls().drop_nans()
    if deciles.is_empty() or ics.is_empty():
        nothing = dg.MetadataValue.md("no forward returns yet: the scored days are too recent")
        return {"decile_chart_21d": nothing, "ic_over_time_21d": nothing}
    smoothed = ics.get_column("ic").rolling_mean(21, min_samples=1).to_list()
    decile_chart = charts.bar_chart(
        [str(d) for d in deciles.get_column("decile")],
        deciles.get_column("mean_forward_return").to_list(),
        "Mean 21-day forward return by IC Score decile (10 = best)",
    )
    ic_chart = charts.line_chart(
        ics.get_column("date").to_list(), smoothed, "Score IC against the 21-day forward return (21-day mean)"
    )
    return {
        "decile_chart_21d": dg.MetadataValue.md(charts.markdown_image(decile_chart, "decile returns")),
        "ic_over_time_21d": dg.MetadataValue.md(charts.markdown_image(ic_chart, "IC over time")),
    }


def nan_if_none(value: float | None) -> float:
    """A figure for the metadata: NaN where there is none."""
    return float("nan") if value is None else value


def first_number(values: pl.Series, default: float) -> float:
    """The first value of `values` as a float, `default` when there is none."""
    value = values.first()
    return float(value) if isinstance(value, int | float) else default


@with_table_store(
    dg.asset,
    group_name="scores",
    kinds={"polars"},
    deps=["ic_scores", "daily_bars", "corporate_actions"],
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def score_evaluation(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """How well the scores predicted returns: Spearman rank IC of the overall score and of each factor
    against forward 1, 5, 21 and 63-trading-day returns (from D's close, after the score was known),
    per day and summarised (mean, standard deviation, IR, a Newey-West t-statistic with a lag of the
    horizon, hit rate; a warning below a year of days, nothing below 20), the score's IC decay across
    horizons with its half-life; mean 21-day forward return by score decile; per horizon the mean
    return of each score quintile and the top-minus-bottom spread with its Newey-West t; the IC of
    the score demeaned within its sector that day (sector-neutral) and the score's 21-day IC by
    year; the rank autocorrelation of the scores after 1 and 21 days; turnover; and,
    side by side, a learned score (ridge regression on the factors, fitted walk-forward with a
    20-trading-day embargo, never scoring a day inside its own training window). No IC is computed
    for a day with fewer names than $IC_MIN_NAMES_PER_DAY, and never from fewer than 10."""
    published = IC_SCORES.scan().select("date", "ticker", "score", evaluation.sector_neutral(), *FACTOR_METRICS)
    joined = evaluation.with_forward_returns(
        published.collect(), evaluation.forward_returns(adjusted(DAILY_BARS.scan()))
    )
    learned, fits = evaluation.walk_forward_scores(joined, list(FACTOR_METRICS))
    joined = evaluation.joined_by_year(joined, learned.select("date", "ticker", "learned_score"))
    del learned
    min_names = max(settings.current().min_names_per_day, evaluation.MIN_EVALUATION_NAMES)
    daily, summary = evaluation.information_coefficients(
        joined, ["score", "score_sector_neutral", "learned_score", *FACTOR_METRICS], min_names=min_names
    )
    if summary.is_empty():
        context.log.warning(
            f"no day has {min_names} scored names with forward returns: no IC is reported (a rank correlation "
            "of a handful of names is noise)"
        )
    decay, half_life = evaluation.ic_decay(summary)
    deciles = evaluation.quantile_returns(joined).rename({"quantile": "decile"})
    spreads = evaluation.top_minus_bottom(joined)
    turnover = evaluation.top_decile_turnover(joined)
    overall = summary.filter(pl.col("signal") == "score")
    context.log.info(f"score IC: {overall.select('horizon_days', 'mean_ic', 't_stat').to_dicts()}")
    return dg.MaterializeResult(
        metadata={
            "ic_summary": table_preview(summary, rows=None),
            "score_ic_by_horizon": table_preview(decay, rows=None),
            "score_ic_half_life_days": half_life if half_life is not None else float("nan"),
            "decile_returns_21d": table_preview(deciles, rows=None),
            "quintile_spread_by_horizon": table_preview(spreads, rows=None),
            "score_ic_by_year_21d": table_preview(evaluation.ic_by_year(daily), rows=None),
            "rank_autocorrelation_1d": nan_if_none(evaluation.rank_autocorrelation(joined, 1)),
            "rank_autocorrelation_21d": nan_if_none(evaluation.rank_autocorrelation(joined, 21)),
            "learned_vs_fixed_weights": table_preview(
                summary.filter(pl.col("signal").is_in(["score", "learned_score"])), rows=None
            ),
            "learned_weights_latest_fit": table_preview(fits.tail(1), rows=None),
            **evaluation_charts(daily, deciles),
            "score_ic_21d": first_number(overall.filter(pl.col("horizon_days") == 21).get_column("mean_ic"), 0.0),
            "learned_score_ic_21d": first_number(
                summary.filter((pl.col("signal") == "learned_score") & (pl.col("horizon_days") == 21)).get_column(
                    "mean_ic"
                ),
                float("nan"),
            ),
            "top_decile_turnover": turnover if turnover is not None else float("nan"),
            "days": joined.get_column("date").n_unique(),
            "min_names_for_ic": min_names,
        }
    )
