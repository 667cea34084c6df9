import csv
import gzip
import json
import shutil
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest

from ic_platform.sources.archives import DocumentFolder
from ic_platform.sources.documents import SourceFormatError, map_in_processes
from ic_platform.sources.http import HttpClient
from ic_platform.sources.news import (
    NEWS_ARCHIVE_FILES,
    NewsClient,
    content_hash,
    deduplicate,
    parse_news,
    parse_news_documents,
    parse_news_dump,
)
from ic_platform_tests.local_server import LocalServer, Reply


@pytest.mark.real_data
def test_the_real_polygon_news_response(real_data):
    articles, quarantined, next_url = parse_news(
        (real_data / "news/polygon_reference_news_AAPL_limit2.json").read_bytes(), "news"
    )
    assert (
        len(articles) == 2
        and not quarantined
        and next_url.startswith("https://api.polygon.io/v2/reference/news?cursor=")
    )
    first = articles[0]
    assert first["published_utc"] == datetime(2025, 9, 23, 14, 32, tzinfo=UTC)
    assert first["tickers"] == sorted(["AAPL", "AMD", "MNST", "F", "FPB", "FPC", "FPD", "BRK.A", "BRK.B"])
    assert first["publisher"] == "Investing.com" and len(first["content_hash"]) == 64


def _article(article_id, title, minutes, url=None, tickers=("AAA",), description=""):
    return {
        "article_id": article_id,
        "tickers": list(tickers),
        "published_utc": datetime(2024, 3, 1, 12, tzinfo=UTC) + timedelta(minutes=minutes),
        "publisher": "P",
        "title": title,
        "description": description,
        "article_url": url or f"https://x/{article_id}",
        "content_hash": content_hash(title, description),
    }


def test_deduplication_by_url_content_and_near_identical_titles():
    articles = [
        _article("a", "Acme beats estimates as revenue grows strongly", 0),
        _article("b", "Acme beats estimates as revenue grows strongly", 5, url="https://x/a"),  # same URL
        _article("c", "ACME beats estimates, as revenue grows strongly!", 9),  # same content once normalised
        _article("d", "Acme beats estimates as revenue grows strongly - report", 30),  # syndicated
        _article("e", "Beta beats estimates as revenue grows strongly", 30, tickers=("BBB",)),  # another company
        _article("f", "Acme beats estimates as revenue grows strongly", 60 * 24 * 20),  # weeks later: another story
        _article("g", "Acme to present at industry conference", 45),
    ]
    kept, dropped = deduplicate(articles)
    assert [a["article_id"] for a in kept] == ["a", "e", "g", "f"]
    assert {d["article_id"]: d["reason"].split(" ")[0] for d in dropped} == {
        "b": "same",
        "c": "same",
        "d": "near-identical",
    }


def test_bad_articles_are_quarantined_and_bad_documents_refused():
    payload = json.dumps(
        {
            "results": [
                {"id": "1", "title": "x", "article_url": "u", "tickers": [], "published_utc": "2024-01-01T00:00:00Z"},
                {"id": "2", "title": "x", "article_url": "u", "tickers": ["A"], "published_utc": "2024-01-01T00:00:00"},
            ]
        }
    )
    articles, quarantined, _ = parse_news(payload, "bad")
    assert articles == [] and [q["reason"][:20] for q in quarantined] == [
        "article without tick",
        "publication time '20",
    ]
    with pytest.raises(SourceFormatError):
        parse_news(b"{not json", "broken")


def _monthly_document(month: int) -> tuple[str, bytes]:
    article = {
        "id": str(month),
        "title": f"t{month}",
        "article_url": f"u{month}",
        "tickers": ["A"],
        "published_utc": f"2024-{month:02d}-15T14:00:00Z",
    }
    return f"2024-{month:02d}.json", json.dumps({"results": [article]}).encode()


def test_news_documents_parsed_in_worker_processes_keep_their_order_and_quarantine_a_broken_one():
    documents = [_monthly_document(month) for month in range(1, 9)]
    documents[3] = ("2024-04.json", b"{not json")
    since = datetime(2024, 3, 1, tzinfo=UTC)
    batches = list(map_in_processes(partial(parse_news_documents, since=since), documents, 2, batch_size=2))
    articles = [a["article_id"] for _, (found, _) in batches for a in found]
    quarantined = [q for _, (_, bad) in batches for q in bad]
    assert articles == ["3", "5", "6", "7", "8"]  # before `since`: left out; April: unreadable
    assert [(q["source"], q["reason"][:25]) for q in quarantined] == [("2024-04.json", "2024-04.json: malformed J")]
    assert parse_news_documents(documents) == (
        [a for _, (found, _) in list(map_in_processes(parse_news_documents, documents, 2, 2)) for a in found],
        quarantined,
    )


def test_the_news_client_follows_next_url_pages():
    page2 = {
        "results": [
            {"id": "2", "title": "t2", "article_url": "u2", "tickers": ["A"], "published_utc": "2024-01-02T00:00:00Z"}
        ]
    }
    with LocalServer() as server:
        page1 = {
            "results": [
                {
                    "id": "1",
                    "title": "t1",
                    "article_url": "u1",
                    "tickers": ["A"],
                    "published_utc": "2024-01-01T00:00:00Z",
                }
            ],
            "next_url": f"{server.url}/v2/reference/news?cursor=abc",
        }
        # the second page is served only for the cursor, as Polygon pages (a dropped cursor gets page 1)
        server.routes["/v2/reference/news"] = [Reply(body=json.dumps(page1).encode())]
        server.routes["/v2/reference/news?cursor=abc&apiKey=key"] = [Reply(body=json.dumps(page2).encode())]
        client = NewsClient(HttpClient(server.url, max_per_second=50), "key")
        pages = client.documents(datetime(2024, 1, 1).date(), datetime(2024, 1, 2).date())
    assert [parse_news(body, name)[0][0]["article_id"] for name, body in pages] == ["1", "2"]


@pytest.mark.real_data
def test_real_benzinga_headlines_keep_recurring_titles_and_drop_same_day_repeats(real_data):
    import gzip
    import io

    import polars as pl

    frame = pl.read_csv(
        io.BytesIO(
            gzip.decompress(
                (real_data / "news/benzinga_headlines_analyst_ratings_processed_head9993.csv.gz").read_bytes()
            )
        )
    )
    frame = frame.filter(
        pl.col("date").str.to_datetime("%Y-%m-%d %H:%M:%S%z", strict=False).is_not_null()
    )  # a few rows lack a date
    articles = [
        {
            "article_id": str(i),
            "tickers": [stock],
            "published_utc": datetime.fromisoformat(day).astimezone(UTC),
            "publisher": "Benzinga",
            "title": title,
            "description": "",
            "article_url": f"https://benzinga/{i}",
            "content_hash": content_hash(title, ""),
        }
        for i, title, day, stock in frame.with_row_index("i").select("i", "title", "date", "stock").iter_rows()
    ]
    kept, dropped = deduplicate(articles)
    assert len(kept) + len(dropped) == len(articles) > 9900
    top_upgrades = [a for a in kept if a["title"] == "Benzinga's Top Upgrades"]
    assert len(top_upgrades) > 20  # a recurring column weeks apart is a new story each time
    assert 0 < len(dropped) < 0.05 * len(articles)
    assert all(d["reason"].startswith(("same content", "near-identical")) for d in dropped)


@pytest.mark.real_data
def test_a_real_news_dump_with_a_row_per_ticker_is_read_as_articles_with_their_tickers(real_data, tmp_path):
    dump = real_data / "news" / "benzinga_headlines_analyst_ratings_processed_head9993.csv.gz"
    with gzip.open(dump, "rt", encoding="utf-8", newline="") as text:
        rows = [r for r in csv.DictReader(text) if r["title"] and r["date"] and r["stock"]]
    mentions = {(r["title"], r["date"], r["stock"]) for r in rows}
    stories = {(r["title"], r["date"]) for r in rows}
    shutil.copy(dump, tmp_path / dump.name)
    (tmp_path / "notes.txt").write_text("not news")
    documents = DocumentFolder(tmp_path, NEWS_ARCHIVE_FILES).documents()
    assert [name for name, _ in documents] == [dump.name]
    articles, quarantined = parse_news_documents(documents)
    assert len(articles) == len(stories) and sum(len(a["tickers"]) for a in articles) == len(mentions)
    assert len(quarantined) == 9993 - len(mentions)  # repeated rows and rows without a date, each with a reason
    assert all(
        q["reason"].startswith(("the article already has the ticker", "a row without a title")) for q in quarantined
    )
    shared = [a for a in articles if len(a["tickers"]) > 1]
    assert shared and all(a["published_utc"].tzinfo is UTC for a in shared)
    kept, dropped = deduplicate(articles)
    # the 239 tickers that share a story with another were each dropped as a copy when read a row at a time
    assert len(mentions) - len(stories) == 239
    assert sum(len(a["tickers"]) for a in kept + dropped) == len(mentions)


def test_an_ndjson_dump_groups_rows_by_url_and_quarantines_bad_lines():
    rows = [
        {"url": "https://x/1", "headline": "Acme beats", "published_utc": "2024-07-01T12:00:00Z", "ticker": "ACME"},
        {"url": "https://x/1", "headline": "Acme beats", "published_utc": "2024-07-01T12:00:00Z", "ticker": "ROAD"},
        {"url": "https://x/2", "headline": "Naive time", "published_utc": "2024-07-01T12:00:00", "ticker": "ACME"},
        {"url": "https://x/3", "headline": "Listed", "date": "2024-07-02T09:00:00-04:00", "tickers": ["a", "b"]},
    ]
    payload = "\n".join([*map(json.dumps, rows), "{broken", "[1]", ""]).encode()
    articles, quarantined = parse_news_dump(payload, "dump.ndjson")
    assert [(a["article_url"], a["tickers"]) for a in articles] == [
        ("https://x/1", ["ACME", "ROAD"]),
        ("https://x/3", ["A", "B"]),
    ]
    assert articles[1]["published_utc"] == datetime(2024, 7, 2, 13, tzinfo=UTC)
    assert [q["reason"].split(" (")[0] for q in quarantined] == [
        "malformed JSON",
        "not a JSON object",
        "publication time '2024-07-01T12:00:00' has no time zone",
    ]
