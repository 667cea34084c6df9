"""Ownership assets: insider transactions (Form 4) and institutional holdings (13F), raw and daily."""

from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from functools import partial
from pathlib import Path

import dagster as dg
import polars as pl

from ic_platform.defs.filings_feed import CIKS_TAG
from ic_platform.defs.incremental import (
    SourceRead,
    index_manifest,
    index_start,
    indexed_filings,
    quarantined_with_earlier,
    universe_digest,
)
from ic_platform.defs.outages import FetchTally, StaleBodies
from ic_platform.defs.partitions import partition_window
from ic_platform.defs.policies import source_step
from ic_platform.defs.resources import EdgarSource
from ic_platform.defs.stores import TableStore, with_table_store
from ic_platform.defs.table_assets import daily_asset, materialized, table_asset, table_spec
from ic_platform.features import insider, institutional
from ic_platform.features.splits import ticker_index
from ic_platform.schemas.common import QuarantinedRecord, frame_of, polars_schema, quarantined_record
from ic_platform.schemas.ownership import InsiderTransaction
from ic_platform.sources.archives import dataset_locations
from ic_platform.sources.cusip import cusip_tickers
from ic_platform.sources.documents import SourceFormatError, map_in_processes, read_ahead
from ic_platform.sources.edgar_files import filings_of
from ic_platform.sources.http import HttpError
from ic_platform.sources.ownership import parse_insider_dataset, parse_ownership
from ic_platform.sources.readers import EdgarReader
from ic_platform.sources.thirteenf import (
    HOLDING_SCHEMA,
    THIRTEENF_FORMS,
    parse_thirteenf_dataset,
    parse_thirteenf_submission,
    with_value_units,
)
from ic_platform.tables import (
    COMPANIES,
    CORPORATE_ACTIONS,
    CUSIP_TICKERS,
    DAILY_BARS,
    INSIDER_DAILY,
    INSIDER_TRANSACTIONS,
    INSTITUTIONAL_DAILY,
    THIRTEENF_FILINGS,
    THIRTEENF_HOLDINGS,
    VALUATION_DAILY,
)
from ic_platform.trading_days import next_trading_days, previous_trading_day, trading_days_between

FORM4_FORMS = ("4", "4/A")


def _filing_texts(
    reader: EdgarReader, cik: int, forms: tuple[str, ...], since: date | None, listed: list[dict] | None
) -> list[tuple[dict, str | None | Exception]]:
    """Each filing of `forms` in the CIK's submissions (or `listed`, when a daily index listed them),
    filed on or after `since` when given, with its full submission text (None when the source lacks
    it, or the error that kept it from being read)."""
    texts: list[tuple[dict, str | None | Exception]] = []
    for filing in filings_of(reader.submissions(cik) or {}, forms) if listed is None else listed:
        if since and filing["filed"] < since:
            continue
        try:
            texts.append((filing, reader.filing_text(cik, filing["accession"])))
        except (SourceFormatError, HttpError) as error:
            texts.append((filing, error))
    return texts


def _parsed_filings(
    reader: EdgarReader,
    ciks: Iterable[int],
    forms: tuple[str, ...],
    parse,
    quarantined: list[dict],
    tally: FetchTally,
    since: date | None = None,
    listed: dict[int, list[dict]] | None = None,
):
    """(filing, parse(text, source, filing)) for each filing of `forms` in the CIKs' submissions (or
    in `listed`, by CIK), read ahead by threads while the previous ones are parsed; a filing that is
    missing or unreadable is quarantined with the reason instead, and one the source failed to
    deliver is counted in `tally` (its previous rows are kept)."""

    def texts_of(cik: int):
        return _filing_texts(reader, cik, forms, since, None if listed is None else listed.get(cik, []))

    for _, texts in read_ahead(ciks, texts_of, reader.read_threads):
        for filing, text in texts.result():
            source = f"{filing['form']} {filing['accession']}"
            tally.listed += 1
            if isinstance(text, Exception):
                tally.failures[filing["accession"]] = str(text)
                quarantined.append(quarantined_record(source, filing["accession"], f"{text} (previous rows kept)"))
                continue
            if text is None:
                reason = "the filing's full submission is not available"
                quarantined.append(quarantined_record(source, filing["accession"], reason))
                continue
            try:
                yield filing, parse(text, source, filing)
            except SourceFormatError as error:
                quarantined.append(quarantined_record(source, filing["accession"], str(error)))


def _parse_form4(text: str, source: str, filing: dict) -> tuple[list[dict], list[dict]]:
    return parse_ownership(text, source, filing["accession"], filing["filed"], filing["accepted"])


def _form4_transactions(
    reader: EdgarReader,
    tickers: dict[int, str],
    since: date | None,
    listed: dict[int, list[dict]] | None,
    ciks: list[int],
) -> tuple[pl.DataFrame, list[dict], FetchTally]:
    """The transaction rows (knowledge date still empty), quarantined records and fetch tally of the
    issuers' Form 4 filings (those filed from `since`; those of `listed` when given); runs in a
    worker process for large universes."""
    rows: list[dict] = []
    quarantined: list[dict] = []
    tally = FetchTally()
    for _, (found, bad) in _parsed_filings(reader, ciks, FORM4_FORMS, _parse_form4, quarantined, tally, since, listed):
        rows.extend(
            row | {"ticker": tickers.get(row["issuer_cik"]) or row["ticker"], "knowledge_date": None} for row in found
        )
        quarantined.extend(bad)
    return pl.DataFrame(rows, schema=polars_schema(InsiderTransaction)), quarantined, tally


def _form4_from_datasets(
    context: dg.AssetExecutionContext, edgar: EdgarSource, tickers: dict[int, str]
) -> dg.MaterializeResult:
    """The universe's transactions from every quarter of the SEC's insider-transaction data sets
    (read whole each time); a quarter that cannot be read is quarantined whole with the reason."""
    frames, quarantined = [pl.DataFrame(schema=polars_schema(InsiderTransaction))], []
    since = edgar.form4_since()
    for quarter in dataset_locations(Path(edgar.insider_datasets)):
        try:
            found, bad = parse_insider_dataset(quarter)
        except SourceFormatError as error:
            quarantined.append(quarantined_record(str(quarter), quarter.name, str(error)))
            continue
        issuers = found.filter(pl.col("issuer_cik").is_in(list(tickers)))
        if since is not None:  # $IC_FORM4_LOOKBACK_DAYS
            issuers = issuers.filter(pl.col("filed") >= since)
        frames.append(
            issuers.with_columns(
                ticker=pl.col("issuer_cik").replace_strict(tickers, default=pl.col("ticker")), knowledge_date=None
            ).select(polars_schema(InsiderTransaction).names())
        )
        quarantined.extend(bad)
        context.log.info(f"{quarter.name}: {issuers.height} transaction rows of the universe, {len(bad)} quarantined")
    frame = pl.concat(frames, how="vertical_relaxed")
    frame = frame.with_columns(knowledge_date=_knowledge_dates(frame))
    return materialized(
        INSIDER_TRANSACTIONS.write(
            frame, quarantined=frame_of(QuarantinedRecord, quarantined), source_off=edgar.is_off
        ),
        source_mode=edgar.mode,
        read=f"insider-transaction data sets in {edgar.insider_datasets}",
    )


@table_asset("ownership", INSIDER_TRANSACTIONS, deps=["sec_companies"], **source_step(edgar=True))
def sec_form4(
    context: dg.AssetExecutionContext, edgar: EdgarSource, config: SourceRead, table_store: TableStore
) -> dg.MaterializeResult:
    """Every Form 4 and 4/A transaction of the universe's companies (read as full EDGAR submissions,
    or with $IC_INSIDER_DATASETS from the SEC's quarterly insider-transaction data sets, Form 5s too):
    one row per transaction and reporting owner, with the filing's knowledge date (first trading day
    after acceptance). A run reads only the Form 4s that EDGAR's daily form indexes list after the
    last day it read (a first read, `full_refresh`, another universe or mode lists every issuer's
    submissions); runs from the Form 4 sensor re-read the issuers that filed. Form 4s filed more than
    $IC_FORM4_LOOKBACK_DAYS ago (live mode: 400) are not read. Unreadable filings and transactions
    are quarantined with a reason. A filing the source fails to deliver keeps its previous rows; when
    it fails for more than $IC_MAX_FAILED_SHARE (2%) of the filings, the step fails and the table
    stays as it was."""
    stale = StaleBodies()
    companies = COMPANIES.scan().select("cik", "ticker").unique("cik", keep="first").collect()
    tickers = dict(companies.iter_rows())
    if edgar.insider_datasets and not edgar.is_off:
        return _form4_from_datasets(context, edgar, tickers)
    ciks, kept = ([] if edgar.is_off else sorted(tickers)), pl.DataFrame(schema=polars_schema(InsiderTransaction))
    read_settings = {
        "mode": edgar.mode,
        "form4_lookback_days": edgar.form4_lookback_days,
        "universe": universe_digest(ciks),
    }
    touched, listed = context.run.tags.get(CIKS_TAG), None
    previous_manifest = INSIDER_TRANSACTIONS.manifest()
    index, since = edgar.reader(), edgar.form4_since()
    read_from = None if touched else index_start(INSIDER_TRANSACTIONS, config, read_settings, index)
    if touched:  # a run the Form 4 sensor asked for: re-read only the issuers that filed
        ciks = sorted({int(c) for c in touched.split(",")} & set(ciks))
        kept = INSIDER_TRANSACTIONS.scan().filter(~pl.col("issuer_cik").is_in(ciks)).collect()
        manifest = previous_manifest
    elif read_from is not None:  # the filings the daily indexes list since the last read
        listed, through = indexed_filings(index, read_from, FORM4_FORMS, set(ciks))
        kept = INSIDER_TRANSACTIONS.scan().collect()
        held = set(kept.get_column("accession"))
        listed = {c: [f for f in fs if f["accession"] not in held] for c, fs in listed.items()}
        ciks = sorted(c for c, filings in listed.items() if filings)
        context.log.info(
            f"daily indexes after {read_from} through {through}: {sum(map(len, listed.values()))} new Form 4s"
        )
        manifest = index_manifest(read_settings, through)
    else:
        manifest = index_manifest(read_settings, index.indexed_through())
    # the bulk archives only for a read of every issuer's submissions, not for the filings an index lists
    reader = edgar.reader(companies=len(ciks) if listed is None else 0)
    if since:
        context.log.info(f"Form 4s filed from {since} ($IC_FORM4_LOOKBACK_DAYS={edgar.form4_lookback_days})")
    frames, quarantined, tally = [], [], FetchTally()
    for done, (found, bad, part) in map_in_processes(
        partial(_form4_transactions, reader, tickers, since, listed), ciks, reader.parse_processes
    ):
        frames.append(found)
        quarantined.extend(bad)
        tally.merge(part)
        context.log.info(f"issuers read: {done}/{len(ciks)}")
    failed = tally.within_budget("sec_form4", context.retry_number)
    previous = INSIDER_TRANSACTIONS.scan().filter(pl.col("accession").is_in(list(tally.failures))).collect()
    frame = pl.concat([pl.DataFrame(schema=polars_schema(InsiderTransaction)), *frames])
    frame = pl.concat([kept, previous, frame.with_columns(knowledge_date=_knowledge_dates(frame))])
    context.log.info(
        f"{frame.height} transaction rows from {frame.get_column('accession').n_unique()} filings, "
        f"{len(quarantined)} quarantined"
    )
    incremental = bool(touched) or read_from is not None
    return materialized(
        INSIDER_TRANSACTIONS.write(
            frame,
            quarantined=quarantined_with_earlier(INSIDER_TRANSACTIONS, incremental, quarantined),
            manifest=manifest,
            source_off=edgar.is_off,
        ),
        source_mode=edgar.mode,
        read=f"daily indexes after {read_from}"
        if read_from
        else ("the issuers that filed" if touched else "every issuer"),
        **failed,
        **stale.metadata(),
    )


def _knowledge_dates(frame: pl.DataFrame) -> pl.Series:
    """The first trading day after each row's acceptance date (its filing date when the source has
    no acceptance time)."""
    return next_trading_days(frame.select(pl.coalesce(pl.col("accepted").dt.date(), pl.col("filed"))).to_series())


THIRTEENF_MANAGERS_PER_BATCH = 20  # managers a worker process reads (each files 4 reports a year)


def _thirteenf_filings(
    reader: EdgarReader, listed: dict[int, list[dict]] | None, managers: list[int]
) -> tuple[list[dict], pl.DataFrame, list[dict], FetchTally]:
    """Cover pages, holdings (values as reported) and quarantined records of the managers' 13F
    filings (those of `listed` when given); runs in a worker process when there are many managers."""
    covers: list[dict] = []
    holdings = [pl.DataFrame(schema=HOLDING_SCHEMA | {"accession": pl.String})]
    quarantined: list[dict] = []
    tally = FetchTally()
    for filing, parsed in _parsed_filings(
        reader,
        managers,
        THIRTEENF_FORMS,
        lambda text, source, _: parse_thirteenf_submission(text, source),
        quarantined,
        tally,
        listed=listed,
    ):
        cover = parsed.cover
        covers.append(
            {
                "accession": parsed.accession,
                "manager_cik": cover.manager_cik,
                "manager_name": cover.manager_name,
                "form": cover.form,
                "period": cover.period,
                "filed": parsed.filed,
                "accepted": filing["accepted"] or parsed.accepted,
            }
        )
        holdings.append(parsed.holdings.with_columns(accession=pl.lit(parsed.accession)))
        quarantined.extend(parsed.quarantined)
    return covers, pl.concat(holdings, how="diagonal_relaxed"), quarantined, tally


def _thirteenf_from_filings(
    context: dg.AssetExecutionContext, edgar: EdgarSource, listed: dict[int, list[dict]] | None
) -> tuple[list[dict], list[pl.DataFrame], list[dict], FetchTally]:
    """Cover pages, holdings (values as reported), quarantined records and fetch tally of the
    followed managers' 13F filings (those of `listed`, by manager, when given), parsed by worker
    processes a batch of managers at a time."""
    reader = edgar.reader()
    managers = list(edgar.thirteenf_manager_ciks()) if listed is None else sorted(listed)
    covers, holdings, quarantined, tally = [], [], [], FetchTally()
    batches = map_in_processes(
        partial(_thirteenf_filings, reader, listed), managers, reader.parse_processes, THIRTEENF_MANAGERS_PER_BATCH
    )
    for done, (found, table, bad, part) in batches:
        covers.extend(found)
        holdings.append(table)
        quarantined.extend(bad)
        tally.merge(part)
        context.log.info(f"13F managers read: {done}/{len(managers)}")
    return covers, holdings, quarantined, tally


def _thirteenf_from_datasets(folder: Path) -> tuple[list[dict], list[pl.DataFrame], list[dict], FetchTally]:
    """Cover pages and holdings of every quarter of SEC Form 13F data sets (zips or folders); a
    quarter that cannot be read (a table missing, a column lacking, not a zip) is quarantined whole
    with the reason."""
    covers, holdings, quarantined = [], [], []
    for quarter in dataset_locations(folder):
        try:
            filings, table, bad = parse_thirteenf_dataset(quarter)
        except SourceFormatError as error:
            quarantined.append(quarantined_record(str(quarter), quarter.name, str(error)))
            continue
        covers.extend(filings.with_columns(accepted=None).drop("is_amendment").to_dicts())
        holdings.append(table)
        quarantined.extend(bad)
    return covers, holdings, quarantined, FetchTally()


@with_table_store(
    dg.multi_asset,
    specs=[
        table_spec(
            "ownership",
            THIRTEENF_HOLDINGS,
            "13F-HR holdings of the followed managers (their filings, or SEC Form 13F data sets), values "
            "normalised to dollars: the unit (thousands or dollars) is decided per filing against shares x "
            "the close at the period end where the CUSIP maps to a ticker, else by filing date and implied prices.",
            deps=["sec_companies", "daily_bars"],
        ),
        table_spec(
            "ownership",
            THIRTEENF_FILINGS,
            "The followed managers' 13F-HR cover pages: period, filing date, knowledge date (first trading "
            "day after acceptance) and the value unit decided for the filing, with the reason.",
        ),
        table_spec(
            "ownership",
            CUSIP_TICKERS,
            "CUSIP to ticker for the 13F holdings: the rows of $IC_CUSIP_MAP first, then issuer names that "
            "match exactly one universe company's name.",
        ),
    ],
    backfill_policy=dg.BackfillPolicy.single_run(),
    **source_step(edgar=True),
)
def sec_13f(
    context: dg.AssetExecutionContext, edgar: EdgarSource, config: SourceRead, table_store: TableStore
) -> Iterator[dg.MaterializeResult]:
    """Reads the followed managers' 13F-HR filings and writes their holdings, cover pages and the
    CUSIP to ticker map they are matched with; a run whose daily form indexes list no new 13F-HR of
    a followed manager since the last read leaves the tables as they are."""
    stale = StaleBodies()
    managers = list(edgar.thirteenf_manager_ciks())
    read_settings = {"mode": edgar.mode, "managers": universe_digest(managers), "datasets": edgar.thirteenf_datasets}
    index = edgar.reader()
    read_from = None if edgar.thirteenf_datasets else index_start(THIRTEENF_HOLDINGS, config, read_settings, index)
    listed = None
    if read_from is not None:
        listed, through = indexed_filings(index, read_from, THIRTEENF_FORMS, set(managers))
        if not listed:  # nothing new: the tables stay, the manifest moves on
            THIRTEENF_HOLDINGS.record_manifest(index_manifest(read_settings, through))
            unchanged = f"no new 13F-HR in the daily indexes after {read_from} through {through}"
            context.log.info(unchanged)
            for written in (CUSIP_TICKERS, THIRTEENF_FILINGS, THIRTEENF_HOLDINGS):
                yield dg.MaterializeResult(asset_key=written.name, metadata={"unchanged": unchanged})
            return
        context.log.info(f"daily indexes after {read_from} through {through}: {len(listed)} managers filed")
    manifest = index_manifest(read_settings, index.indexed_through())
    if edgar.thirteenf_datasets and not edgar.is_off:
        covers, holdings, quarantined, tally = _thirteenf_from_datasets(Path(edgar.thirteenf_datasets))
    else:
        covers, holdings, quarantined, tally = _thirteenf_from_filings(context, edgar, listed)
    # the filings held before and not read again (an incremental read), or that the source failed to
    # deliver, keep their cover pages and holdings as reported; the units and tickers of all are decided anew
    read = [cover["accession"] for cover in covers]
    held = ~pl.col("accession").is_in(read) if listed else pl.col("accession").is_in(list(tally.failures))
    failed = tally.within_budget("sec_13f", context.retry_number)
    table = pl.concat(
        [
            pl.DataFrame(schema=HOLDING_SCHEMA | {"accession": pl.String}),
            *holdings,
            _held_holdings(held),
        ],
        how="diagonal_relaxed",
    )
    mapping_file = pl.read_csv(edgar.cusip_map, infer_schema=False) if edgar.cusip_map else None
    mapping = cusip_tickers(table, COMPANIES.scan().collect(), mapping_file)
    table = table.join(mapping.select("cusip", "ticker"), on="cusip", how="left")
    filings = pl.DataFrame(
        covers,
        schema={
            "accession": pl.String,
            "manager_cik": pl.Int64,
            "manager_name": pl.String,
            "form": pl.String,
            "period": pl.Date,
            "filed": pl.Date,
            "accepted": pl.Datetime("us"),
        },
    )
    filings = filings.with_columns(knowledge_date=_knowledge_dates(filings)).drop("accepted")
    filings = pl.concat([filings, THIRTEENF_FILINGS.scan().filter(held).select(filings.columns).collect()])
    filings, table = with_value_units(filings, table, _period_closes(filings, table))
    yield materialized(CUSIP_TICKERS.write(mapping), asset_key=CUSIP_TICKERS.name)
    yield materialized(THIRTEENF_FILINGS.write(filings), asset_key=THIRTEENF_FILINGS.name)
    context.log.info(
        f"{filings.height} 13F filings, {table.height} holdings, {mapping.height} CUSIPs mapped, "
        f"{filings.filter(pl.col('value_multiplier') == 1000).height} filings in thousands"
    )
    yield materialized(
        THIRTEENF_HOLDINGS.write(
            table,
            quarantined=quarantined_with_earlier(THIRTEENF_HOLDINGS, bool(listed), quarantined),
            manifest=manifest,
            source_off=edgar.is_off,
        ),
        asset_key=THIRTEENF_HOLDINGS.name,
        read=f"daily indexes after {read_from}" if listed else "every manager",
        filings=filings.height,
        cusips_mapped=mapping.height,
        source_mode=edgar.mode,
        **failed,
        **stale.metadata(),
    )


def _held_holdings(held: pl.Expr) -> pl.DataFrame:
    """The holdings of the filings `held` selects, as their filings reported them (values in the
    filing's unit; the table does not keep investment discretion, which nothing reads)."""
    units = THIRTEENF_FILINGS.scan().select("accession", "value_multiplier")
    return (
        THIRTEENF_HOLDINGS.scan()
        .filter(held)
        .join(units, on="accession")
        .with_columns(reported_value=pl.col("value_usd") / pl.col("value_multiplier"))
        .select(*(c for c in HOLDING_SCHEMA if c != "investment_discretion"), "accession")
        .collect()
    )


def _period_closes(filings: pl.DataFrame, holdings: pl.DataFrame) -> pl.DataFrame:
    """The close (as traded) of each mapped holding on the last trading day on or before its filing's period end."""
    close_days = {
        period: previous_trading_day(period + timedelta(days=1)) for period in filings.get_column("period").unique()
    }
    closes = [
        DAILY_BARS.scan(day, day).select("ticker", period=pl.lit(period), close="close").collect()
        for period, day in close_days.items()
    ]
    closes_frame = pl.concat(
        [pl.DataFrame(schema={"ticker": pl.String, "period": pl.Date, "close": pl.Float64}), *closes]
    )
    return (
        holdings.filter(pl.col("ticker").is_not_null())
        .join(filings.select("accession", "period"), on="accession")
        .join(closes_frame, on=["ticker", "period"])
        .select("accession", "cusip", "close")
    )


@daily_asset("ownership", INSIDER_DAILY, deps=["sec_form4"])
def insider_daily(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Net open-market insider buying by value (Form 4 code P minus S) over the last 30 and 90 days,
    distinct buyers and transaction count per ticker for day D, from filings known by D (acceptance
    date + 1 trading day); a 4/A replaces its original from the day the amendment is known."""
    start, end = partition_window(context)
    transactions = INSIDER_TRANSACTIONS.scan().filter(pl.col("knowledge_date") <= end).collect()

    def compute(first, last) -> pl.DataFrame:
        return insider.insider_daily(transactions, trading_days_between(first, last))

    return materialized(INSIDER_DAILY.write_in_chunks(compute, start, end))


@daily_asset(
    "ownership", INSTITUTIONAL_DAILY, deps=["sec_13f", "sec_13f_filings", "valuation_daily", "corporate_actions"]
)
def institutional_daily(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Shares held by the followed 13F managers as a share of shares outstanding, its quarter-over-quarter
    change and the holder count per ticker for day D, from reports known by D (filing date + 1
    trading day; each manager's latest report, dropped 200 days after its period). Shares reported
    for a period before a split are put on the basis of D's prior close, as the shares outstanding
    are. A stock the managers no longer hold has no row."""
    start, end = partition_window(context)
    filings = THIRTEENF_FILINGS.scan().filter(pl.col("knowledge_date") <= end).collect()
    holdings = THIRTEENF_HOLDINGS.scan().filter(
        pl.col("ticker").is_not_null() & (pl.col("shares_type") == "SH") & pl.col("put_call").is_null()
    )
    splits = ticker_index(CORPORATE_ACTIONS.scan().collect())
    levels = institutional.institutional_levels(
        filings, holdings.select("accession", "ticker", "shares").collect(), splits
    )

    def compute(first, last) -> pl.DataFrame:
        outstanding = (
            VALUATION_DAILY.scan(first, last)
            .filter(pl.col("market_cap").is_not_null())
            .select(
                "date",
                "ticker",
                "close_date",
                shares_outstanding=pl.col("market_cap") / pl.col("price"),
                shares_known="inputs_knowledge_date",
            )
        )
        return institutional.institutional_daily(
            levels, outstanding.collect(), trading_days_between(first, last), splits
        )

    return materialized(INSTITUTIONAL_DAILY.write_in_chunks(compute, start, end))
