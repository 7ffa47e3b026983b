"""Throughput of `tidings ingest --engine ray` (run_ray, local Ray instance) vs the local engine.

    .venv/bin/python benchmarks/ray_bench.py [--limit N] [--workers 2] [--repeat 3]

Corpus: the PolNeAR texts in ../shared (train + dev), else the demo corpus in examples/.
Both engines start their workers and load the model inside the timed run (a cold `ingest`),
and neither writes a store, so the figures compare the engines only:
  local  tidings.ingest_run.analyse(documents, PipelineSettings(), workers=N)  (process pool)
  ray    tidings.scale.run_ray(paths, RaySettings(workers=N))                   (Ray actors)
Reports the median articles/s of --repeat runs, the ratio ray/local (target ≥ 0.8), and the
resident memory of one Ray actor with the model loaded, after processing a chunk.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def corpus_files(limit: int) -> list[str]:
    polnear = SHARED / "eval" / "quotes" / "polnear"
    files = sorted(polnear.glob("*/text/*.txt")) if polnear.exists() else []
    if not files:
        files = sorted(p for p in (ROOT / "examples").rglob("*") if p.suffix in (".txt", ".html"))
    return [str(p) for p in files[:limit]]


def run_local(files: list[str], workers: int) -> tuple[float, int]:
    from tidings.ingest import iter_documents
    from tidings.ingest_run import analyse
    from tidings.pipeline import PipelineSettings

    start = time.perf_counter()
    count = sum(1 for _ in analyse(iter_documents(files), PipelineSettings(), workers=workers))
    return time.perf_counter() - start, count


def run_on_ray(files: list[str], workers: int) -> tuple[float, int]:
    from tidings.scale import RaySettings, run_ray

    start = time.perf_counter()
    summary = run_ray(files, RaySettings(workers=workers))
    return time.perf_counter() - start, summary.processed


def actor_memory_mb(files: list[str]) -> float:
    import ray

    from tidings.ingest import iter_documents
    from tidings.pipeline import PipelineSettings
    from tidings.scale.worker import FileWorker

    actor = ray.remote(num_cpus=1)(FileWorker).remote(PipelineSettings())
    documents = list(iter_documents(files[:16]))
    ray.get(actor.process.remote(documents))
    rss = ray.get(actor.memory.remote())
    ray.kill(actor)
    return rss


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=120)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    import ray

    files = corpus_files(args.limit)
    ray.init(num_cpus=args.workers, include_dashboard=False, _node_ip_address="127.0.0.1",
             logging_level=logging.WARNING)
    try:
        rates: dict[str, list[float]] = {"local": [], "ray": []}
        for _ in range(args.repeat):
            for name, run in (("local", run_local), ("ray", run_on_ray)):
                seconds, count = run(files, args.workers)
                rates[name].append(count / seconds)
                print(f"{name}: {count} articles in {seconds:.1f}s ({count / seconds:.2f}/s)", file=sys.stderr)
        memory = actor_memory_mb(files)
    finally:
        ray.shutdown()
    local, on_ray = statistics.median(rates["local"]), statistics.median(rates["ray"])
    report = {"articles": len(files), "workers": args.workers, "repeat": args.repeat,
              "local_articles_per_s": round(local, 2), "ray_articles_per_s": round(on_ray, 2),
              "ray_over_local": round(on_ray / local, 3), "actor_rss_mb": round(memory, 1),
              "ray_version": ray.__version__}
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
