"""Factuality of an event from its clause: asserted | hypothetical | future | negated.

("reported" and "denied" are set later by the quotes stage.) The cues live in
data/factuality.yaml. The clause of a trigger is the trigger itself, the nouns and verbs it
hangs from, up to (not including) a speech verb that reports it or the sentence root.
"""

from __future__ import annotations

from tidings.events.args import is_relative_clause, object_gap
from tidings.events.lexicon import Lexicon

CLIMB_DEPS = frozenset({"xcomp", "conj", "acomp", "advcl", "pcomp", "pobj", "prep", "dobj", "nsubj", "nsubjpass",
                        "attr", "appos", "acl", "oprd", "compound", "amod", "relcl"})
VERBAL = ("VERB", "AUX")


def factuality(trigger, lexicon: Lexicon) -> str:
    """The factuality of the event triggered by `trigger` (a spaCy token)."""
    cues = lexicon.cues
    found: set[str] = set()
    node = trigger
    for _ in range(14):
        _own_cues(node, cues, found)
        head = node.head
        if head.i == node.i:
            break
        if node.dep_ == "ccomp" and head.lemma_ in lexicon.speech_verbs:
            break  # the reporting clause's modality is not the event's
        if node.dep_ not in CLIMB_DEPS and node.dep_ != "ccomp":
            break
        if node.pos_ in VERBAL and (is_relative_clause(node) or object_gap(node, _verb_entry(node, lexicon))):
            break  # "a demand that X rejected": the relative clause keeps its own modality
        _link_cues(node, head, cues, found)
        if node.dep_ in ("relcl", "acl") and node.pos_ in VERBAL:
            break  # a relative or complement clause keeps its own modality
        node = head
    for value in ("negated", "hypothetical", "future"):
        if value in found:
            return value
    return "asserted"


def _own_cues(node, cues, found: set[str]) -> None:
    for child in node.children:
        word = child.lower_
        if child.dep_ == "neg" or (child.dep_ == "det" and word == "no"):
            found.add("negated")
        elif child.dep_ in ("aux", "auxpass"):
            if word in cues["hypothetical_modals"]:
                found.add("hypothetical")
            elif word in cues["future_modals"] or (child.lemma_ == "go" and child.tag_ == "VBG"):
                found.add("future")
        elif child.dep_ in ("mark", "advmod") and word in cues["conditional_marks"]:
            found.add("hypothetical")
        elif child.dep_ == "amod" and word in cues["future_adjectives"] and node.pos_ not in VERBAL:
            found.add("hypothetical" if word in ("possible", "potential", "further") else "future")
        elif child.dep_ == "advmod" and word == "never":
            found.add("negated")


def _link_cues(node, head, cues, found: set[str]) -> None:
    lemma = head.lemma_.lower()
    if node.dep_ in ("xcomp", "ccomp", "advcl", "pcomp") or (node.dep_ == "pobj" and head.pos_ == "ADP"):
        if lemma in cues["negating_governors"] and node.dep_ == "xcomp":
            found.add("negated")
        elif lemma in cues["future_governors"] and node.dep_ in ("xcomp", "ccomp"):
            found.add("future")
        elif lemma in cues["hypothetical_governors"]:
            found.add("hypothetical")
        if node.dep_ == "advcl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in node.children):
            found.add("hypothetical")  # purpose: "… to deter aggression"
    if node.dep_ == "pobj" and head.lower_ == "without":
        found.add("negated")
    if head.pos_ in ("NOUN", "PROPN") and lemma in cues["hypothetical_nouns"] and node.dep_ in ("pobj", "prep", "acl", "pcomp"):
        found.add("hypothetical")
    if node.dep_ == "prep" and head.pos_ in ("NOUN",) and lemma in cues["hypothetical_nouns"]:
        found.add("hypothetical")


def _verb_entry(token, lexicon: Lexicon):
    entries = lexicon.verbs.get(token.lemma_.lower())
    return entries[-1] if entries else None
