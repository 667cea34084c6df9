import json
from datetime import date

import pytest

from ic_platform.sources.documents import SourceFormatError
from ic_platform.sources.polygon_files import parse_grouped_daily

DAY = date(2023, 1, 3)


@pytest.mark.real_data
def test_real_polygon_bars_parse(real_data):
    document = json.loads((real_data / "prices" / "polygon_aggs_AAPL_2023-01-01_2023-01-10.json").read_text())
    grouped = {"status": "OK", "results": [dict(document["results"][0], T="AAPL")]}
    bars, quarantined = parse_grouped_daily(json.dumps(grouped), DAY, "aggs")
    assert quarantined.height == 0
    assert bars.row(0, named=True) == {
        "date": DAY,
        "ticker": "AAPL",
        "open": 130.28,
        "high": 130.9,
        "low": 124.17,
        "close": 125.07,
        "volume": 112117471.0,
        "vwap": 125.725,
        "transactions": 1021065,
    }


def test_bad_rows_are_quarantined_with_reasons():
    rows = [
        {"T": "A", "o": 1, "h": 2, "l": 0.5, "c": 1.5, "v": 10},
        {"T": "A", "o": 1, "h": 2, "l": 0.5, "c": 1.5, "v": 10},
        {"T": "B", "o": 1, "h": 0.9, "l": 0.5, "c": 1.5, "v": 10},
        {"T": "C", "o": "x", "h": 2, "l": 0.5, "c": 1.5, "v": 10},
        {"T": "D", "o": 1, "h": 2, "l": 0.5, "c": 1.5, "v": -1},
        "not a row",
    ]
    bars, quarantined = parse_grouped_daily(json.dumps({"status": "OK", "results": rows}), DAY, "day.json")
    assert bars.get_column("ticker").to_list() == ["A"]
    assert quarantined.get_column("reason").to_list() == [
        "duplicate ticker for the day",
        "high/low do not contain open and close",
        "a price or the volume is not a number",
        "negative volume",
        "row is not an object",
    ]
    assert set(quarantined.get_column("source")) == {"day.json"}


def test_an_error_response_or_broken_json_is_a_clear_error():
    with pytest.raises(SourceFormatError, match="not a successful aggregates response"):
        parse_grouped_daily('{"status": "ERROR", "error": "bad key"}', DAY, "day.json")
    with pytest.raises(SourceFormatError, match="malformed JSON"):
        parse_grouped_daily('{"status": "OK", "results": [', DAY, "day.json")
