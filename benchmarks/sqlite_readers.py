"""API readers while the SQLite serving database is rewritten: rollback journal against WAL.

Builds a SQLite serving database of the default demo's size (744 days of 500 tickers, 372,000
rows), starts the API as deployed (`ic-platform serve`, one worker) and sends `--rate` requests/s
to the single-ticker and history endpoints for `--seconds`, while the window is replaced whole
again and again (as `serving_scores` does). The baseline is the same run with the database in
rollback-journal mode (SQLite's default, the serving database's mode before WAL). Prints per mode
the rewrites done, p50/p99/max latency, requests over 0.5 s and errors (error statuses, and
requests dropped because all 64 connections were waiting), and the ratio of the p99s.
Goal: no request over 0.5 s and no error in WAL mode.
Run: `.venv/bin/python benchmarks/sqlite_readers.py`.
"""

import argparse
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).parent))
from api import load, percentiles  # noqa: E402  (the API benchmark's open-loop load generator)

from ic_platform.api.process import serving  # noqa: E402
from ic_platform.schemas.scores import FACTOR_METRICS  # noqa: E402
from ic_platform.serving import store  # noqa: E402
from ic_platform.trading_days import trading_days_between  # noqa: E402

SLOW_S = 0.5


def demo_sized_rows(tickers: int, days: list[date]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Score rows of `tickers` made-up tickers over `days`, and their companies."""
    names = [f"T{n:03d}" for n in range(tickers)]
    grid = pl.DataFrame({"ticker": names}).join(pl.DataFrame({"date": days}), how="cross")
    rows = grid.with_columns(
        overall_score=(pl.int_range(pl.len()) % 100 + 1).cast(pl.Int32),
        rating=pl.lit("Hold"),
        **{factor: pl.lit(50.0) for factor in FACTOR_METRICS},
        sector_percentile=pl.lit(50.0),
        data_completeness=pl.lit(0.9),
        confidence_level=pl.lit("High"),
        gics_sector=pl.lit("Financials"),
        inputs_knowledge_date=pl.col("date"),
    ).select(store.SCORE_COLUMNS)
    companies = pl.DataFrame({"ticker": names, "cik": list(range(tickers)), "name": names, "gics_sector": "Financials"})
    return rows, companies


def measure(journal: str, rows: pl.DataFrame, companies: pl.DataFrame, args: argparse.Namespace) -> dict:
    """Latencies of the API's answers while the window is rewritten, the database in `journal` mode."""
    days = rows.get_column("date").unique().sort()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'serving.sqlite'}"
        db = store.engine(url)
        store.migrate(db)
        with db.connect() as connection:
            connection.exec_driver_sql(f"PRAGMA journal_mode={journal}")
        store.replace_window(db, rows, days[0], days[-1], companies)
        rewrites, stop = [], threading.Event()

        def rewrite() -> None:
            while not stop.is_set():
                began = time.perf_counter()
                store.replace_window(db, rows, days[0], days[-1], companies)
                rewrites.append(time.perf_counter() - began)

        tickers = companies.get_column("ticker").to_list()
        paths = [f"/api/scores/{t}" for t in tickers] + [f"/api/scores/{t}/history?days=90" for t in tickers]
        with serving(url, workers=1, options=("--no-access-log",)) as base:
            port = int(base.rsplit(":", 1)[1])
            load(port, paths, args.rate, 2, 64)  # warm the worker
            writer = threading.Thread(target=rewrite)
            writer.start()
            result = load(port, paths, args.rate, args.seconds, 64)
            stop.set()
            writer.join()
        db.dispose()
    latencies = result["latencies"]
    p50, _, p99 = percentiles(latencies)
    return {
        "rewrites": len(rewrites),
        "rewrite_s": sum(rewrites) / len(rewrites),
        "requests": len(latencies),
        "p50": p50,
        "p99": p99,
        "max": max(latencies) * 1000,
        "slow": sum(latency > SLOW_S for latency in latencies),
        "errors": result["errors"] + result["dropped"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=100, help="requests/s (default 100)")
    parser.add_argument("--seconds", type=float, default=30, help="length of each mode's run (default 30)")
    args = parser.parse_args()
    rows, companies = demo_sized_rows(500, trading_days_between(date(2023, 10, 2), date(2026, 9, 18)))
    print(
        f"SQLite readers during rewrites: {rows.height:,} rows rewritten whole in a loop, "
        f"{args.rate:.0f} requests/s for {args.seconds:.0f} s to ic-platform serve (1 worker)"
    )
    print(
        f"{'journal':10} {'rewrites':>8} {'each s':>6} {'requests':>8} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} "
        f"{'>0.5 s':>6} {'errors':>6}"
    )
    results = {}
    for journal in ("DELETE", "WAL"):
        r = results[journal] = measure(journal, rows, companies, args)
        print(
            f"{journal:10} {r['rewrites']:>8} {r['rewrite_s']:>6.1f} {r['requests']:>8} {r['p50']:>7.1f} "
            f"{r['p99']:>7.1f} {r['max']:>7.0f} {r['slow']:>6} {r['errors']:>6}"
        )
    ratio = results["WAL"]["p99"] / results["DELETE"]["p99"]
    met = results["WAL"]["slow"] == results["WAL"]["errors"] == 0
    verdict = "met" if met else "MISSED"
    print(f"p99 WAL / rollback journal: {ratio:.3f}; goal (no request over 0.5 s, no error in WAL): {verdict}")


if __name__ == "__main__":
    main()
