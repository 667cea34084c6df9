"""Property-based fuzzing of every parser on mutated real and demo documents.

The property: whatever the bytes (flipped, cut, values of the wrong type, huge and non-finite
numbers, duplicate keys, deep nesting), a parser returns its rows and quarantined records or
raises the platform's own `SourceFormatError`; no other exception escapes, and for the parsers of
record lists every input record is a row or a quarantined record. Run with `-s` to see
the counts per parser (inputs tried, refused as a whole, records quarantined).
"""

import gzip
import json
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ic_platform.sources.companyfacts import parse_companyfacts
from ic_platform.sources.corporate_actions import parse_polygon_actions, read_actions_file
from ic_platform.sources.documents import SourceFormatError
from ic_platform.sources.edgar import parse_current_filings
from ic_platform.sources.edgar_files import (
    form_index_text,
    parse_company_tickers,
    parse_form_index,
    parse_submissions_profile,
)
from ic_platform.sources.news import parse_news, parse_news_dump
from ic_platform.sources.ownership import parse_insider_dataset, parse_ownership
from ic_platform.sources.polygon_files import parse_day_aggregates, parse_grouped_daily, parse_ticker_aggregates
from ic_platform.sources.ratings import parse_ratings
from ic_platform.sources.thirteenf import parse_thirteenf_dataset, parse_thirteenf_submission
from ic_platform_tests.sec_datasets import (
    INSIDER_HEADERS,
    infotable_tsv,
    insider_tables,
    write_dataset,
    write_insider_dataset,
)

pytestmark = pytest.mark.slow  # fuzzing

EXAMPLES = 300
TALLY: Counter = Counter()

ODD_VALUES = [None, True, "", "x", "AAPL", -1, 0, 1e308, "1e400", 2**70, -(2**70), [], {}, [1, "a"], {"a": {}}, "NaN"]


def _read(path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def _seeds(real_data, small_demo) -> dict[str, list[bytes]]:
    thirteenf = _read(real_data / "sec_13f" / "0001790837-23-000002_BullStreet_13F-HR.txt")
    demo_ratings = sorted((small_demo / "ratings").glob("*.json"))[0]
    demo_news = sorted((small_demo / "polygon" / "news").glob("*.json"))[0]
    ratings = json.loads(demo_ratings.read_text())
    news = json.loads(demo_news.read_text())
    return {
        "companyfacts": [
            _read(real_data / "sec_companyfacts" / "trimmed" / "CIK0000789019_MSFT_trimmed.json.gz"),
            _read(sorted((small_demo / "edgar" / "companyfacts").glob("*.json"))[0]),
        ],
        "form4": [_read(p) for p in sorted((real_data / "sec_form4" / "submissions").glob("*"))[:3]],
        "13f": [thirteenf],
        "news": [
            _read(real_data / "news" / "polygon_reference_news_AAPL_limit2.json"),
            json.dumps(news | {"results": news["results"][:5]}).encode(),
        ],
        "ratings": [json.dumps(ratings | {"ratings": ratings["ratings"][:5]}).encode()],
        "grouped": [_read(sorted((small_demo / "polygon" / "grouped").glob("*.json"))[0])],
        "aggregates": [_read(real_data / "prices" / "polygon_aggs_AAPL_2023-01-01_2023-01-10.json")],
        "submissions": [_read(real_data / "sec_submissions" / "CIK0000320193_AAPL.json.gz")],
        "tickers": [
            json.dumps(
                dict(list(json.loads(_read(real_data / "sec_submissions" / "company_tickers.json.gz")).items())[:20])
            ).encode()
        ],
        "feed": [_read(real_data / "sec_form4" / "getcurrent_type4_start0.atom.xml")],
        "news_dump": [
            b"\n".join(
                _read(real_data / "news" / "benzinga_headlines_analyst_ratings_processed_head9993.csv.gz").split(b"\n")[
                    :40
                ]
            )
        ],
        "ratings_csv": [
            b"date,time,ticker,analyst,analyst_name,action_company,rating_current,pt_current,id\n"
            b"2024-07-01,07:05:00,ABC,Needham,N. Analyst,Upgrades,Outperform,120.50,r1\n"
            b"2024-07-02,,XYZ,UBS,,Maintains,Neutral,,r2\n"
        ],
        "insider_dataset": [_insider_seed(real_data)],
        "day_aggregates": [
            b"ticker,volume,open,close,high,low,window_start,transactions\n"
            b"AAPL,112117471,130.28,125.07,130.9,124.17,1672722000000000000,1021065\n"
            b"MSFT,25740036,243.08,239.58,245.75,237.4,1672722000000000000,311521\n"
        ],
        "form_index": [
            form_index_text(
                date(2025, 1, 2),
                [
                    {"form": "4", "name": "Apple Inc.", "cik": 320193, "accession": "0000320193-25-000001"},
                    {"form": "10-Q", "name": "NVIDIA CORP", "cik": 1045810, "accession": "0001045810-25-000002"},
                ],
            ).encode()
        ],
        "actions": [(small_demo / "polygon" / "splits.json").read_bytes()],
        "actions_csv": [
            b"ticker,ex_date,kind,ratio,amount\nAAPL,2014-06-09,split,7,\nAAPL,2014-08-07,dividend,,0.47\n"
        ],
        "13f_dataset": [infotable_tsv(parse_thirteenf_submission(thirteenf.decode("latin-1"), "seed").holdings)],
    }


def _records(result) -> int:
    """How many records a parser quarantined (its result's second part, where it has one)."""
    if isinstance(result, tuple) and len(result) > 1:
        quarantined = result[1]
        return quarantined.height if hasattr(quarantined, "height") else len(quarantined)
    return 0


PARSERS = {
    "companyfacts": lambda body: parse_companyfacts(body, "fuzz"),
    "form4": lambda body: parse_ownership(body.decode("latin-1"), "fuzz"),
    "13f": lambda body: parse_thirteenf_submission(body.decode("latin-1"), "fuzz"),
    "news": lambda body: parse_news(body, "fuzz"),
    "ratings": lambda body: parse_ratings(body, "fuzz"),
    "grouped": lambda body: parse_grouped_daily(body, date(2025, 1, 2), "fuzz"),
    "aggregates": lambda body: parse_ticker_aggregates(body, "AAPL", "fuzz"),
    "submissions": lambda body: parse_submissions_profile(body, "fuzz"),
    "tickers": lambda body: parse_company_tickers(body, "fuzz"),
    "feed": lambda body: parse_current_filings(body, "fuzz"),
    "13f_dataset": lambda body: _parse_dataset(body),
    "news_dump": lambda body: parse_news_dump(body, "fuzz.csv"),
    "form_index": lambda body: parse_form_index(body.decode("latin-1"), "fuzz"),
    "actions": lambda body: parse_polygon_actions(body, "fuzz"),
    "actions_csv": lambda body: _read_actions_csv(body),
    "insider_dataset": lambda body: _parse_insider(body),
    "day_aggregates": lambda body: parse_day_aggregates(body, date(2023, 1, 3), "fuzz.csv.gz"),
    "ratings_csv": lambda body: parse_ratings(body, "fuzz.csv"),
}


def _parse_dataset(infotable: bytes):
    """A 13F data set zip whose INFOTABLE.tsv is `infotable`, as read; its holdings and the
    quarantined lines of its INFOTABLE."""
    with tempfile.TemporaryDirectory() as folder:
        _, holdings, quarantined = parse_thirteenf_dataset(write_dataset(Path(folder) / "q.zip", infotable))
    return holdings, [q for q in quarantined if q["source"].endswith("INFOTABLE.tsv")]


def _insider_seed(real_data) -> bytes:
    """NONDERIV_TRANS.tsv of a data set holding three real Form 4s."""
    paths = sorted((real_data / "sec_form4" / "xml").glob("0000*.xml"))[:3]
    filings = [
        (f"0000000000-25-{i:06d}", date(2025, 1, 2), parse_ownership(p.read_text(encoding="latin-1"), p.name)[0])
        for i, p in enumerate(paths)
    ]
    return insider_tables(filings)["NONDERIV_TRANS.tsv"]


def _parse_insider(transactions: bytes):
    """A data set whose NONDERIV_TRANS.tsv is `transactions` (the other tables empty), as read."""
    tables = {name: header.replace(" ", "\t").encode() + b"\n" for name, header in INSIDER_HEADERS.items()}
    with tempfile.TemporaryDirectory() as folder:
        return parse_insider_dataset(
            write_insider_dataset(Path(folder) / "q.zip", tables | {"NONDERIV_TRANS.tsv": transactions})
        )


def _read_actions_csv(body: bytes):
    """A corporate-actions CSV file holding `body`, as read."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "actions.csv"
        path.write_bytes(body)
        return read_actions_file(path)


def _data_lines(body: bytes) -> int:
    return sum(1 for line in body.split(b"\n")[1:] if line.rstrip(b"\r"))


def _records_in(body: bytes, key: str) -> int:
    return len(json.loads(body).get(key) or [])  # an absent or null list holds no record


# For the parsers of record lists: every input record is a row or a quarantined record.
ACCOUNTED = {
    "news": lambda body, result: len(result[0]) + len(result[1]) == _records_in(body, "results"),
    "ratings": lambda body, result: len(result[0]) + len(result[1]) == _records_in(body, "ratings"),
    "grouped": lambda body, result: result[0].height + result[1].height == _records_in(body, "results"),
    "aggregates": lambda body, result: result[0].height + result[1].height == _records_in(body, "results"),
    "13f_dataset": lambda body, result: result[0].height + len(result[1]) == _data_lines(body),
    "day_aggregates": lambda body, result: result[0].height + result[1].height == _data_lines(body),
}


def _replace_a_value(document, path: list[int], value):
    """`document` with the JSON value reached by following `path` (indices modulo each container's
    size) replaced by `value`."""
    if not path or not isinstance(document, dict | list) or not document:
        return value
    keys = list(document) if isinstance(document, dict) else list(range(len(document)))
    key = keys[path[0] % len(keys)]
    copy = dict(document) if isinstance(document, dict) else list(document)
    copy[key] = _replace_a_value(document[key], path[1:], value)
    return copy


@st.composite
def mutated(draw, seeds: list[bytes]) -> bytes:
    body = draw(st.sampled_from(seeds))
    kind = draw(st.sampled_from(["flip", "cut", "value", "duplicate_key", "nesting", "insert"]))
    if kind == "flip":
        data = bytearray(body)
        for _ in range(draw(st.integers(1, 8))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(data)
    if kind == "cut":
        return body[: draw(st.integers(0, len(body)))]
    if kind == "insert":
        at = draw(st.integers(0, len(body)))
        return (
            body[:at]
            + draw(st.sampled_from([b"<", b"</DOCUMENT>", b'"', b"{", b"]", b"\x00", b"&amp;", b"\t", b"\n"]))
            + body[at:]
        )
    try:
        document = json.loads(body)
    except ValueError:
        return body[: len(body) // 2]  # XML and text seeds: a cut instead
    if kind == "value":
        path = draw(st.lists(st.integers(0, 10_000), min_size=1, max_size=8))
        value = draw(st.sampled_from(ODD_VALUES) | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=5))
        text = json.dumps(_replace_a_value(document, path, value))
        return text.replace('"1e400"', "1e400").replace("Infinity", "1e999").encode()
    if kind == "duplicate_key":
        text = body.decode("utf-8", "replace")
        at = text.find("{") + 1
        return (text[:at] + '"results": 1, "facts": [], "ratings": {}, ' + text[at:]).encode()
    depth = draw(st.integers(100, 5_000))
    return body.rstrip()[:-1] + b', "deep": ' + b"[" * depth + b"]" * depth + b"}"


@pytest.mark.real_data
@pytest.mark.parametrize("parser", list(PARSERS))
def test_a_parser_returns_or_refuses_with_its_own_error_whatever_the_bytes(parser, real_data, small_demo):
    seeds = _seeds(real_data, small_demo)[parser]
    for seed in seeds:  # the unmutated seeds parse
        PARSERS[parser](seed)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(mutated(seeds))
    def fuzz(body: bytes):
        TALLY[f"{parser} tried"] += 1
        try:
            result = PARSERS[parser](body)
        except SourceFormatError:
            TALLY[f"{parser} refused"] += 1
            return
        TALLY[f"{parser} quarantined records"] += _records(result)
        assert ACCOUNTED.get(parser, lambda *_: True)(body, result), "an input record is neither a row nor quarantined"

    fuzz()
    print(
        f"{parser}: {TALLY[f'{parser} tried']} inputs, {TALLY[f'{parser} refused']} refused as a whole, "
        f"{TALLY[f'{parser} quarantined records']} records quarantined, 0 crashed"
    )
