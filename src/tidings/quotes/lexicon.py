"""The attribution knowledge of tidings.quotes, loaded from `data/cues.yaml` into a frozen record."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from typing import Any

import yaml

KINDS_FROM_NOUNS = ("anonymous", "spokesperson", "document", "official", "outlet")


@dataclass(frozen=True)
class CueVerb:
    id: str
    cls: str  # speech | write | cognition | evidence | learn | directive


@dataclass(frozen=True)
class CueLexicon:
    verbs: dict[str, CueVerb]
    phrases: dict[str, str]  # lower-case phrase → rule id
    statement_frames: dict[str, str]
    speaker_nouns: dict[str, str]  # lemma (or "two words") → attribution kind
    anonymity_markers: frozenset[str]
    person_pronouns: frozenset[str]
    group_pronouns: frozenset[str]
    denial_lemmas: frozenset[str]
    denial_objects: dict[str, str | None]
    confirm_lemmas: frozenset[str]
    refusal_lemmas: frozenset[str]
    negators: frozenset[str]
    outlet_learn_lemmas: frozenset[str]
    double_open: frozenset[str]
    double_close: frozenset[str]
    single_open: frozenset[str]
    single_close: frozenset[str]
    min_unattributed_words: int
    introducing_verbs: frozenset[str] = frozenset()
    nested_cue_rules: tuple[str, ...] = ()
    inherit_cue_rules: tuple[str, ...] = ()
    carrier_nouns: frozenset[str] = frozenset()
    as_clause_verbs: frozenset[str] = frozenset()
    receiving_verbs: frozenset[str] = frozenset()
    as_clause_id: str = "cue.as_clause"
    speaking_lemmas: frozenset[str] = frozenset()  # lemmas of the speech, write, cognition and stance cue verbs
    signature_dashes: str = ""
    xcomp_content: frozenset[str] = frozenset()
    dobj_content: frozenset[str] = frozenset()
    noun_cues: frozenset[str] = frozenset()
    noun_cue_id: str = "cue.noun"
    prep_content: dict[str, frozenset[str]] = field(default_factory=dict)
    raising: frozenset[str] = frozenset()
    raising_id: str = "cue.raising"
    adverb_cues: frozenset[str] = frozenset()
    adjective_cues: frozenset[str] = frozenset()
    adjective_id: str = "cue.adjective"
    adverb_id: str = "cue.adverb"
    form_lemmas: dict[str, str] = field(default_factory=dict)
    dobj_addressee: frozenset[str] = frozenset()
    object_preps: frozenset[str] = frozenset()
    object_tail_preps: frozenset[str] = frozenset()
    noun_content_preps: frozenset[str] = frozenset()
    gender_words: dict[str, str] = field(default_factory=dict)  # pronoun/honorific/first name → gender
    role_titles: dict[str, frozenset[str]] = field(default_factory=dict)  # role noun → abbreviations

    def lemma(self, token) -> str:
        """The token's lemma, lower case, with the model's known lemma slips corrected."""
        return self.form_lemmas.get(token.lower_) or token.lemma_.lower()

    def object_is_content(self, lemma: str) -> bool:
        """Whether a cue verb's direct object is what is reported (not its addressee)."""
        return lemma in self.dobj_content or (lemma in self.verbs and lemma not in self.dobj_addressee)

    @cached_property
    def phrases_by_first_word(self) -> dict[str, list[tuple[list[str], str]]]:
        """`phrases` as (words, rule id) grouped by first word, in `phrases` order (derived, read-only)."""
        out: dict[str, list[tuple[list[str], str]]] = {}
        for phrase, rule in self.phrases.items():
            words = phrase.split()
            out.setdefault(words[0], []).append((words, rule))
        return out

    @property
    def double_marks(self) -> frozenset[str]:
        return self.double_open | self.double_close

    @cached_property
    def double_mark_re(self) -> re.Pattern:
        """A two-character mark (`''`, ``` `` ```) or a double mark (two-character marks first)."""
        return _marks_re(self.double_marks)

    @cached_property
    def single_open_re(self) -> re.Pattern:
        """A two-character mark (skipped by single-quote scanning) or a single opening mark."""
        return _marks_re(self.single_open)


TWO_CHAR_MARKS = ("''", "``")
SPEAKING_CLASSES = ("speech", "write", "cognition", "stance")  # verbs whose subject holds the content


def _marks_re(chars: frozenset[str]) -> re.Pattern:
    singles = sorted(c for c in chars if len(c) == 1)
    return re.compile("|".join([re.escape(m) for m in TWO_CHAR_MARKS] + [re.escape(c) for c in singles]))


def load_lexicon(text: str | None = None) -> CueLexicon:
    """Parse cues.yaml (or `text`, for tests) and validate it."""
    if text is None:
        text = resources.files("tidings.quotes").joinpath("data/cues.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    return _build(raw)


def _build(raw: dict[str, Any]) -> CueLexicon:
    verbs: dict[str, CueVerb] = {}
    for group in raw["verbs"]:
        _require(group, ("id", "class", "lemmas"), "verbs")
        for lemma in group["lemmas"]:
            verbs.setdefault(lemma, CueVerb(group["id"], group["class"]))
    speaker_nouns: dict[str, str] = {}
    for kind in KINDS_FROM_NOUNS:
        for noun in raw["speaker_nouns"].get(kind, []):
            speaker_nouns.setdefault(noun, kind)
    marks = raw["quote_marks"]
    pronouns = raw["pronouns"]
    return CueLexicon(
        verbs=verbs,
        speaking_lemmas=frozenset(lemma for group in raw["verbs"] if group["class"] in SPEAKING_CLASSES
                                  for lemma in group["lemmas"]),
        phrases=_phrase_ids(raw["phrases"]),
        statement_frames=_phrase_ids(raw["statement_frames"]),
        speaker_nouns=speaker_nouns,
        anonymity_markers=frozenset(raw["anonymity_markers"]),
        person_pronouns=frozenset(pronouns["person"]),
        group_pronouns=frozenset(pronouns["group"]),
        denial_lemmas=frozenset(raw["denial_lemmas"]),
        denial_objects=dict(raw["denial_objects"]),
        confirm_lemmas=frozenset(raw["confirm_lemmas"]),
        refusal_lemmas=frozenset(raw["refusal_lemmas"]),
        negators=frozenset(raw["negators"]),
        outlet_learn_lemmas=frozenset(raw["outlet_learn_lemmas"]),
        double_open=frozenset(marks["double_open"]),
        double_close=frozenset(marks["double_close"]),
        single_open=frozenset(marks["single_open"]),
        single_close=frozenset(marks["single_close"]),
        min_unattributed_words=int(raw["min_unattributed_words"]),
        introducing_verbs=frozenset(raw.get("introducing_verbs", [])),
        nested_cue_rules=tuple(raw.get("nested_cue_rules", [])),
        inherit_cue_rules=tuple(raw.get("inherit_cue_rules", [])),
        carrier_nouns=frozenset(raw.get("carrier_nouns", [])),
        receiving_verbs=frozenset(raw.get("receiving_verbs", [])),
        as_clause_verbs=frozenset(raw.get("as_clause_verbs", {}).get("lemmas", [])),
        as_clause_id=raw.get("as_clause_verbs", {}).get("id", "cue.as_clause"),
        signature_dashes="".join(raw.get("signature_dashes", [])),
        xcomp_content=frozenset(raw.get("xcomp_content", [])),
        dobj_content=frozenset(raw.get("dobj_content", [])),
        noun_cues=frozenset(raw.get("noun_cues", {}).get("lemmas", [])),
        noun_cue_id=raw.get("noun_cues", {}).get("id", "cue.noun"),
        prep_content={k: frozenset(v) for k, v in raw.get("prep_content", {}).items()},
        raising=frozenset(raw.get("raising", {}).get("lemmas", [])),
        raising_id=raw.get("raising", {}).get("id", "cue.raising"),
        adverb_cues=frozenset(raw.get("adverb_cues", {}).get("lemmas", [])),
        adjective_cues=frozenset(raw.get("adjective_cues", {}).get("lemmas", [])),
        adjective_id=raw.get("adjective_cues", {}).get("id", "cue.adjective"),
        adverb_id=raw.get("adverb_cues", {}).get("id", "cue.adverb"),
        form_lemmas=dict(raw.get("form_lemmas", {})),
        dobj_addressee=frozenset(raw.get("dobj_addressee", [])),
        object_preps=frozenset(raw.get("object_preps", [])),
        object_tail_preps=frozenset(raw.get("object_tail_preps", [])),
        noun_content_preps=frozenset(raw.get("noun_content_preps", [])),
        gender_words=_gender_words(raw.get("gender", {})),
        role_titles={k: frozenset(v or []) for k, v in raw.get("role_titles", {}).items()},
    )


def _gender_words(raw: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for sex in ("male", "female"):
        for name in raw.get(sex, []):
            out.setdefault(name.lower(), sex)
    out.update({k.lower(): v for k, v in raw.get("honorifics", {}).items()})
    out.update({k.lower(): v for k, v in raw.get("pronouns", {}).items()})
    return out


def _phrase_ids(groups: list[dict[str, Any]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for group in groups:
        _require(group, ("id", "text"), "phrases")
        for phrase in group["text"]:
            out[phrase.lower()] = group["id"]
    return out


def _require(entry: dict[str, Any], keys: tuple[str, ...], section: str) -> None:
    missing = [k for k in keys if k not in entry]
    if missing:
        raise ValueError(f"cues.yaml {section}: entry {entry!r} lacks {missing}")
