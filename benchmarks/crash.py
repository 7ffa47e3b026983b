"""`kill -9` during `tidings ingest`, then resume: no duplicate, no loss, no orphan process.

    .venv/bin/python benchmarks/crash.py [--trials 20] [--workers 1 2] [--postgres URL] [--seed 1] [--json]

Each trial writes a corpus of small articles (enough to start worker processes), starts
`tidings ingest CORPUS --db DB --workers W --batch-size 5` as a user would, kills the ingest
process (only it, with SIGKILL) at a random moment, and then:

  * checks that no process it started is left running 5 s later (its workers die with it);
  * runs the same `tidings ingest` again to the end;
  * checks that every input is stored once (no duplicate, no loss), that the articles' event
    counts equal the events stored, that every event mention has its merged event, and that
    `tidings stats` opens the database and agrees.

Trials alternate over the --workers values and over DuckDB and PostgreSQL (a fresh schema per
trial in the database at --postgres, or $TIDINGS_TEST_POSTGRES); --ray-trials adds trials with
`--engine ray` (a local Ray instance, killed with its driver). Exits 1 when any check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from tidings.scale.reaper import alive, descendants

TIDINGS = Path(sys.executable).with_name("tidings")
SENTENCES = [
    "Russia accused Ukraine of shelling Donetsk on {day}, officials in Moscow said.",
    "The French foreign minister met his German counterpart in Berlin to discuss sanctions.",
    "Protesters gathered outside parliament in Kyiv to demand the release of detained journalists.",
    "China warned the United States against selling weapons to Taiwan.",
    "The European Union agreed to send 500 million euros in aid to Ukraine.",
    "Police in Lagos arrested twelve people after clashes near the market.",
]


def write_corpus(folder: Path, count: int, rng: random.Random) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        text = " ".join(rng.choice(SENTENCES).format(day=rng.choice(["Monday", "Tuesday", "Friday"]))
                        for _ in range(rng.randint(3, 8)))
        path = folder / f"2022-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}-article-{n}.txt"
        path.write_text(f"Article {n}. {text}\n")
        paths.append(path)
    return paths


def _ingest(corpus: Path, db: str, workers: int, engine: str) -> subprocess.Popen:
    batch = ["--batch-size", "5"] if engine == "local" else []
    return subprocess.Popen([str(TIDINGS), "ingest", str(corpus), "--db", db, "--workers", str(workers),
                             "--engine", engine, *batch], stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def trial(corpus: Path, paths: list[Path], db: str, workers: int, kill_after: float, engine: str = "local") -> dict:
    """One kill-and-resume trial; returns what was found (`problems` empty when all is well)."""
    problems: list[str] = []
    process = _ingest(corpus, db, workers, engine)
    seen: set[int] = set()
    deadline = time.monotonic() + kill_after
    while time.monotonic() < deadline and process.poll() is None:
        seen |= descendants(process.pid)
        time.sleep(0.1)
    finished_first = process.poll() is not None
    seen |= descendants(process.pid)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    time.sleep(5)
    orphans = sorted(pid for pid in seen if alive(pid))
    if orphans:
        problems.append(f"{len(orphans)} orphan process(es) still running 5 s after the kill: {orphans}")
        for pid in orphans:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    resumed = _ingest(corpus, db, workers, engine)
    out, err = resumed.communicate(timeout=900)
    if resumed.returncode != 0:
        problems.append(f"resume exited {resumed.returncode}: {err.decode()[-500:]}")
    problems += check_store(db, paths)
    return {"engine": engine, "workers": workers, "kill_after_s": round(kill_after, 2), "finished_before_kill": finished_first,
            "workers_seen": len(seen), "orphans": len(orphans), "problems": problems}


def check_store(db: str, paths: list[Path]) -> list[str]:
    from tidings.store import open_store

    problems = []
    with open_store(db) as store:
        _, rows = store.backend.query("SELECT origin, status FROM articles")
        _, counts = store.backend.query(
            "SELECT (SELECT count(*) FROM events), (SELECT coalesce(sum(n_events), 0) FROM articles),"
            " (SELECT count(*) FROM events WHERE group_id IS NULL)")
    origins = [origin for origin, _ in rows]
    expected = {str(p) for p in paths}
    duplicates = len(origins) - len(set(origins))
    lost = expected - set(origins)
    if duplicates:
        problems.append(f"{duplicates} duplicate article(s)")
    if lost:
        problems.append(f"{len(lost)} input(s) lost: {sorted(lost)[:3]}")
    if extra := set(origins) - expected:
        problems.append(f"{len(extra)} unexpected article(s): {sorted(extra)[:3]}")
    if failed := [o for o, status in rows if status != "ok"]:
        problems.append(f"{len(failed)} article(s) not ok: {failed[:3]}")
    events, counted, ungrouped = counts[0]
    if events != counted:
        problems.append(f"{events} events stored, but the articles count {counted}")
    if ungrouped:
        problems.append(f"{ungrouped} event(s) without a merged event")
    stats = subprocess.run([str(TIDINGS), "stats", "--db", db], capture_output=True, text=True)
    if stats.returncode != 0:
        problems.append(f"`tidings stats` exited {stats.returncode}: {stats.stderr[-300:]}")
    elif str(len(expected)) not in stats.stdout:
        problems.append(f"`tidings stats` does not show {len(expected)} articles")
    return problems


def _postgres_db(base: str) -> tuple[str, str]:
    import psycopg

    schema = f"crash_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as con:
        con.execute(f"CREATE SCHEMA {schema}")
    return schema, f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"


def _drop(base: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(base, autocommit=True) as con:
        con.execute(f"DROP SCHEMA {schema} CASCADE")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--articles", type=int, default=300,
                        help="articles per corpus (24 or more start workers; 300 take longer than the latest kill)")
    parser.add_argument("--postgres", default=os.environ.get("TIDINGS_TEST_POSTGRES"),
                        help="a postgresql:// URL: every other trial runs there")
    parser.add_argument("--max-kill-after", type=float, default=12.0, help="latest kill, seconds after the start")
    parser.add_argument("--ray-trials", type=int, default=0,
                        help="further trials with --engine ray (a local Ray instance; DuckDB)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    backends = ["duckdb", "postgresql"] if args.postgres else ["duckdb"]
    work = Path(tempfile.mkdtemp(prefix="tidings-crash-"))
    results = []
    try:
        for n in range(args.trials + args.ray_trials):
            engine = "local" if n < args.trials else "ray"
            workers = args.workers[n % len(args.workers)]
            backend = backends[(n // len(args.workers)) % len(backends)] if engine == "local" else "duckdb"
            corpus = work / f"corpus-{n}"
            paths = write_corpus(corpus, args.articles, rng)
            schema = None
            if backend == "postgresql":
                schema, db = _postgres_db(args.postgres)
            else:
                db = str(work / f"trial-{n}.duckdb")
            try:
                earliest = 0.5 if engine == "local" else 8.0  # a local Ray instance takes seconds to start
                result = trial(corpus, paths, db, workers, rng.uniform(earliest, earliest + args.max_kill_after), engine)
            finally:
                if schema:
                    _drop(args.postgres, schema)
            result["backend"] = backend
            results.append(result)
            if not args.json:
                print(f"trial {n}: {engine} engine, {backend}, {workers} worker(s), killed after {result['kill_after_s']} s,"
                      f" {result['workers_seen']} child process(es) seen, {result['orphans']} orphaned: "
                      + ("; ".join(result["problems"]) or "ok"), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report = {"trials": len(results), "failed_trials": sum(1 for r in results if r["problems"]),
              "orphans": sum(r["orphans"] for r in results),
              "killed_mid_run": sum(1 for r in results if not r["finished_before_kill"]),
              "backends": sorted({r["backend"] for r in results}), "engines": sorted({r["engine"] for r in results}),
              "results": results}
    report["ok"] = report["failed_trials"] == 0
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{report['trials']} trials ({report['killed_mid_run']} killed mid-run), {report['failed_trials']}"
              f" failed, {report['orphans']} orphan processes, backends: {', '.join(report['backends'])}")
    return report


if __name__ == "__main__":
    sys.exit(0 if main()["ok"] else 1)
