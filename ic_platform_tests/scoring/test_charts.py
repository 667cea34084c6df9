import base64
import xml.etree.ElementTree as ET
from datetime import date, timedelta

from ic_platform.scoring.charts import bar_chart, line_chart, markdown_image

SVG = "{http://www.w3.org/2000/svg}"


def test_a_bar_chart_has_a_bar_per_value_above_or_below_zero():
    svg = ET.fromstring(bar_chart(["1", "2", "3"], [-0.01, 0.0, 0.02], "returns"))
    bars = [r for r in svg.iter(f"{SVG}rect")]
    assert len(bars) == 3 and all(float(r.get("height")) >= 0 for r in bars)
    assert float(bars[2].get("height")) > float(bars[0].get("height")) > 0  # +2% taller than -1%
    labels = [t.text for t in svg.iter(f"{SVG}text")]
    assert "returns" in labels and "+2.00%" in labels and "-1.00%" in labels


def test_a_line_chart_has_a_point_per_value_and_its_first_and_last_day():
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(5)]
    svg = ET.fromstring(line_chart(days, [0.1, -0.05, 0.0, 0.2, 0.15], "IC"))
    (line,) = svg.iter(f"{SVG}polyline")
    assert len(line.get("points").split()) == 5
    assert {"2026-01-01", "2026-01-05"} <= {t.text for t in svg.iter(f"{SVG}text")}


def test_the_markdown_image_carries_the_svg_as_a_data_uri():
    svg = bar_chart(["1"], [0.01], "one")
    markdown = markdown_image(svg, "decile returns")
    assert markdown.startswith("![decile returns](data:image/svg+xml;base64,")
    assert base64.b64decode(markdown.split(",", 1)[1].rstrip(")")).decode() == svg
