"""URLs → Documents: a polite HTTP fetcher built on httpx.

    with Fetcher(FetchSettings(per_host_delay=1.0)) as fetcher:
        for document in iter_url_documents(["https://example.org/news/1"], fetcher):
            ...

Politeness and limits (all in `FetchSettings`):

* a fixed User-Agent naming the project;
* robots.txt is fetched once per host per `Fetcher` and obeyed (`urllib.robotparser`); a
  `Crawl-delay` raises the per-host delay. 401/403 on robots.txt means "disallow all", any
  other 4xx, 5xx or network error means "allow all" (logged);
* at most `per_host_concurrency` requests in flight per host and at least `per_host_delay`
  seconds between the starts of two requests to the same host;
* 429 and 5xx are retried up to `retries` times with exponential backoff
  (`backoff * 2**attempt`), honouring `Retry-After` (seconds or HTTP date) up to
  `max_retry_after`; connection errors are retried too, timeouts are not;
* redirects are followed by hand (each hop checked against robots.txt) up to `max_redirects`;
* bodies are streamed and the download aborted once over `max_bytes` (after content decoding);
* `timeout` bounds each network operation (connect, one read, one write);
* `total_timeout` bounds the network time of one `fetch`: every request made for that URL —
  robots.txt when this fetch loads it, each redirect hop, each retry — from connecting to the
  last body byte, status line and headers included, shares one budget of `total_timeout`
  seconds. The waits between requests (per-host delay, backoff, Retry-After up to
  `max_retry_after`) are not counted. A server that dribbles its answer (one byte every few
  seconds, which never trips the per-operation timeout) is cut off at the budget and the fetch
  fails with "timeout: no complete response within 30s"; a spent budget is never retried.
  (httpx only bounds single operations, encode/httpx#1450: each socket operation of a
  request is given at most the time left before the request's deadline, see `_DeadlineBackend`.);
* conditional GET: `fetch(url, etag=..., last_modified=...)` sends If-None-Match /
  If-Modified-Since; a 304 gives `FetchResult.not_modified=True` and an empty body.

`Fetcher.fetch` never raises: every failure is a `FetchResult` with `error` set to a specific
reason ("HTTP 404", "blocked by robots.txt", "timeout after 10s" (one network operation),
"timeout: no complete response within 30s" (the total budget), "too many redirects",
"response larger than N bytes", ...), and `document_from_fetch` turns it into a Document with
the same `error`.
"""

from __future__ import annotations

import codecs
import email.utils
import hashlib
import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpcore
import httpx

from tidings.records import Document

__all__ = ["USER_AGENT", "FetchResult", "FetchSettings", "Fetcher", "document_from_fetch", "document_kind",
           "iter_url_documents", "url_document_id"]

log = logging.getLogger(__name__)

USER_AGENT = "tidings/0.1 (+https://github.com/tidings-project/tidings)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309: parse at least 500 KiB
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain"})


@dataclass(frozen=True)
class FetchSettings:
    """How politely and how far the fetcher goes; one record instead of many parameters."""

    user_agent: str = USER_AGENT
    timeout: float = 10.0  # seconds, per network operation (connect, one read, one write)
    total_timeout: float = 30.0  # seconds of network time per fetched URL, all its requests together
    max_bytes: int = 10 * 1024 * 1024  # decoded body size limit
    max_redirects: int = 5
    per_host_concurrency: int = 2
    per_host_delay: float = 1.0  # seconds between request starts to one host
    retries: int = 3  # extra attempts after a 429/5xx/connection error
    backoff: float = 1.0  # seconds; attempt n waits backoff * 2**n (unless Retry-After)
    max_retry_after: float = 120.0  # a longer Retry-After (or Crawl-delay) is not waited for
    respect_robots: bool = True
    max_workers: int = 8  # threads used by fetch_many

    def __post_init__(self) -> None:
        for name in ("timeout", "total_timeout"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0:
                raise ValueError(f"FetchSettings.{name} must be a positive number of seconds, got {value!r}")


@dataclass
class FetchResult:
    """What one fetch gave: the body and caching headers, or `error` (a human reason)."""

    url: str
    final_url: str | None = None
    status: int | None = None
    content_type: str | None = None  # full header value, e.g. "text/html; charset=utf-8"
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    not_modified: bool = False
    fetched: str | None = None  # ISO 8601 UTC timestamp of the (last) response
    attempts: int = 0  # HTTP requests made for this URL, redirects and retries included

    @property
    def ok(self) -> bool:
        return self.error is None and not self.not_modified


class FetchError(Exception):
    """Internal: a fetch failure whose message is the human reason."""


class BudgetSpent(FetchError):
    """Internal: the fetch's total time budget ran out (never retried)."""


class _Budget:
    """The network time one fetch may still spend, shared by all its requests (see `running`)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.left = seconds
        self.note = ""  # why it ran out, when not on the request that fails

    def error(self) -> BudgetSpent:
        return BudgetSpent(f"timeout: no complete response within {self.seconds:g}s{self.note}")

    @contextmanager
    def running(self) -> Iterator[None]:
        """Bound the request made inside by the time left: its socket operations get at most
        that long (on this thread), and the time it takes is spent from the budget."""
        if self.left <= 0:
            raise self.error()
        start = time.monotonic()
        outer = _DEADLINE.at, _DEADLINE.budget
        _DEADLINE.at, _DEADLINE.budget = start + self.left, self
        try:
            yield
        finally:
            _DEADLINE.at, _DEADLINE.budget = outer
            self.left -= time.monotonic() - start


class _Deadline(threading.local):
    """The deadline of the request running on this thread (None: unbounded)."""

    at: float | None = None
    budget: _Budget | None = None


_DEADLINE = _Deadline()


def _bounded(operation: Callable[[float | None], object], timeout: float | None):
    """Run a socket operation with `timeout` cut to the time left before this thread's deadline.

    A timeout that happens because of the cut is the budget running out: it raises BudgetSpent
    (which httpx passes through untouched), not the per-operation timeout.
    """
    at, budget = _DEADLINE.at, _DEADLINE.budget
    if at is None or budget is None:
        return operation(timeout)
    left = at - time.monotonic()
    if left <= 0:
        raise budget.error()
    if timeout is not None and timeout <= left:
        return operation(timeout)
    try:
        return operation(left)
    except httpcore.TimeoutException:
        raise budget.error() from None


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every operation obeys the deadline of the request using it."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return _bounded(lambda t: self._stream.read(max_bytes, t), timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        _bounded(lambda t: self._stream.write(buffer, t), timeout)

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(_bounded(lambda t: self._stream.start_tls(ssl_context, server_hostname, t), timeout))

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network backend with every connection wrapped in a `_DeadlineStream`."""

    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options=None) -> httpcore.NetworkStream:
        return _DeadlineStream(_bounded(
            lambda t: self._backend.connect_tcp(host, port, t, local_address, socket_options), timeout))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options=None) -> httpcore.NetworkStream:
        return _DeadlineStream(_bounded(
            lambda t: self._backend.connect_unix_socket(path, t, socket_options), timeout))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def _bound_by_deadlines(client: httpx.Client) -> None:
    """Make every connection `client` opens (directly or through an environment proxy) obey
    the deadline of the request using it. httpx has no public hook for this, so the network
    backend of each transport's httpcore pool is wrapped; fail loudly if httpx changes shape."""
    transports = [client._transport, *(t for t in client._mounts.values() if t is not None)]
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if not isinstance(backend, httpcore.NetworkBackend):
            raise RuntimeError(f"cannot bound fetch times: httpx {httpx.__version__} transport "
                               f"{type(transport).__name__} has no httpcore network backend where expected")
        if not isinstance(backend, _DeadlineBackend):
            pool._network_backend = _DeadlineBackend(backend)


@dataclass
class _Response:
    status: int
    headers: httpx.Headers
    body: bytes = b""


@dataclass
class _Host:
    """Per-host politeness state of one Fetcher: slots, pacing, robots.txt."""

    slots: threading.BoundedSemaphore
    delay: float
    lock: threading.Lock = field(default_factory=threading.Lock)
    robots_lock: threading.Lock = field(default_factory=threading.Lock)
    next_start: float = 0.0
    robots: RobotFileParser | None = None

    def wait_turn(self) -> None:
        """Sleep until this host may receive the next request, and book the slot after it."""
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next_start)
            self.next_start = start + self.delay
        if start > now:
            time.sleep(start - now)

    def defer(self, seconds: float) -> None:
        """Keep every request to this host waiting for `seconds` from now (Retry-After, backoff)."""
        with self.lock:
            self.next_start = max(self.next_start, time.monotonic() + seconds)


class Fetcher:
    """Fetches URLs politely; reusable and thread-safe. Use as a context manager or `close()`."""

    def __init__(self, settings: FetchSettings | None = None) -> None:
        self.settings = settings or FetchSettings()
        self._client = httpx.Client(
            headers={"User-Agent": self.settings.user_agent},
            timeout=httpx.Timeout(self.settings.timeout),
            follow_redirects=False,
            limits=httpx.Limits(max_connections=max(self.settings.max_workers, 1) * 2),
        )
        _bound_by_deadlines(self._client)
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    # -- public ----------------------------------------------------------------------------
    def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
        """Fetch one URL (conditionally when `etag`/`last_modified` are given). Never raises."""
        result = FetchResult(url=url)
        headers = _conditional_headers(etag, last_modified)
        try:
            self._follow(url, headers, result, _Budget(self.settings.total_timeout))
        except FetchError as exc:
            result.error = str(exc)
        except httpx.TimeoutException:
            result.error = f"timeout after {self.settings.timeout:g}s"
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            result.error = f"invalid URL: {exc}"
        except httpx.DecodingError as exc:
            result.error = f"cannot decode response body: {exc}"
        except httpx.HTTPError as exc:
            result.error = f"connection failed: {exc}"
        except Exception as exc:  # noqa: BLE001 - one odd server must not stop a batch
            log.exception("unexpected failure fetching %s", url)
            result.error = f"fetch failed: {type(exc).__name__}: {exc}"
        if result.error:
            log.info("fetch %s failed: %s", url, result.error)
        return result

    def fetch_many(self, urls: Iterable[str]) -> Iterator[FetchResult]:
        """Fetch URLs concurrently (per-host limits still apply); results in input order.

        At most `max_workers` fetches run at once and a bounded window of URLs is read ahead,
        so `urls` may be a long lazy iterable.
        """
        window = max(self.settings.max_workers, 1) * 4
        pending: deque[Future[FetchResult]] = deque()
        with ThreadPoolExecutor(max_workers=max(self.settings.max_workers, 1),
                                thread_name_prefix="tidings-fetch") as pool:
            try:
                for url in urls:
                    pending.append(pool.submit(self.fetch, url))
                    if len(pending) >= window:
                        yield pending.popleft().result()
                while pending:
                    yield pending.popleft().result()
            finally:  # the caller stopped early: do not start what is still queued
                for future in pending:
                    future.cancel()

    def allowed(self, url: str, budget: _Budget | None = None) -> bool:
        """Whether robots.txt of the URL's host lets our user agent fetch it. Loading robots.txt
        spends from `budget` (the calling fetch's), else from a budget of its own."""
        if not self.settings.respect_robots:
            return True
        host = self._host(url)
        robots = self._robots(url, host, budget or _Budget(self.settings.total_timeout))
        return robots.can_fetch(self.settings.user_agent, url)

    # -- redirects, retries, one request ---------------------------------------------------
    def _follow(self, url: str, headers: dict[str, str], result: FetchResult, budget: _Budget) -> None:
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            _check_url(current)
            if not self.allowed(current, budget):
                raise FetchError("blocked by robots.txt")
            response = self._with_retries(current, headers, result, budget)
            result.final_url = current
            result.status = response.status
            location = response.headers.get("location")
            if response.status in REDIRECT_STATUSES and location:
                current = urljoin(current, location)
                continue
            _fill(result, response)
            return
        raise FetchError("too many redirects")

    def _with_retries(self, url: str, headers: dict[str, str], result: FetchResult, budget: _Budget) -> _Response:
        host = self._host(url)
        attempt = 0
        while True:
            try:
                response = self._request(url, headers, host, budget)
            except (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError):
                if attempt >= self.settings.retries:
                    raise
                wait = self.settings.backoff * 2 ** attempt
            else:
                if response.status not in RETRY_STATUSES or attempt >= self.settings.retries:
                    return response
                wait = self._retry_wait(response, attempt)
            finally:
                result.attempts += 1
            log.info("retrying %s in %.1fs (attempt %d)", url, wait, attempt + 1)
            host.defer(wait)
            attempt += 1

    def _retry_wait(self, response: _Response, attempt: int) -> float:
        retry_after = _retry_after(response.headers.get("retry-after"))
        if retry_after is None:
            return self.settings.backoff * 2 ** attempt
        if retry_after > self.settings.max_retry_after:
            raise FetchError(f"HTTP {response.status} (Retry-After {retry_after:g}s exceeds the "
                             f"{self.settings.max_retry_after:g}s limit)")
        return retry_after

    def _request(self, url: str, headers: dict[str, str], host: _Host, budget: _Budget,
                 max_bytes: int | None = None) -> _Response:
        """One GET: connection, status line, headers and (for a 2xx) the body, all within what
        is left of `budget` (the wait for this host's turn is not counted)."""
        limit = self.settings.max_bytes if max_bytes is None else max_bytes
        with host.slots:
            host.wait_turn()
            with budget.running(), self._client.stream("GET", url, headers=headers) as response:
                body = b""
                if 200 <= response.status_code < 300:
                    body = _read_limited(response, limit)
                return _Response(response.status_code, response.headers, body)

    # -- hosts and robots.txt --------------------------------------------------------------
    def _host(self, url: str) -> _Host:
        key = _host_key(url)
        with self._hosts_lock:
            host = self._hosts.get(key)
            if host is None:
                host = _Host(threading.BoundedSemaphore(max(self.settings.per_host_concurrency, 1)),
                             delay=self.settings.per_host_delay)
                self._hosts[key] = host
            return host

    def _robots(self, url: str, host: _Host, budget: _Budget) -> RobotFileParser:
        with host.robots_lock:
            if host.robots is None:
                host.robots = self._load_robots(url, host, budget)
                delay = host.robots.crawl_delay(self.settings.user_agent)
                if delay:
                    host.delay = max(host.delay, min(float(delay), self.settings.max_retry_after))
            return host.robots

    def _load_robots(self, url: str, host: _Host, budget: _Budget) -> RobotFileParser:
        robots_url = urljoin(url, "/robots.txt")
        parser = RobotFileParser(robots_url)
        try:
            response = self._robots_response(robots_url, host, budget)
        except (httpx.HTTPError, FetchError) as exc:
            if isinstance(exc, BudgetSpent):
                budget.note = f" (loading {robots_url} used it all)"
            log.warning("robots.txt of %s unreachable (%s): allowing all", robots_url, exc)
            parser.allow_all = True
            return parser
        if response.status in (401, 403):
            parser.disallow_all = True
        elif response.status >= 300:
            log.info("robots.txt of %s: HTTP %d, allowing all", robots_url, response.status)
            parser.allow_all = True
        else:
            parser.parse(response.body.decode("utf-8", "replace").splitlines())
        return parser

    def _robots_response(self, robots_url: str, host: _Host, budget: _Budget) -> _Response:
        current = robots_url
        for _hop in range(self.settings.max_redirects + 1):
            response = self._request(current, {}, host, budget, max_bytes=ROBOTS_MAX_BYTES)
            location = response.headers.get("location")
            if response.status not in REDIRECT_STATUSES or not location:
                return response
            current = urljoin(current, location)
        raise FetchError("too many redirects")


# --- helpers ------------------------------------------------------------------------------

def _check_url(url: str) -> None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:  # an unclosed IPv6 bracket, a bad port
        raise FetchError(f"invalid URL: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"unsupported URL scheme: {parts.scheme or 'none'} (expected http or https)")
    if not parts.netloc:
        raise FetchError("invalid URL: no host")


def _host_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _read_limited(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    encoded = response.headers.get("content-encoding", "identity").lower() not in ("", "identity")
    if declared.isdigit() and not encoded and int(declared) > max_bytes:
        raise FetchError(f"response larger than {max_bytes} bytes")
    chunks: list[bytes] = []
    total = 0
    for chunk in response.iter_bytes():
        total += len(chunk)
        if total > max_bytes:
            raise FetchError(f"response larger than {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _fill(result: FetchResult, response: _Response) -> None:
    headers = response.headers
    result.content_type = headers.get("content-type")
    result.etag = headers.get("etag")
    result.last_modified = headers.get("last-modified")
    result.fetched = datetime.now(UTC).isoformat(timespec="seconds")
    if response.status == 304:
        result.not_modified = True
    elif 200 <= response.status < 300:
        result.body = response.body
    else:
        result.error = f"HTTP {response.status}"


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


# --- FetchResult → Document ---------------------------------------------------------------

def media_type(content_type: str | None) -> str:
    """"text/html; charset=utf-8" → "text/html" ("" when missing)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def charset(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header when Python knows the codec."""
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type or "", re.I)
    if not match:
        return None
    try:
        return codecs.lookup(match.group(1)).name
    except LookupError:
        return None


def document_kind(content_type: str | None, body: bytes) -> str | None:
    """"html" or "text" for a response, None when it is neither (PDF, image, ...)."""
    kind = media_type(content_type)
    if kind in HTML_TYPES:
        return "html"
    if kind in TEXT_TYPES:
        return "text"
    if not kind:
        head = body[:1024].lstrip().lower()
        return "html" if head.startswith((b"<!doctype html", b"<html")) else "text"
    return None


def url_document_id(url: str, body: bytes = b"") -> str:
    """Stable id of a web page: a slug of the URL plus 16 hex digits of sha256(url + body)."""
    digest = hashlib.sha256(url.encode("utf-8", "surrogateescape") + b"\n" + body).hexdigest()[:16]
    try:
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s]
        stem = segments[-1].rsplit(".", 1)[0] if segments else parts.hostname or "page"
    except ValueError:  # a malformed URL (an unclosed IPv6 bracket) still gets an id
        stem = "page"
    slug = re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-").lower()[:40] or "page"
    return f"{slug}-{digest}"


def document_from_fetch(result: FetchResult) -> Document:
    """One Document per FetchResult: kind html/text by content type, or `error` set."""
    url = result.final_url or result.url
    meta = {"requested_url": result.url, "status": result.status, "content_type": result.content_type,
            "etag": result.etag, "last_modified": result.last_modified, "fetched_at": result.fetched}
    meta = {k: v for k, v in meta.items() if v is not None}
    fetched = result.fetched[:10] if result.fetched else None
    error = result.error
    if error is None and result.not_modified:
        error = "not modified since the last fetch (HTTP 304)"
    kind = document_kind(result.content_type, result.body) if error is None else None
    if error is None and kind is None:
        error = f"unsupported content type: {media_type(result.content_type)}"
    if error is None and not result.body.strip():
        error = "empty response body"
    if error is not None:
        return Document(id=url_document_id(url), origin=result.url, url=url, fetched=fetched,
                        error=error, meta=meta)
    encoding = charset(result.content_type)
    if encoding:
        meta["encoding"] = encoding
    return Document(id=url_document_id(url, result.body), origin=result.url, kind=kind, raw=result.body,
                    url=url, fetched=fetched, meta=meta)


def iter_url_documents(urls: Iterable[str], fetcher: Fetcher) -> Iterator[Document]:
    """Fetch pages concurrently and yield one Document each, in input order, errors included."""
    for result in fetcher.fetch_many(urls):
        yield document_from_fetch(result)
