"""Quotes and attribution. (Stub: the quotes helper replaces it.)"""

from __future__ import annotations

from tidings.records import Event, Mention, Quote


class QuoteExtractor:
    def extract(self, doc, mentions: list[Mention]) -> list[Quote]:
        return []

    def attribute(self, events: list[Event], quotes: list[Quote], doc, mentions: list[Mention]) -> None:
        return None
