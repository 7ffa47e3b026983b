"""What runs inside a Ray actor: one Pipeline, Documents in, ArticleResult JSON out.

`ArticleWorker`/`FileWorker` are plain classes (wrapped with `ray.remote` by the driver) so
they can be tested and measured without Ray. A FileWorker reads remote files itself, so file
bytes travel from the object store to the worker, never through the driver.
"""

from __future__ import annotations

import json
import logging
import resource
import tempfile
from dataclasses import replace
from pathlib import Path, PurePosixPath

from tidings.ingest.files import DEFAULT_MAX_BYTES
from tidings.pipeline import Pipeline, PipelineSettings
from tidings.records import ArticleResult, Document

log = logging.getLogger(__name__)


def result_json(result: ArticleResult) -> str:
    """The transport form of a result: its JSON contract, unchanged (`ArticleResult.from_dict` reads it)."""
    return json.dumps(result.to_dict(), ensure_ascii=False)


def rss_mb() -> float:
    """Resident memory of this process now (Linux), else its peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class ArticleWorker:
    """Holds one Pipeline (the model is loaded once) and processes chunks of Documents."""

    def __init__(self, settings: PipelineSettings) -> None:
        self.pipeline = Pipeline(settings)
        Pipeline.settle()

    def process(self, documents: list[Document]) -> list[str]:
        """ArticleResult JSON for each document, in the order given (ids may repeat)."""
        return [result_json(result) for result in self.results(documents)]

    def results(self, documents: list[Document]) -> list[ArticleResult]:
        """One ArticleResult per document, in the order given (ids may repeat)."""
        indexed = [replace(document, id=str(i)) for i, document in enumerate(documents)]
        by_position: dict[str, ArticleResult] = {}
        for result in self.pipeline.run(indexed, published=self.pipeline.settings.published):
            by_position[result.id] = result
        out = []
        for i, document in enumerate(documents):
            result = by_position[str(i)]
            result.id = document.id
            out.append(result)
        return out

    def memory(self) -> float:
        """RSS of the actor process in MB (the model and knowledge bases loaded)."""
        return rss_mb()

    def stage_seconds(self) -> dict[str, float]:
        return dict(self.pipeline.timer.seconds)


def _filesystem(uri: str):
    from pyarrow import fs

    return fs.FileSystem.from_uri(uri)


def _fetch(uri: str, target: Path, max_bytes: int) -> None:
    """Copy the file at `uri` to `target`, byte for byte (no decompression), at most max_bytes + 1."""
    filesystem, path = _filesystem(uri)
    with filesystem.open_input_stream(path, compression=None) as stream, target.open("wb") as out:
        remaining = max_bytes + 1
        while remaining > 0 and (block := stream.read(min(remaining, 1 << 20))):
            out.write(block)
            remaining -= len(block)


def documents_at(uri: str, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Document]:
    """Documents of the file at `uri`, read where this code runs, by the rules of `tidings.ingest`.

    A `local://` or `file://` path is read in place; any other URI is copied to a temporary
    file of the same name first, and the Documents' origins name the URI.
    """
    from tidings.ingest.files import iter_path, read_file
    from tidings.scale.documents import error_document, local_path

    path = local_path(uri)
    if path is not None:
        return list(iter_path(Path(path), max_bytes))
    name = PurePosixPath(uri.split("://", 1)[-1]).name or "file"
    with tempfile.TemporaryDirectory(prefix="tidings-") as folder:
        target = Path(folder) / name
        try:
            _fetch(uri, target, max_bytes)
        except Exception as exc:  # network, permissions, vanished file: recorded, the batch goes on
            return [error_document(uri, f"cannot read file: {exc}")]
        documents = list(read_file(target, max_bytes))
        named_by_path = error_document(str(target), "").id  # the id of an error without content
    return [_renamed(d, str(target), uri, named_by_path) for d in documents]


def _renamed(document: Document, target: str, uri: str, named_by_path: str) -> Document:
    """A Document read from the temporary copy, as if read from `uri` (origin, path-based id)."""
    from tidings.scale.documents import error_document

    if not document.origin.startswith(target):
        return document
    origin = uri + document.origin[len(target):]
    if document.id == named_by_path:
        return replace(document, origin=origin, id=error_document(uri, "").id)
    return replace(document, origin=origin)


class FileWorker(ArticleWorker):
    """An ArticleWorker that also reads files itself (object stores, shared folders)."""

    def process_files(self, uris: list[str], keep_documents: bool) -> list[tuple[Document | None, str]]:
        """(Document if kept, result JSON) for every Document in the files at `uris`."""
        documents = [document for uri in uris for document in documents_at(uri)]
        texts = self.process(documents) if documents else []
        return [(document if keep_documents else None, text) for document, text in zip(documents, texts)]
