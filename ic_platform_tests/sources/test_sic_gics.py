import csv
import gzip
import json

import pytest

from ic_platform.demo.universe import SECTOR_SIC_CODES
from ic_platform.sources.sic_gics import gics_sector_for_sic


@pytest.mark.real_data
def test_real_companies_map_to_their_published_gics_sector(real_data):
    with open(real_data / "sectors" / "sp500_constituents_current.csv", newline="") as handle:
        sector_by_cik = {int(row["CIK"]): row["GICS Sector"] for row in csv.DictReader(handle)}
    checked = 0
    for path in (real_data / "sec_submissions").glob("CIK*.json.gz"):
        document = json.loads(gzip.decompress(path.read_bytes()))
        cik = int(document.get("cik", 0) or 0)
        if cik in sector_by_cik:
            assert gics_sector_for_sic(int(document["sic"]), cik) == sector_by_cik[cik], document["name"]
            checked += 1
    assert checked >= 5  # AAPL, MSFT, NVDA, TSLA, EXPE


@pytest.mark.parametrize(
    "company, sic, cik, sector",
    [
        ("Alphabet", 7370, 1652044, "Communication Services"),
        ("Meta Platforms", 7370, 1326801, "Communication Services"),
        ("Walmart", 5331, 104169, "Consumer Staples"),
        ("Costco", 5331, 909832, "Consumer Staples"),
        ("Visa", 7389, 1403161, "Financials"),
        ("UnitedHealth", 6324, 731766, "Health Care"),
        ("Microsoft", 7372, 789019, "Information Technology"),
    ],
)
def test_the_crosswalk_places_the_large_companies_it_once_got_wrong(company, sic, cik, sector):
    assert gics_sector_for_sic(sic, cik) == sector, company


def test_every_demo_sic_code_maps_back_to_its_sector():
    for sector, codes in SECTOR_SIC_CODES.items():
        for sic, _ in codes:
            assert gics_sector_for_sic(sic) == sector, sic


def test_unclassifiable_codes_have_no_sector():
    assert gics_sector_for_sic(None) is None
    assert gics_sector_for_sic(9995) is None
