"""Parsing EDGAR companyfacts: this platform's parser against edgartools', on the same bytes, same run.

Two sets: every real companyfacts file in ../shared/data/real (parsed --repeat times) and the
companyfacts documents of the 5,000-company demo universe (generated in memory; edgartools parses a
--sample of them, its throughput is per company). Both sides start from the JSON bytes.
Run: `.venv/bin/python benchmarks/companyfacts.py` (needs edgartools: `pip install edgartools`).
"""

import argparse
import gzip
import json
import time
from datetime import date

import numpy as np

from ic_platform import settings
from ic_platform.sources.companyfacts import parse_companyfacts_documents

REAL = settings.PROJECT_ROOT.parent / "shared" / "data" / "real" / "sec_companyfacts"


def demo_documents(companies: int) -> list[bytes]:
    from ic_platform.demo.edgar import AccessionNumbers, build_company_filings
    from ic_platform.demo.universe import make_companies
    from ic_platform.trading_days import last_trading_days

    rng = np.random.default_rng(7)
    days = last_trading_days(date(2026, 10, 30), 252 * 10)
    accessions = AccessionNumbers()
    return [
        json.dumps(build_company_filings(rng, company, days[0], days[-1], accessions)[2]).encode()
        for company in make_companies(rng, companies, len(days))
    ]


def ours(documents: list[bytes]) -> int:
    """As the sec_companyfacts asset parses: documents checked in batches."""
    return parse_companyfacts_documents((document, "benchmark") for document in documents)[0].height


def edgartools(documents: list[bytes]) -> int:
    from edgar.entity.parser import EntityFactsParser

    return sum(len(EntityFactsParser.parse_company_facts(json.loads(document)) or []) for document in documents)


def timed(function, documents) -> tuple[float, int]:
    started = time.perf_counter()
    facts = function(documents)
    return time.perf_counter() - started, facts


def report(name: str, documents: list[bytes], sample: int) -> None:
    megabytes = sum(len(d) for d in documents) / 2**20
    our_seconds, our_facts = timed(ours, documents)
    their_seconds, their_facts = timed(edgartools, documents[:sample])
    their_seconds *= len(documents) / min(sample, len(documents))
    print(f"{name}: {len(documents):,} documents, {megabytes:,.1f} MiB")
    print(f"  ic_platform  {our_seconds:8.2f} s  {megabytes / our_seconds:8.1f} MiB/s  {our_facts:,} facts")
    print(
        f"  edgartools   {their_seconds:8.2f} s  {megabytes / their_seconds:8.1f} MiB/s  (on "
        f"{min(sample, len(documents))} documents, scaled)"
    )
    print(f"  ratio        {their_seconds / our_seconds:8.1f}x faster")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="times each real file is parsed")
    parser.add_argument("--companies", type=int, default=5000, help="demo companies")
    parser.add_argument("--sample", type=int, default=500, help="demo documents edgartools parses")
    args = parser.parse_args()
    real = [gzip.decompress(p.read_bytes()) for p in sorted(REAL.rglob("*.json.gz"))]
    report(f"real companyfacts x{args.repeat}", real * args.repeat, len(real) * args.repeat)
    report("demo universe", demo_documents(args.companies), args.sample)


if __name__ == "__main__":
    main()
