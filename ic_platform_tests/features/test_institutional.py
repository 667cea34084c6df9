from datetime import date

import polars as pl
import pytest

from ic_platform.features import institutional

DAYS = [date(2024, 3, 4), date(2024, 3, 5), date(2024, 3, 6)]


def test_institutional_ownership_uses_each_managers_latest_known_report():
    filings = pl.DataFrame(
        {
            "accession": ["m1q3", "m1q4", "m2q4", "m1q3late"],
            "manager_cik": [1, 1, 2, 1],
            "period": [date(2023, 9, 30), date(2023, 12, 31), date(2023, 12, 31), date(2023, 9, 30)],
            "knowledge_date": [date(2023, 11, 14), date(2024, 3, 5), date(2024, 3, 6), date(2024, 3, 6)],
        }
    )
    holdings = pl.DataFrame(
        {
            "accession": ["m1q3", "m1q4", "m2q4", "m1q3late"],
            "ticker": ["AAA"] * 4,
            "shares": [100.0, 150.0, 50.0, 999.0],
        }
    )
    outstanding = pl.DataFrame(
        {
            "date": DAYS,
            "ticker": ["AAA"] * 3,
            "close_date": DAYS,
            "shares_outstanding": [1000.0] * 3,
            "shares_known": DAYS,
        }
    )
    daily = institutional.institutional_daily(
        institutional.institutional_levels(filings, holdings), outstanding, DAYS
    ).to_dicts()
    assert [d["shares_held"] for d in daily] == [100.0, 150.0, 200.0]  # the late Q3 filing never replaces the Q4 report
    assert [d["institutional_holders"] for d in daily] == [1, 1, 2]
    assert daily[1]["institutional_ownership"] == 0.15 and daily[1]["institutional_ownership_change"] == 0.5
    assert [d["inputs_knowledge_date"] for d in daily] == DAYS


def test_a_stock_sold_out_of_or_a_stale_report_leaves_no_institutional_row():
    filings = pl.DataFrame(
        {
            "accession": ["q3", "q4"],
            "manager_cik": [1, 1],
            "period": [date(2023, 9, 30), date(2023, 12, 31)],
            "knowledge_date": [date(2023, 11, 14), date(2024, 3, 5)],
        }
    )
    holdings = pl.DataFrame(
        {"accession": ["q3", "q3", "q4"], "ticker": ["AAA", "BBB", "AAA"], "shares": [100.0, 10.0, 150.0]}
    )
    days = [date(2024, 3, 4), date(2024, 3, 5), date(2024, 7, 19)]  # Q4 + 200 days = 2024-07-18
    outstanding = pl.DataFrame(
        {
            "date": days * 2,
            "ticker": ["AAA"] * 3 + ["BBB"] * 3,
            "close_date": days * 2,
            "shares_outstanding": [1000.0] * 6,
            "shares_known": days * 2,
        }
    )
    daily = institutional.institutional_daily(institutional.institutional_levels(filings, holdings), outstanding, days)
    assert daily.select("date", "ticker", "shares_held").rows() == [
        (date(2024, 3, 4), "AAA", 100.0),
        (date(2024, 3, 4), "BBB", 10.0),
        (date(2024, 3, 5), "AAA", 150.0),
    ]  # BBB sold out of in Q4; on 2024-07-19 the Q4 report is stale


def test_shares_reported_before_a_split_count_on_the_basis_of_the_close():
    filings = pl.DataFrame(
        {
            "accession": ["q4"],
            "manager_cik": [1],
            "period": [date(2023, 12, 31)],
            "knowledge_date": [date(2024, 2, 14)],
        }
    )
    holdings = pl.DataFrame({"accession": ["q4"], "ticker": ["AAA"], "shares": [100.0]})
    # AAA split 7-for-1 going ex on 2024-03-05: the day after, the shares outstanding are on the new basis
    splits = pl.DataFrame({"ticker": ["AAA"], "date": [date(2024, 3, 5)], "split_index": [7.0]})
    close_dates = [date(2024, 3, 1), date(2024, 3, 4), date(2024, 3, 5)]
    outstanding = pl.DataFrame(
        {
            "date": DAYS,
            "ticker": ["AAA"] * 3,
            "close_date": close_dates,
            "shares_outstanding": [1000.0, 1000.0, 7000.0],
            "shares_known": DAYS,
        }
    )
    levels = institutional.institutional_levels(filings, holdings, splits)
    daily = institutional.institutional_daily(levels, outstanding, DAYS, splits)
    assert daily.get_column("shares_held").to_list() == [100.0, 100.0, pytest.approx(700.0)]
    assert daily.get_column("institutional_ownership").to_list() == [0.1, 0.1, pytest.approx(0.1)]
