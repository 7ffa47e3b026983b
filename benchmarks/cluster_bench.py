"""Cost of near-duplicate clustering in the store, per article, before and after batching.

    .venv/bin/python benchmarks/cluster_bench.py [--rounds 5] [--batch 100] [--copies 100]
                                                 [--filler 0] [--before-rev HEAD] [--postgres URL]

Articles: the ready results in ../notes/base200.jsonl (PolNeAR texts analysed by the pipeline; else
the PolNeAR texts of ../shared/eval/quotes/polnear as bare results) plus `--copies` republished,
trimmed and edited copies of them, shuffled, saved with `Store.save` in batches of `--batch` into a
fresh temporary DuckDB file (or a fresh schema of the PostgreSQL server at `--postgres`). After each
saved batch `cluster_articles(store, ids)` runs, as `tidings ingest` does; only that call is timed.

Variants, run in turn in every round (others may be using the CPU: medians over rounds):
  before      `cluster_articles` and `tidings.dedup` as in git revision `--before-rev` (one query
              per band lookup, candidate, insert and update per article)
  after       the working tree's batched `cluster_articles`, signing the articles itself
  after+sigs  the same, given signatures computed beforehand (as worker processes would)
Every variant must give every article the same cluster; the script fails otherwise.
`--filler N` first stores band rows of N unrelated articles, to see how the lookup scales with the
size of the index (DuckDB scans the band table once per batch; PostgreSQL uses its index).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from tidings.dedup import DuplicateIndex
from tidings.dedup.store_index import cluster_articles
from tidings.records import ArticleResult
from tidings.store import open_store

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT.parent / "notes" / "base200.jsonl"
POLNEAR = ROOT.parent / "shared" / "eval" / "quotes" / "polnear"
BOILERPLATE = ("Advertisement", "Share this article", "Sign up for our daily newsletter")


def originals(limit: int) -> list[ArticleResult]:
    if BASE.exists():
        with BASE.open(encoding="utf-8") as lines:
            return [ArticleResult.from_dict(json.loads(line)) for line in lines][:limit]
    paths = sorted(POLNEAR.glob("*/text/*.txt"))[:limit]
    if not paths:
        sys.exit(f"neither {BASE} nor {POLNEAR} is available")
    return [ArticleResult(id=p.stem, text=p.read_text(encoding="utf-8"), content_hash=f"h-{p.stem}",
                          origin=str(p)) for p in paths]


def copy_of(result: ArticleResult, n: int, rng: random.Random) -> ArticleResult:
    text = result.text
    kind = n % 3
    if kind == 0:  # republished: boilerplate around and inside
        paragraphs = text.split("\n")
        paragraphs.insert(len(paragraphs) // 2, rng.choice(BOILERPLATE))
        text = f"{rng.choice(BOILERPLATE)}\n" + "\n".join(paragraphs) + f"\n{rng.choice(BOILERPLATE)}"
    elif kind == 1:  # trimmed
        text = text[: int(len(text) * 0.7)]
    else:  # lightly edited: a tenth of the words dropped
        text = " ".join(w for w in text.split(" ") if rng.random() > 0.1)
    return dataclasses.replace(result, id=f"copy{n}-{result.id}", text=text, url=None,
                               content_hash=f"copy{n}-{result.content_hash}", mentions=[], events=[], quotes=[])


def corpus(copies: int, seed: int = 1) -> list[ArticleResult]:
    rng = random.Random(seed)
    base = originals(1000)
    items = base + [copy_of(rng.choice(base), n, rng) for n in range(copies)]
    rng.shuffle(items)
    return items


def old_cluster_articles(rev: str, workdir: Path) -> Callable:
    """`cluster_articles` of git revision `rev`, with that revision's `tidings.dedup`."""
    package = workdir / "tidings_dedup_before"
    package.mkdir()
    for name, target in (("__init__.py", "__init__.py"), ("store_index.py", "store_index.py")):
        source = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:src/tidings/dedup/{name}"],
                                check=True, capture_output=True, text=True).stdout
        (package / target).write_text(source.replace("from tidings.dedup import", "from tidings_dedup_before import"),
                                      encoding="utf-8")
    sys.path.insert(0, str(workdir))
    spec = importlib.util.spec_from_file_location("tidings_dedup_before.store_index", package / "store_index.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.cluster_articles


class Target:
    """Fresh databases: DuckDB files in a temporary folder, or schemas of one PostgreSQL server."""

    def __init__(self, workdir: Path, postgres: str | None) -> None:
        self.workdir, self.postgres, self.schemas, self.n = workdir, postgres, [], 0

    def open(self):
        self.n += 1
        if not self.postgres:
            return open_store(str(self.workdir / f"bench{self.n}.duckdb"))
        import psycopg

        schema = f"bench_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.postgres, autocommit=True) as con:
            con.execute(f"CREATE SCHEMA {schema}")
        self.schemas.append(schema)
        sep = "&" if "?" in self.postgres else "?"
        return open_store(f"{self.postgres}{sep}options=-csearch_path%3D{schema}")

    def drop(self) -> None:
        if self.postgres and self.schemas:
            import psycopg

            with psycopg.connect(self.postgres, autocommit=True) as con:
                for schema in self.schemas:
                    con.execute(f"DROP SCHEMA {schema} CASCADE")


def fill(store, articles: int) -> None:
    """Band rows of `articles` unrelated articles (random hashes that match nothing)."""
    if articles:
        store.backend.execute(
            "INSERT INTO dedup_bands (view, band, hash, article_id) SELECT CASE WHEN i % 84 < 42 THEN 'text'"
            " ELSE 'anchors' END, (i % 42)::INTEGER, (hash(i) >> 2)::BIGINT, 'filler' || (i // 84)::VARCHAR"
            " FROM range(?) t(i)" if store.backend_name == "duckdb" else
            "INSERT INTO dedup_bands (view, band, hash, article_id) SELECT CASE WHEN i % 84 < 42 THEN 'text'"
            " ELSE 'anchors' END, i % 42, (random() * 4e18)::BIGINT, 'filler' || (i / 84)"
            " FROM generate_series(0, ? - 1) i", [articles * 84])
        if store.backend_name == "postgresql":
            store.backend.execute("ANALYZE dedup_bands")


def run(target: Target, items: list[ArticleResult], batch: int, cluster: Callable, filler: int,
        signatures: dict | None) -> tuple[float, dict[str, str]]:
    """(ms per article spent in the clustering calls, article id → cluster)."""
    spent = 0.0
    with target.open() as store:
        fill(store, filler)
        for start in range(0, len(items), batch):
            results = items[start:start + batch]
            saved = store.save(results, batch_size=batch)
            renamed = dict(saved.renamed)
            ids = [renamed.get(r.id, r.id) for r in results]
            began = time.perf_counter()
            if signatures is None:
                cluster(store, ids)
            else:
                cluster(store, ids, signatures=signatures)
            spent += time.perf_counter() - began
        clusters = {r["id"]: r["cluster_id"] for r in store.backend.rows("SELECT id, cluster_id FROM articles")}
    return spent * 1000 / len(items), clusters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--filler", type=int, default=0, help="articles' worth of unrelated band rows stored first")
    parser.add_argument("--before-rev", default="HEAD", help="git revision of the code to compare with")
    parser.add_argument("--postgres", help="a postgresql:// URL: benchmark there (fresh schemas) instead of DuckDB")
    args = parser.parse_args()

    items = corpus(args.copies)
    index = DuplicateIndex()
    signatures = {r.id: index.signature(r.text) for r in items}  # the ids are kept: no collisions here
    with tempfile.TemporaryDirectory(prefix="cluster-bench-") as tmp:
        target = Target(Path(tmp), args.postgres)
        variants = {"before": (old_cluster_articles(args.before_rev, Path(tmp)), None),
                    "after": (cluster_articles, None), "after+sigs": (cluster_articles, signatures)}
        times: dict[str, list[float]] = {name: [] for name in variants}
        reference = None
        try:
            for _ in range(args.rounds):
                for name, (cluster, given) in variants.items():
                    ms, clusters = run(target, items, args.batch, cluster, args.filler, given)
                    times[name].append(ms)
                    reference = reference or clusters
                    if clusters != reference:
                        differ = sum(1 for k in reference if clusters.get(k) != reference[k])
                        sys.exit(f"{name}: {differ} articles clustered differently from 'before'")
        finally:
            target.drop()
    grouped = len(reference) - len(set(reference.values()))
    print(f"{len(items)} articles ({args.copies} copies; {grouped} joined another's cluster), batches of"
          f" {args.batch}, {args.filler} filler articles, {'PostgreSQL' if args.postgres else 'DuckDB'},"
          f" {args.rounds} rounds; identical clusters in every variant")
    for name, values in times.items():
        print(f"  {name:<11} median {statistics.median(values):6.2f} ms/article"
              f"  (min {min(values):.2f}, max {max(values):.2f})")


if __name__ == "__main__":
    main()
