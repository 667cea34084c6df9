from datetime import date, datetime, timezone

import polars as pl
import pytest

from ic_platform.features import alternative

DAYS = [date(2024, 3, 4), date(2024, 3, 5), date(2024, 3, 6)]


def transaction(accession, code, shares, price, transaction_day, known, owner=1, index=0, form="4", owners=1):
    return {"accession": accession, "form": form, "issuer_cik": 10, "ticker": "AAA", "period_of_report": transaction_day, "owner_cik": owner,
            "transaction_index": index, "owner_count": owners, "is_derivative": False, "code": code, "shares": float(shares),
            "price": price, "transaction_date": transaction_day, "knowledge_date": known}


def test_insider_buying_counts_filings_from_their_knowledge_date_and_joint_filings_once():
    rows = pl.DataFrame([
        transaction("a", "P", 100, 10.0, date(2024, 2, 1), date(2024, 2, 2)),
        transaction("b", "S", 50, 20.0, date(2024, 3, 1), date(2024, 3, 5), owner=2),
        transaction("c", "P", 10, 5.0, date(2024, 3, 4), date(2024, 3, 5), owner=3, owners=2),
        transaction("c", "P", 10, 5.0, date(2024, 3, 4), date(2024, 3, 5), owner=4, owners=2),  # joint filing: counted once
        transaction("d", "P", 1000, 1.0, date(2024, 3, 5), date(2024, 3, 7), owner=5),  # known after the window: never used
        transaction("e", "A", 500, None, date(2024, 3, 1), date(2024, 3, 4), owner=1),  # a grant: no value
    ])
    daily = alternative.insider_daily(rows, DAYS).to_dicts()
    assert daily[0] == {"date": date(2024, 3, 4), "ticker": "AAA", "insider_net_buying_30d": 0.0, "insider_net_buying_90d": 1000.0,
                        "insider_buyers_90d": 1, "insider_transactions_90d": 2, "inputs_knowledge_date": date(2024, 3, 4)}
    assert daily[1]["insider_net_buying_30d"] == -1000 + 50 and daily[1]["insider_net_buying_90d"] == 1000 - 1000 + 50
    assert daily[1]["insider_buyers_90d"] == 3 and daily[2]["inputs_knowledge_date"] == date(2024, 3, 5)


def test_an_amendment_replaces_its_original_from_the_day_it_is_known():
    rows = pl.DataFrame([
        transaction("orig", "P", 100, 10.0, date(2024, 3, 1), date(2024, 3, 4)),
        transaction("amend", "P", 10, 10.0, date(2024, 3, 1), date(2024, 3, 6), form="4/A"),
    ])
    daily = alternative.insider_daily(rows, DAYS)
    assert daily.get_column("insider_net_buying_30d").to_list() == [1000.0, 1000.0, 100.0]


def test_institutional_ownership_uses_each_managers_latest_known_report():
    filings = pl.DataFrame({"accession": ["m1q3", "m1q4", "m2q4", "m1q3late"], "manager_cik": [1, 1, 2, 1],
                            "period": [date(2023, 9, 30), date(2023, 12, 31), date(2023, 12, 31), date(2023, 9, 30)],
                            "knowledge_date": [date(2023, 11, 14), date(2024, 3, 5), date(2024, 3, 6), date(2024, 3, 6)]})
    holdings = pl.DataFrame({"accession": ["m1q3", "m1q4", "m2q4", "m1q3late"], "ticker": ["AAA"] * 4, "shares": [100.0, 150.0, 50.0, 999.0]})
    outstanding = pl.DataFrame({"date": DAYS, "ticker": ["AAA"] * 3, "shares_outstanding": [1000.0] * 3, "shares_known": DAYS})
    daily = alternative.institutional_daily(alternative.institutional_levels(filings, holdings), outstanding, DAYS).to_dicts()
    assert [d["shares_held"] for d in daily] == [100.0, 150.0, 200.0]  # the late Q3 filing never replaces the Q4 report
    assert [d["institutional_holders"] for d in daily] == [1, 1, 2]
    assert daily[1]["institutional_ownership"] == 0.15 and daily[1]["institutional_ownership_change"] == 0.5
    assert [d["inputs_knowledge_date"] for d in daily] == DAYS


def test_ratings_and_news_count_only_when_published_before_the_open():
    utc = timezone.utc
    published = pl.Series([datetime(2024, 3, 4, 14, 0, tzinfo=utc), datetime(2024, 3, 4, 15, 0, tzinfo=utc), datetime(2024, 3, 2, 15, 0, tzinfo=utc)])
    assert alternative.before_open_knowledge_date(published).to_list() == [date(2024, 3, 4), date(2024, 3, 5), date(2024, 3, 4)]  # 9:00, 10:00 ET, Saturday
    articles = pl.DataFrame({"ticker": ["AAA"] * 3, "published_utc": published, "sentiment": [1.0, -1.0, 0.5],
                             "knowledge_date": alternative.before_open_knowledge_date(published)})
    news = alternative.news_sentiment_daily(articles, DAYS).to_dicts()
    assert news[0]["sentiment_7d"] == 0.75 and news[0]["articles_7d"] == 2 and news[0]["inputs_knowledge_date"] == date(2024, 3, 4)
    assert news[1]["articles_7d"] == 3 and news[1]["inputs_knowledge_date"] == date(2024, 3, 5)
    ratings = pl.DataFrame({"ticker": ["AAA"] * 3, "firm": ["F1", "F2", "F1"], "published_utc": published, "rating_score": [5.0, 1.0, 3.0],
                            "price_target": [120.0, 80.0, None], "knowledge_date": alternative.before_open_knowledge_date(published)})
    closes = pl.DataFrame({"date": DAYS, "ticker": ["AAA"] * 3, "close": [100.0] * 3, "close_known": DAYS})
    analysts = alternative.analyst_daily(alternative.analyst_levels(ratings), closes, DAYS).to_dicts()
    assert analysts[0]["analyst_mean_rating"] == 5.0 and analysts[0]["analysts"] == 1 and analysts[0]["price_target_upside"] == pytest.approx(0.2)
    assert analysts[1]["analyst_mean_rating"] == 3.0 and analysts[1]["price_target_upside"] == 0.0


def test_a_stock_sold_out_of_or_a_stale_report_leaves_no_institutional_row():
    filings = pl.DataFrame({"accession": ["q3", "q4"], "manager_cik": [1, 1], "period": [date(2023, 9, 30), date(2023, 12, 31)],
                            "knowledge_date": [date(2023, 11, 14), date(2024, 3, 5)]})
    holdings = pl.DataFrame({"accession": ["q3", "q3", "q4"], "ticker": ["AAA", "BBB", "AAA"], "shares": [100.0, 10.0, 150.0]})
    days = [date(2024, 3, 4), date(2024, 3, 5), date(2024, 7, 19)]  # Q4 + 200 days = 2024-07-18
    outstanding = pl.DataFrame({"date": days * 2, "ticker": ["AAA"] * 3 + ["BBB"] * 3, "shares_outstanding": [1000.0] * 6, "shares_known": days * 2})
    daily = alternative.institutional_daily(alternative.institutional_levels(filings, holdings), outstanding, days)
    assert daily.select("date", "ticker", "shares_held").rows() == [
        (date(2024, 3, 4), "AAA", 100.0), (date(2024, 3, 4), "BBB", 10.0), (date(2024, 3, 5), "AAA", 150.0),
    ]  # BBB sold out of in Q4; on 2024-07-19 the Q4 report is stale


def test_a_rating_counts_until_the_firm_rates_again_or_90_days_pass():
    published = pl.Series([datetime(2024, 1, 2, 12, 0, tzinfo=timezone.utc), datetime(2024, 2, 1, 12, 0, tzinfo=timezone.utc)])
    ratings = pl.DataFrame({"ticker": ["AAA", "AAA"], "firm": ["F1", "F2"], "published_utc": published, "rating_score": [5.0, 1.0],
                            "price_target": [110.0, None], "knowledge_date": alternative.before_open_knowledge_date(published)})
    days = [date(2024, 1, 2), date(2024, 3, 29), date(2024, 4, 1), date(2024, 4, 30), date(2024, 5, 1)]
    closes = pl.DataFrame({"date": days, "ticker": ["AAA"] * 5, "close": [100.0] * 5, "close_known": days})
    rows = alternative.analyst_daily(alternative.analyst_levels(ratings), closes, days)
    # F1 counts up to 2024-03-31 (90 days after publication), F2 up to 2024-04-30; nothing after
    assert rows.select("date", "analyst_mean_rating", "analysts").rows() == [
        (date(2024, 1, 2), 5.0, 1), (date(2024, 3, 29), 3.0, 2), (date(2024, 4, 1), 1.0, 1), (date(2024, 4, 30), 1.0, 1),
    ]
    assert rows.get_column("price_target_upside").to_list()[:2] == [pytest.approx(0.1), pytest.approx(0.1)]
    assert rows.get_column("price_target_upside")[2:].to_list() == [None, None]
