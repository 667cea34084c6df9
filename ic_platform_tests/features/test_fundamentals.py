import gzip
from datetime import date

import polars as pl
import pytest

from ic_platform.features.fundamentals import (
    _derived_quarters,
    as_of,
    fundamental_states,
    line_item_versions,
    statement_facts,
    trailing_twelve_months,
)
from ic_platform.features.splits import SPLIT_INDEX_SCHEMA
from ic_platform.schemas.sec import LINE_ITEMS
from ic_platform.sources.companyfacts import FACT_SCHEMA, parse_companyfacts
from ic_platform.trading_days import next_trading_days

COMPANIES = (
    "CIK0000320193_AAPL",
    "CIK0001318605_TSLA",
    "CIK0001045810_NVDA",
    "CIK0001652044_GOOGL",
    "CIK0001640147_SNOW",
    "CIK0001835632_MRVL",
)
# Published 10-K figures (USD; EPS in USD per diluted share).
TEN_K_VALUES = {
    ("CIK0000320193_AAPL", date(2024, 9, 28)): {
        "revenue": 391_035e6,
        "net_income": 93_736e6,
        "eps_diluted": 6.08,
        "total_assets": 364_980e6,
        "operating_cash_flow": 118_254e6,
        "free_cash_flow": 108_807e6,
    },
    ("CIK0001318605_TSLA", date(2021, 12, 31)): {
        "revenue": 53_823e6,
        "net_income": 5_519e6,
        "total_assets": 62_131e6,
        "operating_cash_flow": 11_497e6,
    },
    ("CIK0001045810_NVDA", date(2024, 1, 28)): {"revenue": 60_922e6, "net_income": 29_760e6, "total_assets": 65_728e6},
    ("CIK0001652044_GOOGL", date(2023, 12, 31)): {
        "revenue": 307_394e6,
        "net_income": 73_795e6,
        "eps_diluted": 5.80,
        "operating_cash_flow": 101_746e6,
    },
}


# The companies' splits (execution dates, ratios), as their 8-Ks announced them: the index a share
# basis follows, as `features.splits.split_index` would read it off the bars.
REAL_SPLITS = {
    "CIK0001045810_NVDA": [(date(2021, 7, 20), 4), (date(2024, 6, 10), 10)],
    "CIK0000320193_AAPL": [(date(2014, 6, 9), 7), (date(2020, 8, 31), 4)],
    "CIK0001318605_TSLA": [(date(2020, 8, 31), 5), (date(2022, 8, 25), 3)],
    "CIK0001652044_GOOGL": [(date(2022, 7, 18), 20)],
}


def _split_index(company: str) -> pl.DataFrame:
    cik = int(company[3:13])
    rows, index = [(cik, date(2000, 1, 3), 1.0)], 1.0
    for day, ratio in REAL_SPLITS.get(company, []):
        index *= ratio
        rows.append((cik, day, index))
    return pl.DataFrame(rows, schema=SPLIT_INDEX_SCHEMA, orient="row")


@pytest.fixture(scope="module")
def facts(real_data) -> dict[str, pl.DataFrame]:
    return {
        name: parse_companyfacts(
            gzip.decompress((real_data / "sec_companyfacts" / f"{name}.json.gz").read_bytes()), name
        )[0]
        for name in COMPANIES
    }


@pytest.mark.real_data
@pytest.mark.parametrize("company, period_end", list(TEN_K_VALUES))
def test_fiscal_year_values_equal_the_10k(facts, company, period_end):
    versions = line_item_versions(facts[company])
    fiscal_year = as_of(versions, date(2026, 11, 1)).filter(
        (pl.col("period_type") == "FY") & (pl.col("period_end") == period_end)
    )
    values = dict(fiscal_year.select("line_item", "value").iter_rows())
    for item, expected in TEN_K_VALUES[(company, period_end)].items():
        if item == "eps_diluted" and company == "CIK0001045810_NVDA":
            continue
        assert values[item] == pytest.approx(expected, rel=1e-9), item


@pytest.mark.real_data
def test_derived_fourth_quarters_equal_the_reported_ones(facts):
    exact = compared = 0
    for company in COMPANIES:
        statement = statement_facts(facts[company])
        derived = _derived_quarters(statement.filter(pl.col("period_class") != "I"), _split_index(company))
        fiscal_years = statement.filter(pl.col("period_class") == "FY").select("line_item", "end", "accession")
        fourth = derived.join(fiscal_years, on=["line_item", "end", "accession"], how="semi")  # FY - 9M
        reported = statement.filter(
            (pl.col("period_class") == "Q") & pl.col("form").str.starts_with("10-K") & (pl.col("unit") == "USD")
        )
        matched = fourth.join(
            reported.select("line_item", "start", "end", "accession", reported="value"),
            on=["line_item", "start", "end", "accession"],
        )
        relative = (matched["value"] - matched["reported"]).abs() / matched["reported"].abs()
        assert (relative < 0.01).all(), company
        exact += int((relative < 1e-9).sum())
        compared += matched.height
    assert compared > 250
    assert exact / compared > 0.85  # the rest differ by rounding or by a sibling concept (NetIncomeLoss vs ProfitLoss)


@pytest.mark.real_data
def test_a_value_is_invisible_on_its_filing_day_and_visible_the_next_trading_day(facts):
    versions = line_item_versions(facts["CIK0000320193_AAPL"])

    def latest_fiscal_year_revenue(day):
        known = as_of(versions, day).filter((pl.col("line_item") == "revenue") & (pl.col("period_type") == "FY"))
        return known.sort("period_end").row(-1, named=True)

    # The FY2024 10-K was filed Friday 2024-11-01: known from Monday 2024-11-04.
    assert latest_fiscal_year_revenue(date(2024, 11, 1))["period_end"] == date(2023, 9, 30)
    assert latest_fiscal_year_revenue(date(2024, 11, 3))["period_end"] == date(2023, 9, 30)
    monday = latest_fiscal_year_revenue(date(2024, 11, 4))
    assert (monday["period_end"], monday["value"], monday["knowledge_date"]) == (
        date(2024, 9, 28),
        391_035e6,
        date(2024, 11, 4),
    )


@pytest.mark.real_data
def test_restated_values_keep_both_versions(facts):
    versions = line_item_versions(facts["CIK0001045810_NVDA"])
    eps = versions.filter(
        (pl.col("line_item") == "eps_diluted")
        & (pl.col("period_type") == "FY")
        & (pl.col("period_end") == date(2024, 1, 28))
    )
    assert sorted(set(eps.get_column("value"))) == [1.19, 11.93]  # restated for the 2024 ten-for-one split
    fiscal_2024 = (
        (pl.col("line_item") == "eps_diluted")
        & (pl.col("period_type") == "FY")
        & (pl.col("period_end") == date(2024, 1, 28))
    )
    before = as_of(versions, date(2024, 6, 1)).filter(fiscal_2024)
    after = as_of(versions, date(2025, 6, 1)).filter(fiscal_2024)
    assert before.get_column("value").to_list() == [11.93] and after.get_column("value").to_list() == [1.19]


@pytest.mark.real_data
def test_only_financial_statement_forms_feed_line_items(facts):
    assert "DEF 14A" in facts["CIK0001045810_NVDA"].get_column("form").to_list()
    forms = set(line_item_versions(facts["CIK0001045810_NVDA"]).get_column("form"))
    assert forms <= {"10-K", "10-Q", "10-K/A", "10-Q/A"}


@pytest.mark.real_data
def test_ttm_sums_four_quarters_and_takes_the_fiscal_year_at_year_end(facts):
    versions = line_item_versions(facts["CIK0000320193_AAPL"])
    at_year_end = trailing_twelve_months(as_of(versions, date(2025, 1, 15)))
    revenue = at_year_end.filter(pl.col("line_item") == "revenue").row(0, named=True)
    assert (revenue["period_end"], revenue["value"]) == (date(2024, 9, 28), 391_035e6)
    mid_year = (
        trailing_twelve_months(as_of(versions, date(2025, 6, 1)))
        .filter(pl.col("line_item") == "revenue")
        .row(0, named=True)
    )
    quarters = (
        as_of(versions, date(2025, 6, 1))
        .filter((pl.col("line_item") == "revenue") & (pl.col("period_type") == "Q"))
        .sort("period_end")
        .tail(4)
    )
    assert mid_year["period_end"] == date(2025, 3, 29)
    assert mid_year["value"] == pytest.approx(quarters.get_column("value").sum())


@pytest.mark.real_data
def test_states_hold_the_ttm_and_growth_known_from_each_knowledge_date(facts):
    states = fundamental_states(line_item_versions(facts["CIK0000320193_AAPL"]))
    fiscal_2025 = states.filter(pl.col("as_of") == date(2025, 11, 3)).row(
        0, named=True
    )  # the FY2025 10-K, filed 2025-10-31
    assert fiscal_2025["revenue"] == 416_161e6 and fiscal_2025["eps_diluted"] == 7.46
    assert fiscal_2025["revenue_growth_yoy"] == pytest.approx(416_161 / 391_035 - 1)
    before = states.filter(pl.col("as_of") < date(2025, 11, 3)).sort("as_of").row(-1, named=True)
    assert before["revenue"] != fiscal_2025["revenue"]


def _fact(concept, value, accession, filed, form="10-K", start=date(2022, 1, 1), end=date(2022, 12, 31)):
    return {
        "cik": 1,
        "taxonomy": "us-gaap",
        "concept": concept,
        "unit": "USD",
        "start": start,
        "end": end,
        "value": value,
        "accession": accession,
        "fy": 2022,
        "fp": "FY",
        "form": form,
        "filed": filed,
        "frame": None,
    }


def test_concept_precedence_is_decided_within_one_filing():
    facts = pl.DataFrame(
        [
            # the 10-K tags FY2022 revenue as contract revenue; an amendment a year later re-tags it as Revenues
            _fact("RevenueFromContractWithCustomerExcludingAssessedTax", 100.0, "a-10k", date(2023, 2, 1)),
            _fact("RevenueFromContractWithCustomerExcludingAssessedTax", 100.0, "b-10ka", date(2024, 3, 1), "10-K/A"),
            _fact("Revenues", 105.0, "b-10ka", date(2024, 3, 1), "10-K/A"),
        ],
        schema=FACT_SCHEMA,
    )
    versions = line_item_versions(facts).filter(pl.col("line_item") == "revenue")

    def revenue(day):
        return as_of(versions, day).select("value", "accession").rows()

    # before the amendment is known, the 10-K's contract revenue stands (it used to vanish)
    assert revenue(date(2023, 6, 1)) == [(100.0, "a-10k")]
    # within the amendment, Revenues comes first in the list; from its knowledge date it is the latest version
    assert revenue(date(2024, 3, 4)) == [(105.0, "b-10ka")]
    assert sorted(versions.get_column("accession")) == ["a-10k", "b-10ka"]


@pytest.mark.real_data
def test_every_fiscal_year_revenue_known_on_a_day_is_there_that_day(real_data):
    """Real filers re-tag revenue between filings; as of any filing's knowledge date, every fiscal year
    whose revenue some financial statement reported by then is present."""
    revenue_concepts = list(LINE_ITEMS["revenue"])
    for path in sorted((real_data / "sec_companyfacts").glob("*.json.gz")):
        facts = parse_companyfacts(gzip.decompress(path.read_bytes()), path.name)[0]
        reported = facts.filter(
            pl.col("concept").is_in(revenue_concepts)
            & pl.col("form").is_in(["10-K", "10-K/A"])
            & (pl.col("unit") == "USD")
            & (pl.col("end") - pl.col("start")).dt.total_days().is_between(350, 380)
        )
        reported = reported.with_columns(knowledge_date=next_trading_days(reported.get_column("filed")))
        versions = line_item_versions(facts).filter(
            (pl.col("line_item") == "revenue") & (pl.col("period_type") == "FY")
        )
        for day in reported.get_column("knowledge_date").unique().sort().to_list():
            expected = set(reported.filter(pl.col("knowledge_date") <= day).get_column("end"))
            assert set(as_of(versions, day).get_column("period_end")) == expected, (path.name, day)


def _eps_times_shares_over_net_income(facts: pl.DataFrame, splits: pl.DataFrame | None) -> pl.Series:
    states = fundamental_states(line_item_versions(facts, splits), splits=splits)
    return (
        states.filter(pl.col("as_of") >= date(2019, 1, 1))
        .select(pl.col("eps_diluted") * pl.col("shares_outstanding") / pl.col("net_income"))
        .drop_nulls()
        .to_series()
    )


@pytest.mark.real_data
@pytest.mark.parametrize("company", list(REAL_SPLITS))
def test_ttm_eps_and_share_count_are_on_one_basis_across_real_splits(facts, company):
    ratios = _eps_times_shares_over_net_income(facts[company], _split_index(company))
    # TTM EPS x shares outstanding is the TTM net income, give or take dilution and buybacks
    assert ratios.len() > 15 and ratios.is_between(0.8, 1.25).all()


@pytest.mark.real_data
def test_a_quarter_derived_across_a_split_subtracts_figures_of_one_basis(facts):
    nvda = facts["CIK0001045810_NVDA"]
    splits = _split_index("CIK0001045810_NVDA")
    # Q4 FY2021 (to 2021-01-31) = FY 6.90 (filed pre-split) - 9M on a 10-Q filed after the 4:1 split
    q4 = (
        as_of(line_item_versions(nvda, splits), date(2021, 11, 30))
        .filter(
            (pl.col("line_item") == "eps_diluted")
            & (pl.col("period_type") == "Q")
            & (pl.col("period_end") == date(2021, 1, 31))
        )
        .row(0, named=True)
    )
    assert q4["derived"] and q4["filed"] > date(2021, 7, 20)
    assert q4["value"] == pytest.approx(2.31 / 4, abs=0.01)  # NVIDIA reported $2.31, $0.58 after the split
    unrestated = as_of(line_item_versions(nvda), date(2021, 11, 30)).filter(
        (pl.col("line_item") == "eps_diluted") & (pl.col("period_end") == date(2021, 1, 31)) & pl.col("derived")
    )
    assert unrestated.get_column("value").item() == pytest.approx(6.90 - 1.15)  # two bases mixed


@pytest.mark.real_data
def test_every_quarter_and_derived_fourth_quarter_known_on_a_day_is_there_that_day(real_data):
    """As of any 10-Q's or 10-K's knowledge date, every quarter whose revenue a filing reported by
    then is present, and so is each fourth quarter that a fiscal year and its nine months known by
    then make (Q4 = FY - 9M)."""
    revenue_concepts = list(LINE_ITEMS["revenue"])
    for path in sorted((real_data / "sec_companyfacts").glob("*.json.gz")):
        facts = parse_companyfacts(gzip.decompress(path.read_bytes()), path.name)[0]
        reported = facts.filter(
            pl.col("concept").is_in(revenue_concepts)
            & pl.col("form").is_in(["10-K", "10-K/A", "10-Q", "10-Q/A"])
            & (pl.col("unit") == "USD")
        )
        reported = reported.with_columns(
            knowledge_date=next_trading_days(reported.get_column("filed")),
            days=(pl.col("end") - pl.col("start")).dt.total_days(),
        )
        quarters = reported.filter(pl.col("days").is_between(80, 100))
        years = reported.filter(pl.col("days").is_between(350, 380))
        nine_months = reported.filter(pl.col("days").is_between(260, 285))
        versions = line_item_versions(facts).filter((pl.col("line_item") == "revenue") & (pl.col("period_type") == "Q"))
        for day in reported.get_column("knowledge_date").unique().sort().to_list():
            present = set(as_of(versions, day).get_column("period_end"))
            assert set(quarters.filter(pl.col("knowledge_date") <= day).get_column("end")) <= present, (path.name, day)
            fourth = (
                years.filter(pl.col("knowledge_date") <= day)
                .join(
                    nine_months.filter(pl.col("knowledge_date") <= day),
                    on=["concept", "start"],
                    suffix="_9m",
                )
                .get_column("end")
            )
            assert set(fourth) <= present, (path.name, day)
