"""Inline SVG charts for the HTML eval report: no scripts, no CDN, readable offline and in print.

Each function returns an ``<svg>`` (or ``<table>``) string sized for a ~560 px column:
horizontal bars for rates and counts (with the previous run as a marker when comparing),
a latency histogram, diverging bars for metric deltas and a shaded intent confusion table.
"""
from __future__ import annotations

from html import escape
from typing import Any

GOOD, FAIR, POOR, GREY, INK = "#2e7d32", "#f9a825", "#c62828", "#9e9e9e", "#222"
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="12"'


def rate_colour(value: float | None) -> str:
    if value is None:
        return GREY
    return GOOD if value >= 0.9 else FAIR if value >= 0.7 else POOR


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.0f}%"


def hbars(rows: list[dict[str, Any]], *, max_value: float = 1.0, width: int = 560, label_width: int = 190,
          fmt=pct, colour=rate_colour, title: str = "") -> str:
    """rows: {label, value, note?, old?}; value/old in 0..max_value. The old value is a black tick."""
    if not rows:
        return '<p class="muted">nothing measured</p>'
    bar_h, gap, top = 18, 8, 6
    track = width - label_width - 110
    height = top + len(rows) * (bar_h + gap)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(title)}" {FONT}>']
    for i, row in enumerate(rows):
        y = top + i * (bar_h + gap)
        value = row.get("value")
        filled = 0 if value is None else max(0.0, min(1.0, value / max_value)) * track
        label = str(row["label"])
        short = label if len(label) <= 28 else label[:27] + "…"
        parts.append(f'<text x="{label_width - 8}" y="{y + 13}" text-anchor="end" fill="{INK}">'
                     f'<title>{escape(label)}</title>{escape(short)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y}" width="{track}" height="{bar_h}" fill="#eee" rx="3"/>')
        parts.append(f'<rect x="{label_width}" y="{y}" width="{filled:.1f}" height="{bar_h}" '
                     f'fill="{colour(value)}" rx="3"/>')
        old = row.get("old")
        if old is not None:
            x = label_width + max(0.0, min(1.0, old / max_value)) * track
            parts.append(f'<rect x="{x - 1:.1f}" y="{y - 3}" width="3" height="{bar_h + 6}" fill="{INK}">'
                         f'<title>previous run: {escape(fmt(old))}</title></rect>')
        text = fmt(value) + (f"  {row['note']}" if row.get("note") else "")
        parts.append(f'<text x="{label_width + track + 8}" y="{y + 13}" fill="{INK}">{escape(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def histogram(values: list[float], *, bins: int = 12, width: int = 560, height: int = 170, unit: str = "ms",
              marks: dict[str, float | None] | None = None) -> str:
    if not values:
        return '<p class="muted">no turns timed</p>'
    low, high = 0.0, max(values) * 1.05 or 1.0
    step = (high - low) / bins
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int((v - low) / step))] += 1
    left, bottom, plot_w, plot_h = 40, 28, width - 50, height - 56     # room above the bars for the marks
    peak = max(counts) or 1
    bw = plot_w / bins
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="latency histogram" {FONT}>',
             f'<line x1="{left}" y1="{height - bottom}" x2="{left + plot_w}" y2="{height - bottom}" stroke="#888"/>',
             f'<text x="{left - 6}" y="{height - bottom}" text-anchor="end" fill="{INK}">0</text>',
             f'<text x="{left - 6}" y="{height - bottom - plot_h + 10}" text-anchor="end" fill="{INK}">{peak}</text>']
    for i, n in enumerate(counts):
        h = n / peak * plot_h
        x = left + i * bw
        parts.append(f'<rect x="{x + 1:.1f}" y="{height - bottom - h:.1f}" width="{bw - 2:.1f}" height="{h:.1f}" '
                     f'fill="#5c6bc0"><title>{low + i * step:.0f}-{low + (i + 1) * step:.0f} {unit}: {n}</title></rect>')
    for i in range(0, bins + 1, max(1, bins // 4)):
        x = left + i * bw
        tick = f"{low + i * step:.0f}" + (f" {unit}" if i == bins else "")
        anchor = "end" if i == bins else "middle"
        parts.append(f'<text x="{x:.1f}" y="{height - 10}" text-anchor="{anchor}" fill="{INK}">{tick}</text>')
    for name, value in (marks or {}).items():
        if value is None:
            continue
        x = left + (value - low) / (high - low) * plot_w
        parts.append(f'<line x1="{x:.1f}" y1="{height - bottom - plot_h - 14}" x2="{x:.1f}" y2="{height - bottom}" '
                     f'stroke="{POOR}" stroke-dasharray="4 3"/><text x="{x + 3:.1f}" y="{height - bottom - plot_h - 6}" '
                     f'fill="{POOR}">{escape(name)} {value:.0f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def delta_bars(rows: list[dict[str, Any]], *, width: int = 560, label_width: int = 250) -> str:
    """rows: {metric, delta, better}; rates as fractions (shown in points), latency in ms."""
    rows = [r for r in rows if r.get("delta")]
    if not rows:
        return '<p class="muted">no metric changed</p>'
    bar_h, gap = 16, 6
    half = (width - label_width - 70) / 2
    mid = label_width + half

    def is_ms(name: str) -> bool:
        return name.startswith("latency.")

    # rates (fractions) and latencies (ms) are scaled separately so neither dwarfs the other
    scale = {unit: max((abs(r["delta"]) for r in rows if is_ms(r["metric"]) == unit), default=1) or 1
             for unit in (True, False)}
    height = len(rows) * (bar_h + gap) + 6
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="metric changes" {FONT}>',
             f'<line x1="{mid}" y1="0" x2="{mid}" y2="{height}" stroke="#888"/>']
    for i, r in enumerate(rows):
        y = 3 + i * (bar_h + gap)
        w = abs(r["delta"]) / scale[is_ms(r["metric"])] * half
        x = mid if r["delta"] > 0 else mid - w
        colour = GOOD if r["better"] else POOR
        shown = f"{r['delta']:+.0f} ms" if is_ms(r["metric"]) else f"{r['delta'] * 100:+.1f} pts"
        name = r["metric"] if len(r["metric"]) <= 34 else "…" + r["metric"][-33:]
        parts.append(f'<text x="{label_width - 8}" y="{y + 12}" text-anchor="end" fill="{INK}">'
                     f'<title>{escape(r["metric"])}</title>{escape(name)}</text>')
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}" rx="2"/>')
        parts.append(f'<text x="{width - 4}" y="{y + 12}" text-anchor="end" fill="{colour}">{escape(shown)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def confusion_table(confusion: dict[str, dict[str, int]]) -> str:
    if not confusion:
        return '<p class="muted">no intent expectations</p>'
    predicted = sorted({p for row in confusion.values() for p in row}, key=lambda p: (p == "(none)", p))
    head = "".join(f'<th class="rot"><div>{escape(p)}</div></th>' for p in predicted)
    lines = [f'<table class="confusion"><tr><th>expected \\ tracked</th>{head}<th>n</th></tr>']
    for expected, row in confusion.items():
        total = sum(row.values()) or 1
        cells = []
        for p in predicted:
            n = row.get(p, 0)
            share = n / total
            hue = "46,125,50" if p == expected else "198,40,40"
            style = f' style="background:rgba({hue},{0.12 + 0.75 * share:.2f})"' if n else ""
            cells.append(f"<td{style}>{n or ''}</td>")
        lines.append(f"<tr><th>{escape(expected)}</th>{''.join(cells)}<td>{sum(row.values())}</td></tr>")
    lines.append("</table>")
    return "".join(lines)
