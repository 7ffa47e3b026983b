"""`tidings watch`: re-poll a list of feeds and ingest only what is new.

Each poll re-reads the feeds file (so it can be edited while watching), fetches every feed
with a conditional GET (ETag / Last-Modified remembered from the previous poll), skips entries
whose URL or content the database already has, and stores the rest in committed batches. A
feed that is down, too slow (`fetch_timeout`), not a feed or malformed becomes a stored error;
the others go on. It counts as failed in every poll it fails in: when the database already
holds an error for that feed, it is not stored again but still reported (`PollSummary`).
Ctrl-C (or `stop.set()`) ends the loop between batches: what was committed stays, nothing is
half-written because every batch is one transaction.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path

from tidings.ingest_run import IngestSettings, IngestSummary, Ingestor
from tidings.records import Document

log = logging.getLogger(__name__)

_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr|d)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {None: 1, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "d": 86400}


def parse_interval(text: str) -> float:
    """'15m' → 900.0; '30s', '2h', '1d', or plain seconds."""
    match = _INTERVAL.match(text or "")
    if not match:
        raise ValueError(f"{text!r} is not an interval like 30s, 15m, 2h or 1d")
    value, unit = match.groups()
    return float(value) * _UNIT_SECONDS[unit.lower() if unit else None]


def read_feeds(path: Path) -> list[str]:
    """Feed URLs, one per line; blank lines and `#` comments ignored."""
    urls = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            urls.append(line)
    return urls


@dataclass
class WatchSettings:
    feeds_file: Path
    interval: float = 900.0
    max_polls: int | None = None  # None: until stopped
    ingest: IngestSettings = field(default_factory=IngestSettings)
    fetch_timeout: float | None = None  # seconds of network time per feed or page (None: FetchSettings')


@dataclass
class FeedState:
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class PollSummary(IngestSummary):
    """One poll: what was ingested, plus what happened to the feeds themselves.

    A feed that could not be used (unreachable, timed out, not a feed, malformed) is a failed
    input of this poll, in `failed` and `errors`, also when an identical failure was stored by
    an earlier poll (so it is never "already in the database")."""

    feeds: int = 0
    feeds_not_modified: int = 0
    feeds_failed: int = 0

    def describe(self) -> str:
        first, *rest = super().describe().split("\n")
        feeds = f"feeds: {self.feeds} polled, {self.feeds_not_modified} not modified, {self.feeds_failed} failed"
        return "\n".join([first, feeds, *rest])


@dataclass
class _FeedCounts:
    polled: int = 0
    not_modified: int = 0
    failed: int = 0
    already_stored: list[tuple[str, str]] = field(default_factory=list)  # (origin, error), not stored again


def _poll_summary(summary: IngestSummary, counts: _FeedCounts) -> PollSummary:
    values = {f.name: getattr(summary, f.name) for f in fields(summary) if f.init}
    poll = PollSummary(**values, feeds=counts.polled, feeds_not_modified=counts.not_modified,
                       feeds_failed=counts.failed)
    poll.failed += len(counts.already_stored)
    poll.errors = list(counts.already_stored) + poll.errors
    return poll


def watch(settings: WatchSettings, stop: threading.Event | None = None,
          on_poll: Callable[[int, PollSummary], None] | None = None) -> Iterator[PollSummary]:
    """Poll until stopped (or `max_polls`); yields one PollSummary per poll."""
    from tidings.ingest.web import Fetcher, FetchSettings
    from tidings.pipeline import Pipeline
    from tidings.store import open_store

    stop = stop or threading.Event()
    states: dict[str, FeedState] = {}
    ingest_settings = settings.ingest
    pipeline = Pipeline(ingest_settings.pipeline_settings())
    store = open_store(ingest_settings.db)
    try:
        ingestor = Ingestor(store, IngestSettings(**{**vars(ingest_settings), "workers": 1}), pipeline)
        limits = {"total_timeout": settings.fetch_timeout} if settings.fetch_timeout is not None else {}
        with Fetcher(FetchSettings(max_bytes=ingest_settings.max_bytes, **limits)) as fetcher:
            poll = 0
            while not stop.is_set():
                poll += 1
                started = time.perf_counter()
                counts = _FeedCounts()
                documents = _poll_documents(settings.feeds_file, fetcher, states, store.has_url, stop, counts)
                summary = _poll_summary(ingestor.ingest(documents), counts)
                summary.seconds = time.perf_counter() - started
                if on_poll:
                    on_poll(poll, summary)
                yield summary
                if settings.max_polls is not None and poll >= settings.max_polls:
                    break
                stop.wait(settings.interval)
    finally:
        store.close()


def _poll_documents(feeds_file: Path, fetcher, states: dict[str, FeedState], seen, stop,
                    counts: _FeedCounts) -> Iterator[Document]:
    """The new documents of one poll; feed failures already stored are counted, not yielded."""
    from tidings.ingest.feeds import is_feed_failure

    for document in _feed_documents(feeds_file, fetcher, states, seen, stop, counts):
        if is_feed_failure(document):
            counts.failed += 1
            if document.url and seen(document.url):
                counts.already_stored.append((document.origin or document.url, document.error or "unknown error"))
                continue
        yield document


def _feed_documents(feeds_file: Path, fetcher, states: dict[str, FeedState], seen, stop,
                    counts: _FeedCounts) -> Iterator[Document]:
    from tidings.ingest.feeds import documents_from_feed, is_feed
    from tidings.ingest.web import document_from_fetch

    try:
        urls = read_feeds(feeds_file)
    except OSError as exc:
        yield Document(id=f"feeds-{feeds_file.name}", origin=str(feeds_file),
                       error=f"cannot read feeds file: {exc.strerror or exc}")
        return
    for url in urls:
        if stop.is_set():
            return
        state = states.setdefault(url, FeedState())
        result = fetcher.fetch(url, etag=state.etag, last_modified=state.last_modified)
        counts.polled += 1
        if result.not_modified:
            log.info("%s: not modified", url)
            counts.not_modified += 1
            continue
        if result.ok and is_feed(result.content_type, result.body):
            state.etag, state.last_modified = result.etag, result.last_modified
            for document in documents_from_feed(result, fetcher, seen):
                if stop.is_set():
                    return
                yield document
        else:
            document = document_from_fetch(result)
            document.meta["feed"] = url
            if document.error is None:
                document.error = f"not a feed: {url} ({result.content_type or 'unknown content type'})"
            yield document
