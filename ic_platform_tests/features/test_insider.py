from datetime import date

import polars as pl

from ic_platform.features import insider

DAYS = [date(2024, 3, 4), date(2024, 3, 5), date(2024, 3, 6)]


def transaction(accession, code, shares, price, transaction_day, known, owner=1, index=0, form="4", owners=1):
    return {
        "accession": accession,
        "form": form,
        "issuer_cik": 10,
        "ticker": "AAA",
        "period_of_report": transaction_day,
        "owner_cik": owner,
        "transaction_index": index,
        "owner_count": owners,
        "is_derivative": False,
        "code": code,
        "shares": float(shares),
        "price": price,
        "transaction_date": transaction_day,
        "knowledge_date": known,
    }


def test_insider_buying_counts_filings_from_their_knowledge_date_and_joint_filings_once():
    rows = pl.DataFrame(
        [
            transaction("a", "P", 100, 10.0, date(2024, 2, 1), date(2024, 2, 2)),
            transaction("b", "S", 50, 20.0, date(2024, 3, 1), date(2024, 3, 5), owner=2),
            transaction("c", "P", 10, 5.0, date(2024, 3, 4), date(2024, 3, 5), owner=3, owners=2),
            transaction(
                "c", "P", 10, 5.0, date(2024, 3, 4), date(2024, 3, 5), owner=4, owners=2
            ),  # joint filing: counted once
            transaction(
                "d", "P", 1000, 1.0, date(2024, 3, 5), date(2024, 3, 7), owner=5
            ),  # known after the window: never used
            transaction("e", "A", 500, None, date(2024, 3, 1), date(2024, 3, 4), owner=1),  # a grant: no value
        ]
    )
    daily = insider.insider_daily(rows, DAYS).to_dicts()
    assert daily[0] == {
        "date": date(2024, 3, 4),
        "ticker": "AAA",
        "insider_net_buying_30d": 0.0,
        "insider_net_buying_90d": 1000.0,
        "insider_buyers_90d": 1,
        "insider_transactions_90d": 2,
        "inputs_knowledge_date": date(2024, 3, 4),
    }
    assert daily[1]["insider_net_buying_30d"] == -1000 + 50 and daily[1]["insider_net_buying_90d"] == 1000 - 1000 + 50
    assert daily[1]["insider_buyers_90d"] == 3 and daily[2]["inputs_knowledge_date"] == date(2024, 3, 5)


def test_an_amendment_replaces_its_original_from_the_day_it_is_known():
    rows = pl.DataFrame(
        [
            transaction("orig", "P", 100, 10.0, date(2024, 3, 1), date(2024, 3, 4)),
            transaction("amend", "P", 10, 10.0, date(2024, 3, 1), date(2024, 3, 6), form="4/A"),
        ]
    )
    daily = insider.insider_daily(rows, DAYS)
    assert daily.get_column("insider_net_buying_30d").to_list() == [1000.0, 1000.0, 100.0]
