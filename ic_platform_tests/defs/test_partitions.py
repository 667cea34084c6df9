import json
import os
import subprocess
import sys
from datetime import date

import pytest

from ic_platform.defs.partitions import TRADING_DAY_PARTITIONS


def test_partitions_are_weekdays_without_exchange_holidays():
    keys = set(TRADING_DAY_PARTITIONS.get_partition_keys())
    assert {"2024-07-03", "2024-07-05", "2024-12-31"} <= keys
    # Independence Day, Thanksgiving, Christmas, and the 2025-01-09 closure for President Carter's funeral.
    assert not {"2024-07-04", "2024-11-28", "2024-12-25", "2025-01-09"} & keys
    assert all(date.fromisoformat(k).weekday() < 5 for k in keys)


def _partition(env: dict, which: str = "first") -> str:
    """The first or last partition key of the definitions loaded with `env`."""
    code = f"from ic_platform.defs.partitions import TRADING_DAY_PARTITIONS as P; print(P.get_{which}_partition_key())"
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return run.stdout.strip()


def _first_partition(env: dict) -> str:
    return _partition(env)


@pytest.mark.slow
def test_the_partitions_start_where_the_demo_starts_unless_a_start_is_set(demo_data_dir):
    env = {k: v for k, v in os.environ.items() if k != "IC_PARTITIONS_START"}
    first_day = json.loads((demo_data_dir / "demo" / "manifest.json").read_text())["first_day"]
    assert _first_partition(env | {"IC_SOURCE_MODE": "demo"}) == first_day
    assert _first_partition(env | {"IC_SOURCE_MODE": "live"}) == "2010-01-04"
    assert _first_partition(env | {"IC_PARTITIONS_START": "2020-01-02"}) == "2020-01-02"


@pytest.mark.slow
def test_the_excluded_holidays_start_with_the_partitions():
    code = (
        "from ic_platform.defs.partitions import TRADING_DAY_PARTITIONS as P; "
        "print(min(e.timestamp for e in P.exclusions), len(P.get_partition_keys()))"
    )
    env = os.environ | {"IC_PARTITIONS_START": "2020-01-02"}
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    first_exclusion, keys = run.stdout.split()
    assert date.fromtimestamp(float(first_exclusion)) >= date(2020, 1, 2)
    # the same trading days from the start as with every holiday since 2010 excluded
    assert int(keys) == len([k for k in TRADING_DAY_PARTITIONS.get_partition_keys() if k >= "2020-01-02"])


@pytest.mark.slow
def test_in_demo_mode_the_partitions_end_on_the_demos_last_simulated_day(demo_data_dir, tmp_path):
    """No daily asset lists days the demo cannot have as missing; held-back days are listed, as
    advance-demo publishes them."""
    env = {k: v for k, v in os.environ.items() if k != "IC_PARTITIONS_START"}
    manifest_path = demo_data_dir / "demo" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    assert _partition(env | {"IC_SOURCE_MODE": "demo"}, "last") == manifest["last_day"]
    held_back = manifest | {"last_day": "2026-10-28", "simulated_through": manifest["last_day"]}
    manifest_path.write_text(json.dumps(held_back))
    assert _partition(env | {"IC_SOURCE_MODE": "demo"}, "last") == manifest["last_day"]
    assert _partition(env | {"IC_SOURCE_MODE": "live"}, "last") > manifest["last_day"]  # live: on to today
