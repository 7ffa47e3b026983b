"""The PLOVER event coder: triggers (data/triggers.yaml) + dependency roles → Events."""

from __future__ import annotations

import bisect
import logging
import re
from types import MappingProxyType
from dataclasses import dataclass, replace

from spacy.attrs import DEP, ENT_TYPE, LEMMA, LOWER, POS, TAG

from tidings.events.args import NON_ACTOR_ENTS, ArgFinder, children, governor, is_passive, prep_objects
from tidings.events.dates import DateMention, DateSettings, find_dates, is_background, parse_iso, period_bounds
from tidings.events.factuality import factuality
from tidings.events.lexicon import REQUIREMENTS, Lexicon, Trigger
from tidings.events.screen import armed, best_kind, head_kind, intended, is_idiom, is_reflexive, screen_data
from tidings.events.location import PLACE_LABELS, Gazetteer, find_location
from tidings.events.evaluative import MAX_SENTENCE_CHARS, Evaluation, Sentences, Statement, evaluations, \
    obligations, same_actor
from tidings.events.verifier import ArticleContext, VerifierModel, features
from tidings.records import Event, Mention, Participant, Quote, Span, precision_of

# Who acts on the subject of "face", "draw", "receive" (undergo_verbs) with a nominal act
UNDERGONE_SOURCE = ("prep:from", "deep_prep:from", "prep:by", "prep:in")

log = logging.getLogger(__name__)

TABLE_POS = frozenset({"VERB", "AUX", "ADJ", "NOUN"})  # the parts of speech _table_of gives a table for
NON_PARTICLE_ENTS = frozenset({"DATE", "TIME"})
BLOCKING_PARTICLES = frozenset({"down", "off", "out", "back", "away", "up"})
SCALE = MappingProxyType({"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000, "hundred": 100})
ARTICLE_SENTENCES = 3  # shorter texts keep every event that passes the rules (see EventCoder.code)
MONEY_WORDS = frozenset({"$", "€", "£", "dollar", "euro", "pound", "usd", "eur", "yuan", "rouble", "ruble"})


@dataclass
class _Candidate:
    event: Event
    source_heads: frozenset[int]
    target_heads: frozenset[int]
    source_kind: str = "actor"  # events/screen.py kinds
    target_kind: str = "none"
    token: int = -1  # the trigger word's index


class EventCoder:
    """Codes PLOVER events in a parsed article. Loads its lexicon and gazetteer once."""

    def __init__(self, lexicon: Lexicon | None = None, gazetteer: Gazetteer | None = None,
                 dates: DateSettings | None = None) -> None:
        self.lexicon = lexicon or Lexicon.load()
        self.gazetteer = gazetteer or Gazetteer.load()
        self.dates = dates or DateSettings.load()
        self.evaluation = Evaluation.load()
        self.keep_screened = False  # development: keep what screening drops (rule suffix "!screened")
        self.verifier = VerifierModel.load()
        self.record_features = False  # training: keep (event, features) of the last document in last_features
        self.last_features: list[tuple[Event, dict[str, float]]] = []

    def code(self, doc, mentions: list[Mention], published: str | None = None,
             quotes: list[Quote] | None = None, min_confidence: float | None = None) -> list[Event]:
        """The events of a parsed article. `quotes` (tidings.quotes, same document) adds the
        criticism and praise said in them (events/evaluative.py). Every event gets the
        verifier's `confidence`; those under `min_confidence` are left out. None means the
        verifier's trained threshold for an article, and none for a text of fewer than
        ARTICLE_SENTENCES sentences: the verifier weighs an event in its article (how political
        the article is, where the sentence stands), which a lone sentence does not have."""
        if min_confidence is not None:
            threshold = min_confidence
        else:
            article = sum(1 for _ in zip(doc.sents, range(ARTICLE_SENTENCES))) >= ARTICLE_SENTENCES
            threshold = self.verifier.threshold if article else 0.0
        context = ArticleContext(doc, quotes, mentions)
        self.last_features = []
        finder = ArgFinder(doc, mentions, self.lexicon.speech_verbs, self.lexicon.light_verbs)
        finder.non_governors = self.lexicon.non_governors
        finder.document_nouns = self.lexicon.document_nouns
        finder.places = [ent for ent in doc.ents if ent.label_ in PLACE_LABELS]
        finder.matcher = self.match
        finder.speech_act_types = self.lexicon.speech_act_types
        finder.quotes = sorted((q for q in quotes or [] if q.speaker is not None), key=lambda q: q.end)
        events: list[Event] = []
        chosen: dict[int, DateMention | None] = {}  # id(event) → the date expression it was dated by
        maybe = self._maybe_triggers(doc)
        said: dict[int, list] = {}
        sents = Sentences(doc)
        for quote, statement in evaluations(doc, quotes or [], self.evaluation, sents) \
                + obligations(doc, quotes or [], sents):
            said.setdefault(sents.start(statement.token), []).append((quote, statement))
        for sentence in doc.sents:
            if sentence.end_char - sentence.start_char > MAX_SENTENCE_CHARS:
                continue  # a run-on non-sentence: each trigger would cost its whole length
            dates: list[DateMention] | None = None
            candidates: list[_Candidate] = []
            for quote, statement in said.get(sentence.start, ()):
                candidate = self._evaluative(quote, statement, sentence, finder)
                if candidate is not None:
                    if dates is None:
                        dates = find_dates(sentence.text, published, self.dates, offset=sentence.start_char)
                    chosen[id(candidate.event)] = self._date(candidate.event, dates, published)
                    candidates.append(candidate)
            for i in range(sentence.start, sentence.end):
                if not maybe[i]:
                    continue  # match() would be None
                token = doc[i]
                trigger = self.match(token)
                if trigger is None or self._defers(token, trigger) or is_idiom(token) or self._nested(token) \
                        or intended(token):
                    continue
                found = self._candidates(token, trigger, sentence, finder)
                if found and dates is None:
                    dates = find_dates(sentence.text, published, self.dates, offset=sentence.start_char)
                for candidate in found:
                    chosen[id(candidate.event)] = self._date(candidate.event, dates, published)
                candidates += found
            for candidate in _dedupe(candidates):
                if not context.admits(candidate.event):
                    continue
                token = doc[candidate.token]
                found = features(candidate.event, token, (candidate.source_kind, candidate.target_kind), context)
                candidate.event.confidence = round(self.verifier.score(found), 3)
                if self.record_features:
                    self.last_features.append((candidate.event, found))
                if candidate.event.confidence >= threshold:
                    events.append(candidate.event)
        if parse_iso(published) is None:
            self._background_undated(events, chosen)
        return events

    # -- trigger matching ------------------------------------------------------------------
    def match(self, token) -> Trigger | None:
        """The lexicon entry `token` triggers, if any."""
        table, is_noun = self._table(token)
        if table is None:
            return None
        candidates = table.get(token.lemma_.lower()) or table.get(token.lower_)
        if not candidates:
            return None
        particles = {c.lower_ for c in token.children if c.dep_ == "prt" or (
            c.dep_ == "prep" and not any(p.ent_type_ in NON_PARTICLE_ENTS for p in c.children))}
        real_particles = {c.lower_ for c in token.children if c.dep_ == "prt"}
        compounds = {c.lemma_.lower() for c in token.children if c.dep_ in ("compound", "amod")}
        for entry in candidates:
            if entry.particles and not particles & set(entry.particles):
                continue
            if not entry.particles and not is_noun and real_particles & BLOCKING_PARTICLES:
                continue
            if entry.compound and not compounds & set(entry.compound):
                continue
            if entry.requires and not all(REQUIREMENTS[name](token, self.lexicon) for name in entry.requires):
                continue
            return entry
        return None

    def _table(self, token) -> tuple[dict | None, bool]:
        return self._table_of(token.tag_, token.pos_, token.dep_, token.ent_type_)

    def _table_of(self, tag: str, pos: str, dep: str, ent_type: str) -> tuple[dict | None, bool]:
        if tag.startswith("VB") and pos in ("VERB", "AUX", "ADJ") and dep != "amod":
            return self.lexicon.verbs, False
        if pos == "NOUN" and dep != "compound" and not ent_type:
            return self.lexicon.nouns, True
        if pos == "ADJ" and dep in ("acomp", "ROOT", "conj", "xcomp"):
            return self.lexicon.adjectives, False
        return None, False

    def _maybe_triggers(self, doc) -> list[bool]:
        """Per token, whether `match` can find an entry (its table has the lemma or the form):
        read from plain attribute values, so Token objects are built only for these."""
        rows = doc.to_array([POS, TAG, DEP, ENT_TYPE, LEMMA, LOWER]).reshape(len(doc), 6).tolist()
        strings = doc.vocab.strings
        name = {h: strings[h] for h in {h for row in rows for h in row}}
        out = []
        for pos, tag, dep, ent_type, lemma, lower in rows:
            table = None
            if name[pos] in TABLE_POS:  # else _table_of gives no table
                table, _ = self._table_of(name[tag], name[pos], name[dep], name[ent_type])
            out.append(table is not None and (bool(table.get(name[lemma].lower())) or bool(table.get(name[lower]))))
        return out

    def _defers(self, token, trigger: Trigger) -> bool:
        """A verb whose object is itself a nominal trigger acts as a light verb:
        "gave X a deadline", "expressed its condemnation", "offered support"."""
        if trigger.pos != "verb" or token.lemma_ not in self.lexicon.light_verbs:
            return False
        for obj in token.children:
            if obj.dep_ == "dobj" and obj.pos_ == "NOUN":
                entry = self.match(obj)
                if entry is not None:
                    return True
        return False

    # -- one event ---------------------------------------------------------------------------
    def _candidates(self, token, trigger: Trigger, sentence, finder: ArgFinder) -> list[_Candidate]:
        is_noun = trigger.pos == "noun"
        if is_noun and token.dep_ in ("conj", "appos") and self.match(token.head) == trigger:
            return []  # "consequences and costs": one event for coordinated nominal triggers
        if is_noun and token.dep_ == "appos":
            return []  # "Inherent Resolve, the U.S. military operation against IS": a name's description
        source_roles, target_roles = trigger.source, trigger.target
        if is_noun and "governor" not in target_roles and REQUIREMENTS["undergo_verb"](token, self.lexicon):
            # "Assange faces charges in the US", "drew criticism from X": the governor's subject
            # undergoes the act; whoever acts is named by a preposition, if at all
            source_roles, target_roles = UNDERGONE_SOURCE, ("governor",)
        elif _request_from(token, trigger, finder):
            source_roles, target_roles = ("prep:from",), ("governor",)
        sources = self._first_role(token, source_roles, finder, is_noun, exclude=set())
        used = {t.i for t in sources} | {token.i} | _owned_by_sources(token, sources, finder)
        targets = self._first_role(token, target_roles, finder, is_noun, exclude=used)
        split = not sources and len(targets) >= 2 and "between" in target_roles
        if split:  # "talks between A, B and C": A is the source, B and C the targets
            sources, targets = targets[:1], targets[1:]
        source_parts = finder.participants(sources, expand=not split)
        if is_noun and sources:
            sources, source_parts = _speaker_for_owner(token, sources, source_parts, finder)
        target_parts = [p for p in _without(finder.participants(targets, expand=not split), source_parts)
                        if not is_reflexive(p)]
        if trigger.type in self.lexicon.symmetric_types:
            source_parts, target_parts = _reciprocal(token, trigger, is_noun, split, targets, source_parts,
                                                     target_parts, finder)
        elif trigger.symmetric and not target_parts and len(source_parts) >= 2:
            source_parts, target_parts = source_parts[:1], source_parts[1:]  # "A and B clashed": A → B
        if not source_parts and not target_parts:
            return []
        if not source_parts and (is_noun or not is_passive(token)) and not (trigger.agentless and target_parts):
            return []  # no one acts: a mention of an act ("the attacks on X"), not a report of one
        if source_parts and trigger.type.lower() in self.lexicon.words("owner_types") and len(targets) == 1 \
                and targets[0].lemma_.lower() in self.lexicon.words("owned_things") \
                and not any(p.country or p.sector for p in target_parts):
            target_parts = _owned_by_context(targets[0], target_parts, source_parts, finder) or target_parts
        if source_parts and not _has_actor(targets, target_parts, finder):
            theme = not any(role.startswith("obj") for role in trigger.target)
            extra = finder.nearby_actor(token, is_noun, source_parts + target_parts, theme_object=theme)
            if extra is not None:
                target_parts = target_parts + _without(finder.participants([extra], expand=False), source_parts)
                targets = targets + [extra]
        gov = governor(token) if is_noun else None
        if gov is not None and gov.lemma_ in self.lexicon.reversal_verbs and token.dep_ not in ("nsubj", "csubj"):
            return []  # "lifted the sanctions": the verb codes the event
        if is_noun and token.dep_ == "pobj" and token.head.head.pos_ in ("VERB", "AUX") and gov is not None \
                and gov.lemma_ in self.lexicon.reference_verbs:
            return []  # "involved in Canada's assistance": a reference to an ongoing programme
        if is_noun and token.dep_ == "pobj" and token.head.lower_ == "of" \
                and token.head.head.lemma_.lower() in self.lexicon.reversal_nouns:
            return []  # "the suspension of aid": the suspension is the event
        target_parts = _without_self(target_parts, source_parts, finder, denial=trigger.type == "REJECT")
        if source_parts:
            others = {p.country for p in source_parts}
            target_parts = [finder.placed(p, sentence, others) for p in target_parts]
        kind, mode, rule = trigger.type, trigger.mode, trigger.id
        punished = self._punished(trigger, targets, finder)
        if punished:  # "called for sanctions against Moscow": disapproval of Moscow (PLOVER ACCUSE)
            targets, target_parts = punished, finder.participants(punished)
            kind, mode, rule = "ACCUSE", "disapprove", f"{trigger.id}+punitive"
        if trigger.unarmed != "keep" and kind == trigger.type and not armed(token, source_parts + target_parts):
            if trigger.unarmed is None:
                return []  # "suggested he may have been sabotaged", "shooting yourself in the foot"
            kind, mode, rule = trigger.unarmed, "disapprove" if trigger.unarmed == "ACCUSE" else None, \
                f"{trigger.id}+unarmed"  # "attacked Machado in early-morning tweets": a verbal attack
        if kind == "ASSAULT" and not source_parts and not armed(token, target_parts):
            return []  # "20 people were injured" with no attacker and no violence: an accident's toll
        value = factuality(token, self.lexicon)
        event = Event(
            type=kind, mode=mode, context=list(trigger.context),
            trigger=_trigger_span(token, trigger),
            sentence=Span(sentence.text, sentence.start_char, sentence.end_char),
            rule=rule, source=source_parts, target=target_parts, factuality=value,
            location=find_location(finder.places, token, sentence, self.gazetteer, gov),
            size=_size(sources + targets + children(token, "dobj")),
        )
        candidate = _Candidate(event, frozenset(t.i for t in sources), frozenset(t.i for t in targets),
                               best_kind(sources, finder, source_parts) if source_parts else "none",
                               best_kind(targets, finder, target_parts) if target_parts else "none", token.i)
        if not self._stands(candidate, trigger, token.doc):
            log.debug("dropped %s %r: source %s %s, target %s %s", trigger.id, token.text, candidate.source_kind,
                      [p.text for p in source_parts], candidate.target_kind, [p.text for p in target_parts])
            if not self.keep_screened:
                return []
            event.rule += "!screened"
        found = [candidate]
        if trigger.mirrored and source_parts and target_parts and not event.rule.endswith("!screened"):
            # "the Taliban swapped two hostages for commanders held by the government": each side releases
            mirror = replace(event, source=list(target_parts), target=list(source_parts), rule=f"{trigger.id}+mirror")
            found.append(_Candidate(mirror, candidate.target_heads, candidate.source_heads, candidate.target_kind,
                                    candidate.source_kind, token.i))
        stance = self._stance(token, trigger, gov, event)
        if stance is not None:
            stance.source_kind, stance.target_kind = candidate.source_kind, candidate.target_kind
            stance.token = token.i
        return [stance] + found if stance is not None else found

    def _nested(self, token) -> bool:
        """The act a request, accusation or threat is about ("urged Ukraine to investigate Biden",
        "accused X of attacking Y"): the outer verbal act is the event; the nested act did not
        (or not yet) happen as reported, so it is not coded on its own."""
        node, steps = token, 0
        while steps < 3 and node.head.i != node.i:
            if node.dep_ not in ("xcomp", "ccomp", "pcomp", "pobj", "prep", "advcl"):
                return False
            node, steps = node.head, steps + 1
            if node.pos_ in ("VERB", "AUX"):
                outer = self.match(node)
                return outer is not None and outer.type in self.lexicon.nesting_types and not is_idiom(node)
        return False

    def _evaluative(self, quote: Quote, statement: Statement, sentence, finder: ArgFinder) -> _Candidate | None:
        """'"Trump is a disgusting fraud," Rep. X said': the speaker ACCUSEs (or, praising, SUPPORTs)
        the actor the statement is about."""
        about = statement.about
        if about is None:  # "the call was inappropriate": an act judged whose doer is not named near it
            if statement.link != "act":
                return None
            parts, kind = [], "none"
        else:
            parts = [p for p in finder.participants([about], expand=False) if not same_actor(p, quote.speaker)]
            kind = best_kind([about], finder, parts) if parts else "none"
            if kind not in ("actor", "named", "pronoun"):
                return None
        token = statement.token
        event_type, mode = {"negative": ("ACCUSE", "disapprove"), "positive": ("SUPPORT", None),
                            "obligation": ("REQUEST", "change")}[statement.polarity]
        family = "quote.obligation" if statement.polarity == "obligation" else f"eval.{statement.polarity}"
        event = Event(
            type=event_type, mode=mode,
            trigger=Span(token.text, token.idx, token.idx + len(token.text)),
            sentence=Span(sentence.text, sentence.start_char, sentence.end_char),
            rule=family + ("+direct" if quote.direct else "+indirect")
            + ({"near": "+near", "act": "+act"}.get(statement.link, "")),
            source=[replace(quote.speaker)], target=parts, factuality="asserted")
        return _Candidate(event, frozenset(), frozenset({about.i} if about is not None else ()), "actor", kind, token.i)

    def _stands(self, candidate: _Candidate, trigger: Trigger, doc=None) -> bool:
        """An event needs an actor as its source (or an agentless passive: "was attacked") and a
        target where its type needs a recipient (data/triggers.yaml `needs_target`)."""
        if candidate.event.source and candidate.source_kind == "place" and doc is not None and candidate.source_heads \
                and all(doc[i].lemma_.lower() in screen_data()["governed_places"] for i in candidate.source_heads):
            candidate.source_kind = "named"  # "the town welcomed Trump to visit": a town acts through its government
        if candidate.event.source and candidate.source_kind in ("none", "place"):
            if candidate.event.type == "ASSAULT" and all(
                    p.text.split()[-1].lower().rstrip("s") in screen_data()["agentless_sources"]
                    for p in candidate.event.source):
                candidate.event.source = []  # "a suicide attack killed eight": a report with no stated agent
                candidate.source_kind = "none"
            else:
                return False  # "the considerable powers", "the end to the violence", "the plane": no actor
        needs = candidate.event.type in self.lexicon.needs_target
        if needs and not candidate.event.target and candidate.event.type in self.lexicon.symmetric_types \
                and candidate.event.source \
                and (len(candidate.event.source) >= 2 or doc is not None and _several(doc, candidate.source_heads)):
            needs = False  # a reciprocal act: its parties are all sources ("Xi and Biden met", "the two women spoke")
        if needs and (not candidate.event.target or candidate.target_kind == "none"):
            return False
        if candidate.target_kind == "place" and candidate.event.type not in screen_data()["place_target_types"]:
            return not needs  # "criticised the building" is no accusation of anyone
        return True

    def _stance(self, token, trigger: Trigger, gov, event: Event) -> _Candidate | None:
        """The commitment a future or refused act expresses, as an event of its own:
        'X will release Y' → AGREE (a promise), 'X will extend the curfew' → THREATEN,
        'X will not lift the embargo' → REJECT (a refusal). The act itself stays coded with
        factuality future/negated."""
        if not event.source:
            return None
        if event.factuality == "negated" and trigger.type in self.lexicon.refusal_types and (
                _refusal(token, gov) or (trigger.type in self.lexicon.stance_types and _plainly_negated(token))):
            kind, suffix = "REJECT", "refusal"
        elif self._announced(event, token, gov) and trigger.type in self.lexicon.promise_types:
            kind, suffix = "AGREE", "promise"
        elif self._announced(event, token, gov) and trigger.type in self.lexicon.threat_types:
            kind, suffix = "THREATEN", "threat"
        elif trigger.type in self.lexicon.threat_types and _wished(token, gov):
            kind, suffix = "THREATEN", "wish"  # "I'd like to punch him in the face", "wants to destroy ISIS"
        else:
            return None
        stance = replace(event, type=kind, mode=None, context=[], rule=f"{trigger.id}+{suffix}",
                         factuality="asserted", source=list(event.source), target=list(event.target))
        return _Candidate(stance, frozenset(), frozenset())

    def _punished(self, trigger: Trigger, targets: list, finder: ArgFinder) -> list:
        """For a request whose object is a punishment or an inquiry ("sanctions against X",
        "an investigation into the death of X"): the actors it is aimed at."""
        if trigger.type != "REQUEST":
            return []
        punitive = self.lexicon.words("punitive_nouns")
        for head in targets:
            if head.lemma_.lower() not in punitive:
                continue
            for word in ("against", "on", "into", "of", "for"):
                found = finder.role(head, f"deep_prep:{word}", True)
                found = [f for f in found if f.ent_type_ not in NON_ACTOR_ENTS]
                if found:
                    return found
        return []

    def _announced(self, event: Event, token, gov) -> bool:
        """A commitment: 'will release', 'plans to meet', or — reported — 'said it would boycott'."""
        if event.factuality == "future":
            return _promise(token, gov)
        if gov is not None and gov.lemma_ not in self.lexicon.light_verbs:
            return False  # "would boycott a conference": the conference is no commitment
        return event.factuality == "hypothetical" and _reported_would(
            token, gov, self.lexicon.speech_verbs, conditional=event.type in self.lexicon.threat_types)

    @staticmethod
    def _first_role(token, roles, finder: ArgFinder, is_noun: bool, exclude: set[int]) -> list:
        for role in roles:
            heads = [h for h in finder.role(token, role, is_noun) if h.i not in exclude and h.i != token.i
                     and h.ent_type_ not in NON_ACTOR_ENTS and not h.like_num]
            if heads:
                return heads
        return []

    def _date(self, event: Event, dates: list[DateMention], published: str | None) -> DateMention | None:
        chosen = _nearest(dates, event.trigger.start)
        if chosen is not None and event.factuality == "future" and chosen.rule == "d.weekday":
            again = find_dates(chosen.text, published, self.dates, offset=chosen.start, future=True)
            chosen = again[0] if again else chosen
        event.date = (chosen.iso if chosen else None) or published
        event.date_text = chosen.text if chosen else None
        event.date_precision = precision_of(event.date)
        event.background = is_background(chosen, published, self.dates)
        return chosen

    def _background_undated(self, events: list[Event], chosen: dict[int, DateMention | None]) -> None:
        """An undated article's background: judged against its latest dated event (the
        nearest thing it has to a publication date)."""
        ends = [bounds[1] for e in events if (bounds := period_bounds(e.date)) is not None]
        reference = max(ends).isoformat() if ends else None
        for event in events:
            event.background = is_background(chosen.get(id(event)), reference, self.dates)


def _speaker_for_owner(token, sources: list, parts: list[Participant], finder: ArgFinder):
    """'Erdogan reiterated Turkey's support for X', 'the PM pledged his country's support': when the
    owner of a nominal trigger is the entity the subject of its verb speaks for (same country,
    or a pronoun phrase), the subject — the one who acts — is the source."""
    owned = [s for s in sources if s.head.i == token.i and s.dep_ in ("poss", "compound", "amod", "nmod")]
    if not owned:
        return sources, parts
    subject = finder.role(token, "governor", True)
    if not subject or subject[0].i in {s.i for s in sources}:
        return sources, parts
    found = finder.participants(subject, expand=False)
    pronoun = any(c.dep_ == "poss" and c.pos_ == "PRON" for c in owned[0].children)
    same = {p.country for p in found} & {p.country for p in parts} - {None}
    if found and (pronoun or same):
        return subject, found
    return sources, parts


def _owned_by_context(thing, parts: list[Participant], sources: list[Participant],
                      finder: ArgFinder) -> list[Participant] | None:
    """'A Republican aide blasted the statement': whose statement (remarks, proposal, move) it is —
    the speaker of the latest quote before it in the last sentences who is not the source.
    The target keeps its own span and takes that actor's codes and name."""
    if any(c.dep_ == "poss" for c in thing.children) or not parts:
        return None
    limit = thing.sent.start_char - 600
    before = bisect.bisect_right(finder.quotes, thing.idx, key=lambda q: q.end)  # the quotes come by end
    for quote in reversed(finder.quotes[:before]):
        if quote.end < limit:
            break
        speaker = quote.speaker
        if not (speaker.country or speaker.sector) or any(_same(speaker, s) for s in sources):
            continue
        part = parts[0]
        return [Participant(part.text, part.start, part.end, speaker.country, speaker.sector, speaker.name)]
    return None


def _self_dyad(target: Participant, sources: list[Participant], finder: ArgFinder) -> bool:
    """A target that is its source again: the same actor by name, one state under two names
    ("Russia … Moscow"), or one country's armed forces twice ("Canadian troops … the unit").
    Distinct people or bodies of one country stay a dyad (the government and the opposition,
    a candidate and the other party)."""
    for source in sources:
        if target.name and source.name and target.name == source.name \
                and (target.refers_to is not None or _whole_mention(target, finder)):
            return True
        if target.country and target.country == source.country and target.sector is None and source.sector is None \
                and all(_whole_mention(p, finder) for p in (source, target)):
            return True  # "Russia … Moscow": one state (not "Iran … its neighbours")
        if target.country and target.country == source.country and target.sector == source.sector == "MIL" \
                and not any(m is not None and m.label == "PERSON"
                            for m in (finder.mention_at_offset(p.start) for p in (source, target))):
            return True  # "the deployment of Canadian troops … the regiment": one force
    return False


def _reciprocal(token, trigger: Trigger, is_noun: bool, split: bool, target_heads: list,
                sources: list[Participant], targets: list[Participant],
                finder: ArgFinder) -> tuple[list[Participant], list[Participant]]:
    """The parties of a reciprocal act (talks, a call, an agreement) are all its sources, and it
    has no target: "Jordan and Britain agreed", "talks between A and B", "Trump's call with
    Zelensky" → Jordan and Britain (A and B; Trump and Zelensky) → nobody. One side acting on
    the other keeps its direction: "Biden met Xi", "Clinton's meetings with donors", and a third
    party stays the source: "Norway mediated talks between A and B" (screen.yaml third_party_verbs)."""
    if split or (not targets and len(sources) >= 2):
        # "talks between A, B and C", "the two sides agreed"; a joint act too: "Russia and China
        # rejected the resolution" is no rejection of China by Russia
        return sources + targets, []
    gov = governor(token) if is_noun else None
    if len(targets) >= 2 and trigger.mode != "third-party" \
            and not (gov is not None and gov.lemma_.lower() in screen_data()["third_party_verbs"]) \
            and {h.i for h in target_heads} <= {h.i for h in finder.role(token, "between", is_noun)}:
        return targets, []  # "I was not on the call between Trump and Xi": the parties are theirs
    if is_noun and sources and targets and prep_objects(token, "with") \
            and token.lemma_.lower() in screen_data()["reciprocal_nouns"]:
        return sources + targets, []  # "Trump's call with Zelensky", "trade talks with China"
    return sources, targets


def _request_from(token, trigger: Trigger, finder: ArgFinder) -> bool:
    """'approved an extradition request from the US', 'pressure from the unions': a request
    "from" an actor is that actor's, made to the governor's subject (with no owner of its own:
    "Iraq's demand for payment from Kuwait" stays Iraq's)."""
    if trigger.pos != "noun" or trigger.type != "REQUEST" or "prep:from" not in trigger.target:
        return False
    if children(token, "poss"):
        return False
    return any(finder.is_actor(finder.antecedent(h)) for h in prep_objects(token, "from"))


def _owned_by_sources(token, sources: list, finder: ArgFinder) -> set[int]:
    """Possessive pronouns of the trigger's clause that refer to its source: "Saudi Arabia lifted
    its blockade of Yemen" — "its" is Saudi Arabia's, so the target is Yemen, not "its"."""
    if not sources:
        return set()
    spans = [(s.idx, s.idx + len(s.text)) for s in sources]
    for s in sources:
        mention = finder.mention_at(s)
        if mention is not None:
            spans.append((mention.start, mention.end))
            if mention.refers_to is not None:
                spans.append((mention.refers_to.start, mention.refers_to.end))
    out = set()
    for t in token.sent:
        if t.dep_ != "poss" or t.pos_ != "PRON":
            continue
        mention = finder.mention_at(t)
        ref = mention.refers_to if mention is not None else None
        if ref is not None and any(ref.start < e and s < ref.end for s, e in spans):
            out.add(t.i)
    return out


def _whole_mention(part: Participant, finder: ArgFinder) -> bool:
    mention = finder.mention_at_offset(part.start)
    return mention is not None and mention.start <= part.start and mention.end >= part.end


def _without_self(targets: list[Participant], sources: list[Participant], finder: ArgFinder,
                  denial: bool = False) -> list[Participant]:
    """Targets that are not the source again. A pronoun the coreference took for the source
    ("Cruz mocked his talk") most likely has a wrong antecedent: it stays, as its words only.
    In a `denial` (REJECT), a claim about the source is no other actor's ("Volker disputed the
    notion that he had been a participant"): see `_coded_by_source`."""
    out = []
    for part in targets:
        if _self_dyad(part, sources, finder):
            if part.refers_to is not None:
                out.append(Participant(part.text, part.start, part.end))
        elif denial and _coded_by_source(part, sources, finder):
            out.append(Participant(part.text, part.start, part.end, sector=part.sector))
        else:
            out.append(part)
    return out


def _coded_by_source(part: Participant, sources: list[Participant], finder: ArgFinder) -> bool:
    """A target phrase that is no actor mention itself but took its codes from the source named
    inside it: "Volker disputed the notion that he had been a participant", "she denied her
    involvement" — the notion and the involvement are about the source, no other actor's. The
    phrase stays a target with no country (its sector still says whose kind of thing it is).
    Only for denials: elsewhere a pronoun the coreference took for the source is as often
    another actor of the same country ("Cruz mocked his talk", meaning Trump's)."""
    if not (part.country or part.sector) or not sources or _whole_mention(part, finder):
        return False
    span = finder.doc.char_span(part.start, part.end, alignment_mode="expand")
    if span is None or head_kind(span.root, finder) not in ("none", "place"):
        return False  # "his wife", "his supporters", "his former opponent": people of their own
    coding = next((m for m in finder.mentions if part.start <= m.start < part.end and m.actor is not None
                   and (m.actor.country, m.actor.sector) == (part.country, part.sector)), None)
    if coding is None:  # (the mention the phrase took its codes from: ArgFinder.participant)
        return False
    spans = [(s.start, s.end) for s in sources] + [(s.refers_to.start, s.refers_to.end) for s in sources
                                                     if s.refers_to is not None]
    names = {s.name for s in sources if s.name}

    def is_source(m) -> bool:
        if m.actor.name and m.actor.name in names:
            return True
        ref = m.refers_to
        return ref is not None and any(ref.start < e and s < ref.end for s, e in spans)

    return is_source(coding)


def _same(a: Participant, b: Participant) -> bool:
    return (a.start < b.end and b.start < a.end) or bool(a.name and a.name == b.name)


def _has_actor(heads: list, parts: list[Participant], finder: ArgFinder) -> bool:
    """Whether a target already names an actor (a mention, a named entity or a resolved actor)."""
    return any(finder.is_actor(finder.antecedent(h)) for h in heads) or any(p.country or p.sector for p in parts)


def _refusal(token, gov) -> bool:
    """'will not lift', 'would not agree', 'refused to release': a stated refusal."""
    clause = gov if gov is not None else token
    for node in (clause, clause.head):
        words = {c.lower_ for c in node.children if c.dep_ in ("aux", "neg")}
        if words & {"will", "wo", "would", "'ll"} and words & {"not", "n't", "never"}:
            return True
        if node.lemma_ in ("refuse", "decline") and clause.dep_ == "xcomp":
            return True
    return False


def _plainly_negated(token) -> bool:
    """'doesn't support changing the rules', 'did not cooperate with the inquiry': a verb of
    stance negated by its own actor states opposition (PLOVER REJECT)."""
    return token.pos_ in ("VERB", "AUX") and any(c.dep_ == "neg" for c in token.children)


def _reported_would(token, gov, speech_verbs: frozenset[str], conditional: bool = False) -> bool:
    """'announced it would boycott the conference': a future in a reported clause (not 'would … if',
    unless `conditional`: 'said he would raise tariffs if no deal is reached' is a threat)."""
    clause = gov if gov is not None else token
    while clause.dep_ in ("xcomp", "conj") and clause.head.i != clause.i:
        clause = clause.head
    if clause.dep_ != "ccomp" or clause.head.lemma_ not in speech_verbs:
        return False
    if not any(c.dep_ == "aux" and c.lower_ in ("would", "'d") for c in clause.children):
        return False
    return conditional or not any(t.lower_ in ("if", "unless") for t in clause.subtree)


MODAL_NEED = frozenset({"have", "need"})


def _wished(token, gov) -> bool:
    """'I'd like to punch him in the face', 'wants to destroy ISIS', 'we might have to kill him':
    force the speaker wishes for or foresees is a threat of it (PLOVER THREATEN). 'Like' and
    'love' count with 'would' ('I'd like to'), 'have to' and 'need to' with a modal ('might have
    to'), not a past necessity ('had to shoot')."""
    clause = gov if gov is not None else token
    if clause.dep_ != "xcomp" or clause.head.i == clause.i:
        return False
    head = clause.head
    if any(c.dep_ == "neg" for c in head.children):
        return False
    modals = {c.lower_ for c in head.children if c.dep_ == "aux"}
    if head.lemma_ in ("like", "love"):
        return bool(modals & {"would", "'d"})
    if head.lemma_ in MODAL_NEED:
        return bool(modals & {"might", "may", "will", "'ll", "would", "'d", "could", "must"})
    return head.lemma_ in screen_data()["wish_verbs"] and head.tag_ != "VBD"


def _promise(token, gov) -> bool:
    """'will release', 'plans to meet': a commitment by the subject (not 'is expected to')."""
    clause = gov if gov is not None else token
    for node in (clause, clause.head):
        if any(c.dep_ == "aux" and c.lower_ in ("will", "'ll", "shall") for c in node.children):
            return True
        if clause.dep_ == "xcomp" and node.lemma_ in ("plan", "intend", "promise", "pledge", "vow", "decide", "agree", "offer"):
            return True
    return False


def _trigger_span(token, trigger: Trigger) -> Span:
    parts = [token]
    if trigger.particles:
        words = set(trigger.particles)
        preps = [r.split(":", 1)[1] for r in trigger.target if r.startswith("prep:")]
        if preps:
            words.add(preps[0])  # "cracked down on": the particle and the target's preposition
        parts += [c for c in token.children if c.dep_ in ("prt", "prep") and c.lower_ in words]
    if trigger.compound:
        parts += [c for c in token.children if c.dep_ == "compound"]
    start = min(p.idx for p in parts)
    last = max(parts, key=lambda p: p.idx)
    end = last.idx + len(last.text)
    return Span(token.doc[min(p.i for p in parts):last.i + 1].text, start, end)


def _without(parts: list[Participant], others: list[Participant]) -> list[Participant]:
    return [p for p in parts if not any(p.start < o.end and o.start < p.end for o in others)]


def _nearest(dates: list[DateMention], position: int) -> DateMention | None:
    usable = [d for d in dates if d.iso is not None] or dates
    if not usable:
        return None
    return min(usable, key=lambda d: min(abs(d.start - position), abs(d.end - position)))


def _size(heads: list) -> int | None:
    """'100,000 Russian troops' → 100000 (never money)."""
    for head in heads:
        numbers = [c for c in head.children if c.dep_ == "nummod"]
        for num in numbers:
            words = [t for t in num.subtree]
            if any(t.lower_ in MONEY_WORDS or t.lemma_.lower() in MONEY_WORDS for t in list(head.subtree)[:3] + words):
                continue
            value = _number(words)
            if value is not None:
                return value
    return None


def _number(tokens) -> int | None:
    value = None
    for token in tokens:
        text = token.text.replace(",", "")
        if re.fullmatch(r"\d+(\.\d+)?", text):
            value = float(text)
        elif token.lower_ in SCALE and value is not None:
            value *= SCALE[token.lower_]
    return int(value) if value is not None else None


def _several(doc, heads) -> bool:
    """A source phrase naming two or more parties at once: "the two women", "both sides", "all three leaders"."""
    several = screen_data()["several_words"]
    return any(c.lower_ in several and c.dep_ in ("nummod", "det", "predet", "quantmod")
               for i in heads for c in doc[i].children)


def _dedupe(candidates: list[_Candidate]) -> list[_Candidate]:
    """Drop an event that another event of the same type in the sentence covers
    (same or more participants), e.g. "travelled for a visit" → one CONSULT."""
    kept: list[_Candidate] = []
    for i, c in enumerate(candidates):
        covered = False
        for j, other in enumerate(candidates):
            if i == j or other.event.type != c.event.type:
                continue
            if _covers(other.event, c.event) and (not _covers(c.event, other.event) or j < i):
                covered = True
                break
        if not covered:
            kept.append(c)
    return kept


def _covers(big: Event, small: Event) -> bool:
    def inside(parts: list[Participant], pool: list[Participant]) -> bool:
        return all(any(p.start < q.end and q.start < p.end for q in pool) for p in parts)
    return inside(small.source, big.source) and inside(small.target, big.target)
