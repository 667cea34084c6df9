"""`ic-platform`: the platform's command line, by audience: demo users (`demo.py`), operators
(`operations.py`) and readers of source files (`files.py`)."""

import argparse
import sys
import warnings

from ic_platform.cli import demo, files, operations


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ic-platform",
        description="IC Platform: run the demo, read and serve the scores, read source files by hand.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for audience in (demo, operations, files):
        audience.register(commands)
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
