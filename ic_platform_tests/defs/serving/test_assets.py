import dagster as dg
import pytest
import sqlalchemy as sa

from ic_platform.definitions import defs
from ic_platform.defs.serving import assets as serving_assets
from ic_platform.defs.serving.assets import serving_scores
from ic_platform.runner import materialize_window
from ic_platform.serving import store
from ic_platform.tables import IC_SCORES
from ic_platform_tests.defs.checking import check_results
from ic_platform_tests.defs.market.test_assets import demo_days


@pytest.mark.slow
def test_the_graph_fills_the_serving_database_and_the_check_compares_it_row_by_row(demo_data_dir, monkeypatch):
    days = demo_days(demo_data_dir)[-5:]
    instance = dg.DagsterInstance.ephemeral()
    result = materialize_window(defs, days[0], days[-1], instance, progress=False)
    assert result.success
    [check] = [c for c in result.get_asset_check_evaluations() if c.check_name == "serving_matches_scores"]
    assert check.passed and check.metadata["rows_served"].value == IC_SCORES.scan().collect().height > 0
    served = store.window_rows(store.engine())
    assert served.equals(store.score_rows(IC_SCORES.scan().collect()).sort("date", "ticker"))
    assert materialize_window(defs, days[-1], days[-1], instance, progress=False).success  # a re-run
    assert store.window_rows(store.engine()).equals(served)  # no duplicates
    with store.engine().begin() as connection:  # a row lost from the database
        connection.execute(sa.delete(store.scores).where(store.scores.c.ticker == served["ticker"][0]))
    check = check_results(serving_scores, days)["serving_matches_scores"]
    lost = served.filter(served["ticker"] == served["ticker"][0]).height
    assert not check.passed and check.metadata["missing"].value == lost
    # a long window is compared a few tickers at a time: a row of a ticker ic_scores lacks, a changed score
    monkeypatch.setattr(serving_assets, "CHECK_ROWS", 7)
    changed = served.filter(served["ticker"] != served["ticker"][0]).row(0, named=True)
    with store.engine().begin() as connection:
        connection.execute(sa.insert(store.scores).values(**(changed | {"ticker": "ZZZZ"})))
        connection.execute(
            sa.update(store.scores)
            .where(store.scores.c.ticker == changed["ticker"], store.scores.c.date == changed["date"])
            .values(overall_score=changed["overall_score"] % 100 + 1)
        )
    check = check_results(serving_scores, days)["serving_matches_scores"]
    found = {name: check.metadata[name].value for name in ("missing", "extra", "differing")}
    assert not check.passed and found == {"missing": lost, "extra": 1, "differing": 1}
