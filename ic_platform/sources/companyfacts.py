"""EDGAR `companyfacts` JSON to one typed fact table, every version of every value kept.

One row per reported fact: cik, taxonomy, concept, unit, start (null for instants), end, value,
accession, fy, fp, form, filed, frame. `fy`/`fp` describe the filing that reported the fact, not
the period (a 10-K re-reports three years under one fy), so later stages key periods by dates only.

What cannot be used is quarantined with a reason instead of failing the company: a concept
without `units`, non-USD currencies, negative share counts, malformed points, exact duplicates
(the same fact twice in one filing) and facts under the `ifrs-full` taxonomy (20-F filers, whose
statements this platform does not map yet). A company without any usable fact yields an empty
table and one quarantined record saying so.
"""

import json
import re
from collections.abc import Iterable
from typing import NamedTuple

import msgspec
import numpy as np
import polars as pl

from ic_platform.schemas.common import QuarantinedRecord, frame_of
from ic_platform.sources.documents import SourceFormatError, load_json

FACT_SCHEMA = {
    "cik": pl.Int64,
    "taxonomy": pl.String,
    "concept": pl.String,
    "unit": pl.String,
    "start": pl.Date,
    "end": pl.Date,
    "value": pl.Float64,
    "accession": pl.String,
    "fy": pl.Int64,
    "fp": pl.String,
    "form": pl.String,
    "filed": pl.Date,
    "frame": pl.String,
}
# fact table column <- column of the checked points
FACT_COLUMNS = {
    "taxonomy": "taxonomy",
    "concept": "concept",
    "unit": "unit",
    "start": "start_date",
    "end": "end_date",
    "value": "value",
    "accession": "accn",
    "fy": "fy",
    "fp": "fp",
    "form": "form",
    "filed": "filed_date",
    "frame": "frame",
}
SUPPORTED_TAXONOMIES = ("us-gaap", "dei")
SHARE_UNITS = ("shares",)
FOREIGN_CURRENCY = re.compile(r"^(?!USD)[A-Z]{3}(/shares)?$")


def _quarantine(source: str, record, reason: str) -> dict:
    return {
        "date": None,
        "source": source,
        "record": json.dumps(record, sort_keys=True, default=str)[:2000],
        "reason": reason,
    }


# a point as Polars' JSON reader reads it: `val` as its JSON text (a number's digits, `true` for a
# boolean), turned into a float by the checks below, so nothing but numbers passes
POINT_SCHEMA = {
    "start": pl.String,
    "end": pl.String,
    "val": pl.String,
    "accn": pl.String,
    "fy": pl.Int64,
    "fp": pl.String,
    "form": pl.String,
    "filed": pl.String,
    "frame": pl.String,
}


class _Concept(msgspec.Struct):
    # each unit's points stay raw JSON bytes: Polars' reader turns them into columns in Rust
    units: dict[str, msgspec.Raw] | None = None


class _Document(msgspec.Struct):
    cik: int | str
    entityName: str | None = None  # noqa: N815 (EDGAR's field name)
    facts: dict[str, dict[str, _Concept]] | None = None


_TYPED = msgspec.json.Decoder(_Document)


def _decode(payload: bytes | str | dict, source: str) -> tuple[object, bool]:
    """The document, typed (fast: its structure decoded into structs, each unit's points left as raw
    JSON) when it follows EDGAR's schema, else as plain JSON so that the malformed points can be
    quarantined one by one."""
    if isinstance(payload, dict):
        return payload, False
    try:
        return _TYPED.decode(payload), True
    except msgspec.ValidationError:
        return load_json(payload, source), False
    except msgspec.DecodeError as error:
        raise SourceFormatError(f"{source}: malformed JSON ({error})") from error


def _field(item, name: str, typed: bool):
    return getattr(item, name) if typed else (item.get(name) if isinstance(item, dict) else None)


def _typed_points(arrays: list[msgspec.Raw]) -> tuple[pl.DataFrame, np.ndarray] | None:
    """The raw point arrays as one frame in order, read by Polars' JSON reader as one flat array of
    points, and each array's number of points (its opening braces: a point holds no other object,
    and the rows read must add up to them); None when an array strays from EDGAR's schema (not a
    list of objects of its fields, or a brace inside a string): the caller then decodes the
    document point by point and quarantines what is wrong."""
    raws = [bytes(array) for array in arrays]
    counts = np.array([raw.count(b"{") for raw in raws], dtype=np.int64)
    if any(
        raw[:1] != b"[" or raw[-1:] != b"]" or (not count and raw[1:-1].strip()) for raw, count in zip(raws, counts)
    ):
        return None
    try:
        points = pl.read_json(
            b"[" + b",".join(raw[1:-1] for raw, count in zip(raws, counts) if count) + b"]", schema=POINT_SCHEMA
        )
    except pl.exceptions.PolarsError:
        return None
    return (points, counts) if points.height == counts.sum() else None


def _points_frame(arrays: list, source: str) -> pl.DataFrame:
    if not arrays:
        return pl.DataFrame(schema=POINT_SCHEMA)
    try:
        return pl.from_dicts([p for array in arrays for p in array], schema=POINT_SCHEMA, strict=False)
    except (TypeError, ValueError, pl.exceptions.PolarsError) as error:
        raise SourceFormatError(f"{source}: a fact is not an object of start/end/val/accn/filed ({error})") from error


def _unit_arrays(cik: int, facts: dict, typed: bool, source: str) -> tuple[list, list, list]:
    """The point arrays of the usable (taxonomy, concept, unit) keys, the keys, and quarantined records."""
    arrays, keys, quarantined = [], [], []
    for taxonomy, concepts in facts.items():
        if taxonomy not in SUPPORTED_TAXONOMIES:
            reason = (
                "IFRS filer: ifrs-full statements are not mapped to line items"
                if taxonomy == "ifrs-full"
                else f"taxonomy {taxonomy} is not used"
            )
            quarantined.append(
                _quarantine(source, {"cik": cik, "taxonomy": taxonomy, "concepts": len(concepts or {})}, reason)
            )
            continue
        if not isinstance(concepts, dict):
            quarantined.append(_quarantine(source, {"cik": cik, "taxonomy": taxonomy}, "taxonomy is not an object"))
            continue
        for concept, body in concepts.items():
            units = _field(body, "units", typed)
            if not isinstance(units, dict) or not units:
                quarantined.append(
                    _quarantine(source, {"taxonomy": taxonomy, "concept": concept}, "concept has no units")
                )
                continue
            for unit, unit_points in units.items():
                if FOREIGN_CURRENCY.match(unit):
                    points = len(msgspec.json.decode(unit_points) if typed else unit_points)
                    quarantined.append(
                        _quarantine(
                            source, {"concept": concept, "unit": unit, "points": points}, f"unit {unit} is not USD"
                        )
                    )
                elif not typed and not isinstance(unit_points, list):
                    quarantined.append(_quarantine(source, {"concept": concept, "unit": unit}, "points are not a list"))
                else:
                    arrays.append(unit_points)
                    keys.append((taxonomy, concept, unit))
    return arrays, keys, quarantined


def _is_share_count(concept: str, unit: str) -> bool:
    return unit in SHARE_UNITS and ("SharesOutstanding" in concept or concept.startswith("WeightedAverageNumber"))


class _Company(NamedTuple):
    """One document read, its points not yet checked."""

    cik: int
    name: str | None
    source: str
    keys: list[tuple[str, str, str]]  # (taxonomy, concept, unit) of each point array
    counts: np.ndarray  # points per array
    points: pl.DataFrame  # the arrays' points in order, as POINT_SCHEMA
    quarantined: list[dict]


def _read_company(payload: bytes | str | dict, source: str) -> _Company:
    """A companyfacts document's point arrays and what its structure quarantines; SourceFormatError
    when it is not a companyfacts document at all, or its values defeat the reader (numbers beyond
    64 bits, nesting beyond reason)."""
    try:
        return _read_company_document(payload, source)
    except (pl.exceptions.PolarsError, OverflowError, TypeError, ValueError, AttributeError, RecursionError) as error:
        if isinstance(error, SourceFormatError):
            raise
        raise SourceFormatError(
            f"{source}: unreadable companyfacts document ({type(error).__name__}: {error})"
        ) from error


_UNITS_KEY = re.compile(rb'"units"\s*:')


def _repeated_concepts(payload: bytes | str | dict, facts: dict, cik: int, source: str) -> list[dict]:
    """A quarantined record when the document declares more concepts (each has one "units" key)
    than its decoded objects hold: a concept key repeated in the JSON, whose earlier copies every
    decoder drops."""
    if isinstance(payload, dict):
        return []
    declared = len(_UNITS_KEY.findall(payload if isinstance(payload, bytes) else payload.encode()))
    decoded = sum(len(concepts) for concepts in facts.values() if isinstance(concepts, dict))
    if declared <= decoded:
        return []
    reason = f"{declared - decoded} concept keys repeated in the document: only the last copy of each is read"
    return [_quarantine(source, {"cik": cik, "concepts_declared": declared, "concepts_read": decoded}, reason)]


def _read_company_document(payload: bytes | str | dict, source: str) -> _Company:
    document, typed = _decode(payload, source)
    if (typed and document is None) or (not typed and (not isinstance(document, dict) or "cik" not in document)):
        raise SourceFormatError(f"{source}: not a companyfacts document (no 'cik')")
    raw_cik = _field(document, "cik", typed)
    try:
        cik = int(raw_cik)
    except (TypeError, ValueError, OverflowError) as error:
        raise SourceFormatError(f"{source}: cik {raw_cik!r} is not a number") from error
    if not 0 < cik < 10**10:
        raise SourceFormatError(f"{source}: cik {raw_cik!r} is not a CIK")
    facts = _field(document, "facts", typed) or {}
    if not isinstance(facts, dict):
        raise SourceFormatError(f"{source}: 'facts' is not an object")
    arrays, keys, quarantined = _unit_arrays(cik, facts, typed, source)
    quarantined += _repeated_concepts(payload, facts, cik, source)
    read = _typed_points(arrays) if typed and arrays else None
    if typed and arrays and read is None and not isinstance(payload, dict):  # a point strays: read one by one
        document, typed = load_json(payload, source), False
        arrays, keys, quarantined = _unit_arrays(cik, _field(document, "facts", typed) or {}, typed, source)
    points, counts = (
        read
        if read is not None
        else (_points_frame(arrays, source), np.array([len(array) for array in arrays], dtype=np.int64))
    )
    return _Company(cik, _field(document, "entityName", typed), source, keys, counts, points, quarantined)


_KEY_SCHEMA = {
    "_company": pl.Int64,
    "cik": pl.Int64,
    "taxonomy": pl.String,
    "concept": pl.String,
    "unit": pl.String,
    "_share_count": pl.Boolean,
}
# the checked points' typed columns, and the first problem that keeps each point out of the table;
# `_point_array` numbers the (company, taxonomy, concept, unit) arrays, the scope of a duplicate
_PARSED = {
    "value": pl.col("val").cast(pl.Float64, strict=False),
    "start_date": pl.col("start").str.to_date("%Y-%m-%d", strict=False),
    "end_date": pl.col("end").str.to_date("%Y-%m-%d", strict=False),
    "filed_date": pl.col("filed").str.to_date("%Y-%m-%d", strict=False),
}
_PROBLEM = (
    pl.when(
        pl.col("value").is_null()
        | pl.col("end_date").is_null()
        | pl.col("filed_date").is_null()
        | pl.col("accn").is_null()
    )
    .then(pl.lit("malformed fact (value, end, filed date or accession missing or unreadable)"))
    .when(pl.col("start").is_not_null() & pl.col("start_date").is_null())
    .then(pl.lit("malformed fact (unreadable start date)"))
    .when((pl.col("value") < 0) & pl.col("_share_count"))
    .then(pl.lit("negative share count"))
    .when(pl.col("start_date") > pl.col("end_date"))
    .then(pl.lit("period starts after it ends"))
    .when(~pl.struct("_point_array", "start_date", "end_date", "accn", "value", "frame").is_first_distinct())
    .then(pl.lit("duplicate of an identical fact in the same filing"))
)


def _checked_tables(companies: list[_Company]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The fact table and quarantined records of documents read, their points checked together
    (per document, a batch's checks cost less than half of one document's alone)."""
    keys = [
        (index, company.cik, *key, _is_share_count(key[1], key[2]))
        for index, company in enumerate(companies)
        for key in company.keys
    ]
    point_array = pl.Series(
        "_point_array", np.repeat(np.arange(len(keys)), np.concatenate([company.counts for company in companies]))
    )
    checked = (
        pl.concat(
            [
                pl.DataFrame(keys, schema=_KEY_SCHEMA, orient="row")[point_array].with_columns(point_array),
                pl.concat(
                    [company.points for company in companies], rechunk=True
                ),  # columns chunked alike: 20x faster checks
            ],
            how="horizontal",
        )
        .lazy()
        .with_columns(**_PARSED)
        .with_columns(_problem=_PROBLEM)
        # documents are small: the streaming engine's start-up and the optimizer's passes over
        # these expressions would cost more than running them as written
        .collect(engine="in-memory", optimizations=pl.QueryOptFlags.none())
    )
    quarantined = [record for company in companies for record in company.quarantined]
    problems = checked.get_column("_problem")
    if problems.null_count() < checked.height:
        quarantined += [
            _quarantine(
                companies[row["_company"]].source,
                {k: row[k] for k in ("concept", "unit", "start", "end", "val", "accn", "filed")},
                row["_problem"],
            )
            for row in checked.filter(problems.is_not_null()).iter_rows(named=True)
        ]
        checked = checked.filter(problems.is_null())
    with_facts = set(checked.get_column("_company").unique().to_list())
    quarantined += [
        _quarantine(company.source, {"cik": company.cik, "entityName": company.name}, "company has no usable facts")
        for index, company in enumerate(companies)
        if index not in with_facts
    ]
    facts = checked.select(pl.col("cik"), **{name: pl.col(column) for name, column in FACT_COLUMNS.items()})
    return facts, frame_of(QuarantinedRecord, quarantined)


def _checked_batch(companies: list[_Company]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`_checked_tables` of a batch; when its values defeat the checks, document by document, each
    failing document one quarantined record."""
    try:
        return _checked_tables(companies)
    except (pl.exceptions.PolarsError, OverflowError, TypeError, ValueError) as error:
        if len(companies) == 1:
            company = companies[0]
            reason = f"unreadable companyfacts document ({type(error).__name__}: {error})"
            return pl.DataFrame(schema=FACT_SCHEMA), frame_of(
                QuarantinedRecord, [_quarantine(company.source, {"cik": company.cik}, reason)]
            )
        parts = [_checked_batch([company]) for company in companies]
        return pl.concat([facts for facts, _ in parts]), pl.concat([bad for _, bad in parts])


def parse_companyfacts(payload: bytes | str | dict, source: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The fact table of one companyfacts document and its quarantined records; SourceFormatError
    when the document is malformed JSON or not a companyfacts document.

    The document's structure is decoded into typed structs (msgspec), every unit's points are left
    as raw JSON and read by Polars' JSON reader in one call, and dates and checks are applied
    column-wise: a large filer's 25,000 facts parse in milliseconds. A document that strays from
    EDGAR's schema is decoded as plain JSON instead, point by point, so each bad point is quarantined.
    """
    return _checked_batch([_read_company(payload, source)])


BATCH_DOCUMENTS = 16  # documents checked together: 5-20 cost least per document; larger batches outgrow the CPU caches


def parse_companyfacts_documents(
    documents: Iterable[tuple[bytes | str | dict, str]],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The fact table and quarantined records of many (document, source) pairs, parsed as
    `parse_companyfacts` does but checked 16 documents at a time; a document that cannot be read
    becomes one quarantined record with the reason, and the others go on."""
    tables, batch, unreadable = [], [], []
    for payload, source in documents:
        try:
            batch.append(_read_company(payload, source))
        except SourceFormatError as error:
            head = payload[:200].decode(errors="replace") if isinstance(payload, bytes) else str(payload)[:200]
            unreadable.append(_quarantine(source, {"head": head}, str(error)))
        if len(batch) == BATCH_DOCUMENTS:
            tables.append(_checked_batch(batch))
            batch = []
    if batch:
        tables.append(_checked_batch(batch))
    tables.append((pl.DataFrame(schema=FACT_SCHEMA), frame_of(QuarantinedRecord, unreadable)))
    return pl.concat([facts for facts, _ in tables]), pl.concat([bad for _, bad in tables])
