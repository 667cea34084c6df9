"""The table catalog: every table the assets write, with its model and sort order.

Domains read each other's tables through this module, never through each other's assets; the CLI
and the point-in-time checks read it too. Each table is written by exactly one asset of the same name.
"""

from ic_platform.schemas.features import TechnicalDaily, ValuationDaily
from ic_platform.schemas.market import CorporateAction, DailyBar
from ic_platform.schemas.news import AnalystDaily, AnalystRating, NewsArticle, NewsSentimentDaily
from ic_platform.schemas.ownership import (
    CusipTicker,
    InsiderDaily,
    InsiderTransaction,
    InstitutionalDaily,
    ThirteenFFiling,
    ThirteenFHolding,
)
from ic_platform.schemas.quality import QualityMeasure
from ic_platform.schemas.scores import FactorScores, IcScore
from ic_platform.schemas.sec import Company, Fact, FundamentalState, LineItemVersion
from ic_platform.storage import DailyTable, SnapshotTable

# SEC: the universe, its facts and point-in-time fundamentals
COMPANIES = SnapshotTable("sec_companies", Company, ("ticker",))
COMPANY_FACTS = SnapshotTable(
    "sec_companyfacts", Fact, ("cik", "taxonomy", "concept", "unit", "end", "start", "filed", "accession")
)
FUNDAMENTALS_PIT = SnapshotTable(
    "fundamentals_pit", LineItemVersion, ("cik", "line_item", "period_end", "period_type", "filed", "accession")
)
FUNDAMENTAL_STATES = SnapshotTable("fundamental_states", FundamentalState, ("cik", "as_of"))

# ownership: Form 4 and 13F filings, raw
INSIDER_TRANSACTIONS = SnapshotTable(
    "sec_form4", InsiderTransaction, ("ticker", "filed", "accession", "transaction_index", "owner_cik")
)
THIRTEENF_FILINGS = SnapshotTable("sec_13f_filings", ThirteenFFiling, ("manager_cik", "period", "accession"))
THIRTEENF_HOLDINGS = SnapshotTable("sec_13f", ThirteenFHolding, ("accession", "cusip", "title_of_class"))
CUSIP_TICKERS = SnapshotTable("cusip_tickers", CusipTicker, ("cusip",))

# market data, news and analyst ratings, raw
DAILY_BARS = DailyTable("daily_bars", DailyBar, ("date", "ticker"))
CORPORATE_ACTIONS = SnapshotTable("corporate_actions", CorporateAction, ("ticker", "ex_date", "kind"))
NEWS_ARTICLES = SnapshotTable("news_articles", NewsArticle, ("published_utc", "article_id", "ticker"))
ANALYST_RATINGS = SnapshotTable("analyst_ratings", AnalystRating, ("published_utc", "rating_id"))

# daily features
TECHNICAL_DAILY = DailyTable("technical_daily", TechnicalDaily, ("date", "ticker"))
VALUATION_DAILY = DailyTable("valuation_daily", ValuationDaily, ("date", "ticker"))
INSIDER_DAILY = DailyTable("insider_daily", InsiderDaily, ("date", "ticker"))
INSTITUTIONAL_DAILY = DailyTable("institutional_daily", InstitutionalDaily, ("date", "ticker"))
ANALYST_DAILY = DailyTable("analyst_daily", AnalystDaily, ("date", "ticker"))
NEWS_SENTIMENT_DAILY = DailyTable("news_sentiment_daily", NewsSentimentDaily, ("date", "ticker"))

# scores
FACTOR_SCORES = DailyTable("factor_scores", FactorScores, ("date", "ticker"))
IC_SCORES = DailyTable("ic_scores", IcScore, ("date", "ticker"))

DAILY_TABLES: dict[str, DailyTable] = {
    table.name: table
    for table in (
        DAILY_BARS,
        TECHNICAL_DAILY,
        VALUATION_DAILY,
        INSIDER_DAILY,
        INSTITUTIONAL_DAILY,
        ANALYST_DAILY,
        NEWS_SENTIMENT_DAILY,
        FACTOR_SCORES,
        IC_SCORES,
    )
}

# the tables whose source records are quarantined, with their reasons, when they cannot be used
SOURCE_TABLES = (
    DAILY_BARS,
    CORPORATE_ACTIONS,
    COMPANIES,
    COMPANY_FACTS,
    INSIDER_TRANSACTIONS,
    THIRTEENF_HOLDINGS,
    NEWS_ARTICLES,
    ANALYST_RATINGS,
)

# the tables built incrementally (`defs/incremental.py`), each by the asset of its name, whose
# `full_refresh` config reads the source's whole history (or rebuilds every company) again
INCREMENTAL_TABLES = (
    CORPORATE_ACTIONS,
    COMPANIES,
    COMPANY_FACTS,
    INSIDER_TRANSACTIONS,
    NEWS_ARTICLES,
    ANALYST_RATINGS,
    FUNDAMENTALS_PIT,
    FUNDAMENTAL_STATES,
    THIRTEENF_HOLDINGS,  # written by sec_13f
)

# the daily data-quality report on the tables above; not an input of any score, so not among
# DAILY_TABLES (its day D measures the bars of D's close)
DATA_QUALITY = DailyTable("data_quality", QualityMeasure, ("date", "table", "metric", "column", "detail"))
