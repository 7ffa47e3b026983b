"""Event attribution: which attribution covers each event, denials and confirmations."""

from __future__ import annotations

from spacy.tokens import Doc, Token

from tidings.quotes.extract import Found
from tidings.quotes.lexicon import CueLexicon
from tidings.quotes.speakers import SpeakerResolver
from tidings.records import Attribution, Event, Mention, Span

NARRATOR_KINDS = ("outlet", "none")
CONTENT_POS = ("NOUN", "PROPN", "ADJ")
MIN_CLAIM_OVERLAP = 2


def attribute_events(events: list[Event], found: list[Found], doc: Doc, mentions: list[Mention],
                     lex: CueLexicon) -> None:
    for event in events:
        _attribute_one(event, found, lex)
    if not events:
        return
    resolver = SpeakerResolver(doc, mentions, lex)
    for token in doc:
        lemma = token.lemma_.lower()
        if token.pos_ != "VERB":
            continue
        if lemma in lex.denial_lemmas:
            _apply_denial(token, events, resolver, lex)
        elif lemma in lex.confirm_lemmas:
            _apply_confirmation(token, events, lex)


# -- which attribution covers an event -------------------------------------------------------
def _claim_check(f: Found, lex: CueLexicon) -> bool:
    """Content of a confirmation or denial is not the cue subject's own account."""
    if f.cue is None:
        return False
    lemma = f.cue.token.lemma_.lower()
    return lemma in lex.confirm_lemmas or lemma in lex.denial_lemmas


def _attribute_one(event: Event, found: list[Found], lex: CueLexicon) -> None:
    trigger = event.trigger
    covering = [f for f in found if f.start <= trigger.start and trigger.end <= f.end
                and not _claim_check(f, lex)]
    if covering:  # inside someone's account
        shown = [f for f in covering if not f.hidden] or covering
        f = min(shown, key=lambda c: c.end - c.start)  # innermost
        event.attribution = _attribution(f)
        if event.attribution.kind not in NARRATOR_KINDS and event.factuality == "asserted":
            event.factuality = "reported"
        return
    for f in found:
        if f.cue is not None and _overlaps(f.cue.span.start, f.cue.span.end, trigger.start, trigger.end):
            event.attribution = _attribution(f)  # the speech act itself: the narrator asserts it
            return


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
    owners = {t.text.lower() for t in obj.subtree if t.i != obj.i and t.pos_ in ("PROPN", "NOUN", "ADJ")}
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
def _apply_confirmation(token: Token, events: list[Event], lex: CueLexicon) -> None:
    value = not _negated(token, lex)
    comps = [c for c in token.children if c.dep_ == "ccomp"]
    targets: list[Event] = []
    for comp in comps:
        lo, hi = comp.left_edge.idx, comp.right_edge.idx + len(comp.right_edge.text)
        targets += [e for e in events if lo <= e.trigger.start < hi]
    if not targets:
        objs = [c for c in token.children if c.dep_ in ("dobj", "nsubjpass")]
        if objs:
            targets = _claim_events(objs[0], token, events)
    for event in targets:
        event.attribution.confirmed = value


def _negated(token: Token, lex: CueLexicon) -> bool:
    if any(c.dep_ == "neg" or c.lower_ in lex.negators for c in token.children):
        return True
    subject = _subject(token)
    if subject is not None and any(t.lower_ in lex.negators for t in subject.subtree):
        return True
    head = token.head
    if token.dep_ in ("xcomp", "ccomp") and head.lemma_.lower() in lex.refusal_lemmas:
        return True
    return token.dep_ == "xcomp" and any(c.dep_ == "neg" for c in head.children)


def _claim_events(obj: Token, token: Token, events: list[Event]) -> list[Event]:
    """Earlier events whose sentence shares most content words with the claim's noun phrase."""
    doc = token.doc
    claim = {t.lemma_.lower() for t in obj.subtree if t.pos_ in CONTENT_POS and not t.is_stop}
    scored = []
    for event in events:
        if event.trigger.start >= token.sent.start_char:
            continue
        span = doc.char_span(event.sentence.start, event.sentence.end, alignment_mode="expand")
        if span is None:
            continue
        words = {t.lemma_.lower() for t in span if t.pos_ in CONTENT_POS}
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
