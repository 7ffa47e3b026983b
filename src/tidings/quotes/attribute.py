"""Event attribution: which attribution covers each event, denials and confirmations."""

from __future__ import annotations

import bisect

from spacy.tokens import Doc, Token

from tidings.quotes.extract import Found
from tidings.quotes.lexicon import CueLexicon
from tidings.quotes.speakers import SpeakerResolver, subtree
from tidings.records import Attribution, Event, Mention, Span

NARRATOR_KINDS = ("outlet", "none")
CONTENT_POS = ("NOUN", "PROPN", "ADJ")
MIN_CLAIM_OVERLAP = 2


def attribute_events(events: list[Event], found: list[Found], doc: Doc, mentions: list[Mention],
                     lex: CueLexicon) -> None:
    index = _FoundIndex(found, lex)
    for event in sorted(events, key=lambda e: e.trigger.start):  # each on its own: any order
        _attribute_one(event, index)
    if not events:
        return
    resolver = SpeakerResolver(doc, mentions, lex)
    sentence_words: dict[tuple[int, int], set[str] | None] = {}  # an event sentence's content words, once
    for token in doc:
        lemma = token.lemma_.lower()
        if token.pos_ != "VERB":
            continue
        if lemma in lex.denial_lemmas:
            _apply_denial(token, events, resolver, lex)
        elif lemma in lex.confirm_lemmas:
            _apply_confirmation(token, events, lex, sentence_words)


# -- which attribution covers an event -------------------------------------------------------
def _claim_check(f: Found, lex: CueLexicon) -> bool:
    """Content of a confirmation or denial is not the cue subject's own account."""
    if f.cue is None:
        return False
    lemma = f.cue.token.lemma_.lower()
    return lemma in lex.confirm_lemmas or lemma in lex.denial_lemmas


class _FoundIndex:
    """The attributions by position, for events asked about in order of their trigger's start
    (a sweep: thousands of events and attributions cost n log n, not n²)."""

    def __init__(self, found: list[Found], lex: CueLexicon) -> None:
        self.found = found
        self.claim = [_claim_check(f, lex) for f in found]
        self.by_start = sorted(range(len(found)), key=lambda k: found[k].start)
        self.next = 0
        self.active: list[int] = []  # started by the last trigger's start, not ended before it
        cues = sorted((f.cue.span.start, k) for k, f in enumerate(found) if f.cue is not None)
        self.cue_starts = [start for start, _ in cues]
        self.cue_found = [k for _, k in cues]
        self.longest_cue = max((f.cue.span.end - f.cue.span.start for f in found if f.cue is not None), default=0)

    def covering(self, start: int, end: int) -> list[Found]:
        """The attributions (in their order) whose content holds [start, end), except
        confirmations' and denials'; `start` never less than the last call's."""
        found = self.found
        while self.next < len(self.by_start) and found[self.by_start[self.next]].start <= start:
            self.active.append(self.by_start[self.next])
            self.next += 1
        self.active = [k for k in self.active if found[k].end >= start]
        return [found[k] for k in sorted(self.active) if end <= found[k].end and not self.claim[k]]

    def first_cue_over(self, start: int, end: int) -> Found | None:
        """The first attribution (in their order) whose cue overlaps [start, end)."""
        lo = bisect.bisect_right(self.cue_starts, start - self.longest_cue)
        hi = bisect.bisect_left(self.cue_starts, end)
        ks = [self.cue_found[i] for i in range(lo, hi)
              if _overlaps(self.found[self.cue_found[i]].cue.span.start, self.found[self.cue_found[i]].cue.span.end,
                           start, end)]
        return self.found[min(ks)] if ks else None


def _attribute_one(event: Event, index: _FoundIndex) -> None:
    trigger = event.trigger
    covering = index.covering(trigger.start, trigger.end)
    if covering:  # inside someone's account
        shown = [f for f in covering if not f.hidden] or covering
        f = min(shown, key=lambda c: c.end - c.start)  # innermost
        event.attribution = _attribution(f)
        if event.attribution.kind not in NARRATOR_KINDS and event.factuality == "asserted":
            event.factuality = "reported"
        return
    f = index.first_cue_over(trigger.start, trigger.end)
    if f is not None:
        event.attribution = _attribution(f)  # the speech act itself: the narrator asserts it


def _attribution(f: Found) -> Attribution:
    speaker = None
    if f.speaker is not None and f.speaker.participant is not None:
        speaker = f.speaker.participant.name or f.speaker.participant.text
    cue = Span(f.cue.span.text, f.cue.span.start, f.cue.span.end) if f.cue is not None else None
    kind = f.kind if (f.speaker is not None or f.cue is not None) else "none"
    if kind == "none" and f.direct:
        kind = "named"
    return Attribution(kind=kind, speaker=speaker, cue=cue)


def _overlaps(a0: int, a1: int, b0: int, b1: int) -> bool:
    return a0 < b1 and b0 < a1


# -- denials ---------------------------------------------------------------------------------
def _apply_denial(token: Token, events: list[Event], resolver: SpeakerResolver, lex: CueLexicon) -> None:
    subject = _subject(token)
    denier = resolver.resolve(subject) if subject is not None else None
    name = None
    if denier is not None and denier.participant is not None:
        name = denier.participant.name or denier.participant.text
    comps = [c for c in token.children if c.dep_ == "ccomp"]
    for comp in comps:  # "X denied that …": the content is denied
        lo, hi = comp.left_edge.idx, comp.right_edge.idx + len(comp.right_edge.text)
        for event in events:
            if lo <= event.trigger.start < hi:
                event.factuality = "denied"
                event.attribution.disputed = True
                event.attribution.denied_by = name
    objs = [c for c in token.children if c.dep_ == "dobj" and c.lemma_.lower() in lex.denial_objects]
    for obj in objs:
        claim = _denied_claim(token, obj, events, lex)
        if claim is not None:
            claim.attribution.disputed = True
            claim.attribution.denied_by = name


def _denied_claim(token: Token, obj: Token, events: list[Event], lex: CueLexicon) -> Event | None:
    wanted = lex.denial_objects.get(obj.lemma_.lower())
    earlier = [e for e in events if e.trigger.end <= token.idx and (wanted is None or e.type == wanted)]
    if not earlier:
        return None
    owners = {t.text.lower() for t in subtree(obj) if t.i != obj.i and t.pos_ in ("PROPN", "NOUN", "ADJ")}
    if owners:
        owned = [e for e in earlier if any(_names(p) & owners for p in e.source)]
        if owned:
            return owned[-1]
    return earlier[-1]


def _names(participant) -> set[str]:
    words = set(participant.text.lower().split())
    if participant.name:
        words |= set(participant.name.lower().split())
    if participant.country:
        words.add(participant.country.lower()[:2])
    return words


# -- confirmations ---------------------------------------------------------------------------
def _apply_confirmation(token: Token, events: list[Event], lex: CueLexicon,
                        sentence_words: dict[tuple[int, int], set[str] | None]) -> None:
    value = not _negated(token, lex)
    comps = [c for c in token.children if c.dep_ == "ccomp"]
    targets: list[Event] = []
    for comp in comps:
        lo, hi = comp.left_edge.idx, comp.right_edge.idx + len(comp.right_edge.text)
        targets += [e for e in events if lo <= e.trigger.start < hi]
    if not targets:
        objs = [c for c in token.children if c.dep_ in ("dobj", "nsubjpass")]
        if objs:
            targets = _claim_events(objs[0], token, events, sentence_words)
    for event in targets:
        event.attribution.confirmed = value


def _negated(token: Token, lex: CueLexicon) -> bool:
    if any(c.dep_ == "neg" or c.lower_ in lex.negators for c in token.children):
        return True
    subject = _subject(token)
    if subject is not None and any(t.lower_ in lex.negators for t in subtree(subject)):
        return True
    head = token.head
    if token.dep_ in ("xcomp", "ccomp") and head.lemma_.lower() in lex.refusal_lemmas:
        return True
    return token.dep_ == "xcomp" and any(c.dep_ == "neg" for c in head.children)


def _claim_events(obj: Token, token: Token, events: list[Event],
                  sentence_words: dict[tuple[int, int], set[str] | None]) -> list[Event]:
    """Earlier events whose sentence shares most content words with the claim's noun phrase
    (`sentence_words`: the content words of event sentences read so far, filled in here)."""
    doc = token.doc
    claim = {t.lemma_.lower() for t in subtree(obj) if t.pos_ in CONTENT_POS and not t.is_stop}
    sentence_start = token.sent.start_char
    scored = []
    for event in events:
        if event.trigger.start >= sentence_start:
            continue
        key = (event.sentence.start, event.sentence.end)
        if key not in sentence_words:
            span = doc.char_span(*key, alignment_mode="expand")
            sentence_words[key] = None if span is None else {t.lemma_.lower() for t in span if t.pos_ in CONTENT_POS}
        words = sentence_words[key]
        if words is None:
            continue
        scored.append((len(claim & words), event))
    if not scored:
        return []
    best = max(s for s, _ in scored)
    if best < MIN_CLAIM_OVERLAP:
        return []
    return [e for s, e in scored if s == best]


def _subject(token: Token) -> Token | None:
    for _ in range(3):
        subjects = [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subjects:
            return subjects[0]
        if token.dep_ not in ("xcomp", "conj", "advcl") or token.head.i == token.i:
            return None
        token = token.head
    return None
