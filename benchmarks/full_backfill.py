"""A backfill of every asset over the whole demo range in one run, at full scale.

Generates the demo universe (5,000 companies x 10 years by default) unless --data-dir already holds
it, materializes the whole graph over all its trading days in one run (a single-run range backfill)
in a child process, and reports wall time and peak memory against the goal (10 minutes, 8 GiB on
2 cores) and against the baseline of the same graph run one partition at a time (one day measured
in the same run, times the number of days). Run: `.venv/bin/python benchmarks/full_backfill.py`.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_SECONDS, GOAL_GIB = 600, 8.0
RUN = """
import sys, warnings
from datetime import date
import dagster as dg
warnings.filterwarnings("ignore", category=dg.BetaWarning)
from ic_platform.definitions import defs
from ic_platform.runner import materialize_window
with dg.DagsterInstance.ephemeral() as instance:
    result = materialize_window(defs, date.fromisoformat(sys.argv[1]), date.fromisoformat(sys.argv[2]), instance, progress=True)
sys.exit(0 if result.success else 1)
"""


def run_window(data_dir: Path, start: str, end: str) -> tuple[float, float]:
    """Wall seconds and peak GiB of one run over start..end in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    log = data_dir / f"run_{start}_{end}.log"  # the run's progress lines, with peak memory after each step
    with log.open("w") as stream:
        completed = subprocess.run([sys.executable, "-c", RUN, start, end], env=os.environ | {"IC_DATA_DIR": str(data_dir)}, stderr=stream, text=True)
    elapsed = time.perf_counter() - started
    if completed.returncode:
        sys.exit(f"the run {start}..{end} failed:\n{log.read_text()[-3000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=5000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--data-dir", type=Path, help="reuse (or keep) the data folder here")
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="ic_backfill_"))
    manifest_path = data_dir / "demo" / "manifest.json"
    if not manifest_path.exists():
        from ic_platform.demo.generator import DemoOptions, generate

        started = time.perf_counter()
        generate(data_dir / "demo", DemoOptions(companies=args.companies, years=args.years))
        print(f"generated {args.companies:,} companies x {args.years} years in {time.perf_counter() - started:.0f} s")
    manifest = json.loads(manifest_path.read_text())
    first, last, days = manifest["first_day"], manifest["last_day"], manifest["trading_days"]
    seconds, gib = run_window(data_dir, first, last)
    one_day, _ = run_window(data_dir, last, last)
    print(f"universe: {manifest['companies']:,} companies, {days:,} trading days ({first} to {last}), {manifest['bars']:,} bars")
    print(f"single-run backfill of every asset: {seconds:,.0f} s, peak {gib:.1f} GiB "
          f"({seconds / GOAL_SECONDS:.2f} of the 10-minute goal, {gib / GOAL_GIB:.2f} of the 8 GiB goal)")
    print(f"one partition: {one_day:.1f} s; partition by partition would take ~{one_day * days:,.0f} s: the single run is {one_day * days / seconds:.1f}x faster")


if __name__ == "__main__":
    main()
