"""The driver: connect to Ray, feed the actors, collect results into Parquet shards and a store."""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from tidings.pipeline import PipelineSettings
from tidings.records import ArticleResult, Document
from tidings.scale.documents import error_document, is_remote, local_path
from tidings.scale.worker import FileWorker

log = logging.getLogger(__name__)

IN_FLIGHT_PER_WORKER = 2  # chunks queued per actor: enough to keep it busy, little memory


@dataclass
class RaySettings:
    address: str | None = None  # None: start a local Ray instance; "auto" or "HOST:6379": join a cluster
    workers: int = 0  # actors; 0 = the CPUs Ray has available
    batch_size: int = 16  # documents per chunk sent to an actor (and per nlp.pipe batch)
    published: str | None = None  # fallback publication date (YYYY-MM-DD) for undated input
    model: str | None = None  # spaCy model name; None = best installed
    output: str | None = None  # folder for Parquet shards (one row per ArticleResult)
    db: str | None = None  # postgresql:// URL or DuckDB file, written by the driver
    reprocess: bool = False  # with db: also process local inputs already stored (else skipped)
    save_batch: int = 100  # results per store transaction
    shard_rows: int = 1000  # results per Parquet shard
    object_store_memory: int | None = None  # bytes, for a local instance only (None: Ray's default)
    # PYTHONHASHSEED of every actor, so that a result never depends on which actor computed it
    # (stages that iterate over sets of strings); None leaves Python's per-process random seed
    hash_seed: int | None = 0
    min_confidence: float | None = None  # events under this confidence are left out (None: the verifier's default)
    max_chars: int | None = None  # characters analysed per document (None: tidings.pipeline.MAX_CHARS)
    doc_timeout: float | None = None  # seconds per document and stage (None: tidings.pipeline.DOC_TIMEOUT)

    def pipeline_settings(self) -> PipelineSettings:
        limits = {k: v for k, v in (("max_chars", self.max_chars), ("doc_timeout", self.doc_timeout)) if v is not None}
        return PipelineSettings(model=self.model, batch_size=self.batch_size, published=self.published,
                                min_confidence=self.min_confidence, **limits)


@dataclass
class RaySummary:
    """What `run_ray` did: counts, time, errors, and where and how it ran."""

    ok: int = 0
    skipped: int = 0
    failed: int = 0
    already_present: int = 0  # inputs already in the store (skipped before or at saving)
    events: int = 0
    quotes: int = 0
    seconds: float = 0.0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (origin, error)
    workers: int = 0
    address: str | None = None  # the Ray cluster's address (GCS)
    shards: list[str] = field(default_factory=list)  # Parquet files written
    stored: int = 0  # articles written to the store (inserted or replaced)

    @property
    def processed(self) -> int:
        return self.ok + self.skipped + self.failed

    @property
    def rate(self) -> float:
        return self.processed / self.seconds if self.seconds else 0.0

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
        lines = [
            f"articles: {self.ok} ok, {self.skipped} skipped, {self.failed} failed"
            f" ({self.already_present} already in the database, {self.stored} stored)",
            f"events: {self.events}  quotes: {self.quotes}",
            f"time: {self.seconds:.1f}s ({self.rate:.2f} articles/s) on {self.workers} Ray workers at {self.address}",
        ]
        if self.shards:
            lines.append(f"parquet: {len(self.shards)} shards in {PurePosixPath(self.shards[0]).parent}")
        lines += [f"  failed: {origin}: {error}" for origin, error in self.errors[:20]]
        if len(self.errors) > 20:
            lines.append(f"  … and {len(self.errors) - 20} more")
        return "\n".join(lines)


# -- public ----------------------------------------------------------------------------------

def run_ray(paths: list[str], settings: RaySettings) -> RaySummary:
    """Process `paths` (local files/folders and remote URIs) on Ray; write shards and/or a store."""
    from tidings.scale.parquet import ShardWriter

    started = time.perf_counter()
    summary = RaySummary()
    store = _open_store(settings.db)
    writer = ShardWriter(settings.output, settings.shard_rows) if settings.output else None
    sink = _StoreSink(store, settings, summary) if store is not None else None
    skip = _skipper(store, summary) if store is not None and not settings.reprocess else None
    # feed entries whose page URL is stored are not even fetched (when the store can tell)
    seen = getattr(store, "has_url", None) if skip is not None else None
    try:
        with ray_session(settings) as address:
            summary.address = address
            for document, text in _stream(paths, settings, summary, keep_documents=sink is not None,
                                          skip=skip, seen=seen):
                result = ArticleResult.from_dict(json.loads(text))
                summary.count(result)
                if writer is not None:
                    writer.add(text)
                if sink is not None:
                    sink.add(result, document)
        if sink is not None:
            sink.flush()
    finally:
        if writer is not None:
            summary.shards = writer.close()
        if store is not None:
            store.close()
    summary.seconds = time.perf_counter() - started
    return summary


def iter_ray(paths: list[str], settings: RaySettings) -> Iterator[ArticleResult]:
    """ArticleResults of `paths` computed on Ray, in completion order (nothing is stored)."""
    with ray_session(settings):
        for _, text in _stream(paths, settings, RaySummary(), keep_documents=False, skip=None):
            yield ArticleResult.from_dict(json.loads(text))


@contextmanager
def ray_session(settings: RaySettings) -> Iterator[str]:
    """Use the Ray instance already initialised in this process, else join/start one (and stop it after)."""
    import ray

    if ray.is_initialized():
        yield _address(ray)
        return
    if settings.address:
        ray.init(address=settings.address, logging_level=logging.WARNING)
    else:
        from tidings.scale.reaper import start_reaper

        start_reaper()  # a killed driver's local Ray agents are stopped, not left behind
        ray.init(num_cpus=os.cpu_count() or 1, include_dashboard=False, _node_ip_address="127.0.0.1",
                 object_store_memory=settings.object_store_memory, logging_level=logging.WARNING)
    try:
        yield _address(ray)
    finally:
        ray.shutdown()


def _address(ray) -> str:
    try:
        return ray.get_runtime_context().gcs_address
    except Exception:  # older/newer runtime contexts: the address is informative only
        return "local"


def worker_count(settings: RaySettings) -> int:
    import ray

    if settings.workers > 0:
        return settings.workers
    return max(1, int(ray.available_resources().get("CPU", 0)) or int(ray.cluster_resources().get("CPU", 1)))


# -- the stream of results ---------------------------------------------------------------------

def _stream(paths: list[str], settings: RaySettings, summary: RaySummary, keep_documents: bool,
            skip: Callable[[Document], bool] | None,
            seen: Callable[[str], bool] | None = None) -> Iterator[tuple[Document | None, str]]:
    """(document or None, result JSON) for every input, in completion order, from one actor pool.

    Local inputs are read on the driver and sent as chunks of Documents; remote files are sent
    as chunks of URIs that the actors read themselves.
    """
    local = [p for p in paths if not is_remote(p)]
    remote = [p for p in paths if is_remote(p)]
    files, listing_errors = _expand_remote(remote)
    documents: Iterable[Document] = itertools.chain(_local_documents(local, seen), listing_errors)
    if skip is not None:
        documents = (d for d in documents if not skip(d))
    tasks = itertools.chain(
        ((DOCUMENTS, chunk) for chunk in _chunks(documents, settings.batch_size)),
        ((FILES, chunk) for chunk in _chunks(files, max(1, settings.batch_size // FILES_PER_DOCUMENTS))),
    )
    summary.workers = worker_count(settings)
    yield from _through_actors(tasks, settings, summary.workers, keep_documents)


DOCUMENTS, FILES = "documents", "files"
FILES_PER_DOCUMENTS = 1  # a file is at least one Document (JSONL files are many)


def _local_documents(paths: list[str], seen: Callable[[str], bool] | None) -> Iterator[Document]:
    if not paths:
        return iter(())
    from tidings.ingest import iter_documents

    return iter_documents(paths, seen=seen)


WORKER_CLASS = FileWorker  # the actor class (a subclass in tests)
DIED = ("analysis failed: the Ray worker died while analysing this document"
        " (killed, out of memory, or a crash in compiled code)")


def _through_actors(tasks: Iterable[tuple[str, list]], settings: RaySettings, workers: int,
                    keep_documents: bool) -> Iterator[tuple[Document | None, str]]:
    """A pool of FileWorker actors; at most IN_FLIGHT_PER_WORKER chunks queued per actor.

    An actor that dies costs one document, not the run: it is replaced, and the chunks it held
    are re-run one document (or file) at a time on a fresh actor; the one that kills it gets an
    error result."""
    import ray

    options: dict = {"num_cpus": 1}
    if settings.hash_seed is not None:
        options["runtime_env"] = {"env_vars": {"PYTHONHASHSEED": str(settings.hash_seed)}}
    remote_worker = ray.remote(**options)(WORKER_CLASS)
    pool = _Actors(lambda: remote_worker.remote(settings.pipeline_settings()))
    try:
        for kind, chunk in tasks:
            if not pool.actors:  # started on the first chunk: no input, no model loading
                pool.start(workers)
            if not pool.idle:
                yield from _collect(pool, keep_documents)
            pool.submit(kind, chunk, keep_documents)
        while pool.pending:
            yield from _collect(pool, keep_documents)
    finally:
        pool.kill()


class _Actors:
    """The actors, their free slots, the chunks in flight, and replacements for dead actors."""

    def __init__(self, spawn: Callable) -> None:
        self.spawn = spawn
        self.actors: list = []
        self.idle: list = []  # one entry per free slot (IN_FLIGHT_PER_WORKER per actor)
        self.pending: dict = {}  # object ref → (actor, kind, chunk)
        self.successor: dict = {}  # dead actor → its replacement

    def start(self, workers: int) -> None:
        self.actors = [self.spawn() for _ in range(workers)]
        self.idle = [actor for actor in self.actors for _ in range(IN_FLIGHT_PER_WORKER)]

    def submit(self, kind: str, chunk: list, keep_documents: bool) -> None:
        actor = self.idle.pop(0)
        ref = actor.process.remote(chunk) if kind == DOCUMENTS else actor.process_files.remote(chunk, keep_documents)
        self.pending[ref] = (actor, kind, chunk)

    def current(self, actor):
        while actor in self.successor:
            actor = self.successor[actor]
        return actor

    def replace(self, dead) -> None:
        if dead in self.successor or dead not in self.actors:
            return
        fresh = self.spawn()
        self.successor[dead] = fresh
        self.actors[self.actors.index(dead)] = fresh
        self.idle = [fresh if actor is dead else actor for actor in self.idle]

    def kill(self) -> None:
        import ray

        for actor in self.actors + list(self.successor):
            ray.kill(actor)


def _collect(pool: _Actors, keep_documents: bool) -> Iterator[tuple[Document | None, str]]:
    import ray
    from ray.exceptions import RayActorError

    [ready], _ = ray.wait(list(pool.pending), num_returns=1)
    actor, kind, chunk = pool.pending.pop(ready)
    try:
        value = ray.get(ready)
    except RayActorError:
        log.warning("a Ray worker died; replacing it and re-running %d inputs one by one", len(chunk))
        pool.replace(actor)
        yield from _one_by_one(pool, actor, kind, chunk, keep_documents)
        pool.idle.append(pool.current(actor))
        return
    pool.idle.append(pool.current(actor))
    if kind == DOCUMENTS:
        yield from zip(chunk, value)
    else:
        yield from value


def _one_by_one(pool: _Actors, actor, kind: str, chunk: list,
                keep_documents: bool) -> Iterator[tuple[Document | None, str]]:
    """Each input of a lost chunk on the dead actor's replacement, one at a time (no new CPUs
    needed): an input that kills it gets an error result, and the actor is replaced again."""
    import ray
    from ray.exceptions import RayActorError

    from tidings.scale.worker import result_json

    for item in chunk:
        rescuer = pool.current(actor)
        try:
            if kind == DOCUMENTS:
                yield item, ray.get(rescuer.process.remote([item]))[0]
            else:
                yield from ray.get(rescuer.process_files.remote([item], keep_documents))
        except RayActorError:
            origin = item.origin if kind == DOCUMENTS else item
            log.error("the Ray worker died while analysing %s", origin)
            pool.replace(rescuer)
            document = item if kind == DOCUMENTS else error_document(item, DIED)
            result = ArticleResult(id=document.id, url=document.url, origin=document.origin, status="error", error=DIED)
            yield (document if kind == DOCUMENTS or keep_documents else None), result_json(result)


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, max(1, size))):
        yield chunk


# -- remote listing ----------------------------------------------------------------------------

def _expand_remote(uris: list[str]) -> tuple[list[str], list[Document]]:
    """Files behind each URI, sorted, hidden ones skipped, like a local folder walk.

    Returns the file URIs and error Documents (object-store paths that do not exist). A URI
    that cannot be listed (unknown scheme, no credentials, a local:// path missing here) is
    passed on as given: the worker reading it reports why it cannot.
    """
    found: list[str] = []
    errors: list[Document] = []
    for uri in uris:
        try:
            files = _list(uri)
        except Exception as exc:
            log.info("cannot list %s (%s); passing it on as given", uri, exc)
            found.append(uri)
            continue
        if files is None:
            if local_path(uri) is not None:
                found.append(uri)
            else:
                errors.append(error_document(uri, "no such file or directory"))
        else:
            found += files
    return found, errors


def _list(uri: str) -> list[str] | None:
    """URIs of the files at `uri` (recursively for a folder, sorted), None if it does not exist."""
    from pyarrow import fs

    scheme = uri.split("://", 1)[0]
    path = local_path(uri)
    if path is not None:
        filesystem, root = fs.LocalFileSystem(), path
    else:
        filesystem, root = fs.FileSystem.from_uri(uri)
    info = filesystem.get_file_info(root)
    if info.type == fs.FileType.NotFound:
        return None
    if info.type != fs.FileType.Directory:
        return [uri]
    from pathlib import PurePosixPath

    from tidings.ingest.files import not_an_article, not_articles

    rules = not_articles()  # README, LICENSE, .md, … in a folder are no articles, as in a local walk
    base = root.rstrip("/") + "/"
    files = []
    for item in filesystem.get_file_info(fs.FileSelector(root, recursive=True)):
        relative = item.path[len(base):] if item.path.startswith(base) else item.path
        if item.type == fs.FileType.File and not any(part.startswith(".") for part in relative.split("/")):
            reason = not_an_article(PurePosixPath(item.path), rules)
            if reason:
                log.info("not read: %s: %s", item.path, reason)
            else:
                files.append(item.path)
    return [f"{scheme}://{path}" for path in sorted(files)]


# -- the store ---------------------------------------------------------------------------------

def _open_store(db: str | None):
    if not db:
        return None
    from tidings.store import open_store

    return open_store(db)


def content_hash(raw: bytes) -> str:
    """The store's identity of a raw input (sha256, as `tidings ingest` computes it)."""
    return hashlib.sha256(raw).hexdigest()


def _skipper(store, summary: RaySummary) -> Callable[[Document], bool]:
    """True for a document already stored (counted as already present), like `tidings ingest`."""

    def skip(document: Document) -> bool:
        if document.raw and not document.error and store.has(content_hash(document.raw)):
            summary.already_present += 1
            return True
        return False

    return skip


class _StoreSink:
    """Saves results from the driver in batches of `save_batch`, with their raw input."""

    def __init__(self, store, settings: RaySettings, summary: RaySummary) -> None:
        self.store = store
        self.settings = settings
        self.summary = summary
        self.batch: list[ArticleResult] = []
        self.documents: dict[str, Document] = {}

    def add(self, result: ArticleResult, document: Document | None) -> None:
        self.batch.append(result)
        if document is not None:
            self.documents[result.id] = document
        if len(self.batch) >= self.settings.save_batch:
            self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        from tidings.dedup.merge import group_events
        from tidings.dedup.store_index import cluster_articles

        saved = self.store.save(self.batch, documents=self.documents, replace=self.settings.reprocess)
        self.summary.stored += saved.inserted + saved.replaced
        self.summary.already_present += saved.already_present
        renamed = dict(saved.renamed)
        ids = [renamed.get(r.id, r.id) for r in self.batch]
        cluster_articles(self.store, ids)  # near-duplicate clusters and merged events, as the local engine
        group_events(self.store, ids)
        self.batch, self.documents = [], {}
