"""The event verifier: how likely a candidate event is one a careful coder would code.

The coder's rules propose candidates; the verifier scores each with a logistic model over
features of the candidate in its article (its rule and trigger, what kind of actor each side
is, factuality, whether it sits in a quote or a question, how much the article reads like a
sports, market or disaster report, …). The score is the event's `confidence`; events under
the model's threshold (or `min_confidence`) are not emitted.

The weights (data/verifier.json) are trained by `training/train_verifier.py` on annotations
written for this project (never on evaluation gold). They are plain numbers read with the
standard library: scoring is a sum of weights and a sigmoid, deterministic and cheap.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from spacy.attrs import IS_ALPHA, LEMMA

from tidings.events.screen import screen_data

QUAD = {"AGREE": "verbal_coop", "CONSULT": "verbal_coop", "SUPPORT": "verbal_coop", "CONCEDE": "material_coop",
        "COOPERATE": "material_coop", "AID": "material_coop", "RETREAT": "material_coop", "REQUEST": "verbal_conflict",
        "ACCUSE": "verbal_conflict", "REJECT": "verbal_conflict", "THREATEN": "verbal_conflict",
        "PROTEST": "material_conflict", "SANCTION": "material_conflict", "MOBILIZE": "material_conflict",
        "COERCE": "material_conflict", "ASSAULT": "material_conflict"}
MODALS = frozenset({"would", "could", "might", "may", "should", "can", "must", "'d"})
PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i", "you", "him", "her", "them", "us", "me"})


@dataclass
class VerifierModel:
    weights: dict[str, float]
    bias: float
    threshold: float
    meta: dict = field(default_factory=dict)

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls) -> "VerifierModel":
        path = resources.files("tidings.events").joinpath("data/verifier.json")
        if not path.is_file():
            return cls(weights={}, bias=0.0, threshold=0.0, meta={"untrained": True})
        raw = json.loads(path.read_text("utf-8"))
        return cls(weights=raw["weights"], bias=raw["bias"], threshold=raw["threshold"], meta=raw.get("meta", {}))

    def score(self, features: dict[str, float]) -> float:
        if self.meta.get("untrained"):
            return 1.0
        z = self.bias + sum(self.weights.get(name, 0.0) * value for name, value in features.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def genres(doc) -> tuple[dict[str, float], int]:
    """Share of an article's words (per 100) that belong to each domain of data/screen.yaml
    `domains` (sports, markets, disaster, …), and the number of words: events in a match report
    are rarely political."""
    domains = screen_data()["domains"]
    rows = doc.to_array([IS_ALPHA, LEMMA]).tolist() if len(doc) else []
    lemmas = Counter(lemma for alpha, lemma in rows if alpha)
    words = sum(lemmas.values())
    strings = doc.vocab.strings
    counts: Counter = Counter()
    for key, n in lemmas.items():
        lemma = strings[key].lower()
        for name, vocabulary in domains.items():
            if lemma in vocabulary:
                counts[name] += n
    shares = {name: 100.0 * counts[name] / max(words, 1) for name in domains}
    return shares, words


def features(event, token, kinds: tuple[str, str], context: "ArticleContext") -> dict[str, float]:
    """Features of one candidate: `token` is its trigger word, `kinds` the source/target kinds
    of events/screen.py."""
    rule = event.rule.split("!")[0]
    base, _, suffix = rule.partition("+")
    family = base.split(".")[0]
    src_kind, tgt_kind = kinds
    kind = event.type
    # Only what holds for any type and trigger: how well sourced and targeted the event is, what
    # kind of sentence and article it sits in. No feature names a type, rule or word, so that an
    # event type rare in the training articles (a troop deployment among campaign stories) is not
    # judged unlikely for being rare there.
    f: dict[str, float] = {
        f"family={family}": 1.0, f"src={src_kind}": 1.0, f"tgt={tgt_kind}": 1.0,
        f"fact={event.factuality}": 1.0, f"pos={token.pos_}": 1.0,
        f"quad={QUAD.get(kind, 'other')}": 1.0,
    }
    if suffix:
        f[f"suffix={suffix}"] = 1.0
    for side, parts in (("src", event.source), ("tgt", event.target)):
        if any(p.sector for p in parts):
            f[f"{side}_sector"] = 1.0
        if any(p.country for p in parts):
            f[f"{side}_country"] = 1.0
        if len(parts) > 1:
            f[f"{side}_many"] = 1.0
        for p in parts[:1]:
            f[f"{side}_words={_word_class(p.text)}"] = 1.0
    src_codes = {(p.country, p.sector) for p in event.source if p.country}
    tgt_codes = {(p.country, p.sector) for p in event.target if p.country}
    if src_codes & tgt_codes:
        f["self_dyad"] = 1.0
    elif {c for c, _ in src_codes} & {c for c, _ in tgt_codes}:
        f["same_country"] = 1.0
    if event.background:
        f["background"] = 1.0
    sentence = token.sent
    if sentence.text.rstrip().endswith("?"):
        f["question"] = 1.0
    if sentence.start == 0:
        f["first_sentence"] = 1.0
    length = len(sentence)
    f["len=" + ("short" if length < 10 else "mid" if length < 30 else "long" if length < 50 else "very_long")] = 1.0
    if context.in_quote(token.idx):
        f["in_quote"] = 1.0
    clause = token.head if token.dep_ in ("xcomp", "ccomp") else token
    if any(c.dep_ == "aux" and c.lower_ in MODALS for n in (token, clause) for c in n.children):
        f["modal"] = 1.0
    if any(c.dep_ == "neg" for c in token.children):
        f["negated"] = 1.0
    f[f"dep={token.dep_}"] = 1.0
    if sentence.start == 0 and not sentence.text.rstrip().endswith((".", '"', "”")):
        f["headline"] = 1.0
    f[f"politics={context.politics}"] = 1.0
    # where the sentence stands: a headline and lead state the article's news, the later
    # paragraphs background and reactions ("Sentence 0" is the headline or first sentence)
    index = context.sentence_index(sentence.start)
    f["sentence=" + ("0" if index == 0 else "1" if index == 1 else "2-3" if index < 4
                     else "4-9" if index < 10 else "10+")] = 1.0
    for name, density in context.genres.items():
        if density >= 1.0:
            f[f"genre={name}"] = 1.0
            if density >= 3.0:
                f[f"genre={name}:high"] = 1.0
    return f


def _word_class(text: str) -> str:
    """What a participant's words are: first/second/third-person pronoun, a name, a phrase."""
    words = text.split()
    lower = text.lower()
    if lower in ("i", "me", "we", "us"):
        return "first_person"
    if lower in ("you",):
        return "second_person"
    if lower in PRONOUNS:
        return "pronoun"
    if all(w[:1].isupper() for w in words if w.isalpha() and w.lower() not in ("the", "of", "and", "for")):
        return "name"
    return "phrase"


class ArticleContext:
    """What the verifier reads once per article: domain densities, direct-quote spans and where
    each sentence begins."""

    def __init__(self, doc, quotes=None, mentions=None) -> None:
        self.genres, words = genres(doc)
        self._quotes = sorted((q.start, q.end) for q in (quotes or []) if q.direct)
        self._sentence_starts = [sentence.start for sentence in doc.sents]
        political = sum(1 for m in mentions or [] if m.actor is not None
                        and m.actor.sector in screen_data()["political_sectors"])
        density = 100.0 * political / max(len(doc), 1)
        self.politics = "none" if political == 0 else "low" if density < 1.0 else "mid" if density < 3.0 else "high"
        rule = screen_data()["nonpolitical"]
        share = sum(self.genres.values())
        self.nonpolitical = words >= rule["min_words"] and share >= rule["min_share"] and share >= rule["ratio"] * density

    def admits(self, event) -> bool:
        """In a disaster, accident, market, sports or weather report only an event between two
        political actors is coded (data/screen.yaml `nonpolitical`)."""
        if not self.nonpolitical:
            return True
        sectors = screen_data()["political_sectors"]
        return any(p.sector in sectors for p in event.source) and any(p.sector in sectors for p in event.target)

    def sentence_index(self, start: int) -> int:
        """The number of the sentence beginning at token `start` (0: the headline or first one)."""
        return bisect_right(self._sentence_starts, start) - 1

    def in_quote(self, offset: int) -> bool:
        return any(start <= offset < end for start, end in self._quotes)
