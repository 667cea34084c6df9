"""The one HTTP client every source uses: rate limit, retries, limits, a circuit breaker and a cache.

- Rate: one limiter per host (or named group of hosts) in the process, shared by every client of
  it, spaces requests so that no second holds more than `max_per_second` (EDGAR allows 10), with
  a margin for the jitter of their arrival.
- Retries: 429, 5xx, timeouts, dropped connections, truncated or corrupt bodies are retried with
  exponential backoff and full jitter, honouring `Retry-After` (seconds or an HTTP date) up to
  `max_retry_after_seconds`; a server asking for longer fails the request at once, as do other
  4xx, a redirect loop and an unsupported encoding.
- Limits: the whole request, retries included, has a deadline (`deadline_seconds`), so a server
  that trickles bytes cannot hold it; bodies are read as a stream and decoded by the client, at
  most `max_body_bytes` before and after decompression (a gzip bomb is refused).
- Every failure is an `HttpError` naming the URL (never the query, which may hold a key) and the
  reason.
- Circuit breaker: after `breaker_threshold` requests in a row to one host failed for good, the
  host is down for `breaker_cooldown_seconds`: calls fail at once with the reason instead of
  retrying each item in full; then one request may try again.
- Cache: a body is kept under `cache_dir` with its `ETag`/`Last-Modified` only once the caller's
  `decode` accepted it; a cached body that no longer decodes is dropped and fetched again. A body
  younger than the call's `max_age` is served without a request, an older one is revalidated with
  a conditional request (a 304 serves the cached body). When the host is down or the request
  fails for good, a cached body is served stale and its URL recorded for `stale_served_since`.
"""

import hashlib
import json
import math
import random
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import NoReturn
from urllib.parse import parse_qsl, urlsplit

import httpx

RETRY_STATUSES = {429, 500, 502, 503, 504}
MAX_BODY_BYTES = 512 * 2**20  # the largest companyfacts documents are about 50 MiB
MAX_PAGES = 10_000  # pages of one paged read (10 million records at 1,000 a page)


class HttpError(RuntimeError):
    """A request failed for good (the message names the URL, the status or error, and the attempts).

    `status` is the HTTP status of a definitive answer (a 404), None when the source failed."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class _RetryableError(Exception):
    """An attempt that failed in a way the next attempt may not (a truncated or corrupt body)."""


class RateLimiter:
    """At most `max_per_second` acquisitions in any window of `window_seconds` (thread-safe).

    The window is a little longer than a second so that a server, which sees requests arrive with
    some jitter, never counts more than `max_per_second` in any second of its own.
    """

    def __init__(self, max_per_second: float, window_seconds: float = 1.1, clock=time.monotonic, sleep=time.sleep):
        self.max_per_second = max_per_second
        self.window_seconds = window_seconds
        self._recent: deque[float] = deque()
        self._lock = threading.Lock()
        self._clock, self._sleep = clock, sleep

    def acquire(self) -> None:
        with self._lock:
            while True:
                now = self._clock()
                while self._recent and now - self._recent[0] >= self.window_seconds:
                    self._recent.popleft()
                if len(self._recent) < self.max_per_second:
                    self._recent.append(now)
                    return
                self._sleep(self.window_seconds - (now - self._recent[0]) + 1e-3)


class CircuitBreaker:
    """Marks a source down after `threshold` requests in a row failed for good, for `cooldown_seconds`."""

    def __init__(self, threshold: int, cooldown_seconds: float, clock=time.monotonic):
        self.threshold, self.cooldown_seconds = threshold, cooldown_seconds
        self.failures, self.down_until, self.last_problem = 0, 0.0, ""
        self._lock = threading.Lock()
        self._clock = clock

    def check(self, url: str) -> None:
        """Raise when the source is down (after the cool-down, one request may try again)."""
        with self._lock:
            remaining = self.down_until - self._clock()
            if self.failures >= self.threshold and remaining > 0:
                raise HttpError(
                    f"GET {url} not sent: the source is down after {self.failures} failed requests in a row "
                    f"(last: {self.last_problem}); it is tried again in {remaining:.0f} s"
                )

    def record(self, succeeded: bool, problem: str = "") -> None:
        with self._lock:
            if succeeded:
                self.failures = 0
                return
            self.failures += 1
            self.last_problem = problem
            if self.failures >= self.threshold:
                self.down_until = self._clock() + self.cooldown_seconds


_shared_lock = threading.Lock()
_limiters: dict[str, RateLimiter] = {}
_breakers: dict[str, CircuitBreaker] = {}
_stale_served: list[str] = []  # every URL served stale in this process, in order


def stale_served_mark() -> int:
    """A mark for `stale_served_since`: how many bodies this process has served stale so far."""
    with _shared_lock:
        return len(_stale_served)


def stale_served_since(mark: int) -> list[str]:
    """The URLs this process served stale (from the cache, their source down) since `mark`."""
    with _shared_lock:
        return _stale_served[mark:]


def shared_limiter(group: str, max_per_second: float) -> RateLimiter:
    """The process's limiter of `group` (a host), the strictest rate any client asked for."""
    with _shared_lock:
        limiter = _limiters.setdefault(group, RateLimiter(max_per_second))
        limiter.max_per_second = min(limiter.max_per_second, max_per_second)
        return limiter


def shared_breaker(group: str, threshold: int, cooldown_seconds: float) -> CircuitBreaker:
    """The process's circuit breaker of `group` (a host)."""
    with _shared_lock:
        return _breakers.setdefault(group, CircuitBreaker(threshold, cooldown_seconds))


def _retry_after_seconds(value: str | None) -> float | None:
    """Seconds a `Retry-After` asks for (inf when it is beyond reason), None when absent or unreadable."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, OverflowError):
            return None
    if math.isnan(seconds):
        return None
    return max(0.0, seconds)


def _without_secrets(text: str, params: dict | None) -> str:
    for name, value in (params or {}).items():
        if value and any(word in name.lower() for word in ("key", "token", "secret")):
            text = text.replace(str(value), "***")
    return text


class HttpClient:
    """GET with rate limit, retries, limits, circuit breaker and cache against one base URL."""

    def __init__(
        self,
        base_url: str,
        headers: dict[str, str] | None = None,
        max_per_second: float = 10,
        attempts: int = 6,
        backoff_seconds: float = 0.5,
        max_backoff_seconds: float = 60,
        timeout_seconds: float = 30,
        deadline_seconds: float = 600,
        max_retry_after_seconds: float = 300,
        max_body_bytes: int = MAX_BODY_BYTES,
        breaker_threshold: int = 5,
        breaker_cooldown_seconds: float = 300,
        rate_group: str | None = None,
        cache_dir: Path | None = None,
        sleep=time.sleep,
    ):
        self.base_url = base_url.rstrip("/")
        self.attempts = attempts
        self.backoff_seconds, self.max_backoff_seconds = backoff_seconds, max_backoff_seconds
        self.deadline_seconds, self.max_retry_after_seconds = deadline_seconds, max_retry_after_seconds
        self.max_body_bytes = max_body_bytes
        self.cache_dir = cache_dir
        group = rate_group or urlsplit(self.base_url).netloc
        self.limiter = shared_limiter(group, max_per_second)
        self.breaker = shared_breaker(group, breaker_threshold, breaker_cooldown_seconds)
        self._sleep = sleep
        headers = {"Accept-Encoding": "gzip, deflate", **(headers or {})}
        self._client = httpx.Client(headers=headers, timeout=timeout_seconds, follow_redirects=True, max_redirects=10)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "HttpClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}/{path.lstrip('/')}"

    def pages(self, path: str, params: dict, secret: dict, fetch: Callable[[str, dict], tuple]) -> Iterator:
        """Each page of a paged endpoint (Polygon's `next_url` style): `fetch(path, params)` returns
        the page and the URL of the next one (None on the last). A next URL keeps its own query
        (the cursor: httpx would replace it with `params`) and gets only `secret` (the API key)
        added; one naming another host or scheme than the client's (plain http where the base URL
        is https) is refused, so the key never leaves; a
        next URL seen before ends the pages, and more than MAX_PAGES is an HttpError."""
        url, request_params, seen = path, params | secret, set()
        for _ in range(MAX_PAGES):
            page, next_url = fetch(url, request_params)
            yield page
            if not next_url or next_url in seen:
                return
            seen.add(next_url)
            parts, base = urlsplit(next_url), urlsplit(self.base_url)
            if (parts.netloc and parts.netloc != base.netloc) or (parts.scheme and parts.scheme != base.scheme):
                raise HttpError(
                    f"{path}: next page on another host or scheme ({parts.scheme}://{parts.netloc}), "
                    "not followed with the API key"
                )
            url, request_params = parts.path, dict(parse_qsl(parts.query, keep_blank_values=True)) | secret
        raise HttpError(f"{path}: more than {MAX_PAGES} pages")

    def _cache_paths(self, url: str, params: dict | None) -> tuple[Path, Path] | None:
        if self.cache_dir is None:
            return None
        key = hashlib.sha256(json.dumps([url, sorted((params or {}).items())]).encode()).hexdigest()
        folder = self.cache_dir / key[:2]
        return folder / f"{key}.body", folder / f"{key}.json"

    def get(self, path: str, params: dict | None = None, max_age: float | None = None, decode: Callable | None = None):
        """The body of `GET path`, through `decode` when given (a parser that raises ValueError on a
        bad body: such a body is never cached). A cached body younger than `max_age` seconds (None:
        forever) is served as is."""
        decode = decode or (lambda body: body)
        url = self.url(path)
        cached = self._cache_paths(url, params)
        validators: dict = {}
        if cached and cached[0].exists() and cached[1].exists():
            validators = json.loads(cached[1].read_text())
            if max_age is None or time.time() - validators["stored_at"] < max_age:
                try:
                    return decode(cached[0].read_bytes())
                except ValueError:  # a bad entry (written before bodies were checked): fetch it again
                    validators = {}
                    for entry in cached:
                        entry.unlink(missing_ok=True)
        conditional = {
            header: validators[key]
            for header, key in (("If-None-Match", "etag"), ("If-Modified-Since", "last_modified"))
            if validators.get(key)
        }
        try:
            status, body, headers = self._request(url, params, conditional)
        except HttpError as error:
            if error.status is None and validators and cached:  # the source failed: serve what it said before
                with _shared_lock:
                    _stale_served.append(url)
                return decode(cached[0].read_bytes())
            raise
        if status == 304 and validators and cached:
            body = cached[0].read_bytes()
        value = decode(body)
        if cached:
            self._store(cached, body, headers, validators if status == 304 else {})
        return value

    def _store(self, cached: tuple[Path, Path], body: bytes, headers: httpx.Headers, previous: dict) -> None:
        body_path, meta_path = cached
        body_path.parent.mkdir(parents=True, exist_ok=True)
        meta = {
            "stored_at": time.time(),
            "etag": headers.get("ETag") or previous.get("etag"),
            "last_modified": headers.get("Last-Modified") or previous.get("last_modified"),
        }
        for path, content in ((body_path, body), (meta_path, json.dumps(meta).encode())):
            temporary = path.with_suffix(path.suffix + ".tmp")
            temporary.write_bytes(content)
            temporary.replace(path)

    def _request(
        self,
        url: str,
        params: dict | None,
        headers: dict,
        into: Path | None = None,
        deadline_seconds: float | None = None,
    ) -> tuple[int, bytes, httpx.Headers]:
        self.breaker.check(url)
        deadline_seconds = deadline_seconds or self.deadline_seconds
        deadline = time.monotonic() + deadline_seconds
        problem = ""
        for attempt in range(1, self.attempts + 1):
            self.limiter.acquire()
            retry_after = None
            try:
                status, body, response_headers = self._attempt(url, params, headers, deadline, into)
                if status in RETRY_STATUSES:
                    problem = f"HTTP {status}"
                    retry_after = _retry_after_seconds(response_headers.get("Retry-After"))
                    if retry_after is not None and retry_after > self.max_retry_after_seconds:
                        self._fail(
                            url,
                            f"HTTP {status} asks to retry after {retry_after:.0f} s, more than the "
                            f"{self.max_retry_after_seconds:.0f} s this client waits",
                        )
                elif status >= 400:
                    self.breaker.record(True)  # a definitive answer: the source works
                    raise HttpError(f"GET {url} failed: HTTP {status}", status)
                else:
                    self.breaker.record(True)
                    return status, body, response_headers
            except _RetryableError as error:
                problem = str(error)
            except httpx.TooManyRedirects:
                self._fail(url, "a redirect loop (more than 10 redirects)")
            except httpx.HTTPError as error:
                problem = _without_secrets(f"{type(error).__name__}: {error}", params)
            if attempt < self.attempts:
                delay = min(self.max_backoff_seconds, self.backoff_seconds * 2 ** (attempt - 1)) * random.uniform(
                    0.5, 1.0
                )
                delay = max(delay, retry_after or 0.0)
                if time.monotonic() + delay > deadline:
                    self._fail(url, f"the {deadline_seconds:.0f} s deadline ends before the next attempt ({problem})")
                self._sleep(delay)
        self._fail(url, f"{problem} ({self.attempts} attempts)", f"failed after {self.attempts} attempts: {problem}")

    def _fail(self, url: str, problem: str, message: str | None = None) -> NoReturn:
        self.breaker.record(False, problem)
        raise HttpError(f"GET {url} {message or 'failed: ' + problem}")

    def _attempt(
        self, url: str, params: dict | None, headers: dict, deadline: float, into: Path | None = None
    ) -> tuple[int, bytes, httpx.Headers]:
        with self._client.stream("GET", url, params=params, headers=headers) as response:
            if into is not None and response.status_code == 200:
                return response.status_code, self._streamed(url, response, into, deadline), response.headers
            raw = bytearray()
            for chunk in response.iter_raw():
                raw += chunk
                if time.monotonic() > deadline:
                    self._fail(url, f"the {self.deadline_seconds:.0f} s deadline passed while the body arrived")
                if len(raw) > self.max_body_bytes:
                    self._fail(url, f"the body is larger than {self.max_body_bytes} bytes")
            return response.status_code, self._decoded(url, bytes(raw), response.headers), response.headers

    def _streamed(self, url: str, response: httpx.Response, into: Path, deadline: float) -> bytes:
        """Write the body as it arrives to the file `into` (no size limit, no decoding: a download asks
        for the identity encoding) and return b"" once it is whole."""
        encoding = (response.headers.get("Content-Encoding") or "identity").strip().lower()
        if encoding != "identity":
            self._fail(url, f"a download came {encoding}-encoded, not as the file itself")
        written = 0
        with into.open("wb") as out:
            for chunk in response.iter_raw():
                out.write(chunk)
                written += len(chunk)
                if time.monotonic() > deadline:
                    self._fail(url, "the deadline passed while the download arrived")
        expected = response.headers.get("Content-Length")
        if expected is not None and expected.isdigit() and written < int(expected):
            raise _RetryableError(f"truncated download ({written} of {expected} bytes)")
        return b""

    def download(
        self, path: str, target: Path, max_age: float, check: Callable[[Path], None], deadline_seconds: float = 3600
    ) -> bool:
        """Bring the file at `path` to `target` (streamed to disk, no body limit) unless the copy there
        is younger than `max_age` seconds or the server answers that it has not changed since (the
        last download's ETag and Last-Modified, sent as If-None-Match and If-Modified-Since). The
        new file replaces the old one only once whole and accepted by `check` (which raises
        ValueError). While the source fails, an earlier copy stays and is used (listed as stale).
        True when a new copy was written."""
        url = self.url(path)
        meta_path = target.with_name(target.name + ".json")
        meta = json.loads(meta_path.read_text()) if meta_path.exists() and target.exists() else {}
        if meta and time.time() - meta["stored_at"] < max_age:
            return False
        conditional = {
            header: meta[key]
            for header, key in (("If-None-Match", "etag"), ("If-Modified-Since", "last_modified"))
            if meta.get(key)
        }
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        try:
            identity = conditional | {"Accept-Encoding": "identity"}
            try:
                status, _, headers = self._request(url, None, identity, into=partial, deadline_seconds=deadline_seconds)
            except HttpError as error:
                if error.status is None and meta:  # the source failed: keep using the copy it gave before
                    with _shared_lock:
                        _stale_served.append(url)
                    return False
                raise
            if status == 200:
                try:
                    check(partial)
                except ValueError as error:  # the previous copy stays; the caller fails with the reason
                    raise HttpError(f"GET {url}: the downloaded file is unusable: {error}") from error
                partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
        stored = {
            "stored_at": time.time(),
            "etag": headers.get("ETag") or meta.get("etag"),
            "last_modified": headers.get("Last-Modified") or meta.get("last_modified"),
        }
        temporary = meta_path.with_name(meta_path.name + ".tmp")
        temporary.write_text(json.dumps(stored))
        temporary.replace(meta_path)
        return status == 200

    def _decoded(self, url: str, raw: bytes, headers: httpx.Headers) -> bytes:
        expected = headers.get("Content-Length")
        if expected is not None and expected.isdigit() and len(raw) < int(expected):
            raise _RetryableError(f"truncated body ({len(raw)} of {expected} bytes)")
        encoding = (headers.get("Content-Encoding") or "identity").strip().lower()
        if encoding == "identity":
            return raw
        if encoding not in ("gzip", "deflate"):
            self._fail(url, f"unsupported Content-Encoding {encoding!r}")
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS)
        try:
            body = inflater.decompress(raw, self.max_body_bytes + 1)
        except zlib.error as error:
            raise _RetryableError(f"corrupt {encoding} body ({error})") from error
        if len(body) > self.max_body_bytes:
            self._fail(url, f"the body decompresses to more than {self.max_body_bytes} bytes")
        if not inflater.eof:
            raise _RetryableError(f"truncated {encoding} body ({len(raw)} bytes do not end the stream)")
        return body
