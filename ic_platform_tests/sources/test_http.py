import gzip
import time
import uuid

import pytest

from ic_platform.sources.documents import SourceFormatError, load_json
from ic_platform.sources.http import HttpClient, HttpError, RateLimiter, stale_served_mark, stale_served_since
from ic_platform_tests.local_server import LocalServer, Reply


@pytest.fixture
def server():
    with LocalServer() as running:
        yield running


def fast_client(server, **options):
    """A client with short backoff, and a rate group (limiter and circuit breaker) of its own."""
    options = {"rate_group": f"test-{uuid.uuid4()}", **options}
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


# The fault matrix: each fault ends in bounded time, as the client's own error or a good body,
# with nothing bad cached.

GOOD = b'{"good": true}'


@pytest.mark.parametrize(
    "retry_after, reason",
    [
        ("86400", "asks to retry after 86400 s"),
        ("1e400", "asks to retry after inf s"),
        ("Fri, 31 Dec 2099 23:59:59 GMT", "asks to retry after"),
    ],
)
def test_a_retry_after_beyond_the_limit_fails_at_once(server, retry_after, reason):
    server.routes["/busy"] = [Reply(status=429, headers={"Retry-After": retry_after})]
    started = time.monotonic()
    with fast_client(server) as client, pytest.raises(HttpError, match=reason):
        client.get("/busy")
    assert time.monotonic() - started < 2 and len(server.requests) == 1


def test_an_unreadable_retry_after_falls_back_to_the_backoff(server):
    server.routes["/busy"] = [Reply(status=503, headers={"Retry-After": "soon"}), Reply(GOOD)]
    with fast_client(server) as client:
        assert client.get("/busy") == GOOD


def test_a_trickling_server_is_cut_off_at_the_deadline(server):
    server.routes["/slow"] = [Reply(b"x" * 100, trickle=0.05)]
    started = time.monotonic()
    with fast_client(server, timeout_seconds=1, deadline_seconds=1) as client:
        with pytest.raises(HttpError, match="1 s deadline passed"):
            client.get("/slow")
    assert time.monotonic() - started < 2.5


def test_a_redirect_loop_fails_once_with_its_reason(server):
    server.routes["/loop"] = [Reply(b"", status=302, headers={"Location": "/loop"})]
    with fast_client(server) as client, pytest.raises(HttpError, match="redirect loop"):
        client.get("/loop")
    assert len(server.requests) == 11  # the first request and ten redirects, no retry


def test_a_truncated_or_corrupt_gzip_body_is_retried_and_never_cached(server, tmp_path):
    compressed = gzip.compress(GOOD * 50)
    gzipped = {"Content-Encoding": "gzip"}
    server.routes["/doc"] = [
        Reply(compressed[: len(compressed) // 2], headers=gzipped),  # Content-Length agrees with the cut body
        Reply(b"not gzip at all", headers=gzipped),
        Reply(compressed, headers=gzipped),
    ]
    with fast_client(server, cache_dir=tmp_path) as client:
        assert client.get("/doc") == GOOD * 50
    assert len(server.requests) == 3
    server.routes["/cut"] = [Reply(compressed[:30], headers=gzipped)]
    with fast_client(server, attempts=2, cache_dir=tmp_path) as client:
        with pytest.raises(HttpError, match="truncated gzip body"):
            client.get("/cut")
    assert len(list(tmp_path.rglob("*.body"))) == 1  # only the good one


def test_a_gzip_bomb_is_refused_before_it_fills_memory(server):
    bomb = gzip.compress(b"\0" * 20_000_000)  # 20 MB of zeros in about 20 KB
    server.routes["/bomb"] = [Reply(bomb, headers={"Content-Encoding": "gzip"})]
    with fast_client(server, max_body_bytes=1_000_000) as client:
        with pytest.raises(HttpError, match="decompresses to more than 1000000 bytes"):
            client.get("/bomb")
    assert len(server.requests) == 1


def test_a_body_the_parser_refuses_is_not_cached_and_a_bad_cache_entry_is_fetched_again(server, tmp_path):
    server.routes["/doc"] = [Reply(b'{"cut": '), Reply(GOOD)]
    with fast_client(server, cache_dir=tmp_path) as client:
        with pytest.raises(SourceFormatError, match="malformed JSON"):
            client.get("/doc", decode=lambda body: load_json(body, "doc"))
        assert client.get("/doc", decode=lambda body: load_json(body, "doc")) == {"good": True}
        [entry] = tmp_path.rglob("*.body")
        entry.write_bytes(b"{bad")  # an entry cached before bodies were checked
        assert client.get("/doc", decode=lambda body: load_json(body, "doc")) == {"good": True}
    assert len(server.requests) == 3


def test_a_source_that_keeps_failing_is_marked_down_and_calls_fail_fast(server, tmp_path):
    server.routes["/a"] = [Reply(status=503)]
    server.routes["/b"] = [Reply(GOOD)]
    with fast_client(server, attempts=2, breaker_threshold=2, breaker_cooldown_seconds=60) as client:
        for _ in range(2):
            with pytest.raises(HttpError, match="failed after 2 attempts"):
                client.get("/a")
        requests_before = len(server.requests)
        with pytest.raises(HttpError, match=r"not sent: the source is down after 2 failed requests .*HTTP 503"):
            client.get("/b")
        assert len(server.requests) == requests_before  # failed fast, nothing sent


def test_a_source_that_is_down_serves_its_cached_body_as_stale(server, tmp_path):
    server.routes["/doc"] = [Reply(GOOD), Reply(status=503)]
    with fast_client(server, attempts=2, cache_dir=tmp_path) as client:
        assert client.get("/doc") == GOOD
        mark = stale_served_mark()
        assert client.get("/doc", max_age=0) == GOOD  # the revalidation failed: the old body, marked stale
        assert stale_served_since(mark) == [f"{server.url}/doc"]


def test_clients_of_one_host_share_its_rate_limit(server):
    server.routes["/x"] = [Reply(b"ok")]
    group = f"test-{uuid.uuid4()}"
    first, second = (HttpClient(server.url, max_per_second=5, rate_group=group) for _ in range(2))
    for _ in range(8):
        first.get("/x")
        second.get("/x")
    times = [t for t, _, _ in server.requests]
    assert max(sum(1 for u in times if t <= u < t + 1.0) for t in times) <= 5


def test_an_error_never_shows_the_api_key(server):
    server.routes["/down"] = [Reply(status=503)]
    with fast_client(server, attempts=2) as client, pytest.raises(HttpError) as error:
        client.get("/down", params={"apiKey": "SECRET-KEY"})
    assert "SECRET-KEY" not in str(error.value)
