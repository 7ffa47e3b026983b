"""Verbal events the lexicon has no word for: a small learned classifier over speaker–actor pairs.

Much of what politicians do to each other is said, in words no trigger list can hold: "I give
him the most valuable player award", "Her judgment was not right", "He lacks the temperament
to lead." For every sentence whose speaker is known (a quote's speaker, or the actor subject of
the sentence) and every other actor the sentence names, a multinomial logistic model over the
words of the sentence and of the actor's neighbourhood says whether the speaker ACCUSEs,
SUPPORTs, REQUESTs something of, or REJECTs that actor — or none of these.

The weights (data/speech.json) are trained by `training/train_speech.py` on the project's own
annotations (never on evaluation gold). Scoring is a sum of weights and a softmax; the word
with the largest weight for the chosen type is the event's trigger, so every event shows why.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from tidings.records import Mention, Participant, Quote, participant_from_mention

TYPES = ("ACCUSE", "SUPPORT", "REQUEST", "REJECT")
CONTENT_POS = frozenset({"NOUN", "VERB", "ADJ", "ADV", "PROPN"})
ACTOR_LABELS = frozenset({"PERSON", "ORG", "NORP", "GPE"})
NEGATIONS = frozenset({"not", "n't", "never", "no"})


@dataclass
class Pair:
    """A speaker and an actor spoken of in one sentence."""

    sentence: object  # spaCy Span
    speaker: Participant
    target: Mention
    quote: Quote | None
    features: dict[str, float] = field(default_factory=dict)
    words: dict[str, object] = field(default_factory=dict)  # feature name → the token it came from


@dataclass
class SpeechModel:
    classes: tuple[str, ...]
    weights: dict[str, dict[str, float]]  # class → feature → weight
    bias: dict[str, float]
    threshold: float
    meta: dict = field(default_factory=dict)

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls) -> "SpeechModel | None":
        path = resources.files("tidings.events").joinpath("data/speech.json")
        if not path.is_file():
            return None
        raw = json.loads(path.read_text("utf-8"))
        return cls(classes=tuple(raw["classes"]), weights=raw["weights"], bias=raw["bias"],
                   threshold=raw["threshold"], meta=raw.get("meta", {}))

    def probabilities(self, features: dict[str, float]) -> dict[str, float]:
        scores = {c: self.bias.get(c, 0.0) + sum(self.weights.get(c, {}).get(f, 0.0) * v for f, v in features.items())
                  for c in self.classes}
        top = max(scores.values())
        exp = {c: math.exp(s - top) for c, s in scores.items()}
        total = sum(exp.values())
        return {c: e / total for c, e in exp.items()}


def pairs(doc, mentions: list[Mention], quotes: list[Quote]) -> list[Pair]:
    """Every (speaker, other actor) pair of the document's sentences, with its features."""
    by_sentence: dict[int, list[Mention]] = {}
    for mention in mentions:
        if not _is_actor(mention):
            continue
        span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
        if span is not None:
            by_sentence.setdefault(span[0].sent.start, []).append(mention)
    found = []
    for sentence in doc.sents:
        actors = by_sentence.get(sentence.start, [])
        if not actors:
            continue
        for speaker, quote in _speakers(sentence, actors, quotes, doc):
            for target in actors:
                if _same(speaker, target):
                    continue
                pair = Pair(sentence, speaker, target, quote)
                _features(pair, doc)
                found.append(pair)
    return found


def _is_actor(mention: Mention) -> bool:
    actor = mention.actor
    if actor is None:
        return False
    if (actor.how or "").startswith("place") or actor.how == "place":
        return False
    return bool(actor.country or actor.sector) or mention.label in ("PERSON", "ORG")


def _same(a: Participant, b: Mention) -> bool:
    if a.start < b.end and b.start < a.end:
        return True
    name = b.actor.name if b.actor else None
    return bool(a.name and name and a.name == name)


def _speakers(sentence, actors: list[Mention], quotes: list[Quote], doc) -> list[tuple[Participant, Quote | None]]:
    """The sentence's speakers: those of the quotes it overlaps, else its actor subject."""
    out: list[tuple[Participant, Quote | None]] = []
    for quote in quotes:
        speaker = quote.speaker
        if speaker is None or not (speaker.country or speaker.sector or speaker.name):
            continue
        if quote.start < sentence.end_char and sentence.start_char < quote.end \
                and all((p.start, p.end) != (speaker.start, speaker.end) for p, _ in out):
            out.append((speaker, quote))
    if out:
        return out[:2]
    root = sentence.root
    for child in root.children:
        if child.dep_ in ("nsubj", "nsubjpass"):
            for mention in actors:
                if mention.start <= child.idx < mention.end:
                    return [(participant_from_mention(mention), None)]
    return []


def _features(pair: Pair, doc) -> None:
    f, words = pair.features, pair.words
    sentence = pair.sentence
    target = doc.char_span(pair.target.start, pair.target.end, alignment_mode="expand")
    negated = False
    for token in sentence:
        if token.lower_ in NEGATIONS:
            negated = True
        if token.pos_ in CONTENT_POS and not token.is_stop and token.is_alpha and token.ent_type_ not in ACTOR_LABELS:
            name = f"w={token.lemma_.lower()}"
            f[name] = 1.0
            words.setdefault(name, token)
    if target is not None:
        head = target.root
        f[f"tdep={head.dep_}"] = 1.0
        f[f"thead={head.head.lemma_.lower()}"] = 1.0
        words.setdefault(f"thead={head.head.lemma_.lower()}", head.head)
        for token in doc[max(sentence.start, target.start - 3):min(sentence.end, target.end + 3)]:
            if token.is_alpha and not token.is_stop and token.ent_type_ not in ACTOR_LABELS:
                name = f"near={token.lemma_.lower()}"
                f[name] = 1.0
                words.setdefault(name, token)
        if pair.quote is not None and pair.quote.start <= pair.target.start < pair.quote.end:
            f["target_in_quote"] = 1.0
    if pair.quote is None:
        f["speaker=subject"] = 1.0
    else:
        f["speaker=direct" if pair.quote.direct else "speaker=indirect"] = 1.0
    if negated:
        f["negated"] = 1.0
    if sentence.text.rstrip().endswith("?"):
        f["question"] = 1.0
    f[f"tsec={pair.target.actor.sector if pair.target.actor and pair.target.actor.sector else 'none'}"] = 1.0
    f[f"ssec={pair.speaker.sector or 'none'}"] = 1.0


def trigger_word(pair: Pair, model: SpeechModel, kind: str):
    """The token whose feature weighs most for `kind` (the event's trigger: what the model read)."""
    weights = model.weights.get(kind, {})
    best, best_weight = None, 0.0
    for name, token in pair.words.items():
        weight = weights.get(name, 0.0)
        if weight > best_weight:
            best, best_weight = token, weight
    return best if best is not None else pair.sentence.root
