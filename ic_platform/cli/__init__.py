"""`ic-platform`: the platform's command line, by audience: demo users (`demo.py`), operators
(`operations.py`) and readers of source files (`files.py`)."""

import argparse
import re
import sys
import warnings

from ic_platform.cli import demo, files, operations
from ic_platform.cli.termination import exit_after_grace_on_termination


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

    if args.command != "serve":  # uvicorn handles its own signals
        exit_after_grace_on_termination()
    try:
        return args.handler(args)
    except (ValueError, OSError, pl.exceptions.PolarsError) as error:  # the input, not the platform
        print(f"error: {error}", file=sys.stderr)
        return 2
    except dg.DagsterInvalidConfigError as error:
        print(f"error: {configuration_failure(error)}", file=sys.stderr)
        return 2
    except Exception as error:
        reason = database_failure(error)
        if reason is None:
            raise
        print(f"error: {reason}", file=sys.stderr)
        return 1


def configuration_failure(error) -> str:
    """One line for a run whose configuration Dagster refused: the secrets it needs that are not
    set (a live source without its key), else Dagster's first reason."""
    reasons = [getattr(e, "message", str(e)) for e in error.errors] or [str(error)]
    missing = sorted(
        {name for r in reasons for name in re.findall(r'environment variable "(\w+)" which is not set', r)}
    )
    if missing:
        return (
            f"the sources in live mode need {', '.join(missing)} set in the environment "
            "(docs/operations.md, Running live); or set their mode to demo, archive or off"
        )
    return f"{error.args[0] if error.args else 'the run configuration is invalid'}: {' '.join(reasons[0].split())}"


def database_failure(error: BaseException) -> str | None:
    """One line for a database that failed (unreachable, timed out, full disk), the driver's own
    first line; None for any other error. The drivers: psycopg2 and SQLite through SQLAlchemy,
    ADBC's for bulk reads and writes."""
    import sqlite3

    import adbc_driver_manager
    import sqlalchemy as sa

    cause: BaseException = error
    while not isinstance(cause, sa.exc.DBAPIError | sqlite3.Error | adbc_driver_manager.Error):
        if cause.__cause__ is None and cause.__context__ is None:
            return None
        cause = cause.__cause__ or cause.__context__  # type: ignore[assignment]
    detail = str(cause.orig if isinstance(cause, sa.exc.DBAPIError) else cause).strip().splitlines()
    reason = detail[0] if detail else type(cause).__name__
    if "disk" in reason.lower() or "no space left" in reason.lower():
        reason += " (is the disk under $DAGSTER_HOME or $IC_DATA_DIR full?)"
    return f"a database failed: {reason}"
