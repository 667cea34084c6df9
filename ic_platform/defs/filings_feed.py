"""EDGAR's current-filings feed as the sensors read it: new entries after a cursor, and the runs they ask for."""

import json
from datetime import datetime

import dagster as dg

from ic_platform.defs.policies import time_limit
from ic_platform.defs.resources import EdgarSource
from ic_platform.sources.documents import SourceFormatError
from ic_platform.sources.http import HttpError
from ic_platform.sources.readers import CurrentFilingsFeed
from ic_platform.tables import COMPANIES
from ic_platform.trading_days import next_trading_day

CIKS_TAG = "ic/ciks"  # set by the filings sensors: the companies whose filings triggered the run
FEED_PAGES = 3  # 100 entries a page, newest first
SEEN_KEPT = 2000  # accessions remembered for entries that share the newest timestamp


def refresh_job(name: str, source_asset: str, description: str):
    """The job a filings sensor launches: `source_asset` and everything downstream of it through
    `ic_scores` and `serving_scores` (not the whole-history `score_evaluation`)."""
    selection = dg.AssetSelection.assets(source_asset).downstream() - dg.AssetSelection.assets("score_evaluation")
    return dg.define_asset_job(name, selection=selection, description=description, tags=time_limit(3))


def new_filings(entries: list[dict], cursor: dict, forms: tuple[str, ...]) -> tuple[list[dict], dict]:
    """Entries newer than the cursor (or at its timestamp but unseen) of the given forms, and the next cursor."""
    since = datetime.fromisoformat(cursor["updated"]) if cursor.get("updated") else None
    seen = set(cursor.get("seen", []))
    fresh = [
        e
        for e in entries
        if since is None or e["updated"] > since or (e["updated"] == since and e["accession"] not in seen)
    ]
    if not entries:
        return [], cursor
    newest = max(e["updated"] for e in entries)
    if since is not None and since > newest:
        newest = since
    keep = [e["accession"] for e in entries if e["updated"] == newest] + (list(seen) if since == newest else [])
    next_cursor = {"updated": newest.isoformat(), "seen": sorted(set(keep))[-SEEN_KEPT:]}
    return [e for e in fresh if e["form"] in forms], next_cursor


def feed_run_requests(
    context: dg.SensorEvaluationContext, edgar: EdgarSource, forms: tuple[str, ...], feed_type: str, key: str
) -> dg.SensorResult | dg.SkipReason:
    """Run requests for new feed entries of `forms` by companies of the universe (as filer or issuer):
    one per trading day the filings become known, tagged with the companies' CIKs and forms."""
    reader = edgar.reader()
    if not isinstance(reader, CurrentFilingsFeed):
        return dg.SkipReason(
            f"the {edgar.mode} source has no current-filings feed; the sensor follows EDGAR in live mode"
        )
    cursor = json.loads(context.cursor) if context.cursor else {}
    try:
        entries = [
            e
            for start in range(0, FEED_PAGES * 100, 100)
            for e in reader.current_filings(form_type=feed_type, start=start)
        ]
    except (HttpError, SourceFormatError) as error:
        return dg.SkipReason(f"current-filings feed unavailable: {error}")
    filings, next_cursor = new_filings(entries, cursor, forms)
    universe = set(COMPANIES.scan().select("cik").collect().get_column("cik"))
    watched = [f for f in filings if f["cik"] in universe and f["role"] != "Reporting"]
    runs: dict[str, list] = {}
    for filing in watched:
        day = next_trading_day(filing["updated"].date()).isoformat()
        runs.setdefault(day, []).append(filing)
    requests = [
        dg.RunRequest(
            run_key=f"{key}-{day}-{'-'.join(sorted(f['accession'] for f in batch))}",
            partition_key=day,
            tags={
                CIKS_TAG: ",".join(sorted({str(f["cik"]) for f in batch})),
                "ic/forms": ",".join(sorted({f["form"] for f in batch})),
            },
        )
        for day, batch in sorted(runs.items())
    ]
    context.log.info(
        f"{len(entries)} feed entries, {len(filings)} new {'/'.join(forms)} filings, {len(watched)} in the universe"
    )
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(next_cursor))
