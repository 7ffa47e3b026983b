"""The trigger lexicon (data/triggers.yaml) and the factuality cues (data/factuality.yaml).

Loaded once by EventCoder; read-only afterwards. `REQUIREMENTS` names the extra checks an
entry may demand (`requires:` in the YAML) — each is a small predicate over the trigger token (and the lexicon).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any


from tidings.events.screen import screen_data
from tidings.records import PLOVER_TYPES
from tidings.yamlcache import load_yaml

VERB_SOURCE = ("subj",)
VERB_TARGET = ("obj", "prep:against", "prep:on", "prep:with", "prep:to", "prep:from", "prep:at",
               "prep:into", "ccomp_subj")
NOUN_SOURCE = ("poss", "modifier", "agent", "governor")
NOUN_TARGET = ("prep:against", "prep:on", "prep:with", "prep:to", "prep:of", "prep:for", "prep:at",
               "prep:in")


@dataclass(frozen=True)
class Trigger:
    id: str
    pos: str  # "verb" | "noun" | "adjective"
    lemmas: tuple[str, ...]
    type: str
    mode: str | None
    context: tuple[str, ...] = ()
    particles: tuple[str, ...] = ()
    compound: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    target: tuple[str, ...] = ()
    symmetric: bool = False
    unarmed: str | None = "keep"  # type when nothing is armed or violent ("keep": no change; None: drop)
    # the act may be reported with only its target: "Assange faces a charge of conspiracy" (the
    # charging authority unnamed) is ACCUSE with an empty source, as the article guide codes it
    agentless: bool = False
    # the act is done by each side to the other: "A swapped hostages for prisoners held by B" → A → B and B → A
    mirrored: bool = False


SET_FIELDS = ("light_verbs", "speech_verbs", "symmetric_types", "non_governors", "refusal_types",
              "document_nouns", "promise_types", "threat_types", "reversal_verbs", "reversal_nouns", "reference_verbs",
              "speech_act_types", "needs_target", "nesting_types", "stance_types")


@dataclass
class Lexicon:
    verbs: dict[str, list[Trigger]]
    nouns: dict[str, list[Trigger]]
    adjectives: dict[str, list[Trigger]]
    light_verbs: frozenset[str]
    speech_verbs: frozenset[str]
    symmetric_types: frozenset[str]
    non_governors: frozenset[str]
    refusal_types: frozenset[str]
    document_nouns: frozenset[str]
    promise_types: frozenset[str]
    threat_types: frozenset[str]
    word_classes: dict[str, frozenset[str]]
    reversal_verbs: frozenset[str]
    reversal_nouns: frozenset[str]
    reference_verbs: frozenset[str]
    speech_act_types: frozenset[str]
    needs_target: frozenset[str]
    nesting_types: frozenset[str]
    stance_types: frozenset[str]
    cues: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "Lexicon":
        data = _read_yaml("triggers.yaml")
        verbs = _index(data["verbs"], "verb")
        nouns = _index(data["nouns"], "noun")
        adjectives = _index(data.get("adjectives", []), "adjective")
        cues = {key: frozenset(str(v).lower() for v in values)
                for key, values in _read_yaml("factuality.yaml").items()}
        sets = {name: frozenset(data.get(name, [])) for name in SET_FIELDS}
        word_classes = {name: frozenset(str(w).lower() for w in words)
                        for name, words in data.get("word_classes", {}).items()}
        return cls(verbs=verbs, nouns=nouns, adjectives=adjectives, word_classes=word_classes, cues=cues, **sets)

    def words(self, name: str) -> frozenset[str]:
        """A word class of data/triggers.yaml (`word_classes`), e.g. "weapon_nouns"."""
        return self.word_classes[name]

    def entries(self) -> list[Trigger]:
        seen: dict[str, Trigger] = {}
        for table in (self.verbs, self.nouns, self.adjectives):
            for triggers in table.values():
                for trigger in triggers:
                    seen[trigger.id] = trigger
        return list(seen.values())


def _read_yaml(name: str) -> dict[str, Any]:
    text = resources.files("tidings.events").joinpath(f"data/{name}").read_text("utf-8")
    return load_yaml(text)


def _index(entries: list[dict[str, Any]], pos: str) -> dict[str, list[Trigger]]:
    table: dict[str, list[Trigger]] = {}
    for raw in entries:
        trigger = _trigger(raw, pos)
        for lemma in trigger.lemmas:
            table.setdefault(lemma, []).append(trigger)
    # entries with particles or requirements are tried before plain ones of the same lemma
    for triggers in table.values():
        triggers.sort(key=lambda t: (not t.particles and not t.compound, not t.requires))
    return table


def _trigger(raw: dict[str, Any], pos: str) -> Trigger:
    if raw["type"] not in PLOVER_TYPES:
        raise ValueError(f"trigger {raw['id']}: unknown PLOVER type {raw['type']}")
    requires = raw.get("requires") or ()
    requires = (requires,) if isinstance(requires, str) else tuple(requires)
    for name in requires:
        if name not in REQUIREMENTS:
            raise ValueError(f"trigger {raw['id']}: unknown requirement {name}")
    unarmed = raw.get("unarmed", "keep")
    if unarmed not in ("keep", None) and unarmed not in PLOVER_TYPES:
        raise ValueError(f"trigger {raw['id']}: unknown PLOVER type {unarmed} for unarmed")
    default_source, default_target = (NOUN_SOURCE, NOUN_TARGET) if pos == "noun" else (VERB_SOURCE, VERB_TARGET)
    return Trigger(
        id=raw["id"], pos=pos, lemmas=tuple(raw["lemmas"]), type=raw["type"], mode=raw.get("mode"),
        context=tuple(raw.get("context") or ()), particles=tuple(raw.get("particles") or ()),
        compound=tuple(raw.get("compound") or ()), requires=requires,
        source=tuple(raw.get("source") or default_source), target=tuple(raw.get("target") or default_target),
        symmetric=bool(raw.get("symmetric", False)), unarmed=raw.get("unarmed", "keep"),
        agentless=bool(raw.get("agentless", False)), mirrored=bool(raw.get("mirrored", False)),
    )


# --- requirements -------------------------------------------------------------------------
# Each predicate takes the trigger token and the Lexicon; word lists come from `word_classes`
# in data/triggers.yaml (lexicon.words(name)).
ACTOR_ENTS = ("GPE", "ORG", "PERSON", "NORP")


def _children(token, *deps: str) -> list:
    return [c for c in token.children if c.dep_ in deps]


RELATIVE_PRONOUNS = frozenset({"that", "which"})


def _obj_in(token, lexicon, name: str, deps=("dobj",)) -> bool:
    """An object of `token` (by `deps`) is in a word class; in a relative clause whose object is the
    relative pronoun, the noun it qualifies is the object ("the agreement that the nations reached")."""
    words = lexicon.words(name)
    objects = _children(token, *deps)
    if token.dep_ == "relcl" and token.head.pos_ == "NOUN" and (
            not objects or any(c.lower_ in RELATIVE_PRONOUNS for c in objects)):
        objects = objects + [token.head]
    return any(c.lemma_.lower() in words or c.lower_ in words for c in objects)


def _admitted_clause(token, lexicon) -> bool:
    """'acknowledged that she had misspoken', 'admitted he made a mistake': what is admitted is
    the speaker's own error (a clause whose verb is an error, or whose object is one)."""
    errors = lexicon.words("admission_verbs")
    nouns = lexicon.words("admission_nouns")
    for clause in _children(token, "ccomp"):
        if clause.lemma_.lower() in errors or any(o.lemma_.lower() in nouns for o in _children(clause, "dobj", "attr")):
            return not any(c.dep_ == "neg" for c in clause.children)
    return False


def _coordinated_subject(token, lexicon) -> bool:
    """'the White House and congressional leaders have been discussing': two actors together."""
    persons = lexicon.words("person_nouns")
    return any(c.dep_ == "conj" and (_actor_like(c, lexicon) or c.lemma_.lower() in persons)
               for s in _children(token, "nsubj") for c in s.children)


def _insist_demand(token, lexicon) -> bool:
    """'insisted on a recount', 'insisted that he resign', 'insists the party must change' — a
    demand; not 'insisted that his focus would be peace' (a claim)."""
    if any(p.lower_ in ("on", "upon") and _children(p, "pobj", "pcomp") for p in _children(token, "prep")):
        return True
    for clause in _children(token, "ccomp"):
        auxes = {c.lower_ for c in clause.children if c.dep_ in ("aux", "auxpass")}
        if auxes & {"should", "must", "ought"} or (clause.tag_ == "VB" and not auxes):
            return not any(c.dep_ == "neg" for c in clause.children) or clause.tag_ == "VB"
    return False


def _inquiry_context(token, lexicon) -> bool:
    """The sentence speaks of an inquiry ("the FBI will interview Clinton as its investigation
    nears its end"): questioning there is investigation, not a talk show's interview."""
    words = lexicon.words("inquiry_words")
    return any(t.lemma_.lower() in words or t.lower_ in words for t in token.sent if t.i != token.i)


def _owned_request(token, lexicon) -> bool:
    """'Trump's request to the Ukrainian president to investigate', 'Pelosi's demand for a vote':
    a request with its maker (a possessor) and what or whom it asks — not a bare 'his demands'."""
    owner = any(c.dep_ == "poss" and (c.pos_ in ("PROPN", "PRON") or c.ent_type_ in ACTOR_ENTS) for c in token.children)
    if not owner:
        return False
    asked = any(p.lower_ in ("to", "for", "on", "that") and _children(p, "pobj", "pcomp") for p in _children(token, "prep"))
    return asked or any(c.dep_ in ("acl", "relcl") and any(a.lower_ == "to" for a in _children(c, "aux"))
                        for c in token.children)


def _cyber_context(token, lexicon) -> bool:
    """'hackers targeted the voter registration systems', 'breached the network': a computer word in
    the verb's phrase or its subject (data/triggers.yaml cyber_words)."""
    words = lexicon.words("cyber_words")
    return any(c.lemma_.lower() in words or c.lower_ in words for c in token.subtree if c.i != token.i) \
        or any(c.lemma_.lower() in words for s in _children(token, "nsubj") for c in s.subtree)


def _copula_to(token, lexicon) -> bool:
    """'X are to blame', 'X is to blame for the crisis': an infinitive under the copula."""
    return token.dep_ == "xcomp" and token.head.lemma_ == "be" \
        and any(c.dep_ == "aux" and c.lower_ == "to" for c in token.children)


def _has_actor_obj(token, lexicon) -> bool:
    return any(c.ent_type_ in ACTOR_ENTS or c.pos_ == "PROPN" for c in _children(token, "dobj"))


def _actor_target(token, lexicon) -> bool:
    for prep in _children(token, "prep"):
        if any(p.ent_type_ in ("GPE", "ORG", "PERSON", "LOC") for p in _children(prep, "pobj")):
            return True
    return False


def _official_travel(token, lexicon) -> bool:
    """Travel to a place or actor by someone who is not a military unit (troops arriving is no visit)."""
    if not _actor_target(token, lexicon) or _children(token, "dobj"):
        return False  # "flew medicine into X" is transport, not a visit
    node = token
    while node.dep_ in ("conj", "relcl", "acl") and node.head.i != node.i and not _children(node, "nsubj"):
        node = node.head
    subjects = [node.head if s.lower_ in ("which", "who", "that") and node.dep_ == "relcl" else s
                for s in _children(node, "nsubj")] or ([node] if node.pos_ == "NOUN" else [])
    forces = lexicon.words("force_nouns") | lexicon.words("peace_words")
    return not any(t.lemma_.lower() in forces for s in subjects for t in s.subtree)


def _light_verb(token, lexicon) -> bool:
    node = token
    while node.dep_ in ("conj", "appos") and node.head.i != node.i and node.head.pos_ == "NOUN":
        node = node.head
    if node.dep_ in ("dobj", "nsubjpass"):
        return node.head.lemma_ in lexicon.light_verbs
    if node.dep_ == "pobj":  # "in a lawsuit against", "declared a state of emergency"
        outer = node.head.head
        if outer.pos_ == "NOUN" and node.head.lower_ == "of" and outer.dep_ in ("dobj", "nsubjpass"):
            outer = outer.head
        return outer.lemma_ in lexicon.light_verbs
    return False


def _hedged(token, lexicon) -> bool:
    return any(t.lower_ in lexicon.words("hedges") for t in token.sent)


def _light_verb_go(token, lexicon) -> bool:
    head = token.head.head if token.dep_ == "pobj" else token.head  # "went on strike"
    return head.lemma_ in lexicon.words("strike_verbs")


def _xcomp_agree(token, lexicon) -> bool:
    return any(c.lemma_ in lexicon.words("agreement_verbs") for c in _children(token, "xcomp"))


def _ccomp_no_obj(token, lexicon) -> bool:
    return bool(_children(token, "ccomp")) and not _children(token, "dobj")


def _plural_or_embargo(token, lexicon) -> bool:
    return token.tag_ == "NNS" or token.lemma_ == "embargo"


def _actor_like(token, lexicon) -> bool:
    return token.ent_type_ in ACTOR_ENTS or token.pos_ in ("PROPN", "PRON") \
        or token.lemma_.lower() in lexicon.words("person_nouns")


def _actor_arg(token, lexicon) -> bool:
    """An actor to fight/meet: actor object, 'with/against' an actor, or a plural/coordinated subject."""
    if any(_actor_like(c, lexicon) for c in _children(token, "dobj")):
        return True
    for prep in _children(token, "prep"):
        if prep.lower_ in ("with", "against", "between") and any(_actor_like(p, lexicon) for p in _children(prep, "pobj")):
            return True
    subjects = _children(token, "nsubj")
    return not _children(token, "dobj") and (
        any(c.dep_ == "conj" for s in subjects for c in s.children)
        or any(s.tag_ == "NNS" or s.lower_ in ("sides", "both") for s in subjects))


def _peacekeepers(token, lexicon) -> bool:
    """Deployments of peacekeepers, observers, medics: material aid (PLOVER AID), not MOBILIZE."""
    nouns = _children(token, "dobj", "nsubjpass", "nsubj") + [token]
    if token.dep_ == "acl":
        nouns.append(token.head)
    words = {t.lower_ for n in nouns for t in n.subtree} | {t.lemma_.lower() for n in nouns for t in n.subtree}
    return bool(words & lexicon.words("peace_words"))


def _obj_forces(token, lexicon) -> bool:
    forces = lexicon.words("force_nouns")
    objs = _children(token, "dobj")
    for prt in _children(token, "prt"):
        objs += _children(prt, "dobj")
    return any(o.lemma_.lower() in forces or any(c.lemma_.lower() in forces for c in o.children
                                                 if c.dep_ in ("compound", "amod")) for o in objs)


def _to_streets(token, lexicon) -> bool:
    streets = lexicon.words("street_nouns")
    return any(p.lower_ in ("to", "into", "onto") and any(o.lemma_.lower() in streets for o in _children(p, "pobj"))
               for p in _children(token, "prep"))


def _ccomp_must(token, lexicon) -> bool:
    """'said Russia must withdraw', 'insisted the party needs to change', 'said they have to go': an
    obligation laid on someone — not a denied need ('didn't need their permission')."""
    for clause in _children(token, "ccomp"):
        if any(aux.lower_ in lexicon.words("obligation_modals") for aux in _children(clause, "aux")):
            return True
        if (clause.lemma_ == "need" or clause.lemma_ == "have" and _children(clause, "xcomp")) \
                and not _children(clause, "neg") and not any(o.lower_ in ("another", "other") and o.i > 0 and o.nbor(-1).lower_ in ("one", "each")
                            for o in clause.subtree):
            return True  # ('said the U.S. needed a more robust air campaign'; not 'they need one another')
    return False


def _ccomp_blame(token, lexicon) -> bool:
    """'said the Taliban were responsible': a reported attribution of blame."""
    blame = lexicon.words("blame_words")
    for clause in _children(token, "ccomp"):
        if clause.lemma_ == "be" and any(c.lower_ in blame for c in _children(clause, "acomp", "attr", "prep")):
            return True
    return False


def _weapon_obj(token, lexicon) -> bool:
    return _obj_in(token, lexicon, "weapon_nouns") or (
        not _children(token, "dobj") and any(p.lower_ in ("at", "on") for p in _children(token, "prep")))


def _undergo_verb(token, lexicon) -> bool:
    """'faces criticism from the UN', 'drew condemnation from X': the subject undergoes the act."""
    head = token.head.head if token.dep_ == "pobj" else token.head
    return token.dep_ in ("dobj", "pobj", "nsubjpass") and head.lemma_.lower() in lexicon.words("undergo_verbs")


def _let_free(token, lexicon) -> bool:
    """'let free some 74 leaders', 'set the hostages free'."""
    words = lexicon.words("free_words")
    return any(c.lower_ in words for c in token.children if c.dep_ in ("xcomp", "ccomp", "oprd", "acomp", "advmod",
                                                                     "prt", "dobj", "amod"))


def _as_hostage(token, lexicon) -> bool:
    """'held 20,000 civilians as human shields', 'took two aid workers hostage'."""
    words = lexicon.words("hostage_words")
    for child in token.children:
        if child.dep_ in ("oprd", "xcomp", "advmod", "npadvmod", "attr", "dobj") and child.lemma_.lower() in words \
                and child.dep_ != "dobj":
            return True
        if child.dep_ == "prep" and child.lower_ == "as" and any(p.lemma_.lower() in words for p in _children(child, "pobj")):
            return True
        if child.dep_ == "dobj" and any(g.lemma_.lower() in words for g in child.children if g.dep_ in ("amod", "appos", "compound", "oprd")):
            return True
    return False


def _obj_goods(token, lexicon) -> bool:
    goods = lexicon.words("goods_nouns")
    for obj in _children(token, "dobj", "nsubjpass"):
        if obj.lemma_.lower() in goods or any(t.lemma_.lower() in goods for t in obj.subtree if t.i <= obj.i + 4):
            return True
    return False


def _faced(token, lexicon) -> bool:
    """'faces a charge of conspiracy', 'faced investigations for fraud': the subject undergoes a
    legal process (not 'drew an investigation', whose subject may be what prompted it)."""
    return token.dep_ in ("dobj", "nsubjpass") and token.head.lemma_.lower() in lexicon.words("facing_verbs") \
        and not any(c.tag_ in ("WDT", "WP") for c in token.children)  # "what charges does he face?": a question


def _authority_governor(token, lexicon) -> bool:
    """'the FBI decided after a lengthy investigation …': an inquiry in the clause of an
    investigating authority is that authority's (not 'the senator said after the investigation')."""
    if token.dep_ != "pobj" or token.head.lower_ not in ("after", "during", "following", "throughout"):
        return False
    verb = token.head.head
    return verb.pos_ in ("VERB", "AUX") and any(
        s.lemma_.lower() in lexicon.words("inquiry_authorities") or s.lower_ in lexicon.words("inquiry_authorities")
        for s in _children(verb, "nsubj"))


def _custody_clause(token, lexicon) -> bool:
    """'a judge ruled that Assange should remain in jail', 'ordered that he be held in custody':
    the clause keeps someone in detention."""
    words = lexicon.words("custody_nouns")
    for clause in _children(token, "ccomp"):
        for prep in _children(clause, "prep"):
            if prep.lower_ in ("in", "behind") and any(o.lemma_.lower() in words for o in _children(prep, "pobj")):
                return True
    return False


def _blocked_supplies(token, lexicon) -> bool:
    """'blocking the delivery of aid', 'blocked them from access to food', 'blocked fuel shipments':
    goods or access kept from people (PLOVER COERCE withhold), not 'blocked the aid bill' in a vote."""
    words = lexicon.words("withheld_supplies")
    stack = _children(token, "dobj", "nsubjpass", "prep")
    while stack:
        node = stack.pop()
        if node.pos_ == "NOUN" and node.lemma_.lower() in words:
            return True
        stack += [c for c in node.children if c.dep_ in ("prep", "pobj", "compound")]
    return False


def _obj_restriction(token, lexicon) -> bool:
    """'lifted the curfew', 'the last retaliatory tariff was removed', 'canceled an increase in tariffs'."""
    if _obj_in(token, lexicon, "restriction_nouns", ("dobj", "nsubjpass")):
        return True
    words = lexicon.words("restriction_nouns")
    return any(o.lemma_.lower() in lexicon.words("rise_nouns") and any(
        p.lemma_.lower() in words for prep in _children(o, "prep") if prep.lower_ in ("in", "on", "of")
        for p in _children(prep, "pobj")) or any(c.lemma_.lower() in words for c in _children(o, "compound"))
        for o in _children(token, "dobj", "nsubjpass") if o.lemma_.lower() in lexicon.words("rise_nouns"))


def _violent_clause(token, lexicon) -> bool:
    """The trigger's clause speaks of violence ("retaliated with airstrikes"), whoever the sides are."""
    from tidings.events.args import clause_tokens

    words = screen_data()["violence_words"]
    return any(t.lemma_.lower() in words or t.lower_ in words for t in clause_tokens(token) if t.i != token.i)


def _demand_letter(token, lexicon) -> bool:
    """'a cease-and-desist letter', 'a demand letter' (the parser splits 'cease-and-desist' into
    a modifier and its conjunct)."""
    words = lexicon.words("demand_letter_words")
    return any(t.lemma_.lower() in words for c in token.children if c.dep_ in ("compound", "amod", "nmod")
               for t in c.subtree)


def _with_partner(token, lexicon) -> bool:
    """'discussed the delay with the Ukrainians': 'with' on the verb or on its object (the parser
    often hangs it there) — not 'reviewed the city's contracts with Trump', 'discussed ties with Iran'."""
    relations = lexicon.words("deal_nouns") | lexicon.words("relation_nouns")
    preps = _children(token, "prep") + [p for o in _children(token, "dobj") for p in _children(o, "prep")
                                        if token.lemma_ == "discuss" and o.lemma_.lower() not in relations]
    return any(p.lower_ == "with" and any(_actor_like(o, lexicon) for o in _children(p, "pobj")) for p in preps)


def _forgone_charges(token, lexicon) -> bool:
    """'decided not to recommend charges against her', 'announced that he would not recommend
    prosecuting her', 'recommended that no charges be filed': an authority forgoes prosecution
    (the article guide codes dropping charges CONCEDE; the negated clause itself is no event)."""
    direct, pursue = lexicon.words("prosecution_verbs"), lexicon.words("pursuit_verbs")
    inquiries = lexicon.words("inquiry_nouns")
    for clause in _children(token, "xcomp", "ccomp"):
        objects = _children(clause, "dobj", "nsubjpass")
        negated = bool(_children(clause, "neg")) or any(
            c.dep_ == "det" and c.lower_ == "no" for o in objects for c in o.children)
        lemma = clause.lemma_.lower()
        legal = lemma in direct or lemma in pursue and (
            any(o.lemma_.lower() in inquiries for o in objects)
            or any(x.lemma_.lower() in direct for x in _children(clause, "xcomp")))
        if negated and legal:
            return True
    return False


def _search_for(token, lexicon) -> bool:
    """'searched the consul's residence', 'searched X for evidence': a search of premises, not 'sought'."""
    return _obj_in(token, lexicon, "search_objects") or any(
        p.lower_ == "for" and any(o.lemma_ == "evidence" for o in _children(p, "pobj")) for p in _children(token, "prep"))


def _obj_or_to(token, lexicon, name: str) -> bool:
    """The object ("accepted the demands") or the object of 'to' ("acceded to the demands")."""
    words = lexicon.words(name)
    objs = _children(token, "dobj", "dative", "nsubjpass") + [p for prep in _children(token, "prep") if prep.lower_ == "to"
                                                             for p in _children(prep, "pobj")]
    return any(o.lemma_.lower() in words or o.lower_ in words for o in objs)


def _obj_real(token, lexicon, name: str, deps=("dobj",)) -> bool:
    """The object is in a word class and is not denied by its determiner ("offered no proof")."""
    words = lexicon.words(name)
    for obj in _children(token, *deps):
        if obj.lemma_.lower() in words or obj.lower_ in words:
            return not any(c.lower_ in ("no", "any") and c.dep_ == "det" for c in obj.children)
    return False


def _agree_to(token, lexicon) -> bool:
    """'agreed to withdraw', 'agreed to talks', 'agreed on a ceasefire', 'agreed with X on': a
    commitment, not an opinion."""
    if _children(token, "xcomp"):
        return True
    return any(p.lower_ in ("to", "on", "upon") and _children(p, "pobj", "pcomp") for p in _children(token, "prep"))


def _obj_aid(token, lexicon) -> bool:
    """Something material is given: goods, funds, arms, aid (also the second object: 'gave X aid')."""
    words = lexicon.words("goods_nouns") | lexicon.words("fund_nouns") | lexicon.words("arms_nouns") \
        | lexicon.words("aid_nouns")
    for obj in _children(token, "dobj", "nsubjpass"):
        if obj.lemma_.lower() in words or obj.ent_type_ == "MONEY" or any(c.ent_type_ == "MONEY" for c in obj.lefts):
            return not any(c.lower_ == "no" and c.dep_ == "det" for c in obj.children)
        if any(c.dep_ in ("prep",) and c.lower_ == "of" and any(p.lemma_.lower() in words for p in _children(c, "pobj"))
               for c in obj.children):
            return True  # "tonnes of wheat", "millions of dollars"
    return False


def _ask_request(token, lexicon) -> bool:
    """'asked X to do', 'asked for help', 'asked the UN for aid', 'requested asylum' — not a
    question ('asked X about Y', 'asked whether')."""
    if _children(token, "xcomp"):
        return True
    for prep in _children(token, "prep"):
        if prep.lower_ == "for":
            return True
    return token.lemma_ != "ask" and bool(_children(token, "dobj")) or _obj_real(token, lexicon, "ask_objects")


def _not_invitation(token, lexicon) -> bool:
    """'invited the press to tour its offices', 'he was invited to attend': an invitation (v.invite,
    PLOVER AGREE), not a request — also in the passive, which v.invite codes too."""
    return token.lemma_.lower() != "invite" or not REQUIREMENTS["invitation"](token, lexicon)


def _actor_or_owned_object(token, lexicon) -> bool:
    """'criticized Trump', 'slammed Trump's remarks', 'complained about the media', or no object
    at all ('X complained'): an accusation aims at an actor, or at what an actor said or did —
    not 'lamented the weather'."""
    objs = _children(token, "dobj", "nsubjpass") + [p for prep in _children(token, "prep")
                                                    if prep.lower_ in ("about", "of", "over", "at", "for")
                                                    for p in _children(prep, "pobj")]
    if not objs:
        return True
    groups = screen_data()["actor_nouns"]  # "savaged party funders", "lashed out at teachers"
    for obj in objs:
        if _actor_like(obj, lexicon) or obj.pos_ in ("PRON", "PROPN") or obj.ent_type_ \
                or obj.lemma_.lower() in groups:
            return True
        if any(c.dep_ in ("poss", "compound") and (c.pos_ in ("PROPN", "PRON") or c.ent_type_) for c in obj.children):
            return True
        if obj.lemma_.lower() in lexicon.words("owned_things") or obj.lemma_.lower() in lexicon.words("act_nouns"):
            return True
    return False


def _negative_complement(token, lexicon) -> bool:
    """'called Clinton a liar', 'described the plan as reckless', 'slammed the proposal as divisive':
    what the object is called is a word of criticism (events/data/evaluation.yaml)."""
    from tidings.events.evaluative import Evaluation

    negative = Evaluation.load().negative
    heads = _children(token, "oprd", "xcomp", "ccomp", "attr", "acomp") + [
        p for prep in _children(token, "prep") if prep.lower_ == "as" for p in _children(prep, "pobj")]
    for obj in _children(token, "dobj"):
        heads += _children(obj, "amod", "appos", "acl", "relcl") if obj.i + 1 < len(token.doc) else []
    for head in heads:
        words = [head] + [c for c in head.children if c.dep_ in ("amod", "compound", "conj", "acomp", "attr")]
        if any(w.lemma_.lower() in negative or w.lower_ in negative for w in words):
            return True
    return False


def _nominal_dyad(token, lexicon) -> bool:
    """A nominal act with its actor and its target: "the FBI's investigation of Clinton",
    "Trump's attacks on Machado", "Republican criticism of the deal"."""
    owner = any(c.dep_ == "poss" or (c.dep_ in ("compound", "amod", "nmod") and (c.ent_type_ in ACTOR_ENTS or
                                                                               c.pos_ == "PROPN"))
                for c in token.children)
    if not owner:
        return False
    return any(prep.lower_ in ("of", "on", "against", "at", "over", "into", "for", "from")
               and _children(prep, "pobj") for prep in _children(token, "prep"))


def _refused_act(token, lexicon) -> bool:
    """'refused to cooperate', 'declined the invitation', 'refused their demands' — not 'declined to
    comment', 'declined to be identified', 'support declined by 9 points'."""
    if any(x.lemma_.lower() in lexicon.words("cooperative_verbs") and not _children(x, "auxpass")
           for x in _children(token, "xcomp")):
        return True
    return _obj_real(token, lexicon, "demand_nouns", ("dobj", "nsubjpass")) \
        or _obj_real(token, lexicon, "request_nouns", ("dobj", "nsubjpass")) \
        or _obj_real(token, lexicon, "accept_objects", ("dobj", "nsubjpass")) \
        or _obj_real(token, lexicon, "offer_nouns", ("dobj", "nsubjpass"))


def _ccomp_actor_subject(token, lexicon) -> bool:
    """The clause of 'X said Y must …' has a subject that can be asked (a name, a group, a
    pronoun) and is no passive or copula ('hopes should not turn', 'it should be seen')."""
    for clause in _children(token, "ccomp"):
        if _children(clause, "auxpass"):
            continue
        for subject in _children(clause, "nsubj"):
            if subject.lower_ in ("i", "we", "you", "one"):
                continue  # 'we must not overreact', 'you have to be careful': the speaker's own resolve or a maxim
            if _actor_like(subject, lexicon) or subject.lemma_.lower() in lexicon.words("person_nouns"):
                return True
    return False


def _allegation_clause(token, lexicon) -> bool:
    """'claimed that Clinton lied', 'warned that Russia is rigging the vote': the claim accuses
    someone (its clause holds a word of criticism or wrongdoing)."""
    from tidings.events.evaluative import Evaluation

    words = Evaluation.load().negative | Evaluation.load().negative_verbs | lexicon.words("wrongdoing_words")
    return any(t.lemma_.lower() in words for clause in _children(token, "ccomp") for t in clause.subtree)


def _threat_clause(token, lexicon) -> bool:
    """'warned X that his government would expel him': the warning announces a coercive act."""
    coercive = lexicon.words("coercive_verbs")
    for clause in _children(token, "ccomp"):
        verbs = [clause] + _children(clause, "xcomp", "conj")
        if any(c.dep_ == "aux" and c.lower_ in ("would", "will", "'ll", "'d") for c in clause.children) \
                and any(v.lemma_.lower() in coercive for v in verbs):
            return True
    return False


def _talks_partner(token, lexicon) -> bool:
    """Talks held ("held talks", "a meeting took place"), or talks with someone ("Trump's call with
    Zelensky", "talks between A and B") — not "the China trade talks" in passing or "a press conference"."""
    if _light_verb(token, lexicon):
        return not any(c.lemma_.lower() in ("press", "news") for c in _children(token, "compound", "amod"))
    return any(prep.lower_ in ("with", "between", "among") and _children(prep, "pobj") for prep in _children(token, "prep"))


def _not_accident(token, lexicon) -> bool:
    """'killed in a helicopter crash', 'the earthquake injured 40': no actor did it."""
    words = lexicon.words("accident_nouns")
    causes = [c for c in token.children if c.dep_ == "nsubj"]
    for prep in token.children:
        if prep.dep_ in ("prep", "agent") and prep.lower_ in ("in", "by", "during", "after", "from"):
            for obj in _children(prep, "pobj"):
                causes += [obj] + [c for c in obj.children if c.dep_ == "compound"]
    return not any(c.lemma_.lower() in words for c in causes)


def _disrupted_event(token, lexicon) -> bool:
    """'protesters interrupted her speech', 'hecklers kept interrupting him': an event disrupted,
    or a speaker interrupted by protesters — not 'Clinton interrupted Sanders' or 'the storm
    disrupted flights'."""
    if _obj_in(token, lexicon, "disrupted_events", ("dobj", "nsubjpass")):
        return True
    subjects = _children(token, "nsubj") or _children(token.head, "nsubj") if token.dep_ in ("xcomp", "conj") else _children(token, "nsubj")
    subjects = subjects + [o for a in _children(token, "agent") for o in _children(a, "pobj")]
    return bool(_children(token, "dobj", "nsubjpass")) and any(
        s.lemma_.lower() in lexicon.words("disrupter_nouns") for s in subjects)


def _not_own_act(token, lexicon) -> bool:
    """'Trump is defending his early-morning tweets', 'reiterated her position': backing one's own
    words or acts is no support of anyone ('praised his running mate' is). Also 'reiterated
    that …' with nothing reiterated as an object is a statement, not support."""
    objs = _children(token, "dobj")
    if not objs:
        return token.lemma_.lower() not in ("reiterate", "reaffirm")
    return not all(o.lemma_.lower() in lexicon.words("own_act_nouns") and any(
        c.dep_ == "poss" and c.pos_ == "PRON" for c in o.children) for o in objs)


def _protesting_subject(token, lexicon) -> bool:
    """'teachers chanted', 'protesters held up signs', 'the protester yelled and held up a banner':
    the one chanting or holding signs is a protester, a striker or a group of working people —
    not a supporter at a rally ('supporters chanted his name')."""
    node = token
    while not _children(node, "nsubj") and node.dep_ in ("conj", "xcomp", "advcl") and node.head.i != node.i:
        node = node.head
    subjects = _children(node, "nsubj")
    return any(s.lemma_.lower() in lexicon.words("protester_nouns") for s in subjects)


def _not_contest(token, lexicon) -> bool:
    """'police beat the protesters', not a contest won: 'Sanders beats Clinton in Oklahoma',
    'Cruz beat Dewhurst in the primary runoff'. Beating is a win when the sentence speaks of a
    contest (data/triggers.yaml `contest_words`) or when a named person beats a named person."""
    if token.lemma_.lower() not in lexicon.words("contest_verbs"):
        return True
    if any(w.lemma_.lower() in lexicon.words("contest_words") for w in token.sent):
        return False
    subjects = [s for s in _children(token, "nsubj") if s.ent_type_ in ("PERSON", "ORG", "NORP")]
    objects = [o for o in _children(token, "dobj") if o.ent_type_ == "PERSON"]
    return not (subjects and objects)


def _not_standing(token, lexicon) -> bool:
    """Support as an act ("offered its support"), not a standing ("has low support from voters")."""
    levels = lexicon.words("level_words")
    if any(c.lemma_.lower() in levels or c.lower_ in levels for c in token.children if c.dep_ in ("amod", "compound", "nmod", "advmod")):
        return False
    head = token.head.head if token.dep_ == "pobj" else token.head
    return not (token.dep_ in ("dobj", "pobj") and head.lemma_.lower() in lexicon.words("standing_verbs"))


REQUIREMENTS: dict[str, Callable[..., bool]] = {
    "not_accident": _not_accident,
    "not_standing": _not_standing,
    "not_contest": _not_contest,
    "obj_plan": lambda t, lx: _obj_real(t, lx, "plan_nouns", ("dobj", "nsubjpass")),
    "protesting_subject": _protesting_subject,
    "obj_signs": lambda t, lx: _obj_in(t, lx, "sign_nouns"),
    "not_own_act": _not_own_act,
    "not_invitation": _not_invitation,
    "disrupted_event": _disrupted_event,
    "money_modifier": lambda t, lx: any(x.ent_type_ == "MONEY" or x.text in ("$", "€", "£")
                                        for c in t.lefts for x in c.subtree),
    "obj_permission": lambda t, lx: _obj_or_to(t, lx, "permission_nouns"),
    "obj_demand": lambda t, lx: _obj_or_to(t, lx, "demand_nouns"),
    "obj_request": lambda t, lx: _obj_or_to(t, lx, "request_nouns") and not _obj_or_to(t, lx, "accept_objects"),
    "undergo_verb": _undergo_verb,
    "let_free": _let_free,
    "as_hostage": _as_hostage,
    "obj_goods": _obj_goods,
    "search_for": _search_for,
    "obj_arms": lambda t, lx: _obj_in(t, lx, "arms_nouns") or any(
        _obj_in(p, lx, "arms_nouns") for p in _children(t, "prt")),
    "obj_funds": lambda t, lx: _obj_in(t, lx, "fund_nouns") or any(
        c.ent_type_ == "MONEY" for o in _children(t, "dobj") for c in o.subtree),
    "obj_or_passive": lambda t, lx: bool(_children(t, "dobj", "nsubjpass", "auxpass")),
    "active": lambda t, lx: not _children(t, "nsubjpass", "auxpass", "agent"),
    "prep_on_against": lambda t, lx: any(c.lower_ in ("on", "against") for c in _children(t, "prep")),
    "ccomp_no_obj": _ccomp_no_obj,
    "xcomp_lemma_agree": _xcomp_agree,
    "obj_lemma_deal": lambda t, lx: _obj_in(t, lx, "deal_nouns"),
    "obj_deal": lambda t, lx: _obj_in(t, lx, "deal_nouns", ("dobj", "nsubjpass")),
    "obj_lemma_truce": lambda t, lx: _obj_in(t, lx, "truce_nouns", ("dobj", "nsubjpass")),
    "actor_target": _actor_target,
    "official_travel": _official_travel,
    "obj_actor": _has_actor_obj,
    "obj_present": lambda t, lx: bool(_children(t, "dobj")),
    "prep_from": lambda t, lx: any(c.lower_ == "from" for c in _children(t, "prep")),
    "prep_with": lambda t, lx: any(c.lower_ == "with" for c in _children(t, "prep")),
    "no_obj": lambda t, lx: not _children(t, "dobj"),
    "light_verb": _light_verb,
    "light_verb_go": _light_verb_go,
    "hedged": _hedged,
    "plural_or_embargo": _plural_or_embargo,
    "actor_arg": _actor_arg,
    "obj_forces": _obj_forces,
    "obj_refuge": lambda t, lx: _obj_in(t, lx, "refuge_nouns"),
    "obj_work": lambda t, lx: _obj_in(t, lx, "work_nouns"),
    "obj_fire": lambda t, lx: _obj_in(t, lx, "fire_nouns"),
    "obj_envoy": lambda t, lx: _obj_in(t, lx, "envoy_nouns", ("dobj", "nsubjpass")),
    "obj_border": lambda t, lx: _obj_in(t, lx, "border_nouns"),
    "to_streets": _to_streets,
    "ccomp_must": _ccomp_must,
    "ccomp_blame": _ccomp_blame,
    "peacekeepers": _peacekeepers,
    "weapon_obj": _weapon_obj,
    "obj_restriction": _obj_restriction,
    "of_cooperation": lambda t, lx: any(p.lemma_.lower() in lx.words("cooperation_nouns")
                                        for prep in _children(t, "prep") if prep.lower_ == "of"
                                        for p in _children(prep, "pobj")),
    "xcomp_present": lambda t, lx: bool(_children(t, "xcomp")),
    "no_xcomp": lambda t, lx: not _children(t, "xcomp"),
    "ccomp_present": lambda t, lx: bool(_children(t, "ccomp")),
    "no_ccomp": lambda t, lx: not _children(t, "ccomp"),
    "no_clause": lambda t, lx: not _children(t, "ccomp", "xcomp"),
    "prep_against": lambda t, lx: any(c.lower_ == "against" for c in _children(t, "prep")),
    "agree_to": _agree_to,
    "obj_offer": lambda t, lx: _obj_real(t, lx, "offer_nouns") or bool(_children(t, "xcomp")),
    "obj_accept": lambda t, lx: _obj_real(t, lx, "accept_objects", ("dobj", "nsubjpass")),
    "obj_admission": lambda t, lx: _obj_real(t, lx, "admission_nouns", ("dobj", "nsubjpass")) or _admitted_clause(t, lx),
    "obj_aid": _obj_aid,
    "actor_object": lambda t, lx: any(_actor_like(o, lx) for o in _children(t, "dobj", "nsubjpass")),
    "person_object": lambda t, lx: any(_actor_like(o, lx) and o.lemma_.lower() not in lx.words("document_words")
                                       for o in _children(t, "dobj", "nsubjpass")),
    "ask_request": _ask_request,
    "copula_to": _copula_to,
    "back_adverb": lambda t, lx: any(c.lower_ == "back" and c.dep_ in ("advmod", "prt") for c in t.children),
    "owned_request": _owned_request,
    "insist_demand": _insist_demand,
    "inquiry_context": _inquiry_context,
    "cyber_context": _cyber_context,
    "coordinated_subject": _coordinated_subject,
    "obj_sought": lambda t, lx: _obj_real(t, lx, "ask_objects", ("dobj", "nsubjpass"))
    or _obj_real(t, lx, "permission_nouns", ("dobj", "nsubjpass")),
    "actor_or_owned_object": _actor_or_owned_object,
    "negative_complement": _negative_complement,
    "nominal_dyad": _nominal_dyad,
    "talks_partner": _talks_partner,
    "refused_act": _refused_act,
    "cooperative_xcomp": lambda t, lx: any(x.lemma_.lower() in lx.words("cooperative_verbs") for x in _children(t, "xcomp")),
    "coercive_xcomp": lambda t, lx: any(x.lemma_.lower() in lx.words("coercive_verbs") for x in _children(t, "xcomp")),
    "not_compared": lambda t, lx: not any(c.lower_ in ("more", "less", "most", "least") for c in t.children),
    "ccomp_actor_subject": _ccomp_actor_subject,
    "allegation_clause": _allegation_clause,
    "obj_returned": lambda t, lx: _obj_in(t, lx, "returned_things", ("dobj", "nsubjpass")),
    "obj_cooperation": lambda t, lx: _obj_in(t, lx, "cooperation_nouns", ("dobj", "nsubjpass")),
    "light_verb_or_dyad": lambda t, lx: _light_verb(t, lx) or _nominal_dyad(t, lx),
    "not_document_object": lambda t, lx: bool(_children(t, "dobj", "nsubjpass")) and not any(
        o.lemma_.lower() in lx.words("document_words") for o in _children(t, "dobj", "nsubjpass")),
    "not_unreturnable": lambda t, lx: not _obj_in(t, lx, "unreturnable", ("dobj", "nsubjpass")),
    "threat_clause": _threat_clause,
    "obj_allowed": lambda t, lx: _obj_aid(t, lx) or _obj_or_to(t, lx, "permission_nouns"),
    "faced": _faced,
    "with_force": lambda t, lx: any(p.lower_ == "with" and any(o.lemma_.lower() in lx.words("force_words") for o in _children(p, "pobj"))
                                    for p in _children(t, "prep")),
    "forgone_charges": _forgone_charges,
    "invitation": lambda t, lx: bool(_children(t, "dobj", "nsubjpass")) and (
        any(x.lemma_.lower() in lx.words("invitation_words") for x in _children(t, "xcomp"))
        or any(p.lower_ == "to" and any(o.lemma_.lower() in lx.words("invitation_words") or o.ent_type_ in ("GPE", "FAC")
                                        for o in _children(p, "pobj")) for p in _children(t, "prep"))),
    "guilty_complement": lambda t, lx: any(c.lower_ == "guilty" for c in t.children if c.dep_ in ("oprd", "xcomp", "acomp", "ccomp", "advmod"))
    or any(c.lower_ == "guilty" for x in _children(t, "ccomp", "xcomp") for c in x.children if c.dep_ in ("acomp", "oprd")),
    "obj_protest": lambda t, lx: _obj_in(t, lx, "protest_nouns", ("dobj", "nsubjpass")),
    "against_act": lambda t, lx: any(p.lower_ == "against" and any(
        o.lower_ in ("it", "this", "that") or not _actor_like(o, lx) for o in _children(p, "pobj"))
                                     for p in _children(t, "prep")),
    "first_person_subject": lambda t, lx: any(c.lower_ in ("i", "we") for c in _children(t, "nsubj")),
    "by_against": lambda t, lx: {"by", "against"} <= {p.lower_ for h in ([t, t.head] if t.dep_ == "dobj" else [t])
                                                      for p in _children(h, "prep", "agent") if _children(p, "pobj")}
    | {p.lower_ for p in t.subtree if p.dep_ == "prep" and p.lower_ == "against"},
    "with_actor": lambda t, lx: any(p.lower_ == "with" and _children(p, "pobj") for p in _children(t, "prep")),
    "unarmed_clause": lambda t, lx: not _violent_clause(t, lx),
    "jointly": lambda t, lx: any(c.dep_ == "advmod" and c.lower_ in lx.words("joint_words")
                                 for v in [t] + _children(t, "xcomp") for c in v.children),
    "no_backing": lambda t, lx: not _obj_in(t, lx, "backing_nouns", ("dobj", "nsubjpass")),  # "withheld his support": REJECT
    "obj_backing": lambda t, lx: _obj_in(t, lx, "backing_nouns", ("dobj", "nsubjpass")),
    "says_no": lambda t, lx: any(c.lower_ == "no" and c.dep_ in ("dobj", "intj", "ccomp", "npadvmod") for c in t.children)
    and any(p.lower_ == "to" for p in _children(t, "prep")),
    "prep_on_deep": lambda t, lx: any(c.lower_ in ("on", "against") for c in t.subtree if c.dep_ == "prep")
    or bool(_children(t.head, "prep") and any(c.lower_ in ("on", "against") for c in _children(t.head, "prep"))),
    "obj_law": lambda t, lx: _obj_real(t, lx, "law_nouns", ("dobj",)) and not any(
        c.dep_ == "mark" and c.lower_ in ("if", "whether") for c in t.children),  # "isn't saying if X violated any laws"
    "violent_clause": _violent_clause,
    "demand_letter": _demand_letter,
    "with_partner": _with_partner,
    "under_inquiry": lambda t, lx: t.dep_ == "pobj" and t.head.lower_ == "under",
    "authority_governor": _authority_governor,
    "custody_clause": _custody_clause,
    "blocked_supplies": _blocked_supplies,
    "obj_inquiry": lambda t, lx: _obj_in(t, lx, "inquiry_nouns", ("dobj", "nsubjpass")),
    "obj_aircraft": lambda t, lx: _obj_in(t, lx, "aircraft_nouns", ("dobj", "nsubjpass")),
    "obj_captives": lambda t, lx: _obj_in(t, lx, "captive_nouns", ("dobj", "nsubjpass")),
    "obj_refugees": lambda t, lx: _obj_in(t, lx, "refugee_nouns", ("dobj", "nsubjpass")),
    "obj_aim": lambda t, lx: _obj_in(t, lx, "aim_nouns", ("dobj",)),
}
