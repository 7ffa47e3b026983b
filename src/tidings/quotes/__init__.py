"""Quotes and attribution: who said what, and how each event is sourced.

`QuoteExtractor.extract` finds direct quotes (every quotation-mark style, partial, split,
multi-paragraph) and indirect attributions ("X said that …", "according to X", "sources
said", "Global News has learned") with their cue and speaker. `QuoteExtractor.attribute`
gives each event its `Attribution` (kind, speaker, confirmed, disputed/denied_by) and turns
asserted events inside someone else's attribution into "reported" ones.

Knowledge (cue verbs, phrases, speaker nouns, denial/confirmation words, quote marks) lives
in `data/cues.yaml`; rule ids from it appear in Quote/Attribution cues' provenance.
"""

from __future__ import annotations

from tidings.quotes.attribute import attribute_events
from tidings.quotes.extract import Found, find_attributions
from tidings.quotes.lexicon import CueLexicon, load_lexicon
from tidings.records import Event, Mention, Quote, Span

USER_DATA_KEY = "tidings.quotes.found"

__all__ = ["QuoteExtractor", "Found", "CueLexicon", "load_lexicon"]


class QuoteExtractor:
    """Holds the attribution lexicon (loaded once); stateless across documents."""

    def __init__(self, lexicon: CueLexicon | None = None) -> None:
        self.lexicon = lexicon or load_lexicon()

    def find(self, doc, mentions: list[Mention], text: str | None = None) -> list[Found]:
        """Internal records (rule ids, local speaker spans, attribution kinds) for `doc`
        (`text`: doc.text when the caller has it; Doc.text is rebuilt on each access)."""
        found = find_attributions(doc, mentions, self.lexicon, text)
        doc.user_data[USER_DATA_KEY] = found  # all, for attribute(); hidden ones included
        return [f for f in found if not f.hidden]

    def extract(self, doc, mentions: list[Mention]) -> list[Quote]:
        text = doc.text  # rebuilt on each access: read once
        return [to_quote(text, f) for f in self.find(doc, mentions, text)]

    def attribute(self, events: list[Event], quotes: list[Quote], doc, mentions: list[Mention]) -> None:
        found = doc.user_data.get(USER_DATA_KEY)
        if found is None:
            self.find(doc, mentions)
            found = doc.user_data[USER_DATA_KEY]
        attribute_events(events, found, doc, mentions, self.lexicon)


def to_quote(text: str, f: Found) -> Quote:
    speaker = f.speaker.participant if f.speaker is not None else None
    cue = Span(f.cue.span.text, f.cue.span.start, f.cue.span.end) if f.cue is not None else None
    rule = f"{f.rule}+{f.cue.rule}" if f.direct and f.cue is not None else f.rule
    return Quote(text=text[f.start:f.end], start=f.start, end=f.end, direct=f.direct,
                 speaker=speaker, cue=cue, rule=rule)
