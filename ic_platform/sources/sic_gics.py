"""SIC industry code to GICS sector.

EDGAR gives every registrant a SIC code; the scores compare companies within GICS sectors. This
crosswalk follows the SIC Division/Major Group structure, with the industries whose GICS sector
differs from their division's listed first (pharmaceuticals inside chemicals, REITs inside finance,
software inside business services, ...). First match wins. A few large companies whose SIC code
cannot tell their GICS sector are listed by CIK. A user's sector table
(`ic_platform.sources.sector_map`) is used before all of this.
"""

# Companies whose SIC code says another sector than their GICS classification.
CIK_TO_SECTOR: dict[int, str] = {
    1652044: "Communication Services",  # Alphabet: SIC 7370, computer services
    1326801: "Communication Services",  # Meta Platforms: SIC 7370
    1403161: "Financials",  # Visa: SIC 7389, business services
    1141391: "Financials",  # Mastercard: SIC 7389
    1633917: "Financials",  # PayPal: SIC 7389
}

SIC_RANGES_TO_SECTOR: tuple[tuple[int, int, str], ...] = (
    # Exceptions inside a broader range, checked first.
    (1300, 1399, "Energy"),  # oil and gas extraction and services
    (2830, 2836, "Health Care"),  # pharmaceuticals, biologicals
    (2840, 2844, "Consumer Staples"),  # soaps, cosmetics
    (2900, 2999, "Energy"),  # petroleum refining
    (3570, 3579, "Information Technology"),  # computers and office machines
    (3630, 3639, "Consumer Discretionary"),  # household appliances
    (3651, 3652, "Consumer Discretionary"),  # household audio and video
    (3660, 3699, "Information Technology"),  # communications equipment, semiconductors, electronics
    (3711, 3716, "Consumer Discretionary"),  # motor vehicles
    (3751, 3751, "Consumer Discretionary"),  # motorcycles and bicycles
    (3826, 3829, "Information Technology"),  # laboratory and measuring instruments
    (3841, 3851, "Health Care"),  # medical instruments and supplies
    (3940, 3949, "Consumer Discretionary"),  # toys and sporting goods
    (4700, 4700, "Consumer Discretionary"),  # transportation services: online travel (Expedia, Booking)
    (4720, 4729, "Consumer Discretionary"),  # travel agencies and tour operators
    (4950, 4959, "Industrials"),  # waste management
    (5122, 5122, "Health Care"),  # drug wholesale
    (5331, 5331, "Consumer Staples"),  # variety stores (Walmart, Costco, Target, Dollar General)
    (5399, 5399, "Consumer Staples"),  # general merchandise stores (BJ's)
    (5140, 5149, "Consumer Staples"),  # grocery wholesale
    (5400, 5499, "Consumer Staples"),  # food stores
    (5912, 5912, "Consumer Staples"),  # drug stores
    (6324, 6324, "Health Care"),  # hospital and medical service plans (UnitedHealth, Elevance)
    (6500, 6553, "Real Estate"),  # real estate operators and developers
    (6798, 6798, "Real Estate"),  # real estate investment trusts
    (7370, 7379, "Information Technology"),  # software and computer services
    (7810, 7849, "Communication Services"),  # motion pictures
    (7900, 7999, "Consumer Discretionary"),  # amusement and recreation
    (8000, 8099, "Health Care"),  # health services
    (8731, 8731, "Health Care"),  # commercial physical and biological research
    # Divisions and major groups.
    (100, 999, "Consumer Staples"),  # agriculture
    (1000, 1499, "Materials"),  # mining
    (1500, 1799, "Industrials"),  # construction
    (2000, 2199, "Consumer Staples"),  # food and tobacco
    (2200, 2399, "Consumer Discretionary"),  # textiles and apparel
    (2400, 2499, "Materials"),  # lumber
    (2500, 2599, "Consumer Discretionary"),  # furniture
    (2600, 2699, "Materials"),  # paper
    (2700, 2799, "Communication Services"),  # printing and publishing
    (2800, 2899, "Materials"),  # chemicals
    (3000, 3099, "Materials"),  # rubber and plastics
    (3100, 3199, "Consumer Discretionary"),  # leather goods
    (3200, 3399, "Materials"),  # stone, glass, primary metals
    (3400, 3999, "Industrials"),  # fabricated metals, machinery, transportation equipment
    (4000, 4799, "Industrials"),  # transportation
    (4800, 4899, "Communication Services"),  # telecommunications and broadcasting
    (4900, 4999, "Utilities"),  # electric, gas, water
    (5000, 5199, "Industrials"),  # wholesale trade
    (5200, 5999, "Consumer Discretionary"),  # retail trade
    (6000, 6799, "Financials"),  # banks, insurers, brokers, holding companies
    (7000, 7299, "Consumer Discretionary"),  # hotels and personal services
    (7300, 7399, "Industrials"),  # business services
    (7500, 7699, "Consumer Discretionary"),  # auto and repair services
    (8100, 8999, "Industrials"),  # legal, engineering and management services
)


def gics_sector_for_sic(sic: int | None, cik: int | None = None) -> str | None:
    """The GICS sector of a company by its SIC code (its CIK first, for the companies listed), or
    None when the code is missing or unclassifiable (9995 etc.)."""
    if cik in CIK_TO_SECTOR:
        return CIK_TO_SECTOR[cik]
    if sic is None:
        return None
    for low, high, sector in SIC_RANGES_TO_SECTOR:
        if low <= sic <= high:
            return sector
    return None
