"""PLOVER event coding. (Stub: the events helper replaces it.)"""

from __future__ import annotations

from tidings.records import Event, Mention


class EventCoder:
    def code(self, doc, mentions: list[Mention], published: str | None = None) -> list[Event]:
        return []
