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


def evaluated(data_dir, signal: str) -> pl.DataFrame:
    """The IC summary of the score and the growth factor on a 150-company, 2-year demo."""
    generate(data_dir / "demo", DemoOptions(companies=150, years=2, seed=3, signal=signal))
    manifest = json.loads((data_dir / "demo" / "manifest.json").read_text())
    start, end = date.fromisoformat(manifest["first_day"]), date.fromisoformat(manifest["last_day"])
    assert materialize_window(defs, start, end, dg.DagsterInstance.ephemeral(), progress=False).success
    joined = evaluation.with_forward_returns(
        IC_SCORES.scan().collect(), evaluation.forward_returns(adjusted(DAILY_BARS.scan()))
    )
    _, summary = evaluation.information_coefficients(joined, ["score", "growth"], min_names=10)
    return summary


@pytest.mark.parametrize("signal", ["revenue_growth", "none"])
def test_the_evaluation_finds_the_planted_signal_and_nothing_without_it(data_dir, signal):
    summary = evaluated(data_dir, signal)
    growth = summary.filter((pl.col("signal") == "growth") & (pl.col("horizon_days") == 21)).row(0, named=True)
    score_t = summary.filter(pl.col("signal") == "score").get_column("t_stat")
    if signal == "none":
        assert abs(growth["mean_ic"]) < 0.03
        assert score_t.len() == 4 and score_t.abs().max() < 2  # nothing, by its own t-statistic, at every horizon
    else:
        assert growth["mean_ic"] > 0.05 and growth["t_stat"] > 2
