from datetime import date

import dagster as dg
import polars as pl

from ic_platform.defs.ownership.assets import sec_13f, sec_form4
from ic_platform.defs.resources import EdgarSource, MarketDataSource
from ic_platform.defs.sec.assets import sec_companies
from ic_platform.defs.stores import TableStore
from ic_platform.sources.edgar import EdgarFolder
from ic_platform.sources.http import HttpError
from ic_platform.storage import quarantine_table
from ic_platform.tables import INSIDER_TRANSACTIONS, THIRTEENF_FILINGS, THIRTEENF_HOLDINGS


def _run(assets):
    """The assets after sec_companies, re-reading every filing (a full refresh)."""
    return dg.materialize(
        [sec_companies, *assets],
        resources={"table_store": TableStore(), "edgar": EdgarSource(), "market_data": MarketDataSource()},
        run_config={"ops": {a.node_def.name: {"config": {"full_refresh": True}} for a in assets}},
        raise_on_error=False,
    )


def _outage(monkeypatch, accessions):
    read = EdgarFolder.filing_text

    def failing(self, cik, accession):
        if accessions is None or accession in accessions:
            raise HttpError(f"GET {accession}.txt failed after 6 attempts: HTTP 503")
        return read(self, cik, accession)

    monkeypatch.setattr(EdgarFolder, "filing_text", failing)


def test_a_form4_the_source_fails_to_deliver_keeps_its_rows_and_an_outage_fails_the_step(demo_data_dir, monkeypatch):
    assert _run([sec_form4]).success
    before = INSIDER_TRANSACTIONS.scan().collect()
    down = before.get_column("accession").sort()[0]
    _outage(monkeypatch, {down})  # one filing of hundreds: under the 2% a source may fail
    result = _run([sec_form4])
    assert result.success
    after = INSIDER_TRANSACTIONS.scan().collect()
    assert after.sort(after.columns).equals(before.sort(before.columns))
    reasons = quarantine_table(INSIDER_TRANSACTIONS).scan().collect().get_column("reason").to_list()
    assert any("HTTP 503 (previous rows kept)" in reason for reason in reasons)
    _outage(monkeypatch, None)  # EDGAR down: every filing fails
    result = _run([sec_form4])
    assert not result.success
    assert INSIDER_TRANSACTIONS.scan().collect().sort(before.columns).equals(before.sort(before.columns))


def test_a_13f_the_source_fails_to_deliver_keeps_its_filing_and_holdings(demo_data_dir, monkeypatch):
    assert _run([sec_13f]).success
    filings, holdings = THIRTEENF_FILINGS.scan().collect(), THIRTEENF_HOLDINGS.scan().collect()
    down = filings.get_column("accession").sort()[0]
    _outage(monkeypatch, {down})
    monkeypatch.setenv("IC_MAX_FAILED_SHARE", "0.1")  # the small demo has a few dozen 13Fs
    assert _run([sec_13f]).success
    assert THIRTEENF_FILINGS.scan().collect().sort("accession").equals(filings.sort("accession"))
    after = THIRTEENF_HOLDINGS.scan().collect()
    assert after.sort(after.columns).equals(holdings.sort(holdings.columns))
    assert after.filter(pl.col("accession") == down).height > 0


def test_a_form4_lookback_reads_only_the_recent_filings(demo_data_dir):
    assert _run([sec_form4]).success
    every = INSIDER_TRANSACTIONS.scan().collect()
    since = every.get_column("filed").sort()[every.height // 2]
    lookback = (date.today() - since).days
    result = dg.materialize(
        [sec_companies, sec_form4],
        resources={
            "table_store": TableStore(),
            "edgar": EdgarSource(form4_lookback_days=lookback),
            "market_data": MarketDataSource(),
        },
    )
    assert result.success
    recent = INSIDER_TRANSACTIONS.scan().collect()
    assert recent.get_column("filed").min() >= since and 0 < recent.height < every.height
    assert recent.equals(every.filter(pl.col("filed") >= since))
