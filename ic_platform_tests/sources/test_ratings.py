import csv
import io
import json
from datetime import UTC, datetime

from ic_platform.sources.ratings import parse_ratings, rating_score


def test_rating_texts_map_to_the_five_point_scale():
    assert [
        rating_score(t)
        for t in (
            "Strong Buy",
            "Outperform",
            "Overweight",
            "Market Perform",
            "Equal-Weight",
            "Underweight",
            "Underperform",
            "Sell",
            "Strong Sell",
        )
    ] == [5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert rating_score("  sector   PERFORM ") == 3 and rating_score("Speculative") is None


def test_ratings_parse_to_utc_and_unknown_ratings_are_quarantined():
    payload = json.dumps(
        {
            "ratings": [
                {
                    "id": "r1",
                    "date": "2024-07-01",
                    "time": "07:05:00",
                    "ticker": "abc",
                    "analyst": "Needham",
                    "analyst_name": "N. Analyst",
                    "action_company": "Upgrades",
                    "rating_current": "Outperform",
                    "pt_current": "120.50",
                },
                {
                    "id": "r2",
                    "date": "2024-07-01",
                    "time": "08:00:00",
                    "ticker": "ABC",
                    "analyst": "UBS",
                    "rating_current": "Spicy",
                    "pt_current": "",
                },
                {"id": "r3", "date": "2024-07-01", "ticker": "", "analyst": "UBS", "rating_current": "Buy"},
            ]
        }
    )
    rows, quarantined = parse_ratings(payload, "ratings.json")
    assert rows == [
        {
            "rating_id": "r1",
            "ticker": "ABC",
            "firm": "Needham",
            "analyst": "N. Analyst",
            "action": "Upgrades",
            "rating": "Outperform",
            "rating_score": 4.0,
            "price_target": 120.5,
            "published_utc": datetime(2024, 7, 1, 11, 5, tzinfo=UTC),
        }
    ]
    assert [q["reason"] for q in quarantined] == ["unknown rating 'Spicy'", "rating without a ticker or a firm"]


def test_a_ratings_csv_with_the_calendar_fields_reads_as_the_json_does(small_demo):
    document = json.loads(sorted((small_demo / "ratings").glob("*.json"))[0].read_text())
    fields = sorted({key for record in document["ratings"] for key in record})
    text = io.StringIO()
    writer = csv.DictWriter(text, fields)
    writer.writeheader()
    writer.writerows(document["ratings"])
    from_json = parse_ratings(json.dumps(document), "ratings.json")
    from_csv = parse_ratings(text.getvalue().encode(), "ratings.csv")
    assert from_csv[0] == from_json[0] and len(from_csv[0]) == len(document["ratings"])
    rows, quarantined = parse_ratings(b"date,ticker,analyst,rating_current\n2024-07-01,ABC,UBS,Spicy\n", "r.csv")
    assert rows == [] and quarantined[0]["reason"] == "unknown rating 'Spicy'"
