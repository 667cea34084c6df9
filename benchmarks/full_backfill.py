"""A backfill of every asset over the whole demo range in one run, at full scale.

Generates the demo universe (5,000 companies x 10 years by default) unless --data-dir already holds
it, materializes the whole graph over all its trading days in one run (a single-run range backfill)
in a child process, and reports wall time and peak memory (of the run and its worker processes
together) against the goal (10 minutes, 8 GiB on 2 cores) and against the baseline of the same
graph run one partition at a time (one day measured in the same run, times the number of days).
Runs on the production instance by default: Dagster's run and event storage in PostgreSQL
(`docker/dagster.yaml`) on the server of `--postgres`, in a database the script creates and drops;
`--instance memory` runs on Dagster's in-memory instance instead. The serving database is the
configured one (`$IC_SERVING_URL`, else SQLite in the data folder).
Run: `.venv/bin/python benchmarks/full_backfill.py`.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

GOAL_SECONDS, GOAL_GIB = 600, 8.0
RUN = """
import sys, warnings
from datetime import date
import dagster as dg
warnings.filterwarnings("ignore", category=dg.BetaWarning)
from ic_platform import settings
from ic_platform.definitions import defs
from ic_platform.memory import peak_memory_gib
from ic_platform.runner import materialize_window
home = settings.current().dagster_home
with dg.DagsterInstance.from_config(str(home)) if home else dg.DagsterInstance.ephemeral() as instance:
    start, end = date.fromisoformat(sys.argv[1]), date.fromisoformat(sys.argv[2])
    result = materialize_window(defs, start, end, instance, progress=True)
open(sys.argv[3], "w").write(str(peak_memory_gib()))
sys.exit(0 if result.success else 1)
"""


def tree_resident_gib(root: int) -> tuple[float, float]:
    """Resident memory now of a process and of all its descendants (worker processes) together, in
    GiB (Linux): (the process's own, the whole tree's)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:  # the parent pid is the second field after the command's closing parenthesis
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue  # the process has just ended
    tree, frontier = {root}, [root]
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier and pid not in tree]
        tree.update(children)
        frontier = children
    kib = {}
    for pid in tree:
        try:
            kib[pid] = int(Path(f"/proc/{pid}/status").read_text().split("VmRSS:")[1].split()[0])
        except (OSError, IndexError):
            continue
    return kib.get(root, 0) / 2**20, sum(kib.values()) / 2**20


INSTANCE_CONFIG = Path(__file__).parent.parent / "docker" / "dagster.yaml"  # the production instance
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


@contextmanager
def production_instance(server_url: str, data_dir: Path) -> Iterator[dict[str, str]]:
    """The environment of a run on the production instance (`docker/dagster.yaml`: PostgreSQL
    storage) in a new database on the server of `server_url`, dropped afterwards."""
    import psycopg2

    url = urlparse(server_url)
    server = {
        "host": url.hostname or "127.0.0.1",
        "port": url.port or 5432,
        "user": url.username or "postgres",
        "password": url.password or "",
    }
    admin = psycopg2.connect(dbname=url.path.lstrip("/") or "postgres", **server)
    admin.autocommit = True
    name = f"ic_benchmark_{uuid.uuid4().hex[:12]}"
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    home = data_dir / "dagster_home"
    home.mkdir(exist_ok=True)
    shutil.copy(INSTANCE_CONFIG, home / "dagster.yaml")
    try:
        yield {"DAGSTER_HOME": str(home)} | {
            f"DAGSTER_PG_{key.upper()}": str(value) for key, value in (server | {"db": name}).items()
        }
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@contextmanager
def instance_environment(args: argparse.Namespace, data_dir: Path) -> Iterator[dict[str, str]]:
    """The environment that selects the instance of `--instance` for the runs."""
    if args.instance == "memory":
        yield {}
    else:
        with production_instance(args.postgres, data_dir) as environment:
            yield environment


def run_window(
    data_dir: Path, start: str, end: str, script: str = RUN, environment: dict[str, str] | None = None
) -> tuple[float, float]:
    """Wall seconds and peak GiB of one run (`script`, given start, end and the peak file) over
    start..end in a fresh process, on the instance `environment` selects (none: in memory): the
    larger of the run's own high-water mark and the resident size of it and its workers together,
    sampled. Where the sampled peak was reached (seconds into the run, the run's own share, the
    workers' share) is printed, to read against the run's log."""
    started = time.perf_counter()
    log = data_dir / f"run_{start}_{end}.log"  # the run's progress lines, with peak memory after each step
    with log.open("w") as stream:
        peak_file = data_dir / f"run_{start}_{end}.peak"  # the run's own high-water mark, written at its end
        process = subprocess.Popen(
            [sys.executable, "-c", script, start, end, str(peak_file)],
            env={k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
            | {"IC_DATA_DIR": str(data_dir)}
            | (environment or {}),
            stderr=stream,
        )
        sampled, own_then, at = 0.0, 0.0, 0.0
        while process.poll() is None:
            own, tree = tree_resident_gib(process.pid)
            if tree > sampled:
                sampled, own_then, at = tree, own, time.perf_counter() - started
            time.sleep(0.5)
    elapsed = time.perf_counter() - started
    if process.returncode:
        sys.exit(f"the run {start}..{end} failed:\n{log.read_text()[-3000:]}")
    own_peak = float(peak_file.read_text())
    print(
        f"  run {start}..{end}: own high-water mark {own_peak:.1f} GiB; sampled peak {sampled:.1f} GiB "
        f"at {at:.0f} s (the run {own_then:.1f}, its workers {sampled - own_then:.1f}); log {log}"
    )
    return elapsed, max(sampled, own_peak)


def universe_arguments(description: str, data_dir_help: str, prefix: str) -> tuple[argparse.Namespace, Path]:
    """The benchmark's --companies, --years and --data-dir, and the data folder (a new temporary one
    when none is given)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--companies", type=int, default=5000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--data-dir", type=Path, help=data_dir_help)
    parser.add_argument(
        "--instance",
        choices=["postgres", "memory"],
        default="postgres",
        help="Dagster's storage for the runs: the production instance on PostgreSQL (default) or in memory",
    )
    parser.add_argument(
        "--postgres",
        default=DEFAULT_POSTGRES,
        help=f"the PostgreSQL server for --instance postgres ({DEFAULT_POSTGRES})",
    )
    args = parser.parse_args()
    return args, args.data_dir or Path(tempfile.mkdtemp(prefix=prefix))


def main() -> None:
    args, data_dir = universe_arguments(__doc__.splitlines()[0], "reuse (or keep) the data folder here", "ic_backfill_")
    manifest_path = data_dir / "demo" / "manifest.json"
    if not manifest_path.exists():
        from ic_platform.demo.generator import DemoOptions, generate

        started = time.perf_counter()
        generate(data_dir / "demo", DemoOptions(companies=args.companies, years=args.years))
        print(f"generated {args.companies:,} companies x {args.years} years in {time.perf_counter() - started:.0f} s")
    manifest = json.loads(manifest_path.read_text())
    first, last, days = manifest["first_day"], manifest["last_day"], manifest["trading_days"]
    with instance_environment(args, data_dir) as environment:
        seconds, gib = run_window(data_dir, first, last, environment=environment)
        one_day, _ = run_window(data_dir, last, last, environment=environment)
    print(f"Dagster instance: {args.instance}")
    print(
        f"universe: {manifest['companies']:,} companies, {days:,} trading days ({first} to {last}), "
        f"{manifest['bars']:,} bars"
    )
    print(
        f"single-run backfill of every asset: {seconds:,.0f} s, peak {gib:.1f} GiB "
        f"({seconds / GOAL_SECONDS:.2f} of the 10-minute goal, {gib / GOAL_GIB:.2f} of the 8 GiB goal)"
    )
    print(
        f"one partition: {one_day:.1f} s; partition by partition would take ~{one_day * days:,.0f} "
        f"s: the single run is {one_day * days / seconds:.1f}x faster"
    )


if __name__ == "__main__":
    main()
