"""Actor mentions in an article: KB matches, titled and described persons, actor noun phrases.

Passes over a spaCy Doc (each claims tokens, so mentions never overlap):

1. persons: KB people and PERSON entities, with the title before the name ("Russia's Deputy
   Foreign Minister Sergei Ryabkov", "Canada's foreign minister, Mélanie Joly") and the
   appositive after it ("Aurel Braun, a professor … at the University of Toronto"); the
   description resolves a person the KB does not know, and later surnames link back (coref);
2. noun chunks headed by a sector noun ("Russian troops", "US officials", "the unit");
3. remaining KB names: organisations, seats of power, countries, capitals, demonyms;
4. other PERSON/ORG entities (unresolved actors, country None).

Then mentions with a sector but no country take the country of a recent antecedent with the
same sector (definite phrases: "the unit") or the clearly dominant country of the sentence
and article ("Opposition conservatives" next to "Prime Minister Justin Trudeau").
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass, field, replace

from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, IDX, IS_PUNCT, IS_SPACE, IS_STOP, LIKE_NUM, LOWER, ORTH, POS, SPACY, TAG
from spacy.lang.en.syntax_iterators import noun_chunks as english_noun_chunks

from tidings.actors.kb import Entry, KnowledgeBase, text_key
from tidings.actors.phrase import (
    COUNTRY_KINDS, LEADING, Item, Reading, When, analyse, choose_entry, entry_reading, match_items, parse_when,
    participle_country, person_reading,
)
from tidings.actors import coref
from tidings.actors.context import Focus, find_dateline
from tidings.records import Actor, Mention, Span

LOCATIVE = frozenset({"in", "at", "to", "into", "from", "near", "inside", "outside", "around", "across",
                      "throughout", "towards", "toward", "via", "through", "within", "along"})
TITLE_JOINERS = frozenset({"of", "the", "'s", "-", "to", "for"})
APPOSITIVE_STOP = frozenset({",", ";", ".", ":", "(", ")", '"', "“", "”", "—", "–"})
CONJUNCTIONS = frozenset({"and", "or", "&"})
MAX_APPOSITIVE = 20
IOB_INSIDE = 1  # spaCy's ENT_IOB code for a token inside (not beginning) an entity
NAME_NOT_ACTOR = frozenset({"ORG", "LAW", "EVENT", "WORK_OF_ART", "PRODUCT", "FAC", "LANGUAGE"})
RELATIVE_TAGS = frozenset({"WP", "WP$", "WDT"})
PRONOUN_TAGS = frozenset({"PRP", "PRP$", "WP", "WP$", "WDT"})
KIND_LABEL = {"country": "GPE", "capital": "GPE", "city": "GPE", "region": "GPE", "demonym": "NORP"}


@dataclass
class Word:
    key: str
    surface: str
    start: int  # token index
    end: int


@dataclass
class Tokens:
    """The token attributes the passes read, as plain lists (one per attribute, indexed by token).

    `doc[i].lower_` builds a Token and decodes a new string on each access; the passes read
    the same attributes of the same tokens many times, so they are read once per document.
    """

    text: list[str]
    lower: list[str]
    pos: list[str]
    tag: list[str]
    ent_type: list[str]
    is_punct: list[int]
    is_space: list[int]
    like_num: list[int]
    is_stop: list[int]
    ws: list[int]  # 1 when the token has trailing whitespace
    idx: list[int]  # character offset
    ent_iob: list[int]  # 3 = entity begins here, 1 = inside an entity, 2 = outside, 0 = unset

    @classmethod
    def from_doc(cls, doc) -> Tokens:
        rows = doc.to_array([ORTH, LOWER, POS, TAG, ENT_TYPE, IS_PUNCT, IS_SPACE, LIKE_NUM, IS_STOP, SPACY, IDX,
                             ENT_IOB])
        rows = rows.reshape(len(doc), 12).T.tolist()
        strings, names = doc.vocab.strings, {}
        columns = []
        for column in rows[:5]:
            out = []
            for h in column:
                name = names.get(h)
                if name is None:
                    name = names[h] = strings[h]
                out.append(name)
            columns.append(out)
        return cls(*columns, *rows[5:])

    def is_upper_or_punct(self, i: int) -> bool:
        text = self.text[i]
        return bool(self.is_punct[i]) or text.isupper() or (text[:1].isupper() and len(text) <= 3)

    def span_text(self, start: int, end: int) -> str:
        """`doc[start:end].text`: the tokens with their whitespace, but the last one's."""
        if start >= end:
            return ""
        return "".join([self.text[i] + " " if self.ws[i] else self.text[i] for i in range(start, end - 1)]) \
            + self.text[end - 1]

    def end_char(self, end: int) -> int:
        """`doc[start:end].end_char` (end > start)."""
        return self.idx[end - 1] + len(self.text[end - 1])


def _sentence_bounds(doc) -> tuple[list[int], list[int]] | None:
    """Per token, the (start, end) of its sentence as `Token.sent` gives them; None when
    sentences are not annotated or a hook defines them per token."""
    hooked = "sent" in doc.user_token_hooks or "sent" in doc.user_span_hooks or "sents" in doc.user_hooks
    if hooked or not doc.has_annotation("SENT_START"):
        return None
    starts, ends = [0] * len(doc), [0] * len(doc)
    for sent in doc.sents:
        for i in range(sent.start, sent.end):
            starts[i], ends[i] = sent.start, sent.end
    return starts, ends


@dataclass
class Found:
    """A mention under construction (token span)."""

    start: int
    end: int
    reading: Reading | None
    label: str
    entity_key: object = None
    definite: bool = False  # a bare definite description ("the unit", "the president")
    entity: int | None = None
    refers: Found | None = None  # the antecedent this mention refers to (coreference)


@dataclass
class State:
    kb: KnowledgeBase
    doc: object
    year: When | None
    words: list[Word]
    items: list[Item]
    word_of_token: list[int]
    item_at_word: dict[int, Item]
    countries: list[str]
    toks: Tokens
    item_starts: list[int]  # first token of each item (items are in text order)
    item_words: list[int]  # first word of each item
    sentences: tuple[list[int], list[int]] | None
    used: set[int] = field(default_factory=set)
    fuzzy: dict[str, list[Entry]] = field(default_factory=dict)  # kb.fuzzy_lookup results of this document
    found: list[Found] = field(default_factory=list)
    people: dict[str, tuple[object, Reading]] = field(default_factory=dict)  # name/surname key → (entity key, reading)
    parse: coref.Parse | None = None  # dependency arrays, read once when coreference runs
    focus: Focus | None = None  # the article's countries (dateline, places, nationalities, actors)
    resolver: coref.Resolver | None = None  # coreference over the found mentions (built once)


# ------------------------------------------------------------------------------------ entry point


def find_mentions(kb: KnowledgeBase, doc, published: str | None = None) -> list[Mention]:
    state = _prepare(kb, doc, published)
    _persons(state)
    _surname_corefs(state)
    _chunks(state)
    _names(state)
    _other_entities(state)
    _fill_countries(state)
    _coreference(state)
    _country_anaphors(state)
    return _to_mentions(state)


def _prepare(kb: KnowledgeBase, doc, published) -> State:
    toks = Tokens.from_doc(doc)
    words = _words(toks, kb)
    keys = [w.key for w in words]
    items = match_items(kb, keys, [w.surface for w in words])
    word_of_token = [0] * len(doc)
    for i, w in enumerate(words):
        for t in range(w.start, w.end):
            word_of_token[t] = i
    item_at_word = {}
    for it in items:
        for i in range(it.start, it.end):
            item_at_word[i] = it
    state = State(kb, doc, parse_when(published), words, items, word_of_token, item_at_word,
                  [], toks, [words[it.start].start for it in items],
                  [it.start for it in items], _sentence_bounds(doc))
    _article_places(state)
    return state


def _article_places(state: State) -> None:
    """The dateline (a place, claimed so it never becomes an actor), the focus countries, and
    the reading of a name shared by a country and a region of another one (Georgia)."""
    lex = state.kb.article
    focus = state.focus = Focus(lex)
    dateline = find_dateline(state.toks, lex)
    if dateline is not None:
        for it in _items_in(state, *dateline):
            entry = next((e for e in it.names if e.kind in COUNTRY_KINDS and e.country), None)
            if entry is not None:
                focus.dateline = entry.country
                focus.add(entry.country, "dateline")
                break
        state.used.update(range(*dateline))
    ambiguous = []
    for it in state.items:
        found = {e.country for e in it.names if e.country and e.country != "IGO" and e.kind in COUNTRY_KINDS}
        if len(found) == 1:
            kind = it.names[0].kind
            focus.add(next(iter(found)), "demonym" if kind == "demonym" else "place")
        elif len(found) > 1 and any(e.kind == "country" for e in it.names):
            ambiguous.append(it)
    for it in ambiguous:
        it.names = _place_reading(state, it)
    state.countries = focus.ranked()


def _place_reading(state: State, it: Item) -> list[Entry]:
    """A country's name that is also a region or city elsewhere ('Georgia'): the region only with
    evidence for it — the article's focus is the region's country, or the text says so ('the
    state of Georgia', 'Atlanta, Georgia') — else the country. Returns the chosen entries."""
    country = next(e for e in it.names if e.kind == "country")
    others = [e for e in it.names if e.country != country.country and e.kind in ("region", "city")]
    if not others:
        return it.names
    toks = state.toks
    s, _ = _item_tokens(state, it)
    before = " ".join(toks.lower[max(0, s - 3):s])
    ranked = state.focus.ranked()
    home = {e.country for e in others}
    region = (before.endswith("state of") or before.endswith("province of")
              or (s >= 2 and toks.text[s - 1] == "," and _place_country(state, s - 2) in home)
              or (ranked and ranked[0] in home and state.focus.scores[country.country] < state.focus.scores[ranked[0]]))
    return [e for e in it.names if (e.country in home) == region]


def _place_country(state: State, tok: int) -> str | None:
    it = state.item_at_word.get(state.word_of_token[tok])
    if it is None or not it.names or it.names[0].kind not in COUNTRY_KINDS:
        return None
    return it.names[0].country


def _words(toks: Tokens, kb: KnowledgeBase) -> list[Word]:
    """Tokens as KB words: 'al - Shabaab' and 'Lt .' glued back together."""
    words: list[Word] = []
    keys: dict[str, str] = {}
    attached = False  # previous token had no trailing whitespace
    for i, (text, space, ws) in enumerate(zip(toks.text, toks.is_space, toks.ws)):
        if words and attached and not space:
            prev = words[-1]
            if (text == "." and prev.key in kb.titles) or text == "-" or prev.surface.endswith("-"):
                prev.surface += text
                prev.key = text_key(prev.surface)
                prev.end = i + 1
                attached = not ws
                continue
        attached = not ws
        if space:
            key = " "
        else:
            key = keys.get(text)
            if key is None:
                key = keys[text] = text_key(text) or text.strip() or " "
        words.append(Word(key, text, i, i + 1))
    return words


# ------------------------------------------------------------------------------------ helpers


def _item_tokens(state: State, it: Item) -> tuple[int, int]:
    return state.words[it.start].start, state.words[it.end - 1].end


def _items_in(state: State, start: int, end: int) -> list[Item]:
    """Items wholly inside tokens [start, end)."""
    out = []
    for k in range(bisect.bisect_left(state.item_starts, start), len(state.items)):
        it = state.items[k]
        s, e = _item_tokens(state, it)
        if s >= end:
            break
        if e <= end:
            out.append(it)
    return out


def _analyse_span(state: State, start: int, end: int, ctx: list[str] | None = None,
                  strict: bool = True) -> Reading | None:
    """Resolve tokens [start, end) as a phrase (items re-indexed to the span's words)."""
    w0, w1 = state.word_of_token[start], state.word_of_token[end - 1] + 1
    keys = [w.key for w in state.words[w0:w1]]
    items = []
    for k in range(bisect.bisect_left(state.item_words, w0), len(state.items)):
        it = state.items[k]
        if it.start >= w1:
            break
        if it.end <= w1:
            items.append(Item(it.start - w0, it.end - w0, it.key, it.names, it.noun, it.generic,
                              it.generic_default, it.modifier, it.title, it.title_sector))
    text = state.toks.span_text(start, end)
    surfaces = [w.surface for w in state.words[w0:w1]]
    return analyse(state.kb, items, keys, state.year, ctx or [], name=text, strict=strict, surfaces=surfaces)


def _sentence(state: State, tok: int) -> tuple[int, int]:
    """(start, end) token offsets of the sentence holding `tok` (the whole doc without sentences)."""
    if state.sentences is not None:
        return state.sentences[0][tok], state.sentences[1][tok]
    doc = state.doc
    if not (doc.has_annotation("SENT_START") or doc.has_annotation("DEP")):
        return 0, len(doc)
    sent = doc[tok].sent
    return sent.start, sent.end


def _free(state: State, start: int, end: int) -> bool:
    return state.used.isdisjoint(range(start, end))


def _claim(state: State, found: Found) -> None:
    state.found.append(found)
    state.used.update(range(found.start, found.end))


def _person_entry(it: Item) -> Entry | None:
    return next((e for e in it.names if e.kind == "person"), None)


# ------------------------------------------------------------------------------------ pass 1: persons


def _persons(state: State) -> None:
    doc = state.doc
    spans: list[tuple[int, int, Entry | None, bool]] = []
    for it in state.items:
        entry = _person_entry(it)
        if entry and (it.names[0].kind == "person" or it.names[0].kind == "city"):
            s, e = _item_tokens(state, it)
            if it.end - it.start > 1 or _single_name_ok(state, s):
                spans.append((s, e, entry, True))
    taken = {t for s, e, _, _ in spans for t in range(s, e)}
    for ent in doc.ents:
        if ent.label_ != "PERSON" or any(t in taken for t in range(ent.start, ent.end)):
            continue
        if _is_non_person_name(state, ent.start, ent.end) or _names_a_product(state, ent.end):
            continue
        spans.append((ent.start, ent.end, None, True))
        taken.update(range(ent.start, ent.end))
    for s, e in _proper_name_runs(state, taken):
        spans.append((s, e, None, False))
    for s, e, entry, sure in sorted(spans, key=lambda x: x[0]):
        while e > s + 1 and (state.toks.tag[e - 1] == "POS" or state.toks.is_punct[e - 1] or state.toks.is_space[e - 1]):
            e -= 1
        if _names_a_group(state, e):
            continue  # "the Assad regime", "Tamil rebels", "Trump supporters": the group is the actor
        if _free(state, s, e):
            _person(state, s, e, entry, sure)


def _names_a_group(state: State, end: int) -> bool:
    """A name right before a common sector noun modifies it ("Assad regime", "Trump supporters")."""
    toks = state.toks
    if end >= len(toks.text) or toks.pos[end] != "NOUN":
        return False
    it = state.item_at_word.get(state.word_of_token[end])
    return it is not None and state.words[it.start].start == end and (it.noun is not None or it.generic) \
        and not it.names


def _proper_name_runs(state: State, taken: set[int]) -> list[tuple[int, int]]:
    """Runs of 2-4 capitalised proper nouns NER missed ('Aurel Braun'); kept only if described."""
    toks, runs, start = state.toks, [], None
    n = len(toks.text)
    for i in range(n + 1):
        ok = i < n and toks.pos[i] == "PROPN" and toks.text[i][:1].isupper() and i not in taken \
            and toks.text[i].isalpha()
        if ok and start is None:
            start = i
        elif not ok and start is not None:
            end = i
            if 2 <= end - start <= 4 and not any(it.names for it in _items_in(state, start, end)) \
                    and not any(state.item_at_word.get(state.word_of_token[t]) for t in range(start, end)):
                runs.append((start, end))
            start = None
    return runs


def _single_name_ok(state: State, tok: int) -> bool:
    toks = state.toks
    if toks.is_stop[tok] or not toks.text[tok][:1].isupper():
        return False
    if _honorific_before(state, tok) < tok or toks.ent_type[tok] == "PERSON":
        return True
    return toks.ent_type[tok] == "" and toks.pos[tok] == "PROPN"


def _is_non_person_name(state: State, start: int, end: int) -> bool:
    for it in _items_in(state, start, end):
        if it.names and it.names[0].kind != "person":
            s, e = _item_tokens(state, it)
            if (s, e) == (start, end):
                return True
    return False


def _honorific_before(state: State, tok: int) -> int:
    """Start of 'Mr'/'Dr' (title without sector) right before token `tok`, else `tok`."""
    if tok == 0:
        return tok
    w = state.word_of_token[tok - 1]
    it = state.item_at_word.get(w)
    if it and it.title and it.title_sector is None and it.end == w + 1:
        return state.words[it.start].start
    return tok


def _person(state: State, start: int, end: int, entry: Entry | None, sure: bool = True) -> None:
    name_start = _honorific_before(state, start)
    name = state.toks.span_text(start, end)
    title = _left_title(state, name_start)
    appos = _appositive(state, end)
    if not sure and title is None and appos is None:
        return
    if title:
        title[2].how = "title"
    if appos:
        appos[2].how = "appositive"
    descs = [x[2] for x in (title, appos) if x is not None]
    reading, key = _person_reading(state, name, entry, descs)
    if title:
        _claim(state, Found(title[0], title[1], _described(reading, "title"), "NOUN", key))
    _claim(state, Found(name_start, end, reading, "PERSON", key))
    if appos:
        _claim(state, Found(appos[0], appos[1], _described(reading, "appositive"), "NOUN", key))


def _described(reading: Reading, how: str) -> Reading:
    return replace(reading, how=how)


def _person_reading(state: State, name: str, entry: Entry | None, descs: list[Reading]) -> tuple[Reading, object]:
    desc = next((d for d in descs if d.sector), descs[0] if descs else None)
    key_full, surname = text_key(name), text_key(name).split(" ")[-1]
    if entry is not None:
        reading = person_reading(entry, state.year)
        if desc and desc.sector and not reading.held:  # an office held at the date beats a description
            reading.sector, reading.rule = desc.sector, desc.rule
        if reading.country is None and desc:
            reading.country = desc.country
        key = ("person", entry.kb_id)
    elif key_full in state.people or surname in state.people:
        key, known = state.people.get(key_full) or state.people[surname]
        if desc is not None and desc.sector and not known.sector:
            known.sector, known.rule = desc.sector, desc.rule
            known.country = known.country or desc.country
        return _described(known, "coref"), key
    elif desc is not None:
        reading = Reading(name, desc.country, desc.sector, desc.how, None, desc.rule, kind="person")
        key = ("person", key_full)
    else:
        reading = Reading(name, None, None, "ner", None, kind="person")
        key = ("person", key_full)
    state.people[key_full] = (key, reading)
    if len(key_full.split(" ")) > 1 and surname not in state.people:
        state.people[surname] = (key, reading)
    return reading, key


def _left_title(state: State, start: int) -> tuple[int, int, Reading] | None:
    """'Russia's Deputy Foreign Minister' or 'Canada's foreign minister,' right before a name."""
    end = start
    if start > 0 and state.toks.text[start - 1] == ",":
        end = start - 1
    sent_start = _sentence(state, start)[0] if start < len(state.toks.text) else 0
    t = end
    last_item_end = None
    while t > sent_start:
        w = state.word_of_token[t - 1]
        it = state.item_at_word.get(w)
        if it is not None and state.words[it.end - 1].end == t:
            if last_item_end is None:
                if not (it.title or it.sector_item or any(e.kind in COUNTRY_KINDS for e in it.names)):
                    return None
                last_item_end = t
            t = state.words[it.start].start
            continue
        if state.words[w].key in TITLE_JOINERS and last_item_end is not None:
            t = state.words[w].start
            continue
        break
    while t < end and state.words[state.word_of_token[t]].key in TITLE_JOINERS:
        t += 1
    if last_item_end is None or t >= end or not _free(state, t, end):
        return None
    reading = _analyse_span(state, t, end)
    if reading is None or not reading.sector:
        return None
    if not _title_like(state, t, end):
        return None
    return t, end, reading


def _title_like(state: State, start: int, end: int) -> bool:
    """Before a comma only a real title counts ('Canada's foreign minister, X'), not a place."""
    return any(it.noun or it.title or it.generic for it in _items_in(state, start, end))


def _appositive(state: State, end: int) -> tuple[int, int, Reading] | None:
    """', a spokeswoman for the Special Operations Command,' after a name."""
    toks = state.toks
    n = len(toks.text)
    if end >= n - 1 or toks.text[end] != ",":
        return None
    first = end + 1
    if toks.lower[first] not in ("a", "an", "the") and state.item_at_word.get(state.word_of_token[first]) is None:
        return None
    t = end + 1
    limit = min(n, end + 1 + MAX_APPOSITIVE, _sentence(state, first)[1])
    while t < limit and toks.text[t] not in APPOSITIVE_STOP and toks.pos[t] not in ("VERB", "AUX") \
            and toks.tag[t] not in RELATIVE_TAGS:  # ", a former minister who …": the relative clause ends it
        t += 1
    start = end + 1
    while start < t and toks.lower[start] in ("a", "an", "the"):
        start += 1
    if start >= t or not _free(state, start, t):
        return None
    reading = _analyse_span(state, start, t)
    if reading is None or not reading.sector:
        return None
    return start, t, reading


# ------------------------------------------------------------------------------------ surnames


def _surname_corefs(state: State) -> None:
    """'Bineau noted', 'Braun said' (whatever NER called them): link to the described person."""
    toks = state.toks
    for w in state.words:
        if w.end - w.start != 1 or w.key not in state.people or w.start in state.used:
            continue
        if not toks.text[w.start][:1].isupper() or toks.is_stop[w.start]:
            continue
        nxt = w.start + 1
        if nxt < len(toks.text) and toks.text[nxt][:1].isupper() and not toks.is_punct[nxt] \
                and nxt not in state.used and toks.ent_type[nxt] == "PERSON":
            continue  # part of a longer, different name
        key, known = state.people[w.key]
        start = _honorific_before(state, w.start)
        if not _free(state, start, w.end):
            start = w.start
        _claim(state, Found(start, w.end, _described(known, "coref"), "PERSON", key))


# ------------------------------------------------------------------------------------ pass 2: chunks


def _chunks(state: State) -> None:
    if not state.doc.has_annotation("DEP"):
        return  # no parser: no noun chunks (KB names and entities still work)
    for chunk_start, chunk_end in _noun_chunk_bounds(state):
        start, end = _trim(state, chunk_start, chunk_end)
        end = _item_end(state, start, end)
        if start >= end:
            continue
        if not _free(state, start, end):
            _possessed_chunk(state, start, end)
            continue
        _chunk(state, start, end)


def _possessed_chunk(state: State, start: int, end: int) -> None:
    """'Putin's government', 'Donald Trump's campaign' (the name already a mention): the group
    after the possessive is an actor of its own, of the possessor's country."""
    toks = state.toks
    poss = _first_possessive(toks, start, end)
    if poss is None or not _free(state, poss + 1, end) or not _ends_with_sector(state, poss + 1, end):
        return
    owner = next((f for f in state.found if f.start < poss <= f.end), None)
    if owner is None or owner.reading is None or not owner.reading.country:
        return
    reading = _analyse_span(state, poss + 1, end)
    if reading is None:
        reading = Reading(toks.span_text(poss + 1, end), None, None, "sector_noun")
    if reading.country is None:
        reading.country, reading.how = owner.reading.country, f"{reading.how}+possessor"
    _claim(state, Found(poss + 1, end, reading, "NOUN", ("np", reading.country, reading.sector, toks.lower[end - 1])))


def _item_end(state: State, start: int, end: int) -> int:
    """A chunk ending inside a KB phrase ends with it ('the former secretary' + 'of state')."""
    if start >= end:
        return end
    it = state.item_at_word.get(state.word_of_token[end - 1])
    if it is not None and (it.noun or it.generic) and not it.names:
        return max(end, state.words[it.end - 1].end)
    return end


def _noun_chunk_bounds(state: State) -> list[tuple[int, int]]:
    """(start, end) of `doc.noun_chunks`, without building Spans."""
    doc = state.doc
    if doc.noun_chunks_iterator is english_noun_chunks:
        return _english_noun_chunks(doc, state.toks)
    if doc.noun_chunks_iterator is None:
        return [(chunk.start, chunk.end) for chunk in doc.noun_chunks]  # raises NotImplementedError
    return [(start, end) for start, end, _ in doc.noun_chunks_iterator(doc)]


NP_DEPS = frozenset({"oprd", "nsubj", "dobj", "nsubjpass", "pcomp", "pobj", "dative", "appos", "attr", "ROOT"})


def _english_noun_chunks(doc, toks: Tokens) -> list[tuple[int, int]]:
    """spaCy's English noun-chunk iterator (spacy.lang.en.syntax_iterators) over plain
    attribute values: the same chunks, with Token objects built only for nouns."""
    rows = doc.to_array([DEP, HEAD]).reshape(len(doc), 2)
    strings = doc.vocab.strings
    names = {h: strings[h] for h in set(rows[:, 0].tolist())}
    deps = [names[h] for h in rows[:, 0].tolist()]
    heads = [i + offset for i, offset in enumerate(rows[:, 1].view("int64").tolist())]  # HEAD: relative
    chunks, prev_end = [], -1
    for i, pos in enumerate(toks.pos):
        if pos not in ("NOUN", "PROPN", "PRON"):
            continue
        left = doc[i].left_edge.i
        if left <= prev_end:
            continue  # no nested chunks
        if deps[i] in NP_DEPS or (deps[i] == "conj" and deps[_first_conjunct(deps, heads, i)] in NP_DEPS):
            prev_end = i
            chunks.append((left, i + 1))
    return chunks


def _first_conjunct(deps: list[str], heads: list[int], i: int) -> int:
    head = heads[i]
    while deps[head] == "conj" and heads[head] < head:
        head = heads[head]
    return head


DATELINE_DASHES = frozenset({"-", "--", "–", "—", ":"})


def _trim(state: State, start: int, end: int) -> tuple[int, int]:
    toks = state.toks
    for dash in range(start + 1, min(end - 1, start + 8)):  # "BAMAKO - Armed men": a dateline glued on
        if toks.text[dash] in DATELINE_DASHES:
            before = range(start, dash)
            if all(toks.is_upper_or_punct(t) for t in before) and any(len(toks.text[t]) > 1 and toks.text[t].isupper()
                                                                     for t in before):
                start = dash + 1
            break
    while start < end and (toks.is_punct[start] or toks.lower[start] in LEADING or toks.like_num[start]
                           or toks.is_space[start]):
        start += 1
    while end > start and (toks.is_punct[end - 1] or toks.is_space[end - 1]):
        end -= 1
    return start, end


def _chunk(state: State, start: int, end: int) -> None:
    toks = state.toks
    poss = _first_possessive(toks, start, end)
    if poss is not None and not _ends_with_sector(state, poss + 1, end):
        if poss > start and _ends_with_sector(state, start, poss):
            _chunk_phrase(state, start, poss)
        return
    if not _ends_with_sector(state, start, end):
        return
    conj = [t for t in range(start, end) if toks.lower[t] in CONJUNCTIONS]
    if conj and _split_coordination(state, start, end, conj):
        return
    _chunk_phrase(state, start, end)


def _first_possessive(toks: Tokens, start: int, end: int) -> int | None:
    for t in range(start, end):
        if toks.tag[t] == "POS" or toks.lower[t] in ("'s", "’s"):
            return t
    return None


def _ends_with_sector(state: State, start: int, end: int) -> bool:
    if start >= end:
        return False
    it = state.item_at_word.get(state.word_of_token[end - 1])
    if it is None or state.words[it.end - 1].end != end:
        return False
    s, _ = _item_tokens(state, it)
    return s >= start and (it.noun is not None or it.generic)


def _chunk_phrase(state: State, start: int, end: int, head_end: int | None = None) -> None:
    reading = _analyse_span(state, start, head_end or end)
    reading = _article_phrase(state, start, end, reading)
    if reading is None or (reading.sector is None and reading.country is None):
        return
    toks = state.toks
    definite = start > 0 and toks.lower[start - 1] in ("the", "this", "that", "these", "those")
    label = "NOUN"
    ent = toks.ent_type[start]
    if ent and toks.ent_type[end - 1] == ent:
        label = ent
    if reading.country is None:
        _country_from_pp(state, end, reading)
    key = reading.kb_id or (("np", reading.country, reading.sector, text_key(toks.text[end - 1]))
                            if reading.country else None)
    bare = end - start == 1 or _only_head(state, start, end)
    described = definite and not bare and label == "NOUN" and _person_head(state, end - 1)
    _claim(state, Found(start, end, reading, label, key,
                        definite=(definite and bare and reading.country is None) or described))


def _person_head(state: State, tok: int) -> bool:
    """'the former secretary of state', 'the Republican nominee': a description of one person
    (the head: the first word of the phrase's last KB item)."""
    it = state.item_at_word.get(state.word_of_token[tok])
    if it is not None:
        tok = state.words[it.start].start
    return state.toks.tag[tok] == "NN" and state.toks.lower[tok] in state.kb.coref.person_nouns


def _article_phrase(state: State, start: int, end: int, reading: Reading | None) -> Reading | None:
    """Phrase readings that need data/article.yaml: 'a Saudi-led coalition' (the leader's
    country), 'UN peacekeepers'/'peacekeepers' (IGO), 'NATO allies' (members: no country)."""
    lex = state.kb.article
    toks = state.toks
    head = state.item_at_word.get(state.word_of_token[end - 1])
    head_key = head.key if head is not None else text_key(toks.text[end - 1])
    if reading is not None and head_key in lex.member_nouns and reading.country is not None and end - start > 1:
        return Reading(toks.span_text(start, end), None, "GOV", "members", None, rule=f"members:{head_key}")
    if head_key in lex.counterpart_nouns:  # "his Ukrainian counterpart": Ukraine's official; "his counterpart": unknown
        country = reading.country if reading is not None and end - start > 1 else None
        return Reading(toks.span_text(start, end), country, "GOV", "counterpart", None, rule=f"counterpart:{head_key}")
    org = lex.igo_nouns.get(head_key)
    if org is not None and (reading is None or reading.country is None):
        return Reading(org, "IGO", "IGO", "igo_noun", None, rule=f"igo:{head_key}")
    keys = [state.words[w].key for w in range(state.word_of_token[start], state.word_of_token[end - 1] + 1)]
    led = participle_country(state.kb, keys, reading.sector if reading is not None else None, state.countries)
    if led is not None:
        country, suffix, prefix = led
        if reading is None:
            reading = Reading(toks.span_text(start, end), None, None, "kb")
        if reading.country is None:
            reading.country, reading.how, reading.rule = country, f"{reading.how}+{suffix}", f"{suffix}:{prefix}"
    return reading


PP_OWNERS = frozenset({"in", "of", "from"})
DOMESTIC_SECTORS = frozenset({"GOV", "LEG", "JUD", "COP", "CVL", "EDU", "MED", "BUS", "LAB", "AGR", "OPP", "PTY", "REL"})


def _country_from_pp(state: State, end: int, reading: Reading) -> None:
    """'Prosecutors in Sweden', 'residents of Gaza': the country named right after the phrase."""
    toks = state.toks
    n = len(toks.text)
    if end >= n or toks.lower[end] not in PP_OWNERS:
        return
    if toks.lower[end] == "in" and reading.sector not in DOMESTIC_SECTORS:
        return  # "special forces in Ukraine" are not Ukraine's
    for t in range(end + 1, min(n, end + 5)):
        it = state.item_at_word.get(state.word_of_token[t])
        if it and it.names and it.names[0].kind in COUNTRY_KINDS and it.names[0].country:
            reading.country, reading.how = it.names[0].country, f"{reading.how}+pp"
            return
        if toks.is_punct[t] or toks.pos[t] == "VERB":
            return


def _only_head(state: State, start: int, end: int) -> bool:
    """The phrase is just its head noun ('the unit', 'the regime'), no modifiers."""
    it = state.item_at_word.get(state.word_of_token[end - 1])
    return it is not None and state.words[it.start].start == start


def _split_coordination(state: State, start: int, end: int, conj: list[int]) -> bool:
    """'US and NATO officials' → 'US' (USA GOV) + 'NATO officials' (NATO)."""
    head_it = state.item_at_word[state.word_of_token[end - 1]]
    head_start = state.words[head_it.start].start
    cuts = [t for t in conj if t < head_start]
    if not cuts:
        return False
    parts, s = [], start
    for c in cuts:
        parts.append((s, c))
        s = c + 1
    last = (s, end)
    if not all(_has_country_cue(state, a, b) for a, b in parts) or not _has_country_cue(state, *last):
        return False
    for a, b in parts:
        reading = _analyse_with_head(state, a, b, head_start, end)
        if reading:
            key = reading.kb_id or ("np", reading.country, reading.sector, text_key(state.toks.text[end - 1]))
            _claim(state, Found(a, b, reading, "NOUN", key))
    _chunk_phrase(state, *last)
    return True


def _has_country_cue(state: State, start: int, end: int) -> bool:
    return any(it.names for it in _items_in(state, start, end))


def _analyse_with_head(state: State, start: int, end: int, head_start: int, head_end: int) -> Reading | None:
    """Resolve a conjunct as if followed by the shared head noun."""
    part = _analyse_span(state, start, end, strict=False)
    head = _analyse_span(state, head_start, head_end)
    if part is None:
        return None
    sector = head.sector if head else None
    if part.country == "IGO":
        sector = part.sector or sector
    return Reading(part.name, part.country, sector, "sector_noun" if sector else part.how, part.kb_id,
                   head.rule if head else None)


# ------------------------------------------------------------------------------------ pass 3: names


def _names(state: State) -> None:
    toks = state.toks
    for it in state.items:
        if not it.names:
            continue
        start, end = _item_tokens(state, it)
        if not _free(state, start, end):
            continue
        entry = choose_entry(it.names, state.countries)
        if entry.kind == "person":
            continue
        if entry.kind in COUNTRY_KINDS and not toks.text[end - 1][:1].isupper():
            continue
        if entry.kind in COUNTRY_KINDS and toks.ent_type[start] in NAME_NOT_ACTOR and _inside_longer_name(state, start, end):
            continue  # "the North American Free Trade Agreement" is a treaty, not America (the
            # whole name, when it is an organisation, is read by the entity pass)
        if entry.kind == "city" and toks.ent_type[start] in ("ORG", "PERSON", "PRODUCT", "WORK_OF_ART"):
            continue  # "Toyota" the company, "Victoria" the person
        if entry.kind in ("city", "capital", "region") and _inside_longer_name(state, start, end):
            continue  # "Coral Springs" is no Springs (South Africa): the longer name wins
        reading = entry_reading(entry, state.year)
        after_preposition = start > 0 and toks.lower[start - 1] in LOCATIVE
        if entry.kind in ("capital", "city") and after_preposition:
            reading.sector, reading.how = None, "place"
        elif entry.kind == "city":
            reading.sector = None
        if entry.kind == "demonym":
            reading.name = state.kb.countries.get(entry.country, entry.name)
        label = KIND_LABEL.get(entry.kind) or toks.ent_type[start] or "NOUN"
        _claim(state, Found(start, end, reading, label, ("kb", entry.kb_id)))


# ------------------------------------------------------------------------------------ pass 4: rest


def _other_entities(state: State) -> None:
    for ent in state.doc.ents:
        if ent.label_ not in ("PERSON", "ORG", "NORP", "GPE") or not _free(state, ent.start, ent.end):
            continue
        start, end = _trim(state, ent.start, ent.end)
        text = state.toks.span_text(start, end)
        if start >= end or len(text) < 3:
            continue
        reading = _analyse_span(state, start, end)
        if reading is None and _names_a_product(state, end):
            continue  # "Patriot missile batteries": a weapon, not an actor
        if reading is None and ent.label_ == "GPE":
            entries = [e for e in _fuzzy_lookup(state, text_key(text)) if _plausible_place(state, e)]
            if entries:
                reading = entry_reading(choose_entry(entries, state.countries), state.year)
                reading.how = f"fuzzy+{reading.how}"
        if reading is None and ent.label_ == "ORG" and _place_country(state, start):
            reading = Reading(text, _place_country(state, start), None, "ner+demonym", None)  # "American Farm Bureau"
        if reading is None and ent.label_ == "GPE" and _place_after_comma(state, end):
            reading = Reading(text, _place_after_comma(state, end), None, "place", None, kind="city")
        if reading is None:
            if ent.label_ in ("NORP", "GPE"):
                continue
            reading = Reading(text, None, None, "ner", None)
        key = reading.kb_id or ("ner", text_key(text))
        _claim(state, Found(start, end, reading, ent.label_, key))


def _inside_longer_name(state: State, start: int, end: int) -> bool:
    """Tokens [start, end) are only part of a longer capitalised name that NER marks as one
    entity ('Coral Springs', 'Washington Post')."""
    toks = state.toks
    ent = toks.ent_type[start]
    if not ent:
        return False
    before = start > 0 and toks.ent_type[start - 1] == ent and toks.text[start - 1][:1].isupper() \
        and toks.ent_iob[start] == IOB_INSIDE
    after = end < len(toks.text) and toks.ent_type[end] == ent and toks.ent_iob[end] == IOB_INSIDE
    return bool(before or after)


def _place_after_comma(state: State, end: int) -> str | None:
    """'Coral Springs, Florida': the country of the region or country named right after a comma."""
    toks = state.toks
    if end + 1 >= len(toks.text) or toks.text[end] != ",":
        return None
    return _place_country(state, end + 1)


def _names_a_product(state: State, end: int) -> bool:
    """The name is followed by a weapon or product noun ('Patriot missile', 'Javelin systems')."""
    toks = state.toks
    for t in range(end, min(len(toks.text), end + 3)):
        if toks.lower[t] in state.kb.article.product_heads and toks.pos[t] == "NOUN":
            return True
        if toks.pos[t] not in ("PROPN", "NUM", "ADJ", "NOUN") or toks.is_punct[t]:
            return False
    return False


def _plausible_place(state: State, entry: Entry) -> bool:
    """A misspelt place is read as one of the article's countries ('Dehli' in an Indian story),
    not as a look-alike town elsewhere ('Cauca' in a Colombian story is no Caucaia, Brazil)."""
    focus = state.focus.clear() if state.focus is not None else None
    return focus is None or entry.country == focus or entry.country in state.countries[:2]


def _fuzzy_lookup(state: State, key: str) -> list[Entry]:
    """`kb.fuzzy_lookup`, once per key and document (a misspelt place tends to recur)."""
    entries = state.fuzzy.get(key)
    if entries is None:
        entries = state.fuzzy[key] = state.kb.fuzzy_lookup(key)
    return entries


# ------------------------------------------------------------------------------------ countries from context


def _share_person_readings(state: State) -> None:
    """One person, one code per article: a KB office held at the date, else the first
    description (an appositive further on, a title) holds for every mention of them."""
    best: dict[object, Reading] = {}
    for f in state.found:
        r = f.reading
        if isinstance(f.entity_key, tuple) and f.entity_key[0] == "person" and r and r.sector:
            known = best.get(f.entity_key)
            if known is None or (r.held and not known.held):
                best[f.entity_key] = r
    for f in state.found:
        known = best.get(f.entity_key)
        if known is not None and f.reading is not None and f.reading is not known:
            if f.reading.sector != known.sector:
                f.reading.sector, f.reading.rule = known.sector, known.rule
            f.reading.country = f.reading.country or known.country


def _fill_countries(state: State) -> None:
    """Countries for mentions with a sector but none of their own: a definite description's
    antecedent, else the sentence's clearly dominant country, else — for generic actors ("the
    government", "police", "rebels") — the article's focus country (how "+context")."""
    state.found.sort(key=lambda f: f.start)
    _share_person_readings(state)
    focus = state.focus
    article = Counter()  # the article's actors and places as mentions (weights of _dominant)
    territory = Counter()  # the same without people (for courts and police: see _dominant)
    for f in state.found:
        r = f.reading
        if r and r.country and r.country != "IGO":
            article[r.country] += 1 if r.sector else 0.5
            if not _is_person(f):
                territory[r.country] += 1 if r.sector else 0.5
            if r.kind not in COUNTRY_KINDS:
                focus.add(r.country, "actor")
    if focus.dateline:
        article[focus.dateline] += focus.lex.weight("dateline")
    lex = state.kb.article
    resolver = _coref_resolver(state)
    for f in state.found:
        r = f.reading
        if resolver is not None and f.definite and r is not None and _description(state, resolver, f):
            continue
        if r is None or r.country is not None or not r.sector or r.how in ("ner", "coref") or _foreign(state, f):
            continue
        generic = r.sector in lex.context_sectors or _is_person(f)
        territorial = r.sector in lex.territorial_sectors and not _is_person(f)
        country = _dominant(state, f, (territory if territorial else article) if generic else None, territorial)
        if country is None and generic:
            country = focus.clear()
        if country:
            r.country, r.how = country, f"{r.how}+context"
            _update_person(state, f, r)
    _undescribed_people(state)


def _undescribed_people(state: State) -> None:
    """A person with no country yet (nothing or a countryless title describes them) gets the
    article's focus country only when it clearly dominates the article (`person_focus_share`);
    so do unknown organisations ("the Post", a surname the tagger takes for one) and parties, media,
    companies or NGOs named by a common noun ("the editorial board", "super PACs")."""
    scores = state.focus.scores
    total = sum(scores.values())
    if not scores or total < state.kb.article.focus_min:
        return
    country, weight = scores.most_common(1)[0]
    if weight < state.kb.article.person_focus_share * total:
        return
    # state and armed actors took the focus (when clear) in _fill_countries; civilians may be foreign
    own_sectors = state.kb.article.context_sectors | {"CVL"}
    for f in state.found:
        r = f.reading
        if r is not None and r.country is None and r.sector != "IGO" and not _foreign(state, f) and (
                f.label in ("PERSON", "ORG") or (f.label == "NOUN" and r.sector and r.sector not in own_sectors)):
            r.country, r.how = country, f"{r.how}+article"


def _foreign(state: State, f: Found) -> bool:
    """'foreign journalists', 'overseas donors': of some other country than the article's."""
    return any(state.toks.lower[t] in state.kb.article.foreign_words for t in range(f.start, f.end))


def _is_person(f: Found) -> bool:
    return f.label == "PERSON" or (isinstance(f.entity_key, tuple) and f.entity_key[:1] == ("person",))


def _dominant(state: State, f: Found, article: Counter | None, territorial: bool = False) -> str | None:
    """The clearly dominant country of the sentence (with a quarter of the article's weight when
    `article` is given: for state and armed actors and described people, not for civilians).
    A `territorial` actor (a generic court, judge or police: article.yaml territorial_sectors) belongs where it
    sits, so people, whose nationality says nothing of the court that tries them, do not count:
    "a judge rejected Assange's appeal at a court in London" → GBR, not Assange's AUS."""
    sent_start, sent_end = _sentence(state, f.start)
    score = Counter({c: n * 0.25 for c, n in article.items()}) if article is not None else Counter()
    for other in state.found:
        r = other.reading
        if other is f or r is None or not r.country or r.country == "IGO" or (territorial and _is_person(other)):
            continue
        if sent_start <= other.start < sent_end:
            score[r.country] += 1 if r.sector else 0.5
    ranked = score.most_common(2)
    if not ranked or ranked[0][1] < (1.5 if article is not None else 1):
        return None
    if len(ranked) > 1 and ranked[1][1] >= ranked[0][1] * 0.8:
        return None
    return ranked[0][0]


def _update_person(state: State, f: Found, reading: Reading) -> None:
    """A described person's country found late also applies to their other mentions."""
    if not (isinstance(f.entity_key, tuple) and f.entity_key[0] == "person"):
        return
    for other in state.found:
        if other.entity_key == f.entity_key and other.reading is not None and other.reading.country is None:
            other.reading.country = reading.country


# ------------------------------------------------------------------------------------ coreference


def _coref_resolver(state: State) -> coref.Resolver | None:
    """The coreference resolver over the mentions found so far, built once per document after the
    mention passes (None without a parser)."""
    if state.resolver is not None:
        return state.resolver
    doc = state.doc
    if not doc.has_annotation("DEP") or not state.found:
        return None
    starts = state.sentences[0] if state.sentences is not None else None
    parse = state.parse
    if parse is None:
        parse = state.parse = coref.Parse.from_doc(doc, starts)
    places = set()
    for it in state.items:
        if it.names and it.names[0].kind in COUNTRY_KINDS:
            places.update(range(*_item_tokens(state, it)))
    state.resolver = coref.Resolver(state.kb.coref, state.toks, parse, state.found, lambda r: _titles_of(state, r),
                                    places)
    return state.resolver


def _titles_of(state: State, reading: Reading) -> tuple[str | None, list[str]]:
    """A KB person's title at the date and every title they held (for 'the former secretary')."""
    if reading.kind != "person" or not reading.kb_id:
        return reading.title, []
    entry = next((e for e in state.kb.lookup(text_key(reading.name)) if e.kb_id == reading.kb_id), None)
    return reading.title, [r.title for r in entry.roles] if entry is not None else []


def _description(state: State, resolver: coref.Resolver, f: Found) -> bool:
    """'the president' → the last person with that title; 'the ministry' → the last
    organisation with that head word (else, close by, the same sector); True when resolved."""
    r = f.reading
    near = _sentence(state, f.start)[0]

    def same_sector(other: Found) -> bool:
        o = other.reading
        return bool(o and o.sector == r.sector and o.country and near - _sentence(state, other.start)[0] < 60)

    found = resolver.description(f, same_sector)
    if found is None:
        return False
    ante = found.root.reading
    if ante is None or (ante.country is None and ante.kind != "person"):
        return False
    if found.person and r.country is not None and ante.country != r.country:
        return False  # "the Russian president" is not the last president named
    if found.person or r.country is None and _same_head(state, f, found.found):
        f.reading = replace(ante, how="coref")
        f.refers = found.root
        f.entity_key = found.root.entity_key if found.root.entity_key is not None else ("span", found.root.start)
        resolver.add_resolved(f, resolver.head_of(f), found)
    elif r.country is None:
        r.country, r.how = ante.country, f"{r.how}+antecedent"
    else:
        return False
    return True


def _same_head(state: State, f: Found, other: Found) -> bool:
    head = state.toks.lower[f.end - 1]
    return any(state.toks.lower[t] == head for t in range(other.start, other.end))


def _coreference(state: State) -> None:
    """Pronouns and relative words: a mention of their own, with the antecedent's actor."""
    resolver = _coref_resolver(state)
    if resolver is None:
        return
    toks, lex = state.toks, state.kb.coref
    resolved: dict[int, coref.Candidate] = {}
    for i, word in enumerate(toks.lower):
        if (toks.pos[i] != "PRON" and toks.tag[i] not in PRONOUN_TAGS) or i in state.used:
            continue
        if word in lex.relatives:
            found = resolver.relative(i)
        elif word in lex.pronouns:
            found = resolver.pronoun(i)
        else:
            continue
        if found is None or found.root.reading is None:
            continue
        root = found.root
        key = root.entity_key if root.entity_key is not None else ("span", root.start)
        f = Found(i, i + 1, replace(root.reading, how="coref"), "PRON", key, refers=resolver.nearest_named(found, i))
        _claim(state, f)
        resolver.add_resolved(f, i, found)
        resolved[i] = found
    _possessed(state, resolved)


def _country_anaphors(state: State) -> None:
    """'Washington invaded the country' after 'troops remain in Afghanistan' → Afghanistan;
    'the two countries signed an agreement' → the two countries last named (one mention each,
    over the same words). Only countries named (or their nationality words: 'the Jordanian
    government … the country') in the same sentence or the `country` window before count; with
    none there the phrase stays unresolved. A compound ('country music') or a capitalised word
    (the magazine 'The Nation') is no anaphor."""
    lex = state.kb.coref
    toks = state.toks
    named: list[tuple[int, str, str]] = []  # (token, country, name) of country and nationality words
    for it in state.items:
        if it.names and it.names[0].kind in ("country", "demonym") and it.names[0].country \
                and it.names[0].country != "IGO" and len({e.country for e in it.names}) == 1:
            start, end = _item_tokens(state, it)
            named.append((start, it.names[0].country, toks.span_text(start, end)))
    if not named or not lex.country_nouns:
        return
    starts = [t for t, _, _ in named]
    for i, word in enumerate(toks.lower):
        if word not in lex.country_nouns or i in state.used or i < 1 or state.doc[i].dep_ == "compound" \
                or toks.text[i][:1].isupper():
            continue  # "country music"; "The Nation", "Face the Nation": a name
        plural = toks.tag[i] in ("NNS", "NNPS")
        if plural and toks.lower[i - 1] in lex.pair_words:
            start = i - 2 if toks.lower[i - 1] == "two" and i >= 2 and toks.lower[i - 2] == "the" else i - 1
            if toks.lower[i - 1] == "two" and start == i - 1:
                continue  # "two countries": any two, not the two just named
            wanted = 2
        elif not plural and toks.lower[i - 1] == "the":
            start, wanted = i - 1, 1
        else:
            continue
        if not _free(state, start, i + 1):
            continue
        earliest = _sentence(state, start)[0]
        for _ in range(lex.window("country")):
            if earliest > 0:
                earliest = _sentence(state, earliest - 1)[0]
        chosen: list[tuple[int, str, str]] = []
        for k in range(bisect.bisect_left(starts, start) - 1, -1, -1):
            tok, country, name = named[k]
            if tok < earliest or len(chosen) == wanted:
                break
            if all(country != c for _, c, _ in chosen):
                chosen.append(named[k])
        if len(chosen) < wanted:
            continue
        for tok, country, name in chosen:
            ante = next((f for f in state.found if f.start <= tok < f.end and f.label != "PRON"), None)
            reading = Reading(name=name, country=country, how="coref", kind="country")
            state.found.append(Found(start, i + 1, reading, "NOUN", ("country", country), refers=ante))
        state.used.update(range(start, i + 1))


def _possessed(state: State, resolved: dict[int, coref.Candidate]) -> None:
    """'Putin and his government': what a resolved possessive owns is of the owner's country."""
    toks = state.toks
    for f in state.found:
        owner = resolved.get(f.start - 1)
        r = f.reading
        if owner is None or r is None or f.label == "PRON" or toks.tag[f.start - 1] not in ("PRP$", "WP$"):
            continue
        if (r.rule or "").startswith(("members:", "counterpart:")):
            continue  # "his counterpart", "its allies": of another country than the owner's
        country = owner.root.reading.country if owner.root.reading else None
        if country and country != "IGO" and (r.country is None or r.how.endswith("+context")):
            base = r.how[:-len("+context")] if r.how.endswith("+context") else r.how
            r.country, r.how = country, f"{base}+possessor"


# ------------------------------------------------------------------------------------ output


def _to_mentions(state: State) -> list[Mention]:
    toks = state.toks
    ids: dict[object, int] = {}
    first: dict[object, Found] = {}  # the first name mention of each person
    mentions = []
    for f in sorted(state.found, key=lambda f: f.start):
        key = f.entity_key if f.entity_key is not None else ("span", f.start)
        entity = ids.setdefault(key, len(ids))
        r = f.reading
        actor = None
        if r is not None:
            actor = Actor(name=r.name, country=r.country, sector=r.sector or None, how=r.how, kb_id=r.kb_id,
                          rule=r.rule)
        refers = f.refers or (first.get(key) if r is not None and r.how.startswith("coref") else None)
        refers_to = None
        if refers is not None and refers is not f and refers.start < f.start:
            refers_to = Span(toks.span_text(refers.start, refers.end), toks.idx[refers.start],
                             toks.end_char(refers.end))
        if f.label == "PERSON":
            first.setdefault(key, f)
        mentions.append(Mention(text=toks.span_text(f.start, f.end), start=toks.idx[f.start],
                                end=toks.end_char(f.end), actor=actor, entity=entity, label=f.label,
                                refers_to=refers_to))
    return mentions
