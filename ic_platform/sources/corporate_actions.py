"""Corporate actions (splits, reverse splits, stock dividends, spin-offs, cash dividends) as
`CorporateAction` rows (less `learned_at`, which the asset sets), with the records that cannot be
used quarantined with a reason:

- Polygon's reference splits (`/v3/reference/splits`: ticker, execution_date, split_from,
  split_to) and dividends (`/v3/reference/dividends`: ticker, ex_dividend_date, cash_amount,
  currency, declaration_date), as the API and the demo's `splits.json` and `dividends.json` give
  them, or as one archive file whose `results` list holds both kinds of record;
- a CSV archive file with the columns ticker, ex_date, kind (split, reverse_split, stock_dividend,
  spin_off or cash_dividend), ratio (new shares per old share, or a spin-off's price factor),
  amount (cash per share) and, optionally, declared_date.

Cash dividends of a ticker going ex the same day (a regular and a special one) are one row with
their sum. `as_traded` turns split-adjusted bars (as many public price files are) back into the
prices traded.
"""

import json
import math
from datetime import date
from pathlib import Path

import polars as pl

from ic_platform.features.splits import action_indexes
from ic_platform.schemas.common import QuarantinedRecord, frame_of, polars_schema
from ic_platform.schemas.market import ACTION_KINDS, CorporateAction
from ic_platform.sources.documents import SourceFormatError, load_json

ACTION_SCHEMA = pl.Schema({n: t for n, t in polars_schema(CorporateAction).items() if n != "learned_at"})
CSV_COLUMNS = ("ticker", "ex_date", "kind", "ratio", "amount")
CSV_KINDS = (*ACTION_KINDS, "reverse_split")


class ActionError(ValueError):
    """A record that is not a usable corporate action."""


def _text(record: dict, name: str) -> str:
    value = record.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ActionError(f"{name} is missing")
    return value.strip()


def _day(record: dict, name: str, required: bool = True) -> date | None:
    value = record.get(name)
    if value in (None, "") and not required:
        return None
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError as error:
        raise ActionError(f"{name} {value!r} is not a date") from error


def _number(record: dict, name: str, positive: bool) -> float:
    try:
        number = float(record[name])
    except (KeyError, TypeError, ValueError) as error:
        raise ActionError(f"{name} {record.get(name)!r} is not a number") from error
    if not math.isfinite(number) or number < 0 or (positive and number == 0):
        raise ActionError(f"{name} {number} is not a {'positive' if positive else 'non-negative'} number")
    return number


def _row(ticker: str, ex_date, kind: str, source: str, ratio=None, cash=None, declared=None) -> dict:
    return {
        "ticker": ticker,
        "ex_date": ex_date,
        "kind": kind,
        "ratio": ratio,
        "cash_amount": cash,
        "declared_date": declared,
        "source": source,
    }


def _polygon_record(record, source: str) -> dict:
    if not isinstance(record, dict):
        raise ActionError("not an object")
    if "split_from" in record or "split_to" in record:
        ratio = _number(record, "split_to", True) / _number(record, "split_from", True)
        return _row(_text(record, "ticker"), _day(record, "execution_date"), "split", source, ratio=ratio)
    if "cash_amount" in record:
        currency = record.get("currency") or "USD"
        if currency != "USD":
            raise ActionError(f"paid in {currency}, not in the bars' dollars")
        return _row(
            _text(record, "ticker"),
            _day(record, "ex_dividend_date"),
            "cash_dividend",
            source,
            cash=_number(record, "cash_amount", False),
            declared=_day(record, "declaration_date", required=False),
        )
    raise ActionError("neither a split (split_from, split_to) nor a dividend (cash_amount)")


def _csv_record(record: dict, source: str) -> dict:
    kind = _text(record, "kind").lower()
    if kind not in CSV_KINDS:
        raise ActionError(f"kind {kind!r} is not one of {', '.join(CSV_KINDS)}")
    ticker, ex_date = _text(record, "ticker"), _day(record, "ex_date")
    declared = _day(record, "declared_date", required=False)
    if kind == "cash_dividend":
        return _row(ticker, ex_date, kind, source, cash=_number(record, "amount", False), declared=declared)
    ratio = _number(record, "ratio", True)
    if kind == "reverse_split" and ratio >= 1:
        raise ActionError(f"a reverse split's ratio is new shares per old share, below 1, not {ratio}")
    return _row(ticker, ex_date, "split" if kind == "reverse_split" else kind, source, ratio=ratio, declared=declared)


def _actions(records, parse, source: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    rows, quarantined = [], []
    for record in records:
        try:
            rows.append(parse(record, source))
        except ActionError as error:
            quarantined.append(
                {
                    "date": None,
                    "source": source,
                    "record": json.dumps(record, default=str)[:2000],
                    "reason": str(error),
                }
            )
    return combined(pl.DataFrame(rows, schema=ACTION_SCHEMA)), frame_of(QuarantinedRecord, quarantined)


def combined(actions: pl.DataFrame) -> pl.DataFrame:
    """`actions` with a ticker's cash dividends going ex the same day summed into one row."""
    cash = pl.col("kind") == "cash_dividend"
    dividends = (
        actions.filter(cash)
        .group_by("ticker", "ex_date", "kind", maintain_order=True)
        .agg(pl.col("cash_amount").sum(), pl.col("declared_date").min(), pl.col("source").first())
        .with_columns(ratio=pl.lit(None, pl.Float64))
    )
    return pl.concat([actions.filter(~cash), dividends.select(ACTION_SCHEMA.names())]).sort("ex_date", "ticker", "kind")


def parse_polygon_actions(payload: bytes | str, source: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The splits and dividends of a Polygon reference response (or a file of that shape)."""
    document = load_json(payload, source)
    results = document.get("results") if isinstance(document, dict) else None
    if not isinstance(results, list):
        raise SourceFormatError(f"{source}: no 'results' list of splits or dividends")
    return _actions(results, _polygon_record, source)


def read_actions_file(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The actions of an archive file: Polygon's JSON shape (`.json`) or the CSV columns above."""
    if not path.exists():
        raise FileNotFoundError(f"corporate-actions file {path} does not exist")
    if path.suffix == ".json":
        return parse_polygon_actions(path.read_bytes(), str(path))
    try:
        frame = pl.read_csv(path, infer_schema=False)
    except (pl.exceptions.PolarsError, OSError) as error:
        raise SourceFormatError(f"{path}: not a readable CSV of corporate actions ({error})") from error
    missing = [c for c in CSV_COLUMNS if c not in frame.columns]
    if missing:
        raise SourceFormatError(f"{path}: missing columns {missing} (expected {', '.join(CSV_COLUMNS)}, declared_date)")
    return _actions(frame.iter_rows(named=True), _csv_record, str(path))


def as_traded(bars: pl.DataFrame, actions: pl.DataFrame, adjusted_through: date) -> pl.DataFrame:
    """Bars split-adjusted as of `adjusted_through` (their prices divided, volumes multiplied, by
    the ratios of the actions after each bar up to that day) turned back into the bars as traded."""
    indexes = action_indexes(actions.filter(pl.col("ex_date") <= adjusted_through))
    last = indexes.group_by("ticker").agg(
        _last_price=pl.col("price_index").last(), _last_share=pl.col("share_index").last()
    )
    frame = (
        bars.with_row_index("_row")
        .sort("date")
        .join_asof(indexes, on="date", by="ticker", strategy="backward", check_sortedness=False)
        .join(last, on="ticker", how="left")
        .sort("_row")
        .with_columns(pl.col("price_index", "share_index", "_last_price", "_last_share").fill_null(1.0))
    )
    price_ratio = pl.col("_last_price") / pl.col("price_index")
    prices = [c for c in ("open", "high", "low", "close", "vwap") if c in bars.columns]
    return frame.with_columns(
        *(pl.col(c) * price_ratio for c in prices),
        pl.col("volume") / (pl.col("_last_share") / pl.col("share_index")),
    ).select(bars.columns)
