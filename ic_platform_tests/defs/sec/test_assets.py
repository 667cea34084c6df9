import json

import dagster as dg

from ic_platform.defs.resources import EdgarSource
from ic_platform.defs.sec.assets import sec_companies, sec_companyfacts
from ic_platform.schemas.sec import GICS_SECTORS
from ic_platform.storage import quarantine_table
from ic_platform.tables import COMPANIES, COMPANY_FACTS


def test_the_companies_universe_has_every_ticker_with_its_sector(demo_data_dir):
    result = dg.materialize([sec_companies], resources={"edgar": EdgarSource()})
    assert result.success
    companies = COMPANIES.scan().collect()
    assert companies.height == 30
    assert set(companies.get_column("gics_sector")) == set(GICS_SECTORS)
    assert companies.get_column("sic").null_count() == 0


def test_a_ticker_without_submissions_is_quarantined(demo_data_dir):
    edgar = demo_data_dir / "demo" / "edgar"
    first_cik = json.loads((edgar / "company_tickers.json").read_text())["0"]["cik_str"]
    (edgar / "submissions" / f"CIK{first_cik:010d}.json").unlink()
    assert dg.materialize([sec_companies], resources={"edgar": EdgarSource()}).success
    quarantined = quarantine_table(COMPANIES).scan().collect()
    assert quarantined.get_column("reason").to_list() == ["no submissions document for the CIK"]
    assert COMPANIES.scan().collect().height == 29


def test_a_missing_demo_universe_fails_with_the_command_to_make_it(data_dir):
    result = dg.materialize([sec_companies], resources={"edgar": EdgarSource()}, raise_on_error=False)
    failure = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"][0]
    assert "ic-platform generate-demo" in failure.step_failure_data.error.message


def test_an_unreadable_or_missing_companyfacts_document_is_quarantined_and_the_other_companies_go_on(demo_data_dir):
    folder = demo_data_dir / "demo" / "edgar" / "companyfacts"
    truncated, missing = sorted(folder.glob("CIK*.json"))[:2]
    truncated.write_bytes(truncated.read_bytes()[:5000])
    missing.unlink()
    assert dg.materialize([sec_companies, sec_companyfacts], resources={"edgar": EdgarSource()}).success
    quarantined = quarantine_table(COMPANY_FACTS).scan().collect()
    reasons = dict(zip(quarantined.get_column("source"), quarantined.get_column("reason")))
    assert reasons[f"companyfacts {truncated.stem}"].startswith(f"companyfacts {truncated.stem}: malformed JSON")
    assert reasons["companyfacts"] == "EDGAR has no companyfacts for the CIK"
    assert COMPANY_FACTS.scan().select("cik").unique().collect().height == 28
