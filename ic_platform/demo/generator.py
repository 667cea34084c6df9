"""Deterministic demo universe written in the real sources' formats, so the demo runs the real parsers.

Layout under the output folder (the same seed and options give the same bytes):

    manifest.json                                  options, trading days, planted signal, file counts
    edgar/company_tickers.json                     EDGAR ticker map
    edgar/submissions/CIK##########.json           filings index per company and 13F manager (+ overflow pages)
    edgar/companyfacts/CIK##########.json          XBRL facts per company
    edgar/filings/<accession>.txt                  full submissions of Form 4s (ownership XML) and 13F-HRs
    edgar/daily-index/form.YYYYMMDD.idx            each trading day's filings (EDGAR's daily form index)
                                                   (cover page and information table)
    polygon/grouped/YYYY-MM-DD.json                grouped daily bars, unadjusted, with gaps
    polygon/splits.json                            split events (reference splits format)
    polygon/dividends.json                         quarterly cash dividends (reference dividends format)
    polygon/news/YYYY-MM.json                      news articles, with duplicates
    ratings/YYYY-MM.json                           analyst rating actions
    sectors.csv                                    the companies' GICS sectors (a user's sector table)

With `hold_back` days, the whole simulation goes to `<out>.simulated` and `out` holds what its
sources had published by the end of the last day not held back (see `ic_platform.demo.publish`).
"""

import bisect
import json
import shutil
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from ic_platform.demo import edgar, feeds
from ic_platform.demo.publish import publish, simulated_dir
from ic_platform.demo.universe import MISLEADING_SIC_CODES, Company, PriceHistory, make_companies, simulate_prices
from ic_platform.sources.edgar_files import form_index_text
from ic_platform.trading_days import is_trading_day, last_trading_days, next_trading_day

DEFAULT_END = date(2026, 10, 30)
SIGNALS = ("none", "revenue_growth", "operating_margin")
TRADING_DAYS_PER_YEAR = 252
SUBMISSIONS_RECENT_LIMIT = 1000
OVERFLOW_DEMO_RECENT_LIMIT = 10  # one company's submissions spill into an overflow page, as large filers' do
SPLIT_RATIO = 4
MAX_HOLD_BACK = 60  # trading days a demo can hold back (a year's demo keeps most of its days published)
SPLIT_COMPANY = 5  # the company that splits SPLIT_RATIO-for-1 (half-way through the demo unless placed)
DIVIDEND_PAYERS = 3  # every third company pays a quarterly dividend (the split company among them)
DIVIDEND_INTERVAL = 63  # trading days between ex-dividend days
DECLARED_BEFORE = 15  # trading days from a dividend's declaration to its ex-dividend day
NEW_YORK = ZoneInfo("America/New_York")


@dataclass(frozen=True)
class DemoOptions:
    companies: int = 500
    years: int = 3
    seed: int = 7
    end: date = DEFAULT_END
    signal: str = "revenue_growth"
    signal_strength: float = 0.0006  # daily log-return drift per standard deviation of the signal
    hold_back: int = 0  # last trading days simulated but not yet published (`ic-platform advance-demo`)
    # trading days from the split's ex-date to the last day (None: the split is half-way through the
    # demo); place it among the held-back days to have `advance-demo` cross it
    split_days_before_end: int | None = None

    def __post_init__(self) -> None:
        if self.companies < 20:
            raise ValueError("the demo needs at least 20 companies (two per sector and a few more)")
        if not 1 <= self.years <= 15:
            raise ValueError("years must be between 1 and 15")
        if self.signal not in SIGNALS:
            raise ValueError(f"signal must be one of {', '.join(SIGNALS)}, not {self.signal!r}")
        if not 0 <= self.hold_back <= MAX_HOLD_BACK:
            raise ValueError(f"hold_back must be between 0 and {MAX_HOLD_BACK} trading days")
        if self.split_days_before_end is not None and not 0 <= self.split_days_before_end < MAX_HOLD_BACK:
            raise ValueError(f"split_days_before_end must be between 0 and {MAX_HOLD_BACK - 1} trading days")


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _write_json(path: Path, document) -> None:
    _write_text(path, json.dumps(document, separators=(",", ":")))


def _signal_drift(
    options: DemoOptions, companies: list[Company], days: list[date], company_filings: list[tuple[list, list]]
) -> np.ndarray:
    """Daily drift that rewards the chosen fundamental from the first trading day after its filing."""
    drift = np.zeros((len(companies), len(days)))
    if options.signal == "none":
        return drift
    line = "Revenue" if options.signal == "revenue_growth" else "OperatingIncomeLoss"
    events: list[tuple[int, int, float]] = []
    for company, (quarters, filings) in zip(companies, company_filings):
        by_end = {q.end: k for k, q in enumerate(quarters)}
        for filing in filings:
            k = by_end[filing.report_date]
            if filing.form == "10-K/A" or k < 7:
                continue
            trailing = sum(q.values[line] for q in quarters[k - 3 : k + 1])
            if options.signal == "revenue_growth":
                earlier = sum(q.values[line] for q in quarters[k - 7 : k - 3])
                value = trailing / earlier - 1
            else:
                value = trailing / sum(q.values["Revenue"] for q in quarters[k - 3 : k + 1])
            known_from = bisect.bisect_left(days, next_trading_day(filing.filed))
            events.append((company.index, known_from, value))
    values = np.array([v for _, _, v in events])
    mean, spread = values.mean(), values.std() or 1.0
    for index, known_from, value in sorted(events, key=lambda e: e[:2]):
        drift[index, known_from:] = options.signal_strength * np.clip((value - mean) / spread, -3, 3)
    return drift


def _write_bars(
    out: Path, rng, companies: list[Company], days: list[date], prices: PriceHistory, split: tuple[int, int]
) -> int:
    """Grouped daily files, unadjusted for the split, with a few missing ticker-days."""
    split_company, split_day = split
    missing = rng.random(prices.close.shape) < 0.0005
    missing[:, [0, -1]] = False
    written = 0
    for d, day in enumerate(days):
        timestamp = int(datetime.combine(day, time(0), NEW_YORK).timestamp() * 1000)
        results = []
        for company in companies:
            c = company.index
            if np.isnan(prices.close[c, d]) or missing[c, d]:
                continue
            factor = SPLIT_RATIO if (c == split_company and d < split_day) else 1
            o, h, lo, cl = (
                round(float(a[c, d]) * factor, 2) for a in (prices.open, prices.high, prices.low, prices.close)
            )
            h, lo = max(h, o, cl), min(lo, o, cl)
            volume = float(prices.volume[c, d]) / factor
            results.append(
                {
                    "T": company.ticker,
                    "v": volume,
                    "vw": round((h + lo + cl) / 3, 4),
                    "o": o,
                    "c": cl,
                    "h": h,
                    "l": lo,
                    "t": timestamp,
                    "n": int(volume // 120),
                }
            )
        written += len(results)
        _write_json(
            out / "polygon" / "grouped" / f"{day.isoformat()}.json",
            {
                "queryCount": len(results),
                "resultsCount": len(results),
                "adjusted": False,
                "results": results,
                "status": "OK",
                "request_id": f"demo-{day.isoformat()}",
            },
        )
    ticker = companies[split_company].ticker
    _write_json(
        out / "polygon" / "splits.json",
        {
            "results": [
                {
                    "id": f"E{ticker}{days[split_day]:%Y%m%d}",
                    "execution_date": days[split_day].isoformat(),
                    "split_from": 1,
                    "split_to": SPLIT_RATIO,
                    "ticker": ticker,
                }
            ],
            "status": "OK",
        },
    )
    return written


def _insider_filings(
    rng, companies: list[Company], days: list[date], prices: PriceHistory, accessions
) -> tuple[dict[int, list], dict[str, str]]:
    """Form 4 documents, about four per company and year: the filings per issuer and the XML by accession."""
    filings: dict[int, list] = defaultdict(list)
    documents = {}
    for company in companies:
        insiders = [
            (company.cik + 3_000_000 + j, f"{name} {company.ticker.title()}", title)
            for j, (name, title) in enumerate(
                (
                    ("Jordan", "Chief Executive Officer"),
                    ("Casey", "Chief Financial Officer"),
                    ("Morgan", "Director"),
                    ("Avery", "10% Owner"),
                )
            )
        ]
        holdings = {cik: int(rng.integers(20_000, 400_000)) for cik, _, _ in insiders}
        for d in np.sort(rng.integers(0, len(days) - 3, size=int(rng.poisson(4 * len(days) / TRADING_DAYS_PER_YEAR)))):
            close = prices.close[company.index, d]
            if np.isnan(close):
                continue
            code = str(rng.choice(edgar.TRANSACTION_CODES))
            owners = [insiders[int(rng.integers(3))]]
            if rng.random() < 0.08:
                owners = insiders[2:]  # a joint filing by a director and a 10% owner
            shares = int(rng.integers(1, 50)) * 100
            price = None if code in ("A", "G") else round(float(close * rng.uniform(0.99, 1.01)), 2)
            acquired = code in ("P", "A", "M")
            holdings[owners[0][0]] = max(0, holdings[owners[0][0]] + (shares if acquired else -shares))
            filed = days[min(d + int(rng.integers(1, 3)), len(days) - 1)]
            accession = accessions.next(owners[0][0], filed)
            acceptance = f"{filed.isoformat()}T{int(rng.integers(13, 23)):02d}:{int(rng.integers(60)):02d}:00.000Z"
            filing = edgar.Filing(accession, "4", filed, days[d], 0, "", acceptance, f"xslF345X05/{accession}.xml")
            xml = edgar.form4_xml(company, owners, days[d], code, shares, price, holdings[owners[0][0]])
            documents[accession] = edgar.full_submission(filing, owners[0][0], owners[0][1], [("4", "form4.xml", xml)])
            filings[company.index].append(filing)
    return filings, documents


def _thirteenf_filings(
    rng,
    out: Path,
    companies: list[Company],
    days: list[date],
    prices: PriceHistory,
    shares_outstanding: dict[int, float],
    accessions,
    manager_count: int,
    split: tuple[int, int],
) -> list[dict]:
    """Quarterly 13F-HR filings by demo managers; values in thousands before 2023, dollars after.
    Shares and prices are as of each report's period: the split company's after its split."""
    split_company, split_day = split
    managers = [(1_800_000 + 11 * m, f"Demo Capital Management {m + 1} LLC") for m in range(manager_count)]
    quarter_ends = sorted({date(d.year, m, [31, 30, 30, 31][m // 3 - 1]) for d in days for m in (3, 6, 9, 12)})
    submissions = []
    for cik, name in managers:
        portfolio = rng.choice(len(companies), size=min(len(companies), int(rng.integers(40, 150))), replace=False)
        filings = []
        for period in quarter_ends:
            filed = period + timedelta(days=int(rng.integers(30, 46)))
            filed = filed if is_trading_day(filed) else next_trading_day(filed)  # EDGAR files on business days
            position = bisect.bisect_right(days, period) - 1
            if filed > days[-1] or position < 0:
                continue
            in_thousands = filed < edgar.THIRTEEN_F_DOLLAR_VALUES_FROM
            holdings = []
            for c in sorted(portfolio):
                close = prices.close[c, position]
                if np.isnan(close) or rng.random() < 0.05:
                    continue
                after_split = c == split_company and position >= split_day
                shares = int(shares_outstanding[c] * rng.uniform(0.0005, 0.02) * (SPLIT_RATIO if after_split else 1))
                value = shares * float(close) * (1 if after_split or c != split_company else SPLIT_RATIO)
                holdings.append((companies[c], shares, round(value / 1000) if in_thousands else round(value)))
            filing = edgar.Filing(
                accessions.next(cik, filed),
                "13F-HR",
                filed,
                period,
                0,
                "",
                f"{filed.isoformat()}T16:30:00.000Z",
                "primary_doc.xml",
            )
            total = sum(v for _, _, v in holdings)
            documents = [
                ("13F-HR", "primary_doc.xml", edgar.thirteenf_cover_xml(cik, name, period, len(holdings), total)),
                ("INFORMATION TABLE", "infotable.xml", edgar.thirteenf_table_xml(holdings)),
            ]
            _write_text(
                out / "edgar" / "filings" / f"{filing.accession}.txt",
                edgar.full_submission(filing, cik, name, documents),
            )
            filings.append(filing)
        submissions.append((cik, name, filings))
    for cik, name, filings in submissions:
        manager = Company(
            -1, cik, "", name, "", "Financials", 6282, "Investment Advice", 12, False, False, False, False, 0
        )
        document, _ = edgar.submissions_json(manager, filings, SUBMISSIONS_RECENT_LIMIT)
        document |= {"entityType": "other", "tickers": [], "exchanges": [], "category": "Non-accelerated filer"}
        _write_json(out / "edgar" / "submissions" / f"CIK{cik:010d}.json", document)
    return [{"cik": cik, "name": name} for cik, name in managers]


def _by_month(records: list[dict], date_of) -> dict[str, list[dict]]:
    months: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        months[date_of(record)[:7]].append(record)
    return months


def _write_form_indexes(out: Path, days: list[date]) -> None:
    """EDGAR's daily form index of every trading day, from the submissions written (each filing under
    the filers whose submissions list it); a day without filings gets an index without lines."""
    by_day: dict[date, list[dict]] = defaultdict(list)
    names = {}
    for path in sorted((out / "edgar" / "submissions").glob("CIK*.json")):
        document = json.loads(path.read_text())
        cik = int(path.stem[3:13])
        if "filings" in document:
            names[cik], document = document["name"], document["filings"]["recent"]
        for accession, form, filed in zip(document["accessionNumber"], document["form"], document["filingDate"]):
            by_day[date.fromisoformat(filed)].append({"form": form, "cik": cik, "accession": accession})
    for day in days:
        filings = [f | {"name": names[f["cik"]]} for f in by_day.get(day, [])]
        _write_text(out / "edgar" / "daily-index" / f"form.{day:%Y%m%d}.idx", form_index_text(day, filings))


def _write_dividends(
    out: Path, seed: int, companies: list[Company], days: list[date], prices: PriceHistory, split: tuple[int, int]
) -> int:
    """Quarterly cash dividends of every DIVIDEND_PAYERS-th company, about 0.3-0.8% of the close before
    the declaration, in the units traded then (before the split, times its ratio), with their own
    random stream so that the rest of the demo stays as it was."""
    rng = np.random.default_rng([seed, 7])
    split_company, split_day = split
    results = []
    for company in companies[SPLIT_COMPANY % DIVIDEND_PAYERS :: DIVIDEND_PAYERS]:
        c, quarterly_yield = company.index, rng.uniform(0.003, 0.008)
        for ex in range(int(rng.integers(DECLARED_BEFORE + 1, DIVIDEND_INTERVAL)), len(days), DIVIDEND_INTERVAL):
            declared = ex - DECLARED_BEFORE
            close = prices.close[c, declared - 1]
            if np.isnan(close):  # not listed yet
                continue
            factor = SPLIT_RATIO if (c == split_company and ex < split_day) else 1
            results.append(
                {
                    "id": f"E{company.ticker}{days[ex]:%Y%m%d}D",
                    "ticker": company.ticker,
                    "cash_amount": round(float(close) * quarterly_yield * factor, 4),
                    "currency": "USD",
                    "declaration_date": days[declared].isoformat(),
                    "ex_dividend_date": days[ex].isoformat(),
                    "record_date": days[min(ex + 1, len(days) - 1)].isoformat(),
                    "pay_date": (days[ex] + timedelta(days=21)).isoformat(),
                    "dividend_type": "CD",
                    "frequency": 4,
                }
            )
    results.sort(key=lambda r: (r["ex_dividend_date"], r["ticker"]))
    _write_json(out / "polygon" / "dividends.json", {"results": results, "status": "OK"})
    return len(results)


def generate(out: Path, options: DemoOptions = DemoOptions()) -> dict:
    """Write the demo universe to `out` (replacing what is there) and return its manifest."""
    rng = np.random.default_rng(options.seed)
    days = last_trading_days(options.end, options.years * TRADING_DAYS_PER_YEAR)
    staging = out.with_name(out.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    companies = make_companies(rng, options.companies, len(days))
    accessions = edgar.AccessionNumbers()

    split_day = (
        len(days) // 2 if options.split_days_before_end is None else len(days) - 1 - options.split_days_before_end
    )
    split = (SPLIT_COMPANY, split_day)
    company_filings, facts_documents = [], []
    for company in companies:
        company_split = (days[split[1]], SPLIT_RATIO) if company.index == SPLIT_COMPANY else None
        quarters, filings, facts = edgar.build_company_filings(
            rng, company, days[0], days[-1], accessions, company_split
        )
        company_filings.append((quarters, filings))
        facts_documents.append(facts)
    prices = simulate_prices(rng, companies, len(days), _signal_drift(options, companies, days, company_filings))
    bar_count = _write_bars(staging, rng, companies, days, prices, split)

    insider_filings, form4_documents = _insider_filings(rng, companies, days, prices, accessions)
    for accession, document in form4_documents.items():
        _write_text(staging / "edgar" / "filings" / f"{accession}.txt", document)
    tickers = {}
    for company, (_, filings), facts in zip(companies, company_filings, facts_documents):
        tickers[str(company.index)] = {"cik_str": company.cik, "ticker": company.ticker, "title": company.name}
        _write_json(staging / "edgar" / "companyfacts" / f"CIK{company.cik:010d}.json", facts)
        limit = OVERFLOW_DEMO_RECENT_LIMIT if company.index == 4 else SUBMISSIONS_RECENT_LIMIT
        submissions, pages = edgar.submissions_json(company, filings + insider_filings[company.index], limit)
        _write_json(staging / "edgar" / "submissions" / f"CIK{company.cik:010d}.json", submissions)
        for number, page in enumerate(pages, start=1):
            _write_json(
                staging / "edgar" / "submissions" / f"CIK{company.cik:010d}-submissions-{number:03d}.json", page
            )
    _write_json(staging / "edgar" / "company_tickers.json", tickers)
    sector_rows = "".join(f"{c.ticker},{c.cik},{c.sector}\n" for c in companies)
    _write_text(staging / "sectors.csv", "ticker,cik,gics_sector\n" + sector_rows)

    last_shares = {c.index: q[-1].shares for c, (q, _) in zip(companies, company_filings)}
    managers = _thirteenf_filings(
        rng, staging, companies, days, prices, last_shares, accessions, max(10, len(companies) // 25), split
    )

    articles = feeds.news_articles(rng, companies, days[0], days[-1])
    for month, chunk in _by_month(articles, lambda a: a["published_utc"]).items():
        _write_json(
            staging / "polygon" / "news" / f"{month}.json", {"results": chunk, "status": "OK", "count": len(chunk)}
        )
    traded = prices.close.copy()
    traded[SPLIT_COMPANY, :split_day] *= SPLIT_RATIO  # price targets are set in the prices traded then
    ratings = feeds.analyst_ratings(rng, companies, days, traded)
    for month, chunk in _by_month(ratings, lambda r: r["date"]).items():
        _write_json(staging / "ratings" / f"{month}.json", {"ratings": chunk})

    dividends = _write_dividends(staging, options.seed, companies, days, prices, split)
    _write_form_indexes(staging, days)

    manifest = {
        "options": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(options).items()},
        "first_day": days[0].isoformat(),
        "last_day": days[-1].isoformat(),
        "trading_days": len(days),
        "companies": len(companies),
        "bars": bar_count,
        "split": {"ticker": companies[split[0]].ticker, "date": days[split[1]].isoformat(), "ratio": SPLIT_RATIO},
        "late_filers": [c.ticker for c in companies if c.late_filer],
        "restated": [c.ticker for c in companies if c.restated],
        "missing_concepts": [c.ticker for c in companies if c.missing_concepts],
        "ipos": [c.ticker for c in companies if c.first_day_index],
        "misleading_sic": [c.ticker for c in companies if c.sic in {s for s, _ in MISLEADING_SIC_CODES.values()}],
        "form4_filings": len(form4_documents),
        "thirteenf_managers": managers,
        "news_articles": len(articles),
        "analyst_ratings": len(ratings),
        "dividends": dividends,
        # when the demo's days were last replaced: the demo_new_days sensor scores again what was
        # scored before it
        "generated_at": datetime.now().timestamp(),
    }
    _write_json(staging / "manifest.json", manifest)
    simulated = simulated_dir(out)
    shutil.rmtree(simulated, ignore_errors=True)
    if options.hold_back:
        staging.rename(simulated)
        return publish(simulated, out, days[-1 - options.hold_back])
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    return manifest
