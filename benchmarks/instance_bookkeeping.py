"""Recording partitions on the embedded SQLite instance: Dagster's own SQLite event log (the
baseline) against the project's, which writes a range run's partition materializations a batch
at a time (`ic_platform/event_storage.py`), measured in the same script.

Two workloads, each run twice over the same window, once per event log, each time on a fresh
instance and a fresh data folder (nothing read incrementally, no cache): the default demo
(generated once) and, when `../shared/data/real` is present, the 5-year archive run of the real
sample files laid out as docs/operations.md's first real run does (2013-02-11 to 2018-02-07).
Each workload runs in a child process (the sources' modes are fixed when the definitions load).
Prints per run the wall time, the time spent in the event log's store calls and its share, and
the ratio of the two runs' wall times against the goal (at least 2x).
Run: `.venv/bin/python benchmarks/instance_bookkeeping.py [--workload demo|real]`.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "data" / "real"
GOAL_RATIO = 2.0
STORAGES = {  # the event log of each run's instance, with Dagster's layout under {home}
    "dagster": "storage:\n  sqlite:\n    base_dir: {home}\n",
    "batched": (ROOT / "dagster.yaml").read_text().replace(" .dagster_home", " {home}"),
}
REAL_WINDOW = ("2013-02-11", "2018-02-07")


def child(workload: str, start: str, end: str, work: Path) -> None:
    """Run the window once per event log in this process; print one JSON line per run."""
    import dagster as dg

    from ic_platform.definitions import defs
    from ic_platform.runner import materialize_window
    from ic_platform.trading_days import trading_days_between

    spent = {"seconds": 0.0, "depth": 0}

    def timed(method):
        def wrapper(self, *args, **kwargs):
            spent["depth"] += 1
            began = time.perf_counter()
            try:
                return method(self, *args, **kwargs)
            finally:
                spent["depth"] -= 1
                if spent["depth"] == 0:  # the outermost store call only
                    spent["seconds"] += time.perf_counter() - began

        return wrapper

    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

    from ic_platform.event_storage import BatchedSqliteEventLogStorage

    for cls in (SqliteEventLogStorage, BatchedSqliteEventLogStorage):
        for name in ("store_event", "store_event_batch"):
            if name in vars(cls):
                setattr(cls, name, timed(vars(cls)[name]))
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    days = len(trading_days_between(first, last))
    for storage, configuration in STORAGES.items():
        home, data = work / f"home_{storage}", work / f"data_{storage}"
        home.mkdir()
        data.mkdir()
        if (work / "demo").exists():
            (data / "demo").symlink_to(work / "demo")
        (home / "dagster.yaml").write_text(configuration.format(home=home))
        os.environ["IC_DATA_DIR"] = str(data)
        spent["seconds"] = 0.0
        began = time.perf_counter()
        with dg.DagsterInstance.from_config(str(home)) as instance:
            result = materialize_window(defs, first, last, instance, progress=False)
        wall = time.perf_counter() - began
        print(
            json.dumps(
                {"workload": workload, "storage": storage, "days": days, "success": result.success}
                | {"wall_s": round(wall, 1), "event_log_s": round(spent["seconds"], 1)}
            ),
            flush=True,
        )


def real_environment(work: Path) -> dict[str, str]:
    """The first real run's variables, its files laid out under `work` by the docs' own commands."""
    text = (ROOT / "docs" / "operations.md").read_text()
    recipe = text[text.index("## A first real run") :].split("```bash\n", 1)[1].split("```", 1)[0]
    lines = [line for line in recipe.splitlines() if "ic-platform run" not in line]
    script = "\n".join(lines) + '\nenv -0 > "$IC_WORK/environment"\n'
    subprocess.run(
        ["bash", "-ec", script], cwd=ROOT, env=os.environ | {"IC_WORK": str(work), "REAL": str(REAL)}, check=True
    )
    pairs = (item.split("=", 1) for item in (work / "environment").read_text().split("\0") if "=" in item)
    return {k: v for k, v in pairs if k.startswith("IC_") and k not in ("IC_DATA_DIR", "IC_WORK")}


def measure(workload: str, start: str, end: str, work: Path, environment: dict[str, str]) -> list[dict]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", workload, "--start", start, "--end", end, "--work", str(work)],
        env={k: v for k, v in os.environ.items() if not k.startswith(("IC_", "DAGSTER_HOME"))} | environment,
        capture_output=True,
        text=True,
        check=False,
    )
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or len(rows) != len(STORAGES):
        sys.exit(f"{workload} failed:\n{done.stderr[-3000:]}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", choices=("demo", "real"), action="append")
    parser.add_argument("--child")
    parser.add_argument("--start")
    parser.add_argument("--end")
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.start, args.end, args.work)
        return
    workloads = args.workload or (["demo", "real"] if REAL.exists() else ["demo"])
    results = []
    with tempfile.TemporaryDirectory(prefix="ic_bookkeeping_") as folder:
        work = Path(folder)
        if "demo" in workloads:
            from ic_platform.demo.generator import DemoOptions, generate

            manifest = generate(work / "demo_work" / "demo", DemoOptions())
            print(f"demo: {manifest['companies']} companies, {manifest['trading_days']} trading days", flush=True)
            results += measure("demo", manifest["first_day"], manifest["last_day"], work / "demo_work", {})
        if "real" in workloads:
            real = work / "real_work"
            real.mkdir()
            results += measure("real", *REAL_WINDOW, real, real_environment(real / "files"))
    print(f"\n{'workload':<9}{'event log':<11}{'days':>6}{'wall s':>9}{'event log s':>13}{'share':>8}")
    for row in results:
        share = row["event_log_s"] / row["wall_s"]
        print(
            f"{row['workload']:<9}{row['storage']:<11}{row['days']:>6}{row['wall_s']:>9.1f}"
            f"{row['event_log_s']:>13.1f}{share:>8.0%}"
        )
    for workload in dict.fromkeys(row["workload"] for row in results):
        base, batched = (next(r for r in results if r["workload"] == workload and r["storage"] == s) for s in STORAGES)
        ratio = base["wall_s"] / batched["wall_s"]
        verdict = "met" if ratio >= GOAL_RATIO else "NOT met"
        print(f"{workload}: {ratio:.2f}x faster with the batched event log (goal {GOAL_RATIO:.0f}x: {verdict})")


if __name__ == "__main__":
    main()
