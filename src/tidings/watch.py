"""`tidings watch`: re-poll a list of feeds and ingest only what is new.

Each poll re-reads the feeds file (so it can be edited while watching), fetches every feed
with a conditional GET (ETag / Last-Modified remembered from the previous poll), skips entries
whose URL or content the database already has, and stores the rest in committed batches. A
feed that is down or malformed becomes a stored error for that poll; the others go on.
Ctrl-C (or `stop.set()`) ends the loop between batches: what was committed stays, nothing is
half-written because every batch is one transaction.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
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


@dataclass
class FeedState:
    etag: str | None = None
    last_modified: str | None = None


def watch(settings: WatchSettings, stop: threading.Event | None = None,
          on_poll: Callable[[int, IngestSummary], None] | None = None) -> Iterator[IngestSummary]:
    """Poll until stopped (or `max_polls`); yields one IngestSummary per poll."""
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
        with Fetcher(FetchSettings(max_bytes=ingest_settings.max_bytes)) as fetcher:
            poll = 0
            while not stop.is_set():
                poll += 1
                started = time.perf_counter()
                documents = _poll_documents(settings.feeds_file, fetcher, states, store.has_url, stop)
                summary = ingestor.ingest(documents)
                summary.seconds = time.perf_counter() - started
                if on_poll:
                    on_poll(poll, summary)
                yield summary
                if settings.max_polls is not None and poll >= settings.max_polls:
                    break
                stop.wait(settings.interval)
    finally:
        store.close()


def _poll_documents(feeds_file: Path, fetcher, states: dict[str, FeedState], seen, stop) -> Iterator[Document]:
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
        if result.not_modified:
            log.info("%s: not modified", url)
            continue
        if result.ok and is_feed(result.content_type, result.body):
            state.etag, state.last_modified = result.etag, result.last_modified
            for document in documents_from_feed(result, fetcher, seen):
                if stop.is_set():
                    return
                yield document
        else:
            document = document_from_fetch(result)
            if document.error is None:
                document.error = f"not a feed: {url} ({result.content_type or 'unknown content type'})"
            yield document
