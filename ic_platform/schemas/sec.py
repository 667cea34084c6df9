"""Tables built from SEC EDGAR data."""

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
    gics_sector: str = pa.Field(nullable=True, isin=GICS_SECTORS, description="GICS sector mapped from the SIC code")
    exchange: str = pa.Field(nullable=True, description="Listing exchange from the SEC submissions file")
    fiscal_year_end: str = pa.Field(nullable=True, str_matches=r"^\d{4}$", description="Fiscal year end, MMDD")
