"""Insider (Form 4) and institutional (13F) tables."""

from datetime import date

import pandera.polars as pa
import polars as pl


class InsiderTransaction(pa.DataFrameModel):
    """One Form 3/4/5 transaction as reported by one reporting owner (joint filings repeat it per owner)."""

    accession: str = pa.Field(description="EDGAR accession number of the filing")
    form: str = pa.Field(description="Document type: 4, 4/A, 5, ...")
    issuer_cik: int = pa.Field(description="Issuer's CIK")
    ticker: str = pa.Field(
        description="Universe ticker of the issuer (the filing's symbol when the CIK is not in the universe)"
    )
    period_of_report: date = pa.Field(nullable=True, description="Period of report of the filing")
    filed: date = pa.Field(description="Filing date")
    accepted: pl.Datetime("us") = pa.Field(nullable=True, description="EDGAR acceptance time, when the source gives it")
    knowledge_date: date = pa.Field(description="First trading day after the acceptance (else filing) date")
    owner_count: int = pa.Field(ge=1, description="Reporting owners on the filing")
    transaction_index: int = pa.Field(ge=0, description="Position of the transaction in the document")
    is_derivative: bool = pa.Field(description="From the derivative table (options, units)")
    security: str = pa.Field(description="Security title")
    transaction_date: date = pa.Field(description="Transaction date")
    code: str = pa.Field(
        description="Transaction code: P purchase, S sale, A grant, M exercise, F tax withholding, G gift, ..."
    )
    shares: float = pa.Field(ge=0, description="Shares (or units) in the transaction")
    price: float = pa.Field(nullable=True, ge=0, description="Price per share; null when the filing gives none")
    acquired_disposed: str = pa.Field(nullable=True, description="A acquired, D disposed")
    shares_owned_after: float = pa.Field(nullable=True, description="Shares owned after the transaction")
    direct_indirect: str = pa.Field(nullable=True, description="D direct, I indirect ownership")
    owner_cik: int = pa.Field(description="Reporting owner's CIK")
    owner_name: str = pa.Field(description="Reporting owner's name")
    is_director: bool = pa.Field(description="Owner is a director")
    is_officer: bool = pa.Field(description="Owner is an officer")
    is_ten_percent_owner: bool = pa.Field(description="Owner holds 10% or more")
    officer_title: str = pa.Field(nullable=True, description="Officer title")

    class Config:
        unique = ["accession", "transaction_index", "owner_cik"]


class InsiderDaily(pa.DataFrameModel):
    """Insider activity per ticker for day D, from Form 4s known by D."""

    date: date = pa.Field(description="Trading day D")
    ticker: str = pa.Field(description="Exchange ticker")
    insider_net_buying_30d: float = pa.Field(
        description="Open-market purchases minus sales (code P minus S) in dollars, transactions of the last 30 days"
    )
    insider_net_buying_90d: float = pa.Field(description="The same over 90 days")
    insider_buyers_90d: int = pa.Field(ge=0, description="Distinct owners with a purchase in 90 days")
    insider_transactions_90d: int = pa.Field(ge=0, description="Non-derivative transactions in 90 days")
    inputs_knowledge_date: date = pa.Field(description="Newest knowledge date of a filing used")

    class Config:
        unique = ["date", "ticker"]


class ThirteenFFiling(pa.DataFrameModel):
    """A 13F-HR (or amendment) cover page with its value unit."""

    accession: str = pa.Field(description="EDGAR accession number")
    manager_cik: int = pa.Field(description="Filing manager's CIK")
    manager_name: str = pa.Field(description="Filing manager's name")
    form: str = pa.Field(description="13F-HR or 13F-HR/A")
    period: date = pa.Field(description="Quarter end reported")
    filed: date = pa.Field(description="Filing date")
    knowledge_date: date = pa.Field(description="First trading day after the acceptance (else filing) date")
    value_multiplier: int = pa.Field(isin=[1, 1000], description="1: values reported in dollars, 1000: in thousands")
    value_unit_reason: str = pa.Field(description="Why that unit")
    holdings: int = pa.Field(ge=0, description="Rows of the information table")

    class Config:
        unique = ["accession"]


class ThirteenFHolding(pa.DataFrameModel):
    """One information-table row, values normalised to dollars, CUSIP mapped to a ticker where known."""

    accession: str = pa.Field(description="EDGAR accession number")
    cusip: str = pa.Field(str_length={"min_value": 9, "max_value": 9}, description="CUSIP of the security")
    ticker: str = pa.Field(
        nullable=True, description="Universe ticker of the CUSIP (cusip_tickers), null when unmapped"
    )
    issuer_name: str = pa.Field(description="Name of issuer as filed")
    title_of_class: str = pa.Field(description="Title of class")
    value_usd: float = pa.Field(ge=0, description="Market value in dollars")
    shares: float = pa.Field(ge=0, description="Shares or principal amount")
    shares_type: str = pa.Field(description="SH shares, PRN principal")
    put_call: str = pa.Field(nullable=True, description="PUT or CALL for options")


class CusipTicker(pa.DataFrameModel):
    """The CUSIP to ticker map the platform maintains."""

    cusip: str = pa.Field(description="9-character CUSIP")
    ticker: str = pa.Field(description="Universe ticker")
    source: str = pa.Field(
        description="How it was mapped: a mapping file, or the issuer name matching the universe's company name"
    )

    class Config:
        unique = ["cusip"]


class InstitutionalDaily(pa.DataFrameModel):
    """13F ownership per ticker for day D, from reports known by D."""

    date: date = pa.Field(description="Trading day D")
    ticker: str = pa.Field(description="Exchange ticker")
    institutional_ownership: float = pa.Field(
        nullable=True, ge=0, description="Shares held by 13F managers / shares outstanding"
    )
    institutional_ownership_change: float = pa.Field(
        nullable=True,
        description="Quarter-over-quarter change of the shares held by managers that reported both quarters",
    )
    institutional_holders: int = pa.Field(ge=0, description="Managers holding the stock")
    shares_held: float = pa.Field(ge=0, description="Shares held by 13F managers")
    inputs_knowledge_date: date = pa.Field(description="Newest knowledge date of a report or share count used")

    class Config:
        unique = ["date", "ticker"]
