"""`ic-platform`: generate the demo universe, run the asset graph over it, and inspect the results."""

import argparse
import json
import sys
import time
import warnings
from datetime import date
from pathlib import Path

from ic_platform import settings
from ic_platform.demo.generator import SIGNALS, DemoOptions, generate


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from error


def _add_demo_options(parser: argparse.ArgumentParser) -> None:
    defaults = DemoOptions()
    parser.add_argument(
        "--companies", type=int, default=defaults.companies, help="number of companies (default %(default)s)"
    )
    parser.add_argument("--years", type=int, default=defaults.years, help="years of trading days (default %(default)s)")
    parser.add_argument("--seed", type=int, default=defaults.seed, help="random seed (default %(default)s)")
    parser.add_argument("--end", type=_date, default=defaults.end, help="last trading day (default %(default)s)")
    parser.add_argument(
        "--signal",
        choices=SIGNALS,
        default=defaults.signal,
        help="fundamental that drives future returns (default %(default)s)",
    )
    parser.add_argument(
        "--signal-strength",
        type=float,
        default=defaults.signal_strength,
        help="daily drift per standard deviation (default %(default)s)",
    )
    parser.add_argument(
        "--hold-back",
        type=int,
        default=defaults.hold_back,
        help="last trading days simulated but published only by advance-demo (default %(default)s)",
    )


def _options(args: argparse.Namespace) -> DemoOptions:
    return DemoOptions(
        args.companies, args.years, args.seed, args.end, args.signal, args.signal_strength, args.hold_back
    )


def _generate(options: DemoOptions, out: Path) -> dict:
    print(
        f"Generating the demo universe ({options.companies} companies, {options.years} years, seed "
        f"{options.seed}) in {out} ...",
        flush=True,
    )
    started = time.monotonic()
    manifest = generate(out, options)
    print(
        f"  {manifest['companies']} companies, {manifest['trading_days']} trading days "
        f"({manifest['first_day']} to {manifest['last_day']}), {manifest['bars']:,} bars, "
        f"{manifest['form4_filings']:,} Form 4s, {manifest['news_articles']:,} articles "
        f"in {time.monotonic() - started:.1f}s",
        flush=True,
    )
    return manifest


def command_generate_demo(args: argparse.Namespace) -> int:
    _generate(_options(args), Path(args.out) if args.out else settings.current().demo_root())
    return 0


def command_advance_demo(args: argparse.Namespace) -> int:
    from ic_platform.demo.publish import advance

    out = settings.current().demo_root()
    if not (out / "manifest.json").exists():
        print(f"error: no demo universe in {out}: run ic-platform generate-demo --hold-back N", file=sys.stderr)
        return 2
    try:
        manifest = advance(out, args.days)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(
        f"The demo in {out} now ends on {manifest['last_day']} ({manifest['trading_days']} trading days; "
        f"simulated through {manifest['simulated_through']})"
    )
    return 0


def command_demo(args: argparse.Namespace) -> int:
    out = settings.current().demo_root()
    options = _options(args)
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else None
    wanted = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in vars(options).items()}
    if args.regenerate or manifest is None or manifest["options"] != wanted:
        manifest = _generate(options, out)
    else:
        print(f"Using the demo universe in {out} ({manifest['first_day']} to {manifest['last_day']})")
    start = args.start or date.fromisoformat(manifest["first_day"])
    end = args.end_day or date.fromisoformat(manifest["last_day"])
    if start > end:
        print(f"error: --start {start} is after --end-day {end}", file=sys.stderr)
        return 2
    # imported once the demo exists: in demo mode the daily partitions start on its first day
    from ic_platform.definitions import defs
    from ic_platform.runner import check_results, failure_messages, instance_for_cli, materialize_window, summarize

    print(
        f"Materializing every asset from {start} to {end} in one run "
        f"(tables in {settings.current().tables_root()}) ...",
        flush=True,
    )
    started = time.monotonic()
    with instance_for_cli() as instance:
        result = materialize_window(defs, start, end, instance)
    elapsed = time.monotonic() - started
    if not result.success:
        print("error: the run failed", file=sys.stderr)
        for message in failure_messages(result):
            print(f"  {message}", file=sys.stderr)
        return 1
    print(f"\nRun {result.run_id} succeeded in {elapsed:.1f}s:")
    print(f"  {'asset':<22}{'rows':>12}{'partitions':>12}{'quarantined':>13}")
    for summary in summarize(result):
        partitions = "-" if summary.partitions is None else summary.partitions
        quarantined = "-" if summary.quarantined is None else summary.quarantined
        rows = "-" if summary.rows is None else f"{summary.rows:,}"
        print(f"  {summary.asset:<22}{rows:>12}{partitions:>12}{quarantined:>13}")
    for check, passed, severity in check_results(result):
        print(f"  check {check}: {'passed' if passed else f'FAILED ({severity})'}")
    _print_top_scores(end)
    return 0


FACTOR_ABBREVIATIONS = {
    "value": "val",
    "growth": "gro",
    "profitability": "prof",
    "financial_health": "hlth",
    "momentum": "mom",
    "analyst_consensus": "anl",
    "insider_activity": "ins",
    "institutional": "inst",
    "news_sentiment": "news",
    "technical": "tech",
}


def _score_line(row: dict) -> str:
    factors = " ".join(
        f"{short}={'  - ' if row[f] is None else f'{row[f]:4.0f}'}" for f, short in FACTOR_ABBREVIATIONS.items()
    )
    return (
        f"{row['ticker']:<6} {row['score']:>3} {row['rating']:<12} {(row['gics_sector'] or '-')[:22]:<22} "
        f"{row['sector_percentile']:5.1f} {row['data_completeness']:5.0%} {row['confidence']:<6} {factors}"
    )


def _print_top_scores(day: date, count: int = 10) -> None:
    from ic_platform.tables import IC_SCORES

    scores = (
        IC_SCORES.scan(day, day)
        .sort(["score", "sector_percentile", "ticker"], descending=[True, True, False])
        .head(count)
        .collect()
    )
    if scores.is_empty():
        return
    print(f"\nTop {len(scores)} IC Scores on {day} (factor percentiles; - = no inputs yet):")
    print(f"{'ticker':<6} {'IC':>3} {'rating':<12} {'sector':<22} {'s.pct':>5} {'compl':>5} {'conf':<6} factors")
    for row in scores.iter_rows(named=True):
        print(_score_line(row))


def command_score(args: argparse.Namespace) -> int:
    import polars as pl

    from ic_platform.tables import IC_SCORES

    rows = IC_SCORES.scan(args.date, args.date).filter(pl.col("ticker") == args.ticker.upper())
    if args.date is None:
        rows = rows.sort("date").tail(1)
    found = rows.collect()
    if found.is_empty():
        when = f" on {args.date}" if args.date else ""
        print(
            f"error: no IC Score for {args.ticker}{when} (run `ic-platform demo`, or the ticker is gated out)",
            file=sys.stderr,
        )
        return 1
    row = found.row(0, named=True)
    print(
        f"{row['ticker']} on {row['date']}: IC Score {row['score']} ({row['rating']}), sector {row['gics_sector']}, "
        f"sector percentile {row['sector_percentile']:.1f}, completeness "
        f"{row['data_completeness']:.0%} ({row['confidence']} confidence)"
    )
    for factor in FACTOR_ABBREVIATIONS:
        value = row[factor]
        print(f"  {factor:<18} {'no inputs' if value is None else f'{value:5.1f}'}")
    print(f"  inputs known by   {row['inputs_knowledge_date']}")
    return 0


def command_serve(args: argparse.Namespace) -> int:
    import uvicorn

    uvicorn.run(
        "ic_platform.api.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=args.access_log,
    )
    return 0


def command_serving_backup(args: argparse.Namespace) -> int:
    from ic_platform.serving import backup, store

    manifest = backup.backup(store.engine(), args.out, args.keep)
    print(f"backed up {manifest['rows']} (schema {manifest['revision']}) to {args.out}")
    return 0


def command_serving_grant_reader(args: argparse.Namespace) -> int:
    import sqlalchemy as sa

    from ic_platform.serving import store

    try:
        store.grant_reader(store.engine(), args.role)
    except sa.exc.ProgrammingError as error:  # an unknown role
        raise ValueError(str(error.orig).strip()) from error
    print(f"{args.role} may now read the serving database (SELECT only)")
    return 0


def command_serving_restore(args: argparse.Namespace) -> int:
    from ic_platform.serving import backup, store

    manifest = backup.restore(store.engine(), args.file)
    print(f"restored {manifest['rows']} from {args.file} (written {manifest['written_at']})")
    return 0


def command_export(args: argparse.Namespace) -> int:
    from ic_platform.tables import DAILY_TABLES, DATA_QUALITY

    exportable = DAILY_TABLES | {DATA_QUALITY.name: DATA_QUALITY}
    if args.asset not in exportable:
        print(
            f"error: {args.asset} is not a daily asset; choose one of {', '.join(sorted(exportable))}",
            file=sys.stderr,
        )
        return 2
    if args.start > args.end:
        print(f"error: --start {args.start} is after --end {args.end}", file=sys.stderr)
        return 2
    frame = exportable[args.asset].scan(args.start, args.end).collect()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(out)
    print(f"{frame.height:,} rows of {args.asset} from {args.start} to {args.end} written to {out}")
    return 0


def _print_frame(frame, output_format: str) -> None:
    if output_format == "json":
        sys.stdout.write(frame.write_json())
        sys.stdout.write("\n")
    else:
        sys.stdout.write(frame.write_csv())


def command_technicals(args: argparse.Namespace) -> int:
    import polars as pl

    from ic_platform.features.technical import technical_features
    from ic_platform.sources.market_data import ArchiveBars

    archive = ArchiveBars(Path(args.bars_file))
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
    _print_frame(technical_features(bars.lazy()).collect(), args.format)
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
        payload, source = _read_bytes(target), str(target)
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
    _print_frame(rows.sort("line_item", "period_type", "period_end"), args.format)
    return 0


def _read_bytes(path: str | Path) -> bytes:
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


def _read_text(path: str) -> str:
    return _read_bytes(path).decode("latin-1")


def command_form4(args: argparse.Namespace) -> int:
    import polars as pl

    from ic_platform.schemas.common import polars_schema
    from ic_platform.schemas.ownership import InsiderTransaction
    from ic_platform.sources.ownership import parse_ownership

    stem = Path(args.file).name.split("_")[0].split(".")[0]
    accession = stem if len(stem) == 20 and stem[10] == "-" else ""
    rows, quarantined = parse_ownership(_read_text(args.file), args.file, accession)
    for record in quarantined:
        print(f"note: transaction quarantined: {record['reason']}", file=sys.stderr)
    columns = [c for c in polars_schema(InsiderTransaction).names() if c != "knowledge_date"]
    _print_frame(pl.DataFrame(rows, schema={c: polars_schema(InsiderTransaction)[c] for c in columns}), args.format)
    return 0


def command_13f(args: argparse.Namespace) -> int:
    import polars as pl

    from ic_platform.sources.edgar_submission import is_full_submission
    from ic_platform.sources.thirteenf import parse_information_table, parse_thirteenf_submission, value_multiplier

    text = _read_text(args.file)
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
    _print_frame(holdings.with_columns(value_usd=pl.col("reported_value") * multiplier), args.format)
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
        else [line.strip() for line in _read_text(args.file).splitlines() if line.strip()]
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
    _print_frame(frame, args.format)
    return 0


def command_train_sentiment(args: argparse.Namespace) -> int:
    from ic_platform.sentiment.trained import train

    folder = train(
        Path(args.labeled_file),
        Path(args.models_dir) if args.models_dir else settings.current().data_root() / "models",
        folds=args.folds,
    )
    print(f"saved {folder}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ic-platform", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="generate the demo universe if missing and materialize every asset over it")
    _add_demo_options(demo)
    demo.add_argument("--start", type=_date, help="first trading day to materialize (default: the demo's first)")
    demo.add_argument("--end-day", type=_date, help="last trading day to materialize (default: the demo's last)")
    demo.add_argument("--regenerate", action="store_true", help="write the demo universe again even if it exists")
    demo.set_defaults(handler=command_demo)

    generate_demo = commands.add_parser("generate-demo", help="write the demo universe in the real sources' formats")
    _add_demo_options(generate_demo)
    generate_demo.add_argument("--out", help="output folder (default: $IC_DATA_DIR/demo)")
    generate_demo.set_defaults(handler=command_generate_demo)

    advance_demo = commands.add_parser(
        "advance-demo", help="publish the demo's next held-back trading day, as the sources would after the close"
    )
    advance_demo.add_argument("--days", type=int, default=1, help="trading days to publish (default %(default)s)")
    advance_demo.set_defaults(handler=command_advance_demo)

    technicals = commands.add_parser("technicals", help="print the technical indicators of a CSV or Parquet bars file")
    technicals.add_argument("bars_file", help="bars with date, ticker (or Name), open, high, low, close, volume")
    technicals.add_argument("--ticker", help="only this ticker")
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
        "--as-of", type=_date, default=date.today(), help="the day whose knowledge to show (default: today)"
    )
    fundamentals.add_argument("--format", choices=("csv", "json"), default="csv")
    fundamentals.set_defaults(handler=command_fundamentals)

    score = commands.add_parser("score", help="print a ticker's IC Score with its factors and completeness")
    score.add_argument("ticker")
    score.add_argument("--date", type=_date, help="trading day (default: the latest scored day)")
    score.set_defaults(handler=command_score)

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
        "--filed", type=_date, help="filing date of an information table given alone (decides thousands or dollars)"
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

    train_sentiment = commands.add_parser(
        "train-sentiment", help="train the MiniLM + TF-IDF sentiment classifier and save it as a versioned artifact"
    )
    train_sentiment.add_argument(
        "labeled_file", help="Financial PhraseBank 'sentence@label' file, or a CSV with text,label"
    )
    train_sentiment.add_argument(
        "--folds", type=int, default=5, help="cross-validation folds reported (default %(default)s)"
    )
    train_sentiment.add_argument("--models-dir", help="default: $IC_DATA_DIR/models")
    train_sentiment.set_defaults(handler=command_train_sentiment)

    export = commands.add_parser("export", help="write a daily asset's rows over a date range to Parquet")
    export.add_argument("asset", help="daily asset, e.g. ic_scores")
    export.add_argument("--start", type=_date, required=True)
    export.add_argument("--end", type=_date, required=True)
    export.add_argument("--out", required=True, help="output .parquet file")
    export.set_defaults(handler=command_export)

    serve = commands.add_parser("serve", help="serve the scores API on the serving database ($IC_SERVING_URL)")
    serve.add_argument("--host", default="127.0.0.1", help="default %(default)s")
    serve.add_argument("--port", type=int, default=8000, help="default %(default)s")
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default %(default)s)")
    serve.add_argument(
        "--access-log",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="a log line per request (default on; the deployments turn it off and log at the proxy)",
    )
    serve.set_defaults(handler=command_serve)

    serving = commands.add_parser("serving", help="back up, restore or grant access to the serving database")
    serving_commands = serving.add_subparsers(dest="serving_command", required=True)
    backup = serving_commands.add_parser("backup", help="write the serving database to a portable zip")
    backup.add_argument("--out", type=Path, required=True, help="the backup file, e.g. backups/2026-12-03.serving.zip")
    backup.add_argument("--keep", type=int, help="then keep only the KEEP newest *.serving.zip files of its folder")
    backup.set_defaults(handler=command_serving_backup)
    restore = serving_commands.add_parser("restore", help="replace the serving database's contents with a backup")
    restore.add_argument("file", type=Path)
    restore.set_defaults(handler=command_serving_restore)
    reader = serving_commands.add_parser(
        "grant-reader", help="give a PostgreSQL role read-only access to the serving tables (the API's role)"
    )
    reader.add_argument("role")
    reader.set_defaults(handler=command_serving_grant_reader)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    import dagster as dg

    warnings.filterwarnings("ignore", category=dg.BetaWarning)  # backfill_policy is beta in Dagster 1.13
    warnings.filterwarnings("ignore", category=dg.PreviewWarning)
    import polars as pl

    try:
        return args.handler(args)
    except (ValueError, OSError, pl.exceptions.PolarsError) as error:  # the input, not the platform
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
