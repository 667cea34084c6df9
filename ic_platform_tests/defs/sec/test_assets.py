import json

import dagster as dg
import polars as pl

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
