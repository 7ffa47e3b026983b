"""PLOVER facts the store derives columns from (quad classes) and reads actor codes with (sectors).

The knowledge lives in `data/plover.yaml`; `load_codes()` reads it once per Store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import yaml

_CODE = re.compile(r"^([A-Z]{3})(?:[: ]?([A-Z]{3}))?$")


@dataclass(frozen=True)
class Codes:
    """Quad class per event type and the set of PLOVER sector codes."""

    quad_classes: dict[str, str]
    sectors: frozenset[str]

    def quad_class(self, event_type: str | None) -> str | None:
        return self.quad_classes.get((event_type or "").upper())


@dataclass(frozen=True)
class ActorSpec:
    """An actor as a user writes it, read into the parts a query can match.

    "RUS" → country RUS; "GOV" (a sector code) → sector GOV; "RUSGOV", "RUS:GOV",
    "RUS GOV" → country and sector; "IGO NATO" → country IGO and name part "NATO";
    anything else → a case-insensitive part of the actor's name or mention text.
    """

    country: str | None = None
    sector: str | None = None
    name: str | None = None


def load_codes() -> Codes:
    """Read data/plover.yaml (call once and keep the result)."""
    text = resources.files("tidings.store").joinpath("data/plover.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return Codes(quad_classes={k.upper(): v for k, v in data["quad_classes"].items()},
                 sectors=frozenset(s.upper() for s in data["sectors"]))


def parse_actor(value: str, codes: Codes) -> ActorSpec:
    """Read an actor filter ("RUS", "RUSGOV", "RUS:GOV", "GOV", "IGO NATO", "Lavrov")."""
    value = value.strip()
    if value.startswith("IGO ") and len(value) > 4 and not _CODE.match(value):
        return ActorSpec(country="IGO", name=value[4:].strip())
    match = _CODE.match(value)
    if not match:
        return ActorSpec(name=value)
    first, second = match.groups()
    if second:
        return ActorSpec(country=first, sector=second)
    if first in codes.sectors:
        return ActorSpec(sector=first)
    return ActorSpec(country=first)
