"""`tidings ingest` as a library call: documents → pipeline → store, in committed batches."""

from __future__ import annotations

import hashlib
import itertools
import logging
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, TimeoutError as FuturesTimeout
from concurrent.futures.process import BrokenProcessPool
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TextIO

from tidings.ingest.files import count_documents
from tidings.records import ArticleResult, Document

log = logging.getLogger(__name__)

# errors of the store itself (the connection or file gone, the disk full): they stop the run
STORE_LOST: tuple[type[BaseException], ...] = (OSError, MemoryError)


@dataclass
class IngestSettings:
    db: str = "tidings.duckdb"
    published: str | None = None
    reprocess: bool = False
    batch_size: int = 100
    progress: bool = False
    model: str | None = None
    workers: int = 0  # processes for extraction; 0 = one per core (small inputs run in-process)
    urls: bool = False  # PATHs are files listing URLs (pages or feeds), one per line
    max_bytes: int = 20_000_000  # per input file / fetched page (bytes; 20 MB)
    fetch_timeout: float | None = None  # seconds of network time per fetched URL (None: FetchSettings')
    min_confidence: float | None = None  # events under this confidence are not stored (None: the verifier's default)
    max_chars: int | None = None  # characters analysed per document (None: tidings.pipeline.MAX_CHARS)
    doc_timeout: float | None = None  # seconds per document (None: tidings.pipeline.DOC_TIMEOUT; 0: none)

    def pipeline_settings(self):
        """The extraction settings these ingest settings imply (also sent to worker processes)."""
        from tidings.pipeline import PipelineSettings

        limits = {k: v for k, v in (("max_chars", self.max_chars), ("doc_timeout", self.doc_timeout)) if v is not None}
        return PipelineSettings(model=self.model, published=self.published, min_confidence=self.min_confidence,
                                **limits)


@dataclass
class IngestSummary:
    ok: int = 0
    skipped: int = 0
    failed: int = 0
    already_present: int = 0
    events: int = 0
    quotes: int = 0
    seconds: float = 0.0
    clustered: int = 0  # articles given a near-duplicate cluster
    grouped: int = 0  # event mentions given a merged event (tidings.dedup.merge)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (origin, error)
    not_read: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): README, LICENSE, … in folders
    forgotten: list[str] = field(default_factory=list)  # stored errors of files no longer read, deleted
    reprocessed: int = 0  # stored articles re-extracted in place (--reprocess)
    reprocess: bool = False
    no_input: int = 0  # --reprocess: stored failures with no kept input (unreadable files), not re-done

    @property
    def processed(self) -> int:
        return self.ok + self.skipped + self.failed

    def add(self, saved, batch: list[ArticleResult]) -> None:
        """Count what one `Store.save` wrote (`saved` is its SaveSummary)."""
        self.ok += saved.ok
        self.skipped += saved.skipped
        self.failed += saved.failed
        self.events += saved.events
        self.quotes += saved.quotes
        self.already_present += saved.already_present
        self.reprocessed += saved.replaced
        self.errors += [(r.origin or r.id, r.error or "unknown error") for r in batch if r.status == "error"]

    def describe(self) -> str:
        rate = self.processed / self.seconds if self.seconds else 0.0
        if self.reprocess:
            new = self.processed - self.reprocessed
            counts = (f" ({self.reprocessed} stored articles re-processed with the current rules"
                      + (f", {new} new" if new else "") + ")")
        else:
            counts = f" ({self.already_present} already in the database)"
        lines = [
            f"articles: {self.ok} ok, {self.skipped} skipped, {self.failed} failed{counts}",
            f"events: {self.events}  quotes: {self.quotes}",
            f"time: {self.seconds:.1f}s ({rate:.2f} articles/s)",
        ]
        if self.no_input:
            lines.append(f"  {self.no_input} stored failures kept no input to re-process (files that could not be"
                         " read): ingest their paths again with --reprocess to retry them")
        lines += [f"  not read: {path}: {reason}" for path, reason in self.not_read[:20]]
        if len(self.not_read) > 20:
            lines.append(f"  … and {len(self.not_read) - 20} more files not read")
        lines += [f"  forgot the stored error of {origin} (no longer read)" for origin in self.forgotten[:20]]
        lines += [f"  failed: {origin}: {error}" for origin, error in self.errors[:20]]
        if len(self.errors) > 20:
            lines.append(f"  … and {len(self.errors) - 20} more (see `tidings stats`)")
        return "\n".join(lines)


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def run_ingest(paths: list[str], settings: IngestSettings, stdin: TextIO | None = None) -> IngestSummary:
    """Ingest `paths` (or re-process stored articles) into the store named by settings.db."""
    from tidings.ingest import iter_documents, iter_url_list
    from tidings.store import open_store

    started = time.perf_counter()
    store = open_store(settings.db)
    not_read: list[tuple[str, str]] = []
    try:
        ingestor = Ingestor(store, settings)
        if settings.reprocess and not paths:
            documents: Iterable[Document] = store.iter_documents()
            total = store.backend.scalar("SELECT count(*) FROM raw_inputs")
        elif settings.urls:
            documents = iter_url_list(paths, seen=store.has_url, max_bytes=settings.max_bytes,
                                      fetch_timeout=settings.fetch_timeout)
            total = None
        else:
            documents = iter_documents(paths, stdin=stdin, max_bytes=settings.max_bytes, seen=store.has_url,
                                       fetch_timeout=settings.fetch_timeout,
                                       on_skip=lambda path, reason: not_read.append((path, reason)))
            total = count_documents(paths) if settings.progress else None
        summary = ingestor.ingest(documents, total=total)
        summary.not_read = not_read
        if settings.reprocess and not paths:
            summary.no_input = store.backend.scalar(
                "SELECT count(*) FROM articles WHERE status = 'error'"
                " AND id NOT IN (SELECT article_id FROM raw_inputs)") or 0
        summary.forgotten = store.forget_failures([path for path, _ in not_read])
    finally:
        store.close()
    summary.seconds = time.perf_counter() - started
    return summary


class Ingestor:
    """Runs documents through the pipeline into an open store, committing every batch."""

    def __init__(self, store, settings: IngestSettings, pipeline=None) -> None:
        self.store = store
        self.settings = settings
        self.pipeline_settings = settings.pipeline_settings()
        self.pipeline = pipeline  # reused across calls when given (watch mode)

    def ingest(self, documents: Iterable[Document], total: int | None = None) -> IngestSummary:
        """Analyse and store `documents`; `total` (their number, when known) makes the progress
        bar determinate. The bar reads "loading model" until the first document is done."""
        from tidings.dedup.merge import group_events
        from tidings.dedup.store_index import cluster_articles
        from tidings.progress import progress_bar

        settings, store = self.settings, self.store
        summary = IngestSummary(reprocess=settings.reprocess)
        _guarded(cluster_articles, store)  # articles an interrupted run stored but did not cluster yet
        _guarded(group_events, store)  # … and events it did not group yet
        with progress_bar(settings.progress, "loading model", total=total) as bar:
            fresh = _new_only(documents, store, summary, settings.reprocess, on_present=bar.advance)
            batch: list[ArticleResult] = []
            raw: dict[str, Document] = {}
            for document, result in analyse(fresh, self.pipeline_settings, settings.workers, self.pipeline):
                batch.append(result)
                raw[result.id] = document
                bar.update(description="ingesting")
                bar.advance()
                if len(batch) >= settings.batch_size:
                    self._save(batch, raw, summary)
                    batch, raw = [], {}
            if batch:
                self._save(batch, raw, summary)
        return summary

    def _save(self, batch: list[ArticleResult], raw: dict[str, Document], summary: IngestSummary) -> None:
        from tidings.dedup.merge import group_events
        from tidings.dedup.store_index import cluster_articles

        try:
            saved = self.store.save(batch, documents=raw, replace=self.settings.reprocess)
        except STORE_LOST:
            raise
        except Exception as exc:  # noqa: BLE001 - a batch is atomic: nothing of it was written
            if len(batch) > 1:
                log.error("storing a batch of %d failed (%s); storing its articles one by one", len(batch), exc)
                for result in batch:
                    self._save([result], {result.id: raw[result.id]} if result.id in raw else {}, summary)
                return
            log.exception("storing %s failed", batch[0].origin)
            batch = [_unstorable(batch[0], exc)]
            saved = self.store.save(batch, documents={}, replace=self.settings.reprocess)
        summary.add(saved, batch)
        renamed = dict(saved.renamed)
        ids = [renamed.get(r.id, r.id) for r in batch]
        summary.clustered += _guarded(cluster_articles, self.store, ids)
        summary.grouped += _guarded(group_events, self.store, ids)


def _unstorable(result: ArticleResult, exc: Exception) -> ArticleResult:
    """An error result, with nothing derived, for an article the store refused."""
    return ArticleResult(id=result.id, url=result.url, origin=result.origin, published=result.published,
                         content_hash=result.content_hash, status="error",
                         error=f"could not be stored: {type(exc).__name__}: {str(exc)[:300]}"
                               " (a bug in tidings: please report it)")


def _guarded(step, store, *args) -> int:
    """Near-duplicate clustering and event merging after a save: a failure is logged, not fatal
    (what they did not reach is taken up again at the start of the next ingest)."""
    try:
        return step(store, *args)
    except STORE_LOST:
        raise
    except Exception:  # noqa: BLE001
        log.exception("%s failed; the next ingest takes it up again", step.__name__)
        return 0


def _new_only(documents: Iterable[Document], store, summary: IngestSummary, reprocess: bool,
              on_present=lambda: None) -> Iterator[Document]:
    for document in documents:
        if document.raw and not document.error and store.has(content_hash(document.raw)):
            if not reprocess:
                summary.already_present += 1
                on_present()
                continue
        yield document


STUCK_GRACE = 30.0  # seconds a worker may run past its documents' budgets before it is killed
SMALL_INPUT = 24  # fewer documents than this are not worth starting worker processes for
CHUNK = 8  # documents per task sent to a worker


def analyse(documents: Iterable[Document], settings, workers: int = 0,
            pipeline=None) -> Iterator[tuple[Document, ArticleResult]]:
    """(document, result) pairs in input order, in this process or in `workers` processes.

    Each worker loads the model once and runs batched `nlp.pipe`; at most 2 chunks per worker
    are in flight, so memory stays bounded however large the input. A worker process that dies
    (killed, out of memory, a crash in compiled code) costs one document, not the run: the pool
    is restarted, the lost chunk is re-run one document at a time to find the one that kills
    its worker, and that document gets an error result.
    """
    from tidings.pipeline import Pipeline

    workers = workers or os.cpu_count() or 1
    iterator = iter(documents)
    head = list(itertools.islice(iterator, SMALL_INPUT))
    if workers <= 1 or len(head) < SMALL_INPUT:
        yield from _paired(itertools.chain(head, iterator), pipeline or Pipeline(settings), settings.published)
        return
    pool = _Pool(workers, settings)
    try:
        in_flight: deque = deque()
        for chunk in _chunks(itertools.chain(head, iterator), CHUNK):
            in_flight.append((chunk, pool.submit(chunk)))
            if len(in_flight) >= 2 * workers:
                yield from _next_results(in_flight, pool)
        while in_flight:
            yield from _next_results(in_flight, pool)
    finally:
        pool.close()


class _Pool:
    """A process pool of pipeline workers that can be replaced when one of its processes dies."""

    def __init__(self, workers: int, settings) -> None:
        self.workers = workers
        self.settings = settings
        self.context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
        self.timed_out = False
        self.executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=self.context, initializer=_init_worker,
                                   initargs=(self.settings,))

    def submit(self, chunk: list[Document]):
        return self.executor.submit(_work, chunk)

    def deadline(self, chunk: list[Document]) -> float | None:
        """Seconds to wait for a chunk before its worker counts as stuck: each document's budget
        (which the worker enforces itself where it can) plus a grace period; None: no bound."""
        budget = self.settings.doc_timeout
        return budget * 2 * len(chunk) + STUCK_GRACE if budget else None

    def kill(self) -> None:
        """Stop the worker processes now (a worker stuck in compiled code ignores everything else)."""
        for process in list(getattr(self.executor, "_processes", {}).values()):
            process.kill()

    def restart(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.executor = self._start()

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def _next_results(in_flight: deque, pool: _Pool) -> Iterator[tuple[Document, ArticleResult]]:
    """The results of the oldest chunk in flight (recovering from a dead worker on the way)."""
    chunk, future = in_flight.popleft()
    try:
        results = _result_or_kill(future, pool, chunk)
    except BrokenProcessPool:
        log.warning("a worker process died; restarting the workers and re-running %d documents one by one",
                    len(chunk))
        pool.restart()
        yield from _one_by_one(chunk, pool)
        for i, (other, other_future) in enumerate(in_flight):  # lost with the old pool: send again
            if not (other_future.done() and not other_future.cancelled() and other_future.exception() is None):
                in_flight[i] = (other, pool.submit(other))
        return
    for document, result in zip(chunk, results):
        result.id = document.id
        yield document, result


def _result_or_kill(future, pool: _Pool, chunk: list[Document]):
    """The future's result; a worker that overruns the chunk's deadline is killed (the future then
    raises BrokenProcessPool, and the caller replaces the workers)."""
    try:
        return future.result(timeout=pool.deadline(chunk))
    except FuturesTimeout:
        log.error("a worker ran over its time budget on %d documents; stopping and replacing the workers",
                  len(chunk))
        pool.timed_out = True
        pool.kill()
        return future.result()


def _one_by_one(chunk: list[Document], pool: _Pool) -> Iterator[tuple[Document, ArticleResult]]:
    for document in chunk:
        pool.timed_out = False
        try:
            (result,) = _result_or_kill(pool.submit([document]), pool, [document])
            result.id = document.id
        except BrokenProcessPool:
            log.error("the worker process died while analysing %s", document.origin)
            pool.restart()
            if pool.timed_out:
                error = (f"analysis took longer than its time budget ({pool.settings.doc_timeout:g} s per stage,"
                         " --doc-timeout) and could not be interrupted: its worker process was stopped and replaced")
            else:
                error = ("analysis failed: the worker process died while analysing this document"
                         " (killed, out of memory, or a crash in compiled code)")
            result = ArticleResult(id=document.id, url=document.url, origin=document.origin, status="error",
                                   error=error)
        yield document, result


def _chunks(items: Iterable[Document], size: int) -> Iterator[list[Document]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


_WORKER: dict = {}  # the worker process's own pipeline (set once by the initializer, per process)


def _init_worker(settings) -> None:
    from tidings.pipeline import Pipeline

    die_with_parent()
    _WORKER["pipeline"] = Pipeline(settings)
    Pipeline.settle()


def die_with_parent() -> None:
    """Have the kernel kill this process when its parent dies (Linux `PR_SET_PDEATHSIG`), so a
    killed `tidings ingest` leaves no worker behind; elsewhere, nothing."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl: workers end when they next read their queue
        return
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:  # the parent died before the call
        os._exit(1)


def _work(chunk: list[Document]) -> list[ArticleResult]:
    """A chunk's results in chunk order (pickled back to the parent: half the cost of dicts)."""
    pipeline = _WORKER["pipeline"]
    results = {}
    for _, result in _paired(_indexed(chunk), pipeline, pipeline.settings.published):
        results[result.id] = result
    return [results[f"{i}"] for i in range(len(chunk))]


def _indexed(chunk: list[Document]) -> Iterator[Document]:
    """Give each document of a chunk its position as id (restored by `_next_results`), so pairing is exact."""
    for i, document in enumerate(chunk):
        yield replace(document, id=f"{i}")


def _paired(documents: Iterable[Document], pipeline, published: str | None):
    """Run the pipeline lazily while remembering which Document produced each result."""
    pending: dict[str, deque[Document]] = defaultdict(deque)

    def remember() -> Iterator[Document]:
        for document in documents:
            pending[document.id].append(document)
            yield document

    for result in pipeline.run(remember(), published=published):
        queue = pending[result.id]
        document = queue.popleft()
        if not queue:
            del pending[result.id]
        yield document, result


