"""Charts drawn on the server as SVG (no JavaScript, no CDN): every text and attribute value
is escaped, every link is one of ours (a path on this server with an encoded query).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from markupsafe import Markup, escape

QUADS = (("verbal_cooperation", "verbal cooperation", "#7fb8e0", 1),
         ("material_cooperation", "material cooperation", "#1f6fb2", 1),
         ("verbal_conflict", "verbal conflict", "#f0a07a", -1),
         ("material_conflict", "material conflict", "#c0392b", -1))


def _attr(value: Any) -> str:
    return str(escape(str(value)))


def quad_bars(rows: list[dict[str, Any]], link: Callable[[dict[str, Any], str | None], str],
              width: int = 960, height: int = 280) -> Markup:
    """Per-period bars: cooperation stacked up from the axis, conflict down. Each segment
    links (`link(row, quad)`) to the events behind it and has a tooltip."""
    if not rows:
        return Markup('<p class="empty">No dated events.</p>')
    left, right, top, bottom = 44, 10, 24, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    up_max = max(sum(r.get(q, 0) for q, _, _, sign in QUADS if sign > 0) for r in rows)
    down_max = max(sum(r.get(q, 0) for q, _, _, sign in QUADS if sign < 0) for r in rows)
    span = max(1, up_max + down_max)
    zero = top + plot_h * (up_max / span if up_max + down_max else 0.5)
    step = plot_w / len(rows)
    bar = max(1.0, step * 0.8)
    parts = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"'
             f' width="{width}" height="{height}" role="img" aria-label="events per period">']
    parts.append(_legend(left, 14))
    for i, row in enumerate(rows):
        x = left + i * step + (step - bar) / 2
        up, down = zero, zero
        for key, label, colour, sign in QUADS:
            value = row.get(key, 0) or 0
            if not value:
                continue
            h = plot_h * value / span
            y = up - h if sign > 0 else down
            if sign > 0:
                up -= h
            else:
                down += h
            tip = f"{row['period']}: {value} {label}"
            parts.append(f'<a href="{_attr(link(row, label))}" class="bar"><rect x="{x:.1f}" y="{y:.1f}"'
                         f' width="{bar:.1f}" height="{max(h, 0.5):.1f}" fill="{colour}">'
                         f'<title>{escape(tip)}</title></rect></a>')
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{zero:.1f}" y2="{zero:.1f}" class="axis"/>')
    parts.append(f'<text x="4" y="{top + 10}" class="tick">{up_max}</text>')
    parts.append(f'<text x="4" y="{top + plot_h}" class="tick">-{down_max}</text>')
    every = max(1, math.ceil(len(rows) / 10))
    for i in range(0, len(rows), every):
        x = left + i * step + step / 2
        parts.append(f'<text x="{x:.1f}" y="{height - 8}" class="tick" text-anchor="middle">'
                     f'{escape(str(rows[i]["period"]))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _legend(x: int, y: int) -> str:
    out = []
    for key, label, colour, _ in QUADS:
        out.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{x + 14}" y="{y}" class="tick">{escape(label)}</text>')
        x += 24 + 7 * len(label)
    return "".join(out)


# -- network ------------------------------------------------------------------------------------

def layout(nodes: list[str], edges: list[tuple[str, str, float]], size: float = 1.0,
           iterations: int = 80) -> dict[str, tuple[float, float]]:
    """Fruchterman–Reingold from a circle (deterministic), positions in [0, size]²."""
    n = len(nodes)
    if n == 0:
        return {}
    pos = {name: [0.5 + 0.4 * math.cos(2 * math.pi * i / n), 0.5 + 0.4 * math.sin(2 * math.pi * i / n)]
           for i, name in enumerate(nodes)}
    k = 0.8 * math.sqrt(1.0 / n)
    gravity = 0.35 * k * n
    temperature = 0.1
    for _ in range(iterations):
        move = {name: [0.0, 0.0] for name in nodes}
        for i, a in enumerate(nodes):
            pa = pos[a]
            for b in nodes[i + 1:]:
                pb = pos[b]
                dx, dy = pa[0] - pb[0], pa[1] - pb[1]
                d2 = max(dx * dx + dy * dy, 1e-6)
                f = k * k / d2
                move[a][0] += dx * f
                move[a][1] += dy * f
                move[b][0] -= dx * f
                move[b][1] -= dy * f
        for a, b, _ in edges:
            if a == b:
                continue
            pa, pb = pos[a], pos[b]
            dx, dy = pa[0] - pb[0], pa[1] - pb[1]
            d = max(math.sqrt(dx * dx + dy * dy), 1e-3)
            f = d / k
            move[a][0] -= dx * f
            move[a][1] -= dy * f
            move[b][0] += dx * f
            move[b][1] += dy * f
        for name in nodes:  # gravity: keeps loosely connected nodes off the borders
            move[name][0] += (0.5 - pos[name][0]) * gravity
            move[name][1] += (0.5 - pos[name][1]) * gravity
        for name in nodes:
            mx, my = move[name]
            length = max(math.sqrt(mx * mx + my * my), 1e-9)
            step = min(length, temperature)
            pos[name][0] = min(0.97, max(0.03, pos[name][0] + mx / length * step))
            pos[name][1] = min(0.97, max(0.03, pos[name][1] + my / length * step))
        temperature *= 0.95
    return {name: (p[0] * size, p[1] * size) for name, p in pos.items()}


def network_svg(net: dict[str, Any], node_link: Callable[[str], str], edge_link: Callable[[str, str], str],
                width: int = 900, height: int = 640) -> Markup:
    """Who acts on whom: nodes sized by activity, arrows sized by events and coloured by
    cooperation (blue) vs conflict (red)."""
    nodes = [n["id"] for n in net["nodes"]]
    if not nodes:
        return Markup('<p class="empty">No events with both a source and a target.</p>')
    edges = net["edges"]
    pos = layout(nodes, [(e["source"], e["target"], e["events"]) for e in edges])
    heaviest = max(e["events"] for e in edges)
    busiest = max(n["in"] + n["out"] for n in net["nodes"])
    parts = [f'<svg class="network" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"'
             f' width="{width}" height="{height}" role="img" aria-label="actor network">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse"'
             ' orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#666"/></marker></defs>']
    for edge in edges:
        (x1, y1), (x2, y2) = _scaled(pos[edge["source"]], width, height), _scaled(pos[edge["target"]], width, height)
        coop = edge["verbal_cooperation"] + edge["material_cooperation"]
        conflict = edge["verbal_conflict"] + edge["material_conflict"]
        colour = "#1f6fb2" if coop > conflict else "#c0392b" if conflict > coop else "#888888"
        stroke = 1 + 5 * edge["events"] / heaviest
        mutual = f", {edge['reciprocal']} of them reciprocal" if edge.get("reciprocal") else ""
        tip = (f"{edge['source']} → {edge['target']}: {edge['events']} events"
               f" ({coop} cooperation, {conflict} conflict{mutual})")
        x2s, y2s = _shorten(x1, y1, x2, y2, 14)
        parts.append(f'<a href="{_attr(edge_link(edge["source"], edge["target"]))}" class="edge">'
                     f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2s:.1f}" y2="{y2s:.1f}" stroke="{colour}"'
                     f' stroke-width="{stroke:.1f}" stroke-opacity="0.7" marker-end="url(#arrow)">'
                     f'<title>{escape(tip)}</title></line></a>')
    for node in net["nodes"]:
        x, y = _scaled(pos[node["id"]], width, height)
        radius = 5 + 10 * (node["in"] + node["out"]) / busiest
        tip = f"{node['id']}: {node['out']} as source, {node['in']} as target"
        parts.append(f'<a href="{_attr(node_link(node["id"]))}" class="node">'
                     f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}"><title>{escape(tip)}</title></circle>'
                     f'<text x="{x + radius + 3:.1f}" y="{y + 4:.1f}">{escape(_short(node["id"]))}</text></a>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _short(label: str, size: int = 22) -> str:
    return label if len(label) <= size else label[:size - 1] + "…"


def _scaled(p: tuple[float, float], width: int, height: int) -> tuple[float, float]:
    return 30 + p[0] * (width - 140), 20 + p[1] * (height - 40)


def _shorten(x1: float, y1: float, x2: float, y2: float, by: float) -> tuple[float, float]:
    dx, dy = x2 - x1, y2 - y1
    d = math.hypot(dx, dy)
    if d <= by:
        return x2, y2
    return x2 - dx / d * by, y2 - dy / d * by


# -- world map ------------------------------------------------------------------------------------

SHADES = ("#fde3c8", "#fbc08a", "#f59a55", "#e0702a", "#b34a12")  # events per country, few → many
LAND, OCEAN, DOT = "#e4e7eb", "#f3f7fa", "#22303c"


def _shade(events: int, most: int) -> str:
    """A colour for a country's count on a log scale (1 → lightest, `most` → darkest)."""
    if most <= 1:
        return SHADES[-1]
    level = math.log(events) / math.log(most)
    return SHADES[min(len(SHADES) - 1, int(level * len(SHADES)))]


def world_map(places: dict[str, Any], country_link: Callable[[str], str], place_link: Callable[[int], str],
              caption: str = "where the events happened") -> str:
    """A world map (Natural Earth outlines shipped in tidings.geo, no tiles, no CDN) of the events
    counted by `tidings.analysis.place_counts`, as a standalone SVG document: each country shaded
    by its events and linking to them (`country_link(iso3)`), each city or US state a dot sized by
    its events, linking to them (`place_link(geonameid)`); every country and dot has a tooltip
    with its count; a legend over the South Pacific gives the totals and the countries with the
    most events (also links: a small country can hide under its city's dot). Links open in the
    whole window (the pages show the map in a frame). Styles: /static/map.css."""
    from tidings.geo import MAP_HEIGHT, MAP_WIDTH, load_geo, project

    geo = load_geo()
    counts = {row["country"]: row["events"] for row in places["countries"]}
    most = max(counts.values(), default=0)
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n<?xml-stylesheet href="/static/map.css" type="text/css"?>\n',
             f'<svg class="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {MAP_WIDTH} {MAP_HEIGHT}"'
             f' preserveAspectRatio="xMidYMid meet" role="img" aria-label="{_attr(caption)}">',
             f'<rect class="ocean" width="{MAP_WIDTH}" height="{MAP_HEIGHT}" fill="{OCEAN}"/>']
    shaded = []
    for country in geo.countries.values():
        events = counts.get(country.iso3, 0)
        if not events:
            parts.append(f'<path d="{country.path}" fill="{LAND}" class="land"/>')
            continue
        shaded.append(f'<a href="{_attr(country_link(country.iso3))}" target="_top" class="country"'
                      f' data-country="{_attr(country.iso3)}"><path d="{country.path}" fill="{_shade(events, most)}">'
                      f'<title>{escape(_count_tip(country.name, events))}</title></path></a>')
    parts.extend(shaded)  # drawn after the unshaded land, so their borders show
    biggest = max((p["events"] for p in places["places"]), default=1)
    for place in reversed(places["places"]):  # the largest dots first, the small ones on top
        x, y = project(place["lon"], place["lat"])
        radius = 2.5 + 6 * math.sqrt(place["events"] / biggest)
        tip = _count_tip(f"{place['place']} ({place['country']})", place["events"])
        parts.append(f'<a href="{_attr(place_link(place["geonameid"]))}" target="_top" class="place"'
                     f' data-geonameid="{_attr(place["geonameid"])}"><circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}"'
                     f' fill="{DOT}"><title>{escape(tip)}</title></circle></a>')
    parts.append(_map_legend(places, country_link, MAP_HEIGHT))
    parts.append("</svg>")
    return "".join(parts)


def _count_tip(name: str, events: int) -> str:
    return f"{name}: {events} event{'s' if events != 1 else ''}"


def _map_legend(places: dict[str, Any], country_link: Callable[[str], str], height: int) -> str:
    """Totals and the five countries with the most events, bottom left (open ocean)."""
    top = places["countries"][:5]
    lines = [f"{places['placed']} event{'s' if places['placed'] != 1 else ''} with a place"
             + (f", {places['unplaced']} without" if places["unplaced"] else "")]
    y0 = height - 12 - 17 * len(top)
    out = [f'<g class="legend"><text x="10" y="{y0}" class="total">{escape(lines[0])}</text>']
    for i, row in enumerate(top):
        out.append(f'<a href="{_attr(country_link(row["country"]))}" target="_top" class="top-country">'
                   f'<text x="10" y="{y0 + 17 * (i + 1)}">{escape(_count_tip(row["name"], row["events"]))}</text></a>')
    out.append("</g>")
    return "".join(out)
