"""A real HTTP server on localhost for the web-ingest tests (http.server in a thread, port 0).

`NewsServer` serves a small fake news site whose behaviour the tests assert on: feeds, pages,
robots.txt, slow/failing/rate-limited endpoints, redirect loops, oversized pages and
conditional GET. It records every request (path, headers, time, concurrency).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARTICLE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head>
<body><nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article><h1>{title}</h1>
<p>{lead} The talks in Vienna ended without agreement on Tuesday, officials said, and both
delegations said they would consult their governments before another round.</p>
<p>The foreign minister told reporters that his country remained open to dialogue but would not
accept conditions that threatened its security, according to a statement from the ministry.</p>
<p>Diplomats from several European states urged both sides to return to the table and to avoid
steps that could escalate the crisis further in the coming weeks.</p>
</article><footer>Copyright 2022 Example Wire</footer></body></html>
"""

LAST_MODIFIED = format_datetime(datetime(2022, 1, 18, 10, 0, tzinfo=UTC), usegmt=True)


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    at: float


@dataclass
class ServerLog:
    requests: list[Seen] = field(default_factory=list)
    hits: Counter[str] = field(default_factory=Counter)
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]


def article(title: str, lead: str) -> bytes:
    return ARTICLE.format(title=title, lead=lead).encode("utf-8")


def rss_feed() -> bytes:
    return b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Example Wire</title><link>/</link><description>News</description>
<item><title>Talks stall in Vienna</title><link>/news/talks-stall.html</link>
  <pubDate>Tue, 18 Jan 2022 01:30:00 +0300</pubDate>
  <description>&lt;p&gt;Talks &lt;b&gt;stall&lt;/b&gt;&lt;/p&gt;</description></item>
<item><title>Ministers meet in Berlin</title><link>http://HOST/news/ministers-meet.html</link>
  <pubDate>Wed, 19 Jan 2022 09:00:00 GMT</pubDate></item>
<item><title>Secret memo</title><link>/private/memo.html</link><pubDate>Wed, 19 Jan 2022 10:00:00 GMT</pubDate></item>
<item><title>Gone story</title><link>/news/gone.html</link><pubDate>Thu, 20 Jan 2022 10:00:00 GMT</pubDate></item>
</channel></rss>
"""


def atom_feed() -> bytes:
    return b"""<?xml version="1.0" encoding="utf-8"?>
<!-- an Atom feed -->
<feed xmlns="http://www.w3.org/2005/Atom"><title>Example Wire (Atom)</title><id>urn:example</id>
<updated>2022-01-21T12:00:00Z</updated>
<entry><title>Sanctions announced</title><link rel="alternate" href="/news/sanctions.html"/>
  <id>urn:example:1</id><published>2022-01-21T08:00:00-05:00</published><updated>2022-01-21T12:00:00Z</updated>
  <summary>New sanctions.</summary></entry>
<entry><title>Protest in the capital</title><link href="/news/protest.html"/>
  <id>urn:example:2</id><updated>2022-01-22T23:30:00-08:00</updated></entry>
</feed>
"""


PAGES = {
    "/news/talks-stall.html": ("Talks stall in Vienna", "Negotiators failed to agree."),
    "/news/ministers-meet.html": ("Ministers meet in Berlin", "Ministers met in Berlin."),
    "/news/sanctions.html": ("Sanctions announced", "The government announced sanctions."),
    "/news/protest.html": ("Protest in the capital", "Thousands protested in the capital."),
    "/private/memo.html": ("Secret memo", "This page must never be fetched."),
    "/page": ("A plain page", "A page fetched directly."),
}


class Handler(BaseHTTPRequestHandler):
    server: NewsServer

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        log = self.server.log
        with log.lock:
            log.requests.append(Seen(self.path, dict(self.headers.items()), time.monotonic()))
            log.hits[self.path] += 1
            hit = log.hits[self.path]
            log.in_flight += 1
            log.max_in_flight = max(log.max_in_flight, log.in_flight)
        try:
            self.route(hit)
        finally:
            with log.lock:
                log.in_flight -= 1

    def send(self, status: int, body: bytes = b"", content_type: str = "text/html; charset=utf-8",
             headers: dict[str, str] | None = None, length: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length:
            self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def route(self, hit: int) -> None:  # noqa: C901 - a routing table
        path = self.path
        host = f"127.0.0.1:{self.server.server_port}".encode()
        if path == "/robots.txt":
            self.send(self.server.robots_status, self.server.robots, "text/plain")
        elif path == "/feed.xml":
            self.send(200, rss_feed().replace(b"HOST", host), "application/rss+xml")
        elif path == "/feed-as-xml":
            self.send(200, rss_feed().replace(b"HOST", host), "text/xml")
        elif path == "/atom.xml":
            self.send(200, atom_feed(), "application/atom+xml; charset=utf-8")
        elif path == "/broken.xml":
            self.send(200, b"<?xml version='1.0'?><html><body><p>Oops, <b>not a feed</p>", "application/rss+xml")
        elif path in PAGES:
            self.send(200, article(*PAGES[path]))
        elif path == "/slow":
            time.sleep(3)
            self.send(200, article("Slow", "Too slow."))
        elif path.startswith("/slowish/"):
            time.sleep(0.3)
            self.send(200, article("Slowish", path))
        elif path == "/flaky":  # 500 twice, then fine
            if hit <= 2:
                self.send(500, b"oops")
            else:
                self.send(200, article("Flaky", "Third time lucky."))
        elif path == "/broken":
            self.send(503, b"down")
        elif path == "/limited":  # 429 with Retry-After once, then fine
            if hit == 1:
                self.send(429, b"slow down", headers={"Retry-After": "1"})
            else:
                self.send(200, article("Limited", "Patience pays."))
        elif path == "/limited-long":
            self.send(429, b"slow down", headers={"Retry-After": "3600"})
        elif path == "/loop/a":
            self.send(302, headers={"Location": "/loop/b"})
        elif path == "/loop/b":
            self.send(301, headers={"Location": f"http://127.0.0.1:{self.server.server_port}/loop/a"})
        elif path == "/moved":
            self.send(301, headers={"Location": "/page"})
        elif path == "/big":
            self.send(200, b"<html><body>" + b"x" * 200_000 + b"</body></html>")
        elif path == "/big-stream":  # no Content-Length: must be cut off while streaming
            self.send(200, b"<html><body>" + b"y" * 200_000 + b"</body></html>", length=False)
        elif path == "/cached":
            self.conditional()
        elif path == "/paper.pdf":
            self.send(200, b"%PDF-1.4 ...", "application/pdf")
        elif path == "/plain.txt":
            self.send(200, b"Plain news text: ministers met on Monday.", "text/plain; charset=utf-8")
        else:
            self.send(404, b"not found")

    def conditional(self) -> None:
        etag = '"v1"'
        if self.headers.get("If-None-Match") == etag or self.headers.get("If-Modified-Since") == LAST_MODIFIED:
            self.send(304, headers={"ETag": etag, "Last-Modified": LAST_MODIFIED}, length=False)
            return
        self.send(200, article("Cached", "Cache me."), headers={"ETag": etag, "Last-Modified": LAST_MODIFIED})


class NewsServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, robots: bytes = b"User-agent: *\nDisallow: /private/\n", robots_status: int = 200) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.robots = robots
        self.robots_status = robots_status
        self.log = ServerLog()
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self) -> NewsServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
        self.thread.join(timeout=5)


class SlowLorisHandler(BaseHTTPRequestHandler):
    """Answers one byte at a time, `server.interval` seconds apart, on the paths in `server.slow`
    (the whole answer, status line and headers included) or in `server.slow_body` (headers at
    once, then the body byte by byte); everything else is a quick normal answer."""

    server: SlowLorisServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        server = self.server
        with server.lock:
            server.hits[self.path] += 1
        host = f"127.0.0.1:{server.server_port}".encode()
        status, content_type, body = server.routes.get(self.path, (404, "text/plain", b"not found"))
        body = body.replace(b"HOST", host)
        pad = "".join(f"X-Padding-{i}: {'.' * 40}\r\n" for i in range(server.padding_headers))
        head = (f"HTTP/1.1 {status} Whatever\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                f"{pad}Connection: close\r\n\r\n").encode()
        self.close_connection = True
        try:
            if self.path in server.slow:
                self.dribble(head + body)
            elif self.path in server.slow_body:
                self.wfile.write(head)
                self.dribble(body)
            else:
                self.wfile.write(head + body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up: what the tests want
            with server.lock:
                server.abandoned[self.path] += 1

    def dribble(self, data: bytes) -> None:
        for i in range(len(data)):
            if self.server.stopping.is_set():
                return
            self.wfile.write(data[i:i + 1])
            self.wfile.flush()
            self.server.stopping.wait(self.server.interval)


class SlowLorisServer(ThreadingHTTPServer):
    """A hostile server on localhost: the paths in `slow` are sent one byte every `interval`
    seconds (never slow enough for a per-read timeout to fire), those in `slow_body` get their
    headers at once and then the body that way. `routes` maps a path to (status, content type,
    body); "HOST" in a body becomes this server's host:port. Answers are padded with
    `padding_headers` long headers so that dribbling the headers alone takes minutes."""

    daemon_threads = True

    def __init__(self, routes: dict[str, tuple[int, str, bytes]], slow: set[str] = frozenset(),
                 slow_body: set[str] = frozenset(), interval: float = 0.5, padding_headers: int = 10) -> None:
        super().__init__(("127.0.0.1", 0), SlowLorisHandler)
        self.routes = routes
        self.slow, self.slow_body = set(slow), set(slow_body)
        self.interval = interval
        self.padding_headers = padding_headers
        self.hits: Counter[str] = Counter()
        self.abandoned: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_port}{path}"

    def __enter__(self) -> SlowLorisServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()
        self.thread.join(timeout=5)


class LiveApp:
    """An ASGI app served by uvicorn on 127.0.0.1 in a thread (port 0: a free one), started and
    waited for; `stop()` ends it. Used by the web-ingest and browser tests."""

    def __init__(self, app) -> None:
        import socket

        import uvicorn

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
