import time

import pytest

from ic_platform.sources.http import HttpClient, HttpError, RateLimiter
from ic_platform_tests.local_server import LocalServer, Reply


@pytest.fixture
def server():
    with LocalServer() as running:
        yield running


def fast_client(server, **options):
    return HttpClient(server.url, backoff_seconds=0.01, max_backoff_seconds=0.05, **options)


def test_the_rate_never_exceeds_the_limit(server):
    server.routes["/x"] = [Reply(b"ok")]
    with HttpClient(server.url, max_per_second=10) as client:
        for _ in range(25):
            client.get("/x")
    times = [t for t, _, _ in server.requests]
    assert len(times) == 25
    assert max(sum(1 for u in times if t <= u < t + 1.0) for t in times) <= 10
    assert times[-1] - times[0] >= 2.0  # 25 requests at 10/s take at least two seconds


def test_the_rate_limiter_counts_a_sliding_second():
    clock = [0.0]
    limiter = RateLimiter(
        2, window_seconds=1.0, clock=lambda: clock[0], sleep=lambda s: clock.__setitem__(0, clock[0] + s)
    )
    for _ in range(5):
        limiter.acquire()
    assert 2.0 <= clock[0] < 2.1


def test_recovers_from_429_503_timeouts_and_truncated_bodies(server):
    body = b'{"complete": true, "padding": "' + b"x" * 200 + b'"}'
    server.routes["/flaky"] = [
        Reply(status=429, headers={"Retry-After": "0.2"}),
        Reply(status=503),
        Reply(body, delay=1.5),  # slower than the client's timeout
        Reply(body, truncate_to=40),
        Reply(body),
    ]
    started = time.monotonic()
    with fast_client(server, timeout_seconds=0.5) as client:
        assert client.get("/flaky") == body
    assert len(server.requests) == 5
    assert time.monotonic() - started >= 0.2  # Retry-After was honoured


def test_gives_up_with_a_clear_error_and_does_not_retry_a_404(server):
    server.routes["/down"] = [Reply(status=503)]
    with fast_client(server, attempts=3) as client:
        with pytest.raises(HttpError, match=r"GET .*/down failed after 3 attempts: HTTP 503"):
            client.get("/down")
        with pytest.raises(HttpError, match="HTTP 404") as error:
            client.get("/missing")
    assert error.value.status == 404
    assert server.paths().count("/missing") == 1


def test_cache_hits_make_no_request_and_stale_entries_revalidate(server, tmp_path):
    server.routes["/doc"] = [Reply(b"v1", headers={"ETag": '"abc"'}), Reply(b"", status=304)]
    with fast_client(server, cache_dir=tmp_path) as client:
        assert client.get("/doc") == b"v1"
        assert client.get("/doc") == b"v1"
        assert len(server.requests) == 1  # the second was a cache hit
        assert client.get("/doc", max_age=0) == b"v1"  # stale: a conditional request, answered 304
    assert len(server.requests) == 2
    assert server.requests[1][2].get("If-None-Match") == '"abc"'
