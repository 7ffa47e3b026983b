"""Sources → Document.

    iter_documents(["news/", "extra.jsonl.gz", "-"], stdin=sys.stdin)

* files and folders (recursive, sorted; hidden files and folders skipped) of `.html`/`.htm`
  (kind "html"), `.txt` (kind "text"), `.jsonl` (one Document per line), each optionally
  gzip-compressed; `-` reads JSON Lines from `stdin`.
* Ids: a JSONL record's `id` as given; for files, the file name stem plus the first 8 hex
  digits of the sha256 of the (decompressed) content, e.g. `article-3f2a9c1d` — stable
  across runs and machines.
* Bad input never raises and never stops the batch: it becomes a Document with `error` set to
  a specific reason (empty file, binary file, undecodable bytes, truncated or corrupt gzip, file
  over `max_bytes`, unsupported extension — given explicitly or found in a folder —, missing or
  unreadable path, malformed JSONL line, JSONL record without `text`/`html`).
* `Document.raw` holds the (decompressed) bytes; `Document.meta["encoding"]` the encoding
  they were read with.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from tidings.ingest.decode import Decoded, decode_text
from tidings.ingest.files import DEFAULT_MAX_BYTES, iter_path, read_file
from tidings.ingest.jsonl import iter_jsonl
from tidings.records import Document

__all__ = ["DEFAULT_MAX_BYTES", "Decoded", "decode_text", "iter_documents", "iter_jsonl", "read_file"]

STDIN = "-"


def iter_documents(paths: Iterable[str], stdin: TextIO | None = None,
                   max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Document]:
    """Yield one Document per input file (per line for JSON Lines), errors included."""
    for p in paths:
        if str(p) == STDIN:
            yield from iter_jsonl(stdin if stdin is not None else sys.stdin, "stdin", "stdin")
        elif not str(p).strip():
            yield Document(id="empty-path", origin=repr(str(p)), error="empty path")
        else:
            yield from iter_path(Path(p), max_bytes)
