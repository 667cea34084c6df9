"""For operators: read the scores and tables, serve the API, back up and restore the serving database,
train the sentiment model."""

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from ic_platform import settings
from ic_platform.cli.arguments import parse_date

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


def score_line(row: dict) -> str:
    factors = " ".join(
        f"{short}={'  - ' if row[f] is None else f'{row[f]:4.0f}'}" for f, short in FACTOR_ABBREVIATIONS.items()
    )
    return (
        f"{row['ticker']:<6} {row['score']:>3} {row['rating']:<12} {(row['gics_sector'] or '-')[:22]:<22} "
        f"{row['sector_percentile']:5.1f} {row['data_completeness']:5.0%} {row['confidence']:<6} {factors}"
    )


def print_top_scores(day: date, count: int = 10) -> None:
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
        print(score_line(row))


def run_window(start: date, end: date, select: list[str] | None = None, full_refresh: bool = False) -> int:
    """Materialize every asset (or those named in `select`, with their checks) over the trading days
    `start`..`end` in one run on the instance `ic-platform` opens, with progress lines, a summary of
    what each asset wrote and each check found, and the top scores of `end`; the exit status. The
    archive files the sources in archive mode need are checked first (exit 2 naming each missing one)."""
    from ic_platform.definitions import defs
    from ic_platform.runner import (
        check_results,
        failure_messages,
        instance_for_cli,
        materialize_window,
        notices,
        selected,
        summarize,
    )

    if start > end:
        print(f"error: --start {start} is after the end {end}", file=sys.stderr)
        return 2
    problems = settings.current().archive_problems()
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    selection = selected(defs, select) if select else None
    what = "every asset" if select is None else ", ".join(select)
    modes = " ".join(f"{source}={mode}" for source, mode in settings.current().modes().items())
    print(
        f"Materializing {what} from {start} to {end} in one run (sources: {modes}; tables in "
        f"{settings.current().tables_root()}) ...",
        flush=True,
    )
    started = time.monotonic()
    with instance_for_cli() as instance:
        result = materialize_window(defs, start, end, instance, full_refresh=full_refresh, selection=selection)
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
    for notice in notices(result):
        print(f"  note {notice}")
    print_top_scores(end)
    return 0


def command_run(args: argparse.Namespace) -> int:
    select = [name.strip() for part in args.select or [] for name in part.split(",") if name.strip()]
    return run_window(args.start, args.end, select or None, args.full_refresh)


def command_ticker_history(args: argparse.Namespace) -> int:
    """Write the market-data API's delisted tickers as a ticker-history file ($IC_TICKER_HISTORY)."""
    from ic_platform.defs.resources import MarketDataSource
    from ic_platform.sources.market_data import PolygonClient
    from ic_platform.sources.security_master import history_csv

    configured = settings.current()
    if not configured.polygon_api_key:
        print("error: POLYGON_API_KEY is not set: the delisted tickers come from the market-data API", file=sys.stderr)
        return 2
    reader = MarketDataSource(mode="live", base_url=configured.polygon_base_url, api_key=configured.polygon_api_key)
    client = reader.reader()
    assert isinstance(client, PolygonClient)  # live mode's reader
    periods, quarantined = client.inactive_tickers()
    args.out.write_text(history_csv(periods))
    print(
        f"{args.out}: {len(periods)} delisted tickers with their CIK and last day; {len(quarantined)} left out "
        "(no CIK to match them to EDGAR). Set IC_TICKER_HISTORY to this file (with your own rows added)."
    )
    return 0


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


def command_serve(args: argparse.Namespace) -> int:
    import uvicorn

    uvicorn.run(
        "ic_platform.api.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=args.access_log,
        http="ic_platform.api.server:RequestDeadlineProtocol",
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


def command_train_sentiment(args: argparse.Namespace) -> int:
    from ic_platform.sentiment.trained import train

    folder = train(
        Path(args.labeled_file),
        Path(args.models_dir) if args.models_dir else settings.current().data_root() / "models",
        folds=args.folds,
    )
    print(f"saved {folder}")
    return 0


def register(commands) -> None:
    """Add this audience's commands to the `ic-platform` parser."""
    run = commands.add_parser(
        "run",
        help="materialize every asset (or --select) over a range of trading days in one run, sources in their modes",
    )
    run.add_argument("--start", type=parse_date, required=True, help="first trading day")
    run.add_argument("--end", type=parse_date, required=True, help="last trading day")
    run.add_argument(
        "--select",
        action="append",
        metavar="ASSET[,ASSET]",
        help="only these assets and their checks (repeatable; default: every asset)",
    )
    run.add_argument(
        "--full-refresh", action="store_true", help="the incremental raw tables read their sources' whole history"
    )
    run.set_defaults(handler=command_run)

    history = commands.add_parser(
        "ticker-history", help="write the market-data API's delisted tickers as a ticker-history file (live)"
    )
    history.add_argument("--out", type=Path, required=True, help="the CSV to write (IC_TICKER_HISTORY's format)")
    history.set_defaults(handler=command_ticker_history)

    score = commands.add_parser("score", help="print a ticker's IC Score with its factors and completeness")
    score.add_argument("ticker")
    score.add_argument("--date", type=parse_date, help="trading day (default: the latest scored day)")
    score.set_defaults(handler=command_score)

    export = commands.add_parser("export", help="write a daily asset's rows over a date range to Parquet")
    export.add_argument("asset", help="daily asset, e.g. ic_scores")
    export.add_argument("--start", type=parse_date, required=True)
    export.add_argument("--end", type=parse_date, required=True)
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
