"""Sources and targets of a trigger, read from the dependency parse.

Argument roles (named in data/triggers.yaml) map a trigger token to the head tokens of its
participants; `Participants` turns head tokens into `Participant` records, using the actor
mentions when a head lies inside one and the noun phrase (its subtree, trimmed of relative
clauses, appositions and conjuncts) otherwise.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import replace

from tidings.events.screen import screen_data
from tidings.records import Mention, Participant, participant_from_mention

SUBJ_DEPS = ("nsubj", "csubj")
PASSIVE_SUBJ_DEPS = ("nsubjpass", "csubjpass")
DATELINE_DASHES = frozenset({"--", "—", "–", "-", ":", '"', "“", "”"})
RELATIVE_WORDS = frozenset({"who", "which", "that", "whom", "whose"})
TRIM_DEPS = frozenset({"relcl", "conj", "cc", "appos", "punct", "advcl", "parataxis", "case"})
# Verbs whose object controls their infinitive ("urged Russia to withdraw": Russia withdraws).
OBJECT_CONTROL = frozenset({"call", "urge", "ask", "order", "tell", "force", "allow", "press", "invite", "encourage",
                            "persuade", "pressure", "instruct", "permit", "help", "authorize", "warn", "request"})
ACTOR_ENTS = frozenset({"GPE", "ORG", "PERSON", "NORP"})
NON_ACTOR_ENTS = frozenset({"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL"})
NOUNISH = frozenset({"NOUN", "PROPN", "PRON", "NUM", "X"})
# ArgFinder.home: the share of the article's placed actor mentions its home country must hold,
# and the weight of placed mentions an article needs before it has a home at all
HOME_SHARE = 0.5
HOME_MIN_WEIGHT = 3.0
# An unresolved pronoun (data/screen.yaml home_pronouns) is at home only in an article its home
# country holds this share of: a pronoun may be anyone's. (The state sectors and place prepositions
# of ArgFinder.placed are screen.yaml state_sectors and locative_prepositions.)
PRONOUN_HOME_SHARE = 0.75
# Names that are no actor of a country of their own (places, works, laws, events, products)
NOT_ACTOR_NAMES = NON_ACTOR_ENTS | frozenset({"GPE", "LOC", "FAC", "NORP", "EVENT", "WORK_OF_ART", "LAW", "PRODUCT",
                                               "LANGUAGE"})


def children(token, *deps: str) -> list:
    return [c for c in token.children if c.dep_ in deps]


def resolve_relative(token):
    """'who'/'which'/'that' as an argument of a relative clause → the noun it refers to."""
    if token.lower_ in RELATIVE_WORDS and token.tag_ in ("WP", "WDT", "WP$", "IN", "DT"):
        clause = token.head
        while clause.dep_ == "conj" and clause.head.i != clause.i:
            clause = clause.head
        if clause.dep_ in ("relcl", "acl") and clause.head.pos_ in ("NOUN", "PROPN", "PRON"):
            return clause.head
    return token


def is_passive(verb) -> bool:
    return bool(children(verb, *PASSIVE_SUBJ_DEPS, "auxpass")) or (
        verb.tag_ == "VBN" and verb.dep_ in ("acl", "amod") and not children(verb, "aux"))


def dateline_end(sentence) -> int:
    """Token index after a dateline ("KABUL (Pajhwok) :", "THE HAGUE, Netherlands --"), else the
    sentence start."""
    for token in sentence[:14]:
        if (token.text in DATELINE_DASHES or (token.is_punct and token.text.strip("()[]") in DATELINE_DASHES)) \
                and token.i > sentence.start:
            before = sentence.doc[sentence.start:token.i]
            if all(t.is_punct or t.like_num or t.is_upper or t.is_title or t.ent_type_ in ("GPE", "DATE", "ORG")
                   for t in before) and any(t.is_upper and len(t) > 1 for t in before):
                return token.i + 1
            return sentence.start
    return sentence.start


def _past_dateline(token):
    """The subject word itself, or — when the parser took the dateline for the subject — the
    closest noun of its subtree after the dateline."""
    end = dateline_end(token.sent)
    if token.i >= end:
        return token
    candidates = [t for t in token.subtree if t.i >= end and t.pos_ in ("NOUN", "PROPN")]
    if not candidates:
        return None

    def depth(t) -> int:
        d = 0
        while t.i != token.i and d < 20:
            t, d = t.head, d + 1
        return d
    return min(candidates, key=depth)


def subject(verb, depth: int = 0, documents: frozenset[str] = frozenset()):
    """The subject head of a verb and whether the verb is passive, inherited through
    coordination, control (xcomp), participles (acl) and relative clauses."""
    for child in verb.children:
        if child.dep_ in SUBJ_DEPS or child.dep_ in PASSIVE_SUBJ_DEPS:
            head = _past_dateline(resolve_relative(child))
            if head is not None:
                return head, child.dep_ in PASSIVE_SUBJ_DEPS
    if depth > 6 or verb.head.i == verb.i:
        return None, False
    head = verb.head
    if verb.dep_ == "conj":
        return subject(head, depth + 1, documents)
    if verb.dep_ == "xcomp" or (verb.dep_ == "advcl" and children(verb, "aux") and children(verb, "aux")[0].lower_ == "to"):
        controller = _object_controller(head) if verb.dep_ == "xcomp" else None
        if controller is not None:
            return controller, False
        return subject(head, depth + 1, documents)
    if verb.dep_ == "acl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children):
        owner = _noun_owner(head, documents)  # "the forces' efforts to support X", "ways to help"
        return (owner, False) if owner is not None else (None, False)
    if verb.dep_ == "acl" and verb.tag_ == "VBG" and head.lemma_.lower() in documents:
        owner = _noun_owner(head, documents)  # "filed a lawsuit accusing X": the filer accuses
        if owner is not None:
            return owner, False
    if verb.dep_ in ("acl", "relcl", "amod") and head.pos_ in NOUNISH:
        return head, is_passive(verb)
    if verb.dep_ in ("pcomp", "pobj") and head.pos_ == "ADP" and head.head.i != head.i:
        # "after accusing them of …", "spent his campaign railing against …": the clause the
        # preposition belongs to gives the subject
        outer = head.head
        while outer.pos_ in NOUNISH and outer.head.i != outer.i and outer.dep_ in ("pobj", "dobj", "npadvmod"):
            outer = outer.head
        if outer.pos_ == "ADP" and outer.head.i != outer.i:
            outer = outer.head
        return subject(outer, depth + 1, documents) if outer.pos_ in ("VERB", "AUX") else (None, False)
    if verb.dep_ in ("acomp", "oprd", "pcomp", "advcl"):
        return subject(head, depth + 1, documents)
    return None, False


def _noun_owner(noun, documents: frozenset[str] = frozenset()):
    poss = children(noun, "poss")
    if poss:
        return poss[0]
    verb = governor(noun)
    if verb is not None:
        head, passive = subject(verb, 5, documents)
        if head is not None and not passive and head.i != noun.i:
            return head
    return None


def _object_controller(head):
    if head.lemma_ not in OBJECT_CONTROL:
        return None
    objs = children(head, "dobj")
    if objs:
        return objs[0]
    for prep in children(head, "prep"):
        if prep.lower_ in ("on", "upon"):
            pobjs = children(prep, "pobj")
            if pobjs:
                return pobjs[0]
    return None


def governor(noun, depth: int = 0):
    """The verb a nominal trigger hangs from (through pobj/prep/dobj/conj/appos links)."""
    node = noun
    for _ in range(6):
        if node.head.i == node.i:
            return None
        node = node.head
        if node.pos_ in ("VERB", "AUX"):
            return node
        if node.pos_ in ("NOUN", "PROPN") and node.dep_ not in ("pobj", "dobj", "conj", "appos", "attr", "compound"):
            return None
    return None


def pobjs(prep) -> list:
    found = children(prep, "pobj")
    for pcomp in children(prep, "pcomp"):
        found += children(pcomp, "dobj") or ([pcomp] if pcomp.pos_ in NOUNISH else [])
    return found


def prep_objects(token, word: str) -> list:
    found = []
    for prep in token.children:
        if prep.dep_ in ("prep", "dative", "agent", "prt") and prep.lower_ == word:
            found += pobjs(prep)
    return found


class ArgFinder:
    """Resolves argument roles for one Doc (built per document by the coder)."""

    def __init__(self, doc, mentions: list[Mention], speech_verbs: frozenset[str],
                 light_verbs: frozenset[str]) -> None:
        self.doc = doc
        self.speech_verbs = speech_verbs
        self.light_verbs = light_verbs
        self.mentions = sorted(mentions, key=lambda m: m.start)
        self.non_governors: frozenset[str] = frozenset()
        self.document_nouns: frozenset[str] = frozenset()
        self.places: list = []  # the document's place entities (set by the coder)
        self.matcher = None  # set by the coder: token → Trigger | None
        self.speech_act_types: frozenset[str] = frozenset()  # set by the coder
        self.quotes: list = []  # the document's quotes with a speaker, by end offset (set by the coder)
        self._starts = [m.start for m in self.mentions]
        self.home, self.home_share = _home_country(self.mentions)

    def subject(self, verb):
        return subject(verb, 0, self.document_nouns)

    # -- roles ---------------------------------------------------------------------------
    def role(self, trigger, role: str, is_noun: bool) -> list:
        name, _, arg = role.partition(":")
        method = getattr(self, f"_role_{name}", None)
        if method is None:
            raise ValueError(f"unknown argument role {role}")
        found = method(trigger, arg, is_noun) if arg else method(trigger, is_noun)
        return [resolve_relative(t) for t in found if t is not None]

    def _role_subj(self, t, is_noun):
        if is_noun:
            return self._role_governor(t, is_noun)
        reporter = self._reporting_subject(t)
        if reporter is not None:
            return [reporter]
        head, passive = self.subject(t)
        if passive:
            return self._role_agent(t, is_noun)
        return [head] if head is not None else []

    def _reporting_subject(self, verb):
        """'Blinken said NATO remained committed … and called on Russia …': a speech act without
        a subject of its own, coordinated with a reported clause that is not itself an event,
        is the reporter's act — its source is the subject of the reporting verb."""
        if verb.dep_ != "conj" or children(verb, *SUBJ_DEPS, *PASSIVE_SUBJ_DEPS) or self.matcher is None:
            return None
        entry = self.matcher(verb)
        if entry is None or entry.type not in self.speech_act_types:
            return None
        first = verb.head
        while first.dep_ == "conj" and first.head.i != first.i:
            first = first.head
        if first.dep_ != "ccomp" or first.head.lemma_ not in self.speech_verbs or self.matcher(first) is not None:
            return None
        own, _ = self.subject(first)
        head, passive = self.subject(first.head)
        if head is None or passive or (own is not None and own.i == head.i) or not self.is_actor(head):
            return None
        return head

    def _role_agent(self, t, is_noun):
        found = prep_objects(t, "by")
        return [f for f in found if f.ent_type_ in ACTOR_ENTS or f.pos_ == "PROPN" or self.mention_at(f)] \
            or [f for f in found if f.pos_ in ("NOUN", "PROPN")]

    def _role_holder(self, t, is_noun):
        """Whoever holds what the act is about, by a participle on its phrase: "swapped two hostages
        for three of its commanders held by the government" → the government."""
        for node in t.subtree:
            if node.dep_ == "acl" and node.tag_ == "VBN" and node.i != t.i:
                found = [p for agent in children(node, "agent") for p in pobjs(agent)]
                if found:
                    return found[:1]
        return []

    def _role_passive_subj(self, t, is_noun):
        head, passive = self.subject(t)
        return [head] if passive and head is not None else []

    def _role_obj(self, t, is_noun):
        objs = [resolve_relative(o) for o in children(t, "dobj")]
        if objs:
            return objs
        if not is_noun and self.matcher is not None and object_gap(t, self.matcher(t)):
            return [t.head]
        if is_passive(t):
            head, passive = self.subject(t)
            return [head] if passive and head is not None else []
        return []

    def _role_obj_if_actor(self, t, is_noun):
        return [o for o in self._role_obj(t, is_noun) if self.is_actor(o)]

    def _role_obj_owner(self, t, is_noun):
        found = []
        for obj in self._role_obj(t, is_noun):
            owner = self.owner(obj, t)
            if owner is not None:
                found.append(owner)
        return found

    def _role_of_obj(self, t, is_noun):
        found = []
        for obj in children(t, "dobj"):
            found += prep_objects(obj, "of")
        return found

    def _role_xcomp_target(self, t, is_noun):
        for clause in children(t, "xcomp"):
            entry = self.matcher(clause) if self.matcher is not None else None
            roles = [r for r in entry.target if r != "xcomp_target"] if entry is not None else []
            roles += ["dative", "prep:to", "prep:with", "prep:from", "prep:on", "prep:against", "obj_if_actor",
                      "prep:for", "obj"]
            for role in roles:
                found = self.role(clause, role, False)
                if found:
                    return found
        return []

    def _role_dative(self, t, is_noun):
        found = children(t, "dative")
        objs = children(t, "dobj")
        if not found and len(objs) >= 2:
            found = objs[:1]
        return [f for f in found if f.pos_ != "ADP"] + [p for d in found if d.pos_ == "ADP" for p in pobjs(d)]

    def _role_prep(self, t, word, is_noun):
        found = prep_objects(t, word)
        if not found and is_noun:
            found = self._governor_preps(t, word)
        if not found and not is_noun:
            for obj in children(t, "dobj"):
                found += prep_objects(obj, word) if word != "of" else []
        return found

    def _role_deep_prep(self, t, word, is_noun):
        found, stack = [], [c for c in t.children if c.pos_ not in ("VERB", "AUX")]
        while stack:
            node = stack.pop()
            if node.dep_ == "prep" and node.lower_ == word:
                found += pobjs(node)
            stack += [c for c in node.children if c.pos_ not in ("VERB", "AUX")]
        return sorted(found, key=lambda tok: tok.i)[:1]

    def _governor_preps(self, noun, word: str) -> list:
        """Preposition objects on the words a nominal trigger hangs from, up to its verb:
        "imposed sanctions on X", "declared a state of siege in X", "remained on alert in X"."""
        node = noun
        for _ in range(5):
            if node.dep_ not in ("dobj", "pobj", "prep", "nsubjpass", "attr", "conj", "appos") or node.head.i == node.i:
                return []
            path, node = node, node.head
            found = [p for prep in node.children if prep.dep_ in ("prep", "dative") and prep.lower_ == word
                     and prep.i != path.i for p in pobjs(prep)]
            if found:
                return found
            if node.pos_ in ("VERB", "AUX"):
                return []
        return []

    def _role_pronoun_poss(self, t, is_noun):
        if any(c.dep_ == "poss" and c.pos_ == "PRON" for c in t.children):
            return self._role_governor(t, is_noun)
        return []

    def _role_subtree_prep(self, t, word, is_noun):
        return [p for tok in t.subtree if tok.dep_ == "prep" and tok.lower_ == word for p in pobjs(tok)]

    def _role_ccomp_subj(self, t, is_noun):
        found = []
        for clause in children(t, "ccomp", "acl"):
            if clause.dep_ == "acl" and not any(c.dep_ == "mark" for c in clause.children):
                continue  # only complement clauses: "its demand that the US ease sanctions"
            head, _ = self.subject(clause)
            if head is not None and head.i != t.i:
                found.append(head)
        return found

    def _role_xcomp_obj(self, t, is_noun):
        found = []
        for clause in children(t, "xcomp"):
            found += children(clause, "dobj") or prep_objects(clause, "with") or prep_objects(clause, "to")
        return found

    def _role_poss(self, t, is_noun):
        return [c for c in children(t, "poss") if c.pos_ != "PRON"]

    def _role_modifier(self, t, is_noun):
        return [c for c in children(t, "compound", "amod", "nmod")
                if c.i < t.i and (self.mention_at(c) or c.ent_type_ in ("GPE", "NORP", "ORG"))]

    def _role_governor(self, t, is_noun):
        verb = governor(t)
        if verb is None:
            return []
        if t.dep_ in ("dobj", "nsubjpass") and t.head.i == verb.i and verb.lemma_ not in self.light_verbs and (
                verb.lemma_ in self.non_governors or verb.lemma_ in self.speech_verbs
                or (self.matcher is not None and self.matcher(verb) is not None)):
            return []  # "called the talks a dead end", "condemned the attack": not the talker / attacker
        head, passive = self.subject(verb)
        if passive:
            return self._role_agent(verb, False)
        return [head] if head is not None and head.i != t.i else []

    def _role_speaker(self, t, is_noun):
        node = t
        for _ in range(12):
            if node.head.i == node.i:
                return []
            node = node.head
            if node.lemma_ in self.speech_verbs and node.pos_ in ("VERB", "AUX"):
                head, passive = self.subject(node)
                return [head] if head is not None and not passive else []
        return []

    def _role_subj_actor(self, t, is_noun):
        head, _ = self.subject(t) if not is_noun else (None, False)
        if head is None:
            return []
        for tok in head.subtree:
            if self.mention_at(tok) or tok.ent_type_ in ACTOR_ENTS:
                return [tok]
        return [head]

    def _role_clause_actor(self, t, is_noun):
        verb = governor(t)
        if verb is None:
            return []
        for clause_subj in children(verb, *SUBJ_DEPS, *PASSIVE_SUBJ_DEPS):
            for tok in clause_subj.subtree:
                if tok.ent_type_ in ("GPE", "NORP") or self.mention_at(tok):
                    return [tok]
        return []

    def _role_between(self, t, is_noun):
        found = prep_objects(t, "between") or prep_objects(t, "among")
        if not found and is_noun and t.dep_ in ("dobj",):
            found = prep_objects(t.head, "between")
        expanded = []
        for f in found:
            expanded += [f] + [c for c in f.conjuncts if c.i > f.i]
        return expanded

    # -- helpers -------------------------------------------------------------------------
    def owner(self, noun, trigger=None):
        """Whose demand/call/plan it is: possessor, actor modifier, 'of/from/by' object, or the
        subject of the verb whose object this noun (or the noun it renames) is."""
        poss = children(noun, "poss")
        if poss:
            return poss[0]
        mods = self._role_modifier(noun, True)
        if mods:
            return mods[0]
        for word in ("of", "from", "by"):
            objs = prep_objects(noun, word)
            if objs and self.is_actor(objs[0]):
                return objs[0]
        node = noun
        while node.dep_ in ("appos", "conj") and node.head.i != node.i:
            node = node.head
        if node.i != noun.i and node.dep_ == "dobj" and node.head.pos_ in ("VERB", "AUX") and node.head != trigger:
            head, passive = self.subject(node.head)
            if head is not None and not passive:
                return head
        for verb in noun.sent:  # "Russia demanded X – a demand that …": the echoed verb's subject
            if verb.i < noun.i and verb.pos_ == "VERB" and verb.lemma_ == noun.lemma_ and verb != trigger:
                head, passive = self.subject(verb)
                if head is not None and not passive:
                    return head
        return None

    def mention_at_offset(self, offset: int) -> Mention | None:
        """The mention that covers a character offset, if any."""
        index = bisect_right(self._starts, offset) - 1
        while index >= 0:
            mention = self.mentions[index]
            if mention.start <= offset < mention.end:
                return mention
            if mention.start < offset - 200:
                break
            index -= 1
        return None

    def mention_at(self, token) -> Mention | None:
        index = bisect_right(self._starts, token.idx) - 1
        while index >= 0:
            mention = self.mentions[index]
            if mention.start <= token.idx < mention.end:
                return mention
            if mention.end <= token.idx and index < len(self.mentions) - 1 and mention.start < token.idx - 200:
                break
            index -= 1
        return None

    def nearby_actor(self, trigger, is_noun: bool, taken: list[Participant], theme_object: bool = False):
        """The fallback target of a trigger without an actor target: the nearest actor mention
        (or actor entity) in the trigger's clause — the trigger's subtree, or for a nominal
        trigger the subtree of the verb it hangs from — that is not inside a participant
        already found; words after the trigger come first ("gave 5 million euros to promote
        investment in Ethiopia", "returned the skulls to Peru"). With `theme_object` the direct
        object names what is moved, given or asked for ("mobilized troops for a war against Iraq"),
        so it is no candidate (its prepositional phrases still are)."""
        scope = governor(trigger) if is_noun else trigger
        scope = scope if scope is not None else trigger
        skip = {trigger.i}
        if theme_object and not is_noun:
            for obj in children(trigger, "dobj"):
                skip.add(obj.i)
                skip.update(t.i for c in obj.children if c.dep_ not in ("prep", "relcl", "acl") for t in c.subtree)
        best, best_key = None, None
        for token in clause_tokens(scope):
            if token.i in skip or token.pos_ not in ("PROPN", "NOUN", "ADJ") or token.ent_type_ in NON_ACTOR_ENTS:
                continue
            if not (token.ent_type_ in ACTOR_ENTS or self.mention_at(token)):
                continue
            if any(p.start <= token.idx < p.end for p in taken):
                continue
            key = (token.i < trigger.i, abs(token.i - trigger.i))
            if best_key is None or key < best_key:
                best, best_key = token, key
        while best is not None and best.dep_ in ("compound", "flat") and best.head.ent_type_ == best.ent_type_ \
                and best.head.i != best.i:
            best = best.head  # "the State Security Service": the name, not its first word
        return best

    def is_actor(self, token) -> bool:
        return bool(self.mention_at(token)) or token.ent_type_ in ACTOR_ENTS or token.pos_ == "PROPN"

    # -- participants ----------------------------------------------------------------------
    def participants(self, heads: list, expand: bool = True) -> list[Participant]:
        """Participants for head tokens; `expand` adds their conjuncts ("X and Y")."""
        seen: set[int] = set()
        found: list[Participant] = []
        for head in heads:
            if head.ent_type_ in NON_ACTOR_ENTS:
                continue
            conjuncts = [c for c in head.conjuncts if c.i > head.i and _same_kind(c, head)] if expand else []
            for token in [head] + conjuncts:
                if token.i in seen:
                    continue
                seen.add(token.i)
                for participant in self.participant(token):
                    if all((p.start, p.end, p.country) != (participant.start, participant.end, participant.country)
                           for p in found):  # "the two countries": one span, two countries
                        found.append(participant)
        return found

    def participant(self, token) -> list[Participant]:
        found = self._participant(token)
        if self.home is None or all(p.country for p in found):
            return found
        return [p if p.country else self._at_home(p, token) for p in found]

    def _at_home(self, part: Participant, token) -> Participant:
        """A participant with no country takes the article's home country when it names an actor
        (a person, an organisation, a group noun), not a thing: "Big Machine have denied it" in an
        American story → USA (see `_home_country`)."""
        data = screen_data()
        words = part.text.lower().split()
        if any(w in data["foreign_words"] for w in words):
            return part
        mention = self.mention_at_offset(part.start)
        actor = mention.actor if mention is not None else None
        if actor is not None and actor.country == "IGO":
            return part
        head = token if part.start <= token.idx < part.end else None
        if head is None:  # "super PACs that sided with Cruz": the relative word stands for the phrase
            span = self.doc.char_span(part.start, part.end, alignment_mode="expand")
            head = span.root if span is not None else None
        named = False
        if mention is not None and actor is not None and actor.name:
            named = mention.label in ("PERSON", "ORG") or bool(actor.sector) or mention.refers_to is not None
        if not named and head is not None:
            named = head.ent_type_ in ("PERSON", "ORG") \
                or (head.pos_ == "PRON" and head.lower_ in data["home_pronouns"] and self.home_share >= PRONOUN_HOME_SHARE) \
                or (head.pos_ == "PROPN" and head.ent_type_ not in NOT_ACTOR_NAMES) \
                or head.lemma_.lower() in data["actor_nouns"]
        return replace(part, country=self.home) if named else part

    def placed(self, part: Participant, sentence, others: set[str | None]) -> Participant:
        """A generic state actor with no country ("the government", "the army") takes the country
        of the one place its sentence names in a prepositional phrase, when that is no country of
        the `others` (the event's other side): "atrocities continue in the Darfur region of Sudan
        as China and Russia support the government" → Sudan's government."""
        if part.country or part.sector not in screen_data()["state_sectors"]:
            return part
        mention = self.mention_at_offset(part.start)
        if mention is None or mention.label != "NOUN":
            return part
        countries = set()
        for ent in self.places:
            if not (sentence.start <= ent.start < sentence.end) or ent.root.dep_ != "pobj" \
                    or not _locative(ent.root.head):
                continue
            place = self.mention_at(ent.root)
            if place is not None and place.actor is not None and place.actor.country \
                    and place.actor.country != "IGO":
                countries.add(place.actor.country)
        countries -= others
        return replace(part, country=countries.pop()) if len(countries) == 1 else part

    def _participant(self, token) -> list[Participant]:
        if token.i < dateline_end(token.sent):
            return []  # "SEOUL (Reuters) -": a dateline is a place, never a participant
        mention = self.mention_at(token)  # a resolved pronoun has its own mention (with refers_to)
        if mention is not None:
            found = [participant_from_mention(mention)]
            found += [participant_from_mention(m) for m in self._same_words(mention)]
            for other in self._coordinated_mentions(token, mention):
                found.append(participant_from_mention(other))
            return found
        start, end = np_span(token)
        cut = dateline_end(token.sent)
        if start < cut <= token.i:  # "PARIS (Reuters) - Fighters loyal to …": the dateline is no part of it
            start = cut
            while start < token.i and self.doc[start].is_punct:
                start += 1
        span = self.doc[start:end]
        inner = self._mentions_in(span)
        left = [m for m in inner if m.end <= token.idx]
        if len(left) >= 2:
            return [participant_from_mention(m) for m in left]
        chosen = left[0] if left else (inner[0] if inner else None)
        actor = chosen.actor if chosen is not None else None
        return [Participant(text=span.text, start=span.start_char, end=span.end_char,
                            country=actor.country if actor else None,
                            sector=actor.sector if actor else None,
                            name=actor.name if actor and chosen in left else None)]

    def antecedent(self, token):
        """Where the actor a pronoun or description refers to is named ("Russia said it had
        expelled …": "it" → "Russia"), from the mention's `refers_to` (in-article coreference of
        tidings.actors); the token itself when it refers to nothing earlier."""
        mention = self.mention_at(token)
        if mention is None or mention.refers_to is None:
            return token
        span = self.doc.char_span(mention.refers_to.start, mention.refers_to.end, alignment_mode="expand")
        return span.root if span is not None else token

    def _same_words(self, mention: Mention) -> list[Mention]:
        """Other mentions over the very same words: "the two countries" is one mention for each
        of the two countries it refers to (tidings.actors.article)."""
        index = bisect_right(self._starts, mention.start) - 1
        found = []
        while index >= 0 and self.mentions[index].start == mention.start:
            other = self.mentions[index]
            if other is not mention and other.end == mention.end:
                found.append(other)
            index -= 1
        return found[::-1]

    def _coordinated_mentions(self, head, mention: Mention) -> list[Mention]:
        """'both US and NATO officials' with the mention 'NATO officials': also 'US'."""
        found = []
        for token in head.subtree:
            if token.dep_ != "conj" or not (mention.start <= token.idx < mention.end):
                continue
            other = self.mention_at(token.head)
            if other is not None and other is not mention and other not in found:
                found.append(other)
        return found

    def _mentions_in(self, span) -> list[Mention]:
        lo = bisect_right(self._starts, span.start_char - 1)
        found = []
        for mention in self.mentions[lo:]:
            if mention.start >= span.end_char:
                break
            if mention.end <= span.end_char:
                found.append(mention)
        return found


def is_relative_clause(clause) -> bool:
    """A relative clause (also when parsed as acl): it has its own subject or a relative pronoun."""
    if clause.dep_ == "relcl":
        return True
    if clause.dep_ != "acl" or clause.pos_ not in ("VERB", "AUX"):
        return False
    return any(c.dep_ in ("nsubj", "dobj", "pobj") and c.lower_ in RELATIVE_WORDS for c in clause.children) \
        or any(c.dep_ in ("nsubj", "nsubjpass") for c in clause.children) and not any(
            c.dep_ == "mark" for c in clause.children)


GAP_TYPES = frozenset({"REJECT", "SUPPORT", "AGREE", "ACCUSE", "REQUEST"})


def object_gap(verb, trigger) -> bool:
    """'a demand that US officials rejected' parsed as a complement clause: a transitive
    evaluation verb with a subject but no object relates to the noun it hangs from."""
    return (trigger is not None and trigger.type in GAP_TYPES and verb.dep_ == "acl"
            and any(c.dep_ in ("nsubj",) for c in verb.children)
            and not any(c.dep_ in ("dobj", "ccomp", "xcomp", "nsubjpass") for c in verb.children))


CLAUSE_DEPS = frozenset({"ccomp", "acl", "relcl", "advcl", "conj", "parataxis", "csubj"})
FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})
CONDITION_MARKS = frozenset({"until", "unless", "if", "once"})


def is_finite_clause(verb) -> bool:
    """A verb heading a finite clause of its own: it has a subject and a tense ("that Ukraine
    will not be allowed", "after the army said"); "allow X to deliver", "help X reach" are not."""
    if verb.pos_ not in ("VERB", "AUX") or verb.dep_ not in CLAUSE_DEPS:
        return False
    if not any(c.dep_ in SUBJ_DEPS or c.dep_ in PASSIVE_SUBJ_DEPS for c in verb.children):
        return False
    if any(c.dep_ == "mark" and c.lower_ in CONDITION_MARKS for c in verb.children):
        return False  # "will not lift the embargo until Cuba reforms": the condition names the target
    return verb.tag_ in FINITE_TAGS or any(c.dep_ in ("aux", "auxpass") and c.lower_ != "to" for c in verb.children)


def clause_tokens(head) -> list:
    """The tokens of `head`'s subtree that belong to its own clause: embedded finite clauses
    ("a guarantee that Ukraine will not be allowed …", "… after the army said …") are left out;
    infinitives, participles, small clauses and conditions stay."""
    found, stack = [], [head]
    while stack:
        node = stack.pop()
        found.append(node)
        stack += [c for c in node.children if not is_finite_clause(c)]
    return found


def _same_kind(conjunct, head) -> bool:
    """Whether a conjunct is another participant ("Kiev and Lviv"), not another thing
    ("a visit to Kiev and bilateral meetings")."""
    proper = {"PROPN"}
    if head.pos_ in proper or head.ent_type_:
        return conjunct.pos_ in proper or bool(conjunct.ent_type_)
    return conjunct.pos_ in NOUNISH


def np_span(token) -> tuple[int, int]:
    """Token range of the noun phrase headed by `token`, without relative clauses, appositions,
    conjuncts and their punctuation."""
    if token.pos_ in ("VERB", "AUX"):
        return token.i, token.i + 1
    keep = [token.i]
    for child in token.children:
        if child.dep_ in TRIM_DEPS or is_relative_clause(child):
            continue
        keep += [t.i for t in child.subtree]
    start, end = min(keep), max(keep) + 1
    # a conjunct/apposition inside the range ends it
    for child in token.children:
        if (child.dep_ in TRIM_DEPS or is_relative_clause(child)) and start < child.i < end:
            if child.i > token.i:
                end = min(end, child.left_edge.i)
            else:
                start = max(start, child.right_edge.i + 1)
    doc = token.doc
    while end - 1 > start and doc[end - 1].is_punct:
        end -= 1
    while start < end - 1 and doc[start].is_punct:
        start += 1
    return start, end


def _home_country(mentions: list[Mention]) -> tuple[str | None, float]:
    """The article's home country: the country that holds HOME_SHARE (half) of its placed actor
    mentions (an actor with a sector counts 1, a bare place or nationality half). Countries the
    actor stage itself took from the article context are left out, so that they do not vote for
    themselves. A story about American politics is at home in the USA; one about US-China trade
    talks has no home. Returns the country (or None) and its share."""
    score: Counter = Counter()
    for mention in mentions:
        actor = mention.actor
        if actor is None or not actor.country or actor.country == "IGO" or mention.refers_to is not None \
                or (actor.how or "").endswith(("+context", "+article")):
            continue
        score[actor.country] += 1 if actor.sector else 0.5
    total = sum(score.values())
    if not score or total < HOME_MIN_WEIGHT:
        return None, 0.0
    country, weight = score.most_common(1)[0]
    return (country, weight / total) if weight >= HOME_SHARE * total else (None, 0.0)


def _locative(prep) -> bool:
    """'in Sudan', 'over Syria', 'the Darfur region of Sudan' (of a place word or name)."""
    locative = screen_data()["locative_prepositions"]
    if prep.lower_ in locative:
        return True
    head = prep.head
    return prep.lower_ == "of" and head.pos_ in ("NOUN", "PROPN") \
        and (head.ent_type_ in ("LOC", "GPE") or (head.head.lower_ in locative and head.dep_ == "pobj"))
