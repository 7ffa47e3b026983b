"""One event, many reports: when two event mentions from different articles are the same event.

Two mentions are the same event when they have the same PLOVER type, compatible actors (the
source countries overlap, and the target countries overlap or one side has none), dates within
`max_days` of each other, and compatible places (same country, or one unknown). Mentions whose
factuality differs in kind (an attack that happened vs. one that is threatened) never merge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tidings.records import Event, precision_of

REALIS = {"asserted": "real", "reported": "real", "denied": "real",
          "hypothetical": "irrealis", "future": "irrealis", "negated": "negated"}


@dataclass(frozen=True)
class EventKey:
    """What of an event mention decides whether it can merge with another."""

    type: str
    day: date | None
    sources: frozenset[str]
    targets: frozenset[str]
    place: str | None
    realis: str

    @classmethod
    def of(cls, event: Event, published: str | None = None) -> "EventKey":
        """The key of `event`; one dated to a month or a year has no day (and merges with nothing)."""
        when = event.date or published
        day = date.fromisoformat(when[:10]) if when and precision_of(when) == "day" else None
        return cls(
            type=event.type,
            day=day,
            sources=frozenset(p.country for p in event.source if p.country),
            targets=frozenset(p.country for p in event.target if p.country),
            place=event.location.country if event.location else None,
            realis=REALIS.get(event.factuality, "real"),
        )


def same_event(a: EventKey, b: EventKey, max_days: int = 2) -> bool:
    if a.type != b.type or a.realis != b.realis:
        return False
    if not a.sources or not b.sources or not (a.sources & b.sources):
        return False
    if a.targets and b.targets and not (a.targets & b.targets):
        return False
    if a.day and b.day and abs((a.day - b.day).days) > max_days:
        return False
    if a.place and b.place and a.place != b.place:
        return False
    return True
