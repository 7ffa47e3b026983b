"""Sources → Document. (Stub: the ingest helper replaces this with the real readers.)"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from tidings.records import Document


def iter_documents(paths: Iterable[str]) -> Iterator[Document]:
    for p in paths:
        path = Path(p)
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for f in files:
            if f.is_file():
                raw = f.read_bytes()
                kind = "html" if f.suffix.lower() in (".html", ".htm") else "text"
                yield Document(id=hashlib.sha256(raw).hexdigest()[:16], origin=str(f), kind=kind, raw=raw)
