"""Hostile input for `tidings ingest`: does every input end as a stored outcome, and nothing stop the run?

    .venv/bin/python benchmarks/fuzz.py [--count 5000] [--seed 1] [--per-run 500] [--workers 2] [--json]

Generates `--count` hostile inputs of every kind below (plus one good article per 25 hostile ones,
stored beside them), ingests them folder by folder with `tidings ingest` (a subprocess each, as a
user runs it), and checks, for every run:

  * the run finished (exit 0 or 1, never a crash exit) within its time bound (no hang);
  * every input has a stored outcome: an article (ok / skipped) or an error with a reason,
    matched by its origin (the path; `path:LINE` for JSON Lines, `path#OFFSET` for WARC records);
  * every good input is stored as an ok article;
  * no stored text holds what an XML external entity would have pulled in (/etc/passwd);
  * peak memory (RSS) of the largest process of the run (the ingest or one of its workers).

Kinds: random bytes, invalid UTF-8 (stray bytes and floods), UTF-16/32 with and without BOM,
control characters and terminal escapes, gzip bombs, truncated and garbage WARC, JSON Lines with
wrong types, nulls, huge numbers and deep nesting, XXE and billion-laughs documents (HTML, and
feeds served over localhost HTTP), odd and very long file names (non-UTF-8 bytes, newlines,
leading dashes, 250 bytes), dates out of the calendar in names, texts over the analysis limit,
pathological HTML (a million attributes, deep nesting, newline floods, unclosed scripts),
`said said …`, named pipes, device and dangling symlinks, symlink loops, empty files,
unsupported extensions. Exits 1 when any check fails.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import json
import os
import random
import resource
import shutil
import string
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIDINGS = Path(sys.executable).with_name("tidings")
PASSWD_MARK = "root:x:0:0"
# stored reasons that are tidings' failures, not the input's (a stage crashed): counted apart
INTERNAL = ("analysis failed", "clean failed", "a bug in tidings")  # what an external entity reading /etc/passwd would bring into a text

GOOD = ("Good article {n}. Russia accused Ukraine on Monday of shelling Donetsk, officials in Moscow said."
        " The French foreign minister met his German counterpart in Berlin to discuss sanctions {n}.")
WORDS = ("the government said troops were sent to the border and officials denied it while protesters "
         "gathered in the capital and ministers met in Brussels").split()


def _text(rng: random.Random, words: int = 60) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


# --- generators: each writes one input into `folder` and returns its path (bytes or str) -------------
# `scale` (0-1] shrinks the heavy ones for the test suite's fast sample.

def random_bytes(rng, folder, n, scale):
    ext = rng.choice([".txt", ".html", ".jsonl", ".htm", ".txt.gz", ".warc"])
    return _write(folder, f"random-{n}{ext}", rng.randbytes(rng.randint(1, int(20000 * scale) + 1)))


def invalid_utf8(rng, folder, n, scale):
    text = ("“Quoted” — " + _text(rng) + f" {n} ").encode()
    data = bytearray(text * rng.randint(1, 20))
    for _ in range(rng.choice([1, 2, 3, 50, 500])):
        data.insert(rng.randrange(len(data)), rng.choice([0x80, 0xC0, 0xFF, 0xFE, 0xED, 0xF5]))
    return _write(folder, f"badutf8-{n}.{rng.choice(['txt', 'html'])}", bytes(data))


def utf16_32(rng, folder, n, scale):
    text = f"<p>{_text(rng)} {n}</p>" if rng.random() < 0.5 else f"{_text(rng)} {n}"
    encoding = rng.choice(["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
    return _write(folder, f"wide-{encoding}-{n}.{'html' if text.startswith('<') else 'txt'}", text.encode(encoding))


def control_chars(rng, folder, n, scale):
    pieces = [_text(rng, 10), "\x1b[2J\x1b[H", "\x1b]0;pwned\x07", "\x00", "\x07", "\x08" * 5, "\u202e",
              "\ufeff", "\x7f", "\r", "\x0c", "\u2028", "[bold red]markup[/]", "=HYPERLINK(\"http://x\")"]
    text = "".join(rng.choice(pieces) for _ in range(rng.randint(5, 60))) + f" {n}"
    return _write(folder, f"control-{n}.txt", text.encode("utf-8", "surrogatepass"))


@functools.lru_cache(maxsize=2)
def _zeros_gz(size: int) -> bytes:
    return gzip.compress(b"\0" * size if size < 10 else b" " * size, compresslevel=9)


def gzip_bomb(rng, folder, n, scale):
    size = int(200_000_000 * scale)
    head = gzip.compress(f"bomb {n} ".encode())  # gzip members concatenate: a unique first member
    kind = rng.choice(["txt", "html", "jsonl"])
    return _write(folder, f"bomb-{n}.{kind}.gz", head + _zeros_gz(size))


def _warc(rng, n: int) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=rng.random() < 0.5)
    for i in range(rng.randint(1, 4)):
        body = f"<html><head><title>t{n}-{i}</title></head><body><p>{GOOD.format(n=f'{n}w{i}')}</p></body></html>"
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(f"http://example.com/{n}/{i}", "response",
                                                      payload=io.BytesIO(body.encode()), http_headers=headers))
    return out.getvalue()


def bad_warc(rng, folder, n, scale):
    data = _warc(rng, n)
    choice = rng.random()
    if choice < 0.4:
        data = data[:rng.randrange(1, len(data))]
    elif choice < 0.7:
        pos = rng.randrange(len(data))
        data = data[:pos] + rng.randbytes(rng.randint(1, 200)) + data[pos:]
    else:
        data = f"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: {rng.randint(-5, 10**12)}\r\n\r\n".encode() \
            + rng.randbytes(100)
    gz = data[:2] == b"\x1f\x8b"
    return _write(folder, f"warc-{n}.warc{'.gz' if gz else ''}", data)


def bad_jsonl(rng, folder, n, scale):
    lines = []
    for i in range(rng.randint(1, 8)):
        good = {"id": f"j{n}-{i}", "text": GOOD.format(n=f"{n}j{i}")}
        bad = rng.choice([
            "null", "[]", "42", '"text"', "{", '{"text": 5}', '{"text": null}', '{"html": ["a"]}',
            '{"id": null, "text": ""}', json.dumps({"text": f"x {n}-{i}", "published": "9999-99-99"}),
            '{"text": "ok", "n": ' + "9" * rng.choice([101, 5001, 100000]) + "}",
            "[" * rng.choice([1000, 100000]) + "]" * 10,
            '{"text": "\\ud800 lone surrogate ' + str(n) + '"}', '{"text": NaN}', '{"a": 1e999999}',
            json.dumps({"id": "x" * 100000, "text": GOOD.format(n=f"{n}L{i}")}),
            json.dumps({"text": GOOD.format(n=f"{n}m{i}"), "title": {"nested": [1, 2]}, "url": 12}),
            rng.randbytes(50).decode("latin-1"), "\x00\x01\x02",
        ])
        lines.append(bad if rng.random() < 0.7 else json.dumps(good))
    return _write(folder, f"records-{n}.jsonl", ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass"))


XXE = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
       "<html><body><p>&xxe; {text}</p></body></html>")
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
          + ']><html><body><p>&lol9; {text}</p></body></html>')


def entity_html(rng, folder, n, scale):
    template = rng.choice([XXE, LAUGHS])
    return _write(folder, f"entities-{n}.html", template.format(text=GOOD.format(n=f"{n}x")).encode())


def odd_name(rng, folder, n, scale):
    stem = rng.choice([
        b"\xff\xfe" + str(n).encode(), "name\nwith newline ".encode() + str(n).encode(), b"-rf " + str(n).encode(),
        ("é" * 60 + str(n)).encode(), b"x" * 230 + str(n).encode(), "‮evil".encode() + str(n).encode(),
        b"sp ace\t" + str(n).encode(), b"%s%n" + str(n).encode(), "\x1b[31mred".encode() + str(n).encode(),
    ])
    name = stem[:245] + rng.choice([b".txt", b".html", b".jsonl"])
    body = GOOD.format(n=f"{n}n")
    if name.endswith(b".jsonl"):
        body = json.dumps({"text": body})
    return _write(folder, name, body.encode())


def far_date(rng, folder, n, scale):
    day = rng.choice(["9999-12-31", "0001-01-01", "2022-02-30", "1900-01-01", "2100-06-15", "0000-00-00"])
    text = f"{GOOD.format(n=f'{n}d')} Next week and three years ago, by 2025, last Monday, in 1956."
    return _write(folder, f"{day}-dated-{n}.txt", text.encode())


def huge_text(rng, folder, n, scale):
    size = int(rng.choice([250_000, 1_100_000, 3_000_000]) * max(scale, 0.25))
    text = (GOOD.format(n=n) + " ") * (size // 150 + 1)
    if rng.random() < 0.5:
        text = text.replace(". ", ", ")  # one sentence
    return _write(folder, f"huge-{n}.txt", text[:size].encode())


def bad_html(rng, folder, n, scale):
    count = int(1_000_000 * scale)
    html = rng.choice([
        lambda: "<html><body><p " + " ".join(f"a{i}=x" for i in range(count)) + f">{n}</p></body></html>",
        lambda: "<div>" * (count // 10) + f"<p>{GOOD.format(n=n)}</p>",
        lambda: f"<html><body><p>{GOOD.format(n=n)}</p>" + "\n" * (count * 10) + "</body></html>",
        lambda: f"<html><script>var a = '{n}';" + "<" * (count // 10),
        lambda: "<p>" + "&amp;" * count + f" {n}</p>",
        lambda: "<table>" + "<tr><td>" * (count // 20) + f"{n}",
        lambda: "<!--" + "-" * count + f"{n}",
        lambda: f"<html><head><meta charset='utf-7'></head><body>+ADw-script+AD4-{n}</body></html>",
    ])()
    return _write(folder, f"html-{n}.html", html.encode())


def said_said(rng, folder, n, scale):
    word = rng.choice(["said", '"', "“", "he said", "told", "according to"])
    text = " ".join([word] * int(20000 * scale)) + f" {n}"
    return _write(folder, f"said-{n}.txt", text.encode())


def garbage_text(rng, folder, n, scale):
    alphabet = string.printable + "“”‘’—–…·•€£¥§¶†‡" + "".join(chr(c) for c in range(0x400, 0x450)) + "\u200b\u0301"
    text = "".join(rng.choice(alphabet) for _ in range(rng.randint(10, int(20000 * scale) + 10)))
    return _write(folder, f"garbage-{n}.txt", (text + f" {n}").encode())


def special_file(rng, folder, n, scale):
    kind = rng.choice(["fifo", "dev", "dangling", "loop", "dir-named-txt", "empty", "blank", "unsupported"])
    path = Path(folder) / f"special-{kind}-{n}.txt"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev":
        os.symlink("/dev/zero", path)
    elif kind == "dangling":
        os.symlink(f"/nonexistent/{n}", path)
    elif kind == "loop":
        other = Path(folder) / f"special-loop-{n}-b.txt"
        os.symlink(other, path)
        os.symlink(path, other)
        return [str(path), str(other)]
    elif kind == "dir-named-txt":
        path.mkdir()
        (path / f"inside-{n}.txt").write_text(GOOD.format(n=f"{n}i"))
        return str(path / f"inside-{n}.txt")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "blank":
        path.write_bytes(b" \n\t\r\n " * 100)
    else:
        path = path.with_suffix(rng.choice([".pdf", ".docx", ".exe", ""]))
        path.write_bytes(rng.randbytes(100))
    return str(path)


KINDS = {f.__name__: f for f in (random_bytes, invalid_utf8, utf16_32, control_chars, gzip_bomb, bad_warc,
                                   bad_jsonl, entity_html, odd_name, far_date, huge_text, bad_html, said_said,
                                   garbage_text, special_file)}
HEAVY = {"gzip_bomb": 0.2, "huge_text": 0.3, "bad_html": 0.3}  # drawn less often: each takes seconds


def _write(folder, name, data: bytes):
    path = os.path.join(os.fsencode(folder), name if isinstance(name, bytes) else os.fsencode(name))
    with open(path, "wb") as handle:
        handle.write(data)
    return path


def generate(folder: Path, count: int, rng: random.Random, scale: float = 1.0) -> tuple[list, list, Counter]:
    """(hostile input paths, good input paths, count per kind); every kind at least once."""
    names = list(KINDS)
    weights = [HEAVY.get(k, 1.0) for k in names]
    order = names + rng.choices(names, weights, k=max(0, count - len(names)))
    hostile, good, kinds = [], [], Counter()
    for n, kind in enumerate(order[:count] if count >= len(names) else order):
        made = KINDS[kind](rng, folder, n, scale)
        hostile += made if isinstance(made, list) else [made]
        kinds[kind] += 1
        if n % 25 == 0:
            good.append(_write(folder, f"good-{n}.txt", GOOD.format(n=f"{n}g").encode()))
    return hostile, good, kinds


# --- feeds over localhost HTTP ------------------------------------------------------------------------

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def _serve(folder: Path):
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def feeds(folder: Path, count: int, rng: random.Random) -> list[tuple[str, str]]:
    """Hostile feed files (XXE, billion laughs, garbage, truncated), to be served over HTTP:
    (file name, the link of its one entry): a feed read despite its damage has its entry as outcome."""
    (folder / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    names = []
    for n in range(count):
        item = f"<item><title>t{n}</title><link>http://127.0.0.1:1/none-{n}</link></item>"
        body = rng.choice([
            f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            f"<rss><channel><title>&xxe;</title>{item}</channel></rss>",
            LAUGHS.split("<html>")[0] + f"<rss><channel><title>&lol9;</title>{item}</channel></rss>",
            f"<rss><channel>{item}" * 3,
            rng.randbytes(300).decode("latin-1"),
            "<?xml version='1.0'?><rss>" + "<channel>" * 50000,
        ])
        name = f"feed-{n}.xml"
        (folder / name).write_bytes(body.encode("utf-8", "surrogateescape"))
        names.append((name, f"http://127.0.0.1:1/none-{n}"))
    return names


# --- runs and checks ------------------------------------------------------------------------------------

def _shown(path) -> str:
    from tidings.ingest.files import shown

    return shown(os.fsdecode(path))


def run_ingest(args: list[str], db: Path, timeout: float, workers: int, extra: list[str] = ()) -> dict:
    """One `tidings ingest` subprocess: exit code, seconds, hang, peak RSS of its largest process (MB)."""
    command = [str(TIDINGS), "ingest", *args, "--db", str(db), "--workers", str(workers), *extra]
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = process.communicate(timeout=timeout)
        hung = False
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        out, err = process.communicate()
        hung = True
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"exit": process.returncode, "seconds": time.perf_counter() - started, "hung": hung,
            "peak_rss_mb": round(max(peak, before) / 1024), "peak_grew": peak > before,
            "stderr": err.decode("utf-8", "replace")[-2000:], "stdout": out.decode("utf-8", "replace")[-3000:]}


def stored(db: Path) -> list[tuple]:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT origin, url, status, error, text FROM articles").fetchall()


def check(rows: list[tuple], hostile: list, good: list, urls: list[tuple[str, str]]) -> dict:
    """Inputs without an outcome, good inputs not stored ok, outcomes without a reason, XXE leaks."""
    origins = {}
    for origin, url, status, error, text in rows:
        origins.setdefault(origin or "", []).append((status, error))
        if url:
            origins.setdefault(url, []).append((status, error))

    def outcomes(path: str) -> list:
        found = list(origins.get(path, []))
        for key, value in origins.items():
            if key.startswith((path + ":", path + "#")):
                found += value
        return found

    missing = [p for p in map(_shown, hostile) if not outcomes(p)]
    missing += [feed for feed, entry in urls if not outcomes(feed) and not outcomes(entry)]
    lost = [p for p in map(_shown, good) if not any(status == "ok" for status, _ in outcomes(p))]
    unexplained = [o for o, v in origins.items() for status, error in v if status != "ok" and not (error or "").strip()]
    leaks = [o for o, _, _, _, text in rows if text and PASSWD_MARK in text]
    return {"missing": missing, "lost": lost, "unexplained": unexplained, "leaks": leaks}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000, help="hostile inputs in all")
    parser.add_argument("--per-run", type=int, default=500, help="inputs per `tidings ingest` run")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0, help="size of the heavy inputs (0-1]")
    parser.add_argument("--feeds", type=int, default=20, help="hostile feeds fetched over localhost HTTP")
    parser.add_argument("--run-timeout", type=float, default=None,
                        help="seconds a run may take before it counts as hung (default: 3 s per input + 120)")
    parser.add_argument("--doc-timeout", help="passed to `tidings ingest` (default: its own)")
    parser.add_argument("--keep", help="keep inputs and databases in this folder")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    extra = ["--doc-timeout", args.doc_timeout] if args.doc_timeout else []
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="tidings-fuzz-"))
    work.mkdir(parents=True, exist_ok=True)
    report = {"inputs": 0, "good_inputs": 0, "runs": 0, "aborted_runs": 0, "hung_runs": 0, "without_outcome": 0,
              "good_lost": 0, "without_reason": 0, "xxe_leaks": 0, "internal_errors": 0, "peak_rss_mb": 0, "kinds": Counter(),
              "errors_by_reason": Counter(), "seconds": 0.0, "failures": []}
    server = None
    try:
        remaining, run = args.count, 0
        while remaining > 0:
            size = min(args.per_run, remaining)
            folder = work / f"run-{run}"
            folder.mkdir()
            hostile, good, kinds = generate(folder, size, rng, args.scale)
            report["kinds"].update(kinds)
            db = work / f"run-{run}.duckdb"
            timeout = args.run_timeout or 3.0 * (size + len(good)) + 120
            outcome = run_ingest([str(folder)], db, timeout, args.workers, extra)
            _account(report, outcome, db, hostile, good, [], f"run-{run}")
            remaining -= size
            run += 1
        if args.feeds:
            folder = work / "feeds"
            folder.mkdir()
            server = _serve(folder)
            base = f"http://127.0.0.1:{server.server_address[1]}/"
            urls = [(base + name, entry) for name, entry in feeds(folder, args.feeds, rng)]
            listing = work / "feeds.txt"
            listing.write_text("\n".join(url for url, _ in urls) + "\n")
            db = work / "feeds.duckdb"
            outcome = run_ingest(["--urls", str(listing)], db, 3.0 * len(urls) + 120, args.workers, extra)
            report["kinds"]["feed"] += len(urls)
            _account(report, outcome, db, [], [], urls, "feeds")
    finally:
        if server is not None:
            server.shutdown()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    report["kinds"] = dict(report["kinds"])
    report["errors_by_reason"] = dict(report["errors_by_reason"].most_common(25))
    report["ok"] = not report["failures"]
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        _print(report)
    return report


def _account(report: dict, outcome: dict, db: Path, hostile: list, good: list, urls: list[tuple[str, str]],
             name: str) -> None:
    report["runs"] += 1
    report["inputs"] += len(hostile) + len(urls)
    report["good_inputs"] += len(good)
    report["seconds"] += outcome["seconds"]
    report["peak_rss_mb"] = max(report["peak_rss_mb"], outcome["peak_rss_mb"])
    if outcome["hung"]:
        report["hung_runs"] += 1
        report["failures"].append(f"{name}: no result within its time bound")
    if outcome["exit"] not in (0, 1):
        report["aborted_runs"] += 1
        report["failures"].append(f"{name}: exit {outcome['exit']}: {outcome['stderr'][-500:]}")
    rows = stored(db) if db.exists() else []
    for _, _, status, error, _ in rows:
        if status != "ok":
            report["errors_by_reason"][_reason(error)] += 1
            if any(mark in (error or "") for mark in INTERNAL):
                report["internal_errors"] += 1
    found = check(rows, hostile, good, urls)
    report["without_outcome"] += len(found["missing"])
    report["good_lost"] += len(found["lost"])
    report["without_reason"] += len(found["unexplained"])
    report["xxe_leaks"] += len(found["leaks"])
    for key, items in found.items():
        if items:
            report["failures"].append(f"{name}: {len(items)} {key}: {items[:3]!r}")


def _reason(error: str | None) -> str:
    """An error message without its particulars (numbers, line and column), to count by kind."""
    text = (error or "no reason").split(" (column")[0]
    return "".join("N" if ch.isdigit() else ch for ch in text)[:90]


def _print(report: dict) -> None:
    print(f"inputs: {report['inputs']} hostile + {report['good_inputs']} good, in {report['runs']} runs,"
          f" {report['seconds']:.0f} s")
    print(f"aborted runs: {report['aborted_runs']}  hung runs: {report['hung_runs']}"
          f"  inputs without an outcome: {report['without_outcome']}  good inputs lost: {report['good_lost']}"
          f"  outcomes without a reason: {report['without_reason']}  XXE leaks: {report['xxe_leaks']}"
          f"  internal errors (a stage failed): {report['internal_errors']}")
    print(f"peak memory of the largest process: {report['peak_rss_mb']} MB")
    print("kinds: " + ", ".join(f"{k} {v}" for k, v in sorted(report["kinds"].items())))
    print("most common stored reasons:")
    for reason, n in list(report["errors_by_reason"].items())[:15]:
        print(f"  {n:6d}  {reason}")
    for failure in report["failures"]:
        print("FAIL " + failure)


if __name__ == "__main__":
    sys.exit(0 if main()["ok"] else 1)
