"""CUSIP to ticker: a mapping file first, then 13F issuer names matched to the universe's company names."""

import polars as pl

_NAME_NOISE = {
    "INC",
    "INCORPORATED",
    "CORP",
    "CORPORATION",
    "CO",
    "COMPANY",
    "LTD",
    "LIMITED",
    "PLC",
    "THE",
    "NEW",
    "DEL",
    "HLDGS",
    "HOLDINGS",
    "LLC",
    "LP",
    "SA",
    "NV",
    "AG",
}


def normalised_name(name: pl.Expr) -> pl.Expr:
    """Upper-case issuer name without punctuation and corporate suffixes, for matching 13F issuers to companies."""
    words = name.str.to_uppercase().str.replace_all(r"[^A-Z0-9 ]", " ").str.split(" ")
    return words.list.eval(
        pl.element().filter((pl.element() != "") & ~pl.element().is_in(list(_NAME_NOISE)))
    ).list.join(" ")


def cusip_tickers(holdings: pl.DataFrame, companies: pl.DataFrame, mapped: pl.DataFrame | None = None) -> pl.DataFrame:
    """CUSIP -> ticker: the rows of a mapping file first, then 13F issuer names that match exactly one
    universe company's name (after `normalised_name`); ambiguous names stay unmapped."""
    by_name = (
        companies.select("ticker", key=normalised_name(pl.col("name")))
        .filter(pl.col("key") != "")
        .group_by("key")
        .agg(pl.col("ticker").first(), tickers=pl.len())
        .filter(pl.col("tickers") == 1)
    )
    matched = (
        holdings.select("cusip", key=normalised_name(pl.col("issuer_name")))
        .unique()
        .join(by_name, on="key")
        .group_by("cusip")
        .agg(pl.col("ticker").unique())
        .filter(pl.col("ticker").list.len() == 1)
        .select("cusip", ticker=pl.col("ticker").list.first(), source=pl.lit("issuer name matches the company name"))
    )
    if mapped is None or mapped.is_empty():
        return matched.sort("cusip")
    from_file = mapped.select(
        pl.col("cusip").str.to_uppercase(), pl.col("ticker").str.to_uppercase(), source=pl.lit("mapping file")
    )
    return (
        pl.concat([from_file, matched.join(from_file, on="cusip", how="anti")])
        .unique("cusip", keep="first")
        .sort("cusip")
    )
