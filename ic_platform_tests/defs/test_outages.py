import uuid

import dagster as dg
import pytest

from ic_platform.defs.outages import FetchTally, StaleBodies, within_failure_budget
from ic_platform.defs.policies import SOURCE_RETRIES
from ic_platform.sources.http import HttpClient
from ic_platform_tests.local_server import LocalServer, Reply


def test_failures_within_the_budget_are_listed_and_beyond_it_fail_the_step(monkeypatch):
    assert within_failure_budget("t", {}, 100, 0)["failed_items"] == 0
    assert within_failure_budget("t", {"a": "HTTP 503"}, 100, 0)["failed_item_list"].value == ["a"]
    with pytest.raises(dg.Failure, match=r"t: the source failed for 3 of 100 items \(3.0%, more than the 2%") as first:
        within_failure_budget("t", {"a": "x", "b": "x", "c": "x"}, 100, 0)
    with pytest.raises(dg.Failure) as last:
        within_failure_budget("t", {"a": "x", "b": "x", "c": "x"}, 100, SOURCE_RETRIES)
    assert first.value.allow_retries and not last.value.allow_retries  # the last attempt keeps its reason
    monkeypatch.setenv("IC_MAX_FAILED_SHARE", "0.05")
    assert within_failure_budget("t", {"a": "x", "b": "x", "c": "x"}, 100, 0)["failed_items"] == 3
    monkeypatch.setenv("IC_MAX_FAILED_SHARE", "lots")
    with pytest.raises(ValueError, match="IC_MAX_FAILED_SHARE='lots' is not a share"):
        within_failure_budget("t", {}, 1, 0)


def test_tallies_of_worker_processes_add_up():
    total = FetchTally(3, {"a": "x"})
    total.merge(FetchTally(2, {"b": "y"}))
    assert (total.listed, total.failures) == (5, {"a": "x", "b": "y"})


def test_a_step_lists_the_bodies_it_was_served_stale(tmp_path):
    with LocalServer() as server:
        server.routes["/doc"] = [Reply(b"{}"), Reply(status=503)]
        client = HttpClient(server.url, attempts=1, cache_dir=tmp_path, rate_group=f"test-{uuid.uuid4()}")
        client.get("/doc")
        stale = StaleBodies()
        assert stale.metadata() == {}
        client.get("/doc", max_age=0)
        metadata = stale.metadata()
    assert metadata["stale_bodies_served"] == 1 and metadata["stale_urls"].value == [f"{server.url}/doc"]
