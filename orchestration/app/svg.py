"""Charts and the identity graph as inline SVG, drawn on the server (no
JavaScript, nothing fetched): every function returns markup safe to embed."""

from __future__ import annotations

import math
from collections import defaultdict
from html import escape

from markupsafe import Markup

PALETTE = ("#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563")
SOURCE_COLOURS = {
    "crm_contacts": "#2563eb", "loyalty_members": "#7c3aed", "ecommerce_orders": "#059669",
    "pos_transactions": "#0d9488", "web_events": "#d97706", "app_events": "#db2777",
    "email_events": "#0891b2", "zalo_events": "#4f46e5", "support_tickets": "#b91c1c",
}


def _text(x, y, text, *, size=11, anchor="start", weight="normal", fill="#111827", extra="") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
            f'fill="{fill}" {extra}>{escape(str(text))}</text>')


def _number(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) or hasattr(value, "as_integer_ratio") and not isinstance(value, int):
        value = float(value)
        if abs(value) >= 1_000_000:
            return f"{value / 1_000_000:,.1f}M"
        if abs(value) >= 10_000:
            return f"{value / 1_000:,.0f}k"
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:,}"


def bar_chart(items: list[tuple[str, float | None]], *, width: int = 420, title: str = "") -> Markup:
    """Horizontal bars, one per (label, value)."""
    row, label_width = 22, 170
    height = row * max(len(items), 1) + 10
    top = max((float(v) for _, v in items if v is not None), default=0) or 1
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">']
    for index, (label, value) in enumerate(items):
        y = 5 + index * row
        length = 0 if value is None else max(float(value), 0) / top * (width - label_width - 70)
        parts.append(_text(label_width - 6, y + 14, label, anchor="end"))
        parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="{row - 8}" '
                     f'fill="{PALETTE[0]}" rx="2"/>')
        parts.append(_text(label_width + length + 4, y + 14, _number(value)))
    parts.append("</svg>")
    return Markup("".join(parts))


def heatmap(rows: list[str], columns: list[str], values: dict[tuple[str, str], float], *,
            title: str, fmt=_number) -> Markup:
    """A grid of cells shaded by value (rows x columns)."""
    cell_w, cell_h, left, top = 92, 34, 90, 36
    width, height = left + cell_w * len(columns) + 10, top + cell_h * len(rows) + 10
    peak = max((float(v) for v in values.values() if v), default=0) or 1
    parts = [f'<svg class="chart heatmap" role="img" aria-label="{escape(title)}" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
             _text(left, 14, title, weight="bold", size=12)]
    for j, column in enumerate(columns):
        parts.append(_text(left + cell_w * j + cell_w / 2, top - 6, column, anchor="middle"))
    for i, row_name in enumerate(rows):
        y = top + cell_h * i
        parts.append(_text(left - 6, y + cell_h / 2 + 4, row_name, anchor="end"))
        for j, column in enumerate(columns):
            value = values.get((row_name, column), 0) or 0
            share = float(value) / peak
            fill = f"rgba(37, 99, 235, {0.08 + 0.85 * share:.2f})"
            x = left + cell_w * j
            parts.append(f'<rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" fill="{fill}">'
                         f'<title>{escape(row_name)} × {escape(column)}: {escape(fmt(value))}</title></rect>')
            parts.append(_text(x + cell_w / 2 - 1, y + cell_h / 2 + 4, fmt(value), anchor="middle",
                               fill="#ffffff" if share > 0.55 else "#111827"))
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(series: dict[str, list[tuple[object, float]]], *, width: int = 640, height: int = 220,
               title: str = "") -> Markup:
    """One line per series of (x label in order, value), sharing the x axis."""
    xs = sorted({x for points in series.values() for x, _ in points})
    if not xs:
        return Markup('<p class="empty">No data.</p>')
    left, right, top, bottom = 44, 10, 12, 36
    peak = max((v for points in series.values() for _, v in points), default=0) or 1
    position = {x: index for index, x in enumerate(xs)}
    span = max(len(xs) - 1, 1)

    def point(x, v):
        return (left + (width - left - right) * position[x] / span,
                top + (height - top - bottom) * (1 - v / peak))

    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="#9ca3af"/>',
             _text(left - 4, top + 8, _number(peak), anchor="end"),
             _text(left - 4, height - bottom, "0", anchor="end"),
             _text(left, height - bottom + 14, xs[0]), _text(width - right, height - bottom + 14, xs[-1], anchor="end")]
    for index, (name, points) in enumerate(series.items()):
        colour = PALETTE[index % len(PALETTE)]
        coordinates = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(x, v) for x, v in sorted(points)))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{coordinates}">'
                     f'<title>{escape(name)}</title></polyline>')
        for x, v in sorted(points):
            cx, cy = point(x, v)
            parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3" fill="{colour}"><title>{escape(name)} '
                         f'{escape(str(x))}: {v:,}</title></circle>')
        parts.append(f'<rect x="{left + 190 * index}" y="{height - 14}" width="10" height="10" fill="{colour}"/>')
        parts.append(_text(left + 190 * index + 14, height - 5, name[:28]))
    parts.append("</svg>")
    return Markup("".join(parts))


def venn(names: list[str], regions: dict[tuple[str, ...], int]) -> Markup:
    """Two or three circles with the number of current members in each region."""
    width, height, top = 360, 330, 16 * len(names) + 8
    centres = {2: [(135, 110), (225, 110)], 3: [(140, 100), (220, 100), (180, 170)]}[len(names)]
    centres = [(x, y + top) for x, y in centres]
    radius = 95
    parts = [f'<svg class="chart venn" role="img" aria-label="segment overlap" width="{width}" '
             f'height="{height + top}" viewBox="0 0 {width} {height + top}" xmlns="http://www.w3.org/2000/svg">']
    for index, ((x, y), name) in enumerate(zip(centres, names)):
        parts.append(f'<circle cx="{x}" cy="{y}" r="{radius}" fill="{PALETTE[index]}" fill-opacity="0.18" '
                     f'stroke="{PALETTE[index]}"/>')
        parts.append(f'<rect x="4" y="{6 + 16 * index}" width="10" height="10" fill="{PALETTE[index]}"/>')
        parts.append(_text(18, 15 + 16 * index, name, weight="bold", fill=PALETTE[index]))
    # Where each region's count is written: the mean of its circles' centres, pushed away from the others.
    for region, count in regions.items():
        inside = [names.index(name) for name in region]
        outside = [i for i in range(len(names)) if i not in inside]
        x = sum(centres[i][0] for i in inside) / len(inside)
        y = sum(centres[i][1] for i in inside) / len(inside)
        for i in outside:
            dx, dy = x - centres[i][0], y - centres[i][1]
            norm = math.hypot(dx, dy) or 1
            x, y = x + dx / norm * 45, y + dy / norm * 45
        parts.append(_text(x, y + 4, f"{count:,}", anchor="middle", weight="bold", size=13))
    parts.append("</svg>")
    return Markup("".join(parts))


def identity_graph(links: list[dict], *, max_records_per_source: int = 8) -> Markup:
    """The profile's identity graph: records (left, by source) and identifiers
    (right), a solid line per used link, a dashed red line per rejected link
    with its reason (hover, and in the table under the picture). Sources with
    many records show the first few and one "+N more" node standing for the rest."""
    if not links:
        return Markup('<p class="empty">No links.</p>')
    by_source: dict[str, list[str]] = defaultdict(list)
    identifiers: dict[str, dict] = {}
    labels: dict[str, str] = {}
    for link in links:
        if link["record_key"] not in labels:
            labels[link["record_key"]] = link["record_label"]
            by_source[link["source"]].append(link["record_key"])
        identifiers.setdefault(link["identifier_key"], link)
    record_node: dict[str, str] = {}
    record_rows: list[tuple[str, str, str, int]] = []  # node id, label, source, records stood for
    for source in sorted(by_source):
        records = by_source[source]
        for record in records[:max_records_per_source]:
            record_node[record] = record
            record_rows.append((record, labels[record], source, 1))
        if len(records) > max_records_per_source:
            more = f"{source}:+more"
            for record in records[max_records_per_source:]:
                record_node[record] = more
            record_rows.append((more, f"+{len(records) - max_records_per_source} more {source}", source,
                                len(records) - max_records_per_source))
    identifier_rows = sorted(identifiers.values(), key=lambda i: (i["identifier_type"], i["identifier_label"]))
    row_height, width = 24, 1000
    height = 40 + row_height * max(len(record_rows), len(identifier_rows))
    record_x, identifier_x = 250, 600
    record_y = {node: 40 + row_height * index for index, (node, *_rest) in enumerate(record_rows)}
    identifier_y = {row["identifier_key"]: 40 + row_height * index for index, row in enumerate(identifier_rows)}
    edges: dict[tuple[str, str], dict] = {}
    for link in links:
        key = (record_node[link["record_key"]], link["identifier_key"])
        edge = edges.setdefault(key, {"used": 0, "rejected": 0, "reasons": set()})
        edge[link["link_status"]] += 1
        if link["link_status"] == "rejected":
            edge["reasons"].add(link["link_reason"])
    parts = [f'<svg class="graph" role="img" aria-label="identity graph" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
             _text(record_x, 18, "records", anchor="end", weight="bold", size=12),
             _text(identifier_x, 18, "identifiers", weight="bold", size=12)]
    for (record, identifier), edge in sorted(edges.items()):
        y1, y2 = record_y[record] - 4, identifier_y[identifier] - 4
        if edge["used"]:
            parts.append(f'<line class="link-used" x1="{record_x + 8}" y1="{y1}" x2="{identifier_x - 8}" y2="{y2}" '
                         f'stroke="#059669" stroke-width="1.3"><title>used ({edge["used"]})</title></line>')
        if edge["rejected"]:
            reasons = "; ".join(sorted(edge["reasons"]))
            parts.append(f'<line class="link-rejected" x1="{record_x + 8}" y1="{y1 + 2}" x2="{identifier_x - 8}" '
                         f'y2="{y2 + 2}" stroke="#dc2626" stroke-width="1.3" stroke-dasharray="5,3">'
                         f'<title>rejected: {escape(reasons)}</title></line>')
    for node, label, source, _count in record_rows:
        colour = SOURCE_COLOURS.get(source, "#4b5563")
        y = record_y[node]
        parts.append(f'<circle cx="{record_x}" cy="{y - 4}" r="6" fill="{colour}"/>')
        parts.append(_text(record_x - 12, y, label, anchor="end", fill=colour))
    for row in identifier_rows:
        y = identifier_y[row["identifier_key"]]
        parts.append(f'<rect x="{identifier_x - 6}" y="{y - 10}" width="12" height="12" fill="#374151"/>')
        parts.append(_text(identifier_x + 12, y, f'{row["identifier_type"]}: {row["identifier_label"]}'))
    parts.append("</svg>")
    return Markup("".join(parts))

