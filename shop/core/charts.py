"""Every chart of the site, drawn as inline SVG on the server: no script, no font or
library from the internet, and it prints.

- ``bar_chart``: one bar per row with the label above it and the value at its end
  (the team's reports; reads well on a 390 px phone).
- ``side_bar_chart``: the label left of its bar, the full name on hover (the impact page).
- ``route_map``: numbered dots joined in driving order (a run's route; the positions
  come from ``fulfilment.routing.route_svg``).

Every text is escaped here with ``escape``; attributes are written in the order given.
The SVGs scale to the width of their container through ``viewBox``.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

SVG_NS = "http://www.w3.org/2000/svg"

WIDTH = 360
BAR = 14
ROW = 38
COLORS = ["#2f7d32", "#c77c02", "#1565c0", "#8e24aa", "#00838f", "#6d4c41"]


def tag(name, attrs, content=None):
    """``<name a="1" b="2">content</name>``, or self-closed without content. Attribute
    values are written as given (numbers formatted by the caller); text is the caller's,
    escaped already."""
    written = "".join(f' {key}="{value}"' for key, value in attrs.items())
    if content is None:
        return f"<{name}{written}/>"
    return f"<{name}{written}>{content}</{name}>"


def title(text):
    return f"<title>{escape(text)}</title>"


def bar_chart(rows, value=lambda row: row.amount, fmt=lambda v: f"¥{v:,.2f}", title="", limit=15):
    """An SVG of up to ``limit`` rows (bigger first as given), each with a ``label``;
    empty string when nothing to draw."""
    rows = list(rows)[:limit]
    values = [float(value(row) or 0) for row in rows]
    if not rows or max(values, default=0) <= 0:
        return ""
    top = max(values)
    height = ROW * len(rows) + 8
    parts = [
        f'<svg xmlns="{SVG_NS}" class="desk-chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (row, v) in enumerate(zip(rows, values, strict=True)):
        y = index * ROW + 4
        length = max(1.0, (WIDTH - 90) * max(v, 0) / top)
        color = COLORS[index % len(COLORS)]
        small = {"font-size": "12", "fill": "#333"}
        parts.append(tag("text", {"x": "0", "y": y + 11, **small}, escape(row.label)))
        bar = {"x": "0", "y": y + 15, "width": f"{length:.1f}", "height": BAR, "rx": "2"}
        parts.append(tag("rect", {**bar, "fill": color}, ""))
        at_end = {"x": f"{length + 4:.1f}", "y": y + 26, "font-size": "11", "fill": "#555"}
        parts.append(tag("text", at_end, escape(fmt(v))))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  every piece of text above is escaped


def side_bar_chart(rows, chart_title, width=WIDTH, bar_height=22):
    """Bars for ``rows`` of (short label, full name, value, value as shown), the label
    right-aligned left of its bar; empty string when there are no rows."""
    if not rows:
        return ""
    peak = max(value for _label, _name, value, _shown in rows) or 1
    label_w, gap = 112, 6
    height = len(rows) * (bar_height + gap) + 8
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'xmlns="{SVG_NS}">{title(chart_title)}'
    ]
    for i, (label, name, value, shown) in enumerate(rows):
        y = 4 + i * (bar_height + gap)
        bar = max(2, int((width - label_w - 70) * float(value) / float(peak)))
        baseline = f"{y + bar_height * 0.7:.1f}"
        parts.append(
            tag(
                "text",
                {"x": label_w - 6, "y": baseline, "text-anchor": "end", "font-size": "12"},
                escape(label),
            )
            + tag(
                "rect",
                {"x": label_w, "y": y, "width": bar, "height": bar_height, "rx": "3"}
                | {"fill": "#2f6b3a"},
                title(f"{name}: {shown}"),
            )
            + tag("text", {"x": label_w + bar + 4, "y": baseline, "font-size": "12"}, shown)
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  every piece of text above is escaped


def route_map(start, dots, width, height):
    """A sketch of a route on a ``width`` × ``height`` box: ``start`` (x, y) as a dark
    square, then ``dots`` in driving order, each (x, y, hover text, colour, late, name):
    a numbered circle with a red ring when late, joined by a line, and its name beside it
    (names are drawn last, above every dot and line). A plain string: it is stored with
    the run's route."""
    parts = [
        f'<svg xmlns="{SVG_NS}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="10">',
        "<title>Route</title>",
        tag("rect", {"width": width, "height": height, "fill": "#fafafa"}),
    ]
    screen = [start, *((x, y) for x, y, *_rest in dots)]
    if len(screen) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in screen)
        line = {"fill": "none", "stroke": "#757575", "stroke-width": "1.5"}
        parts.append(tag("polyline", {"points": path, **line}))
    sx, sy = start
    square = {"x": f"{sx - 5:.1f}", "y": f"{sy - 5:.1f}", "width": "10", "height": "10"}
    parts.append(tag("rect", {**square, "fill": "#212121"}, "<title>Start</title>"))
    names = []
    for number, (x, y, hover, colour, late, name) in enumerate(dots, start=1):
        ring = {"stroke": "#c62828", "stroke-width": "2"} if late else {}
        circle = {"cx": f"{x:.1f}", "cy": f"{y:.1f}", "r": "7", "fill": escape(colour), **ring}
        digit = {"x": f"{x:.1f}", "y": f"{y + 3:.1f}", "text-anchor": "middle", "fill": "#fff"}
        parts.append(
            tag("g", {}, title(hover) + tag("circle", circle) + tag("text", digit, number))
        )
        if name:
            right = x < width * 0.6
            beside = {
                "x": f"{x + 10 if right else x - 10:.1f}",
                "y": f"{y + 3.5:.1f}",
                "text-anchor": "start" if right else "end",
                "fill": "#212121",
                "stroke": "#fafafa",
                "stroke-width": "3",
                "paint-order": "stroke",
            }
            names.append(tag("text", beside, escape(name)))
    parts.extend(names)
    parts.append("</svg>")
    return "\n".join(parts)
