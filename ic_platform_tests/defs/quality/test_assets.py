from datetime import date

import dagster as dg
import numpy as np
import polars as pl

from ic_platform.defs.partitions import RANGE_END_TAG, RANGE_START_TAG
from ic_platform.defs.quality.assets import data_quality, quality_within_bounds
from ic_platform.defs.stores import TableStore
from ic_platform.schemas.common import frame_of
from ic_platform.schemas.market import DailyBar
from ic_platform.storage import quarantine_table
from ic_platform.tables import DAILY_BARS, DATA_QUALITY
from ic_platform.trading_days import last_trading_days

DAYS = last_trading_days(date(2026, 10, 30), 70)
SHIFTED = DAYS[-2]  # every close is three times higher on this day


def _bars() -> pl.DataFrame:
    rng = np.random.default_rng(5)
    levels = np.exp(rng.normal(3, 0.5, size=200))  # each ticker's price level, moving a little a day
    rows = []
    for day in DAYS:
        for k in range(200):
            close = float(levels[k] * np.exp(rng.normal(0, 0.02))) * (3 if day == SHIFTED else 1)
            rows.append(
                {
                    "date": day,
                    "ticker": f"T{k:03d}",
                    "open": close,
                    "high": close,
                    "low": close,
                    "close": close,
                    "volume": 1000.0,
                    "vwap": close,
                    "transactions": 10,
                }
            )
    return frame_of(DailyBar, rows)


def test_the_report_finds_a_planted_shift_and_the_check_warns(data_dir):
    quarantined = pl.DataFrame(
        {"date": [DAYS[-1]], "source": ["grouped"], "record": ["{}"], "reason": ["close: -1.0 fails greater_than(0)"]}
    )
    DAILY_BARS.write(_bars(), DAYS[0], DAYS[-1], quarantined=quarantined)
    instance = dg.DagsterInstance.ephemeral()
    tags = {RANGE_START_TAG: DAYS[-5].isoformat(), RANGE_END_TAG: DAYS[-1].isoformat()}
    result = dg.materialize(
        [data_quality, quality_within_bounds], instance=instance, tags=tags, resources={"table_store": TableStore()}
    )
    assert result.success

    report = DATA_QUALITY.scan().collect()
    psi = report.filter((pl.col("table") == "daily_bars") & (pl.col("column") == "close") & (pl.col("metric") == "psi"))
    by_day = dict(psi.select("date", "value").rows())
    assert by_day[SHIFTED] > 1 and all(v < 0.1 for day, v in by_day.items() if day != SHIFTED)
    reasons = report.filter(pl.col("metric") == "quarantined").select("date", "table", "detail", "value").rows()
    assert reasons == [(DAYS[-1], "daily_bars", "close: # fails greater_than(#)", 1.0)]
    assert quarantine_table(DAILY_BARS).scan().collect().height == 1

    (check,) = result.get_asset_check_evaluations()
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    examples = check.metadata["examples"].value.records
    assert {(r.data["column"], r.data["metric"]) for r in examples} >= {("close", "psi")}
    assert check.metadata["measures_out_of_bounds"].value >= 400  # the jumps below warn too
    jumps = report.filter(pl.col("metric") == "unexplained_jump")
    # every close tripled on the shifted day and fell back the day after, with no action to explain it
    assert jumps.group_by("date").len().sort("date").rows() == [(SHIFTED, 200), (DAYS[-1], 200)]
    assert jumps.filter(pl.col("date") == SHIFTED).get_column("value").is_between(2.5, 3.5).all()

    events = instance.fetch_materializations(dg.AssetKey("data_quality"), limit=10).records
    previews = {e.partition_key: e.asset_materialization.metadata["preview"].value.records for e in events}
    assert previews[SHIFTED.isoformat()][0].data["metric"] in ("psi", "unexplained_jump")  # what warns, first
