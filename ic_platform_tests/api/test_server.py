"""`ic-platform serve` over real HTTP: connections that never send a whole request are closed, so
a worker with few file descriptors keeps answering."""

import socket
import time

import httpx
import pytest

from ic_platform.api.process import serving
from ic_platform.serving import store
from ic_platform_tests.api.conftest import DAYS
from ic_platform_tests.serving.test_store import COMPANIES, score_rows

pytestmark = pytest.mark.slow  # a server process


def _closed_by_the_server(connection: socket.socket) -> bool:
    connection.settimeout(0)
    try:
        return connection.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def test_silent_and_partial_connections_are_closed_and_health_still_answers(tmp_path):
    url = f"sqlite:///{tmp_path / 'serving.sqlite'}"
    db = store.engine(url)
    store.migrate(db)
    store.replace_window(db, score_rows(DAYS), DAYS[0], DAYS[-1], COMPANIES)
    with serving(url, environment={"IC_API_REQUEST_TIMEOUT_S": "1"}, max_open_files=256) as base:
        port = int(base.rsplit(":", 1)[1])
        silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(280)]
        partial = [socket.create_connection(("127.0.0.1", port)) for _ in range(20)]
        for connection in partial:
            connection.sendall(b"GET /api/scores/AAA HTTP/1.1\r\nHost: 127")  # never finished
        deadline = time.monotonic() + 30
        while not all(_closed_by_the_server(c) for c in silent + partial):
            assert time.monotonic() < deadline, "idle connections still open after 30 s"
            time.sleep(0.5)
        assert httpx.get(f"{base}/health", timeout=5).status_code == 200
        with httpx.Client(base_url=base, timeout=5) as keep_alive:  # a client that takes its time between requests
            assert keep_alive.get("/api/scores/AAA").status_code == 200
            time.sleep(0.5)
            assert keep_alive.get("/api/scores/BBB").status_code == 200
        for connection in silent + partial:
            connection.close()
