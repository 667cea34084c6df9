"""A new trading day on a universe already built, at full scale, against the full backfill.

Generates the demo universe (5,000 companies x 10 years by default) with its last trading day held
back, backfills every asset over the published days in one run (the baseline, measured in the same
script), publishes the held-back day in the sources' formats (its bars, the 10-Qs, Form 4s, 13Fs,
articles, ratings and dividends it brings, and its daily form index: `ic-platform advance-demo`),
then runs what the daily automation runs for it: the `demo_new_days` sensor's run over the new day
(every asset but the weekly score evaluation).
Reports each run's wall time and peak memory (of the run and its worker processes together), the
new day's slowest steps, and the ratios against the goals: the new day under 2 minutes and under
1/20 of the full backfill, the full backfill under 10 minutes and 8 GiB.
Both runs use the instance of `--instance` (as `benchmarks/full_backfill.py`: the production
instance on PostgreSQL by default, or `memory`) and the configured serving database.
Run: `.venv/bin/python benchmarks/daily_run.py` (`--companies 500 --years 2` for a quick look).
`--data-dir DIR` may name a folder whose demo was generated with its last day held back and never
run (`ic-platform generate-demo --companies 5000 --years 10 --hold-back 1 --out DIR/demo`, or a
copy of one): the benchmark then starts from it instead of generating the universe again.
"""

import json
import re
import sys
import time
from pathlib import Path

from full_backfill import GOAL_GIB, GOAL_SECONDS, RUN, instance_environment, run_window, universe_arguments

from ic_platform import settings

# the run demo_new_days requests for a new day: every asset but the weekly score evaluation
NEW_DAY_RUN = RUN.replace(
    "from ic_platform.runner import materialize_window",
    "from ic_platform.defs.automation import new_day_selection\nfrom ic_platform.runner import materialize_window",
).replace("progress=True)", "progress=True, selection=new_day_selection(defs.get_repository_def()))")

DAY_GOAL_SECONDS, DAY_GOAL_SHARE = 120, 1 / 20
STEP_LINE = re.compile(r"^\[\s*(?P<at>[\d.]+)s\] (?P<step>\S+)\s+(?P<event>started|done)", re.MULTILINE)


def slowest_steps(log: Path, count: int = 8) -> str:
    """The run's slowest steps, from the start and finish lines of its progress log."""
    started, took = {}, {}
    for line in STEP_LINE.finditer(log.read_text()):
        if line["event"] == "started":
            started[line["step"]] = float(line["at"])
        elif line["step"] in started:
            took[line["step"]] = float(line["at"]) - started[line["step"]]
    return ", ".join(f"{step} {seconds:.1f}" for step, seconds in sorted(took.items(), key=lambda s: -s[1])[:count])


def main() -> None:
    args, data_dir = universe_arguments(
        __doc__.splitlines()[0], "keep the data folder here (empty, or holding a demo never run)", "ic_daily_"
    )
    from ic_platform.demo.generator import DemoOptions, generate
    from ic_platform.demo.publish import advance

    manifest_path = data_dir / "demo" / "manifest.json"
    if manifest_path.exists():  # a universe generated before: its held-back day must still be new
        manifest = json.loads(manifest_path.read_text())
        if (data_dir / "tables").exists() or manifest["last_day"] >= manifest["simulated_through"]:
            sys.exit(f"{data_dir} holds a demo already run or with no day held back: the new day must be new")
        print(f"the universe generated in {data_dir / 'demo'}")
    else:
        started = time.perf_counter()
        manifest = generate(data_dir / "demo", DemoOptions(companies=args.companies, years=args.years, hold_back=1))
        print(f"generated {args.companies:,} companies x {args.years} years in {time.perf_counter() - started:.0f} s")
    first, last = manifest["first_day"], manifest["last_day"]
    with instance_environment(args, data_dir) as environment:
        full_seconds, full_gib = run_window(data_dir, first, last, environment=environment)
        published = advance(data_dir / "demo")
        new_day = published["last_day"]
        day_seconds, day_gib = run_window(data_dir, new_day, new_day, NEW_DAY_RUN, environment)
    bars = json.loads((data_dir / "demo" / "polygon" / "grouped" / f"{new_day}.json").read_text())["resultsCount"]
    serving = settings.current().serving_url.split(":")[0] or "sqlite (the default)"
    print(f"Dagster instance: {args.instance} (both runs); serving database: {serving}")
    print(
        f"universe: {manifest['companies']:,} companies, {manifest['trading_days']:,} trading days "
        f"({first} to {last}) built by one backfill; then {new_day} published ({bars:,} bars)"
    )
    print(
        f"full backfill: {full_seconds:,.0f} s, peak {full_gib:.1f} GiB "
        f"({full_seconds / GOAL_SECONDS:.2f} of the 10-minute goal, {full_gib / GOAL_GIB:.2f} of the 8 GiB goal)"
    )
    print(
        f"new day: {day_seconds:,.1f} s, peak {day_gib:.1f} GiB: {day_seconds / full_seconds:.3f} of the full "
        f"backfill (goal {DAY_GOAL_SHARE:.3f}), {day_seconds / DAY_GOAL_SECONDS:.2f} of the 2-minute goal"
    )
    print(f"new day's slowest steps (s): {slowest_steps(data_dir / f'run_{new_day}_{new_day}.log')}")


if __name__ == "__main__":
    main()
