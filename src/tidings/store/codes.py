"""PLOVER facts the store derives columns from (quad classes) and reads actor filters with
(sector codes, country codes, and the known names and aliases of countries and organisations).

The knowledge lives in `data/plover.yaml` and the actor lexicons (tidings/actors/data:
countries_geonames.yaml, countries.yaml, orgs.yaml); `load_codes()` reads them once per Store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources

import yaml

_CODE = re.compile(r"^([A-Z]{3})(?:[: ]?([A-Z]{3}))?$")


@dataclass(frozen=True)
class Alias:
    """What a known name or alias of the actor lexicon stands for: a country (names empty), or
    organisations (their canonical names, with their country code: IGO for NATO, RUS for the Kremlin)."""

    country: str | None
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Codes:
    """Quad class per event type, the PLOVER sector codes, the ISO3 country codes (empty: any
    three letters are taken for a country) and the known names and aliases (lower-cased, and
    exact-case ones for acronyms that are also words) of countries and organisations."""

    quad_classes: dict[str, str]
    sectors: frozenset[str]
    countries: frozenset[str] = frozenset()
    aliases: dict[str, Alias] = field(default_factory=dict)
    cased_aliases: dict[str, Alias] = field(default_factory=dict)

    def alias(self, value: str) -> Alias | None:
        return self.cased_aliases.get(value) or self.aliases.get(value.lower())

    def quad_class(self, event_type: str | None) -> str | None:
        return self.quad_classes.get((event_type or "").upper())


@dataclass(frozen=True)
class ActorSpec:
    """An actor as a user writes it, read into the parts a query can match.

    "RUS" → country RUS; "GOV" (a sector code) → sector GOV; "RUSGOV", "RUS:GOV",
    "RUS GOV" → country and sector; a known name or alias ("US", "Britain" → country;
    "UN", "NATO", "EU", "Kremlin" → that organisation's exact canonical names in `names`);
    "IGO NATO" → country IGO and the words "NATO"; anything else → whole words of the
    actor's name or mention text (`name`: "Lavrov" finds "Sergei Lavrov", not "Lavrova").
    """

    country: str | None = None
    sector: str | None = None
    name: str | None = None
    names: tuple[str, ...] = ()

    @property
    def by_name(self) -> bool:
        """True when the spec looks at names (words or exact names), not only at codes."""
        return bool(self.name or self.names)


def load_codes() -> Codes:
    """Read data/plover.yaml (call once and keep the result)."""
    text = resources.files("tidings.store").joinpath("data/plover.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    countries, aliases, cased = _actor_lexicon()
    return Codes(quad_classes={k.upper(): v for k, v in data["quad_classes"].items()},
                 sectors=frozenset(s.upper() for s in data["sectors"]), countries=countries,
                 aliases=aliases, cased_aliases=cased)


def _actor_lexicon() -> tuple[frozenset[str], dict[str, Alias], dict[str, Alias]]:
    """ISO3 codes, and known names/aliases → Alias, from the actor resolver's data files."""
    from tidings.yamlcache import load_yaml

    def read(name: str):
        return load_yaml(resources.files("tidings.actors").joinpath(f"data/{name}").read_text(encoding="utf-8"))

    geonames = read("countries_geonames.yaml") or []
    countries = frozenset(e["iso3"] for e in geonames) | {"IGO"}
    aliases: dict[str, Alias] = {}
    cased: dict[str, Alias] = {}
    orgs: dict[str, dict[str, list[str]]] = {}  # alias → country → canonical names (an alias may be shared)
    cased_orgs: dict[str, dict[str, list[str]]] = {}
    for entry in read("orgs.yaml") or []:
        table = cased_orgs if entry.get("case") else orgs
        for alias in [entry["name"], *(entry.get("aliases") or [])]:
            key = str(alias) if entry.get("case") else str(alias).lower()
            table.setdefault(key, {}).setdefault(entry.get("country"), []).append(entry["name"])
    for table, target in ((orgs, aliases), (cased_orgs, cased)):
        for key, by_country in table.items():
            country = next(iter(by_country)) if len(by_country) == 1 else None
            names = tuple(dict.fromkeys(n for ns in by_country.values() for n in ns))
            target[key] = Alias(country=country, names=names)
    # country names win over an organisation's alias of the same spelling ("US" is the country)
    for entry in geonames:
        aliases[str(entry["name"]).lower()] = Alias(country=entry["iso3"])
    for iso3, extra in (read("countries.yaml") or {}).items():
        for name in (extra or {}).get("names") or []:
            aliases[str(name).lower()] = Alias(country=iso3)
    return countries, aliases, cased


class UnknownCodeError(ValueError):
    """An actor filter written as a code (three capitals, or six) that is no country or sector code."""

    def __init__(self, message: str, suggestions: list[str]) -> None:
        super().__init__(message)
        self.suggestions = suggestions


def parse_actor(value: str, codes: Codes) -> ActorSpec:
    """Read an actor filter ("RUS", "RUSGOV", "RUS:GOV", "GOV", "US", "NATO", "IGO NATO",
    "Lavrov"). A code that is no known country or sector (and no known alias, like "IRA")
    raises UnknownCodeError with the nearest codes."""
    value = value.strip()
    if value.startswith("IGO ") and len(value) > 4 and not _CODE.match(value):
        return ActorSpec(country="IGO", name=value[4:].strip())
    match = _CODE.match(value)
    if match and _known_code(match.groups(), codes):
        first, second = match.groups()
        if second:
            return ActorSpec(country=first, sector=second)
        if first in codes.sectors:
            return ActorSpec(sector=first)
        return ActorSpec(country=first)
    alias = codes.alias(value)
    if alias is not None:
        return ActorSpec(country=alias.country, names=alias.names)
    if match:
        raise _unknown(value, match.groups(), codes)
    return ActorSpec(name=value)


def _known_code(parts: tuple[str, str | None], codes: Codes) -> bool:
    first, second = parts
    if not codes.countries:  # no country list loaded: any three letters
        return True
    if second:
        return first in codes.countries and second in codes.sectors | {"IGO"}
    return first in codes.countries or first in codes.sectors


def _unknown(value: str, parts: tuple[str, str | None], codes: Codes) -> UnknownCodeError:
    import difflib

    first, second = parts
    if second:
        bad, pool, what = (first, codes.countries, "country") if first not in codes.countries else \
            (second, codes.sectors | {"IGO"}, "sector")
        near = difflib.get_close_matches(bad, sorted(pool), n=3, cutoff=0.6)
        near = [f"{n}:{second}" if what == "country" else f"{first}:{n}" for n in near]
    else:
        what = "country or sector"
        near = difflib.get_close_matches(first, sorted(codes.countries | codes.sectors), n=3, cutoff=0.6)
    hint = f" (did you mean {' or '.join(near)}?)" if near else ""
    return UnknownCodeError(f"{value!r} is no known {what} code{hint}; for a name, write it as in the text"
                            " (e.g. Lavrov)", near)
