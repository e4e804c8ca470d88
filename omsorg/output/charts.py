"""Small charts as server-rendered SVG: no JavaScript, the same markup on the
page and in the PDF (WeasyPrint draws inline SVG).

Each helper returns safe markup with role="img", a <title> and an aria-label,
so a screen reader gets the same information as the picture. All text passed
in is escaped."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT = 'font-family="DejaVu Sans, sans-serif"'
ACCENT = "#0b5cad"
LIGHT = "#7fb0e0"
GREY = "#c9d1db"
TEXT = "#1c2430"
MUTED = "#5b6675"


@dataclass(frozen=True)
class Part:
    label: str
    value: int
    color: str


def _svg(width: int, height: int, title: str, body: list[str], description: str = "") -> SafeString:
    label = escape(f"{title}. {description}" if description else title)
    return mark_safe(  # noqa: S308 - every text inside is escaped above
        f'<svg class="chart chart-w{width}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{label}" '
        f'preserveAspectRatio="xMinYMin meet"><title>{label}</title>' + "".join(body) + "</svg>"
    )


def as_image(svg: str, alt: str) -> SafeString:
    """A chart for the PDF: the same SVG as an <img> (a data: URL) instead of
    inline. WeasyPrint then draws it as one replaced box instead of
    parsing, cascading the document's styles over and laying out every
    node of the drawing with the rest of the page."""
    data = base64.b64encode(svg.encode()).decode("ascii")
    return mark_safe(  # noqa: S308 - base64 and an escaped text only
        f'<img class="chart" src="data:image/svg+xml;base64,{data}" alt="{escape(alt)}">'
    )


def _nice_max(value: float) -> int:
    """A round axis maximum at or above ``value`` (1, 2, 5, 10, 20, 50 ...)."""
    if value <= 1:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def _ticks(top_value: int) -> list[int]:
    """0 .. top_value in at most five even steps (top_value from _nice_max)."""
    step = max(1, top_value // 5) if top_value >= 5 else 1
    return list(range(0, top_value + 1, step))


def column_chart(
    columns: Sequence[tuple[str, int]],
    *,
    title: str,
    x_label: str = "",
    y_label: str = "",
    color: str = ACCENT,
) -> SafeString:
    """Vertical bars, one per (label, value), the value printed above each bar."""
    width, height = 420, 230
    left, right, top, bottom = 40, 8, 18, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max((value for _label, value in columns), default=0))
    body = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    ]
    for tick in _ticks(top_value):
        y = top + plot_h - plot_h * tick / top_value
        body.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="13" {FONT} '
            f'fill="{MUTED}">{tick}</text>'
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="#e6e9ee" stroke-width="1"/>'
        )
    count = max(len(columns), 1)
    slot = plot_w / count
    bar_w = min(48.0, slot * 0.7)
    for index, (label, value) in enumerate(columns):
        x = left + slot * index + (slot - bar_w) / 2
        bar_h = plot_h * value / top_value
        y = top + plot_h - bar_h
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{bar_h:.1f}" '
            f'fill="{color}"><title>{escape(label)}: {value}</title></rect>'
            f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="13" '
            f'{FONT} fill="{TEXT}">{value}</text>'
            f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 15}" text-anchor="middle" '
            f'font-size="13" {FONT} fill="{TEXT}">{escape(label)}</text>'
        )
    if x_label:
        body.append(
            f'<text x="{left + plot_w / 2:.1f}" y="{height - 8}" text-anchor="middle" '
            f'font-size="13" {FONT} fill="{MUTED}">{escape(x_label)}</text>'
        )
    if y_label:
        body.append(
            f'<text x="12" y="{top + plot_h / 2:.1f}" text-anchor="middle" font-size="13" {FONT} '
            f'fill="{MUTED}" transform="rotate(-90 12 {top + plot_h / 2:.1f})">'
            f"{escape(y_label)}</text>"
        )
    return _svg(width, height, title, body)


def stacked_bar(parts: Sequence[Part], *, title: str, legend: Sequence[str]) -> SafeString:
    """One horizontal 100 % bar split into parts, with a legend line per part
    (``legend`` holds the ready-made text, e.g. "Ordinarie 2 (15 %)")."""
    width = 420
    bar_h = 36
    height = bar_h + 14 + 26 * len(parts)
    total = sum(part.value for part in parts)
    body = []
    x = 0.0
    if total == 0:
        body.append(f'<rect x="0" y="0" width="{width}" height="{bar_h}" fill="#eef1f5"/>')
    for part in parts:
        if total == 0 or part.value == 0:
            continue
        w = width * part.value / total
        body.append(
            f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{bar_h}" fill="{part.color}">'
            f"<title>{escape(part.label)}: {part.value}</title></rect>"
        )
        x += w
    for index, (part, text) in enumerate(zip(parts, legend, strict=True)):
        y = bar_h + 14 + 26 * index
        body.append(
            f'<rect x="0" y="{y}" width="16" height="16" fill="{part.color}"/>'
            f'<text x="24" y="{y + 13}" font-size="15" {FONT} fill="{TEXT}">{escape(text)}</text>'
        )
    return _svg(width, height, title, body)


def line_chart(
    points: Sequence[tuple[str, float | None]], *, title: str, y_label: str = ""
) -> SafeString:
    """A line through the points (label, value); None leaves a gap. The
    accessible name lists every point, so a screen reader gets the values."""
    width, height = 480, 220
    left, right, top, bottom = 40, 24, 22, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [value for _label, value in points if value is not None]
    top_value = _nice_max(max(values, default=0))
    body = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    ]
    for tick in _ticks(top_value):
        y = top + plot_h - plot_h * tick / top_value
        body.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="13" {FONT} '
            f'fill="{MUTED}">{tick}</text>'
        )
    step = plot_w / max(len(points) - 1, 1)
    segment: list[str] = []
    segments: list[list[str]] = [segment]
    for index, (label, value) in enumerate(points):
        x = left + step * index if len(points) > 1 else left + plot_w / 2
        body.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle" font-size="13" '
            f'{FONT} fill="{TEXT}">{escape(label)}</text>'
        )
        if value is None:
            segment = []
            segments.append(segment)
            continue
        y = top + plot_h - plot_h * value / top_value
        segment.append(f"{x:.1f},{y:.1f}")
        shown = f"{value:g}".replace(".", ",")
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{ACCENT}">'
            f"<title>{escape(label)}: {shown}</title></circle>"
            f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle" font-size="13" {FONT} '
            f'fill="{TEXT}">{shown}</text>'
        )
    for points_str in segments:
        if len(points_str) > 1:
            body.insert(
                1,
                f'<polyline points="{" ".join(points_str)}" fill="none" stroke="{ACCENT}" '
                f'stroke-width="2"/>',
            )
    if y_label:
        body.append(
            f'<text x="12" y="{top + plot_h / 2:.1f}" text-anchor="middle" font-size="13" {FONT} '
            f'fill="{MUTED}" transform="rotate(-90 12 {top + plot_h / 2:.1f})">'
            f"{escape(y_label)}</text>"
        )
    described = ", ".join(
        f"{label}: {value:g}".replace(".", ",") for label, value in points if value is not None
    )
    return _svg(width, height, title, body, described)
