"""Demo news articles (Polygon reference-news JSON) and analyst ratings (Benzinga-style calendar JSON)."""

import hashlib
from datetime import UTC, date, datetime, timedelta

import numpy as np

from ic_platform.demo.universe import Company

PUBLISHERS = (
    ("Business Wire", "https://www.businesswire.com/"),
    ("The Motley Fool", "https://www.fool.com/"),
    ("Benzinga", "https://www.benzinga.com/"),
    ("Investing.com", "https://www.investing.com/"),
    ("GlobeNewswire", "https://www.globenewswire.com/"),
)
HEADLINES = {
    1: (
        "{name} beats estimates as revenue grows strongly",
        "{name} raises guidance after record quarter",
        "{name} shares gain on strong demand and improved margins",
    ),
    0: (
        "{name} to present at industry conference",
        "{name} announces quarterly dividend",
        "{name} schedules earnings call",
    ),
    -1: (
        "{name} misses estimates as sales decline",
        "{name} cuts outlook amid weak demand and losses",
        "{name} faces lawsuit over disclosure failures",
    ),
}
RATING_FIRMS = (
    "Morgan Stanley",
    "Goldman Sachs",
    "JP Morgan",
    "Barclays",
    "Citigroup",
    "UBS",
    "Wells Fargo",
    "Jefferies",
    "Piper Sandler",
    "Raymond James",
    "KeyBanc",
    "Needham",
)
RATINGS_BY_SCORE = {
    5: ("Strong Buy", "Top Pick"),
    4: ("Buy", "Outperform", "Overweight", "Accumulate"),
    3: ("Hold", "Neutral", "Market Perform", "Equal-Weight", "Sector Perform"),
    2: ("Underweight", "Underperform", "Reduce"),
    1: ("Sell", "Strong Sell"),
}


def _article(company: Company, published: datetime, tone: int, rng: np.random.Generator, variant: int = 0) -> dict:
    name = company.name.removesuffix(" Inc.")
    template = HEADLINES[tone][int(rng.integers(len(HEADLINES[tone])))]
    publisher, homepage = PUBLISHERS[int(rng.integers(len(PUBLISHERS)))]
    title = template.format(name=name)
    slug = hashlib.sha1(f"{company.ticker}{published.isoformat()}{title}{variant}".encode()).hexdigest()
    return {
        "id": slug,
        "publisher": {"name": publisher, "homepage_url": homepage},
        "title": title,
        "author": "Staff",
        "published_utc": published.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "article_url": f"{homepage}news/{slug[:16]}",
        "tickers": [company.ticker],
        "description": f"{title}. Coverage of {name} ({company.ticker}).",
        "keywords": [company.sector],
    }


def news_articles(rng: np.random.Generator, companies: list[Company], first: date, last: date) -> list[dict]:
    """About two articles per company and month, with exact and near-duplicate reposts."""
    span_seconds = int((last - first).days * 86400)
    start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    articles = []
    for company in companies:
        count = int(rng.poisson(2 * (last - first).days / 30))
        for offset in np.sort(rng.integers(0, span_seconds, size=count)):
            published = start + timedelta(seconds=int(offset))
            article = _article(company, published, int(rng.choice([-1, 0, 0, 1])), rng)
            articles.append(article)
            roll = rng.random()
            if roll < 0.03:  # the same article served twice (same URL, another id)
                articles.append(article | {"id": hashlib.sha1(article["id"].encode()).hexdigest()})
            elif roll < 0.05:  # syndicated by another publisher with a near-identical title
                repost = dict(article, id=hashlib.sha1((article["id"] + "syndicated").encode()).hexdigest())
                repost["title"] = article["title"] + " - report"
                repost["article_url"] = article["article_url"].replace("/news/", "/syndicated/")
                repost["published_utc"] = (published + timedelta(minutes=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
                articles.append(repost)
    return sorted(articles, key=lambda a: (a["published_utc"], a["id"]))


def analyst_ratings(
    rng: np.random.Generator, companies: list[Company], days: list[date], closes: np.ndarray
) -> list[dict]:
    """Rating actions with price targets: about one per company every six weeks."""
    ratings = []
    for company in companies:
        current: dict[str, tuple[int, float]] = {}
        for day_index in np.sort(rng.integers(0, len(days), size=int(rng.poisson(len(days) / 30)))):
            close = closes[company.index, day_index]
            if np.isnan(close):
                continue
            firm = RATING_FIRMS[int(rng.integers(len(RATING_FIRMS)))]
            prior = current.get(firm)
            score = int(np.clip((prior[0] if prior else 4) + rng.choice([-1, 0, 0, 1]), 1, 5))
            target = round(float(close * rng.uniform(0.85, 1.4)), 2)
            action = (
                "Initiates Coverage On"
                if prior is None
                else ("Upgrades" if score > prior[0] else "Downgrades" if score < prior[0] else "Maintains")
            )
            prior_target = prior[1] if prior else None
            day = days[day_index]
            ratings.append(
                {
                    "id": hashlib.sha1(f"{company.ticker}{day}{firm}".encode()).hexdigest()[:24],
                    "date": day.isoformat(),
                    "time": f"{int(rng.integers(6, 18)):02d}:{int(rng.integers(60)):02d}:00",
                    "ticker": company.ticker,
                    "exchange": "NASDAQ" if company.index % 2 else "NYSE",
                    "name": company.name,
                    "currency": "USD",
                    "action_company": action,
                    "action_pt": "Announces"
                    if prior_target is None
                    else ("Raises" if target > prior_target else "Lowers" if target < prior_target else "Maintains"),
                    "rating_current": RATINGS_BY_SCORE[score][int(rng.integers(len(RATINGS_BY_SCORE[score])))],
                    "rating_prior": "" if prior is None else RATINGS_BY_SCORE[prior[0]][0],
                    "pt_current": f"{target:.2f}",
                    "pt_prior": "" if prior_target is None else f"{prior_target:.2f}",
                    "analyst": firm,
                    "analyst_name": f"{firm.split()[0]} Analyst",
                }
            )
            current[firm] = (score, target)
    return sorted(ratings, key=lambda r: (r["date"], r["time"], r["id"]))
