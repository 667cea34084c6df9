"""Demo SEC filings in EDGAR's formats: companyfacts, submissions, Form 4 and 13F XML.

Fundamentals follow how companies really report: a 10-Q carries the quarter's three-month values
and its year-to-date values (cash flows only year-to-date) with prior-year comparatives; a 10-K
carries three fiscal years and never a fourth-quarter figure (it must be derived as FY - 9M YTD).
Some companies file late, some restate a year through a 10-K/A (later filings then re-report the
restated value), one reports no interest expense, capex or operating cash flow, banks and REITs
report no cost of revenue, and a few use 52/53-week fiscal years.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from xml.sax.saxutils import escape

import numpy as np

from ic_platform.demo.universe import Company, fiscal_quarter_ends

INCOME_FLOWS = (
    "Revenue",
    "CostOfRevenue",
    "GrossProfit",
    "OperatingExpenses",
    "OperatingIncomeLoss",
    "InterestExpense",
    "NetIncomeLoss",
)
CASH_FLOWS = (
    "NetCashProvidedByUsedInOperatingActivities",
    "NetCashProvidedByUsedInInvestingActivities",
    "NetCashProvidedByUsedInFinancingActivities",
    "PaymentsToAcquirePropertyPlantAndEquipment",
)
INSTANTS = (
    "Assets",
    "Liabilities",
    "StockholdersEquity",
    "AssetsCurrent",
    "LiabilitiesCurrent",
    "CashAndCashEquivalentsAtCarryingValue",
    "LongTermDebtNoncurrent",
    "DebtCurrent",
)
NO_COST_OF_REVENUE_SECTORS = ("Financials", "Real Estate")
THIRTEEN_F_DOLLAR_VALUES_FROM = date(2023, 1, 3)  # 13F values switched from thousands to dollars


@dataclass
class Quarter:
    start: date
    end: date
    fiscal_year: int
    fiscal_quarter: int
    values: dict[str, float]
    shares: float


@dataclass
class Filing:
    accession: str
    form: str
    filed: date
    report_date: date
    fiscal_year: int
    fiscal_period: str
    acceptance: str
    primary_document: str


def _business_day_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


class AccessionNumbers:
    """EDGAR accession numbers `FILERID-YY-SEQUENCE`, one sequence per filer agent."""

    def __init__(self) -> None:
        self._next: dict[int, int] = defaultdict(lambda: 1)

    def next(self, filer: int, filed: date) -> str:
        sequence = self._next[filer]
        self._next[filer] += 1
        return f"{filer:010d}-{filed.year % 100:02d}-{sequence:06d}"


def simulate_quarters(rng: np.random.Generator, company: Company, first: date, last: date) -> list[Quarter]:
    """Quarterly fundamentals whose revenue growth follows an AR(1) quality the signal can use."""
    ends = fiscal_quarter_ends(company, first, last)
    count = len(ends)
    quality = np.zeros(count)
    for k in range(1, count):
        quality[k] = 0.8 * quality[k - 1] + 0.6 * rng.normal()
    growth = 0.012 + 0.03 * quality + rng.normal(0, 0.01, size=count)
    revenue = np.exp(rng.normal(np.log(6e8), 1.2)) * np.exp(np.cumsum(growth))
    gross_margin = np.clip(rng.uniform(0.2, 0.7) + rng.normal(0, 0.02, count), 0.05, 0.95)
    operating_margin = np.clip(rng.uniform(0.0, 0.3) + 0.03 * quality + rng.normal(0, 0.02, count), -0.3, 0.6)
    asset_turnover = rng.uniform(0.25, 1.2)
    leverage = rng.uniform(0.3, 0.8)
    current_ratio = rng.uniform(0.8, 2.6)
    capex_ratio = rng.uniform(0.02, 0.1)
    shares = np.exp(rng.normal(np.log(2e8), 0.8)) * np.exp(-0.003 * np.arange(count))
    quarters = []
    for k, end in enumerate(ends):
        fiscal_quarter = (end.month - company.fiscal_year_end_month - 1) % 12 // 3 + 1
        fiscal_year = end.year + (1 if fiscal_quarter < 4 and end.month > company.fiscal_year_end_month else 0)
        r = revenue[k]
        gross = r * gross_margin[k]
        operating = r * operating_margin[k]
        assets = r * 4 / asset_turnover
        liabilities = assets * leverage
        long_term_debt = liabilities * 0.4
        interest = long_term_debt * 0.012
        net = (operating - interest) * 0.79
        operating_cash = net * 1.15 + r * 0.03
        capex = r * capex_ratio
        current_liabilities = assets * 0.2
        values = {
            "Revenue": r,
            "CostOfRevenue": r - gross,
            "GrossProfit": gross,
            "OperatingExpenses": gross - operating,
            "OperatingIncomeLoss": operating,
            "InterestExpense": interest,
            "NetIncomeLoss": net,
            "NetCashProvidedByUsedInOperatingActivities": operating_cash,
            "NetCashProvidedByUsedInInvestingActivities": -capex * 1.1,
            "NetCashProvidedByUsedInFinancingActivities": -(operating_cash - capex) * 0.5,
            "PaymentsToAcquirePropertyPlantAndEquipment": capex,
            "Assets": assets,
            "Liabilities": liabilities,
            "StockholdersEquity": assets - liabilities,
            "AssetsCurrent": current_liabilities * current_ratio,
            "LiabilitiesCurrent": current_liabilities,
            "CashAndCashEquivalentsAtCarryingValue": current_liabilities * current_ratio * 0.3,
            "LongTermDebtNoncurrent": long_term_debt,
            "DebtCurrent": liabilities * 0.05,
        }
        start = ends[k - 1] + timedelta(days=1) if k else end - timedelta(days=90)
        quarters.append(Quarter(start, end, fiscal_year, fiscal_quarter, values, float(shares[k])))
    return quarters


def _concept_name(company: Company, line: str) -> str | None:
    if line == "Revenue":
        uses_revenues = company.sector in NO_COST_OF_REVENUE_SECTORS or company.index % 3 == 0
        return "Revenues" if uses_revenues else "RevenueFromContractWithCustomerExcludingAssessedTax"
    if line in ("CostOfRevenue", "GrossProfit", "AssetsCurrent", "LiabilitiesCurrent") and (
        company.sector in NO_COST_OF_REVENUE_SECTORS
    ):
        return None
    if company.missing_concepts and line in (
        "InterestExpense",
        "PaymentsToAcquirePropertyPlantAndEquipment",
        "NetCashProvidedByUsedInOperatingActivities",
    ):
        return None
    return line


def _frame(start: date | None, end: date) -> str:
    quarter = (end.month - 1) // 3 + 1
    if start is None:
        return f"CY{end.year}Q{quarter}I"
    return f"CY{end.year}" if (end - start).days > 300 else f"CY{end.year}Q{quarter}"


class CompanyFactsWriter:
    """Collects the facts each filing reports, in companyfacts JSON's shape."""

    def __init__(self, company: Company, quarters: list[Quarter], split: tuple[date, int] | None = None):
        self.company = company
        self.quarters = quarters
        self.split = split  # (execution date, ratio): filings from that day on report post-split figures
        self.facts: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
        self.restatements: list[tuple[int, date, float]] = []  # (fiscal year, effective filed date, factor)

    def _shares_per_simulated_share(self, filed: date) -> int:
        """How many shares a simulated (pre-split) share is on the filing's basis: a filing restates
        every period it reports, comparatives included, to its own day's basis, as US GAAP requires."""
        return self.split[1] if self.split and filed >= self.split[0] else 1

    def _factor(self, fiscal_year: int, filed: date) -> float:
        factor = 1.0
        for year, effective, restated in self.restatements:
            if fiscal_year == year and filed >= effective:
                factor = restated
        return factor

    def _flow(self, line: str, quarters: list[Quarter], filed: date) -> float:
        return sum(q.values[line] for q in quarters) * self._factor(quarters[-1].fiscal_year, filed)

    def _add(self, concept: str, unit: str, start: date | None, end: date, value, filing: Filing, taxonomy="us-gaap"):
        fact: dict[str, object] = {"start": start.isoformat()} if start else {}
        fact |= {
            "end": end.isoformat(),
            "val": value,
            "accn": filing.accession,
            "fy": filing.fiscal_year,
            "fp": filing.fiscal_period,
            "form": filing.form,
            "filed": filing.filed.isoformat(),
        }
        self.facts[(taxonomy, concept, unit)].append(fact)

    def add_period(self, quarters: list[Quarter], lines: tuple[str, ...], filing: Filing) -> None:
        """Report the flows of the period spanned by `quarters` (and its EPS for income statements)."""
        for line in lines:
            concept = _concept_name(self.company, line)
            if concept:
                self._add(
                    concept,
                    "USD",
                    quarters[0].start,
                    quarters[-1].end,
                    round(self._flow(line, quarters, filing.filed)),
                    filing,
                )
        if lines == INCOME_FLOWS:
            net = self._flow("NetIncomeLoss", quarters, filing.filed)
            average_shares = float(np.mean([q.shares for q in quarters])) * self._shares_per_simulated_share(
                filing.filed
            )
            for concept, dilution in (("EarningsPerShareBasic", 1.0), ("EarningsPerShareDiluted", 1.02)):
                self._add(
                    concept,
                    "USD/shares",
                    quarters[0].start,
                    quarters[-1].end,
                    round(net / (average_shares * dilution), 2),
                    filing,
                )

    def add_instants(self, quarter: Quarter, filing: Filing) -> None:
        for line in INSTANTS:
            concept = _concept_name(self.company, line)
            if concept:
                self._add(concept, "USD", None, quarter.end, round(quarter.values[line]), filing)

    def add_shares_outstanding(self, quarter: Quarter, filing: Filing) -> None:
        cover_date = filing.filed - timedelta(days=10)
        shares = round(quarter.shares * self._shares_per_simulated_share(filing.filed))
        self._add("EntityCommonStockSharesOutstanding", "shares", None, cover_date, shares, filing, "dei")

    def as_json(self) -> dict:
        """The companyfacts document, with `frame` on the latest-filed fact of each calendar period."""
        facts: dict[str, dict] = defaultdict(dict)
        for (taxonomy, concept, unit), points in sorted(self.facts.items()):
            latest: dict[tuple, dict] = {}
            for point in points:
                latest[(point.get("start"), point["end"])] = point
            for point in latest.values():
                start = date.fromisoformat(point["start"]) if "start" in point else None
                days = (date.fromisoformat(point["end"]) - start).days if start else 0
                if start is None or days < 100 or days > 340:
                    point["frame"] = _frame(start, date.fromisoformat(point["end"]))
            entry = facts[taxonomy].setdefault(
                concept, {"label": concept, "description": f"Demo {concept}.", "units": {}}
            )
            entry["units"][unit] = sorted(points, key=lambda p: (p["filed"], p["end"], p.get("start", "")))
        return {"cik": self.company.cik, "entityName": self.company.name, "facts": dict(facts)}


def build_company_filings(
    rng: np.random.Generator,
    company: Company,
    first: date,
    last: date,
    accessions: AccessionNumbers,
    split: tuple[date, int] | None = None,
) -> tuple[list[Quarter], list[Filing], dict]:
    """The company's quarters, its 10-Q/10-K (and 10-K/A) filings up to `last`, and its companyfacts JSON
    (share counts and EPS on the basis of each filing's day when the company splits on `split[0]`)."""
    quarters = simulate_quarters(rng, company, first - timedelta(days=4 * 366), last)
    writer = CompanyFactsWriter(company, quarters, split)
    filings: list[Filing] = []
    restate_year = None
    if company.restated:
        years = [q.fiscal_year for q in quarters if q.fiscal_quarter == 4]
        restate_year = years[len(years) // 2] if years else None
    for k, quarter in enumerate(quarters):
        annual = quarter.fiscal_quarter == 4
        lag = (95 if company.late_filer else 60) if annual else (75 if company.late_filer else 38)
        filed = _business_day_on_or_after(quarter.end + timedelta(days=lag + int(rng.integers(0, 8))))
        if filed > last or filed < first - timedelta(days=3 * 366):
            continue
        year_quarters = [q for q in quarters[max(0, k - 3) : k + 1] if q.fiscal_year == quarter.fiscal_year]
        if len(year_quarters) != quarter.fiscal_quarter:
            continue  # the fiscal year started before the simulated history
        form = "10-K" if annual else "10-Q"
        filing = _filing(
            company, accessions, form, filed, quarter, "FY" if annual else f"Q{quarter.fiscal_quarter}", rng
        )
        filings.append(filing)
        _report(writer, quarters, k, filing)
        writer.add_shares_outstanding(quarter, filing)
        if annual and quarter.fiscal_year == restate_year:
            amended = _business_day_on_or_after(filed + timedelta(days=45))
            if amended <= last:
                writer.restatements.append((restate_year, amended, 0.96))
                amendment = _filing(company, accessions, "10-K/A", amended, quarter, "FY", rng)
                filings.append(amendment)
                writer.add_period(year_quarters, INCOME_FLOWS, amendment)
                writer.add_instants(quarter, amendment)
    return quarters, filings, writer.as_json()


def _report(writer: CompanyFactsWriter, quarters: list[Quarter], k: int, filing: Filing) -> None:
    quarter = quarters[k]
    fq = quarter.fiscal_quarter
    for years_back in range(3 if fq == 4 else 2):
        end_index = k - 4 * years_back
        if end_index - fq + 1 < 0:
            break
        year_to_date = quarters[end_index - fq + 1 : end_index + 1]
        if fq < 4:
            writer.add_period([quarters[end_index]], INCOME_FLOWS, filing)
        if fq > 1:
            writer.add_period(year_to_date, INCOME_FLOWS, filing)
        writer.add_period(year_to_date, CASH_FLOWS, filing)
    writer.add_instants(quarter, filing)
    if k >= fq:
        writer.add_instants(quarters[k - fq], filing)  # prior fiscal year end, the balance sheet comparative


def _filing(
    company: Company, accessions: AccessionNumbers, form: str, filed: date, quarter: Quarter, period: str, rng
) -> Filing:
    accession = accessions.next(company.cik, filed)
    seconds = int(rng.integers(12 * 3600, 22 * 3600))
    acceptance = f"{filed.isoformat()}T{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.000Z"
    document = f"{company.ticker.lower()}-{quarter.end.strftime('%Y%m%d')}.htm"
    return Filing(accession, form, filed, quarter.end, quarter.fiscal_year, period, acceptance, document)


def submissions_json(company: Company, filings: list[Filing], recent_limit: int) -> tuple[dict, list[dict]]:
    """The submissions document (newest `recent_limit` filings) and its overflow pages."""
    ordered = sorted(filings, key=lambda f: (f.filed, f.accession), reverse=True)

    def columns(chunk: list[Filing]) -> dict:
        return {
            "accessionNumber": [f.accession for f in chunk],
            "filingDate": [f.filed.isoformat() for f in chunk],
            "reportDate": [f.report_date.isoformat() for f in chunk],
            "acceptanceDateTime": [f.acceptance for f in chunk],
            "act": ["34" if f.form != "4" else "" for f in chunk],
            "form": [f.form for f in chunk],
            "fileNumber": [f"001-{30000 + company.index}" for f in chunk],
            "filmNumber": ["" for f in chunk],
            "items": ["" for f in chunk],
            "core_type": [f.form for f in chunk],
            "size": [20000 + len(f.accession) * 100 for f in chunk],
            "isXBRL": [int(f.form != "4") for f in chunk],
            "isInlineXBRL": [int(f.form != "4") for f in chunk],
            "primaryDocument": [f.primary_document for f in chunk],
            "primaryDocDescription": [f.form for f in chunk],
        }

    recent, older = ordered[:recent_limit], ordered[recent_limit:]
    pages = [columns(older)] if older else []
    files = (
        [
            {
                "name": f"CIK{company.cik:010d}-submissions-001.json",
                "filingCount": len(older),
                "filingFrom": older[-1].filed.isoformat(),
                "filingTo": older[0].filed.isoformat(),
            }
        ]
        if older
        else []
    )
    fye_month = company.fiscal_year_end_month
    fye_day = 31 if fye_month in (1, 3, 5, 7, 8, 10, 12) else 30
    document = {
        "cik": f"{company.cik:010d}",
        "entityType": "operating",
        "sic": str(company.sic),
        "sicDescription": company.sic_description,
        "name": company.name,
        "tickers": [company.ticker],
        "exchanges": ["Nasdaq" if company.index % 2 else "NYSE"],
        "fiscalYearEnd": f"{fye_month:02d}{fye_day:02d}",
        "category": "Large accelerated filer",
        "filings": {"recent": columns(recent), "files": files},
    }
    return document, pages


TRANSACTION_CODES = ("P", "S", "S", "P", "A", "M", "F", "G")


def form4_xml(
    company: Company,
    owners: list[tuple[int, str, str]],
    day: date,
    code: str,
    shares: int,
    price: float | None,
    owned_after: int,
) -> str:
    """An ownershipDocument with one non-derivative transaction, reported by one or more owners."""
    acquired = "A" if code in ("P", "A", "M") else "D"
    owner_xml = "".join(
        f"""
  <reportingOwner>
    <reportingOwnerId><rptOwnerCik>{cik:010d}</rptOwnerCik><rptOwnerName>{escape(name)}</rptOwnerName></reportingOwnerId>
    <reportingOwnerAddress><rptOwnerStreet1>1 Main Street</rptOwnerStreet1><rptOwnerCity>Springfield</rptOwnerCity><rptOwnerState>IL</rptOwnerState><rptOwnerZipCode>62701</rptOwnerZipCode></reportingOwnerAddress>
    <reportingOwnerRelationship>{_relationship(title)}</reportingOwnerRelationship>
  </reportingOwner>"""
        for cik, name, title in owners
    )
    price_xml = (
        f"<transactionPricePerShare><value>{price:.2f}</value></transactionPricePerShare>"
        if price is not None
        else '<transactionPricePerShare><footnoteId id="F1"/></transactionPricePerShare>'
    )
    return f"""<?xml version="1.0"?>
<ownershipDocument>
  <schemaVersion>X0508</schemaVersion>
  <documentType>4</documentType>
  <periodOfReport>{day.isoformat()}</periodOfReport>
  <notSubjectToSection16>0</notSubjectToSection16>
  <issuer><issuerCik>{company.cik:010d}</issuerCik><issuerName>{escape(company.name)}</issuerName><issuerTradingSymbol>{company.ticker}</issuerTradingSymbol></issuer>{owner_xml}
  <nonDerivativeTable>
    <nonDerivativeTransaction>
      <securityTitle><value>Common Stock</value></securityTitle>
      <transactionDate><value>{day.isoformat()}</value></transactionDate>
      <transactionCoding><transactionFormType>4</transactionFormType><transactionCode>{code}</transactionCode><equitySwapInvolved>0</equitySwapInvolved></transactionCoding>
      <transactionAmounts><transactionShares><value>{shares}</value></transactionShares>{price_xml}<transactionAcquiredDisposedCode><value>{acquired}</value></transactionAcquiredDisposedCode></transactionAmounts>
      <postTransactionAmounts><sharesOwnedFollowingTransaction><value>{owned_after}</value></sharesOwnedFollowingTransaction></postTransactionAmounts>
      <ownershipNature><directOrIndirectOwnership><value>{"I" if len(owners) > 1 else "D"}</value></directOrIndirectOwnership></ownershipNature>
    </nonDerivativeTransaction>
  </nonDerivativeTable>
  <footnotes><footnote id="F1">Shares granted under the company's equity plan; no price.</footnote></footnotes>
  <ownerSignature><signatureName>/s/ Attorney-in-fact</signatureName><signatureDate>{day.isoformat()}</signatureDate></ownerSignature>
</ownershipDocument>
"""


def _relationship(title: str) -> str:
    if title == "Director":
        return "<isDirector>1</isDirector><isOfficer>0</isOfficer><isTenPercentOwner>0</isTenPercentOwner><isOther>0</isOther>"
    if title == "10% Owner":
        return "<isDirector>0</isDirector><isOfficer>0</isOfficer><isTenPercentOwner>1</isTenPercentOwner><isOther>0</isOther>"
    return f"<isDirector>0</isDirector><isOfficer>1</isOfficer><isTenPercentOwner>0</isTenPercentOwner><isOther>0</isOther><officerTitle>{escape(title)}</officerTitle>"


def thirteenf_cover_xml(manager_cik: int, manager_name: str, period: date, entries: int, total: int) -> str:
    """A 13F-HR primary document (cover page)."""
    period_text = period.strftime("%m-%d-%Y")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<edgarSubmission xmlns="http://www.sec.gov/edgar/thirteenffiler" xmlns:ns1="http://www.sec.gov/edgar/common">
  <schemaVersion>X0202</schemaVersion>
  <headerData>
    <submissionType>13F-HR</submissionType>
    <filerInfo><liveTestFlag>LIVE</liveTestFlag><filer><credentials><cik>{manager_cik:010d}</cik><ccc>XXXXXXXX</ccc></credentials></filer><periodOfReport>{period_text}</periodOfReport></filerInfo>
  </headerData>
  <formData>
    <coverPage>
      <reportCalendarOrQuarter>{period_text}</reportCalendarOrQuarter>
      <isAmendment>false</isAmendment>
      <filingManager><name>{escape(manager_name)}</name><address><ns1:street1>1 Market Street</ns1:street1><ns1:city>New York</ns1:city><ns1:stateOrCountry>NY</ns1:stateOrCountry><ns1:zipCode>10005</ns1:zipCode></address></filingManager>
      <reportType>13F HOLDINGS REPORT</reportType>
      <provideInfoForInstruction5>N</provideInfoForInstruction5>
    </coverPage>
    <summaryPage><otherIncludedManagersCount>0</otherIncludedManagersCount><tableEntryTotal>{entries}</tableEntryTotal><tableValueTotal>{total}</tableValueTotal><isConfidentialOmitted>false</isConfidentialOmitted></summaryPage>
  </formData>
</edgarSubmission>
"""


def thirteenf_table_xml(holdings: list[tuple[Company, int, int]]) -> str:
    """An information table: one infoTable per (company, shares, value)."""
    rows = "".join(
        f"""
  <infoTable>
    <nameOfIssuer>{escape(company.name.upper())}</nameOfIssuer>
    <titleOfClass>COM</titleOfClass>
    <cusip>{company.cusip}</cusip>
    <value>{value}</value>
    <shrsOrPrnAmt><sshPrnamt>{shares}</sshPrnamt><sshPrnamtType>SH</sshPrnamtType></shrsOrPrnAmt>
    <investmentDiscretion>SOLE</investmentDiscretion>
    <votingAuthority><Sole>{shares}</Sole><Shared>0</Shared><None>0</None></votingAuthority>
  </infoTable>"""
        for company, shares, value in holdings
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<informationTable xmlns="http://www.sec.gov/edgar/document/thirteenf/informationtable">{rows}\n</informationTable>\n'


def full_submission(filing: Filing, filer_cik: int, filer_name: str, documents: list[tuple[str, str, str]]) -> str:
    """An EDGAR full submission (`<accession>.txt`, classic header) holding (type, filename, xml) documents."""
    accepted = filing.acceptance[:19].replace("-", "").replace("T", "").replace(":", "")
    body = "".join(
        f"<DOCUMENT>\n<TYPE>{kind}\n<SEQUENCE>{n}\n<FILENAME>{name}\n<TEXT>\n<XML>\n{xml.strip()}\n</XML>\n</TEXT>\n</DOCUMENT>\n"
        for n, (kind, name, xml) in enumerate(documents, start=1)
    )
    return (
        f"<SEC-DOCUMENT>{filing.accession}.txt : {filing.filed:%Y%m%d}\n<SEC-HEADER>{filing.accession}.hdr.sgml : {filing.filed:%Y%m%d}\n"
        f"<ACCEPTANCE-DATETIME>{accepted}\nACCESSION NUMBER:\t\t{filing.accession}\nCONFORMED SUBMISSION TYPE:\t{filing.form}\n"
        f"PUBLIC DOCUMENT COUNT:\t\t{len(documents)}\nCONFORMED PERIOD OF REPORT:\t{filing.report_date:%Y%m%d}\n"
        f"FILED AS OF DATE:\t\t{filing.filed:%Y%m%d}\n\nFILER:\n\tCOMPANY DATA:\n\t\tCOMPANY CONFORMED NAME:\t\t\t{escape(filer_name)}\n"
        f"\t\tCENTRAL INDEX KEY:\t\t\t{filer_cik:010d}\n</SEC-HEADER>\n{body}</SEC-DOCUMENT>\n"
    )
