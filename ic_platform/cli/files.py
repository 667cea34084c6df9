"""For reading source files without the asset graph: indicators of a bars file, a company's line items, a
Form 4, a 13F, the sentiment of a text (checking a parser or a figure by hand)."""

import argparse
import sys
from datetime import date
from pathlib import Path

from ic_platform import settings
from ic_platform.cli.arguments import parse_date


def print_frame(frame, output_format: str) -> None:
    if output_format == "json":
        sys.stdout.write(frame.write_json())
        sys.stdout.write("\n")
    else:
        sys.stdout.write(frame.write_csv())


def command_technicals(args: argparse.Namespace) -> int:
    import polars as pl

    from ic_platform.features.splits import adjusted_bars
    from ic_platform.features.technical import technical_features
    from ic_platform.sources.market_data import ArchiveBars

    archive = ArchiveBars(Path(args.bars_file), args.basis, Path(args.actions) if args.actions else None)
    frame = archive.frame if args.ticker is None else archive.frame.filter(pl.col("ticker") == args.ticker)
    if frame.is_empty():
        print(
            f"error: no bars{'' if args.ticker is None else f' for {args.ticker}'} in {args.bars_file}", file=sys.stderr
        )
        return 1
    bars, quarantined = archive.bars(frame)
    if quarantined.height:
        print(
            f"note: {quarantined.height} unusable bars left out "
            f"({quarantined.get_column('reason').unique().sort().to_list()})",
            file=sys.stderr,
        )
    adjusted = adjusted_bars(bars.sort("date", maintain_order=True).lazy(), archive.actions(None)[0])
    print_frame(technical_features(adjusted).collect(), args.format)
    return 0


FUNDAMENTALS_COLUMNS = (
    "cik",
    "line_item",
    "period_type",
    "period_start",
    "period_end",
    "value",
    "filed",
    "knowledge_date",
    "accession",
)


def command_fundamentals(args: argparse.Namespace) -> int:

    import polars as pl

    from ic_platform.features.fundamentals import as_of, line_item_versions, trailing_twelve_months
    from ic_platform.sources.companyfacts import parse_companyfacts

    target = Path(args.path_or_cik)
    if target.exists():
        payload, source = read_bytes(target), str(target)
    elif args.path_or_cik.isdigit():
        from ic_platform.defs.resources import source_resources

        edgar = source_resources()["edgar"].process_config_and_initialize()  # resolves its dg.EnvVar secrets
        payload = edgar.reader().companyfacts(int(args.path_or_cik))
        if payload is None:
            print(f"error: no companyfacts for CIK {args.path_or_cik} in the {edgar.mode} source", file=sys.stderr)
            return 1
        source = f"CIK {args.path_or_cik}"
    else:
        print(f"error: {args.path_or_cik} is neither a file nor a CIK", file=sys.stderr)
        return 2
    facts, quarantined = parse_companyfacts(payload, source)
    if quarantined.height:
        print(
            f"note: {quarantined.height} facts quarantined: "
            f"{quarantined.get_column('reason').unique().sort().to_list()}",
            file=sys.stderr,
        )
    known = as_of(line_item_versions(facts), args.as_of)
    rows = pl.concat([known.select(FUNDAMENTALS_COLUMNS), trailing_twelve_months(known).select(FUNDAMENTALS_COLUMNS)])
    print_frame(rows.sort("line_item", "period_type", "period_end"), args.format)
    return 0


def read_bytes(path: str | Path) -> bytes:
    """A file's bytes, decompressed when it is a `.gz` (a cut or corrupt one is a clear error)."""
    import gzip
    import zlib

    data = Path(path).read_bytes()
    if not str(path).endswith(".gz"):
        return data
    try:
        return gzip.decompress(data)
    except (EOFError, OSError, zlib.error) as error:
        raise ValueError(f"{path}: a truncated or corrupt gzip file ({error})") from error


def read_text(path: str) -> str:
    return read_bytes(path).decode("latin-1")


def command_form4(args: argparse.Namespace) -> int:
    import polars as pl

    from ic_platform.schemas.common import polars_schema
    from ic_platform.schemas.ownership import InsiderTransaction
    from ic_platform.sources.ownership import parse_ownership

    stem = Path(args.file).name.split("_")[0].split(".")[0]
    accession = stem if len(stem) == 20 and stem[10] == "-" else ""
    rows, quarantined = parse_ownership(read_text(args.file), args.file, accession)
    for record in quarantined:
        print(f"note: transaction quarantined: {record['reason']}", file=sys.stderr)
    columns = [c for c in polars_schema(InsiderTransaction).names() if c != "knowledge_date"]
    print_frame(pl.DataFrame(rows, schema={c: polars_schema(InsiderTransaction)[c] for c in columns}), args.format)
    return 0


def command_13f(args: argparse.Namespace) -> int:
    import polars as pl

    from ic_platform.sources.edgar_submission import is_full_submission
    from ic_platform.sources.thirteenf import parse_information_table, parse_thirteenf_submission, value_multiplier

    text = read_text(args.file)
    if is_full_submission(text):
        filing = parse_thirteenf_submission(text, args.file)
        holdings, quarantined, filed = filing.holdings, filing.quarantined, filing.filed
        print(
            f"{filing.cover.form} {filing.accession} by {filing.cover.manager_name} (CIK {filing.cover.manager_cik}), "
            f"period {filing.cover.period}, filed {filing.filed}",
            file=sys.stderr,
        )
    else:
        holdings, quarantined = parse_information_table(text, args.file)
        filed = args.filed
        if filed is None:
            print(
                "error: an information table alone does not say when it was filed: pass --filed YYYY-MM-DD",
                file=sys.stderr,
            )
            return 2
    multiplier, reason = value_multiplier(filed, holdings)
    print(f"values: x{multiplier} ({reason})", file=sys.stderr)
    for record in quarantined:
        print(f"note: holding quarantined: {record['reason']}", file=sys.stderr)
    print_frame(holdings.with_columns(value_usd=pl.col("reported_value") * multiplier), args.format)
    return 0


def command_sentiment(args: argparse.Namespace) -> int:
    import polars as pl

    from ic_platform.sentiment import SentimentOptions, build_model

    if (args.text is None) == (args.file is None):
        print("error: give either TEXT or --file FILE", file=sys.stderr)
        return 2
    texts = (
        [args.text]
        if args.text is not None
        else [line.strip() for line in read_text(args.file).splitlines() if line.strip()]
    )
    model = build_model(SentimentOptions.from_settings(settings.current(), args.model))
    scores = model.score(texts)
    frame = pl.DataFrame(
        {
            "text": texts,
            "score": [s for s, _ in scores],
            "confidence": [c for _, c in scores],
            "model": f"{model.name} {model.version}",
        }
    )
    print_frame(frame, args.format)
    return 0


def register(commands) -> None:
    """Add this audience's commands to the `ic-platform` parser."""
    technicals = commands.add_parser("technicals", help="print the technical indicators of a CSV or Parquet bars file")
    technicals.add_argument("bars_file", help="bars with date, ticker (or Name), open, high, low, close, volume")
    technicals.add_argument("--ticker", help="only this ticker")
    technicals.add_argument(
        "--basis",
        choices=("as_traded", "split_adjusted"),
        default="as_traded",
        help="the file's prices: as traded (default) or split-adjusted (needs --actions)",
    )
    technicals.add_argument("--actions", help="corporate-actions CSV or Polygon JSON to adjust the bars with")
    technicals.add_argument("--format", choices=("csv", "json"), default="csv")
    technicals.set_defaults(handler=command_technicals)

    fundamentals = commands.add_parser(
        "fundamentals", help="print a company's line items (Q, FY, TTM) as known on a date"
    )
    fundamentals.add_argument(
        "path_or_cik",
        help="a companyfacts JSON file (.json or .json.gz) or a CIK read from the configured EDGAR source",
    )
    fundamentals.add_argument(
        "--as-of", type=parse_date, default=date.today(), help="the day whose knowledge to show (default: today)"
    )
    fundamentals.add_argument("--format", choices=("csv", "json"), default="csv")
    fundamentals.set_defaults(handler=command_fundamentals)

    form4 = commands.add_parser(
        "form4", help="print the transactions of a Form 3/4/5 (ownership XML or full EDGAR submission)"
    )
    form4.add_argument("file")
    form4.add_argument("--format", choices=("csv", "json"), default="csv")
    form4.set_defaults(handler=command_form4)

    thirteenf = commands.add_parser(
        "13f", help="print the holdings of a 13F-HR (full submission, or an information table with --filed)"
    )
    thirteenf.add_argument("file")
    thirteenf.add_argument(
        "--filed",
        type=parse_date,
        help="filing date of an information table given alone (decides thousands or dollars)",
    )
    thirteenf.add_argument("--format", choices=("csv", "json"), default="csv")
    thirteenf.set_defaults(handler=command_13f)

    sentiment = commands.add_parser("sentiment", help="score TEXT (or each line of --file) with a sentiment model")
    sentiment.add_argument("text", nargs="?")
    sentiment.add_argument("--file", help="one text per line")
    sentiment.add_argument(
        "--model",
        choices=("lexicon", "transformer", "trained", "ensemble"),
        help="default: $IC_SENTIMENT_MODEL, else lexicon",
    )
    sentiment.add_argument("--format", choices=("csv", "json"), default="csv")
    sentiment.set_defaults(handler=command_sentiment)
