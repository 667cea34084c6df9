"""SEC assets: the companies universe, their XBRL facts and point-in-time fundamentals."""

from collections.abc import Iterable
from pathlib import Path

import dagster as dg
import polars as pl

from ic_platform import settings
from ic_platform.defs.filings_feed import CIKS_TAG
from ic_platform.defs.incremental import (
    SourceRead,
    changed_companies,
    code_digest,
    company_digests,
    file_digest,
    index_manifest,
    index_start,
    indexed_filings,
    quarantined_with_earlier,
    universe_digest,
)
from ic_platform.defs.inputs import ACTIONS
from ic_platform.defs.outages import StaleBodies, within_failure_budget
from ic_platform.defs.policies import source_step
from ic_platform.defs.progress import with_progress
from ic_platform.defs.resources import EdgarSource
from ic_platform.defs.stores import TableStore
from ic_platform.defs.table_assets import materialized, table_asset
from ic_platform.features import fundamentals
from ic_platform.features import splits as splits_module
from ic_platform.features.row_counts import fell
from ic_platform.features.splits import split_index
from ic_platform.schemas.common import QuarantinedRecord, frame_of, quarantined_record
from ic_platform.schemas.sec import Company
from ic_platform.sources.companyfacts import FACT_SCHEMA, parse_companyfacts_documents
from ic_platform.sources.documents import SourceFormatError, read_ahead
from ic_platform.sources.edgar_files import FUNDAMENTAL_FORMS, parse_company_tickers, parse_submissions_profile
from ic_platform.sources.http import HttpError
from ic_platform.sources.readers import EdgarReader
from ic_platform.sources.sector_map import read_sector_map, with_sectors
from ic_platform.sources.security_master import listings, read_ticker_history, with_listings
from ic_platform.sources.universe import read_universe, select_universe, universe_companies
from ic_platform.tables import COMPANIES, COMPANY_FACTS, CORPORATE_ACTIONS, FUNDAMENTAL_STATES, FUNDAMENTALS_PIT


@table_asset("sec", COMPANIES, **source_step(edgar=True))
def sec_companies(
    context: dg.AssetExecutionContext, edgar: EdgarSource, config: SourceRead, table_store: TableStore
) -> dg.MaterializeResult:
    """The companies universe: every ticker in EDGAR's ticker map (or those of the universe file,
    $IC_UNIVERSE: its members the map lacks are quarantined) with its CIK, name, SIC code and GICS
    sector: from the sector table ($IC_SECTOR_MAP; the demo's own) where it lists the ticker or CIK,
    else mapped from the SIC code of the company's submissions document (`sector_source`). With SEC
    off ($IC_SEC_MODE=off) the universe file alone names them (ticker and CIK), with the sectors of
    the sector table or of the file's own sector column. A company without a readable submissions
    document is kept when the sector table places it, else quarantined. A run re-reads the submissions of the
    companies new to the map or listed in EDGAR's daily form indexes since the last read (another
    universe file, sector table or mode reads every one)."""
    manifest, submissions_read, incremental = None, 0, False
    if edgar.is_off:  # no ticker map, no submissions: the universe file names the companies
        if not edgar.universe:
            raise dg.Failure(
                "SEC is off ($IC_SEC_MODE=off): the universe file ($IC_UNIVERSE) must name the companies, "
                "with ticker and cik columns",
                allow_retries=False,
            )
        members, quarantined = universe_companies(_universe_members(edgar), edgar.universe)
        profiles = members.to_dicts()
        context.log.info(f"SEC is off: {len(profiles)} companies from {edgar.universe}")
    else:
        profiles, quarantined, manifest, submissions_read, incremental = _edgar_profiles(context, edgar, config)
    path = edgar.sector_map_path()
    sector_table, bad_rows = read_sector_map(path) if path else (None, frame_of(QuarantinedRecord, []))
    companies, unplaced = _sectored(profiles, sector_table)
    quarantined = quarantined + unplaced
    sources = companies.get_column("sector_source").value_counts().rows()
    context.log.info(f"sectors by source: {dict(sources)}")
    records = pl.concat([frame_of(QuarantinedRecord, quarantined), bad_rows])
    _refuse_a_fallen_universe(companies.height)
    return materialized(
        COMPANIES.write(
            companies,
            quarantined=quarantined_with_earlier(COMPANIES, incremental, records),
            manifest=manifest,
        ),
        source_mode=edgar.mode,
        submissions_read=submissions_read,
    )


def _refuse_a_fallen_universe(companies: int) -> None:
    """Fail before anything is written when the universe lost more than $IC_MAX_ROW_DROP of its
    companies since the last read (a universe file naming unknown tickers, a source that lost them)."""
    held = COMPANIES.scan().select(pl.len()).collect().item()
    max_drop = settings.current().max_row_drop
    if fell(held, companies, max_drop) or (held and not companies):
        raise dg.Failure(
            f"the universe fell from {held} to {companies} companies, more than {max_drop:.0%} "
            "($IC_MAX_ROW_DROP); nothing was written. Check $IC_UNIVERSE and the quarantined members; a universe "
            "made smaller on purpose needs one run with IC_MAX_ROW_DROP=1.",
            allow_retries=False,
        )


def _universe_members(edgar: EdgarSource) -> pl.DataFrame:
    try:
        return read_universe(Path(edgar.universe))
    except SourceFormatError as error:
        raise dg.Failure(f"IC_UNIVERSE: {error}", allow_retries=False) from error  # a setting: retries cannot fix it


def _edgar_profiles(
    context: dg.AssetExecutionContext, edgar: EdgarSource, config: SourceRead
) -> tuple[list[dict], list[dict], dict, int, bool]:
    """The companies of EDGAR's ticker map (those of the universe file when one is set) with the
    profile of their submissions document (read again only for the companies new to the map or that
    filed since the last read, when it can be incremental), the quarantined records, the table's
    manifest, the number of submissions documents read and whether the read was incremental."""
    index = edgar.reader()
    tickers = parse_company_tickers(index.company_tickers(), "company_tickers.json")
    profiles: list[dict] = []
    quarantined: list[dict] = []
    if edgar.ticker_history:
        tickers, quarantined = _with_history(context, tickers, Path(edgar.ticker_history))
    if edgar.universe:
        tickers, outside = select_universe(tickers, _universe_members(edgar), edgar.universe)
        quarantined += outside
        context.log.info(
            f"universe {edgar.universe}: {tickers.height} tickers, {len(quarantined)} members not in EDGAR"
        )
    read_settings = {
        "mode": edgar.mode,
        "universe": file_digest(edgar.universe),
        "ticker_history": file_digest(edgar.ticker_history),
        "sector_map": file_digest(edgar.sector_map_path()),
    }
    read_from = index_start(COMPANIES, config, read_settings, index)
    if read_from is not None:
        listed, through = indexed_filings(index, read_from, None, set(tickers.get_column("cik")))
        held = (
            COMPANIES.scan()
            .collect()
            .join(tickers.select("ticker", "cik"), on=["ticker", "cik"], how="semi")
            .filter(~pl.col("cik").is_in(list(listed)))
        )
        profiles = held.drop("name").join(tickers.select("ticker", "cik", "name"), on=["ticker", "cik"]).to_dicts()
        tickers = tickers.join(held.select("ticker", "cik"), on=["ticker", "cik"], how="anti")
        manifest = index_manifest(read_settings, through)
        context.log.info(
            f"{len(profiles)} companies kept, {tickers.height} read again (new, or filed after {read_from})"
        )
    else:
        manifest = index_manifest(read_settings, index.indexed_through())
    reader = edgar.reader(companies=tickers.get_column("cik").n_unique())
    rows = with_progress(context, tickers.to_dicts(), "submissions read")
    for row, read in read_ahead(rows, lambda row: reader.submissions(row["cik"]), reader.read_threads):
        try:
            document = read.result()
            profile = None if document is None else parse_submissions_profile(document, f"CIK {row['cik']}")
        except SourceFormatError as error:
            profiles.append(row | {"_no_submissions": f"an unreadable submissions document ({error})"})
            continue
        if profile is None:
            profiles.append(row | {"_no_submissions": "no submissions document for the CIK"})
            continue
        # the submissions document's profile, but not its missing exchange over the ticker history's
        profiles.append(row | {k: v for k, v in profile.items() if k != "cik" and (v is not None or k not in row)})
    without = sum(1 for profile in profiles if "_no_submissions" in profile)
    context.log.info(f"{len(profiles)} companies, {without} without a readable submissions document")
    return profiles, quarantined, manifest, tickers.height, read_from is not None


def _with_history(
    context: dg.AssetExecutionContext, tickers: pl.DataFrame, path: Path
) -> tuple[pl.DataFrame, list[dict]]:
    """The ticker map with the ticker history's listings (`security_master.with_listings`), and the
    history's quarantined rows."""
    try:
        periods, quarantined = read_ticker_history(path)
    except SourceFormatError as error:
        raise dg.Failure(f"IC_TICKER_HISTORY: {error}", allow_retries=False) from error  # a setting: no retry fixes it
    listed, unused = listings(periods, str(path))
    merged, reused = with_listings(tickers, listed, str(path))
    context.log.info(
        f"ticker history {path}: {listed.height} listings, {listed.get_column('listed_until').is_not_null().sum()} "
        f"ended, {listed.get_column('predecessor_ciks').is_not_null().sum()} with predecessors"
    )
    return merged, quarantined + unused + reused


def _sectored(profiles: list[dict], sector_table: pl.DataFrame | None) -> tuple[pl.DataFrame, list[dict]]:
    """The companies with their sectors (`with_sectors`), and a quarantined record for each company
    without a readable submissions document that the sector table does not place either (one it
    places is kept: its sector is what scoring needs)."""
    reasons = {p["cik"]: p["_no_submissions"] for p in profiles if "_no_submissions" in p}
    rows = [{k: v for k, v in p.items() if k != "_no_submissions"} for p in profiles]
    companies = with_sectors(frame_of(Company, rows), sector_table)
    unplaced = pl.col("cik").is_in(list(reasons)) & (pl.col("sector_source") != "sector_map").fill_null(True)
    quarantined = [
        quarantined_record("edgar submissions", str(row), f"{reasons[row['cik']]} and no sector in the sector table")
        for row in companies.filter(unplaced).select("ticker", "cik", "name").iter_rows(named=True)
    ]
    return companies.filter(~unplaced), quarantined


def _companyfacts_tables(
    reader: EdgarReader, ciks: Iterable[int], predecessors: dict[int, list[int]]
) -> tuple[pl.DataFrame, pl.DataFrame, dict[int, str]]:
    """The facts and quarantined records of the companies' companyfacts documents (and of their
    predecessor CIKs', whose facts are stored under the company's CIK: they are its earlier
    filings), read ahead by threads (worker processes would spend the time saved sending the facts
    back) and parsed in batches, and the companies the source failed for (CIK -> reason)."""
    missing, failures = [], {}
    owner = {predecessor: cik for cik, earlier in predecessors.items() for predecessor in earlier}
    documents_of = (document for cik in ciks for document in [cik, *predecessors.get(cik, [])])

    def documents():
        for cik, read in read_ahead(documents_of, reader.companyfacts, reader.read_threads):
            try:
                payload = read.result()
            except (HttpError, SourceFormatError) as error:
                failures[owner.get(cik, cik)] = str(error)
                missing.append(quarantined_record("companyfacts", str(cik), f"{error} (previous facts kept)"))
                continue
            if payload is None:
                reason = "EDGAR has no companyfacts for the CIK"
                if cik in owner:
                    reason += f" (a predecessor of CIK {owner[cik]}: its earlier filings are missing)"
                missing.append(quarantined_record("companyfacts", str(cik), reason))
                continue
            yield payload, f"companyfacts CIK{cik:010d}"

    facts, quarantined = parse_companyfacts_documents(documents())
    if owner:
        facts = facts.with_columns(cik=pl.col("cik").replace(owner))
    return facts, pl.concat([quarantined, frame_of(QuarantinedRecord, missing)]), failures


def predecessor_ciks(companies: pl.DataFrame) -> dict[int, list[int]]:
    """CIK -> its predecessor CIKs (oldest first), for the companies that have any."""
    listed = companies.filter(pl.col("predecessor_ciks").is_not_null()).select("cik", "predecessor_ciks").unique("cik")
    return {cik: [int(c) for c in text.split(",")] for cik, text in listed.iter_rows()}


@table_asset("sec", COMPANY_FACTS, deps=[sec_companies], **source_step(edgar=True))
def sec_companyfacts(
    context: dg.AssetExecutionContext, edgar: EdgarSource, config: SourceRead, table_store: TableStore
) -> dg.MaterializeResult:
    """Every XBRL fact (us-gaap and dei) EDGAR's companyfacts holds for the universe's companies, every
    version with its filing date. A run re-reads only the companies that EDGAR's daily form indexes
    list with a 10-K or 10-Q (or an amendment) after the last day it read, and runs from the filings
    sensor those that filed (a first read, `full_refresh`, another universe or mode reads every
    company; a company's predecessor CIKs are read with it, their facts under its CIK; in live mode
    a read of $IC_EDGAR_BULK_FROM (1,000) companies or more takes EDGAR's
    nightly companyfacts.zip, downloaded when it changed). Unusable facts (non-USD, malformed,
    duplicated, IFRS filers) and unreadable documents are quarantined with a reason; the other
    companies go on. A company the source fails for keeps its previous facts; when it fails for more
    than $IC_MAX_FAILED_SHARE (2%) of the companies, the step fails and the table stays as it was."""
    stale = StaleBodies()
    companies = COMPANIES.scan().collect()
    ciks = [] if edgar.is_off else companies.get_column("cik").unique().sort().to_list()
    predecessors = predecessor_ciks(companies)
    read_settings = {
        "mode": edgar.mode,
        "universe": universe_digest(ciks),
        "predecessors": str(sorted(predecessors.items())),
    }
    frames = [pl.DataFrame(schema=FACT_SCHEMA)]
    touched, index = context.run.tags.get(CIKS_TAG), edgar.reader()
    read_from = None if touched else index_start(COMPANY_FACTS, config, read_settings, index)
    if touched:  # a run the filings sensor asked for: re-read only the companies that filed
        ciks = sorted({int(c) for c in touched.split(",")} & set(ciks))
        manifest = COMPANY_FACTS.manifest()
    elif read_from is not None:  # the companies the daily indexes list with a new report
        listed, through = indexed_filings(index, read_from, FUNDAMENTAL_FORMS, set(ciks))
        ciks = sorted(listed)
        context.log.info(f"daily indexes after {read_from} through {through}: {len(ciks)} companies filed")
        manifest = index_manifest(read_settings, through)
    else:
        manifest = index_manifest(read_settings, index.indexed_through())
    incremental = bool(touched) or read_from is not None
    if incremental and not ciks:  # nothing new: the table stays, the manifest moves on
        COMPANY_FACTS.record_manifest(manifest)
        return dg.MaterializeResult(
            metadata={"unchanged": "no company to read again", "companies_read": 0, "source_mode": edgar.mode}
        )
    if incremental:
        frames.append(COMPANY_FACTS.scan().filter(~pl.col("cik").is_in(ciks)).collect())
    reader = edgar.reader(companies=len(ciks))
    found, bad, failures = _companyfacts_tables(reader, with_progress(context, ciks, "companyfacts read"), predecessors)
    failed = within_failure_budget("sec_companyfacts", failures, len(ciks), context.retry_number)
    frames += [found, COMPANY_FACTS.scan().filter(pl.col("cik").is_in(list(failures))).collect()]
    summary = COMPANY_FACTS.write(
        pl.concat(frames),
        quarantined=quarantined_with_earlier(COMPANY_FACTS, incremental, bad),
        manifest=manifest,
        source_off=edgar.is_off,
    )
    return materialized(
        summary,
        source_mode=edgar.mode,
        companies_read=len(ciks),
        **failed,
        **stale.metadata(),
    )


def _per_company(
    context: dg.AssetExecutionContext, table, config: SourceRead, inputs: list[pl.LazyFrame], build
) -> dg.MaterializeResult:
    """Write `table` with only the companies whose `inputs` changed rebuilt by `build(ciks)` (every
    company, `build(None)`, on a first build, a full refresh or other code); when none changed, the
    table stays as it is. The materialization, with the number of companies rebuilt."""
    settings = {"code": code_digest(fundamentals, splits_module)}
    digests = company_digests(*inputs)
    changed = changed_companies(table, config, settings, digests)
    manifest = {"settings": settings, "digests": digests}
    if changed == []:
        table.record_manifest(manifest)
        context.log.info(f"{table.name}: no company's inputs changed, the table stays as it is")
        return dg.MaterializeResult(metadata={"unchanged": "no company's inputs changed", "companies_rebuilt": 0})
    if changed is None:
        frame, held = build(None), table.scan().clear().collect()
    else:
        frame, held = build(changed), table.scan().filter(~pl.col("cik").is_in(changed)).collect()
    context.log.info(
        f"{table.name}: {'every company' if changed is None else f'{len(changed)} companies'} rebuilt, "
        f"{held.get_column('cik').n_unique()} kept, {held.height + frame.height} rows"
    )
    rebuilt = frame.get_column("cik").n_unique() if changed is None else len(changed)
    return materialized(table.write(pl.concat([held, frame]), manifest=manifest), companies_rebuilt=rebuilt)


def _of(frame, ciks: list[int] | None):
    return frame if ciks is None else frame.filter(pl.col("cik").is_in(ciks))


@table_asset("sec", FUNDAMENTALS_PIT, deps=[sec_companyfacts, sec_companies, ACTIONS])
def fundamentals_pit(context: dg.AssetExecutionContext, config: SourceRead) -> dg.MaterializeResult:
    """The 24 line items (revenue ... free_cash_flow) per company and quarter or fiscal year, every
    version with its filing date and knowledge date (first trading day after filing). Periods are
    keyed by their dates, concepts fall back in order, missing quarters are derived from year-to-date
    figures (Q4 = FY - 9M, per-share figures on the later filing's split basis), and only
    financial-statement forms count. A run rebuilds only the companies whose facts or splits changed."""
    splits = split_index(CORPORATE_ACTIONS.scan().collect(), COMPANIES.scan().collect())

    def build(ciks):
        return fundamentals.line_item_versions(_of(COMPANY_FACTS.scan(), ciks), _of(splits, ciks))

    return _per_company(context, FUNDAMENTALS_PIT, config, [COMPANY_FACTS.scan(), splits.lazy()], build)


@table_asset("sec", FUNDAMENTAL_STATES, deps=[fundamentals_pit, sec_companies, ACTIONS])
def fundamental_states(context: dg.AssetExecutionContext, config: SourceRead) -> dg.MaterializeResult:
    """Each company's trailing-twelve-month (flows) and latest (balances) line items and growth
    rates, one row per knowledge date from which they hold: what valuation_daily joins as of D.
    Share counts and EPS are restated to the state's split basis (splits read off corporate_actions). A run
    rebuilds only the companies whose line items or splits changed."""
    splits = split_index(CORPORATE_ACTIONS.scan().collect(), COMPANIES.scan().collect())

    def build(ciks):
        return fundamentals.fundamental_states(_of(FUNDAMENTALS_PIT.scan(), ciks), splits=_of(splits, ciks))

    return _per_company(context, FUNDAMENTAL_STATES, config, [FUNDAMENTALS_PIT.scan(), splits.lazy()], build)
