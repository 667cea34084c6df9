"""A user's sector table: GICS sectors by ticker or CIK, taking precedence over the SIC crosswalk.

The file is a CSV with a header naming a key column (`ticker` or `symbol`, and/or `cik`) and a
sector column (`gics_sector`, `gics sector` or `sector`, any case), such as the S&P 500
constituents lists. A row keyed by CIK applies to every ticker of the company; a ticker row
applies to that ticker only and wins over a CIK row. Tickers match EDGAR's spelling, with `.` and
`-` alike (BRK.B is BRK-B). Rows without a key, with a sector that is not one of the 11 GICS
sectors, or repeating a key with another sector are quarantined with a reason.
"""

from pathlib import Path

import polars as pl

from ic_platform.schemas.common import QuarantinedRecord, frame_of, quarantined_record
from ic_platform.schemas.sec import GICS_SECTORS
from ic_platform.sources.documents import SourceFormatError

SECTOR_COLUMNS = ("gics_sector", "gics sector", "sector")
TICKER_COLUMNS = ("ticker", "symbol")
# sector names of earlier GICS versions: Telecommunication Services became Communication Services in 2018
FORMER_SECTOR_NAMES = {"Telecommunication Services": "Communication Services"}
SECTOR_MAP_SCHEMA = {"key": pl.String, "value": pl.String, "gics_sector": pl.String}


def header_column(header: list[str], names: tuple[str, ...]) -> str | None:
    """The header's column with the first of `names` (any case, spaces around ignored)."""
    by_name = {column.strip().lower(): column for column in header}
    return next((by_name[name] for name in names if name in by_name), None)


def ticker_key(ticker: pl.Expr) -> pl.Expr:
    """A ticker as the sector table matches it: upper case, `.` written `-`."""
    return ticker.str.strip_chars().str.to_uppercase().str.replace_all(".", "-", literal=True)


def read_sector_map(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The table's rows as (key: "ticker" or "cik", value, gics_sector), and its quarantined rows."""
    if not path.is_file():
        raise SourceFormatError(f"{path}: the sector table does not exist")
    raw = pl.read_csv(path, infer_schema=False)
    sector, ticker, cik = (header_column(raw.columns, names) for names in (SECTOR_COLUMNS, TICKER_COLUMNS, ("cik",)))
    if sector is None or (ticker is None and cik is None):
        raise SourceFormatError(
            f"{path}: a sector table needs a sector column ({', '.join(SECTOR_COLUMNS)}) and a ticker or cik "
            f"column; its header is {raw.columns}"
        )
    rows: list[dict] = []
    quarantined: list[dict] = []
    for line, row in enumerate(raw.iter_rows(named=True), start=2):
        name = (row[sector] or "").strip()
        name = FORMER_SECTOR_NAMES.get(name, name)
        keys = []
        if ticker and (row[ticker] or "").strip():
            keys.append(("ticker", row[ticker]))
        if cik and (row[cik] or "").strip():
            if not row[cik].strip().isdigit():
                quarantined.append(
                    quarantined_record("sector table", f"line {line}", f"cik {row[cik]!r} is not a number")
                )
                continue
            keys.append(("cik", str(int(row[cik]))))
        if not keys:
            quarantined.append(quarantined_record("sector table", f"line {line}", "neither a ticker nor a cik"))
        elif name not in GICS_SECTORS:
            quarantined.append(quarantined_record("sector table", f"line {line}", f"{name!r} is not a GICS sector"))
        else:
            rows.extend({"key": key, "value": value, "gics_sector": name, "line": line} for key, value in keys)
    table = pl.DataFrame(rows, schema={**SECTOR_MAP_SCHEMA, "line": pl.Int64})
    table = table.with_columns(
        value=pl.when(pl.col("key") == "ticker").then(ticker_key(pl.col("value"))).otherwise(pl.col("value"))
    )
    conflicting = table.filter(pl.col("gics_sector").n_unique().over("key", "value") > 1)
    quarantined.extend(
        quarantined_record("sector table", f"line {line}", f"{key} {value} is given more than one sector")
        for key, value, line in conflicting.select("key", "value", "line").iter_rows()
    )
    table = table.join(conflicting, on=["key", "value"], how="anti").unique(["key", "value"]).drop("line")
    return table.sort("key", "value"), frame_of(QuarantinedRecord, quarantined)


def with_sectors(companies: pl.DataFrame, sector_map: pl.DataFrame | None) -> pl.DataFrame:
    """`companies` with `gics_sector` from the sector table where it has the ticker or the CIK, else
    the SIC crosswalk's, and `sector_source` saying which ("sector_map", "sic", or null: none)."""
    sector_map = pl.DataFrame(schema=SECTOR_MAP_SCHEMA) if sector_map is None else sector_map
    by_ticker = sector_map.filter(pl.col("key") == "ticker").select(_ticker="value", _by_ticker="gics_sector")
    by_cik = sector_map.filter(pl.col("key") == "cik").select(
        _cik=pl.col("value").cast(pl.Int64), _by_cik="gics_sector"
    )
    mapped = companies.with_columns(_ticker=ticker_key(pl.col("ticker")))
    mapped = mapped.join(by_ticker, on="_ticker", how="left").join(by_cik, left_on="cik", right_on="_cik", how="left")
    from_table = pl.coalesce("_by_ticker", "_by_cik")
    return mapped.with_columns(
        gics_sector=pl.coalesce(from_table, "gics_sector"),
        sector_source=pl.when(from_table.is_not_null())
        .then(pl.lit("sector_map"))
        .when(pl.col("gics_sector").is_not_null())
        .then(pl.lit("sic")),
    ).drop("_ticker", "_by_ticker", "_by_cik")
