"""For demo users: generate the demo universe, publish its held-back days, and run the asset graph over it."""

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

from ic_platform import settings
from ic_platform.cli.arguments import parse_date
from ic_platform.cli.operations import run_window
from ic_platform.demo.generator import SIGNALS, DemoOptions, generate


def _add_demo_options(parser: argparse.ArgumentParser) -> None:
    defaults = DemoOptions()
    parser.add_argument(
        "--companies", type=int, default=defaults.companies, help="number of companies (default %(default)s)"
    )
    parser.add_argument("--years", type=int, default=defaults.years, help="years of trading days (default %(default)s)")
    parser.add_argument("--seed", type=int, default=defaults.seed, help="random seed (default %(default)s)")
    parser.add_argument("--end", type=parse_date, default=defaults.end, help="last trading day (default %(default)s)")
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
    parser.add_argument(
        "--split-days-before-end",
        type=int,
        default=None,
        help="place the demo's split this many trading days before its last day (default: half-way through)",
    )


def _options(args: argparse.Namespace) -> DemoOptions:
    return DemoOptions(
        args.companies,
        args.years,
        args.seed,
        args.end,
        args.signal,
        args.signal_strength,
        args.hold_back,
        args.split_days_before_end,
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
    return run_window(start, end)


def register(commands) -> None:
    """Add this audience's commands to the `ic-platform` parser."""

    demo = commands.add_parser("demo", help="generate the demo universe if missing and materialize every asset over it")
    _add_demo_options(demo)
    demo.add_argument("--start", type=parse_date, help="first trading day to materialize (default: the demo's first)")
    demo.add_argument("--end-day", type=parse_date, help="last trading day to materialize (default: the demo's last)")
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
