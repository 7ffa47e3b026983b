"""Near-duplicate detection benchmark built from real articles.

    .venv/bin/python benchmarks/dedup_bench.py [--limit N] [--scale N]

Originals: the PolNeAR texts and the Zyte gold article bodies in ../shared (the demo corpus when
absent). For each original we make four kinds of copy:
  republished  boilerplate added around and inside the text
  trimmed      the first 70% of the text
  edited       10% of sentences dropped, 5% of words swapped for a synonym or a neighbour
  rewritten    machine-rewrite style: heavy synonym swaps, clauses split into sentences,
               reordered adverbials
Reports recall per kind (the copy is matched to its original), the false-merge rate among the
distinct originals, and articles/s for index+lookup; with --scale N also the rate on an index
of N articles (originals cycled with a numeric salt so they stay distinct).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

SYNONYMS = {
    "said": "stated", "says": "states", "told": "informed", "sending": "dispatching", "big": "large",
    "large": "big", "help": "assist", "helping": "assisting", "support": "back", "supported": "backed",
    "country": "nation", "people": "individuals", "government": "administration", "officials": "authorities",
    "began": "started", "start": "begin", "end": "finish", "ended": "concluded", "show": "demonstrate",
    "showed": "demonstrated", "important": "significant", "major": "key", "key": "crucial", "many": "numerous",
    "also": "additionally", "however": "nevertheless", "but": "yet", "because": "since", "about": "roughly",
    "around": "approximately", "week": "seven days", "meeting": "gathering", "talks": "discussions",
    "leader": "head", "leaders": "heads", "plan": "proposal", "plans": "proposals", "need": "require",
    "needs": "requires", "want": "wish", "wants": "wishes", "think": "believe", "thinks": "believes",
    "campaign": "bid", "voters": "electorate", "election": "vote", "candidate": "contender", "win": "triumph",
    "won": "secured", "attack": "assault", "attacks": "assaults", "use": "employ", "used": "employed",
    "get": "obtain", "got": "obtained", "make": "create", "made": "created", "new": "fresh", "old": "former",
    "quickly": "rapidly", "often": "frequently", "recent": "latest", "early": "initial", "last": "previous",
    "strong": "robust", "weak": "feeble", "issue": "matter", "issues": "matters", "problem": "challenge",
    "problems": "challenges", "economy": "economic system", "jobs": "employment", "money": "funds",
    "report": "account", "reported": "indicated", "according": "as per", "including": "among them",
    "during": "throughout", "after": "following", "before": "prior to", "while": "whereas",
    "very": "highly", "really": "truly", "just": "merely", "only": "solely", "still": "yet",
    "again": "once more", "whether": "if", "asked": "questioned", "called": "termed", "known": "recognized",
}
BOILERPLATE_TOP = ["Home | World | Politics | Business | Opinion", "Advertisement", "Share this article"]
BOILERPLATE_IN = ["Advertisement", "READ MORE: Officials weigh options as tensions rise",
                  "The story continues below the ad", "Sign up for our daily newsletter"]
BOILERPLATE_END = ["© 2022 The Daily Ledger. All rights reserved.", "Follow us on social media",
                   "Leave a comment"]


def originals(limit: int) -> list[str]:
    texts = []
    polnear = SHARED / "eval" / "quotes" / "polnear"
    for path in sorted(polnear.glob("*/text/*.txt")):
        texts.append(path.read_text(encoding="utf-8"))
    truth = SHARED / "corpus" / "zyte-dev" / "ground-truth.json"
    if truth.exists():
        texts += [v["articleBody"] for v in json.loads(truth.read_text()).values() if v.get("articleBody")]
    if not texts:
        texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").rglob("*.txt"))]
    texts = [t for t in texts if len(t.split()) >= 150]
    random.Random(7).shuffle(texts)
    return texts[:limit]


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?”\"])\s+(?=[A-Z“\"])", text.strip()) if s]


def republished(text: str, rng: random.Random) -> str:
    paras = text.split("\n\n") if "\n\n" in text else sentences(text)
    out = list(BOILERPLATE_TOP)
    for p in paras:
        out.append(p)
        if rng.random() < 0.25:
            out.append(rng.choice(BOILERPLATE_IN))
    return "\n\n".join(out + BOILERPLATE_END)


def trimmed(text: str, rng: random.Random) -> str:
    cut = int(len(text) * 0.7)
    return text[:cut].rsplit(" ", 1)[0]


def swap_words(words: list[str], rate: float, rng: random.Random) -> list[str]:
    out = list(words)
    for i, w in enumerate(out):
        if rng.random() >= rate:
            continue
        bare = w.strip(".,;:!?\"“”'").lower()
        if bare in SYNONYMS:
            out[i] = w.replace(bare, SYNONYMS[bare]) if bare in w else SYNONYMS[bare]
        elif i + 1 < len(out):
            out[i], out[i + 1] = out[i + 1], out[i]
    return out


def edited(text: str, rng: random.Random) -> str:
    kept = [s for s in sentences(text) if rng.random() >= 0.10]
    return " ".join(swap_words(" ".join(kept).split(" "), 0.05, rng))


def rewritten(text: str, rng: random.Random) -> str:
    out = []
    for s in sentences(text):
        s = re.sub(r", (and|but|while|as) ", lambda m: f". {m.group(1).capitalize()} ", s, count=1)
        words = s.split(" ")
        words = [SYNONYMS.get(w.lower(), w) if rng.random() < 0.8 else w for w in words]
        out.append(" ".join(words))
    return " ".join(out)


KINDS = {"republished": republished, "trimmed": trimmed, "edited": edited, "rewritten": rewritten}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=400)
    parser.add_argument("--scale", type=int, default=0, help="also time lookups on an index this large")
    args = parser.parse_args(argv)

    from tidings.dedup import DuplicateIndex

    texts = originals(args.limit)
    rng = random.Random(11)
    index = DuplicateIndex()
    start = time.perf_counter()
    false_merges = 0
    for i, text in enumerate(texts):
        sig = index.signature(text)
        if index.matches(sig):
            false_merges += 1
        index.add(f"orig-{i}", sig)
    recall = {}
    for kind, make in KINDS.items():
        hits = 0
        for i, text in enumerate(texts):
            matches = index.matches(index.signature(make(text, rng)))
            hits += bool(matches) and matches[0].article_id == f"orig-{i}"
        recall[kind] = hits / len(texts)
    elapsed = time.perf_counter() - start
    report = {"originals": len(texts), "recall": recall,
              "false_merges_among_originals": false_merges,
              "false_merge_rate": false_merges / len(texts),
              "articles_per_second": len(texts) * (1 + len(KINDS)) / elapsed}
    if args.scale:
        report["scale"] = scale(texts, args.scale)
    print(json.dumps(report, indent=2))
    return report


def scale(texts: list[str], n: int) -> dict:
    """Index n distinct articles (originals salted with numbers), then time one lookup+add each."""
    from tidings.dedup import DuplicateIndex

    index = DuplicateIndex()
    for i in range(n):
        base = texts[i % len(texts)]
        salted = f"{base}\n\nReference {i} filed {i * 7919 % 100003} at desk {i % 97}."
        if i >= len(texts):  # make later copies distinct stories: shuffle their sentences
            parts = sentences(base)
            random.Random(i).shuffle(parts)
            salted = " ".join(parts) + f" Reference {i}."
        index.add(f"a{i}", index.signature(salted))
    probe = texts[: min(200, len(texts))]
    times = []
    for j, text in enumerate(probe):
        t = time.perf_counter()
        sig = index.signature(text + " Extra line.")
        index.matches(sig)
        index.add(f"probe{j}", sig)
        times.append(time.perf_counter() - t)
    return {"index_size": n, "median_ms_per_article": 1000 * statistics.median(times),
            "articles_per_second": 1 / statistics.median(times)}


if __name__ == "__main__":
    sys.exit(main() and 0)
