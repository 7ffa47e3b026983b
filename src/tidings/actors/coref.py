"""In-article coreference of actors, on the spaCy parse (no coreference model).

Pronouns ("he", "its", "they"), relative words ("who", "whose") and definite descriptions ("the
president", "the ministry") are resolved to the nearest compatible earlier actor mention:

- compatible: number (singular/plural), gender (first names, honorifics and gendered titles of
  the antecedent's mentions, or what an earlier pronoun taught), person vs organisation/group;
- binding: "Trump attacked him" — an object pronoun is not the subject of its own verb;
- ranking: the same sentence first, where the subject of a verb the pronoun depends on wins
  ("Russia said it would …"); then earlier sentences, subjects first; a pronoun already resolved
  is itself an antecedent, so "He said … He added …" follow one chain;
- "it" in "it is clear that …" refers to nothing.

First-person pronouns refer to the speaker of the quote they stand in: `first_person_mentions`
adds them once the quotes stage has resolved the speakers. Knowledge lives in data/coref.yaml.

The resolver works on candidate records it builds from the article's mentions under
construction (`tidings.actors.article.Found`) and returns, per anaphor, the candidate it refers
to; the article module turns those into mentions with `refers_to`.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.attrs import DEP, HEAD, LEMMA

PERSON_LABELS = frozenset({"PERSON"})
GROUP_LABELS = frozenset({"ORG", "NORP", "GPE", "FAC"})
NOT_ANTECEDENT_HOW = frozenset({"place"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
OBJECT_DEPS = frozenset({"dobj", "dative", "iobj", "pobj", "attr", "oprd"})
PLURAL_TAGS = frozenset({"NNS", "NNPS"})
DETERMINERS = frozenset({"the", "this", "that", "these", "those"})


@dataclass(frozen=True)
class Pronoun:
    number: str  # sg | pl
    gender: str | None  # male | female | None
    kind: str  # person | group | any
    person: int = 3


@dataclass(frozen=True)
class CorefLexicon:
    pronouns: dict[str, Pronoun] = field(default_factory=dict)
    relatives: dict[str, str] = field(default_factory=dict)
    expletive_verbs: frozenset[str] = frozenset()
    max_sentences: dict[str, int] = field(default_factory=dict)
    person_nouns: frozenset[str] = frozenset()
    gendered: dict[str, str] = field(default_factory=dict)
    first_names: dict[str, str] = field(default_factory=dict)
    description_stop: frozenset[str] = frozenset()
    title_synonyms: dict[str, frozenset[str]] = field(default_factory=dict)
    former: frozenset[str] = frozenset()
    speech_verbs: frozenset[str] = frozenset()
    country_nouns: frozenset[str] = frozenset()  # "the country", "the two nations" (article.py)
    pair_words: frozenset[str] = frozenset()  # "the two countries", "both nations"

    def window(self, kind: str) -> int:
        return self.max_sentences.get(kind, 2)

    unresolvable: frozenset[str] = frozenset()

    def is_pronoun(self, word: str) -> bool:
        word = word.lower()
        return word in self.pronouns or word in self.relatives or word in self.unresolvable


def lexicon_from_data(data: dict[str, Any] | None) -> CorefLexicon:
    """The coreference lexicon of a parsed data/coref.yaml (an empty one when it is missing)."""
    data = data or {}
    pronouns = {}
    for word, spec in (data.get("pronouns") or {}).items():
        spec = spec or {}
        pronouns[str(word).lower()] = Pronoun(spec.get("number") or "sg", spec.get("gender"),
                                              spec.get("kind") or "any", int(spec.get("person") or 3))
    gendered = {}
    for gender, words in (data.get("gendered") or {}).items():
        for word in words or ():
            gendered[str(word).lower()] = gender
    names = {}
    for gender, words in (data.get("first_names") or {}).items():
        for word in words or ():
            names.setdefault(str(word).lower(), gender)
    return CorefLexicon(
        pronouns=pronouns,
        relatives={str(k).lower(): v for k, v in (data.get("relatives") or {}).items()},
        expletive_verbs=frozenset(data.get("expletive_verbs") or ()),
        max_sentences={k: int(v) for k, v in (data.get("max_sentences") or {}).items()},
        person_nouns=frozenset(str(w).lower() for w in data.get("person_nouns") or ()),
        gendered=gendered, first_names=names,
        description_stop=frozenset(str(w).lower() for w in data.get("description_stop") or ()),
        title_synonyms={str(k).lower(): frozenset(str(w).lower() for w in v or ())
                        for k, v in (data.get("title_synonyms") or {}).items()},
        former=frozenset(str(w).lower() for w in data.get("former") or ()),
        unresolvable=frozenset(str(w).lower() for w in data.get("unresolvable") or ()),
        speech_verbs=frozenset(str(w).lower() for w in data.get("speech_verbs") or ()),
        country_nouns=frozenset(str(w).lower() for w in data.get("country_nouns") or ()),
        pair_words=frozenset(str(w).lower() for w in data.get("pair_words") or ()),
    )


def load_lexicon(path: Path, read) -> CorefLexicon:
    return lexicon_from_data(read(path) if path.exists() else None)


@lru_cache(maxsize=1)
def shipped_lexicon() -> CorefLexicon:
    """The lexicon of the shipped data/coref.yaml (immutable; read once per process)."""
    import yaml

    path = Path(__file__).resolve().parent / "data" / "coref.yaml"
    return lexicon_from_data(yaml.safe_load(path.read_text("utf-8")) if path.exists() else None)


def shown_participants(participants: list) -> list:
    """The participants that name an actor: unresolved pronouns ("he", "whose daughter" with no
    antecedent) are left out of dyads, networks, actor lists and trends."""
    lex = shipped_lexicon()
    return [p for p in participants if not unresolved_pronoun(lex, p.text, p.name, p.country)]


def unresolved_pronoun(lexicon: CorefLexicon, text: str | None, name: str | None, country: str | None) -> bool:
    """A participant that is a pronoun (or a phrase it opens: "whose daughter", "his rivals")
    no antecedent was found for: not an actor anyone can be shown as."""
    if name or country or not text:
        return False
    first = text.strip().split(" ", 1)[0].lower().strip("\"'“”‘’")
    return lexicon.is_pronoun(first)


# ------------------------------------------------------------------------------------ the parse


@dataclass
class Parse:
    """Dependency labels, heads, lemmas and sentence ordinals of a Doc, as plain lists."""

    deps: list[str]
    heads: list[int]
    lemmas: list[str]
    sent: list[int]

    @classmethod
    def from_doc(cls, doc, sentence_starts: list[int] | None) -> Parse:
        n = len(doc)
        rows = doc.to_array([DEP, HEAD, LEMMA]).reshape(n, 3)
        strings, names = doc.vocab.strings, {}

        def name(h: int) -> str:
            out = names.get(h)
            if out is None:
                out = names[h] = strings[h]
            return out

        deps = [name(h) for h in rows[:, 0].tolist()]
        heads = [i + off for i, off in enumerate(rows[:, 1].view("int64").tolist())]
        lemmas = [name(h) for h in rows[:, 2].tolist()]
        sent = [0] * n
        if sentence_starts is not None:
            ordinal, last = -1, None
            for i, start in enumerate(sentence_starts):
                if start != last:
                    ordinal, last = ordinal + 1, start
                sent[i] = ordinal
        return cls(deps, heads, lemmas, sent)

    def ancestors(self, i: int) -> list[int]:
        out, node = [], i
        for _ in range(30):
            head = self.heads[node]
            if head == node:
                break
            out.append(head)
            node = head
        return out


def quote_regions(toks) -> list[int]:
    """Per token, the ordinal of the quotation (“…” or "…") it stands in, else -1. An
    unclosed quotation ends with its paragraph."""
    out = [-1] * len(toks.text)
    current, count, straight = -1, 0, False
    for i, text in enumerate(toks.text):
        if "\n" in text and toks.is_space[i]:
            current, straight = -1, False
            continue
        if text in ("“", "«") or (text == '"' and not straight):
            count += 1
            current, straight = count, text == '"'
            continue
        if text in ("”", "»") or (text == '"' and straight):
            current, straight = -1, False
            continue
        out[i] = current
    return out


# ------------------------------------------------------------------------------------ candidates


@dataclass
class Candidate:
    """An actor mention that anaphors may refer to."""

    found: Any  # the Found it stands for
    root: Any  # the Found that names the entity (what `refers_to` points at)
    head: int  # head token
    sent: int
    person: bool
    plural: bool
    entity: object
    subject: bool
    speaker: bool = False  # subject of a speech verb ("X said")
    quote: int = -1  # the quotation it stands in (-1: none)


class Resolver:
    """Coreference for one document: build candidates from the found mentions, then resolve."""

    def __init__(self, lexicon: CorefLexicon, toks, parse: Parse, found: list, readings_title,
                 places: set[int] | frozenset = frozenset()) -> None:
        self.places = places  # tokens of country and nationality names
        self.lex = lexicon
        self.toks = toks
        self.parse = parse
        self.gender: dict[object, str] = {}
        self.roots: dict[object, Any] = {}
        self.titles: dict[object, set[str]] = {}  # words of the titles the text gives a person
        self.kb_titles: dict[object, set[str]] = {}  # words of a KB person's title at the date
        self.past_titles: dict[object, set[str]] = {}  # words of every title a KB person held
        self._title_of = readings_title
        self.candidates: list[Candidate] = []
        self.quotes = quote_regions(toks)
        self._build(sorted(found, key=lambda f: f.start))

    # -- candidates ------------------------------------------------------------------------
    def _entity(self, f) -> object:
        return f.entity_key if f.entity_key is not None else ("span", f.start)

    def head_of(self, f) -> int:
        return self._head(f)

    def _head(self, f) -> int:
        heads = self.parse.heads
        for t in range(f.end - 1, f.start - 1, -1):
            if not (f.start <= heads[t] < f.end) or heads[t] == t:
                return t
        return f.end - 1

    def _is_person(self, f) -> bool:
        r = f.reading
        if f.label in PERSON_LABELS or (r is not None and r.kind == "person"):
            return True
        if isinstance(f.entity_key, tuple) and f.entity_key[:1] == ("person",):
            return True
        if f.label != "NOUN":
            return False
        head = self._head(f)
        return self.parse.lemmas[head].lower() in self.lex.person_nouns or \
            self.toks.lower[head] in self.lex.person_nouns

    def _build(self, found: list) -> None:
        toks, lex = self.toks, self.lex
        for f in found:
            key = self._entity(f)
            if f.label == "PERSON" and key not in self.roots:
                self.roots[key] = f
            if f.label == "NOUN":
                self.titles.setdefault(key, set()).update(
                    self.parse.lemmas[t].lower() for t in range(f.start, f.end))
            for t in range(max(0, f.start - 1), min(f.end, f.start + 2)):
                gender = lex.gendered.get(toks.lower[t])
                if gender is None and f.label == "PERSON" and t == f.start and toks.text[t][:1].isupper():
                    gender = lex.first_names.get(toks.lower[t])
                if gender is not None and (t >= f.start or f.label == "PERSON"):
                    self.gender.setdefault(key, gender)
            if f.label == "NOUN":
                head = self._head(f)
                gender = lex.gendered.get(toks.lower[head])
                if gender:
                    self.gender.setdefault(key, gender)
            r = f.reading
            if r is not None and r.kind == "person" and r.name:
                first = r.name.split(" ")[0].lower()
                if first in lex.first_names:
                    self.gender.setdefault(key, lex.first_names[first])
                title, held = self._title_of(r)
                if title:
                    self.kb_titles.setdefault(key, set()).update(title.lower().split())
                for old in held:
                    self.past_titles.setdefault(key, set()).update(old.lower().split())
        for f in found:
            if not self._antecedent_ok(f):
                continue
            self.candidates.append(self._candidate(f))
        self.candidates.sort(key=lambda c: c.head)
        self._heads = [c.head for c in self.candidates]

    def _antecedent_ok(self, f) -> bool:
        r = f.reading
        if r is None or f.label == "PRON":
            return False
        if r.how in NOT_ANTECEDENT_HOW or (r.kind in ("city", "region", "capital") and not r.sector):
            return False
        return True

    def _candidate(self, f, head: int | None = None, root=None) -> Candidate:
        key = self._entity(f)
        head = self._head(f) if head is None else head
        person = self._is_person(f)
        tag = self.toks.tag[head]
        plural = tag in PLURAL_TAGS and not (person and f.label == "PERSON")
        root = root or f.refers or self.roots.get(key) or f
        return Candidate(f, root, head, self.parse.sent[head], person, plural, key,
                         self.parse.deps[head] in SUBJECT_DEPS, self._speaker(head), self.quotes[head])

    def _speaker(self, head: int) -> bool:
        return self.parse.deps[head] == "nsubj" and self.parse.lemmas[self.parse.heads[head]] in self.lex.speech_verbs

    def nearest_named(self, c: Candidate, i: int):
        """The last mention of c's entity before token i that is no pronoun (what an anaphor
        names as its antecedent: "Menendez", not the first "Robert Menendez" paragraphs back)."""
        k = bisect.bisect_left(self._heads, i) - 1
        described = None
        while k >= 0:
            other = self.candidates[k]
            if other.entity == c.entity and other.found.label != "PRON" and other.found.end <= i:
                if other.found.label != "NOUN":
                    return other.found  # a name
                described = described or other.found
            k -= 1
        return described or c.root

    def add_resolved(self, f, head: int, antecedent: Candidate) -> None:
        """A resolved anaphor is itself an antecedent of later ones (same entity, same features)."""
        cand = Candidate(f, antecedent.root, head, self.parse.sent[head], antecedent.person, antecedent.plural,
                         antecedent.entity, self.parse.deps[head] in SUBJECT_DEPS, self._speaker(head),
                         self.quotes[head])
        k = bisect.bisect_right(self._heads, head)
        self.candidates.insert(k, cand)
        self._heads.insert(k, head)

    # -- pronouns ---------------------------------------------------------------------------
    def pronoun(self, i: int) -> Candidate | None:
        """The antecedent of the (third-person) pronoun at token i, or None."""
        word = self.toks.lower[i]
        lex = self.lex.pronouns.get(word)
        if lex is None or lex.person != 3:
            return None
        if lex.kind == "group" and self._expletive(i):
            return None
        limit = self.lex.window(lex.kind)
        sent = self.parse.sent[i]
        governors = set(self.parse.ancestors(i))
        bound = self._bound_entities(i, word)
        quote = self.quotes[i]
        speaking = self._speaker(i)
        best, best_key = None, None
        k = bisect.bisect_left(self._heads, i) - 1
        while k >= 0:
            c = self.candidates[k]
            k -= 1
            dist = sent - c.sent
            if dist > limit:
                break
            if c.head >= i or c.found.start <= i < c.found.end or not self._compatible(c, lex):
                continue
            if c.entity in bound or (c.quote >= 0 and c.quote != quote):
                continue  # words inside a quotation are another voice's
            key = self._rank(c, dist, governors, lex)
            if speaking:  # "…," he said: the last speaker first
                key = (0 if c.speaker else 1, *key)
            if best_key is None or key < best_key:
                best, best_key = c, key
        if best is not None and lex.gender and best.entity not in self.gender:
            self.gender[best.entity] = lex.gender  # "he" teaches the antecedent's gender
        return best

    def _compatible(self, c: Candidate, lex: Pronoun) -> bool:
        if lex.kind == "person":
            if not c.person or c.plural:
                return False
            known = self.gender.get(c.entity)
            return lex.gender is None or known is None or known == lex.gender
        if lex.kind == "group":
            return not c.person and not c.plural
        return c.plural if lex.number == "pl" else True

    def _rank(self, c: Candidate, dist: int, governors: set[int], lex: Pronoun) -> tuple:
        gender_known = 0 if lex.gender and self.gender.get(c.entity) == lex.gender else 1
        if dist == 0:
            governing = c.subject and self.parse.heads[c.head] in governors
            cls = 0 if governing else (1 if c.subject else 2)
            return (0, cls, gender_known, -c.head)
        return (dist, 0 if c.subject else 1, gender_known, c.head if c.subject else -c.head)

    def _bound_entities(self, i: int, word: str) -> set[object]:
        """Entities an object pronoun cannot be: the subject of its own verb ("Trump attacked him")."""
        deps, heads = self.parse.deps, self.parse.heads
        if word.endswith("self") or word.endswith("selves") or deps[i] not in OBJECT_DEPS:
            return set()
        verb = heads[i]
        if deps[i] == "pobj" and deps[verb] == "prep":
            verb = heads[verb]
        out = set()
        k = bisect.bisect_left(self._heads, verb - 40)
        while k < len(self.candidates) and self.candidates[k].head < i:
            c = self.candidates[k]
            if c.subject and heads[c.head] == verb:
                out.add(c.entity)
            k += 1
        return out

    def _expletive(self, i: int) -> bool:
        """'it is clear that …', 'it remains to be seen': no reference."""
        deps, heads, lemmas = self.parse.deps, self.parse.heads, self.parse.lemmas
        if deps[i] == "expl":
            return True
        if deps[i] not in ("nsubj", "nsubjpass"):
            return False
        verb = heads[i]
        if lemmas[verb] not in self.lex.expletive_verbs:
            return False
        clause_deps = {"ccomp", "xcomp", "csubj", "advcl"}
        for t in range(max(0, verb - 1), min(len(deps), verb + 14)):
            if heads[t] == verb and t != verb and deps[t] in clause_deps:
                return True
            if heads[t] == verb and deps[t] in ("acomp", "attr") and any(
                    heads[u] == t and deps[u] in clause_deps | {"acl"} for u in range(t + 1, min(len(deps), t + 8))):
                return True
        return False

    # -- relative words ---------------------------------------------------------------------
    def relative(self, i: int) -> Candidate | None:
        """'Clinton, whose daughter …': the mention the relative clause hangs from."""
        kind = self.lex.relatives.get(self.toks.lower[i])
        if kind is None or self.toks.tag[i] not in ("WP", "WP$", "WDT"):
            return None
        deps, heads = self.parse.deps, self.parse.heads
        node = i
        for _ in range(4):
            head = heads[node]
            if head == node:
                return None
            if deps[node] in ("relcl", "acl") and node != i:
                return self._covering(head, kind)
            node = head
        if deps[node] in ("relcl", "acl"):
            return self._covering(heads[node], kind)
        return None

    def _covering(self, noun: int, kind: str) -> Candidate | None:
        k = bisect.bisect_right(self._heads, noun) - 1
        for c in self.candidates[max(0, k - 3):k + 3]:
            if c.found.start <= noun < c.found.end:
                if kind == "person" and not (c.person or c.plural):
                    return None
                if kind == "group" and c.person:
                    return None
                return c
        return None

    # -- definite descriptions --------------------------------------------------------------
    def description(self, f, same_sector) -> Candidate | None:
        """'the president', 'the former secretary of state' → the last person with that title
        (the title in the text, else a KB person's title at the date, or any title they held
        for 'former'); 'the ministry' → the last organisation with that head word, else with the
        same sector (`same_sector(found)`)."""
        head = self._head(f)
        word = self.parse.lemmas[head].lower()
        if word in self.lex.description_stop or self.toks.tag[head] in PLURAL_TAGS:
            return None
        limit = self.lex.window("description")
        sent = self.parse.sent[head]
        person = word in self.lex.person_nouns
        wanted = {word, *self.lex.title_synonyms.get(word, ())}
        modifiers = self._modifiers(f, head)
        former = bool(modifiers & self.lex.former)
        modifiers -= self.lex.former
        by_sector = by_kb_title = None
        k = bisect.bisect_left(self._heads, f.start) - 1
        while k >= 0:
            c = self.candidates[k]
            k -= 1
            if sent - c.sent > limit:
                break
            if c.found is f or c.found.end > f.start:
                continue
            if person:
                if not c.person or c.plural:
                    continue
                text = self.titles.get(c.entity, set())
                kb = self.past_titles.get(c.entity, set()) if former else self.kb_titles.get(c.entity, set())
                if wanted & text and self._agrees(modifiers, text):
                    return c
                if by_kb_title is None and wanted & kb and self._agrees(modifiers, kb | text):
                    by_kb_title = c
                continue
            if c.person:
                continue
            if word in (self.parse.lemmas[t].lower() for t in range(c.found.start, c.found.end)):
                return c
            if by_sector is None and same_sector(c.found):
                by_sector = c
        return by_kb_title if person else by_sector

    def _modifiers(self, f, head: int) -> set[str]:
        """Lower-case content words before the head ('republican', 'former'); capitalised
        nationality words ('Russian') are checked by country, not here."""
        out = set()
        for t in range(f.start, head):
            if self.toks.pos[t] in ("ADJ", "NOUN", "PROPN", "VERB") and t not in self.places:
                out.add(self.parse.lemmas[t].lower())
        return out

    @staticmethod
    def _agrees(modifiers: set[str], titles: set[str]) -> bool:
        return modifiers <= titles


# ------------------------------------------------------------------------------------ first person


def first_person_mentions(lexicon: CorefLexicon, doc, mentions: list, quotes: list) -> list:
    """Mentions for "I", "we", "my", … inside direct quotes, referring to the quote's speaker
    (a resolved actor). Returns the new mentions (not yet in `mentions`)."""
    from tidings.records import Actor, Mention, Span

    by_span = {(m.start, m.end): m for m in mentions}
    taken = [(m.start, m.end) for m in mentions]
    starts = sorted(s for s, _ in taken)
    ends = {s: e for s, e in taken}
    out = []
    for quote in quotes:
        speaker = quote.speaker
        if not quote.direct or speaker is None or not (speaker.name or speaker.country):
            continue
        source = by_span.get((speaker.start, speaker.end))
        root = source.refers_to if source is not None and source.refers_to is not None else \
            Span(speaker.text, speaker.start, speaker.end)
        actor = source.actor if source is not None and source.actor is not None else Actor(
            name=speaker.name or speaker.text, country=speaker.country, sector=speaker.sector)
        span = doc.char_span(quote.start, quote.end, alignment_mode="expand")
        if span is None:
            continue
        for token in span:
            lex = lexicon.pronouns.get(token.lower_)
            if lex is None or lex.person != 1 or token.pos_ != "PRON":
                continue
            start, end = token.idx, token.idx + len(token.text)
            k = bisect.bisect_right(starts, start) - 1
            if k >= 0 and ends[starts[k]] > start:
                continue
            out.append(Mention(text=token.text, start=start, end=end, label="PRON",
                               entity=source.entity if source is not None else None,
                               actor=Actor(name=actor.name, country=actor.country, sector=actor.sector,
                                           how="coref", kb_id=actor.kb_id, rule=actor.rule),
                               refers_to=Span(root.text, root.start, root.end)))
    return out
