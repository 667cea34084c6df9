"""How well scores predict returns: rank information coefficients, decile returns and turnover."""

import numpy as np
import polars as pl

from ic_platform.features.technical import total_return_index

HORIZONS = (1, 5, 21, 63)
MAIN_HORIZON = 21  # the horizon of the deciles, the charts and the learned score
MIN_EVALUATION_NAMES = 10  # the fewest names a day's IC is computed from, whatever scores may be published on
MIN_IC_DAYS = 20  # the fewest daily ICs a horizon's statistics are reported from
SHORT_SAMPLE_DAYS = 252  # below a year of daily ICs, the statistics carry a warning
JOIN_DAYS = 252  # days of scores joined with their forward returns at a time


def forward_returns(bars: pl.LazyFrame, horizons: tuple[int, ...] = HORIZONS) -> pl.DataFrame:
    """Per ticker and day D, the total return (dividends reinvested) from D's close to the close `h`
    bars later (it starts after D's open)."""
    index = pl.col("_total")
    return (
        bars.select("date", "ticker", "close", "dividend")
        .sort("ticker", "date")
        .with_columns(_total=total_return_index(pl.col("close"), pl.col("dividend")).over("ticker"))
        .select(
            "date", "ticker", *((index.shift(-h) / index - 1).over("ticker").alias(f"forward_{h}d") for h in horizons)
        )
        .collect()
    )


def _in_key_order(frame: pl.DataFrame) -> bool:
    """Whether `frame` is sorted by date, then ticker."""
    date, ticker = pl.col("date"), pl.col("ticker")
    later = (date > date.shift()) | ((date == date.shift()) & (ticker >= ticker.shift()))
    return frame.select(later.fill_null(True).all()).item()


def with_forward_returns(scores: pl.DataFrame, returns: pl.DataFrame) -> pl.DataFrame:
    """`scores` with the forward returns of `returns` (null where a ticker has none), sorted by date and
    ticker: the one frame the evaluation functions below share (one join, not one per function).
    Scores already in that order (as the table reads) are not copied into it first."""
    return joined_by_year(scores if _in_key_order(scores) else scores.sort("date", "ticker"), returns)


def joined_by_year(left: pl.DataFrame, right: pl.DataFrame) -> pl.DataFrame:
    """`left` (sorted by date) with the columns of `right` for its (date, ticker) rows, null where
    `right` has none, in `left`'s order: joined JOIN_DAYS days at a time, so that the join's working
    memory is a year's, not the whole window's."""
    days = left.get_column("date").unique().sort()
    parts = [left.head(0).join(right.head(0), on=["date", "ticker"], how="left")]  # the columns, if no day
    for first in range(0, len(days), JOIN_DAYS):
        window = pl.col("date").is_between(days[first], days[min(first + JOIN_DAYS, len(days)) - 1])
        parts.append(
            left.filter(window).join(right.filter(window), on=["date", "ticker"], how="left", maintain_order="left")
        )
    return pl.concat(parts, rechunk=False)


def information_coefficients(
    joined: pl.DataFrame, signals: list[str], horizons: tuple[int, ...] = HORIZONS, min_names: int = 1
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Per-date Spearman IC of each signal against each forward return (`with_forward_returns`), and its
    summary per signal and horizon: mean, standard deviation, information ratio (mean / std), a
    t-statistic honest about overlap (`newey_west_t` with a lag of the horizon), hit rate (share of
    days with IC > 0), the number of days and a warning below SHORT_SAMPLE_DAYS. A day with fewer
    than `min_names` names having both has no IC (a rank correlation of a handful of names is noise,
    whatever its t-statistic says); a horizon with fewer than MIN_IC_DAYS daily ICs is not summarised."""

    def ic(signal: str, horizon: int) -> pl.Expr:
        pairs = (pl.col(signal).is_not_null() & pl.col(f"forward_{horizon}d").is_not_null()).sum()
        correlation = pl.corr(signal, f"forward_{horizon}d", method="spearman")
        return pl.when(pairs >= min_names).then(correlation).alias(f"{signal}|{horizon}")

    daily = joined.group_by("date").agg(ic(signal, h) for signal in signals for h in horizons).sort("date")
    long = daily.unpivot(index="date", variable_name="pair", value_name="ic").drop_nans("ic").drop_nulls("ic")
    rows = []
    for (pair,), series in long.sort("date").group_by("pair", maintain_order=True):
        signal, horizon = pair.rsplit("|", 1)
        values = series.get_column("ic").to_numpy()
        if len(values) < MIN_IC_DAYS:
            continue  # too few days to say anything
        deviation = float(values.std(ddof=1))
        rows.append(
            {
                "signal": signal,
                "horizon_days": int(horizon),
                "mean_ic": float(values.mean()),
                "ic_std": deviation,
                "ic_ir": float(values.mean()) / deviation if deviation > 0 else None,
                "t_stat": newey_west_t(values, int(horizon)),
                "hit_rate": float((values > 0).mean()),
                "days": len(values),
                "warning": f"short sample: {len(values)} days" if len(values) < SHORT_SAMPLE_DAYS else None,
            }
        )
    summary = pl.DataFrame(rows, schema=SUMMARY_SCHEMA).sort("horizon_days", "signal")
    return daily, summary


SUMMARY_SCHEMA = {
    "signal": pl.String,
    "horizon_days": pl.Int32,
    "mean_ic": pl.Float64,
    "ic_std": pl.Float64,
    "ic_ir": pl.Float64,
    "t_stat": pl.Float64,
    "hit_rate": pl.Float64,
    "days": pl.Int64,
    "warning": pl.String,
}


def newey_west_t(values: np.ndarray, lag: int) -> float | None:
    """The t-statistic of the mean of a daily series whose neighbours overlap (the ICs of `lag`-day
    forward returns share `lag` - 1 days of returns): the mean over its Newey-West standard error,
    Bartlett weights up to `lag` autocovariances. With lag 0 it is the mean over the plain
    standard error (population variance). None when the series has no variance."""
    count = len(values)
    deviations = values - values.mean()
    variance = float(deviations @ deviations) / count
    for k in range(1, min(lag, count - 1) + 1):
        variance += 2 * (1 - k / (lag + 1)) * float(deviations[k:] @ deviations[:-k]) / count
    return float(values.mean()) / (variance / count) ** 0.5 if variance > 0 else None


def ic_decay(summary: pl.DataFrame, signal: str = "score") -> tuple[pl.DataFrame, float | None]:
    """The signal's mean IC by horizon, and its half-life in trading days: from the least-squares
    line of log(mean IC) on the horizon over the horizons with a positive mean IC (None with fewer
    than two, or an IC that does not decay)."""
    decay = summary.filter(pl.col("signal") == signal).select("horizon_days", "mean_ic", "t_stat").sort("horizon_days")
    positive = decay.filter(pl.col("mean_ic") > 0)
    if positive.height < 2:
        return decay, None
    slope = float(np.polyfit(positive.get_column("horizon_days"), np.log(positive.get_column("mean_ic")), 1)[0])
    return decay, float(np.log(2) / -slope) if slope < 0 else None


def sector_neutral(score: str = "score") -> pl.Expr:
    """The score less its sector's mean of the day: what ranks a stock within its sector, not the
    sector itself (name `<score>_sector_neutral`)."""
    return (pl.col(score) - pl.col(score).mean().over("date", "gics_sector")).alias(f"{score}_sector_neutral")


def ic_by_year(daily: pl.DataFrame, signal: str = "score", horizon: int = MAIN_HORIZON) -> pl.DataFrame:
    """The signal's mean daily IC and its days per calendar year (`information_coefficients`' daily
    frame)."""
    column = f"{signal}|{horizon}"
    return (
        daily.select("date", column)
        .drop_nulls(column)
        .group_by(year=pl.col("date").dt.year())
        .agg(mean_ic=pl.col(column).mean(), days=pl.len())
        .sort("year")
    )


def rank_autocorrelation(scores: pl.DataFrame, lag: int) -> float | None:
    """The mean over days of the Spearman correlation between each name's score and its score `lag`
    trading days (of the frame's days) before: how stable the ranking is."""
    days = scores.get_column("date").unique().sort()
    if len(days) <= lag:
        return None
    earlier = pl.DataFrame({"date": days.slice(lag), "_earlier": days.slice(0, len(days) - lag)})
    paired = (
        scores.select("date", "ticker", "score")
        .join(earlier, on="date")
        .join(
            scores.select(pl.col("date").alias("_earlier"), "ticker", pl.col("score").alias("_before")),
            on=["_earlier", "ticker"],
        )
    )
    by_day = paired.group_by("date").agg(rho=pl.corr("score", "_before", method="spearman")).drop_nans().drop_nulls()
    return float(by_day.get_column("rho").to_numpy().mean()) if by_day.height else None


def _bucket(buckets: int) -> pl.Expr:
    """Each row's score bucket of the day, 1 (lowest) to `buckets` (highest), of equal counts:
    the day's ordinal score ranks cut into `buckets` runs (ties broken by the row order)."""
    return ((pl.col("score").rank("ordinal").over("date") - 1) * buckets // pl.len().over("date") + 1).cast(pl.Int32)


def quantile_returns(joined: pl.DataFrame, buckets: int = 10, horizon: int = MAIN_HORIZON) -> pl.DataFrame:
    """Mean forward return per score bucket (1 lowest, `buckets` highest; deciles by default),
    averaged over days (`with_forward_returns`). Columns quantile, mean_forward_return, days."""
    column = f"forward_{horizon}d"
    return (
        joined.lazy()  # two columns of the rows with a return, not a copy of every column
        .select("date", "score", column)
        .drop_nulls(column)
        .with_columns(quantile=_bucket(buckets))
        .group_by("date", "quantile")
        .agg(pl.col(column).mean())
        .group_by("quantile")
        .agg(mean_forward_return=pl.col(column).mean(), days=pl.len())
        .sort("quantile")
        .collect()
    )


def top_minus_bottom(joined: pl.DataFrame, buckets: int = 5, horizons: tuple[int, ...] = HORIZONS) -> pl.DataFrame:
    """Per horizon, the mean forward return of the top score bucket less the bottom one's, day by
    day: its mean, its Newey-West t-statistic (lag of the horizon) and the days, and the mean return
    of each bucket (quintiles by default). Days with fewer names than buckets are left out."""
    rows = []
    for horizon in horizons:
        column = f"forward_{horizon}d"
        by_day = (
            joined.lazy()
            .select("date", "score", column)
            .drop_nulls(column)
            .filter(pl.len().over("date") >= buckets)
            .with_columns(quantile=_bucket(buckets))
            .group_by("date", "quantile")
            .agg(pl.col(column).mean())
            .collect()
            .pivot("quantile", index="date", values=column)
            .sort("date")
        )
        if by_day.is_empty():
            continue
        spread = (by_day.get_column(str(buckets)) - by_day.get_column("1")).drop_nulls().to_numpy()
        rows.append(
            {
                "horizon_days": horizon,
                "spread": float(spread.mean()) if len(spread) else None,
                "t_stat": newey_west_t(spread, horizon) if len(spread) >= MIN_IC_DAYS else None,
                "days": len(spread),
            }
            | {f"q{q}": by_day.get_column(str(q)).mean() for q in range(1, buckets + 1)}
        )
    schema = {"horizon_days": pl.Int32, "spread": pl.Float64, "t_stat": pl.Float64, "days": pl.Int64}
    return pl.DataFrame(rows, schema=schema | {f"q{q}": pl.Float64 for q in range(1, buckets + 1)})


def top_decile_turnover(scores: pl.DataFrame) -> float | None:
    """Average share of the top-decile names replaced from one day to the next."""
    top = scores.filter(_bucket(10) == 10).group_by("date").agg(pl.col("ticker")).sort("date")
    names = [set(t) for t in top.get_column("ticker")]
    changes = [1 - len(a & b) / len(b) for a, b in zip(names, names[1:]) if b]
    return sum(changes) / len(changes) if changes else None


EMBARGO_DAYS = 20
REFIT_EVERY = 21
MIN_TRAINING_DAYS = 126


def walk_forward_scores(
    joined: pl.DataFrame,
    factors: list[str],
    horizon: int = MAIN_HORIZON,
    embargo: int = EMBARGO_DAYS,
    refit_every: int = REFIT_EVERY,
    min_training_days: int = MIN_TRAINING_DAYS,
    ridge: float = 1.0,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A learned score per (date, ticker): a ridge regression of the forward return's daily rank on the
    factor percentiles, refitted every `refit_every` days on the days whose `horizon`-day returns had
    fully ended `embargo` days before the first day it scores, so it never scores a day inside (or
    next to) its own training window. Missing factors enter the regression at the day's middle (50).
    Each day's X'X and X'y are summed once, so a refit solves an 11 x 11 system whatever the history.

    `joined` comes from `with_forward_returns` (sorted by date). Returns (date, ticker, learned_score,
    training_end: the last day its model learned from) and each fit's training_end, first scored day
    and coefficient per factor.
    """
    days = joined.get_column("date").unique().sort().to_list()
    data = (
        joined.select("date", "ticker", *factors, f"forward_{horizon}d")
        .with_columns(pl.col(f).fill_null(50.0) / 100 for f in factors)
        .with_columns(
            target=pl.col(f"forward_{horizon}d").rank("average").over("date")
            / pl.col(f"forward_{horizon}d").count().over("date")
        )
    )  # in `joined`'s date order
    columns = ["_one", *factors]
    products = (
        data.lazy()  # the labelled rows are not copied out of `data`
        .filter(pl.col("target").is_not_null())
        .with_columns(_one=pl.lit(1.0))
        .group_by("date")
        .agg(
            *(pl.col(a).dot(pl.col(b)).alias(f"{a}*{b}") for i, a in enumerate(columns) for b in columns[i:]),
            *(pl.col(a).dot(pl.col("target")).alias(f"{a}*y") for a in columns),
        )
        .sort("date")
        .collect()
    )
    product_days = {d: i for i, d in enumerate(products.get_column("date"))}
    cumulative = products.drop("date").to_numpy().cumsum(axis=0)
    names = products.drop("date").columns
    data_dates = data.get_column("date")
    learned, fits = [], []
    for first in range(min_training_days + horizon + embargo, len(days), refit_every):
        training_end = days[first - horizon - embargo - 1]  # its returns ended `embargo` days before days[first]
        trained_days = [d for d in days[: first - horizon - embargo] if d in product_days]
        if len(trained_days) < min_training_days:
            continue
        sums = dict(zip(names, cumulative[product_days[trained_days[-1]]]))
        gram = np.array(
            [[sums[f"{a}*{b}"] if f"{a}*{b}" in sums else sums[f"{b}*{a}"] for b in columns] for a in columns]
        )
        coefficients = np.linalg.solve(
            gram + ridge * np.diag([0.0] + [1.0] * len(factors)), np.array([sums[f"{a}*y"] for a in columns])
        )
        window_days = days[first : first + refit_every]
        offset = data_dates.search_sorted(window_days[0], "left")
        window = data.slice(offset, data_dates.search_sorted(window_days[-1], "right") - offset)  # sorted by date
        prediction = window.select(
            learned_score=coefficients[0] + pl.sum_horizontal(pl.col(f) * c for f, c in zip(factors, coefficients[1:]))
        )
        learned.append(window.select("date", "ticker").with_columns(prediction, training_end=pl.lit(training_end)))
        fits.append(
            {"training_end": training_end, "first_scored_day": days[first]}
            | dict(zip(factors, (coefficients[1:] / 100).tolist()))
        )
    schema = {"date": pl.Date, "ticker": pl.String, "learned_score": pl.Float64, "training_end": pl.Date}
    fit_schema = {"training_end": pl.Date, "first_scored_day": pl.Date} | dict.fromkeys(factors, pl.Float64)
    return (pl.concat(learned) if learned else pl.DataFrame(schema=schema)), pl.DataFrame(fits, schema=fit_schema)
