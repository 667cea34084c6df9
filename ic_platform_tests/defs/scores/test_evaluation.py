import json
from datetime import date

import dagster as dg
import polars as pl
import pytest

from ic_platform.definitions import defs
from ic_platform.defs.inputs import adjusted
from ic_platform.demo.generator import DemoOptions, generate
from ic_platform.runner import materialize_window
from ic_platform.scoring import evaluation
from ic_platform.tables import DAILY_BARS, IC_SCORES

pytestmark = pytest.mark.slow  # the whole graph over a year, twice


def growth_ic(data_dir, signal: str) -> float:
    generate(data_dir / "demo", DemoOptions(companies=150, years=2, seed=3, signal=signal))
    manifest = json.loads((data_dir / "demo" / "manifest.json").read_text())
    start, end = date.fromisoformat(manifest["first_day"]), date.fromisoformat(manifest["last_day"])
    assert materialize_window(defs, start, end, dg.DagsterInstance.ephemeral(), progress=False).success
    joined = evaluation.with_forward_returns(
        IC_SCORES.scan().collect(), evaluation.forward_returns(adjusted(DAILY_BARS.scan()))
    )
    _, summary = evaluation.information_coefficients(joined, ["growth"])
    return summary.filter(pl.col("horizon_days") == 21).get_column("mean_ic").item()


@pytest.mark.parametrize("signal", ["revenue_growth", "none"])
def test_the_evaluation_finds_the_planted_signal_and_nothing_without_it(data_dir, signal):
    ic = growth_ic(data_dir, signal)
    if signal == "none":
        assert abs(ic) < 0.03
    else:
        assert ic > 0.05
