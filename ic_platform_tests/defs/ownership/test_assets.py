import gzip
from datetime import date

import dagster as dg
import polars as pl
import pytest

from ic_platform.defs.ownership.assets import sec_13f, sec_form4
from ic_platform.defs.resources import EdgarSource, MarketDataSource
from ic_platform.defs.sec.assets import sec_companies
from ic_platform.defs.stores import TableStore
from ic_platform.sources.edgar import EdgarFolder
from ic_platform.sources.http import HttpError
from ic_platform.sources.ownership import DATASET_FORMS, parse_ownership
from ic_platform.storage import quarantine_table
from ic_platform.tables import INSIDER_TRANSACTIONS, THIRTEENF_FILINGS, THIRTEENF_HOLDINGS
from ic_platform_tests.sec_datasets import insider_tables, write_insider_dataset


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


@pytest.mark.real_data
def test_form4s_are_read_from_the_insider_transaction_data_sets_as_downloaded(real_data, data_dir, tmp_path):
    edgar, datasets = tmp_path / "edgar", tmp_path / "form345"
    edgar.mkdir()
    datasets.mkdir()
    (edgar / "company_tickers.json").write_bytes(
        gzip.decompress((real_data / "sec_submissions" / "company_tickers.json.gz").read_bytes())
    )
    (tmp_path / "universe.txt").write_text("AAPL\nSNOW\n")
    (tmp_path / "sectors.csv").write_text(
        "ticker,gics_sector\nAAPL,Information Technology\nSNOW,Information Technology\n"
    )
    filings = []
    for number, path in enumerate(sorted((real_data / "sec_form4" / "xml").glob("*.xml"))):
        accession, filed = f"0000000000-25-{number:06d}", date(2025, 1, 2)
        rows, _ = parse_ownership(path.read_text(encoding="latin-1"), path.name, accession, filed)
        if rows and rows[0]["form"] in DATASET_FORMS:
            filings.append((accession, filed, rows))
    write_insider_dataset(datasets / "2025q1_form345.zip", insider_tables(filings))
    (datasets / "2025q2_form345.zip").write_bytes(b"not a zip")
    source = EdgarSource(
        mode="archive",
        archive_path=str(edgar),
        universe=str(tmp_path / "universe.txt"),
        sector_map=str(tmp_path / "sectors.csv"),
        insider_datasets=str(datasets),
    )
    resources = {"table_store": TableStore(), "edgar": source}
    assert dg.materialize([sec_companies, sec_form4], resources=resources).success
    table = INSIDER_TRANSACTIONS.scan().collect()
    universe = [row for _, _, rows in filings for row in rows if row["issuer_cik"] in (320193, 1640147)]
    assert table.height == len(universe) > 10 and set(table.get_column("ticker")) == {"AAPL", "SNOW"}
    assert set(table.get_column("knowledge_date")) == {date(2025, 1, 3)}  # the trading day after the filing date
    (reason,) = quarantine_table(INSIDER_TRANSACTIONS).scan().collect().get_column("reason").to_list()
    assert reason.endswith("2025q2_form345.zip: not a readable zip archive (File is not a zip file)")
