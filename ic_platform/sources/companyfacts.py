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
from datetime import date

import polars as pl

from ic_platform.schemas.common import QuarantinedRecord, frame_of
from ic_platform.sources.documents import SourceFormatError, load_json

FACT_SCHEMA = {
    "cik": pl.Int64, "taxonomy": pl.String, "concept": pl.String, "unit": pl.String, "start": pl.Date,
    "end": pl.Date, "value": pl.Float64, "accession": pl.String, "fy": pl.Int64, "fp": pl.String,
    "form": pl.String, "filed": pl.Date, "frame": pl.String,
}
SUPPORTED_TAXONOMIES = ("us-gaap", "dei")
SHARE_UNITS = ("shares",)
FOREIGN_CURRENCY = re.compile(r"^(?!USD)[A-Z]{3}(/shares)?$")


def _quarantine(cik: int | None, source: str, record, reason: str) -> dict:
    return {"date": None, "source": source, "record": json.dumps(record, sort_keys=True, default=str)[:2000], "reason": reason}


def parse_companyfacts(payload: bytes | str | dict, source: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The fact table of one companyfacts document and its quarantined records."""
    document = payload if isinstance(payload, dict) else load_json(payload, source)
    if not isinstance(document, dict) or "cik" not in document:
        raise SourceFormatError(f"{source}: not a companyfacts document (no 'cik')")
    try:
        cik = int(document["cik"])
    except (TypeError, ValueError) as error:
        raise SourceFormatError(f"{source}: cik {document['cik']!r} is not a number") from error
    facts = document.get("facts") or {}
    if not isinstance(facts, dict):
        raise SourceFormatError(f"{source}: 'facts' is not an object")
    columns: dict[str, list] = {name: [] for name in FACT_SCHEMA}
    quarantined: list[dict] = []
    for taxonomy, concepts in facts.items():
        if taxonomy not in SUPPORTED_TAXONOMIES:
            reason = "IFRS filer: ifrs-full statements are not mapped to line items" if taxonomy == "ifrs-full" else f"taxonomy {taxonomy} is not used"
            quarantined.append(_quarantine(cik, source, {"cik": cik, "taxonomy": taxonomy, "concepts": len(concepts or {})}, reason))
            continue
        for concept, body in (concepts or {}).items():
            units = body.get("units") if isinstance(body, dict) else None
            if not isinstance(units, dict) or not units:
                quarantined.append(_quarantine(cik, source, {"taxonomy": taxonomy, "concept": concept}, "concept has no units"))
                continue
            for unit, points in units.items():
                if FOREIGN_CURRENCY.match(unit):
                    quarantined.append(_quarantine(cik, source, {"concept": concept, "unit": unit, "points": len(points)}, f"unit {unit} is not USD"))
                    continue
                _add_points(columns, quarantined, cik, taxonomy, concept, unit, points, source)
    frame = pl.DataFrame(columns, schema=FACT_SCHEMA)
    repeated = ~frame.select(pl.struct(pl.all()).is_first_distinct()).to_series()
    if repeated.any():
        repeats = frame.filter(repeated)
        quarantined += [_quarantine(cik, source, row, "duplicate of an identical fact in the same filing") for row in repeats.iter_rows(named=True)]
        frame = frame.filter(~repeated)
    if frame.is_empty():
        quarantined.append(_quarantine(cik, source, {"cik": cik, "entityName": document.get("entityName")}, "company has no usable facts"))
    return frame, frame_of(QuarantinedRecord, quarantined)


def _is_share_count(concept: str) -> bool:
    """Share counts (which cannot be negative), as opposed to changes in shares (which can)."""
    return "SharesOutstanding" in concept or concept.startswith("WeightedAverageNumber")


def _add_points(columns, quarantined, cik, taxonomy, concept, unit, points, source) -> None:
    if not isinstance(points, list):
        quarantined.append(_quarantine(cik, source, {"concept": concept, "unit": unit}, "points are not a list"))
        return
    append = {name: columns[name].append for name in FACT_SCHEMA}
    for point in points:
        try:
            value = float(point["val"])
            end = date.fromisoformat(point["end"])
            start = date.fromisoformat(point["start"]) if point.get("start") else None
            filed = date.fromisoformat(point["filed"])
            accession = str(point["accn"])
        except (KeyError, TypeError, ValueError) as error:
            quarantined.append(_quarantine(cik, source, {"concept": concept, "unit": unit, "point": point}, f"malformed fact ({error!r})"))
            continue
        if value < 0 and unit in SHARE_UNITS and _is_share_count(concept):
            quarantined.append(_quarantine(cik, source, {"concept": concept, "unit": unit, "point": point}, "negative share count"))
            continue
        if start is not None and start > end:
            quarantined.append(_quarantine(cik, source, {"concept": concept, "point": point}, "period starts after it ends"))
            continue
        fy = point.get("fy")
        append["cik"](cik)
        append["taxonomy"](taxonomy)
        append["concept"](concept)
        append["unit"](unit)
        append["start"](start)
        append["end"](end)
        append["value"](value)
        append["accession"](accession)
        append["fy"](int(fy) if isinstance(fy, int) else None)
        append["fp"](point.get("fp"))
        append["form"](point.get("form"))
        append["filed"](filed)
        append["frame"](point.get("frame"))
