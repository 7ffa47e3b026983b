"""URIs of files to be read by the Ray workers, and the Documents for inputs that cannot be read.

Reading itself is `tidings.ingest` (see `worker.documents_at`), so the same file gives the same
Document whether it is given as a local path or as a URI.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePosixPath

from tidings.ingest.files import file_format
from tidings.records import Document

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
LOCAL_SCHEME = "local://"
FILE_SCHEME = "file://"


def is_remote(path: str) -> bool:
    """True for URIs with a scheme (s3://, gs://, local://, ...): read by the Ray workers.

    http(s):// URLs are not: `tidings.ingest` fetches those (politely, feeds expanded).
    """
    return bool(_SCHEME.match(str(path))) and not str(path).startswith(("http://", "https://"))


def local_path(uri: str) -> str | None:
    """The path of a `local://` or `file://` URI (a file on the machine reading it), else None."""
    for scheme in (LOCAL_SCHEME, FILE_SCHEME):
        if uri.startswith(scheme):
            return uri[len(scheme):]
    return None


def _name(origin: str) -> PurePosixPath:
    return PurePosixPath(_SCHEME.sub("", origin).rstrip("/") or origin)


def _short_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:8]


def error_document(origin: str, message: str, data: bytes | None = None) -> Document:
    """An error Document named like `tidings.ingest` names one (stem + hash)."""
    stem = file_format(_name(origin)).stem
    digest = _short_hash(data if data else origin.encode("utf-8", "surrogateescape"))
    return Document(id=f"{stem}-{digest}", origin=origin, error=message)
