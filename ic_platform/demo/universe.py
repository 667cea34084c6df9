"""The demo's companies, their fundamentals' hidden drivers and their daily prices (numpy, seeded)."""

from dataclasses import dataclass
from datetime import date

import numpy as np

from ic_platform.schemas.sec import GICS_SECTORS

# SIC codes that map to each GICS sector through `ic_platform.sources.sic_gics` (but see below).
SECTOR_SIC_CODES: dict[str, tuple[tuple[int, str], ...]] = {
    "Energy": (
        (1311, "Crude Petroleum & Natural Gas"),
        (2911, "Petroleum Refining"),
        (1381, "Drilling Oil & Gas Wells"),
    ),
    "Materials": (
        (2800, "Chemicals & Allied Products"),
        (3312, "Steel Works & Blast Furnaces"),
        (1040, "Gold & Silver Ores"),
    ),
    "Industrials": (
        (3560, "General Industrial Machinery"),
        (3720, "Aircraft & Parts"),
        (4011, "Railroads, Line-Haul Operating"),
    ),
    "Consumer Discretionary": (
        (5651, "Retail-Family Clothing Stores"),
        (3711, "Motor Vehicles & Passenger Car Bodies"),
        (5812, "Retail-Eating Places"),
    ),
    "Consumer Staples": (
        (2080, "Beverages"),
        (5411, "Retail-Grocery Stores"),
        (2844, "Perfumes, Cosmetics & Other Toilet Preparations"),
    ),
    "Health Care": (
        (2834, "Pharmaceutical Preparations"),
        (3841, "Surgical & Medical Instruments"),
        (8062, "Services-General Medical & Surgical Hospitals"),
    ),
    "Financials": (
        (6022, "State Commercial Banks"),
        (6331, "Fire, Marine & Casualty Insurance"),
        (6211, "Security Brokers & Dealers"),
    ),
    "Information Technology": (
        (7372, "Services-Prepackaged Software"),
        (3674, "Semiconductors & Related Devices"),
        (3576, "Computer Communications Equipment"),
    ),
    "Communication Services": (
        (4813, "Telephone Communications"),
        (4841, "Cable & Other Pay Television Services"),
        (7812, "Services-Motion Picture & Video Production"),
    ),
    "Utilities": ((4911, "Electric Services"), (4924, "Natural Gas Distribution"), (4941, "Water Supply")),
    "Real Estate": ((6798, "Real Estate Investment Trusts"), (6512, "Operators of Nonresidential Buildings")),
}
# Codes a few companies of these sectors file under, which the SIC crosswalk takes for another sector
# (as Alphabet's 7370 and Visa's 7389 are): only the sector table places them right.
MISLEADING_SIC_CODES = {
    "Communication Services": (7370, "Services-Computer Programming, Data Processing, Etc."),
    "Financials": (7389, "Services-Business Services, NEC"),
}
# Rough share of each sector in the US listed universe.
SECTOR_WEIGHTS = (0.05, 0.05, 0.14, 0.11, 0.05, 0.14, 0.14, 0.14, 0.05, 0.03, 0.10)
NAME_PARTS = (
    "Acme",
    "Apex",
    "Atlas",
    "Beacon",
    "Cedar",
    "Crest",
    "Delta",
    "Ember",
    "Falcon",
    "Granite",
    "Harbor",
    "Helix",
    "Ionic",
    "Juniper",
    "Keystone",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Orion",
    "Pinnacle",
    "Quarry",
    "Redwood",
    "Summit",
    "Tidal",
    "Union",
    "Vertex",
    "Willow",
    "Zenith",
    "Aurora",
    "Boreal",
    "Cobalt",
    "Northwind",
)
NAME_SUFFIXES = ("Holdings", "Group", "Systems", "Industries", "Partners", "Technologies", "Resources", "Brands")
CUSIP_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*@#"


@dataclass(frozen=True)
class Company:
    index: int
    cik: int
    ticker: str
    name: str
    cusip: str
    sector: str
    sic: int
    sic_description: str
    fiscal_year_end_month: int
    week_based_year: bool  # 52/53-week fiscal year ending on the last Saturday of the month
    late_filer: bool
    restated: bool
    missing_concepts: bool
    first_day_index: int  # index into the trading days of its first bar (IPOs start late)


def cusip_check_digit(base: str) -> str:
    """The ninth CUSIP character (modulus 10, double-add-double) for an 8-character base."""
    total = 0
    for position, char in enumerate(base):
        value = CUSIP_ALPHABET.index(char)
        if position % 2 == 1:
            value *= 2
        total += value // 10 + value % 10
    return str((10 - total % 10) % 10)


def _tickers(rng: np.random.Generator, count: int) -> list[str]:
    letters = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    seen: set[str] = set()
    tickers: list[str] = []
    while len(tickers) < count:
        ticker = "".join(rng.choice(letters, size=int(rng.integers(2, 5))))
        if ticker not in seen:
            seen.add(ticker)
            tickers.append(ticker)
    return tickers


def make_companies(rng: np.random.Generator, count: int, trading_day_count: int) -> list[Company]:
    """`count` companies over the 11 GICS sectors, with a few late filers, restaters and IPOs."""
    sectors = rng.choice(len(GICS_SECTORS), size=count, p=np.array(SECTOR_WEIGHTS) / sum(SECTOR_WEIGHTS))
    sectors[: len(GICS_SECTORS)] = np.arange(len(GICS_SECTORS))  # every sector present
    tickers = _tickers(rng, count)
    companies = []
    for index in range(count):
        sector = GICS_SECTORS[sectors[index]]
        sic, sic_description = SECTOR_SIC_CODES[sector][int(rng.integers(len(SECTOR_SIC_CODES[sector])))]
        if sector in MISLEADING_SIC_CODES and index % 3 == 2:
            sic, sic_description = MISLEADING_SIC_CODES[sector]
        cusip_base = f"{index + 10000:05d}{CUSIP_ALPHABET[int(rng.integers(10, 36))]}10"
        ipo = rng.random() < 0.03 and index >= len(GICS_SECTORS)
        companies.append(
            Company(
                index=index,
                cik=1_900_000 + index * 7,
                ticker=tickers[index],
                name=(
                    f"{NAME_PARTS[index % len(NAME_PARTS)]} "
                    f"{NAME_PARTS[(index // len(NAME_PARTS)) % len(NAME_PARTS)]} "
                    f"{NAME_SUFFIXES[int(rng.integers(len(NAME_SUFFIXES)))]} Inc."
                ),
                cusip=cusip_base + cusip_check_digit(cusip_base),
                sector=sector,
                sic=sic,
                sic_description=sic_description,
                fiscal_year_end_month=int(rng.choice([12, 12, 12, 12, 12, 12, 9, 6, 3, 1])),
                week_based_year=bool(rng.random() < 0.06),
                late_filer=bool(rng.random() < 0.05) or index == 1,
                restated=bool(rng.random() < 0.04) or index == 2,
                missing_concepts=index == 3,
                first_day_index=int(rng.integers(trading_day_count // 4, trading_day_count * 3 // 4)) if ipo else 0,
            )
        )
    return companies


@dataclass(frozen=True)
class PriceHistory:
    """Daily split-adjusted prices, shape (companies, days); NaN before a company's first day."""

    close: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    volume: np.ndarray


def simulate_prices(
    rng: np.random.Generator, companies: list[Company], day_count: int, daily_drift: np.ndarray
) -> PriceHistory:
    """Market, sector and idiosyncratic log-returns plus `daily_drift` (the planted signal)."""
    count = len(companies)
    sector_index = np.array([GICS_SECTORS.index(c.sector) for c in companies])
    market = rng.normal(0.0003, 0.009, size=day_count)
    sector = rng.normal(0.0, 0.006, size=(len(GICS_SECTORS), day_count))
    volatility = rng.uniform(0.012, 0.03, size=(count, 1))
    returns = market + sector[sector_index] + rng.normal(0, 1, size=(count, day_count)) * volatility + daily_drift
    returns[:, 0] = 0.0
    start_price = np.exp(rng.uniform(np.log(8), np.log(400), size=(count, 1)))
    close = start_price * np.exp(np.cumsum(returns, axis=1))
    gap = rng.normal(0, 0.004, size=(count, day_count))
    open_ = np.concatenate([close[:, :1], close[:, :-1]], axis=1) * np.exp(gap)
    spread = np.abs(rng.normal(0, 1, size=(count, day_count))) * volatility * 0.6
    high = np.maximum(open_, close) * np.exp(spread)
    low = np.minimum(open_, close) * np.exp(-spread * rng.uniform(0.5, 1.5, size=(count, day_count)))
    shares_traded = np.exp(rng.normal(13.5, 1.0, size=(count, 1)) + rng.normal(0, 0.35, size=(count, day_count)))
    for company in companies:
        if company.first_day_index:
            for array in (close, open_, high, low, shares_traded):
                array[company.index, : company.first_day_index] = np.nan
    return PriceHistory(close=close, open=open_, high=high, low=low, volume=np.round(shares_traded))


def fiscal_quarter_ends(company: Company, first: date, last: date) -> list[date]:
    """Quarter-end dates from `first` to `last`, the fourth of each four being the fiscal year end."""
    ends = []
    month = (company.fiscal_year_end_month % 3) or 3
    for year in range(first.year - 1, last.year + 1):
        for m in range(month, 13, 3):
            end = _month_end(year, m, company.week_based_year)
            if first <= end <= last:
                ends.append(end)
    return ends


def _month_end(year: int, month: int, last_saturday: bool) -> date:
    next_month = date(year + month // 12, month % 12 + 1, 1)
    end = date.fromordinal(next_month.toordinal() - 1)
    if last_saturday:
        end = date.fromordinal(end.toordinal() - (end.weekday() - 5) % 7)
    return end
