"""Per-component time of spaCy's `attribute_ruler` and `lemmatizer`, stock vs tidings' fast ones.

    .venv/bin/python benchmarks/nlp_components.py [--corpus DIR] [--limit N] [--repeat K]

Corpus: the PolNeAR texts in ../shared (train + dev), else the demo corpus in examples/.
The model runs once up to (not including) the attribute ruler; each component is then timed on
fresh copies of those docs (copying is not timed), stock first, in --repeat rounds. Reports the
median ms/doc per component, the speed-up, and checks the fast outputs equal the stock ones.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CHECKED = ["TAG", "POS", "MORPH", "LEMMA", "DEP", "HEAD", "ENT_IOB", "ENT_TYPE", "SENT_START"]


def corpus_texts(corpus: Path | None, limit: int) -> list[str]:
    if corpus is None:
        polnear = SHARED / "eval" / "quotes" / "polnear"
        files = sorted(polnear.glob("*/text/*.txt")) if polnear.exists() else []
        if not files:
            files = sorted((ROOT / "examples" / "text").glob("*.txt"))
    else:
        files = sorted(p for p in corpus.rglob("*.txt") if p.is_file())
    return [p.read_text(encoding="utf-8") for p in files[:limit]]


def time_component(component, docs, repeat: int) -> tuple[list[float], list]:
    """Seconds per round of `component` over fresh copies of `docs`, and the last round's output."""
    rounds, out = [], []
    for _ in range(repeat):
        copies = [doc.copy() for doc in docs]
        start = time.perf_counter()
        out = [component(doc) for doc in copies]
        rounds.append(time.perf_counter() - start)
    return rounds, out


def same(a_docs, b_docs) -> bool:
    return all(np.array_equal(a.to_array(CHECKED), b.to_array(CHECKED))
               for a, b in zip(a_docs, b_docs))


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    from tidings.nlp import load_model
    from tidings.nlp.fast import FastAttributeRuler, FastLemmatizer

    nlp = load_model()
    texts = corpus_texts(args.corpus, args.limit)
    upstream = nlp.pipe_names[: nlp.pipe_names.index("attribute_ruler")]
    with nlp.select_pipes(enable=upstream):
        docs = list(nlp.pipe(texts))
    n_tokens = sum(len(d) for d in docs)

    ruler, lemmatizer = nlp.get_pipe("attribute_ruler"), nlp.get_pipe("lemmatizer")
    fast_ruler = FastAttributeRuler(nlp.vocab)
    fast_ruler.adopt(ruler)
    # the fast lemmatizer wraps its own copy, so the stock one's cache is not warmed by it
    own = nlp.create_pipe("lemmatizer", config={"mode": lemmatizer.mode})
    own.from_bytes(lemmatizer.to_bytes(exclude=["vocab"]), exclude=["vocab"])
    fast_lemmatizer = FastLemmatizer(own)

    report: dict = {"docs": len(docs), "tokens": n_tokens, "repeat": args.repeat, "ms_per_doc": {}}
    stock_r, ruled = time_component(ruler, docs, args.repeat)
    fast_r, fast_ruled = time_component(fast_ruler, docs, args.repeat)
    stock_l, lemmatized = time_component(lemmatizer, ruled, args.repeat)
    fast_l, fast_lemmatized = time_component(fast_lemmatizer, ruled, args.repeat)
    for name, rounds in [("attribute_ruler stock", stock_r), ("attribute_ruler fast", fast_r),
                         ("lemmatizer stock", stock_l), ("lemmatizer fast", fast_l)]:
        report["ms_per_doc"][name] = {
            "median": round(1000 * statistics.median(rounds) / len(docs), 3),
            "rounds": [round(1000 * r / len(docs), 3) for r in rounds],
        }
    ms = {k: v["median"] for k, v in report["ms_per_doc"].items()}
    report["speedup"] = {
        "attribute_ruler": round(ms["attribute_ruler stock"] / ms["attribute_ruler fast"], 1),
        "lemmatizer": round(ms["lemmatizer stock"] / ms["lemmatizer fast"], 1),
        "both_fast_ms_per_doc": round(ms["attribute_ruler fast"] + ms["lemmatizer fast"], 3),
    }
    report["identical"] = {
        "attribute_ruler": same(ruled, fast_ruled),
        "lemmatizer": same(lemmatized, fast_lemmatized),
    }
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
