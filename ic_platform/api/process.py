"""`ic-platform serve` as a child process on a free loopback port, for the tests and the benchmark
that exercise the API as deployed (uvicorn, its workers, real HTTP)."""

import resource
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from ic_platform import settings


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(
    url: str,
    *,
    workers: int = 1,
    options: tuple[str, ...] = (),
    start_timeout: float = 60,
    environment: dict[str, str] | None = None,
    max_open_files: int | None = None,
) -> Iterator[str]:
    """Run the API on the serving database `url` (with `environment`'s variables too, and at most
    `max_open_files` file descriptors); yields its base URL once `/health` answers (any status),
    and stops it afterwards."""
    port = free_port()
    command = [sys.executable, "-m", "ic_platform.cli", "serve", "--port", str(port), "--workers", str(workers)]
    variables = settings.environment_with({settings.variable("serving_url"): url, **(environment or {})})

    def limit_files() -> None:
        if max_open_files is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (max_open_files, max_open_files))

    server = subprocess.Popen([*command, *options], env=variables, preexec_fn=limit_files)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                httpx.get(f"{base}/health", timeout=1)
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"ic-platform serve did not answer on {base} (exit {server.poll()})") from None
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
