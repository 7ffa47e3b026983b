"""What kind of participant an argument head is, and whether a candidate event may stand.

An event needs a political actor as its source (a resolved actor, a named person or
organisation, a described group), and a target where its PLOVER type needs a recipient
(data/triggers.yaml `needs_target`). A phrase that is not an actor ("the end to the violence",
"the considerable powers") is never one.

Kinds of an argument head (best first):
  actor    inside an actor mention with a country or sector, or a PERSON/ORG/NORP/GPE entity
  named    a proper name the resolver could not place (PROPN, no entity type)
  pronoun  a personal pronoun with no resolved antecedent
  owned    not an actor itself, but its phrase names one ("the U.S. voting system")
  place    a place, building or vehicle (a target of physical acts only: "the convoy was attacked")
  none     none of these
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from tidings.records import Participant
from tidings.yamlcache import load_yaml

ACTOR_ENTS = frozenset({"GPE", "ORG", "PERSON", "NORP"})
PRONOUNS = frozenset({"he", "she", "they", "we", "i", "you", "him", "her", "them", "us", "me", "it", "who", "whom"})
RANK = {"actor": 5, "named": 4, "pronoun": 3, "owned": 2, "place": 1, "none": 0}


@lru_cache(maxsize=1)
def screen_data() -> dict:
    """data/screen.yaml, parsed once (read-only)."""
    text = resources.files("tidings.events").joinpath("data/screen.yaml").read_text("utf-8")
    raw = load_yaml(text)
    data = {key: frozenset(str(v) if key.endswith(("_types", "_sectors")) else str(v).lower() for v in values)
            for key, values in raw.items() if key not in ("idioms", "domains", "nonpolitical")}
    data["nonpolitical"] = raw["nonpolitical"]
    data["domains"] = {name: frozenset(str(w).lower() for w in words) for name, words in raw.get("domains", {}).items()}
    patterns: dict[str, list[tuple[str, ...]]] = {}
    for pattern in raw.get("idioms", []):
        patterns.setdefault(str(pattern[0]).lower(), []).append(tuple(str(w).lower() for w in pattern))
    data["idiom_patterns"] = patterns
    return data


def head_kind(token, finder, part: Participant | None = None) -> str:
    """The kind of the argument head `token` (see the module docstring)."""
    token = finder.antecedent(token)
    mention = finder.mention_at(token)
    if mention is not None:
        actor = mention.actor
        if actor is not None and (actor.country or actor.sector):
            return "actor"
        if mention.label in ACTOR_ENTS or token.ent_type_ in ACTOR_ENTS:
            return "actor" if token.ent_type_ in ("PERSON", "ORG") else "named"
        return "named"
    if token.ent_type_ in ("PERSON", "ORG"):
        return "actor"
    if token.ent_type_ in ("NORP", "GPE"):
        return "named"
    if token.pos_ == "PRON" and token.lower_ in PRONOUNS:
        return "pronoun"
    if token.pos_ == "PROPN" or (token.pos_ == "NOUN" and token.text[:1].isupper() and token.i > token.sent.start
                                 and not token.is_sent_start and not token.is_upper):
        return "named"
    if token.pos_ == "NOUN" and token.text[:1].isalpha() and any(c.isupper() for c in token.text[1:]) \
            and any(c.islower() for c in token.text):
        return "named"  # a name in camel case, even first in its sentence ("WeWork is being investigated")
    if token.lemma_.lower() in screen_data()["actor_nouns"] or token.lower_ in screen_data()["actor_nouns"]:
        return "actor" if part is not None and (part.country or part.sector) else "named"
    if part is not None and (part.country or part.sector):
        return "owned"  # "the U.S. voting system"; "the statement" whose speaker the context gives
    if token.ent_type_ in ("LOC", "FAC") or token.lemma_.lower() in screen_data()["place_nouns"]:
        return "place"
    return "none"


def best_kind(tokens, finder, parts: list[Participant]) -> str:
    """The best kind among the heads of one side ("none" for no head)."""
    best = "none"
    for i, token in enumerate(tokens):
        part = parts[i] if i < len(parts) else (parts[0] if parts else None)
        kind = head_kind(token, finder, part)
        if RANK[kind] > RANK[best]:
            best = kind
    if best == "none" and any(p.country or p.sector for p in parts):
        best = "owned"
    if best == "none" and tokens:
        doc = tokens[0].doc
        for p in parts:  # "the business dealings of Kempinski", "the decision by the World Economic Forum"
            span = doc.char_span(p.start, p.end, alignment_mode="expand")
            if span is not None and _actor_entity_within(doc, span.start, span.end):
                return "owned"
    return best


def _actor_entity_within(doc, start: int, end: int) -> bool:
    """`any(e.label_ in ACTOR_ENTS for e in doc[start:end].ents)`, read from the tokens' entity
    tags (`Span.ents` walks every entity of the document: quadratic over an article of many)."""
    i = start
    while i < end:
        token = doc[i]
        if token.ent_iob == 3 and token.ent_type != 0:  # an entity starts here (as Doc.ents reads the tags)
            j = i + 1
            while j < len(doc) and doc[j].ent_iob == 1:
                j += 1
            if j <= end and token.ent_type_ in ACTOR_ENTS:
                return True
            i = j
            continue
        i += 1
    return False


def is_idiom(token) -> bool:
    """Whether the trigger word starts a fixed expression of data/screen.yaml `idioms`
    ("declined to comment", "struck me as", "hit with")."""
    data = screen_data()
    doc, end = token.doc, token.sent.end
    for pattern in data["idiom_patterns"].get(token.lemma_.lower(), ()):
        i = token.i
        for element in pattern:
            if i >= end:
                break
            word = doc[i]
            if element == "*" or element in (word.lemma_.lower(), word.lower_) or (
                    element == "oneself" and word.lower_ in data["reflexives"]):
                i += 1
                continue
            break
        else:
            return True
    return False


def armed(token, parts: list[Participant]) -> bool:
    """Whether an act is physical: a side is an armed actor, or its clause speaks of violence
    (the trigger's own clause: "hit the campaign trail … accusing him of endangering US troops"
    holds no violence of the hitting)."""
    from tidings.events.args import clause_tokens, governor

    data = screen_data()
    if any(p.sector in data["armed_sectors"] for p in parts):
        return True
    doc = token.doc
    for p in parts:  # a state attacking or attacked ("Russia attacked Ukraine") acts with force
        span = doc.char_span(p.start, p.end, alignment_mode="expand")
        if p.country and p.sector is None and p.refers_to is None and span is not None \
                and span.root.ent_type_ == "GPE":  # (not a person's name the parser took for a place)
            return True
    words = data["violence_words"]
    scope = governor(token) if token.pos_ == "NOUN" else token
    scope = scope if scope is not None else token
    return any(t.lemma_.lower() in words or t.lower_ in words for t in clause_tokens(scope) if t.i != token.i)


def is_reflexive(part: Participant) -> bool:
    return part.text.lower() in screen_data()["reflexives"]


def intended(token) -> bool:
    """'efforts to urge Ukraine', 'the power to veto': a to-infinitive of an intention noun."""
    node = token
    while node.dep_ in ("xcomp", "conj") and node.head.i != node.i and node.head.pos_ in ("VERB", "AUX"):
        node = node.head
    if node.dep_ != "acl" or not any(c.dep_ == "aux" and c.lower_ == "to" for c in node.children):
        return False
    return node.head.lemma_.lower() in screen_data()["intention_nouns"]
