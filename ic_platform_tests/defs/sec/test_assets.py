import gzip
import json
from datetime import date, timedelta

import dagster as dg
import polars as pl
import pytest

from ic_platform.defs.resources import EdgarSource
from ic_platform.defs.sec.assets import sec_companies, sec_companyfacts
from ic_platform.defs.stores import TableStore
from ic_platform.schemas.sec import GICS_SECTORS
from ic_platform.sources.edgar import EdgarFolder
from ic_platform.sources.http import HttpError
from ic_platform.sources.sic_gics import gics_sector_for_sic
from ic_platform.storage import quarantine_table
from ic_platform.tables import COMPANIES, COMPANY_FACTS


def test_the_companies_universe_has_every_ticker_with_its_sector(demo_data_dir):
    result = dg.materialize([sec_companies], resources={"table_store": TableStore(), "edgar": EdgarSource()})
    assert result.success
    companies = COMPANIES.scan().collect()
    assert companies.height == 30
    assert set(companies.get_column("gics_sector")) == set(GICS_SECTORS)
    assert companies.get_column("sic").null_count() == 0


def test_a_universe_file_limits_the_companies_and_its_unknown_members_are_quarantined(demo_data_dir, tmp_path):
    tickers = json.loads((demo_data_dir / "demo" / "edgar" / "company_tickers.json").read_text())
    chosen = [tickers[str(i)]["ticker"] for i in range(3)]
    universe = tmp_path / "universe.txt"
    universe.write_text("\n".join([*chosen, "NOPE"]))
    assert dg.materialize(
        [sec_companies], resources={"table_store": TableStore(), "edgar": EdgarSource(universe=str(universe))}
    ).success
    assert sorted(COMPANIES.scan().collect().get_column("ticker")) == sorted(chosen)
    reasons = quarantine_table(COMPANIES).scan().collect().get_column("reason").to_list()
    assert reasons == ["the ticker is not in EDGAR's ticker map"]
    universe.write_text("")
    failed = dg.materialize(
        [sec_companies],
        resources={"table_store": TableStore(), "edgar": EdgarSource(universe=str(universe))},
        raise_on_error=False,
    )
    assert not failed.success
    (failure,) = [e for e in failed.all_events if e.event_type_value == "STEP_FAILURE"]
    assert "IC_UNIVERSE" in failure.step_failure_data.error.message
    assert "names no company" in failure.step_failure_data.error.message


def test_a_company_without_submissions_is_kept_where_the_sector_table_places_it(demo_data_dir, tmp_path):
    edgar = demo_data_dir / "demo" / "edgar"
    listed = json.loads((edgar / "company_tickers.json").read_text())
    (placed, missing, unreadable) = (listed[str(i)] for i in range(3))
    for company in (placed, missing):
        (edgar / "submissions" / f"CIK{company['cik_str']:010d}.json").unlink()
    (edgar / "submissions" / f"CIK{unreadable['cik_str']:010d}.json").write_text('{"cik": ')
    sectors = tmp_path / "sectors.csv"
    sectors.write_text(f"Symbol,GICS Sector\n{placed['ticker']},Utilities\n")
    resources = {"table_store": TableStore(), "edgar": EdgarSource(sector_map=str(sectors))}
    assert dg.materialize([sec_companies], resources=resources).success
    companies = COMPANIES.scan().collect()
    assert companies.height == 28
    kept = companies.filter(pl.col("cik") == placed["cik_str"]).row(0, named=True)
    assert (kept["ticker"], kept["gics_sector"], kept["sector_source"], kept["sic"]) == (
        placed["ticker"],
        "Utilities",
        "sector_map",
        None,
    )
    reasons = sorted(quarantine_table(COMPANIES).scan().collect().get_column("reason"))
    assert reasons[0].startswith(f"an unreadable submissions document (CIK{unreadable['cik_str']:010d}.json: malformed")
    assert reasons[0].endswith("and no sector in the sector table")
    assert reasons[1] == "no submissions document for the CIK and no sector in the sector table"


def test_a_missing_demo_universe_fails_with_the_command_to_make_it(data_dir):
    result = dg.materialize(
        [sec_companies], resources={"table_store": TableStore(), "edgar": EdgarSource()}, raise_on_error=False
    )
    failure = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"][0]
    assert "ic-platform generate-demo" in failure.step_failure_data.error.message


def test_an_unreadable_or_missing_companyfacts_document_is_quarantined_and_the_other_companies_go_on(demo_data_dir):
    folder = demo_data_dir / "demo" / "edgar" / "companyfacts"
    truncated, missing = sorted(folder.glob("CIK*.json"))[:2]
    truncated.write_bytes(truncated.read_bytes()[:5000])
    missing.unlink()
    assert dg.materialize(
        [sec_companies, sec_companyfacts], resources={"table_store": TableStore(), "edgar": EdgarSource()}
    ).success
    quarantined = quarantine_table(COMPANY_FACTS).scan().collect()
    reasons = dict(zip(quarantined.get_column("source"), quarantined.get_column("reason")))
    assert reasons[f"companyfacts {truncated.stem}"].startswith(f"companyfacts {truncated.stem}: malformed JSON")
    assert reasons["companyfacts"] == "EDGAR has no companyfacts for the CIK"
    assert COMPANY_FACTS.scan().select("cik").unique().collect().height == 28


def test_the_demo_sector_table_places_the_companies_the_crosswalk_misplaces(demo_data_dir):
    assert dg.materialize([sec_companies], resources={"table_store": TableStore(), "edgar": EdgarSource()}).success
    companies = COMPANIES.scan().collect()
    assert set(companies.get_column("sector_source")) == {"sector_map"}
    misleading = json.loads((demo_data_dir / "demo" / "manifest.json").read_text())["misleading_sic"]
    misplaced = companies.filter(pl.col("ticker").is_in(misleading))
    assert misplaced.height > 0
    assert set(misplaced.get_column("gics_sector")) <= {"Communication Services", "Financials"}
    for sic, sector in misplaced.select("sic", "gics_sector").iter_rows():
        assert gics_sector_for_sic(sic) != sector


def test_without_a_sector_table_the_crosswalk_decides_and_a_bad_table_row_is_quarantined(demo_data_dir, tmp_path):
    table = tmp_path / "sectors.csv"
    first = json.loads((demo_data_dir / "demo" / "edgar" / "company_tickers.json").read_text())
    ticker = first["0"]["ticker"]
    table.write_text(f"ticker,gics_sector\n{ticker},Utilities\nZZZZ,Gold\n")
    assert dg.materialize(
        [sec_companies], resources={"table_store": TableStore(), "edgar": EdgarSource(sector_map=str(table))}
    ).success
    companies = COMPANIES.scan().collect()
    assert companies.filter(pl.col("ticker") == ticker).select("gics_sector", "sector_source").row(0) == (
        "Utilities",
        "sector_map",
    )
    assert set(companies.filter(pl.col("ticker") != ticker).get_column("sector_source")) == {"sic"}
    reasons = quarantine_table(COMPANIES).scan().collect().get_column("reason").to_list()
    assert reasons == ["'Gold' is not a GICS sector"]


def test_a_company_the_source_fails_for_keeps_its_facts_and_too_many_failures_fail_the_step(demo_data_dir, monkeypatch):
    resources = {"table_store": TableStore(), "edgar": EdgarSource()}
    assert dg.materialize([sec_companies, sec_companyfacts], resources=resources).success
    before = COMPANY_FACTS.scan().collect()
    down = int(before.get_column("cik").min())
    read = EdgarFolder.companyfacts

    def outage(self, cik):
        if cik == down:
            raise HttpError(f"GET companyfacts CIK{cik} failed after 6 attempts: HTTP 503")
        return read(self, cik)

    monkeypatch.setattr(EdgarFolder, "companyfacts", outage)
    reread = {"ops": {"sec_companyfacts": {"config": {"full_refresh": True}}}}  # every company again
    result = dg.materialize(
        [sec_companies, sec_companyfacts], resources=resources, run_config=reread, raise_on_error=False
    )
    assert not result.success  # one company in 30 is more than the 2% allowed
    assert COMPANY_FACTS.scan().collect().equals(before)
    monkeypatch.setenv("IC_MAX_FAILED_SHARE", "0.05")
    result = dg.materialize([sec_companies, sec_companyfacts], resources=resources, run_config=reread)
    after = COMPANY_FACTS.scan().collect()
    assert (
        after.filter(pl.col("cik") == down)
        .sort(after.columns)
        .equals(before.filter(pl.col("cik") == down).sort(before.columns))
    )
    assert after.height == before.height
    reasons = quarantine_table(COMPANY_FACTS).scan().collect().get_column("reason").to_list()
    assert any("HTTP 503 (previous facts kept)" in reason for reason in reasons)
    [facts] = [e for e in result.get_asset_materialization_events() if e.asset_key.path == ["sec_companyfacts"]]
    assert facts.step_materialization_data.materialization.metadata["failed_item_list"].value == [str(down)]


@pytest.mark.real_data
def test_a_2018_universe_keeps_its_delisted_companies_through_the_ticker_history(real_data, data_dir, tmp_path):
    edgar = tmp_path / "edgar"
    edgar.mkdir()
    (edgar / "company_tickers.json").write_bytes(
        gzip.decompress((real_data / "sec_submissions" / "company_tickers.json.gz").read_bytes())
    )
    constituents = real_data / "sectors" / "sp500_constituents_2018-04-02.csv"
    history = tmp_path / "history.csv"
    history.write_text(  # the acquisitions that delisted three of them
        "ticker,cik,start_date,end_date,name,exchange\n"
        "CELG,816284,1987-07-16,2019-11-20,Celgene Corp,NASDAQ\n"
        "AET,1122304,2001-12-13,2018-11-27,Aetna Inc,NYSE\n"
        "ATVI,718877,1993-10-25,2023-10-12,Activision Blizzard Inc,NASDAQ\n"
    )

    def read(ticker_history: str) -> tuple[pl.DataFrame, list[str]]:
        source = EdgarSource(
            mode="archive",
            archive_path=str(edgar),
            universe=str(constituents),
            sector_map=str(constituents),
            ticker_history=ticker_history,
        )
        assert dg.materialize([sec_companies], resources={"table_store": TableStore(), "edgar": source}).success
        reasons = quarantine_table(COMPANIES).scan().collect().get_column("reason").to_list()
        return COMPANIES.scan().collect(), reasons

    without, reasons = read("")
    outside = [r for r in reasons if r == "the ticker is not in EDGAR's ticker map"]
    assert "CELG" not in without.get_column("ticker").to_list() and len(outside) == 70  # of 505
    companies, reasons = read(str(history))
    assert companies.height == without.height + 3
    celg = companies.filter(pl.col("ticker") == "CELG").row(0, named=True)
    assert (celg["cik"], celg["name"], celg["gics_sector"], celg["listed_until"], celg["exchange"]) == (
        816284,
        "Celgene Corp",
        "Health Care",
        date(2019, 11, 20),
        "NASDAQ",
    )
    assert reasons.count("the ticker is not in EDGAR's ticker map") == len(outside) - 3


def _as_predecessor_filings(document: dict, cik: int, name: str, until: date) -> dict:
    """A companyfacts document in EDGAR's format for the predecessor `cik`: the points of `document`
    for periods ended before `until`, each as if filed by the predecessor 35 days after its period."""
    facts: dict = {}
    for taxonomy, concepts in document["facts"].items():
        for concept, body in concepts.items():
            for unit, points in body["units"].items():
                kept = [
                    p
                    | {
                        "accn": f"{cik:010d}-{p['end'][2:4]}-{i:06d}",
                        "filed": (date.fromisoformat(p["end"]) + timedelta(days=35)).isoformat(),
                    }
                    for i, p in enumerate(points)
                    if date.fromisoformat(p["end"]) < until
                ]
                if kept:
                    facts.setdefault(taxonomy, {}).setdefault(concept, body | {"units": {}})["units"][unit] = kept
    return {"cik": cik, "entityName": name, "facts": facts}


@pytest.mark.real_data
def test_a_predecessors_filings_are_read_as_the_successors_earlier_ones(real_data, data_dir, tmp_path):
    edgar = tmp_path / "edgar"
    (edgar / "companyfacts").mkdir(parents=True)
    alphabet = json.loads(
        gzip.decompress((real_data / "sec_companyfacts" / "CIK0001652044_GOOGL.json.gz").read_bytes())
    )
    google = _as_predecessor_filings(alphabet, 1288776, "Google Inc.", date(2015, 7, 1))
    (edgar / "companyfacts" / "CIK0001652044.json").write_text(json.dumps(alphabet))
    (edgar / "companyfacts" / "CIK0001288776.json").write_text(json.dumps(google))
    (edgar / "company_tickers.json").write_text(
        json.dumps({"0": {"cik_str": 1652044, "ticker": "GOOGL", "title": "Alphabet Inc."}})
    )
    (tmp_path / "history.csv").write_text(
        "ticker,cik,start_date,end_date\nGOOGL,1288776,2014-04-03,2015-10-02\nGOOGL,1652044,2015-10-05,\n"
    )
    (tmp_path / "sectors.csv").write_text("ticker,gics_sector\nGOOGL,Communication Services\n")
    source = EdgarSource(
        mode="archive",
        archive_path=str(edgar),
        sector_map=str(tmp_path / "sectors.csv"),
        ticker_history=str(tmp_path / "history.csv"),
    )
    resources = {"table_store": TableStore(), "edgar": source}
    assert dg.materialize([sec_companies, sec_companyfacts], resources=resources).success
    company = COMPANIES.scan().collect().row(0, named=True)
    assert (company["cik"], company["predecessor_ciks"], company["listed_from"]) == (
        1652044,
        "1288776",
        date(2014, 4, 3),
    )
    facts = COMPANY_FACTS.scan().collect()
    earlier = facts.filter(pl.col("accession").str.starts_with("0001288776"))
    points = sum(len(p) for c in google["facts"].values() for body in c.values() for p in body["units"].values())
    assert earlier.height > 1000 and facts.get_column("cik").unique().to_list() == [1652044]
    assert earlier.height + quarantine_table(COMPANY_FACTS).scan().collect().height >= points
    assert earlier.get_column("filed").max() < date(2015, 10, 2)  # known before Alphabet existed
