"""Small SVG charts for the Dagster UI, which renders a Markdown image given as a data URI: the score
evaluation's mean return by decile and its information coefficient over time."""

import base64
from collections.abc import Sequence
from datetime import date

WIDTH, HEIGHT, MARGIN = 640, 220, 44
AXIS, BAR, LINE = "#8a96a3", "#1b5fae", "#b5412f"


def _svg(body: str, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="11">'
        f'<text x="{MARGIN}" y="14" font-size="13">{title}</text>{body}</svg>'
    )


def _scale(values: Sequence[float]) -> tuple[float, float]:
    """The value range drawn: the values' range widened to include zero."""
    low, high = min(0.0, *values), max(0.0, *values)
    return (low, high) if high > low else (low - 1, high + 1)


def _y(value: float, low: float, high: float) -> float:
    return 24 + (HEIGHT - 48) * (high - value) / (high - low)


def _zero_line(low: float, high: float, label: str) -> str:
    y = _y(0, low, high)
    return (
        f'<line x1="{MARGIN}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="{AXIS}"/>'
        f'<text x="{MARGIN - 4}" y="{y + 4:.1f}" text-anchor="end">{label}</text>'
    )


def bar_chart(labels: Sequence[str], values: Sequence[float], title: str, percent: bool = True) -> str:
    """Vertical bars of `values` (a percentage axis when `percent`), one per label."""
    low, high = _scale(values)
    step = (WIDTH - MARGIN - 8) / max(len(values), 1)
    bars = []
    for index, (label, value) in enumerate(zip(labels, values)):
        x, top, zero = MARGIN + index * step + 4, _y(max(value, 0), low, high), _y(min(value, 0), low, high)
        text = f"{value:+.2%}" if percent else f"{value:+.3f}"
        bars.append(
            f'<rect x="{x:.1f}" y="{top:.1f}" width="{step - 8:.1f}" height="{zero - top:.1f}" fill="{BAR}"/>'
            f'<text x="{x + (step - 8) / 2:.1f}" y="{HEIGHT - 8}" text-anchor="middle">{label}</text>'
            f'<text x="{x + (step - 8) / 2:.1f}" y="{top - 3:.1f}" text-anchor="middle">{text}</text>'
        )
    return _svg(_zero_line(low, high, "0") + "".join(bars), title)


def line_chart(days: Sequence[date], values: Sequence[float], title: str) -> str:
    """`values` over `days` as a line, with the first and last day under it."""
    low, high = _scale(values)
    step = (WIDTH - MARGIN - 8) / max(len(values) - 1, 1)
    points = " ".join(f"{MARGIN + i * step:.1f},{_y(v, low, high):.1f}" for i, v in enumerate(values))
    ticks = "".join(
        f'<text x="{x}" y="{HEIGHT - 8}" text-anchor="{anchor}">{day.isoformat()}</text>'
        for x, anchor, day in ((MARGIN, "start", days[0]), (WIDTH - 8, "end", days[-1]))
    )
    extremes = "".join(
        f'<text x="{MARGIN - 4}" y="{_y(v, low, high) + 4:.1f}" text-anchor="end">{v:+.2f}</text>' for v in (low, high)
    )
    line = f'<polyline points="{points}" fill="none" stroke="{LINE}" stroke-width="1.5"/>'
    return _svg(_zero_line(low, high, "0") + extremes + line + ticks, title)


def markdown_image(svg: str, description: str) -> str:
    """Markdown that shows `svg` as an image (a base64 data URI)."""
    return f"![{description}](data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()})"
