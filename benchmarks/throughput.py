"""End-to-end throughput of tidings, with spaCy's own floor and naive baseline measured in the same run.

    .venv/bin/python benchmarks/throughput.py [--corpus DIR] [--limit N] [--workers N] [--repeat K]

Corpus: the PolNeAR texts in ../shared (train + dev), else the demo corpus in examples/.
Reports medians over --repeat runs of:
  floor       spaCy's tokenizer alone                       (an upper bound on speed)
  naive       spaCy's full small pipeline as installed (spacy.load, default settings),
              nlp(text) per doc, one process                (the baseline)
  naive_fast_matmul  the same, built on the matrix product tidings chooses (see tidings.nlp)
  components  ms/article of each spaCy component in tidings' pipeline (one pass)
  pipeline    tidings' extraction in one process, no store    (with per-stage seconds)
  end-to-end  `tidings ingest` raw files → DuckDB, --workers N  (the figure that matters)
and the ratios end-to-end / naive and end-to-end / floor, plus peak memory (RSS) of the
benchmark process and of its largest child (a worker).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def corpus_files(corpus: Path | None, limit: int) -> list[Path]:
    if corpus is None:
        polnear = SHARED / "eval" / "quotes" / "polnear"
        files = sorted(polnear.glob("*/text/*.txt")) if polnear.exists() else []
        if not files:
            files = sorted(p for p in (ROOT / "examples").rglob("*") if p.suffix in (".txt", ".html"))
    else:
        files = sorted(p for p in corpus.rglob("*") if p.is_file())
    return files[:limit]


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def peak_rss_mb() -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"benchmark_process": own / 1024, "largest_worker": children / 1024}


def component_ms(nlp, texts: list[str]) -> dict[str, float]:
    """ms/article of each component of `nlp`, running them one after another over `texts`."""
    start = time.perf_counter()
    docs = [nlp.make_doc(t) for t in texts]
    report = {"tokenizer": time.perf_counter() - start}
    for name, component in nlp.pipeline:
        start = time.perf_counter()
        docs = list(component.pipe(docs, batch_size=16)) if hasattr(component, "pipe") else [component(d) for d in docs]
        report[name] = time.perf_counter() - start
    return {k: round(1000 * v / len(texts), 1) for k, v in report.items()}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--workers", type=int, default=0, help="0 = one per core")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    import spacy
    from thinc.api import use_ops

    from tidings.ingest import iter_documents
    from tidings.ingest_run import IngestSettings, run_ingest
    from tidings.nlp import choose_matmul, load_model
    from tidings.pipeline import Pipeline

    files = corpus_files(args.corpus, args.limit)
    texts = [f.read_text(encoding="utf-8", errors="replace") for f in files]
    words = sum(len(t.split()) for t in texts)
    n = len(texts)
    print(f"corpus: {n} articles, {words} words ({words / max(n, 1):.0f} words/article)", file=sys.stderr)

    meta = load_model().meta
    model = f"{meta['lang']}_{meta['name']}"  # the model tidings uses
    plain = spacy.load(model)  # as installed, default settings (BLIS matrix products)
    floor = [timed(lambda: list(plain.tokenizer.pipe(texts))) for _ in range(args.repeat)]
    naive = [timed(lambda: [plain(t) for t in texts]) for _ in range(max(1, args.repeat - 1))]
    matmul = choose_matmul()
    with use_ops("numpy", use_blis=matmul == "blis"):
        plain_fast = spacy.load(model)
    naive_fast = [timed(lambda: [plain_fast(t) for t in texts]) for _ in range(max(1, args.repeat - 1))]
    components = component_ms(load_model(), texts[:100])

    pipeline = Pipeline()
    stage_runs = []
    single = []
    for _ in range(max(1, args.repeat - 1)):
        pipeline.timer.seconds.clear()
        single.append(timed(lambda: list(pipeline.run(iter_documents([str(f) for f in files])))))
        stage_runs.append(dict(pipeline.timer.seconds))

    end_to_end = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            settings = IngestSettings(db=str(Path(tmp) / "bench.duckdb"), workers=args.workers)
            end_to_end.append(timed(lambda: run_ingest([str(f) for f in files], settings)))

    def rate(seconds: list[float]) -> float:
        return n / statistics.median(seconds)

    stages = {k: statistics.median(r.get(k, 0.0) for r in stage_runs) for k in stage_runs[0]}
    report = {
        "articles": n, "words": words, "workers": args.workers or "all cores",
        "floor_tokenizer_articles_per_s": rate(floor),
        "model": model, "matrix_products": matmul,
        "naive_spacy_articles_per_s": rate(naive),
        "naive_spacy_fast_matmul_articles_per_s": rate(naive_fast),
        "pipeline_one_process_articles_per_s": rate(single),
        "end_to_end_articles_per_s": rate(end_to_end),
        "end_to_end_words_per_s": words / statistics.median(end_to_end),
        "ratio_end_to_end_vs_naive": rate(end_to_end) / rate(naive),
        "ratio_end_to_end_vs_naive_fast_matmul": rate(end_to_end) / rate(naive_fast),
        "ratio_end_to_end_vs_floor": rate(end_to_end) / rate(floor),
        "spacy_component_ms_per_article": components,
        "stage_seconds_one_process": stages,
        "peak_rss_mb": peak_rss_mb(),
    }
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
