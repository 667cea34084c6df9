"""The demo universe served over HTTP on 127.0.0.1 as the live sources serve theirs: EDGAR's two
hosts, a Polygon-compatible market-data and news API and a Benzinga-compatible ratings calendar,
each answering from the demo folder's files as they stand (so `advance` publishes a new day to it).
A source can be taken down (`down`): every request to it answers 503."""

import json
import re
import threading
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

EDGAR_FILES = [
    (re.compile(r"/files/company_tickers\.json"), lambda m: "edgar/company_tickers.json"),
    (re.compile(r"/submissions/(CIK[\w-]+\.json)"), lambda m: f"edgar/submissions/{m[1]}"),
    (re.compile(r"/api/xbrl/companyfacts/(CIK\d{10}\.json)"), lambda m: f"edgar/companyfacts/{m[1]}"),
    (re.compile(r"/Archives/edgar/data/\d+/\d+/([\d-]+\.txt)"), lambda m: f"edgar/filings/{m[1]}"),
    (re.compile(r"/Archives/edgar/daily-index/\d{4}/QTR\d/(form\.\d{8}\.idx)"), lambda m: f"edgar/daily-index/{m[1]}"),
]
POLYGON_FILES = [
    (
        re.compile(r"/v2/aggs/grouped/locale/us/market/stocks/(\d{4}-\d{2}-\d{2})"),
        lambda m: f"polygon/grouped/{m[1]}.json",
    ),
    (re.compile(r"/v3/reference/splits"), lambda m: "polygon/splits.json"),
    (re.compile(r"/v3/reference/dividends"), lambda m: "polygon/dividends.json"),
]


class DemoServer:
    """`url` serves every source; `down` holds the names of the sources answering 503 (edgar,
    polygon, news, ratings); `paths` lists the requests."""

    def __init__(self, demo: Path) -> None:
        self.demo, self.down, self.paths = demo, set(), []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                server.paths.append(self.path)
                status, body = server.answer(self.path)
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "DemoServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def answer(self, target: str) -> tuple[int, bytes]:
        path, query = urlsplit(target).path, parse_qs(urlsplit(target).query)
        source = (
            "news"
            if path == "/v2/reference/news"
            else "ratings"
            if path.startswith("/api/") and "calendar" in path
            else None
        )
        for name, routes in (("edgar", EDGAR_FILES), ("polygon", POLYGON_FILES)):
            for pattern, file_of in routes:
                match = pattern.fullmatch(path)
                if match:
                    if name in self.down:
                        return 503, b"down"
                    file = self.demo / file_of(match)
                    return (200, file.read_bytes()) if file.exists() else (404, b"")
        if source in self.down:
            return 503, b"down"
        if source == "news":
            return 200, self._news(query)
        if source == "ratings":
            return 200, self._ratings(query)
        return 404, b""

    def _news(self, query: dict) -> bytes:
        """The articles published in the query's days, in one page."""
        first, last = (date.fromisoformat(query[f"published_utc.{k}"][0]) for k in ("gte", "lte"))
        articles = [
            a
            for path in sorted((self.demo / "polygon" / "news").glob("*.json"))
            for a in json.loads(path.read_bytes())["results"]
            if first <= datetime.fromisoformat(a["published_utc"].replace("Z", "+00:00")).date() <= last
        ]
        return json.dumps({"status": "OK", "count": len(articles), "results": articles}).encode()

    def _ratings(self, query: dict) -> bytes:
        """The ratings dated in the query's days, a page of `pagesize` at a time."""
        first, last = (date.fromisoformat(query[f"parameters[date_{k}]"][0]) for k in ("from", "to"))
        ratings = [
            r
            for path in sorted((self.demo / "ratings").glob("*.json"))
            for r in json.loads(path.read_bytes())["ratings"]
            if first <= date.fromisoformat(r["date"]) <= last
        ]
        page, size = int(query["page"][0]), int(query["pagesize"][0])
        return json.dumps({"ratings": ratings[page * size : (page + 1) * size]}).encode()
