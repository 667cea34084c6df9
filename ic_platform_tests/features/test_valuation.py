"""Valuation on real files: Kaggle's split-adjusted S&P 500 prices (2013-2018) with Apple's real
companyfacts and its 7-for-1 split of 2014-06-09 in an actions file."""

import gzip
from datetime import date

import polars as pl
import pytest

from ic_platform.features.fundamentals import fundamental_states, line_item_versions
from ic_platform.features.splits import split_index, unexplained_jumps
from ic_platform.features.valuation import prior_closes, valuation_ratios
from ic_platform.sources.companyfacts import parse_companyfacts
from ic_platform.sources.corporate_actions import read_actions_file
from ic_platform.sources.market_data import ArchiveBars

COMPANIES = pl.DataFrame({"ticker": ["AAPL"], "cik": [320193]})
DAYS = [date(2014, 3, 31), date(2014, 8, 29)]  # before and after the split


def _actions_file(tmp_path):
    path = tmp_path / "actions.csv"
    path.write_text("ticker,ex_date,kind,ratio,amount,declared_date\nAAPL,2014-06-09,split,7,,2014-04-23\n")
    return path


def _valuation(real_data, bars: pl.DataFrame, actions: pl.DataFrame) -> pl.DataFrame:
    facts = parse_companyfacts(
        gzip.decompress((real_data / "sec_companyfacts" / "CIK0000320193_AAPL.json.gz").read_bytes()), "AAPL"
    )[0]
    splits = split_index(actions, COMPANIES)
    states = fundamental_states(line_item_versions(facts, splits), splits=splits)
    closes = prior_closes(bars.sort("date").lazy()).filter(pl.col("date").is_in(DAYS))
    return valuation_ratios(closes, COMPANIES, states, splits, 200).sort("date")


@pytest.mark.real_data
def test_a_split_adjusted_file_and_its_actions_put_apples_price_on_the_basis_of_its_eps(real_data, tmp_path):
    prices = real_data / "prices" / "all_stocks_5yr.csv.gz"
    archive = ArchiveBars(prices, "split_adjusted", _actions_file(tmp_path))
    bars, _ = archive.ticker_range("AAPL", date(2013, 2, 8), date(2018, 2, 7))
    rows = _valuation(real_data, bars, archive.actions(None)[0])
    # the closes as traded: the file's 76.6942 times 7 on 2014-03-28, 102.25 on 2014-08-28 after the split
    assert rows.get_column("price").to_list() == pytest.approx([536.8594, 102.25], abs=1e-6)
    pe = rows.get_column("pe_ratio").to_list()
    assert all(12 < p < 18 for p in pe), pe  # where the file read as traded gave 1.9 and 2.9
    market_cap = rows.get_column("market_cap").to_list()
    assert all(4.2e11 < m < 6.2e11 for m in market_cap), market_cap  # about $480 bn and $610 bn
    assert rows.get_column("eps_cagr_3y").to_list() == pytest.approx([0.311, 0.197], abs=0.001)  # not -41%

    read_as_traded = ArchiveBars(prices, "as_traded")
    wrong = _valuation(
        real_data, read_as_traded.ticker_range("AAPL", date(2013, 2, 8), date(2018, 2, 7))[0], archive.actions(None)[0]
    )
    assert wrong.get_column("pe_ratio").to_list()[0] < 3  # the defect a declared basis prevents


@pytest.mark.real_data
def test_an_as_traded_file_without_the_split_fails_the_jump_check_on_the_split_day(real_data, tmp_path):
    archive = ArchiveBars(real_data / "prices" / "all_stocks_5yr.csv.gz", "split_adjusted", _actions_file(tmp_path))
    traded, _ = archive.ticker_range("AAPL", date(2014, 5, 1), date(2014, 7, 1))
    actions, _ = read_actions_file(_actions_file(tmp_path))
    without = unexplained_jumps(traded.sort("date").lazy(), actions.clear())
    assert without.select("date", "ticker").rows() == [(date(2014, 6, 9), "AAPL")]
    assert without.get_column("step").item() == pytest.approx(93.70 / 645.57, rel=1e-3)
    assert unexplained_jumps(traded.sort("date").lazy(), actions).is_empty()
