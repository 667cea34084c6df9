"""Tables built from SEC EDGAR data."""

from datetime import date

import pandera.polars as pa

GICS_SECTORS = (
    "Energy",
    "Materials",
    "Industrials",
    "Consumer Discretionary",
    "Consumer Staples",
    "Health Care",
    "Financials",
    "Information Technology",
    "Communication Services",
    "Utilities",
    "Real Estate",
)


class Company(pa.DataFrameModel):
    """One listed ticker of an SEC registrant, with its industry and GICS sector."""

    ticker: str = pa.Field(unique=True, str_matches=r"^[A-Z][A-Z0-9.\-]{0,9}$", description="Exchange ticker")
    cik: int = pa.Field(gt=0, description="SEC Central Index Key")
    name: str = pa.Field(description="Registrant name as filed with the SEC")
    sic: int = pa.Field(nullable=True, ge=100, le=9999, description="Standard Industrial Classification code")
    sic_description: str = pa.Field(nullable=True, description="SEC's description of the SIC code")
    gics_sector: str = pa.Field(
        nullable=True,
        isin=GICS_SECTORS,
        description="GICS sector: from the sector table, else mapped from the SIC code",
    )
    sector_source: str = pa.Field(
        nullable=True, isin=("sector_map", "sic"), description="What decided gics_sector: sector_map or sic"
    )
    exchange: str = pa.Field(nullable=True, description="Listing exchange from the SEC submissions file")
    fiscal_year_end: str = pa.Field(nullable=True, str_matches=r"^\d{4}$", description="Fiscal year end, MMDD")
    listed_from: date = pa.Field(
        nullable=True, description="First day of the ticker (through its predecessors), from the ticker history"
    )
    listed_until: date = pa.Field(
        nullable=True, description="Last trading day under the ticker (delisting or change); null: still listed"
    )
    predecessor_ciks: str = pa.Field(
        nullable=True, description="CIKs whose filings are the company's earlier ones, comma-separated, oldest first"
    )
    former_names: str = pa.Field(nullable=True, description="Former registrant names, from the submissions file")


class Fact(pa.DataFrameModel):
    """One reported XBRL fact of one filing, as EDGAR's companyfacts gives it (every version kept)."""

    cik: int = pa.Field(gt=0, description="SEC Central Index Key")
    taxonomy: str = pa.Field(isin=("us-gaap", "dei"), description="XBRL taxonomy")
    concept: str = pa.Field(description="XBRL concept name")
    unit: str = pa.Field(description="Unit of the value (USD, USD/shares, shares, ...)")
    start: date = pa.Field(nullable=True, description="Period start; null for an instant")
    end: date = pa.Field(description="Period end, or the instant")
    value: float = pa.Field(description="Reported value")
    accession: str = pa.Field(str_matches=r"^\d{10}-\d{2}-\d{6}$", description="Accession number of the filing")
    fy: int = pa.Field(nullable=True, description="Fiscal year of the filing (not of the period)")
    fp: str = pa.Field(nullable=True, description="Fiscal period of the filing (not of the period)")
    form: str = pa.Field(nullable=True, description="Form type of the filing")
    filed: date = pa.Field(description="Filing date")
    frame: str = pa.Field(nullable=True, description="EDGAR's calendar frame, on the fact that represents it")


class LineItemVersion(pa.DataFrameModel):
    """One version of one quarterly (Q) or fiscal-year (FY) line-item value, with when it became known."""

    cik: int = pa.Field(gt=0, description="SEC Central Index Key")
    line_item: str = pa.Field(description="Line item (revenue, net_income, total_assets, ...)")
    period_type: str = pa.Field(
        isin=("Q", "FY"), description="Q: a quarter (or quarter-end balance), FY: a fiscal year (or year-end balance)"
    )
    period_start: date = pa.Field(nullable=True, description="First day of the period; null for balances")
    period_end: date = pa.Field(description="Last day of the period, or the balance date")
    value: float = pa.Field(description="Value in USD (USD per share for EPS, shares for share counts)")
    filed: date = pa.Field(description="Filing date of the version")
    knowledge_date: date = pa.Field(description="First trading day after the filing date: when the version may be used")
    accession: str = pa.Field(description="Accession number of the filing")
    form: str = pa.Field(description="Form type of the filing")
    derived: bool = pa.Field(
        description="Derived (Q = YTD difference, free cash flow = operating cash flow - capex) rather than reported"
    )


# Each line item and its XBRL concepts in order of precedence (within one filing).
LINE_ITEMS: dict[str, tuple[str, ...]] = {
    "revenue": (
        "Revenues",
        "RevenueFromContractWithCustomerExcludingAssessedTax",
        "RevenueFromContractWithCustomerIncludingAssessedTax",
        "SalesRevenueNet",
        "SalesRevenueGoodsNet",
        "RevenuesNetOfInterestExpense",
        "InterestAndDividendIncomeOperating",
        "PremiumsEarnedNet",
        "RealEstateRevenueNet",
        "OperatingLeasesIncomeStatementLeaseRevenue",
    ),
    "cost_of_revenue": ("CostOfRevenue", "CostOfGoodsAndServicesSold", "CostOfGoodsSold", "CostOfServices"),
    "gross_profit": ("GrossProfit",),
    "operating_expenses": ("OperatingExpenses", "CostsAndExpenses", "NoninterestExpense", "BenefitsLossesAndExpenses"),
    "operating_income": (
        "OperatingIncomeLoss",
        "IncomeLossFromContinuingOperationsBeforeIncomeTaxesExtraordinaryItemsNoncontrollingInterest",
    ),
    "net_income": ("NetIncomeLoss", "NetIncomeLossAvailableToCommonStockholdersBasic", "ProfitLoss"),
    "eps_basic": ("EarningsPerShareBasic", "EarningsPerShareBasicAndDiluted"),
    "eps_diluted": ("EarningsPerShareDiluted", "EarningsPerShareBasicAndDiluted"),
    "shares_outstanding": ("EntityCommonStockSharesOutstanding", "CommonStockSharesOutstanding"),
    "total_assets": ("Assets",),
    "total_liabilities": ("Liabilities",),
    "shareholders_equity": (
        "StockholdersEquity",
        "StockholdersEquityIncludingPortionAttributableToNoncontrollingInterest",
    ),
    "current_assets": ("AssetsCurrent",),
    "current_liabilities": ("LiabilitiesCurrent",),
    "cash_and_equivalents": (
        "CashAndCashEquivalentsAtCarryingValue",
        "CashCashEquivalentsRestrictedCashAndRestrictedCashEquivalents",
        "Cash",
    ),
    "inventory": ("InventoryNet",),
    "short_term_debt": ("DebtCurrent", "LongTermDebtCurrent", "ShortTermBorrowings", "CommercialPaper"),
    "long_term_debt": ("LongTermDebtNoncurrent", "LongTermDebt", "LongTermDebtAndCapitalLeaseObligations"),
    "interest_expense": ("InterestExpense", "InterestExpenseNonoperating", "InterestExpenseDebt", "InterestPaidNet"),
    "operating_cash_flow": (
        "NetCashProvidedByUsedInOperatingActivities",
        "NetCashProvidedByUsedInOperatingActivitiesContinuingOperations",
    ),
    "investing_cash_flow": (
        "NetCashProvidedByUsedInInvestingActivities",
        "NetCashProvidedByUsedInInvestingActivitiesContinuingOperations",
    ),
    "financing_cash_flow": (
        "NetCashProvidedByUsedInFinancingActivities",
        "NetCashProvidedByUsedInFinancingActivitiesContinuingOperations",
    ),
    "capex": ("PaymentsToAcquirePropertyPlantAndEquipment", "PaymentsToAcquireProductiveAssets"),
}
GROWTH_ITEMS = ("revenue", "eps_diluted", "free_cash_flow")  # line items with growth rates in the state


def _state_model() -> type[pa.DataFrameModel]:
    annotations: dict = {"cik": int, "as_of": date, "latest_period_end": date}
    fields: dict = {
        "cik": pa.Field(gt=0, description="SEC Central Index Key"),
        "as_of": pa.Field(description="Knowledge date from which this state holds (until the company's next one)"),
        "latest_period_end": pa.Field(nullable=True, description="End of the newest fiscal period known then"),
    }
    for item in [*LINE_ITEMS, "free_cash_flow"]:
        annotations[item] = float
        fields[item] = pa.Field(
            nullable=True,
            description=f"{item}: trailing twelve months (flows) or latest (balances)"
            + (", on the share basis of as_of" if item in ("shares_outstanding", "eps_basic", "eps_diluted") else ""),
        )
    for item in GROWTH_ITEMS:
        for measure, text in (
            ("growth_yoy", "year-over-year growth of the TTM"),
            ("cagr_3y", "3-year CAGR of the TTM"),
        ):
            annotations[f"{item}_{measure}"] = float
            fields[f"{item}_{measure}"] = pa.Field(nullable=True, description=f"{item}: {text}")
    body = {
        "__annotations__": annotations,
        "__doc__": "A company's fundamentals as known from one knowledge date on.",
        **fields,
    }
    return type(
        "FundamentalState", (pa.DataFrameModel,), body | {"Config": type("Config", (), {"unique": ["cik", "as_of"]})}
    )


FundamentalState = _state_model()
