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
            assert gics_sector_for_sic(int(document["sic"])) == sector_by_cik[cik], document["name"]
            checked += 1
    assert checked >= 5  # AAPL, MSFT, NVDA, TSLA, EXPE


def test_every_demo_sic_code_maps_back_to_its_sector():
    for sector, codes in SECTOR_SIC_CODES.items():
        for sic, _ in codes:
            assert gics_sector_for_sic(sic) == sector, sic


def test_unclassifiable_codes_have_no_sector():
    assert gics_sector_for_sic(None) is None
    assert gics_sector_for_sic(9995) is None
