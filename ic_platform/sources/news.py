"""News: Polygon-style responses (`/v2/reference/news`) and dumps with one row per article and
ticker (NDJSON or CSV, as Kaggle's Benzinga headlines come), parsing, deduplication, files or HTTP.

A dump's rows of one article (the same URL, or without one the same title and publication time)
are grouped into one article with its tickers before deduplication, which would otherwise drop
every ticker but the first as a copy.

Deduplication keeps the first published copy of an article and drops later ones with the same URL,
or, within two days, the same content hash (normalised title and description) or a near-identical
title (word-set Jaccard similarity of at least 0.8) about a shared ticker, as syndicated copies are
(the same headline weeks apart, "Stocks That Hit 52-Week Highs On Friday", is another story).
"""

import csv
import hashlib
import io
import re
from datetime import UTC, date, datetime, timedelta

import orjson

from ic_platform.schemas.common import quarantined_record
from ic_platform.sources.documents import SourceFormatError, load_json
from ic_platform.sources.http import HttpClient, HttpError

NEAR_DUPLICATE_JACCARD = 0.8
NEAR_DUPLICATE_WINDOW = timedelta(days=2)
_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def content_hash(title: str, description: str) -> str:
    return hashlib.sha256(" ".join(_words(title) + ["|"] + _words(description)).encode()).hexdigest()


def parse_news(payload: bytes | str, source: str) -> tuple[list[dict], list[dict], str | None]:
    """Articles (publication time as an aware UTC datetime), quarantined records, and the next page's URL."""
    document = load_json(payload, source)
    if not isinstance(document, dict) or not isinstance(document.get("results", []), list):
        raise SourceFormatError(f"{source}: expected an object with a 'results' list")
    articles: list[dict] = []
    quarantined: list[dict] = []
    for record in document.get("results", []):
        try:
            listed = record.get("tickers") or []
            if not isinstance(listed, list) or not all(isinstance(t, str) for t in listed):
                raise ValueError(f"tickers {listed!r} are not a list of symbols")
            tickers = sorted({t.upper() for t in listed})
            if not tickers or not record.get("title") or not record.get("article_url"):
                raise ValueError("article without tickers, a title or a URL")
            published = datetime.fromisoformat(record["published_utc"].replace("Z", "+00:00"))
            if published.tzinfo is None:
                raise ValueError(f"publication time {record['published_utc']!r} has no time zone")
            description = record.get("description") or ""
            articles.append(
                {
                    "article_id": str(record.get("id") or record["article_url"]),
                    "tickers": tickers,
                    "published_utc": published,
                    "publisher": (record.get("publisher") or {}).get("name") or "",
                    "title": record["title"].strip(),
                    "description": description,
                    "article_url": record["article_url"],
                    "content_hash": content_hash(record["title"], description),
                }
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            quarantined.append({"date": None, "source": source, "record": str(record)[:2000], "reason": str(error)})
    return articles, quarantined, document.get("next_url")


NEWS_ARCHIVE_FILES = tuple(f"*.{kind}{gz}" for kind in ("json", "ndjson", "jsonl", "csv") for gz in ("", ".gz"))
DUMP_FIELDS = {  # an article's field -> the names a dump may give it, first found wins
    "title": ("title", "headline"),
    "published": ("published_utc", "date", "published", "datetime", "created_at"),
    "tickers": ("tickers", "ticker", "stock", "symbol", "symbols"),
    "url": ("article_url", "url", "link"),
    "description": ("description", "summary", "teaser"),
    "publisher": ("publisher", "source"),
}


def is_news_dump(name: str) -> bool:
    """Whether a file of the news archive is a dump (NDJSON or CSV) rather than a JSON response."""
    return name.removesuffix(".gz").rsplit(".", 1)[-1] in ("ndjson", "jsonl", "csv")


def _dump_records(payload: bytes, source: str) -> tuple[list[tuple[int, dict]], list[dict]]:
    """(line, record) of each row of a dump, and the quarantined lines that are not records."""
    text = payload.decode("utf-8-sig", errors="surrogateescape")  # a bad byte costs its row, not the file
    if source.removesuffix(".gz").endswith(".csv"):
        reader = csv.DictReader(io.StringIO(text, newline=""))
        try:
            return [(reader.line_num, row) for row in reader], []
        except csv.Error as error:
            raise SourceFormatError(f"{source}: not a readable CSV ({error})") from None
    records, quarantined = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            quarantined.append(quarantined_record(source, f"line {number}: {line[:2000]}", f"malformed JSON ({error})"))
            continue
        if isinstance(record, dict):
            records.append((number, record))
        else:
            quarantined.append(quarantined_record(source, f"line {number}: {line[:2000]}", "not a JSON object"))
    return records, quarantined


def _not_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _field(record: dict, name: str):
    return next((record[key] for key in DUMP_FIELDS[name] if record.get(key) not in (None, "")), None)


def _dump_article(record: dict) -> tuple[tuple, dict]:
    """The key of the article a dump row belongs to, and the row as an article (one or more tickers)."""
    if any(isinstance(value, str) and not value.isascii() and _not_utf8(value) for value in record.values()):
        raise ValueError("a field is not UTF-8")
    title, published_text, listed = _field(record, "title"), _field(record, "published"), _field(record, "tickers")
    if not isinstance(title, str) or not title.strip() or published_text is None or listed is None:
        raise ValueError("a row without a title, a publication time or a ticker")
    tickers = listed if isinstance(listed, list) else str(listed).split(",")
    if not all(isinstance(t, str) and t.strip() for t in tickers):
        raise ValueError(f"tickers {listed!r} are not symbols")
    published = datetime.fromisoformat(str(published_text).replace("Z", "+00:00"))
    if published.tzinfo is None:
        raise ValueError(f"publication time {published_text!r} has no time zone")
    published = published.astimezone(UTC)
    url = str(_field(record, "url") or "")
    description = str(_field(record, "description") or "")
    publisher = _field(record, "publisher")
    publisher = publisher.get("name") if isinstance(publisher, dict) else publisher
    key = (url,) if url else (title.strip(), published)
    article_id = str(record.get("id") or hashlib.sha256(repr(key).encode()).hexdigest()[:24])
    return key, {
        "article_id": article_id,
        "tickers": sorted({t.strip().upper() for t in tickers}),
        "published_utc": published,
        "publisher": str(publisher or ""),
        "title": title.strip(),
        "description": description,
        "article_url": url,
        "content_hash": content_hash(title, description),
    }


def parse_news_dump(payload: bytes, source: str) -> tuple[list[dict], list[dict]]:
    """The articles of a dump with one row per (article, ticker), NDJSON or CSV (column names as
    DUMP_FIELDS lists them): the rows of one article grouped into one article with all its tickers;
    a row that cannot be read, or repeats a ticker of its article, quarantined with the reason."""
    records, quarantined = _dump_records(payload, source)
    articles: dict[tuple, dict] = {}
    for number, record in records:
        try:
            key, article = _dump_article(record)
        except (TypeError, ValueError, AttributeError) as error:
            quarantined.append(quarantined_record(source, f"line {number}: {str(record)[:2000]}", str(error)))
            continue
        held = articles.setdefault(key, article | {"tickers": []})
        repeated = set(held["tickers"]) & set(article["tickers"])
        if repeated:
            reason = f"the article already has the ticker {sorted(repeated)[0]} (an earlier line)"
            quarantined.append(quarantined_record(source, f"line {number}: {str(record)[:2000]}", reason))
            continue
        held["tickers"] = sorted({*held["tickers"], *article["tickers"]})
    return list(articles.values()), quarantined


DOCUMENTS_PER_BATCH = 8  # documents (a month of the demo's news, a page of the API's) a worker parses per task


def parse_news_documents(
    documents: list[tuple[str, bytes]], since: datetime | None = None
) -> tuple[list[dict], list[dict]]:
    """The articles of (name, payload) documents published from `since` (all when None), and the
    quarantined records: a document that cannot be read is one, with the reason."""
    articles: list[dict] = []
    quarantined: list[dict] = []
    for name, payload in documents:
        try:
            found, bad = parse_news_dump(payload, name) if is_news_dump(name) else parse_news(payload, name)[:2]
        except (SourceFormatError, HttpError) as error:
            quarantined.append(quarantined_record(name, "", str(error)))
            continue
        articles.extend(a for a in found if since is None or a["published_utc"] >= since)
        quarantined.extend(bad)
    return articles, quarantined


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def deduplicate(articles: list[dict]) -> tuple[list[dict], list[dict]]:
    """The articles kept (earliest copy first) and the duplicates dropped, each with the reason."""
    kept, dropped = [], []
    urls: dict[str, str] = {}
    hashes: dict[str, tuple] = {}
    recent_by_ticker: dict[str, list[tuple[datetime, set[str], str]]] = {}
    for article in sorted(articles, key=lambda a: (a["published_utc"], a["article_id"])):
        words = set(_words(article["title"]))
        reason = None
        if article["article_url"] and article["article_url"] in urls:
            reason = f"same URL as {urls[article['article_url']]}"
        elif (
            article["content_hash"] in hashes
            and article["published_utc"] - hashes[article["content_hash"]][0] <= NEAR_DUPLICATE_WINDOW
        ):
            reason = f"same content as {hashes[article['content_hash']][1]}"
        else:
            for ticker in article["tickers"]:
                recent = [
                    r
                    for r in recent_by_ticker.get(ticker, [])
                    if article["published_utc"] - r[0] <= NEAR_DUPLICATE_WINDOW
                ]
                recent_by_ticker[ticker] = recent
                match = next((r for r in recent if _jaccard(words, r[1]) >= NEAR_DUPLICATE_JACCARD), None)
                if match:
                    reason = f"near-identical title to {match[2]}"
                    break
        if reason:
            dropped.append(article | {"reason": reason})
            continue
        kept.append(article)
        if article["article_url"]:  # a dump's article may have none
            urls[article["article_url"]] = article["article_id"]
        hashes[article["content_hash"]] = (article["published_utc"], article["article_id"])
        for ticker in article["tickers"]:
            recent_by_ticker.setdefault(ticker, []).append((article["published_utc"], words, article["article_id"]))
    return kept, dropped


class NewsClient:
    """Polygon-compatible `GET /v2/reference/news`, following `next_url` pages."""

    def __init__(self, http: HttpClient, api_key: str):
        if not api_key:
            raise ValueError("the news API key is missing: set POLYGON_API_KEY")
        self.http, self.api_key = http, api_key

    def documents(self, start: date | None, end: date) -> list[tuple[str, bytes]]:
        if start is None:
            raise ValueError("a live read needs a first day: the API has no whole history to list")
        params: dict = {
            "published_utc.gte": start.isoformat(),
            "published_utc.lte": end.isoformat(),
            "order": "asc",
            "limit": 1000,
        }

        def fetch(url: str, request_params: dict):
            document, body = self.http.get(
                url, params=request_params, max_age=3600, decode=lambda body: (load_json(body, url), body)
            )
            return (url, body), document.get("next_url") if isinstance(document, dict) else None

        pages = list(self.http.pages("/v2/reference/news", params, {"apiKey": self.api_key}, fetch))
        return pages
