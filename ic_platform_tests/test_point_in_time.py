"""The platform's first promise, tested on the whole graph: an input that becomes known only after
day D changes no row of any daily table dated on or before D.

The small demo is materialized over a window, then every kind of input gets a change that becomes
known after D (a close on D, a dividend going ex on D, facts filed on D including a re-tag, a news
article and an analyst rating published on D after the open, a Form 4 and a 13F accepted on D, a
split announced on D that goes ex later), and the window is run again. Every row dated on or before
D must be identical; each change must show in its table after D."""

import json
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from ic_platform.definitions import defs
from ic_platform.runner import materialize_window
from ic_platform.tables import DAILY_TABLES
from ic_platform_tests.defs.market.test_assets import demo_days

pytestmark = pytest.mark.slow  # the whole graph over windows, perturbed

DERIVED = [name for name in DAILY_TABLES if name != "daily_bars"]
WINDOW = 40  # trading days materialized
AFTER = 12  # trading days of the window after D


def _read(path: Path):
    return json.loads(path.read_text())


def _write(path: Path, document) -> None:
    path.write_text(json.dumps(document))


def _days(start: str, end: str) -> int:
    return (date.fromisoformat(end) - date.fromisoformat(start)).days


def _perturb_close(demo: Path, day: date) -> str:
    """A 30% higher close on D (known from D+1)."""
    path = demo / "polygon" / "grouped" / f"{day}.json"
    grouped = _read(path)
    bar = grouped["results"][0]
    bar["c"] = round(bar["c"] * 1.3, 2)
    bar["h"] = max(bar["h"], bar["c"])
    _write(path, grouped)
    return bar["T"]


def _perturb_dividend(demo: Path, day: date, ticker: str) -> None:
    """A $5 special dividend going ex on D (the bar of D carries it; D+1's returns may use it)."""
    path = demo / "polygon" / "dividends.json"
    dividends = _read(path)
    special = {"ticker": ticker, "cash_amount": 5.0, "currency": "USD", "dividend_type": "SC"}
    dividends["results"].append(special | {"declaration_date": str(day), "ex_dividend_date": str(day)})
    _write(path, dividends)


def _perturb_split(demo: Path, ex_day: date, ticker: str) -> None:
    """A 2-for-1 split of `ticker` going ex on a day after D, announced on D (its bars are left as
    they were, so from the ex-day on the ticker's adjusted prices step: the change shows)."""
    path = demo / "polygon" / "splits.json"
    splits = _read(path)
    splits["results"].append({"ticker": ticker, "execution_date": str(ex_day), "split_from": 1, "split_to": 2})
    _write(path, splits)


def _perturb_facts(demo: Path, day: date) -> int:
    """On D, a 10-K/A re-tags the latest fiscal year's contract revenue as `Revenues` (same value,
    a concept higher in the list) and a 10-Q/A halves the latest quarter's net income."""
    for path in sorted((demo / "edgar" / "companyfacts").glob("CIK*.json")):
        document = _read(path)
        gaap = document["facts"]["us-gaap"]
        contract = "RevenueFromContractWithCustomerExcludingAssessedTax"
        filed_on_d = any(p["filed"] == day.isoformat() for p in gaap[next(iter(gaap))]["units"]["USD"])
        if contract in gaap and "Revenues" not in gaap and not filed_on_d:
            break
    accession = f"{document['cik']:010d}-{day:%y}-999001"
    known = [p for p in gaap[contract]["units"]["USD"] if p["filed"] < day.isoformat()]
    fiscal_year = max((p for p in known if p["fp"] == "FY" and p["form"] == "10-K"), key=lambda p: p["end"])
    retag = fiscal_year | {"accn": accession, "form": "10-K/A", "filed": day.isoformat(), "frame": None}
    gaap["Revenues"] = {"label": "Revenues", "description": "Revenues", "units": {"USD": [retag]}}
    income = [p for p in gaap["NetIncomeLoss"]["units"]["USD"] if p["filed"] < day.isoformat()]
    quarters = [p for p in income if p["form"] == "10-Q" and _days(p["start"], p["end"]) < 100]
    quarter = max(quarters, key=lambda p: (p["end"], p["filed"]))
    restated = quarter | {"val": quarter["val"] * 0.5, "accn": accession, "form": "10-Q/A"}
    gaap["NetIncomeLoss"]["units"]["USD"].append(restated | {"filed": day.isoformat(), "frame": None})
    _write(path, document)
    return document["cik"]


def _perturb_news(demo: Path, day: date, ticker: str) -> None:
    """A glowing article on D at 10:00 New York (15:00 UTC), after the open: it counts from D+1."""
    path = demo / "polygon" / "news" / f"{day:%Y-%m}.json"
    news = _read(path)
    article = news["results"][0] | {
        "id": "perturbation-after-the-open",
        "published_utc": f"{day}T15:00:00Z",
        "tickers": [ticker],
        "title": f"{ticker} beats estimates, raises guidance on record profit and strong growth",
        "description": f"{ticker} reports record profit, strong growth and an upgrade.",
        "article_url": "https://www.benzinga.com/news/perturbation",
    }
    news["results"].append(article)
    _write(path, news)


def _perturb_rating(demo: Path, day: date, ticker: str) -> None:
    """A Strong Buy by a new firm on D at 14:00 New York, after the open: it counts from D+1."""
    path = demo / "ratings" / f"{day:%Y-%m}.json"
    ratings = _read(path)
    rating = ratings["ratings"][0] | {
        "id": "perturbationrating000001",
        "date": day.isoformat(),
        "time": "14:00:00",
        "ticker": ticker,
        "action_company": "Initiates Coverage On",
        "rating_current": "Strong Buy",
        "rating_prior": "",
        "analyst": "Perturbation Research",
        "analyst_name": "P. Analyst",
    }
    ratings["ratings"].append(rating)
    _write(path, ratings)


def _clone_filing(demo: Path, filer_cik: int, form: str, day: date, edit) -> str:
    """A copy of the filer's latest `form` accepted before D, accepted on D under a new accession,
    its text changed by `edit`; listed first in the filer's submissions."""
    path = demo / "edgar" / "submissions" / f"CIK{filer_cik:010d}.json"
    submissions = _read(path)
    recent = submissions["filings"]["recent"]
    rows = [i for i, f in enumerate(recent["form"]) if f == form and recent["filingDate"][i] < day.isoformat()]
    original = max(rows, key=lambda i: recent["filingDate"][i])
    old, new = recent["accessionNumber"][original], f"{filer_cik:010d}-{day:%y}-999002"
    text = (demo / "edgar" / "filings" / f"{old}.txt").read_text().replace(old, new)
    old_day = recent["filingDate"][original].replace("-", "")
    text = text.replace(f"FILED AS OF DATE:\t\t{old_day}", f"FILED AS OF DATE:\t\t{day:%Y%m%d}")
    text = text.replace(f" : {old_day}", f" : {day:%Y%m%d}")
    lines = [
        f"<ACCEPTANCE-DATETIME>{day:%Y%m%d}170000" if line.startswith("<ACCEPTANCE") else line
        for line in text.split("\n")
    ]
    (demo / "edgar" / "filings" / f"{new}.txt").write_text(edit("\n".join(lines)))
    for values in recent.values():
        values.insert(0, values[original])
    recent["accessionNumber"][0], recent["filingDate"][0] = new, day.isoformat()
    recent["acceptanceDateTime"][0] = f"{day}T17:00:00.000Z"
    _write(path, submissions)
    return new


def _bigger_first_amount(tag: str, factor: int):
    def edit(text: str) -> str:
        head, rest = text.split(f"<{tag}>", 1)
        value, tail = rest.split("<", 1)
        return f"{head}<{tag}>{int(float(value)) * factor}<{tail}"

    return edit


def _perturb_form4(demo: Path, day: date, issuer_cik: int) -> None:
    """A Form 4 of the issuer accepted on D (a copy of its latest, for ten times the shares)."""
    _clone_filing(demo, issuer_cik, "4", day, _bigger_first_amount("transactionShares><value", 10))


def _perturb_13f(demo: Path, day: date) -> None:
    """A 13F-HR accepted on D that replaces a manager's latest report, with three times its first holding."""
    manager = _read(demo / "manifest.json")["thirteenf_managers"][0]["cik"]
    _clone_filing(demo, manager, "13F-HR", day, _bigger_first_amount("sshPrnamt", 3))


def _tables(first: date, last: date) -> dict[str, pl.DataFrame]:
    return {name: table.scan(first, last).collect() for name, table in DAILY_TABLES.items()}


def _rows_on_or_before(frame: pl.DataFrame, day: date) -> pl.DataFrame:
    return frame.filter(pl.col("date") <= day).sort(frame.columns[:2])


def test_no_input_known_after_day_d_changes_any_row_on_or_before_d(demo_data_dir):
    demo = demo_data_dir / "demo"
    days = demo_days(demo_data_dir)
    window = days[-WINDOW - 20 : -20]
    day = window[-AFTER - 1]
    instance = dg.DagsterInstance.ephemeral()
    assert materialize_window(defs, window[0], window[-1], instance, progress=False).success
    before = _tables(window[0], window[-1])

    ticker = _perturb_close(demo, day)
    fact_cik = _perturb_facts(demo, day)
    scored = before["ic_scores"].filter(pl.col("date") == window[-1]).get_column("ticker").to_list()
    _perturb_news(demo, day, scored[0])
    _perturb_rating(demo, day, scored[1])
    tickers = _read(demo / "edgar" / "company_tickers.json")
    issuer = next(int(t["cik_str"]) for t in tickers.values() if t["ticker"] == scored[2])
    _perturb_form4(demo, day, issuer)
    _perturb_13f(demo, day)
    _perturb_dividend(demo, day, scored[3])
    _perturb_split(demo, window[-AFTER + 2], scored[4])
    # the changes appear in the files long after their day, as late arrivals would: the incremental
    # reads look only at what is new, so the rerun is a full refresh
    assert materialize_window(defs, window[0], window[-1], instance, progress=False, full_refresh=True).success
    after = _tables(window[0], window[-1])

    # daily_bars is itself an input: its row dated D holds D's close, which only D+1's rows may use
    changed_bars = after["daily_bars"].join(before["daily_bars"], on=after["daily_bars"].columns, how="anti")
    assert changed_bars.select("date", "ticker").rows() == [(day, ticker)]  # actions are not bars
    report = []
    for name in DERIVED:
        old, new = _rows_on_or_before(before[name], day), _rows_on_or_before(after[name], day)
        assert old.height > 0, name
        assert new.equals(old), f"{name}: rows on or before {day} changed"
        later_old = before[name].filter(pl.col("date") > day)
        later_new = after[name].filter(pl.col("date") > day)
        changed = later_new.join(later_old, on=later_new.columns, how="anti", nulls_equal=True).height
        report.append(
            f"{name:22} {old.height:6} rows on or before {day} identical, "
            f"{changed:5} of {later_new.height} after it changed"
        )
    print("\n".join(report))
    changed_after = {
        name: after[name]
        .filter(pl.col("date") > day)
        .join(before[name].filter(pl.col("date") > day), on=after[name].columns, how="anti", nulls_equal=True)
        for name in DERIVED
    }
    # each change was seen after D, in the table that reads it
    assert {ticker, scored[3], scored[4]} <= set(changed_after["technical_daily"].get_column("ticker"))
    assert fact_cik in changed_after["valuation_daily"].get_column("cik").to_list()
    assert scored[0] in changed_after["news_sentiment_daily"].get_column("ticker").to_list()
    assert scored[1] in changed_after["analyst_daily"].get_column("ticker").to_list()
    assert scored[2] in changed_after["insider_daily"].get_column("ticker").to_list()
    assert changed_after["institutional_daily"].height > 0
    assert changed_after["ic_scores"].height > 0
    assert (day + timedelta(days=1)) <= changed_after["ic_scores"].get_column("date").min()
