"""Evaluation of the PLOVER event coder on PLV-format TSV (one gold row per sentence, source, target).

Columns used: `sentence`, `marked_sentence` (source in <s>…</s>, target in <t>…</t>; falls back
to `source`/`target` text search), `gold_root` (15 types; YIELD stands for CONCEDE + RETREAT).
A participant matches a marked span with its own span or, when it is a resolved pronoun or
description, with the span of the antecedent it refers to (`refers_to`).

    python -m tidings.eval.plover ../shared/eval/plover/PLV_train.tsv
"""

from __future__ import annotations

import csv
import logging
import json
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tidings.records import Event, Participant

YIELD_TYPES = {"CONCEDE": "YIELD", "RETREAT": "YIELD"}
PLV_TYPES = ("AGREE", "CONSULT", "SUPPORT", "YIELD", "COOPERATE", "AID", "REQUEST", "ACCUSE", "REJECT",
             "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT")
NONE = "NONE"
log = logging.getLogger(__name__)
TAG = re.compile(r"</?[st]>")

csv.field_size_limit(10**7)


@dataclass
class GoldRow:
    sentence: str
    gold: str
    source: list[tuple[int, int]] = field(default_factory=list)
    target: list[tuple[int, int]] = field(default_factory=list)


def plv_type(event_type: str) -> str:
    return YIELD_TYPES.get(event_type, event_type)


def read_rows(tsv_path: str | Path) -> list[GoldRow]:
    rows = []
    with open(tsv_path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        missing = [c for c in ("sentence", "gold_root") if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{tsv_path} is no PLV TSV: no column {', '.join(missing)} in its header"
                             " (sentence, source, target, gold_root; tab-separated)")
        for raw in reader:
            sentence = raw["sentence"]
            source, target = _marked_spans(raw.get("marked_sentence") or "", sentence)
            if not source:
                source = _find(sentence, raw.get("source", ""))
            if not target:
                target = _find(sentence, raw.get("target", ""))
            rows.append(GoldRow(sentence, raw["gold_root"].strip().upper(), source, target))
    return rows


def _marked_spans(marked: str, sentence: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Char spans of <s>…</s> and <t>…</t> in the unmarked text (must equal `sentence`)."""
    plain, spans, opened, pos = [], {"s": [], "t": []}, {}, 0
    for match in TAG.finditer(marked):
        plain.append(marked[pos:match.start()])
        offset = sum(len(p) for p in plain)
        tag = match.group(0)
        kind = tag.strip("</>")
        if tag.startswith("</"):
            if kind in opened:
                spans[kind].append((opened.pop(kind), offset))
        else:
            opened[kind] = offset
        pos = match.end()
    plain.append(marked[pos:])
    if "".join(plain).strip() != sentence.strip():
        return [], []
    return spans["s"], spans["t"]


def _find(sentence: str, text: str) -> list[tuple[int, int]]:
    text = text.strip()
    if not text:
        return []
    start = sentence.find(text)
    return [(start, start + len(text))] if start >= 0 else []


def _overlap(parts: list[Participant], spans: list[tuple[int, int]]) -> int:
    """Characters of the gold spans a side covers: a participant's own span, or for a pronoun or
    description the antecedent it refers to ("Russia said it …": "it" names "Russia")."""
    return sum(max(0, min(a, e) - max(b, s)) for p in parts for b, a in _spans(p) for s, e in spans)


def _spans(p: Participant) -> list[tuple[int, int]]:
    spans = [(p.start, p.end)]
    if p.refers_to is not None:
        spans.append((p.refers_to.start, p.refers_to.end))
    return spans


def _predict(row: GoldRow, events: list[Event]) -> str:
    """The type of the event overlapping the gold source and target best: both spans beat one;
    ties go to more overlapping characters, then to an asserted event, then to the earliest."""
    best, best_key = None, (0, 0, 0)
    for event in events:
        src, tgt = _overlap(event.source, row.source), _overlap(event.target, row.target)
        key = ((src > 0) + (tgt > 0), src + tgt, event.factuality == "asserted")
        if key[0] and key > best_key:
            best, best_key = event, key
    if best is None and events:
        best = events[0]
    return plv_type(best.type) if best is not None else NONE


def _hit(row: GoldRow, events: list[Event]) -> bool:
    return any(plv_type(e.type) == row.gold and _overlap(e.source, row.source) > 0
               and _overlap(_target_side(e), row.target) > 0 for e in events)


def _target_side(event: Event) -> list[Participant]:
    """The side a gold target is looked for in: a reciprocal event ("A and B met", "talks between
    A and B") codes all its parties as sources and no target, so a PLV row that marks one party
    as the source and the other as the target finds both among the sources."""
    if not event.target and len(event.source) >= 2:
        return event.source
    return event.target


def evaluate(tsv_path: str | Path, coder=None, nlp=None, progress=None) -> dict[str, Any]:
    """Score the coder on a PLV TSV: typed-pair recall, type accuracy, macro-F1, per-type
    scores, confusion matrix, events per sentence, precision proxy and sentences/s.
    `progress(done, total)` hears of each sentence coded."""
    from tidings.actors import ActorResolver
    from tidings.events import EventCoder
    from tidings.nlp import load_model
    from tidings.nlp.casing import parse

    rows = read_rows(tsv_path)
    nlp = nlp or load_model()
    coder = coder or EventCoder()
    resolver = ActorResolver()
    sentences = list(dict.fromkeys(r.sentence for r in rows))
    started = time.perf_counter()
    events_by_sentence: dict[str, list[Event]] = {}
    failures = 0
    for number, (sentence, doc) in enumerate(zip(sentences, parse(nlp, sentences, resolver.knows_name)), 1):
        try:
            mentions = resolver.find_mentions(doc, published=None)
        except Exception:  # the actors stage is not under test here: code without mentions
            failures += 1
            mentions = []
        events_by_sentence[sentence] = coder.code(doc, mentions, published=None)
        if progress:
            progress(number, len(sentences))
    elapsed = time.perf_counter() - started
    if failures:
        log.warning("mention finder failed on %d of %d sentences", failures, len(sentences))
    report = _score(rows, events_by_sentence, len(sentences) / elapsed if elapsed else 0.0)
    report["mention_failures"] = failures
    return report


def _score(rows: list[GoldRow], events_by_sentence: dict[str, list[Event]], speed: float) -> dict[str, Any]:
    confusion: dict[str, Counter] = defaultdict(Counter)
    hits = correct = 0
    for row in rows:
        events = events_by_sentence.get(row.sentence, [])
        hits += _hit(row, events)
        predicted = _predict(row, events)
        correct += predicted == row.gold
        confusion[row.gold][predicted] += 1
    per_type = {}
    for label in PLV_TYPES:
        tp = confusion[label][label]
        predicted = sum(c[label] for c in confusion.values())
        gold = sum(confusion[label].values())
        precision = tp / predicted if predicted else 0.0
        recall = tp / gold if gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_type[label] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                           "support": gold}
    gold_types: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        gold_types[row.sentence].add(row.gold)
    emitted = [(s, e) for s, events in events_by_sentence.items() for e in events]
    typed_ok = sum(plv_type(e.type) in gold_types[s] for s, e in emitted)
    return {
        "rows": len(rows),
        "sentences": len(events_by_sentence),
        "typed_pair_recall": round(hits / len(rows), 4) if rows else 0.0,
        "type_accuracy": round(correct / len(rows), 4) if rows else 0.0,
        "macro_f1": round(sum(v["f1"] for v in per_type.values()) / len(PLV_TYPES), 4),
        "per_type": per_type,
        "confusion": {gold: dict(counter) for gold, counter in sorted(confusion.items())},
        "events_per_sentence": round(len(emitted) / len(events_by_sentence), 4) if events_by_sentence else 0.0,
        "event_type_precision": round(typed_ok / len(emitted), 4) if emitted else 0.0,
        "sentences_per_second": round(speed, 1),
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        sys.stderr.write("usage: python -m tidings.eval.plover PLV.tsv\n")
        return 2
    report = evaluate(args[0])
    sys.stdout.write(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
