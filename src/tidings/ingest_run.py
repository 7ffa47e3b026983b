"""`tidings ingest` as a library call: documents → pipeline → store, in committed batches."""

from __future__ import annotations

import hashlib
import logging
import time
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from tidings.records import ArticleResult, Document

log = logging.getLogger(__name__)


@dataclass
class IngestSettings:
    db: str = "tidings.duckdb"
    published: str | None = None
    reprocess: bool = False
    batch_size: int = 100
    progress: bool = False
    model: str | None = None


@dataclass
class IngestSummary:
    ok: int = 0
    skipped: int = 0
    failed: int = 0
    already_present: int = 0
    events: int = 0
    quotes: int = 0
    seconds: float = 0.0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (origin, error)

    @property
    def processed(self) -> int:
        return self.ok + self.skipped + self.failed

    def count(self, result: ArticleResult) -> None:
        if result.status == "ok":
            self.ok += 1
        elif result.status == "skipped":
            self.skipped += 1
        else:
            self.failed += 1
            self.errors.append((result.origin or result.id, result.error or "unknown error"))
        self.events += len(result.events)
        self.quotes += len(result.quotes)

    def describe(self) -> str:
        rate = self.processed / self.seconds if self.seconds else 0.0
        lines = [
            f"articles: {self.ok} ok, {self.skipped} skipped, {self.failed} failed"
            f" ({self.already_present} already in the database)",
            f"events: {self.events}  quotes: {self.quotes}",
            f"time: {self.seconds:.1f}s ({rate:.2f} articles/s)",
        ]
        lines += [f"  failed: {origin}: {error}" for origin, error in self.errors[:20]]
        if len(self.errors) > 20:
            lines.append(f"  … and {len(self.errors) - 20} more (see `tidings stats`)")
        return "\n".join(lines)


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def run_ingest(paths: list[str], settings: IngestSettings, stdin: TextIO | None = None) -> IngestSummary:
    """Ingest `paths` (or re-process stored articles) into the store named by settings.db."""
    from tidings.ingest import iter_documents
    from tidings.pipeline import Pipeline, PipelineSettings
    from tidings.store import open_store

    started = time.perf_counter()
    summary = IngestSummary()
    store = open_store(settings.db)
    try:
        pipeline = Pipeline(PipelineSettings(model=settings.model, published=settings.published))
        if settings.reprocess and not paths:
            documents: Iterable[Document] = store.iter_documents()
        else:
            documents = _new_only(iter_documents(paths, stdin=stdin), store, summary, settings.reprocess)
        with _progress(settings.progress) as tick:
            batch: list[ArticleResult] = []
            raw: dict[str, Document] = {}
            for document, result in _paired(documents, pipeline, settings.published):
                summary.count(result)
                batch.append(result)
                raw[result.id] = document
                tick()
                if len(batch) >= settings.batch_size:
                    store.save(batch, documents=raw, replace=settings.reprocess)
                    batch, raw = [], {}
            if batch:
                store.save(batch, documents=raw, replace=settings.reprocess)
    finally:
        store.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _new_only(documents: Iterable[Document], store, summary: IngestSummary, reprocess: bool) -> Iterator[Document]:
    for document in documents:
        if document.raw and not document.error and store.has(content_hash(document.raw)):
            if not reprocess:
                summary.already_present += 1
                continue
        yield document


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


class _progress:
    """A progress counter on a terminal (rich), nothing otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._progress = None

    def __enter__(self):
        if not self.enabled:
            return lambda: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TimeElapsedColumn

        self._progress = Progress(SpinnerColumn(), "[progress.description]{task.description}",
                                  MofNCompleteColumn(), BarColumn(), TimeElapsedColumn(), transient=True)
        self._progress.start()
        task = self._progress.add_task("ingesting", total=None)
        return lambda: self._progress.advance(task)

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()
