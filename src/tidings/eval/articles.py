"""Whole-article evaluation: every event tidings emits for an article against every event a
careful coder would code in it (gold in the format of shared/eval/articles/GUIDE.md).

Gold: JSON Lines, one event per line: {"doc", "sentence", "trigger", "type", "alt_types",
"source": [{"country", ...}], "target": [...], "required", ...}. Texts: `TEXT_DIR/<doc>`, run
through the same pipeline as `tidings ingest` (publication date from a `_YYYY-MM-DD_` part of
the file name when present).

Matching (fixed, so that figures from any tool agree):
- same sentence: after lower-casing, collapsing whitespace and unifying curly quotes and
  dashes, one sentence contains the other or their word-token Jaccard is >= 0.6;
- type match: same sentence and emitted type = gold `type` or in `alt_types`;
- dyad match: type match, and the source countries overlap (or both sides have none) and the
  target countries overlap (or both have none);
- one-to-one (maximum matching), required gold events first, then optional ones;
  precision = emitted events matched to any gold event / emitted events;
  recall = required gold events matched / required gold events.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tidings.records import Event

DATE_IN_NAME = re.compile(r"_(\d{4}-\d{2}-\d{2})_")
WORD = re.compile(r"\w+")
QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "‘": "'", "’": "'",
                        "‚": "'", "‛": "'", "–": "-", "—": "-", "―": "-", "‒": "-", "−": "-", "‐": "-",
                        "‑": "-"})
SPACE = re.compile(r"\s+")
JACCARD = 0.6


@dataclass
class GoldEvent:
    doc: str
    sentence: str
    type: str
    alt_types: tuple[str, ...]
    source: frozenset[str]
    target: frozenset[str]
    required: bool
    trigger: str = ""
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def types(self) -> frozenset[str]:
        return frozenset((self.type, *self.alt_types))


@dataclass
class Emitted:
    doc: str
    sentence: str
    type: str
    source: frozenset[str]
    target: frozenset[str]
    trigger: str
    rule: str
    confidence: float | None = None


def normalise(sentence: str) -> str:
    return SPACE.sub(" ", sentence.translate(QUOTES).lower()).strip()


def _tokens(sentence: str) -> frozenset[str]:
    return frozenset(WORD.findall(sentence))


def same_sentence(a: str, b: str) -> bool:
    """Both already normalised."""
    if not a or not b:
        return False
    if a in b or b in a:
        return True
    ta, tb = _tokens(a), _tokens(b)
    union = ta | tb
    return bool(union) and len(ta & tb) / len(union) >= JACCARD


def _countries(parts: list[dict[str, Any]]) -> frozenset[str]:
    return frozenset(p["country"] for p in parts if p.get("country"))


def read_gold(path: str | Path) -> list[GoldEvent]:
    gold = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            gold.append(GoldEvent(
                doc=row["doc"], sentence=normalise(row["sentence"]), type=row["type"],
                alt_types=tuple(row.get("alt_types") or ()), source=_countries(row.get("source") or []),
                target=_countries(row.get("target") or []), required=bool(row.get("required", True)),
                trigger=row.get("trigger") or "", raw=row))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: not a gold event ({exc})") from exc
    return gold


def published_from_name(name: str) -> str | None:
    found = DATE_IN_NAME.search(name)
    return found.group(1) if found else None


def emitted_events(doc: str, events: list[Event], text: str) -> list[Emitted]:
    out = []
    for event in events:
        sentence = text[event.sentence.start:event.sentence.end] if text else event.sentence.text
        out.append(Emitted(
            doc=doc, sentence=normalise(sentence or event.sentence.text), type=event.type,
            source=frozenset(p.country for p in event.source if p.country),
            target=frozenset(p.country for p in event.target if p.country),
            trigger=event.trigger.text, rule=event.rule, confidence=getattr(event, "confidence", None)))
    return out


def type_match(e: Emitted, g: GoldEvent) -> bool:
    return e.type in g.types and same_sentence(e.sentence, g.sentence)


def dyad_match(e: Emitted, g: GoldEvent) -> bool:
    return type_match(e, g) and _sides(e.source, g.source) and _sides(e.target, g.target)


def _sides(emitted: frozenset[str], gold: frozenset[str]) -> bool:
    return bool(emitted & gold) or (not emitted and not gold)


def match(emitted: list[Emitted], gold: list[GoldEvent], ok) -> dict[int, int]:
    """Maximum one-to-one matching emitted index → gold index: required gold first (a maximum
    matching on them), then augmented with optional gold without losing any required match."""
    edges = {i: [j for j, g in enumerate(gold) if ok(e, g)] for i, e in enumerate(emitted)}
    required = {j for j, g in enumerate(gold) if g.required}
    owner: dict[int, int] = {}  # gold → emitted

    def augment(i: int, allowed: set[int], seen: set[int]) -> bool:
        for j in edges[i]:
            if j not in allowed or j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], allowed, seen):
                owner[j] = i
                return True
        return False

    for i in edges:
        augment(i, required, set())
    everything = set(range(len(gold)))
    matched = set(owner.values())
    for i in edges:  # free emitted events may still take optional gold (or shift along paths)
        if i not in matched and augment(i, everything, set()):
            matched = set(owner.values())
    return {i: j for j, i in owner.items()}


def score(emitted: list[Emitted], gold: list[GoldEvent]) -> dict[str, Any]:
    """Type and dyad precision/recall over all documents, per type, and the false/missed lists."""
    by_doc_e: dict[str, list[Emitted]] = defaultdict(list)
    by_doc_g: dict[str, list[GoldEvent]] = defaultdict(list)
    for e in emitted:
        by_doc_e[e.doc].append(e)
    for g in gold:
        by_doc_g[g.doc].append(g)
    report: dict[str, Any] = {"documents": len(by_doc_g), "emitted": len(emitted),
                              "gold_required": sum(g.required for g in gold), "gold_optional": sum(not g.required for g in gold)}
    per_type: dict[str, Counter] = defaultdict(Counter)
    per_rule: dict[str, Counter] = defaultdict(Counter)
    false, missed, wrong_dyad = [], [], []
    for level, ok in (("type", type_match), ("dyad", dyad_match)):
        tp_emitted = tp_required = 0
        for doc in sorted(set(by_doc_e) | set(by_doc_g)):
            es, gs = by_doc_e.get(doc, []), by_doc_g.get(doc, [])
            pairs = match(es, gs, ok)
            tp_emitted += len(pairs)
            hit_required = {j for j in pairs.values() if gs[j].required}
            tp_required += len(hit_required)
            for i, e in enumerate(es):
                per_type[e.type][f"{level}_emitted"] += 1
                per_type[e.type][f"{level}_correct"] += i in pairs
                per_rule[e.rule][f"{level}_emitted"] += 1
                per_rule[e.rule][f"{level}_correct"] += i in pairs
                if i not in pairs:
                    if level == "type":
                        false.append(_emitted_row(e))
                    elif type_match_any(e, gs):
                        wrong_dyad.append(_emitted_row(e) | {"gold": _dyad_of(e, gs)})
            for j, g in enumerate(gs):
                if g.required:
                    per_type[g.type][f"{level}_gold"] += 1
                    per_type[g.type][f"{level}_found"] += j in hit_required
                    if level == "type" and j not in hit_required:
                        missed.append(_gold_row(g))
        precision = tp_emitted / len(emitted) if emitted else 0.0
        recall = tp_required / report["gold_required"] if report["gold_required"] else 0.0
        report[f"{level}_precision"] = round(precision, 4)
        report[f"{level}_recall"] = round(recall, 4)
        report[f"{level}_f1"] = round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0
    report["per_type"] = {
        t: {
            "emitted": c["type_emitted"], "gold": c["type_gold"],
            "type_precision": _ratio(c["type_correct"], c["type_emitted"]),
            "type_recall": _ratio(c["type_found"], c["type_gold"]),
            "dyad_precision": _ratio(c["dyad_correct"], c["dyad_emitted"]),
            "dyad_recall": _ratio(c["dyad_found"], c["dyad_gold"]),
        } for t, c in sorted(per_type.items())}
    report["per_rule"] = {
        r: {"emitted": c["type_emitted"], "type_precision": _ratio(c["type_correct"], c["type_emitted"]),
            "dyad_precision": _ratio(c["dyad_correct"], c["dyad_emitted"])}
        for r, c in sorted(per_rule.items(), key=lambda kv: -kv[1]["type_emitted"])}
    report["false"] = false
    report["missed"] = missed
    report["wrong_dyad"] = wrong_dyad
    return report


def type_match_any(e: Emitted, gold: list[GoldEvent]) -> bool:
    return any(type_match(e, g) for g in gold)


def _dyad_of(e: Emitted, gold: list[GoldEvent]) -> str:
    found = [g for g in gold if type_match(e, g)]
    return "; ".join(f"{'/'.join(sorted(g.source)) or '-'} → {'/'.join(sorted(g.target)) or '-'}" for g in found)


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def _emitted_row(e: Emitted) -> dict[str, Any]:
    return {"doc": e.doc, "type": e.type, "trigger": e.trigger, "rule": e.rule,
            "source": sorted(e.source), "target": sorted(e.target), "confidence": e.confidence,
            "sentence": e.sentence}


def _gold_row(g: GoldEvent) -> dict[str, Any]:
    return {"doc": g.doc, "type": g.type, "trigger": g.trigger, "source": sorted(g.source),
            "target": sorted(g.target), "sentence": g.raw.get("sentence", g.sentence)}


def evaluate(gold_path: str | Path, text_dir: str | Path, pipeline=None,
             min_confidence: float | None = None, progress=None) -> dict[str, Any]:
    """Run the pipeline over the gold's documents in `text_dir` and score them.
    `min_confidence` None keeps the pipeline's default threshold; `progress(done, total)` hears
    of each document."""
    from tidings.ingest import iter_documents
    from tidings.pipeline import Pipeline, PipelineSettings

    gold = read_gold(gold_path)
    text_dir = Path(text_dir)
    # every text in the folder is an article to score (one without gold events holds none: all
    # it emits is false, as for a disaster report), and every gold article must be there
    docs = sorted({g.doc for g in gold} | {p.name for p in text_dir.iterdir()
                                           if p.is_file() and not p.name.startswith(".")})
    missing = [d for d in docs if not (text_dir / d).is_file()]
    if missing:
        raise FileNotFoundError(f"{len(missing)} gold documents are not in {text_dir}: {', '.join(missing[:5])}")
    pipeline = pipeline or Pipeline(PipelineSettings(min_confidence=min_confidence))
    emitted: list[Emitted] = []
    started = time.perf_counter()
    for number, doc in enumerate(docs):
        if progress:
            progress(number, len(docs))
        documents = list(iter_documents([str(text_dir / doc)]))
        for result in pipeline.run(documents, published=published_from_name(doc)):
            if result.status != "ok":
                raise ValueError(f"{doc}: {result.status}: {result.error}")
            emitted += emitted_events(doc, result.events, result.text)
    elapsed = time.perf_counter() - started
    if progress:
        progress(len(docs), len(docs))
    report = score(emitted, gold)
    report["documents"] = len(docs)
    report["documents_without_gold"] = len(set(docs) - {g.doc for g in gold})
    report["min_confidence"] = min_confidence if min_confidence is not None else pipeline.coder.verifier.threshold
    report["articles_per_second"] = round(len(docs) / elapsed, 2) if elapsed else 0.0
    return report
