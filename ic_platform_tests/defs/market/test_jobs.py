import json

import dagster as dg
import polars as pl

from ic_platform.defs.market.assets import daily_bars
from ic_platform.defs.market.checks import no_missing_ticker_days
from ic_platform.defs.market.jobs import repair_daily_bar_gaps
from ic_platform.defs.resources import MarketDataSource
from ic_platform.defs.stores import TableStore
from ic_platform.features.bar_gaps import find_gaps
from ic_platform.tables import DAILY_BARS
from ic_platform_tests.defs.features.test_assets import run_range
from ic_platform_tests.defs.market.test_assets import demo_days
from ic_platform_tests.local_server import LocalServer, Reply


def test_the_gap_check_warns_and_the_repair_job_refetches_through_the_per_ticker_endpoint(demo_data_dir, tmp_path):
    days = demo_days(demo_data_dir)[:40]
    grouped = demo_data_dir / "demo" / "polygon" / "grouped"
    removed = []
    for day in days[10:13]:  # the source lost a ticker on three days
        path = grouped / f"{day.isoformat()}.json"
        document = json.loads(path.read_text())
        removed.append(next(r for r in document["results"] if r["T"] == document["results"][0]["T"]))
        document["results"] = document["results"][1:]
        path.write_text(json.dumps(document))
    ticker = removed[0]["T"]
    result = run_range([daily_bars, no_missing_ticker_days], days[0], days[-1])
    [evaluation] = result.get_asset_check_evaluations()
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
    gaps = find_gaps(DAILY_BARS.scan(), days)
    assert gaps.filter(pl.col("ticker") == ticker).height == 3

    with LocalServer() as server:
        # the per-ticker endpoint has the three bars (and nothing for the other tickers' gaps)
        server.routes[f"/v2/aggs/ticker/{ticker}/range/1/day/{days[10]}/{days[12]}"] = [
            Reply(
                json.dumps({"status": "OK", "ticker": ticker, "results": [dict(r, t=r["t"]) for r in removed]}).encode()
            )
        ]
        for other in gaps.filter(pl.col("ticker") != ticker).get_column("ticker").unique():
            span = gaps.filter(pl.col("ticker") == other).get_column("date")
            server.routes[f"/v2/aggs/ticker/{other}/range/1/day/{span.min()}/{span.max()}"] = [
                Reply(b'{"status": "OK", "results": []}')
            ]
        server.routes["/v3/reference/splits"] = [Reply(b'{"status": "OK", "results": []}')]
        server.routes["/v3/reference/dividends"] = [Reply(b'{"status": "OK", "results": []}')]
        live = MarketDataSource(mode="live", base_url=server.url, api_key="k", cache_dir=str(tmp_path / "cache"))
        outcome = repair_daily_bar_gaps.execute_in_process(resources={"table_store": TableStore(), "market_data": live})
    assert outcome.success
    assert find_gaps(DAILY_BARS.scan(), days).filter(pl.col("ticker") == ticker).is_empty()
    repaired = DAILY_BARS.scan(days[10], days[12]).filter(pl.col("ticker") == ticker).collect()
    assert repaired.get_column("close").to_list() == [r["c"] for r in removed]
