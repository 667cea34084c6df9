"""SEC assets: the companies universe."""

import dagster as dg

from ic_platform.defs.sec.resources import EdgarSource
from ic_platform.schemas.common import QuarantinedRecord, frame_of
from ic_platform.schemas.sec import Company
from ic_platform.storage import SnapshotTable

COMPANIES = SnapshotTable("sec_companies", Company, ("ticker",))


@dg.asset(group_name="sec", kinds={"polars", "parquet"})
def sec_companies(context: dg.AssetExecutionContext, edgar: EdgarSource) -> dg.MaterializeResult:
    """The companies universe: every ticker in EDGAR's ticker map with its CIK, name, SIC code and
    GICS sector (mapped from the SIC code of the company's submissions document)."""
    tickers = edgar.company_tickers()
    profiles, quarantined = [], []
    for row in tickers.iter_rows(named=True):
        profile = edgar.submissions_profile(row["cik"])
        if profile is None:
            quarantined.append({"date": None, "source": "edgar submissions", "record": str(row), "reason": "no submissions document for the CIK"})
            continue
        profiles.append(row | {k: v for k, v in profile.items() if k != "cik"})
    context.log.info(f"{len(profiles)} companies, {len(quarantined)} without a submissions document")
    return COMPANIES.write(frame_of(Company, profiles), quarantined=frame_of(QuarantinedRecord, quarantined))
