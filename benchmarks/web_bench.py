"""Web benchmark: page latency and a bounded load test against `tidings serve` on localhost.

    .venv/bin/python benchmarks/web_bench.py                          # synthetic DB, 10,000 articles
    .venv/bin/python benchmarks/web_bench.py --db /tmp/bench.duckdb   # e.g. made by store_bench.py
    .venv/bin/python benchmarks/web_bench.py --articles 2000 --clients 8 --seconds 10 --json

Starts the server (tidings.web.serve, read-only) in a child process on a free 127.0.0.1 port,
then reports:
  - the latency (ms) of the first view of each page (aggregates not yet cached: see
    tidings.web.app._State.cached) and the median of the next --repeat views, for the events
    page (first page; filtered by actor and type), the dyad page (per week, both directions),
    the overview, an article reader page, the actor page, the world map the pages frame
    (/map.svg: of all events, of a dyad's), the events of a country (a map's link),
    /api/places, the network page, the top pairs (/api/dyads) and a merged event's reports
  - a load test: `--clients` threads with their own httpx client, each requesting a mix of
    pages in turn until `--seconds` have passed or `--max-requests` were sent in all;
    throughput (requests/s), p50 and p99 latency, and the number of non-200 answers.
Every request goes to 127.0.0.1 only; the loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_db(path: str, articles: int) -> None:
    """A synthetic database (tidings.store.synthetic) of `articles` articles of 10 events."""
    from tidings.store import open_store
    from tidings.store.synthetic import SyntheticSettings, synthetic_results

    with open_store(path) as store:
        store.save(synthetic_results(SyntheticSettings(articles=articles, events_per_article=10)), batch_size=500)


def start_server(db: str, port: int) -> subprocess.Popen:
    code = ("import logging, sys; from tidings.web import serve; "
            f"serve({db!r}, host='127.0.0.1', port={port}, log_level='warning')")
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.stderr.read().decode(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/stats", timeout=5).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_server(process)
    raise RuntimeError("server did not answer within 60 s")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def pick_targets(client: httpx.Client) -> dict[str, str]:
    """Typical pages, with an actor pair and an article that exist in this database."""
    dyads = client.get("/api/dyads", params={"limit": 1}).json()["items"]
    a, b = (dyads[0]["source"], dyads[0]["target"]) if dyads else ("RUS", "UKR")
    event = client.get("/api/events", params={"limit": 1}).json()["items"]
    article = event[0]["article_id"] if event else ""
    merged = client.get("/api/events", params={"limit": 1, "merged": "true"}).json()["items"]
    group = (merged[0].get("group_id") or f"{merged[0]['article_id']}:{merged[0]['event']}") if merged else ""
    return {
        "events page": "/events",
        "events page, actor+type filter": f"/events?actor={quote(a)}&type=ASSAULT",
        "dyad page (week)": f"/dyad?a={quote(a)}&b={quote(b)}&by=week",
        "dyad API (month)": f"/api/dyad?a={quote(a)}&b={quote(b)}&by=month",
        "overview": "/",
        "article reader": f"/articles/{quote(article)}" if article else "/articles",
        "actor page": f"/actor?a={quote(a)}",
        "map (all events)": "/map.svg",
        "map (dyad page's)": f"/map.svg?a={quote(a)}&b={quote(b)}",
        "events in a country (map link)": f"/events?place_country={quote(a.split()[0])}",
        "places API (a map's counts)": "/api/places",
        "network page": "/network",
        "dyads API (top pairs)": "/api/dyads",
        **({"reports page (one merged event)": f"/reports?group={quote(group)}"} if group else {}),
    }


def median_ms(client: httpx.Client, path: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code}: {response.text[:300]}")
    return statistics.median(times)


def load_test(base: str, paths: list[str], clients: int, seconds: float, max_requests: int) -> dict:
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    budget = itertools.count()
    deadline = time.monotonic() + seconds

    def worker(offset: int) -> None:
        nonlocal failures
        with httpx.Client(base_url=base, timeout=30) as client:
            for i in itertools.count(offset):
                if time.monotonic() >= deadline or next(budget) >= max_requests:
                    return
                start = time.perf_counter()
                try:
                    ok = client.get(paths[i % len(paths)]).status_code == 200
                except httpx.HTTPError:
                    ok = False
                elapsed = (time.perf_counter() - start) * 1000
                with lock:
                    latencies.append(elapsed)
                    failures += not ok

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "clients": clients, "requests": len(ordered), "seconds": round(wall, 2),
        "requests_per_s": round(len(ordered) / wall, 1) if wall else 0.0,
        "p50_ms": round(ordered[len(ordered) // 2], 1) if ordered else None,
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 1) if ordered else None,
        "non_200": failures,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="an existing tidings DuckDB file (default: make a synthetic one)")
    parser.add_argument("--articles", type=int, default=10_000, help="articles in the synthetic database")
    parser.add_argument("--repeat", type=int, default=20, help="requests per page for the median")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients in the load test")
    parser.add_argument("--seconds", type=float, default=10.0, help="load test duration bound")
    parser.add_argument("--max-requests", type=int, default=5000, help="load test request bound")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    tmp = None
    db = args.db
    if not db or not Path(db).exists():
        tmp = tempfile.TemporaryDirectory(prefix="tidings-web-bench-")
        db = os.path.join(tmp.name, "bench.duckdb")
        started = time.perf_counter()
        make_db(db, args.articles)
        print(f"made a synthetic database of {args.articles} articles in {time.perf_counter() - started:.1f}s",
              file=sys.stderr)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(db, port)
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            stats = client.get("/api/stats").json()
            targets = pick_targets(client)
            first = {}
            for name, path in targets.items():  # the first view: what nothing was cached for yet
                start = time.perf_counter()
                client.get(path)
                first[name] = round((time.perf_counter() - start) * 1000, 1)
            pages = {name: round(median_ms(client, path, args.repeat), 1) for name, path in targets.items()}
        load = load_test(base, list(targets.values()), args.clients, args.seconds, args.max_requests)
    finally:
        stop_server(server)
        if tmp is not None:
            tmp.cleanup()
    report = {"database": {"articles": stats["articles"]["total"], "events": stats["events"]},
              "median_ms": pages, "first_view_ms": first, "load": load}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"database: {report['database']['articles']} articles, {report['database']['events']} events")
        for name, ms in pages.items():
            print(f"  {name:34s} {ms:8.1f} ms (median of {args.repeat}; first view {first[name]:.1f} ms)")
        print(f"load: {load['clients']} clients, {load['requests']} requests in {load['seconds']}s:"
              f" {load['requests_per_s']} req/s, p50 {load['p50_ms']} ms, p99 {load['p99_ms']} ms,"
              f" {load['non_200']} non-200")
    return report


if __name__ == "__main__":
    main()
