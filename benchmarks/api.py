"""The scores API under load, against the same queries run directly on PostgreSQL.

Copies the default demo's serving database (run `ic-platform demo` first) into a fresh PostgreSQL
database, starts the API as deployed (`ic-platform serve --workers N --no-access-log`) and drives
each endpoint on loopback with a bounded open-loop load generator: requests leave on a fixed
schedule (latency counts from the scheduled time, so a slow server is not hidden by a waiting
client) over at most `--connections` keep-alive connections; a request due when all are busy is
counted as dropped. Prints p50/p95/p99 at `--rate` requests/s for `--seconds`, the highest rate
whose p99 stays under 50 ms, and beside them the same SQL statement run directly on the database
with psycopg2 (the floor) and the API's ratio to it. Goal: p99 < 10 ms at 500 requests/s for the
single-ticker and history endpoints, within 3x of the direct query.
Run: `.venv/bin/python benchmarks/api.py` (PostgreSQL at $IC_TEST_POSTGRES_URL, default
postgresql://postgres@127.0.0.1:5432/postgres).
"""

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import psycopg2
from sqlalchemy.dialects import postgresql

from ic_platform import settings
from ic_platform.api import queries
from ic_platform.api.process import serving
from ic_platform.serving import backup, store

GOAL_P99_MS, GOAL_RATIO, CEILING_P99_MS = 10.0, 3.0, 50.0
DATABASE = "ic_platform_api_benchmark"


def percentiles(latencies: list[float]) -> tuple[float, float, float]:
    """p50, p95 and p99 of latencies in seconds, in milliseconds."""
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000


async def fetch(connection, path: str) -> int:
    """One GET over a keep-alive HTTP/1.1 connection; the status."""
    reader, writer = connection
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
    )
    await reader.readexactly(length)
    return int(head.split(b" ", 2)[1])


async def drive(port: int, paths: list[str], rate: float, seconds: float, connections: int) -> dict:
    """Send `rate` requests/s for `seconds` (paths in turn); latencies, errors and drops."""
    idle, latencies = [], []
    errors = dropped = 0
    in_flight = 0

    async def one(path: str, due: float) -> None:
        nonlocal errors, in_flight
        reused = bool(idle)
        connection = idle.pop() if reused else await asyncio.open_connection("127.0.0.1", port)
        try:
            try:
                status = await fetch(connection, path)
            except asyncio.IncompleteReadError:
                if not reused:
                    raise
                # the server closed it after its keep-alive timeout: a new connection, as clients do
                connection[1].close()
                connection = await asyncio.open_connection("127.0.0.1", port)
                status = await fetch(connection, path)
            latencies.append(time.perf_counter() - due)
            errors += status >= 400
            idle.append(connection)
        except (OSError, asyncio.IncompleteReadError, StopIteration, ValueError):
            errors += 1
            connection[1].close()
        in_flight -= 1

    tasks, start = [], time.perf_counter()
    for index in range(int(rate * seconds)):
        due = start + index / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        if in_flight >= connections:
            dropped += 1
            continue
        in_flight += 1
        tasks.append(asyncio.create_task(one(paths[index % len(paths)], due)))
    await asyncio.gather(*tasks)
    for _, writer in idle:
        writer.close()
    return {"latencies": latencies, "errors": errors, "dropped": dropped}


def load(port: int, paths: list[str], rate: float, seconds: float, connections: int) -> dict:
    return asyncio.run(drive(port, paths, rate, seconds, connections))


def highest_rate(port: int, paths: list[str], connections: int, step_seconds: float) -> int:
    """The highest of 500, 1000, 1500, ... requests/s whose p99 stays under 50 ms with nothing
    dropped and no error (0 when even 500 does not)."""
    best, rate = 0, 500
    while True:
        result = load(port, paths, rate, step_seconds, connections)
        if result["dropped"] or result["errors"] or percentiles(result["latencies"])[2] >= CEILING_P99_MS:
            return best
        best, rate = rate, rate + 500


def direct(cursor, requests: list[list[tuple[str, dict]]], repeats: int) -> tuple[float, float, float]:
    """p50/p95/p99 of the requests' statements (each request's in a row) run on the database with psycopg2."""
    latencies = []
    for index in range(repeats):
        began = time.perf_counter()
        for sql, parameters in requests[index % len(requests)]:
            cursor.execute(sql, parameters)
            cursor.fetchall()
        latencies.append(time.perf_counter() - began)
    return percentiles(latencies)


def compiled(statement) -> tuple[str, dict]:
    """A SQLAlchemy statement as psycopg2's SQL and parameters."""
    query = statement.compile(dialect=postgresql.psycopg2.dialect())
    return str(query), query.params


def endpoints(tickers: list[str]) -> dict:
    """Each endpoint's request paths and, per request, the SQL statements the API runs for it."""
    screen = {"value": 60, "growth": 50}
    return {
        "ticker": (
            [f"/api/scores/{ticker}" for ticker in tickers],
            [[compiled(queries.score_query(ticker))] for ticker in tickers],
        ),
        "history?days=90": (
            [f"/api/scores/{ticker}/history?days=90" for ticker in tickers],
            [[compiled(queries.history_query(ticker, 90))] for ticker in tickers],
        ),
        "top?limit=50": (["/api/scores/top?limit=50"], [[compiled(queries.best_query({}, None, 1, 50))]]),
        "screener": (
            ["/api/scores/screener?min_value=60&min_growth=50&limit=100"],
            [[compiled(queries.best_query(screen, None, 1, 100))]],
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=500, help="requests/s of the fixed-rate run (default 500)")
    parser.add_argument("--seconds", type=float, default=20, help="length of the fixed-rate run (default 20)")
    parser.add_argument("--step-seconds", type=float, default=5, help="length of each step of the rate search")
    parser.add_argument("--workers", type=int, default=3, help="uvicorn workers, as docker/compose.yaml runs it")
    parser.add_argument("--connections", type=int, default=64, help="the load generator's connection bound")
    args = parser.parse_args()

    sqlite = store.engine(f"sqlite:///{settings.current().data_root() / 'serving.sqlite'}")
    admin_url = urlparse(os.environ.get("IC_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    admin = psycopg2.connect(admin_url.geturl())
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{DATABASE}"')
    url = admin_url._replace(path=f"/{DATABASE}").geturl()
    try:
        postgres = store.engine(url)
        with tempfile.TemporaryDirectory() as folder:
            copy = Path(folder) / "demo.serving.zip"
            rows = backup.backup(sqlite, copy)["rows"]
            backup.restore(postgres, copy)
        settle = psycopg2.connect(url)  # vacuum and analyze the fresh table now, not autovacuum under load
        settle.autocommit = True
        settle.cursor().execute("VACUUM ANALYZE")
        settle.close()
        reads = queries.ScoreQueries(postgres)
        tickers = [row.ticker for row in reads.best_of_latest_day({}, None, 1, 10_000)[1]]
        random.Random(7).shuffle(tickers)
        print(f"API benchmark: {rows['scores']:,} scores of {len(tickers)} companies in PostgreSQL,")
        print(
            f"ic-platform serve --workers {args.workers} --no-access-log on loopback, "
            f"{args.rate:.0f} requests/s for {args.seconds:.0f} s, at most {args.connections} connections"
        )
        print(
            f"{'endpoint':18} {'p50':>6} {'p95':>6} {'p99':>6} {'errors':>6} {'dropped':>7}"
            f" | {'direct p50':>10} {'p99':>6} | {'ratio p50':>9} {'p99':>5} | max rate (p99<50ms)"
        )
        plans = endpoints(tickers)
        connection = psycopg2.connect(url)
        with serving(url, workers=args.workers, options=("--no-access-log",)) as base:
            port = int(base.rsplit(":", 1)[1])
            for name, (paths, statements) in plans.items():
                load(port, paths, args.rate, 2, args.connections)  # warm the workers and their pools
                result = load(port, paths, args.rate, args.seconds, args.connections)
                p50, p95, p99 = percentiles(result["latencies"])
                with connection.cursor() as cursor:
                    d50, _, d99 = direct(cursor, statements, 5000)
                ceiling = highest_rate(port, paths, args.connections, args.step_seconds)
                time.sleep(3)  # let the server settle after the overload that ends the search
                verdict = "goal met" if p99 < GOAL_P99_MS and p99 / d99 < GOAL_RATIO else "goal not met"
                goal = f"  ({verdict})" if name in ("ticker", "history?days=90") else ""
                print(
                    f"{name:18} {p50:6.2f} {p95:6.2f} {p99:6.2f} {result['errors']:6} {result['dropped']:7}"
                    f" | {d50:10.2f} {d99:6.2f} | {p50 / d50:8.1f}x {p99 / d99:4.1f}x | {ceiling:,}/s{goal}"
                )
        connection.close()
        postgres.dispose()
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    main()
