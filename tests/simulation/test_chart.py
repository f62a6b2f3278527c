"""The chart is well-formed SVG with one bar per histogram bin and the RTP marked."""

import xml.etree.ElementTree as ET

from coffer.fairness.simulation import Odds, simulate
from coffer.fairness.simulation_chart import chart_svg

SVG = "{http://www.w3.org/2000/svg}"


def test_the_svg_parses_and_has_one_bar_per_bin() -> None:
    odds = Odds(500, ((1, 50_000), (9, 600), (40, 250), (50, 0)))
    report = simulate(odds, "b" * 64, "chart", 5000)
    text = chart_svg(report, "A <draft> & its odds")
    root = ET.fromstring(text)  # noqa: S314 - our own output
    assert root.tag == f"{SVG}svg"
    bars = [e for e in root.iter(f"{SVG}rect") if e.get("class") == "bar"]
    assert len(bars) == len(report.histogram)
    heights = [float(bar.get("height", "-1")) for bar in bars]
    assert all(h >= 0 for h in heights)
    tallest = max(range(len(bars)), key=lambda i: report.histogram[i].count)
    assert heights[tallest] == max(heights)
    words = " ".join(e.text or "" for e in root.iter(f"{SVG}text"))
    assert "exact RTP" in words
    assert "price" in words
    assert "1\N{MULTIPLICATION SIGN}" in words
    assert "A <draft> & its odds" in words
    assert len([e for e in root.iter(f"{SVG}line") if e.get("class") == "marker"]) == 2


def test_a_box_of_many_bins_widens_the_chart() -> None:
    odds = Odds(1, ((1, 10**12), (10**6, 0)))
    report = simulate(odds, "c" * 64, "wide", 200)
    root = ET.fromstring(chart_svg(report))  # noqa: S314 - our own output
    assert len(report.histogram) > 30
    assert float(root.get("width", "0")) >= 40 * len(report.histogram)
