"""The one HTTP client every source uses: rate limit, retries with backoff, and an on-disk cache.

- Rate: a limiter spaces requests so that no second holds more than `max_per_second` of them
  (EDGAR allows 10), with a margin for the jitter of their arrival.
- Retries: 429, 5xx, timeouts, dropped connections and bodies shorter than their Content-Length
  are retried with exponential backoff and full jitter, honouring `Retry-After` (seconds or an HTTP
  date); other 4xx fail at once with the URL and status in the message.
- Cache: bodies are kept under `cache_dir` with their `ETag`/`Last-Modified`; a body younger than
  the call's `max_age` is served without a request, an older one is revalidated with a conditional
  request (a 304 serves the cached body).
"""

import hashlib
import json
import random
import threading
import time
from collections import deque
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx

RETRY_STATUSES = {429, 500, 502, 503, 504}


class HttpError(RuntimeError):
    """A request failed for good (the message names the URL, the status or error, and the attempts)."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


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


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


class HttpClient:
    """GET with rate limit, retries and cache against one base URL."""

    def __init__(
        self,
        base_url: str,
        headers: dict[str, str] | None = None,
        max_per_second: float = 10,
        attempts: int = 6,
        backoff_seconds: float = 0.5,
        max_backoff_seconds: float = 60,
        timeout_seconds: float = 30,
        cache_dir: Path | None = None,
        sleep=time.sleep,
    ):
        self.base_url = base_url.rstrip("/")
        self.attempts = attempts
        self.backoff_seconds, self.max_backoff_seconds = backoff_seconds, max_backoff_seconds
        self.cache_dir = cache_dir
        self.limiter = RateLimiter(max_per_second, sleep=sleep)
        self._sleep = sleep
        self._client = httpx.Client(headers=headers or {}, timeout=timeout_seconds, follow_redirects=True)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "HttpClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}/{path.lstrip('/')}"

    def _cache_paths(self, url: str, params: dict | None) -> tuple[Path, Path] | None:
        if self.cache_dir is None:
            return None
        key = hashlib.sha256(json.dumps([url, sorted((params or {}).items())]).encode()).hexdigest()
        folder = self.cache_dir / key[:2]
        return folder / f"{key}.body", folder / f"{key}.json"

    def get(self, path: str, params: dict | None = None, max_age: float | None = None) -> bytes:
        """The body of `GET path`; a cached body younger than `max_age` seconds (None: forever) is served as is."""
        url = self.url(path)
        cached = self._cache_paths(url, params)
        validators: dict = {}
        if cached and cached[0].exists() and cached[1].exists():
            validators = json.loads(cached[1].read_text())
            if max_age is None or time.time() - validators["stored_at"] < max_age:
                return cached[0].read_bytes()
        conditional = {
            header: validators[key]
            for header, key in (("If-None-Match", "etag"), ("If-Modified-Since", "last_modified"))
            if validators.get(key)
        }
        response = self._request(url, params, conditional)
        if response.status_code == 304 and cached:
            self._store(cached, cached[0].read_bytes(), response, validators)
            return cached[0].read_bytes()
        if cached:
            self._store(cached, response.content, response, {})
        return response.content

    def _store(self, cached: tuple[Path, Path], body: bytes, response: httpx.Response, previous: dict) -> None:
        body_path, meta_path = cached
        body_path.parent.mkdir(parents=True, exist_ok=True)
        meta = {
            "stored_at": time.time(),
            "etag": response.headers.get("ETag") or previous.get("etag"),
            "last_modified": response.headers.get("Last-Modified") or previous.get("last_modified"),
        }
        for path, content in ((body_path, body), (meta_path, json.dumps(meta).encode())):
            temporary = path.with_suffix(path.suffix + ".tmp")
            temporary.write_bytes(content)
            temporary.replace(path)

    def _request(self, url: str, params: dict | None, headers: dict) -> httpx.Response:
        problem = ""
        for attempt in range(1, self.attempts + 1):
            self.limiter.acquire()
            retry_after = None
            try:
                response = self._client.get(url, params=params, headers=headers)
                expected = response.headers.get("Content-Length")
                if response.status_code in RETRY_STATUSES:
                    problem = f"HTTP {response.status_code}"
                    retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
                elif (
                    expected is not None
                    and expected.isdigit()
                    and len(response.content) < int(expected)
                    and response.headers.get("Content-Encoding") is None
                ):
                    problem = f"truncated body ({len(response.content)} of {expected} bytes)"
                elif response.status_code >= 400:
                    raise HttpError(f"GET {url} failed: HTTP {response.status_code}", response.status_code)
                else:
                    return response
            except (httpx.TimeoutException, httpx.TransportError) as error:
                problem = f"{type(error).__name__}: {error}"
            if attempt < self.attempts:
                delay = min(self.max_backoff_seconds, self.backoff_seconds * 2 ** (attempt - 1)) * random.uniform(
                    0.5, 1.0
                )
                self._sleep(max(delay, retry_after or 0.0))
        raise HttpError(f"GET {url} failed after {self.attempts} attempts: {problem}")
