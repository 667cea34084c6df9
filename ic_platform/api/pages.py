"""The score pages: the latest day's top scores (`/`, a sector filter) and one stock's score
(`/scores/{ticker}`: rating, confidence, completeness, the ten factor bars, sector percentile and a
one-year history chart). Server-rendered HTML from Jinja2 templates (autoescaped), charts as inline
SVG: the pages load nothing from elsewhere."""

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ic_platform.api.queries import ScoreQueries
from ic_platform.schemas.scores import FACTOR_METRICS

TOP_ON_PAGE = 50
CHART_DAYS = 252  # one year of trading days
CHART_WIDTH, CHART_HEIGHT = 640, 200
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.trim_blocks = templates.env.lstrip_blocks = True


def history_chart(rows: list) -> dict:
    """The SVG polyline of the rows' scores (1-100 bottom to top) and its first and last day."""
    step = CHART_WIDTH / max(len(rows) - 1, 1)
    points = " ".join(
        f"{index * step:.1f},{CHART_HEIGHT * (1 - row.overall_score / 100):.1f}" for index, row in enumerate(rows)
    )
    first, last = rows[0].date, rows[-1].date
    return {"points": points, "first": first, "last": last, "width": CHART_WIDTH, "height": CHART_HEIGHT}


def router(reads: ScoreQueries) -> APIRouter:
    """The page routes on the serving database's reads."""
    pages = APIRouter(include_in_schema=False)

    @pages.get("/", response_class=HTMLResponse)
    def top_scores(request: Request, sector: str | None = None) -> HTMLResponse:
        """The latest day's best scores, of one sector when `sector` is given."""
        day, rows = reads.best_of_latest_day({}, sector or None, 1, TOP_ON_PAGE)
        context = {"day": day, "rows": rows, "sector": sector, "sectors": reads.sectors()}
        return templates.TemplateResponse(request, "top.html", context)

    @pages.get("/scores/{ticker}", response_class=HTMLResponse)
    def stock(request: Request, ticker: str) -> HTMLResponse:
        """One stock's latest score, its factors and its last year of scores."""
        ticker = ticker.upper()
        row = reads.score(ticker)
        if row is None:
            return templates.TemplateResponse(request, "missing.html", {"ticker": ticker}, status_code=404)
        context = {
            "row": row,
            "company": reads.company(ticker),
            "factors": [(factor, getattr(row, factor)) for factor in FACTOR_METRICS],
            "chart": history_chart(reads.history(ticker, CHART_DAYS)),
        }
        return templates.TemplateResponse(request, "stock.html", context)

    return pages
