import hashlib
import json
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import date

import polars as pl
import pytest

from ic_platform.demo.generator import DemoOptions, generate
from ic_platform.sources.edgar_files import parse_form_index
from ic_platform.sources.edgar_submission import parse_submission
from ic_platform.sources.market_data import DemoBars
from ic_platform.sources.thirteenf import DOLLAR_VALUES_FROM, parse_thirteenf_submission
from ic_platform_tests.conftest import SMALL_DEMO


def digests(folder):
    """Each file's digest; the manifest's without the time it was generated at."""

    def content(path):
        if path.name != "manifest.json":
            return path.read_bytes()
        return json.dumps(json.loads(path.read_bytes()) | {"generated_at": None}).encode()

    return {
        str(p.relative_to(folder)): hashlib.sha256(content(p)).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def load(path):
    return json.loads(path.read_text())


def test_same_seed_same_bytes_and_another_seed_differs(small_demo, tmp_path):
    again = tmp_path / "again"
    generate(again, SMALL_DEMO)
    assert digests(again) == digests(small_demo)
    other = tmp_path / "other"
    generate(other, DemoOptions(companies=30, years=1, seed=12))
    assert digests(other) != digests(small_demo)


def test_every_file_parses_with_standard_json_and_xml_parsers(small_demo):
    files = [p for p in small_demo.rglob("*") if p.is_file()]
    for path in files:
        if path.suffix == ".json":
            json.loads(path.read_text())
        elif path.suffix == ".csv":  # the sector table
            assert pl.read_csv(path).columns == ["ticker", "cik", "gics_sector"]
        elif path.suffix == ".idx":  # EDGAR's daily form index
            assert all(
                f["filed"].strftime("%Y%m%d") in path.name for f in parse_form_index(path.read_text(), path.name)
            )
        else:  # full EDGAR submissions: every embedded XML document parses
            assert path.suffix == ".txt", path
            submission = parse_submission(path.read_text(), path.name)
            assert submission.xml_documents and all(
                ET.fromstring(xml) is not None for _, xml in submission.xml_documents
            )
    kinds = {p.relative_to(small_demo).parts[1] for p in files if len(p.relative_to(small_demo).parts) > 2}
    assert {"company_tickers.json", "submissions", "companyfacts", "filings", "grouped", "news"} <= kinds | {
        "company_tickers.json"
    }


def test_universe_covers_every_sector_and_the_requested_trading_days(small_demo):
    manifest = load(small_demo / "manifest.json")
    assert manifest["companies"] == 30 and manifest["trading_days"] == 252
    tickers = load(small_demo / "edgar" / "company_tickers.json")
    sics = {
        load(small_demo / "edgar" / "submissions" / f"CIK{t['cik_str']:010d}.json")["sic"] for t in tickers.values()
    }
    assert len(sics) >= 11
    assert len(list((small_demo / "polygon" / "grouped").glob("*.json"))) == 252
    # a few ticker-days are missing inside trading lives
    assert manifest["bars"] < 30 * 252


def facts_of(small_demo, ticker):
    tickers = {t["ticker"]: t["cik_str"] for t in load(small_demo / "edgar" / "company_tickers.json").values()}
    return load(small_demo / "edgar" / "companyfacts" / f"CIK{tickers[ticker]:010d}.json")["facts"]


def test_companyfacts_report_like_real_filers(small_demo):
    manifest = load(small_demo / "manifest.json")
    facts = facts_of(small_demo, manifest["restated"][0])
    revenue_concept = next(
        c for c in ("Revenues", "RevenueFromContractWithCustomerExcludingAssessedTax") if c in facts["us-gaap"]
    )
    points = facts["us-gaap"][revenue_concept]["units"]["USD"]
    ten_k_durations = {
        (date.fromisoformat(p["end"]) - date.fromisoformat(p["start"])).days for p in points if p["form"] == "10-K"
    }
    assert min(ten_k_durations) > 300  # 10-Ks report years only: Q4 must be derived
    assert {p["form"] for p in points} >= {"10-Q", "10-K", "10-K/A"}
    versions = defaultdict(set)
    for p in points:
        versions[(p["start"], p["end"])].add((p["filed"], p["val"]))
    assert any(len({v for _, v in vs}) > 1 for vs in versions.values())  # a restated period keeps both values
    assert any(len(vs) > 1 for vs in versions.values())  # prior periods re-reported in later filings
    assert "InterestExpense" not in facts_of(small_demo, manifest["missing_concepts"][0])["us-gaap"]


def test_late_filers_file_later(small_demo):
    manifest = load(small_demo / "manifest.json")

    def median_lag(ticker):
        facts = facts_of(small_demo, ticker)["us-gaap"]["Assets"]["units"]["USD"]
        lags = sorted(
            (date.fromisoformat(p["filed"]) - date.fromisoformat(p["end"])).days for p in facts if p["form"] == "10-Q"
        )
        return lags[len(lags) // 2]

    on_time = [
        t["ticker"]
        for t in load(small_demo / "edgar" / "company_tickers.json").values()
        if t["ticker"] not in manifest["late_filers"]
    ]
    assert median_lag(manifest["late_filers"][0]) > median_lag(on_time[0]) + 20


def test_the_split_shows_in_unadjusted_bars(small_demo):
    split = load(small_demo / "polygon" / "splits.json")["results"][0]
    days = sorted(p.stem for p in (small_demo / "polygon" / "grouped").glob("*.json"))
    after = days.index(split["execution_date"])

    def close(day):
        rows = load(small_demo / "polygon" / "grouped" / f"{day}.json")["results"]
        return next(r["c"] for r in rows if r["T"] == split["ticker"])

    assert 2.5 < close(days[after - 1]) / close(days[after]) < 6


def test_dividends_are_declared_before_going_ex_and_read_as_actions_of_their_ex_day(small_demo):
    dividends = load(small_demo / "polygon" / "dividends.json")["results"]
    assert len(dividends) >= 3 and all(d["declaration_date"] < d["ex_dividend_date"] for d in dividends)
    split = load(small_demo / "polygon" / "splits.json")["results"][0]
    payer = [d for d in dividends if d["ticker"] == split["ticker"]]  # the split company pays too
    before = [d for d in payer if d["ex_dividend_date"] < split["execution_date"]]
    after = [d for d in payer if d["ex_dividend_date"] >= split["execution_date"]]
    assert before and after and 2.5 < before[-1]["cash_amount"] / after[0]["cash_amount"] < 6  # as paid
    day = dividends[0]["ex_dividend_date"]
    actions, quarantined = DemoBars(small_demo).actions(None)
    assert quarantined.is_empty()
    paid = {d["ticker"]: d["cash_amount"] for d in dividends if d["ex_dividend_date"] == day}
    read = actions.filter((pl.col("kind") == "cash_dividend") & (pl.col("ex_date") == date.fromisoformat(day)))
    assert dict(read.select("ticker", "cash_amount").iter_rows()) == pytest.approx(paid)
    splits = actions.filter(pl.col("kind") == "split").select("ticker", "ex_date", "ratio").rows()
    assert splits == [(split["ticker"], date.fromisoformat(split["execution_date"]), 4.0)]


def test_each_trading_day_has_a_form_index_listing_the_filings_of_the_submissions(small_demo):
    indexes = sorted((small_demo / "edgar" / "daily-index").glob("form.*.idx"))
    assert len(indexes) == len(list((small_demo / "polygon" / "grouped").glob("*.json")))
    listed = [f for path in indexes for f in parse_form_index(path.read_text(), path.name)]
    days = {path.stem.removeprefix("form.") for path in indexes}
    filed = set()  # the filings of the demo's days (the submissions also list earlier ones)
    for path in (small_demo / "edgar" / "submissions").glob("CIK*.json"):
        recent = load(path)
        recent = recent["filings"]["recent"] if "filings" in recent else recent
        filed |= {
            (int(path.stem[3:13]), accession)
            for accession, day in zip(recent["accessionNumber"], recent["filingDate"])
            if day.replace("-", "") in days
        }
    assert {(f["cik"], f["accession"]) for f in listed} == filed
    assert {"4", "10-Q", "10-K", "13F-HR"} <= {f["form"] for f in listed}


def test_news_has_duplicates_and_submissions_have_an_overflow_page(small_demo):
    articles = [a for p in (small_demo / "polygon" / "news").glob("*.json") for a in load(p)["results"]]
    urls = [a["article_url"] for a in articles]
    assert len(urls) > len(set(urls))
    overflow = list((small_demo / "edgar" / "submissions").glob("CIK*-submissions-001.json"))
    assert len(overflow) == 1
    assert set(load(overflow[0])) >= {"accessionNumber", "filingDate", "form"}


def test_13f_values_switch_from_thousands_to_dollars_in_2023(tmp_path):
    out = tmp_path / "demo"
    generate(out, DemoOptions(companies=20, years=1, end=date(2023, 6, 30)))
    ratios = {}
    for path in (out / "edgar" / "filings").glob("*.txt"):
        if "13F-HR" not in path.read_text()[:600]:
            continue
        filing = parse_thirteenf_submission(path.read_text(), path.name)
        ratios[filing.filed] = (filing.holdings["reported_value"] / filing.holdings["shares"]).median()
    assert min(r for filed, r in ratios.items() if filed < DOLLAR_VALUES_FROM) < 1  # thousands: a fraction a share
    assert min(r for filed, r in ratios.items() if filed >= DOLLAR_VALUES_FROM) > 5  # dollars


def test_options_are_checked():
    with pytest.raises(ValueError, match="signal must be one of"):
        DemoOptions(signal="momentum")
    with pytest.raises(ValueError, match="at least 20 companies"):
        DemoOptions(companies=3)


def test_the_planted_signal_drifts_returns_only_when_asked(small_demo):
    import numpy as np

    from ic_platform.demo import generator
    from ic_platform.demo.edgar import AccessionNumbers, build_company_filings
    from ic_platform.demo.universe import make_companies
    from ic_platform.trading_days import last_trading_days

    rng = np.random.default_rng(1)
    days = last_trading_days(date(2026, 10, 30), 252)
    companies = make_companies(rng, 25, len(days))
    filings = [build_company_filings(rng, c, days[0], days[-1], AccessionNumbers())[:2] for c in companies]
    planted = generator._signal_drift(DemoOptions(companies=25), companies, days, filings)
    assert not generator._signal_drift(DemoOptions(companies=25, signal="none"), companies, days, filings).any()
    assert planted.std() > 0.0002
    assert np.abs(planted).max() <= 3 * DemoOptions().signal_strength
