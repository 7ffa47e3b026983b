"""Quote/attribution evaluation on PolNeAR-format data (brat standoff attributions).

Layout: `DIR/text/NAME.txt` and `DIR/attributions/NAME_ANNOTATOR.ann`. Each brat event
`E… Attribution:T Content:T Cue:T [Source:T]` is one gold attribution; those with a Content
span are scored. Texts annotated by several annotators are scored against the first
annotation file (sorted by name).

Matching (tokens are `\\w+` runs, so quotation marks and punctuation do not count):
- recall: a gold attribution is found when some emitted item (direct quote or indirect
  attribution) covers ≥ 50 % of the gold content's tokens; items sharing one cue count
  together (`“A,” he said. “B.”` is one gold attribution with a two-part content);
- precision: an emitted item is correct when, for some gold attribution, the overlap is
  ≥ 50 % of the gold content's tokens or ≥ 50 % of the item's own tokens (a partial quote
  inside a gold content is correct);
- "+speaker": in addition, the emitted speaker (the span naming it locally — "he",
  "who", "the spokeswoman" — or the resolved mention) overlaps the gold Source span; a gold
  attribution without a Source requires no emitted speaker.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

WORD = re.compile(r"\w+")
THRESHOLD = 0.5


@dataclass
class GoldAttribution:
    content: list[tuple[int, int]]
    source: list[tuple[int, int]] = field(default_factory=list)
    cue: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Emitted:
    start: int
    end: int
    speaker_spans: list[tuple[int, int]]
    direct: bool
    rule: str
    group: int | None = None  # cue offset: items sharing a cue form one attribution


@dataclass
class Counts:
    gold: int = 0
    emitted: int = 0
    recall_hits: int = 0
    precision_hits: int = 0

    def scores(self) -> dict[str, float]:
        p = self.precision_hits / self.emitted if self.emitted else 0.0
        r = self.recall_hits / self.gold if self.gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def read_ann(path: Path) -> list[GoldAttribution]:
    """Gold attributions with a Content span from one brat .ann file."""
    spans: dict[str, list[tuple[int, int]]] = {}
    events: list[dict[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 2:
            label_and_spans = parts[1].split(" ", 1)
            if len(label_and_spans) == 2:
                spans[parts[0]] = _parse_fragments(label_and_spans[1])
        elif line.startswith("E") and len(parts) >= 2:
            roles = dict(arg.split(":", 1) for arg in parts[1].split() if ":" in arg)
            events.append(roles)
    gold = []
    for roles in events:
        if "Content" not in roles or roles["Content"] not in spans:
            continue
        gold.append(GoldAttribution(
            content=spans[roles["Content"]],
            source=spans.get(roles.get("Source", ""), []),
            cue=spans.get(roles.get("Cue", ""), []),
        ))
    return gold


def _parse_fragments(text: str) -> list[tuple[int, int]]:
    out = []
    for fragment in text.split(";"):
        a, b = fragment.split()
        out.append((int(a), int(b)))
    return out


def documents(directory: Path) -> list[tuple[Path, Path]]:
    """(text file, annotation file) pairs: the first annotator's file for each text."""
    pairs = []
    anns = sorted((directory / "attributions").glob("*.ann"))
    seen: set[str] = set()
    for ann in anns:
        stem = ann.stem.rsplit("_", 1)[0]
        text = directory / "text" / f"{stem}.txt"
        if stem in seen or not text.exists():
            continue
        seen.add(stem)
        pairs.append((text, ann))
    return pairs


def evaluate(directory: Path, extractor=None, nlp=None, limit: int | None = None, progress=None) -> dict[str, Any]:
    """Score the quote extractor on a PolNeAR-format directory; returns scores and speed.
    `progress(done, total)` hears of each document."""
    from tidings.actors import ActorResolver
    from tidings.nlp import load_model
    from tidings.nlp.casing import parse
    from tidings.quotes import QuoteExtractor

    extractor = extractor or QuoteExtractor()
    nlp = nlp or load_model()
    resolver = ActorResolver()
    content, speaker = Counts(), Counts()
    parse_s = extract_s = 0.0
    n_emitted = 0
    pairs = documents(Path(directory))[:limit]
    if not pairs:
        raise ValueError(f"no PolNeAR documents in {directory}: expected attributions/*.ann beside text/*.txt")
    for number, (text_path, ann_path) in enumerate(pairs):
        if progress:
            progress(number, len(pairs))
        text = text_path.read_text(encoding="utf-8")
        gold = read_ann(ann_path)
        t0 = time.perf_counter()
        doc = next(parse(nlp, [text], resolver.knows_name))  # as the pipeline reads it
        mentions = resolver.find_mentions(doc)
        t1 = time.perf_counter()
        emitted = [_emitted(f) for f in extractor.find(doc, mentions)]
        t2 = time.perf_counter()
        parse_s += t1 - t0
        extract_s += t2 - t1
        n_emitted += len(emitted)
        score_document(text, gold, emitted, content, speaker)
    return {
        "documents": len(pairs),
        "gold": content.gold,
        "emitted": content.emitted,
        "content": content.scores(),
        "content_speaker": speaker.scores(),
        "quotes_per_second": round(n_emitted / extract_s, 1) if extract_s else 0.0,
        "docs_per_second_extractor": round(len(pairs) / extract_s, 1) if extract_s else 0.0,
        "docs_per_second_with_parse_and_actors": round(len(pairs) / (parse_s + extract_s), 2) if pairs else 0.0,
    }


def _emitted(found) -> Emitted:
    spans = []
    if found.speaker is not None:
        spans.append((found.speaker.local.start, found.speaker.local.end))
        if found.speaker.participant is not None:
            p = found.speaker.participant
            spans.append((p.start, p.end))
    group = found.cue.span.start if found.cue is not None else None
    return Emitted(found.start, found.end, spans, found.direct, found.rule, group)


def score_document(text: str, gold: list[GoldAttribution], emitted: list[Emitted],
                   content: Counts, speaker: Counts) -> None:
    words = [(m.start(), m.end()) for m in WORD.finditer(text)]
    gold_tokens = [_tokens(words, g.content) for g in gold]
    emitted_tokens = [_tokens(words, [(e.start, e.end)]) for e in emitted]
    content.gold += len(gold)
    speaker.gold += len(gold)
    content.emitted += len(emitted)
    speaker.emitted += len(emitted)
    grouped = _group_tokens(emitted, emitted_tokens)
    for gi, g in enumerate(gold):
        hits = [ei for ei in range(len(emitted)) if _covers_gold(grouped[ei], gold_tokens[gi])]
        content.recall_hits += bool(hits)
        speaker.recall_hits += any(_speaker_ok(emitted[ei], g) for ei in hits)
    for ei, e in enumerate(emitted):
        hits = [gi for gi in range(len(gold)) if _matches(emitted_tokens[ei], gold_tokens[gi])]
        content.precision_hits += bool(hits)
        speaker.precision_hits += any(_speaker_ok(e, gold[gi]) for gi in hits)


def _group_tokens(emitted: list[Emitted], tokens: list[set[int]]) -> list[set[int]]:
    """Each item's tokens united with those of the items sharing its cue (`“A,” he said, “B.”`)."""
    by_group: dict[int, set[int]] = {}
    for e, t in zip(emitted, tokens):
        if e.group is not None:
            by_group.setdefault(e.group, set()).update(t)
    return [by_group[e.group] if e.group is not None else t for e, t in zip(emitted, tokens)]


def _tokens(words: list[tuple[int, int]], spans: list[tuple[int, int]]) -> set[int]:
    return {i for i, (a, b) in enumerate(words) for s, e in spans if a < e and b > s}


def _covers_gold(e: set[int], g: set[int]) -> bool:
    return bool(g) and len(e & g) >= THRESHOLD * len(g)


def _matches(e: set[int], g: set[int]) -> bool:
    overlap = len(e & g)
    return overlap > 0 and (overlap >= THRESHOLD * len(g) or overlap >= THRESHOLD * len(e))


def _speaker_ok(e: Emitted, g: GoldAttribution) -> bool:
    if not g.source:
        return not e.speaker_spans
    return any(a < d and c < b for a, b in e.speaker_spans for c, d in g.source)


def main(argv: list[str] | None = None) -> None:
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    result = evaluate(args.directory, limit=args.limit)
    logging.getLogger(__name__).warning("%s", json.dumps(result))


if __name__ == "__main__":
    main()
