"""Publish a simulated demo universe up to a day: what its sources had made public by that day's end.

A demo generated with days held back keeps its whole simulation beside the demo folder
(`<demo>.simulated`) and publishes only its first days; advancing the demo publishes the next
trading day, as a live source would: that day's bars, and the filings, facts, articles, ratings,
splits and dividends (by declaration date) dated that day. Nothing already published changes, so
the scores of the days before stay what they were. Files that need no filtering are hard links
(copies where links are refused).
"""

import json
import os
import shutil
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ic_platform.trading_days import next_trading_day

NEW_YORK = ZoneInfo("America/New_York")


def simulated_dir(out: Path) -> Path:
    """Where the demo in `out` keeps its whole simulation when it holds days back."""
    return out.with_name(out.name + ".simulated")


def _load(path: Path):
    return json.loads(path.read_bytes())


def _dump(path: Path, document) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, separators=(",", ":")))


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _known(text: str, through: date) -> bool:
    """Whether a date (YYYY-MM-DD) or UTC timestamp is on or before `through`, in New York."""
    if len(text) == 10:
        return date.fromisoformat(text) <= through
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(NEW_YORK).date() <= through


def _submissions(document: dict, through: date) -> dict:
    """A submissions page (the columns of `filings.recent`, or an overflow page) without later filings."""
    keep = [i for i, filed in enumerate(document["filingDate"]) if date.fromisoformat(filed) <= through]
    return {column: [values[i] for i in keep] for column, values in document.items()}


def _companyfacts(document: dict, through: date) -> dict:
    """A companyfacts document without the facts filed after `through` (and the concepts left empty)."""
    facts = {}
    for taxonomy, concepts in document["facts"].items():
        kept_concepts = {}
        for name, concept in concepts.items():
            units = {
                unit: kept
                for unit, values in concept["units"].items()
                if (kept := [v for v in values if date.fromisoformat(v["filed"]) <= through])
            }
            if units:
                kept_concepts[name] = concept | {"units": units}
        if kept_concepts:
            facts[taxonomy] = kept_concepts
    return document | {"facts": facts}


def _edgar(simulated: Path, staging: Path, through: date) -> int:
    """Ticker map, submissions, companyfacts, the full filings they list and the daily form indexes,
    up to `through`; the number of Form 4s published."""
    _link(simulated / "company_tickers.json", staging / "company_tickers.json")
    accessions: set[str] = set()
    form4s: set[str] = set()
    for path in sorted((simulated / "submissions").glob("CIK*.json")):
        document = _load(path)
        if "filings" in document:  # a company's or manager's document; its overflow pages have the columns only
            recent = _submissions(document["filings"]["recent"], through)
            document["filings"] = document["filings"] | {"recent": recent}
            columns = recent
        else:
            document = columns = _submissions(document, through)
        accessions.update(columns["accessionNumber"])
        form4s.update(a for a, form in zip(columns["accessionNumber"], columns["form"]) if form == "4")
        _dump(staging / "submissions" / path.name, document)
    for path in sorted((simulated / "companyfacts").glob("CIK*.json")):
        _dump(staging / "companyfacts" / path.name, _companyfacts(_load(path), through))
    for path in sorted((simulated / "filings").glob("*.txt")):
        if path.stem in accessions:
            _link(path, staging / "filings" / path.name)
    for path in sorted((simulated / "daily-index").glob("form.*.idx")):
        if datetime.strptime(path.stem.removeprefix("form."), "%Y%m%d").date() <= through:
            _link(path, staging / "daily-index" / path.name)
    return len(form4s)


def _monthly(simulated: Path, staging: Path, key: str, dated: str, through: date) -> int:
    """The monthly files of `simulated` (their records under `key`) up to `through`; records published."""
    published = 0
    for path in sorted(simulated.glob("*.json")):
        document = _load(path)
        records = [r for r in document[key] if _known(r[dated], through)]
        if records:
            document = document | {key: records} | ({"count": len(records)} if "count" in document else {})
            _dump(staging / path.name, document)
            published += len(records)
    return published


def publish(simulated: Path, out: Path, through: date) -> dict:
    """Replace `out` with the simulated universe in `simulated` as it stood at the end of `through`,
    and return the published manifest (its `last_day` is `through`; `simulated_through` is the
    simulation's own last day)."""
    simulation = _load(simulated / "manifest.json")
    if not date.fromisoformat(simulation["first_day"]) <= through <= date.fromisoformat(simulation["last_day"]):
        raise ValueError(f"{through} is outside the simulation ({simulation['first_day']} to {simulation['last_day']})")
    staging = out.with_name(out.name + ".publishing")
    shutil.rmtree(staging, ignore_errors=True)
    bars = trading_days = 0
    for path in sorted((simulated / "polygon" / "grouped").glob("*.json")):
        if date.fromisoformat(path.stem) <= through:
            _link(path, staging / "polygon" / "grouped" / path.name)
            bars += _load(path)["resultsCount"]
            trading_days += 1
    splits = _load(simulated / "polygon" / "splits.json")
    splits["results"] = [s for s in splits["results"] if _known(s["execution_date"], through)]
    _dump(staging / "polygon" / "splits.json", splits)
    dividends = _load(simulated / "polygon" / "dividends.json")
    dividends["results"] = [d for d in dividends["results"] if _known(d["declaration_date"], through)]
    _dump(staging / "polygon" / "dividends.json", dividends)
    articles = _monthly(
        simulated / "polygon" / "news", staging / "polygon" / "news", "results", "published_utc", through
    )
    ratings = _monthly(simulated / "ratings", staging / "ratings", "ratings", "date", through)
    form4s = _edgar(simulated / "edgar", staging / "edgar", through)
    _link(simulated / "sectors.csv", staging / "sectors.csv")
    before = _load(out / "manifest.json") if (out / "manifest.json").exists() else {}
    published = before.get("published", {}) if before.get("generated_at") == simulation.get("generated_at") else {}
    manifest = simulation | {
        # when each day came out (advance-demo): the demo_new_days sensor scores the days that came
        # out after its last run started
        "published": published | {through.isoformat(): time.time()},
        "last_day": through.isoformat(),
        "simulated_through": simulation["last_day"],
        "trading_days": trading_days,
        "bars": bars,
        "form4_filings": form4s,
        "news_articles": articles,
        "analyst_ratings": ratings,
        "dividends": len(dividends["results"]),
    }
    _dump(staging / "manifest.json", manifest)
    replaced = out.with_name(out.name + ".replaced")
    shutil.rmtree(replaced, ignore_errors=True)
    if out.exists():
        out.rename(replaced)
    staging.rename(out)
    shutil.rmtree(replaced, ignore_errors=True)
    return manifest


def advance(out: Path, days: int = 1) -> dict:
    """Publish the next `days` trading days of the demo in `out` (no further than its simulation)
    and return its manifest; a ValueError says why when it holds no day back."""
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    manifest = _load(out / "manifest.json")
    simulated = simulated_dir(out)
    if "simulated_through" not in manifest or not (simulated / "manifest.json").exists():
        raise ValueError(f"the demo in {out} holds no days back: generate it with --hold-back N")
    last, end = date.fromisoformat(manifest["last_day"]), date.fromisoformat(manifest["simulated_through"])
    if last >= end:
        raise ValueError(f"the demo in {out} already publishes every simulated day (through {end})")
    through = last
    for _ in range(days):
        through = min(next_trading_day(through), end)
    return publish(simulated, out, through)
