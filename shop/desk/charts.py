"""Charts drawn as inline SVG on the server: no script, no font or library from the internet.

A horizontal bar chart reads well on a 390 px phone: one bar per row, the label
above it and the value at its end. Labels are escaped; the SVG scales to the
width of its container through ``viewBox``.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH = 360
BAR = 14
ROW = 38
COLORS = ["#2f7d32", "#c77c02", "#1565c0", "#8e24aa", "#00838f", "#6d4c41"]


def bar_chart(rows, value=lambda row: row.amount, fmt=lambda v: f"¥{v:,.2f}", title="", limit=15):
    """An SVG of up to ``limit`` rows (bigger first as given); empty string when nothing to draw."""
    rows = list(rows)[:limit]
    values = [float(value(row) or 0) for row in rows]
    if not rows or max(values, default=0) <= 0:
        return ""
    top = max(values)
    height = ROW * len(rows) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="desk-chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (row, v) in enumerate(zip(rows, values, strict=True)):
        y = index * ROW + 4
        length = max(1.0, (WIDTH - 90) * max(v, 0) / top)
        color = COLORS[index % len(COLORS)]
        parts.append(
            f'<text x="0" y="{y + 11}" font-size="12" fill="#333">{escape(row.label)}</text>'
        )
        parts.append(
            f'<rect x="0" y="{y + 15}" width="{length:.1f}" height="{BAR}" rx="2" fill="{color}"></rect>'
        )
        parts.append(
            f'<text x="{length + 4:.1f}" y="{y + 26}" font-size="11" fill="#555">{escape(fmt(v))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  every piece of text above is escaped
