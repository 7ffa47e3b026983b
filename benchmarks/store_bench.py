"""Store benchmark: ingest N synthetic events, then time typical queries.

    .venv/bin/python benchmarks/store_bench.py                 # 1,000,000 events, DuckDB temp file
    .venv/bin/python benchmarks/store_bench.py 100000 --db /tmp/bench.duckdb
    .venv/bin/python benchmarks/store_bench.py 100000 --db postgresql://postgres@localhost:5432/postgres

Reports the ingest rate (events/s through Store.save, excluding the time spent making the
synthetic results) and the median latency of:
  - events of a dyad (source → target) in a 90-day date range (first page of 100 rows)
  - a trends table: events per type per week for a dyad (whole period)
The database given with --db is overwritten (a PostgreSQL URL: its tables are dropped first).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from tidings.records import ArticleResult
from tidings.store import EventFilter, open_store
from tidings.store.backends import is_postgres_url
from tidings.store.schema import DERIVED_TABLES
from tidings.store.synthetic import SyntheticSettings, synthetic_results

DYADS = [("USA", "RUS"), ("RUS", "UKR"), ("CHN", "USA"), ("IRN", "ISR"), ("GBR", "FRA"), ("NGA", "ZAF")]


class Timed:
    """Wraps an iterator and adds up the time spent producing its items."""

    def __init__(self, items: Iterator[ArticleResult]) -> None:
        self.items = items
        self.seconds = 0.0

    def __iter__(self) -> Iterator[ArticleResult]:
        while True:
            start = time.perf_counter()
            try:
                item = next(self.items)
            except StopIteration:
                return
            finally:
                self.seconds += time.perf_counter() - start
            yield item


def fresh(db: str) -> None:
    if is_postgres_url(db):
        import psycopg

        with psycopg.connect(db, autocommit=True) as con:
            for table in (*DERIVED_TABLES, "raw_inputs", "articles", "schema_version"):
                con.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
            con.execute("DROP VIEW IF EXISTS ingest_errors")
        return
    for path in (Path(db), Path(db + ".wal")):
        path.unlink(missing_ok=True)


def median_ms(run, repeat: int) -> float:
    times = []
    for i in range(repeat):
        start = time.perf_counter()
        run(i)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("events", type=int, nargs="?", default=1_000_000, help="events to load")
    parser.add_argument("--db", help="DuckDB file or postgresql:// URL (default: a temporary file)")
    parser.add_argument("--events-per-article", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=500, help="articles per transaction")
    parser.add_argument("--repeat", type=int, default=30, help="runs per query (median reported)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    tmp = None
    if args.db is None:
        tmp = tempfile.TemporaryDirectory()
        args.db = os.path.join(tmp.name, "bench.duckdb")
    fresh(args.db)
    settings = SyntheticSettings(articles=max(1, args.events // args.events_per_article),
                                 events_per_article=args.events_per_article, seed=42)
    produced = Timed(synthetic_results(settings))
    started, cpu_started = time.perf_counter(), time.process_time()
    with open_store(args.db) as store:
        summary = store.save(produced, batch_size=args.batch_size)
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started  # this process only: steadier on a busy machine
    store_seconds = wall - produced.seconds

    rng = random.Random(1)
    with open_store(args.db, read_only=True) as store:
        def dyad_range(i: int) -> list:
            source, target = DYADS[i % len(DYADS)]
            since = settings.start + timedelta(days=rng.randrange(settings.days - 90))
            return store.events(EventFilter(source=source, target=target, since=since.isoformat(),
                                            until=(since + timedelta(days=90)).isoformat(), limit=100))

        def trends(i: int) -> list:
            source, target = DYADS[i % len(DYADS)]
            return store.trends(EventFilter(source=source, target=target, limit=None), interval="week")

        dyad_rows = len(store.events(EventFilter(source="USA", target="RUS", limit=None)))
        figures = {
            "backend": store.backend_name,
            "events": summary.events,
            "articles": summary.inserted,
            "ingest_seconds_store": round(store_seconds, 2),
            "ingest_seconds_generating": round(produced.seconds, 2),
            "ingest_events_per_second": round(summary.events / store_seconds),
            "ingest_cpu_seconds_incl_generating": round(cpu, 2),
            "usa_rus_events": dyad_rows,
            "dyad_date_range_median_ms": round(median_ms(dyad_range, args.repeat), 2),
            "dyad_weekly_trends_median_ms": round(median_ms(trends, args.repeat), 2),
            "file_mb": round(Path(args.db).stat().st_size / 2**20, 1) if not is_postgres_url(args.db) else None,
        }
    if tmp is not None:
        tmp.cleanup()
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:32s} {value}")
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
