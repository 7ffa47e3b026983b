"""An article's text as HTML with its annotations marked in place, built from offsets.

The text is untrusted: it is cut at every annotation boundary and each piece is escaped on
its own; the only markup is ours (`<span class=… data-a=…>` and empty anchors). Overlapping
annotations (a mention inside a quote inside an event's sentence) become flat runs of
pieces, each carrying the list of annotations that cover it, so nesting never breaks.

Annotation kinds (CSS class in brackets): mention [m], event trigger [t], event source
[src], event target [tgt], quote [q], quote speaker [spk], event sentence [s].
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from tidings.records import ArticleResult, Event

CSS = {"mention": "m", "trigger": "t", "source": "src", "target": "tgt", "quote": "q",
       "speaker": "spk", "sentence": "s"}


@dataclass
class MarkedText:
    """The marked-up HTML and the annotations its `data-a` indices refer to."""

    html: Markup
    annotations: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Spans:
    length: int
    items: list[dict[str, Any]] = field(default_factory=list)
    opens: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    closes: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    anchors: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, kind: str, start: Any, end: Any, info: dict[str, Any]) -> None:
        if not _valid(start, end, self.length):
            return
        index = len(self.items)
        self.items.append({"kind": kind, "start": start, "end": end, **info})
        self.opens[start].append(index)
        self.closes[end].append(index)

    def anchor(self, position: Any, name: str) -> None:
        if isinstance(position, int) and 0 <= position <= self.length:
            self.anchors[position].append(name)


def _valid(start: Any, end: Any, length: int) -> bool:
    return isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= length


def mark_up(result: ArticleResult) -> MarkedText:
    """The article's cleaned text as escaped HTML with every annotation marked."""
    text = result.text or ""
    spans = _Spans(len(text))
    for index, mention in enumerate(result.mentions):
        spans.add("mention", mention.start, mention.end, _mention_info(index, mention))
    for index, event in enumerate(result.events):
        _add_event(spans, index, event)
    for index, quote in enumerate(result.quotes):
        info = {"quote": index, "text": quote.text, "direct": quote.direct,
                "speaker": _participant(quote.speaker) if quote.speaker else None,
                "cue": quote.cue.text if quote.cue else None}
        spans.anchor(quote.start, f"q-{index}")
        spans.add("quote", quote.start, quote.end, info)
        if quote.speaker:
            spans.add("speaker", quote.speaker.start, quote.speaker.end, {"quote": index})
    return MarkedText(html=_render(text, spans), annotations=spans.items)


def _mention_info(index: int, mention) -> dict[str, Any]:
    actor = mention.actor
    return {"mention": index, "text": mention.text, "label": mention.label, "entity": mention.entity,
            "actor": ({"name": actor.name, "country": actor.country, "sector": actor.sector,
                       "how": actor.how, "kb_id": actor.kb_id} if actor else None)}


def _participant(p) -> dict[str, Any]:
    return {"text": p.text, "name": p.name, "country": p.country, "sector": p.sector}


def _add_event(spans: _Spans, index: int, event: Event) -> None:
    attribution = event.attribution
    coding = {
        "event": index, "type": event.type, "mode": event.mode, "context": event.context,
        "rule": event.rule, "date": event.date, "date_text": event.date_text,
        "date_precision": event.date_precision,
        "factuality": event.factuality, "background": event.background, "confidence": event.confidence,
        "source": [_participant(p) for p in event.source],
        "target": [_participant(p) for p in event.target],
        "location": event.location.name or event.location.text if event.location else None,
        "attribution": ({"kind": attribution.kind, "speaker": attribution.speaker,
                         "confirmed": attribution.confirmed, "disputed": attribution.disputed,
                         "denied_by": attribution.denied_by} if attribution else None),
    }
    spans.anchor(event.sentence.start if event.sentence else None, f"ev-{index}")
    if event.sentence:
        spans.add("sentence", event.sentence.start, event.sentence.end, {"event": index})
    spans.add("trigger", event.trigger.start, event.trigger.end, coding)
    for role, participants in (("source", event.source), ("target", event.target)):
        for p in participants:
            spans.add(role, p.start, p.end, {"event": index, "type": event.type, **_participant(p)})


def _render(text: str, spans: _Spans) -> Markup:
    cuts = sorted({0, len(text), *spans.opens, *spans.closes, *spans.anchors})
    active: set[int] = set()
    out: list[str] = []
    for position, following in zip(cuts, cuts[1:] + [None]):
        for index in spans.closes.get(position, ()):
            active.discard(index)
        active.update(spans.opens.get(position, ()))
        for name in spans.anchors.get(position, ()):
            out.append(f'<span class="anchor" id="{escape(name)}"></span>')
        if following is None:
            break
        piece = escape(text[position:following])
        if active:
            ordered = sorted(active)
            classes = " ".join(sorted({CSS[spans.items[i]["kind"]] for i in ordered}))
            out.append(f'<span class="{classes}" data-a="{" ".join(map(str, ordered))}">{piece}</span>')
        else:
            out.append(str(piece))
    return Markup("".join(out))
