"""The simulator's chart as SVG text: no plotting library, readable in any browser or editor.

One bar per histogram bin, equal widths (the bins grow 1-2-5 in multiples of the price), the
height its share of opens; the price and the exact RTP are marked on the value axis.
"""

from __future__ import annotations

import bisect
from fractions import Fraction
from xml.sax.saxutils import escape, quoteattr

from coffer.fairness.simulation import Bin, Report

BAR_WIDTH = 40
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 56, 56
PLOT_HEIGHT = 220
MIN_WIDTH = 640
Y_TICKS = 5
Y_TOPS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0)  # fifths of each are round percentages
FONT = 'font-family="sans-serif" font-size="11"'
SMALL = 'font-family="sans-serif" font-size="9" fill="#333"'
MIN_BAR = 1.5  # pixels: the least a reached bin is drawn


def multiple_label(edge_minor: int, price_minor: int) -> str:
    """An edge as a multiple of the price to 2 digits (0, 0.1x, 2x, 1,000x, x a times sign):
    the edges are the multiples rounded up to whole minor units, 0.1001 of a 999 price."""
    if edge_minor == 0:
        return "0"
    multiple = float(f"{edge_minor / price_minor:.2g}")  # from 1 price up, whole multiples
    shown = f"{round(multiple):,}" if multiple >= 1 else f"{multiple:g}"
    return f"{shown}\N{MULTIPLICATION SIGN}"


def x_of(bins: tuple[Bin, ...], value: Fraction, bar: float) -> float:
    """Where a value sits on the axis: its bin, and linearly inside it."""
    lows = [b.from_minor for b in bins]
    index = min(max(bisect.bisect_right(lows, value) - 1, 0), len(bins) - 1)
    found = bins[index]
    inside = (value - found.from_minor) / (found.to_minor - found.from_minor)
    return LEFT + bar * (index + float(min(max(inside, Fraction(0)), Fraction(1))))


def y_top(largest: float) -> float:
    """The y axis' top share: the first round one at or above the tallest bar."""
    return next(top for top in Y_TOPS if top >= largest - 1e-12)


def bars(report: Report, top: float, bar: float) -> list[str]:
    """One <rect class="bar"> per bin, with a tooltip of its bounds and count; a bin that any
    open reached is labelled with its share and stays visible however rare (a jackpot)."""
    out = []
    for index, found in enumerate(report.histogram):
        share = found.count / report.opens
        height = max(PLOT_HEIGHT * share / top, MIN_BAR if found.count else 0)
        if found.count:
            y = TOP + PLOT_HEIGHT - height - 3
            out.append(
                f'<text x="{LEFT + bar * (index + 0.5):.2f}" y="{y:.2f}" text-anchor="middle" '
                f"{SMALL}>{share * 100:.3g}%</text>"
            )
        tip = (
            f"{found.from_minor} to {found.to_minor - 1} minor units: "
            f"{found.count} of {report.opens} opens ({share:.4%})"
        )
        out.append(
            f'<rect class="bar" x="{LEFT + bar * index + 2:.2f}" '
            f'y="{TOP + PLOT_HEIGHT - height:.2f}" width="{bar - 4:.2f}" '
            f'height="{height:.2f}" fill="#4c78a8"><title>{escape(tip)}</title></rect>'
        )
    return out


def axes(report: Report, top: float, bar: float) -> list[str]:
    """The share-of-opens gridlines and the price-multiple labels at every bin edge."""
    bottom, width = TOP + PLOT_HEIGHT, round(LEFT + RIGHT + bar * len(report.histogram))
    out = []
    for step in range(Y_TICKS + 1):
        share = top * step / Y_TICKS
        y = bottom - PLOT_HEIGHT * step / Y_TICKS
        out.append(
            f'<line x1="{LEFT}" y1="{y:.2f}" x2="{width - RIGHT}" y2="{y:.2f}" stroke="#ddd"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.2f}" text-anchor="end" {FONT}>'
            f"{share * 100:.3g}%</text>"
        )
    bins = report.histogram
    for index, edge in enumerate([b.from_minor for b in bins] + [bins[-1].to_minor]):
        label = multiple_label(edge, report.price_minor)
        out.append(
            f'<text x="{LEFT + bar * index:.2f}" y="{bottom + 16}" text-anchor="middle" '
            f"{FONT}>{escape(label)}</text>"
        )
    out.append(
        f'<text x="{(LEFT + width - RIGHT) / 2}" y="{bottom + 40}" text-anchor="middle" '
        f"{FONT}>prize value per open, in multiples of the price "
        f"({report.price_minor} minor units)</text>"
        f'<text x="14" y="{TOP + PLOT_HEIGHT / 2}" text-anchor="middle" {FONT} '
        f'transform="rotate(-90 14 {TOP + PLOT_HEIGHT / 2})">share of opens</text>'
    )
    return out


def marker(x: float, label: str, colour: str, dashed: bool, row: int) -> str:
    """A vertical line across the plot with its label above it."""
    dash = ' stroke-dasharray="5 3"' if dashed else ""
    return (
        f'<line class="marker" x1="{x:.2f}" y1="{TOP - 4}" x2="{x:.2f}" '
        f'y2="{TOP + PLOT_HEIGHT}" stroke="{colour}" stroke-width="2"{dash}/>'
        f'<text x="{x:.2f}" y="{TOP - 8 - 13 * row}" text-anchor="middle" fill="{colour}" '
        f"{FONT}>{escape(label)}</text>"
    )


def chart_svg(report: Report, title: str = "") -> str:
    """The histogram of the return per open, with the price and the exact RTP marked."""
    bar = max(BAR_WIDTH, (MIN_WIDTH - LEFT - RIGHT) / len(report.histogram))
    width = round(LEFT + RIGHT + bar * len(report.histogram))
    height = TOP + PLOT_HEIGHT + BOTTOM
    top = y_top(max(b.count for b in report.histogram) / report.opens)
    heading = title or f"Return per open over {report.opens} simulated opens"
    price = Fraction(report.price_minor)
    rtp = f"exact RTP {float(report.exact_rtp):.2%}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label={quoteattr(heading)}>',
        f"<title>{escape(heading)}</title>",
        f'<rect width="{width}" height="{height}" fill="white"/>',
        *axes(report, top, bar),
        *bars(report, top, bar),
        marker(x_of(report.histogram, price, bar), "price", "#555", False, 0),
        marker(x_of(report.histogram, report.exact_rtp * price, bar), rtp, "#d62728", True, 1),
        f'<text x="{LEFT}" y="16" {FONT} font-weight="bold">{escape(heading)}</text>',
        "</svg>",
    ]
    return "\n".join(parts) + "\n"
