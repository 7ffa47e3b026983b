"""Who is speaking: from the cue's subject token to a Participant of the article's actors.

Names resolve to the actor mention they sit in (full name = the longest name of the same
entity, or of an earlier person mention ending with the same surname); pronouns resolve to
the most recent compatible speaker (or person subject); nominal speakers ("the
spokeswoman", "US officials", "sources") become participants of their own span.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace

import numpy

from spacy.attrs import HEAD, LEMMA, LOWER, POS
from spacy.symbols import ADJ, NOUN, PROPN, VERB
from spacy.tokens import Doc, Span as SpacySpan, Token

from tidings.quotes.lexicon import CueLexicon
from tidings.records import Mention, Participant, Span, participant_from_mention

PERSON_LABELS = {"PERSON"}
GROUP_LABELS = {"ORG", "NORP", "GPE"}
OFFICIAL_SECTORS = frozenset({"GOV", "MIL", "COP", "IGO", "LEG", "JUD", "SPY"})


@dataclass
class Speaker:
    """A resolved speaker: where the text names it here (`local`) and who it is."""

    local: Span
    participant: Participant | None
    kind: str  # attribution kind (named | official | spokesperson | anonymous | document | outlet)
    person: bool
    rule: str
    gender: str | None = None  # male | female | None (unknown), for pronoun agreement


class SpeakerResolver:
    """Per-document speaker resolution over the article's mentions (built per call, not cached)."""

    def __init__(self, doc: Doc, mentions: list[Mention], lex: CueLexicon, text: str | None = None) -> None:
        self.doc = doc
        self._text = text  # doc.text when the caller has it already
        self._lower_text: str | None = None
        self.lex = lex
        self.mentions = sorted(mentions, key=lambda m: (m.start, -m.end))
        self._starts = [m.start for m in self.mentions]
        self._ent_labels = {(e.start_char, e.end_char): e.label_ for e in doc.ents}
        self._history: list[tuple[int, Speaker]] = []  # (char offset, speaker) in the order remembered
        self._history_offsets: list[tuple[int, int]] = []  # (offset, position in _history), sorted
        self._full_names: dict[int, str] = {}  # id(mention) -> _full_name (mentions are not changed here)
        self._person_index: _PersonIndex | None = None
        self._markers_before: list[int] | None = None  # per token offset, anonymity markers before it

    @property
    def text(self) -> str:
        """The document text (Doc.text is rebuilt on each access: read once, when first needed)."""
        if self._text is None:
            self._text = self.doc.text
        return self._text

    def _lower(self) -> str:
        if self._lower_text is None:
            self._lower_text = self.text.lower()
        return self._lower_text

    # -- public --------------------------------------------------------------------------
    def resolve(self, token: Token) -> Speaker:
        """Resolve the speaker named by `token` (the head of a subject or a pobj)."""
        if token.lower_ in self.lex.person_pronouns or token.lower_ in self.lex.group_pronouns:
            speaker = self._pronoun(token)
        else:
            speaker = self._title(token) or self._noun_phrase(token)
        self.remember(token.idx, speaker)
        return speaker

    def from_span(self, span: SpacySpan, rule: str) -> Speaker:
        """A speaker named by a bare span (the verb-less fragment after a garbled quote)."""
        speaker = self._noun_phrase(span.root, core=span)
        speaker.rule = rule
        self.remember(span.start_char, speaker)
        return speaker

    def remember(self, offset: int, speaker: Speaker) -> None:
        if speaker.participant is not None:
            bisect.insort(self._history_offsets, (offset, len(self._history)))
            self._history.append((offset, speaker))

    def _recent_speakers(self, offset: int, window: int) -> list[Speaker]:
        """Speakers remembered at offsets in (offset - window, offset), the last remembered first."""
        lo = bisect.bisect_right(self._history_offsets, (offset - window, len(self._history)))
        hi = bisect.bisect_left(self._history_offsets, (offset, -1))
        return [self._history[k][1] for _, k in sorted(self._history_offsets[lo:hi], key=lambda x: -x[1])]

    def _persons(self) -> "_PersonIndex":
        if self._person_index is None:
            self._person_index = _PersonIndex(self.mentions, self._label, self.lex)
        return self._person_index

    def known_actor(self, token: Token) -> bool:
        """Whether `token` names a person/organisation the article knows (a mention or entity)."""
        if token.lower_ in self.lex.person_pronouns or token.lower_ in self.lex.group_pronouns:
            return True
        mention = self._mention_at(token.idx, token.idx + len(token.text))
        if mention is not None and (mention.label in PERSON_LABELS | GROUP_LABELS or mention.label is None):
            return mention.label != "DATE"
        return token.ent_type_ in PERSON_LABELS | GROUP_LABELS or token.pos_ == "NOUN"

    # -- names and nominals --------------------------------------------------------------
    def _noun_phrase(self, token: Token, core: SpacySpan | None = None) -> Speaker:
        doc = self.doc
        if core is None:
            core = doc[_core_start(token):token.i + 1]
        local = Span(core.text, core.start_char, core.end_char)
        mention = self._best_mention(core, token)
        kind = self._kind(token, mention)
        person = self._is_person(token, mention)
        if mention is None and token.pos_ == "PROPN":
            mention = self._surname_antecedent(token)
        if mention is not None and (mention.start <= token.idx < mention.end or token.pos_ == "PROPN"):
            participant = participant_from_mention(mention)
            participant.name = self._full_name(mention)
            gender = self._gender(mention) if person else None
            return Speaker(local, participant, kind, person, "speaker.mention", gender)
        participant = Participant(text=core.text, start=core.start_char, end=core.end_char,
                                  name=_strip_det(core))
        if mention is not None and mention.actor is not None:  # "the Canadian government"
            participant.country = mention.actor.country
            participant.sector = mention.actor.sector
        return Speaker(local, participant, kind, person, "speaker.nominal")

    def _best_mention(self, core: SpacySpan, head: Token) -> Mention | None:
        inside = self._mentions_in(core.start_char, core.end_char)
        if not inside:
            return None
        for m in inside:
            if m.start <= head.idx < m.end:
                return m
        persons = [m for m in inside if self._label(m) in PERSON_LABELS]
        return (persons or inside)[-1]

    def _mentions_in(self, start: int, end: int) -> list[Mention]:
        i = bisect.bisect_left(self._starts, start)
        out = []
        while i < len(self.mentions) and self.mentions[i].start < end:
            if self.mentions[i].end <= end:
                out.append(self.mentions[i])
            i += 1
        return out

    def _mention_at(self, start: int, end: int) -> Mention | None:
        i = bisect.bisect_right(self._starts, start) - 1
        while i >= 0 and i >= bisect.bisect_right(self._starts, start) - 4:
            m = self.mentions[i]
            if m.start <= start and end <= m.end:
                return m
            i -= 1
        return None

    def _label(self, mention: Mention) -> str | None:
        return mention.label or self._ent_labels.get((mention.start, mention.end))

    def _surname_antecedent(self, token: Token) -> Mention | None:
        """An earlier person mention ending in the same word ("Braun" → "Aurel Braun")."""
        return self._persons().last_ending_with(token.text, token.idx)

    def _full_name(self, mention: Mention) -> str:
        """The entity's name: its longest person-name mention (or the KB name), not a title."""
        name = self._full_names.get(id(mention))
        if name is None:
            name = self._full_names[id(mention)] = self._longest_name(mention)
        return name

    def _longest_name(self, mention: Mention) -> str:
        actor_name = mention.actor.name if mention.actor is not None and mention.actor.name else None
        if actor_name and mention.actor.country == "IGO" and mention.actor.sector == "IGO" \
                and self._label(mention) in PERSON_LABELS:
            return actor_name  # an IGO official speaks as the organisation (the speaker's text names them)
        if self._label(mention) not in PERSON_LABELS:
            return _strip_possessive(actor_name or mention.text)
        # the first longest of: the mention, the KB name, the entity's person mentions, the
        # earlier person mentions with the same surname (each group in mention order)
        persons = self._persons()
        names = [mention.text] + ([actor_name] if actor_name else [])
        if mention.entity is not None:
            names += persons.longest_of_entity(mention.entity)
        names += persons.longest_before(_strip_possessive(mention.text.split()[-1]), mention.start)
        return _strip_possessive(max(names, key=len))

    def _gender(self, mention: Mention) -> str | None:
        """From an honorific before or in the name, or a listed first name."""
        words = [w.lower() for w in self._full_name(mention).split()]
        before = self.text[max(0, mention.start - 5):mention.start].split()
        for word in before[-1:] + words[:2]:
            gender = self.lex.gender_words.get(word.lower())
            if gender is not None:
                return gender
        return None

    # -- role descriptions ("the senator") ---------------------------------------------
    def _title(self, token: Token) -> Speaker | None:
        """`the senator`, `the Republican nominee`: the last person the role was attached to."""
        abbreviations = self.lex.role_titles.get(token.lemma_.lower())
        if abbreviations is None or token.pos_ != "NOUN" or not any(
                c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in token.children):
            return None
        if any(c.pos_ == "PROPN" or c.dep_ in ("poss", "prep", "relcl", "acl") for c in token.children):
            return None  # "the senator from Ohio", "the mayor of …": a description, not a reference
        role = token.lemma_.lower()
        text = self._lower()
        mention = None
        i = bisect.bisect_left(self._starts, token.idx) - 1
        while i >= 0 and token.idx - self.mentions[i].start < 3000:
            m = self.mentions[i]
            if self._label(m) in PERSON_LABELS:
                window = text[max(0, m.start - 25):m.start] + " " + text[m.end:min(m.end + 40, token.idx)]
                if role in window or any(f"{a} " in window for a in abbreviations):
                    mention = m
                    break
            i -= 1
        if mention is None:
            return None
        local = Span(token.text, token.idx, token.idx + len(token.text))
        start = min([token.idx] + [c.left_edge.idx for c in token.lefts])
        local = Span(self.text[start:local.end], start, local.end)
        participant = participant_from_mention(mention)
        participant.name = self._full_name(mention)
        return Speaker(local, participant, "named", True, "speaker.title", self._gender(mention))

    def _may_mark_anonymity(self, token: Token) -> bool:
        """Whether a word between the edges of `token`'s subtree could be an anonymity marker
        (counted once per document, so the subtree is walked only when one is there)."""
        if self._markers_before is None:
            self._markers_before = _marker_counts(self.doc, self.lex.anonymity_markers)
        before = self._markers_before
        return before[token.right_edge.i + 1] > before[token.left_edge.i]

    def _entity_is_spokesperson(self, mention: Mention | None) -> bool:
        """Another mention of the same entity is a spokes-noun ("Bineau" → "a spokeswoman for …")."""
        if mention is None or mention.entity is None:
            return False
        return any(m is not mention for m in self._persons().spokes_nouns(mention.entity))

    def _is_person(self, token: Token, mention: Mention | None) -> bool:
        if mention is not None and self._label(mention) in PERSON_LABELS:
            return True
        if token.ent_type_ == "PERSON":
            return True
        return self.lex.speaker_nouns.get(token.lemma_.lower()) == "spokesperson"

    def _kind(self, token: Token, mention: Mention | None) -> str:
        """Attribution kind from the speaker's nouns (head, compounds, appositives) and labels."""
        if token.pos_ != "PROPN" and self._may_mark_anonymity(token):
            tree = subtree(token)
            words = {t.lemma_.lower() for t in tree if t.pos_ in ("NOUN", "PROPN", "ADJ", "VERB")}
            words |= {t.lower_ for t in tree}
            if words & self.lex.anonymity_markers:
                return "anonymous"
        head_kind = self.lex.speaker_nouns.get(token.lemma_.lower())
        appos_kinds = [self.lex.speaker_nouns.get(t.lemma_.lower()) for t in token.children
                       if t.dep_ == "appos"]
        if "spokesperson" in appos_kinds or head_kind == "spokesperson" or self._entity_is_spokesperson(mention):
            return "spokesperson"
        if head_kind == "anonymous" and token.pos_ != "PROPN":
            return "anonymous"
        if head_kind in ("document", "official", "outlet") and token.pos_ != "PROPN":
            return head_kind
        if mention is not None and mention.actor is not None:
            if mention.actor.sector == "MED":
                return "outlet"
            if self._label(mention) not in PERSON_LABELS and mention.actor.sector in ("GOV", "MIL", "COP", "IGO", "LEG", "JUD", "SPY"):
                return "official"
        if head_kind in ("official", "outlet", "document") and not (
                mention is not None and self._label(mention) in PERSON_LABELS):
            return head_kind
        return "named"

    # -- pronouns ------------------------------------------------------------------------
    def _pronoun(self, token: Token) -> Speaker:
        local = Span(token.text, token.idx, token.idx + len(token.text))
        lower = token.lower_
        if lower in ("who", "which", "that") and token.dep_.startswith("nsubj") and token.head.dep_ == "relcl":
            antecedent = token.head.head
            if antecedent.pos_ in ("NOUN", "PROPN"):
                found = self._noun_phrase(antecedent)
                return replace(found, local=local, rule="speaker.relative")
        want_person = lower in ("he", "she", "him", "her", "i", "me")
        gender = self.lex.gender_words.get(lower)
        coref = self._coreferent(token, local, want_person, gender)
        if coref is not None:
            return coref
        for speaker in self._recent_speakers(token.idx, 1501):
            if gender is not None and speaker.gender is not None and speaker.gender != gender:
                continue  # "she" does not continue an earlier "Mr. Trump"
            if speaker.person == want_person or (not want_person and lower in ("we", "us")):
                return replace(speaker, local=local, rule="speaker.pronoun", gender=gender or speaker.gender)
        mention = self._recent_mention(token.idx, want_person, gender)
        if mention is not None:
            participant = participant_from_mention(mention)
            participant.name = self._full_name(mention)
            return Speaker(local, participant, "named" if want_person else "official", want_person,
                           "speaker.pronoun.mention", gender)
        return Speaker(local, None, "named", want_person, "speaker.pronoun.unresolved")

    def _coreferent(self, token: Token, local: Span, person: bool, gender: str | None) -> Speaker | None:
        """The pronoun's own mention, resolved by the actor stage's coreference (tidings.actors.coref)."""
        mention = self._mention_at(token.idx, token.idx + len(token.text))
        if mention is None or mention.label != "PRON" or mention.refers_to is None or mention.actor is None:
            return None
        antecedent = self._mention_at(mention.refers_to.start, mention.refers_to.end)
        if antecedent is None:
            return None
        participant = participant_from_mention(antecedent)  # who speaks: the antecedent mention
        participant.name = self._full_name(antecedent)
        person = person or self._label(antecedent) in PERSON_LABELS
        kind = "named" if person else ("official" if mention.actor.sector in OFFICIAL_SECTORS else "named")
        gender = gender or (self._gender(antecedent) if person else None)
        return Speaker(local, participant, kind, person, "speaker.coref", gender)

    def _recent_mention(self, offset: int, person: bool, gender: str | None = None) -> Mention | None:
        i = bisect.bisect_left(self._starts, offset) - 1
        while i >= 0 and offset - self.mentions[i].start < 1500:
            m = self.mentions[i]
            label = self._label(m)
            if person and label in PERSON_LABELS and gender is not None and self._gender(m) not in (None, gender):
                i -= 1
                continue
            if (person and label in PERSON_LABELS) or (not person and label in ("ORG", "NORP")):
                return m
            i -= 1
        return None


class _PersonIndex:
    """The article's mentions grouped once for the speaker lookups that would otherwise scan
    them all per speaker (quadratic in an article of thousands of names)."""

    def __init__(self, mentions: list[Mention], label, lex: CueLexicon) -> None:
        self.by_last: dict[str, list[Mention]] = {}  # person mentions by last word, in mention order
        self.by_surname: dict[str, list[Mention]] = {}  # … by last word without a possessive
        entity_names: dict[int, list[str]] = {}
        self.spokes: dict[int, list[Mention]] = {}  # entity -> its mentions opening with a spokes-noun
        for m in mentions:
            words = m.text.split()
            if m.entity is not None and words and lex.speaker_nouns.get(words[0].lower()) == "spokesperson":
                self.spokes.setdefault(m.entity, []).append(m)
            if label(m) not in PERSON_LABELS:
                continue
            if m.entity is not None:
                entity_names.setdefault(m.entity, []).append(m.text)
            if words:
                self.by_last.setdefault(words[-1], []).append(m)
                self.by_surname.setdefault(_strip_possessive(words[-1]), []).append(m)
        self.entity_longest = {e: max(names, key=len) for e, names in entity_names.items()}
        self.surname_starts = {k: [m.start for m in ms] for k, ms in self.by_surname.items()}
        self.surname_longest: dict[str, list[str]] = {}  # the first longest name of each prefix
        for k, ms in self.by_surname.items():
            best: list[str] = []
            for m in ms:
                best.append(m.text if not best or len(m.text) > len(best[-1]) else best[-1])
            self.surname_longest[k] = best
        self.last_starts = {k: [m.start for m in ms] for k, ms in self.by_last.items()}

    def last_ending_with(self, word: str, before: int) -> Mention | None:
        """The last person mention (in mention order) that starts before `before` and ends
        with `word`."""
        starts = self.last_starts.get(word)
        if not starts:
            return None
        k = bisect.bisect_left(starts, before) - 1
        return self.by_last[word][k] if k >= 0 else None

    def longest_of_entity(self, entity: int) -> list[str]:
        name = self.entity_longest.get(entity)
        return [name] if name is not None else []

    def longest_before(self, surname: str, before: int) -> list[str]:
        """The first longest name of the person mentions with that surname starting before `before`."""
        starts = self.surname_starts.get(surname)
        if not starts:
            return []
        k = bisect.bisect_left(starts, before) - 1
        return [self.surname_longest[surname][k]] if k >= 0 else []

    def spokes_nouns(self, entity: int) -> list[Mention]:
        return self.spokes.get(entity, [])


def _marker_counts(doc: Doc, markers: frozenset[str]) -> list[int]:
    """How many tokens before each offset (0 … len(doc)) are `markers` as `_kind` reads words:
    the lower-case form, or the lower-cased lemma of a noun, proper noun, adjective or verb."""
    if not len(doc):
        return [0]
    strings = doc.vocab.strings
    rows = doc.to_array([POS, LOWER, LEMMA])
    hit = numpy.isin(rows[:, 1], numpy.array([strings[m] for m in markers], dtype=rows.dtype))
    content = numpy.isin(rows[:, 0], numpy.array([NOUN, PROPN, ADJ, VERB], dtype=rows.dtype))
    lemmas = numpy.unique(rows[content, 2])
    marking = [h for h in lemmas.tolist() if strings[h].lower() in markers]
    hit |= content & numpy.isin(rows[:, 2], numpy.array(marking, dtype=rows.dtype))
    return [0] + numpy.cumsum(hit).tolist()


def subtree(token: Token) -> list[Token]:
    """`list(token.subtree)`, same tokens in the same order, in time linear in the subtree's
    span (spaCy's recursive generator costs the subtree's size times its depth: quadratic on
    a long chain-parsed run-on "sentence")."""
    lo, hi = token.left_edge.i, token.right_edge.i
    if hi - lo < 16:
        return list(token.subtree)
    doc = token.doc
    offsets = doc[lo:hi + 1].to_array([HEAD]).astype("int64").ravel().tolist()
    kids: dict[int, list[int]] = {}
    for k, offset in enumerate(offsets):
        if offset:  # a child of the token `offset` away (kids in index order: lefts, then rights)
            kids.setdefault(lo + k + offset, []).append(lo + k)
    order: list[int] = []
    stack: list[tuple[int, bool]] = [(token.i, False)]
    while stack:  # Token.subtree's order: the lefts' subtrees, the token, the rights' subtrees
        i, visited = stack.pop()
        if visited:
            order.append(i)
            continue
        children = kids.get(i, ())
        stack.extend((c, False) for c in reversed(children) if c > i)
        stack.append((i, True))
        stack.extend((c, False) for c in reversed(children) if c < i)
    return [doc[i] for i in order]


def _core_start(token: Token) -> int:
    """First token of the noun phrase headed by `token`, ignoring right-hand modifiers."""
    start = token.i
    for child in token.lefts:
        if child.dep_ in ("det", "compound", "amod", "poss", "nmod", "nummod", "quantmod", "case") \
                or child.pos_ == "PROPN":
            start = min(start, child.left_edge.i)
    return start


def _strip_det(span: SpacySpan) -> str:
    tokens = list(span)
    while tokens and tokens[0].dep_ == "det" and tokens[0].lower_ in ("the", "a", "an"):
        tokens = tokens[1:]
    return "".join(t.text_with_ws for t in tokens).strip() or span.text


def _strip_possessive(name: str) -> str:
    for suffix in ("’s", "'s"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name
