import json
from datetime import date

import polars as pl
import pytest

from ic_platform.sources.corporate_actions import as_traded, parse_polygon_actions, read_actions_file
from ic_platform.sources.documents import SourceFormatError


def test_polygon_splits_and_dividends_become_actions_and_bad_records_are_quarantined():
    document = {
        "results": [
            {"ticker": "AAPL", "execution_date": "2020-08-31", "split_from": 1, "split_to": 4},
            {"ticker": "GE", "execution_date": "2021-08-02", "split_from": 8, "split_to": 1},  # reverse
            {"ticker": "KO", "ex_dividend_date": "2021-03-12", "cash_amount": 0.42, "declaration_date": "2021-02-18"},
            {"ticker": "KO", "ex_dividend_date": "2021-03-12", "cash_amount": 0.1, "dividend_type": "SC"},
            {"ticker": "SHOP", "execution_date": "2022-06-29", "split_from": 0, "split_to": 10},
            {"ticker": "RY", "ex_dividend_date": "2021-03-12", "cash_amount": 1.08, "currency": "CAD"},
            {"ticker": "X", "note": "something else"},
            "not an object",
        ]
    }
    actions, quarantined = parse_polygon_actions(json.dumps(document), "splits.json")
    assert actions.select("ticker", "ex_date", "kind", "ratio", "cash_amount", "declared_date").rows() == [
        ("AAPL", date(2020, 8, 31), "split", 4.0, None, None),
        ("KO", date(2021, 3, 12), "cash_dividend", None, pytest.approx(0.52), date(2021, 2, 18)),  # summed
        ("GE", date(2021, 8, 2), "split", 0.125, None, None),
    ]
    assert quarantined.get_column("reason").to_list() == [
        "split_from 0.0 is not a positive number",
        "paid in CAD, not in the bars' dollars",
        "neither a split (split_from, split_to) nor a dividend (cash_amount)",
        "not an object",
    ]
    with pytest.raises(SourceFormatError, match="no 'results' list"):
        parse_polygon_actions(b'{"status": "OK"}', "splits.json")


def test_a_csv_file_of_actions_with_a_reason_for_each_row_it_cannot_use(tmp_path):
    path = tmp_path / "actions.csv"
    path.write_text(
        "ticker,ex_date,kind,ratio,amount,declared_date\n"
        "AAPL,2014-06-09,split,7,,2014-04-23\n"
        "GE,2021-08-02,reverse_split,0.125,,\n"
        "XYZ,2021-08-02,spin_off,1.2,,\n"
        "AAPL,2014-05-08,cash_dividend,,3.29,\n"
        "BAD,2021-08-02,reverse_split,8,,\n"
        "BAD,someday,split,2,,\n"
        "BAD,2021-08-02,merger,2,,\n"
    )
    actions, quarantined = read_actions_file(path)
    assert actions.select("ticker", "kind", "ratio", "cash_amount").rows() == [
        ("AAPL", "cash_dividend", None, 3.29),
        ("AAPL", "split", 7.0, None),
        ("GE", "split", 0.125, None),
        ("XYZ", "spin_off", 1.2, None),
    ]
    assert [r.split(",")[0] for r in quarantined.get_column("reason")] == [
        "a reverse split's ratio is new shares per old share",
        "ex_date 'someday' is not a date",
        "kind 'merger' is not one of split",
    ]
    (tmp_path / "bad.csv").write_text("ticker,date\nAAPL,2014-06-09\n")
    with pytest.raises(SourceFormatError, match="missing columns"):
        read_actions_file(tmp_path / "bad.csv")


def test_split_adjusted_bars_are_turned_back_into_the_prices_traded():
    actions, _ = parse_polygon_actions(
        json.dumps({"results": [{"ticker": "AAPL", "execution_date": "2014-06-09", "split_from": 1, "split_to": 7}]}),
        "splits",
    )
    adjusted = pl.DataFrame(
        {
            "date": [date(2014, 6, 6), date(2014, 6, 9), date(2014, 6, 6)],
            "ticker": ["AAPL", "AAPL", "MSFT"],
            "close": [92.2243, 93.7, 41.48],
            "volume": [87_484_000.0, 75_415_000.0, 24_060_000.0],
        }
    )
    traded = as_traded(adjusted, actions, date(2018, 2, 7))
    assert traded.get_column("close").to_list() == pytest.approx([645.5701, 93.7, 41.48])
    assert traded.get_column("volume").to_list() == pytest.approx([87_484_000 / 7, 75_415_000.0, 24_060_000.0])
    # a file adjusted only up to a day before the split holds the prices traded already
    assert as_traded(adjusted, actions, date(2014, 6, 6)).equals(adjusted)
