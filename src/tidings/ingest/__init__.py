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

import hashlib
import itertools

import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TextIO

from tidings.ingest.decode import Decoded, decode_text
from tidings.ingest.files import DEFAULT_MAX_BYTES, iter_path, read_file
from tidings.ingest.jsonl import iter_jsonl
from tidings.records import Document

__all__ = ["DEFAULT_MAX_BYTES", "Decoded", "decode_text", "is_url", "iter_documents", "iter_jsonl", "iter_url_list",
           "read_file"]

STDIN = "-"


def iter_documents(paths: Iterable[str], stdin: TextIO | None = None,
                   max_bytes: int = DEFAULT_MAX_BYTES, fetcher=None,
                   seen: Callable[[str], bool] | None = None, fetch_timeout: float | None = None,
                   on_skip: Callable[[str, str], None] | None = None) -> Iterator[Document]:
    """Yield one Document per input file (per line for JSON Lines, per page for a WARC file,
    per entry for a feed URL), errors included. Files in folders that are no articles (README,
    LICENSE, …) are not read: `on_skip(path, reason)` hears of each.

    `http(s)://` paths are fetched politely (see `tidings.ingest.web`): a feed becomes its
    entries' pages (skipping URLs for which `seen(url)` is true), a page becomes itself.
    """
    for p in paths:
        if is_url(str(p)):
            yield from _web([str(p)], fetcher, seen, max_bytes, fetch_timeout)
        elif str(p) == STDIN:
            yield from _stdin(stdin if stdin is not None else sys.stdin)
        elif not str(p).strip():
            yield Document(id="empty-path", origin=repr(str(p)), error="empty path")
        else:
            yield from iter_path(Path(p), max_bytes, on_skip)


def _stdin(stream: TextIO) -> Iterator[Document]:
    """Standard input: JSON Lines when it opens with "{", otherwise one plain-text article
    ("echo 'Russia accused Ukraine of shelling Donetsk.' | tidings extract -")."""
    lines = iter(stream)
    head: list[str] = []
    for line in lines:
        head.append(line)
        if line.strip():
            break
    if head and head[-1].lstrip().startswith("{"):
        yield from iter_jsonl(itertools.chain(head, lines), "stdin", "stdin")
        return
    text = "".join(itertools.chain(head, lines))
    if not text.strip():
        return
    data = text.encode("utf-8", "surrogatepass")
    yield Document(id=f"stdin-{hashlib.sha256(data).hexdigest()[:12]}", origin="stdin", kind="text", raw=data)


def is_url(path: str) -> bool:
    return path.startswith(("http://", "https://"))


def iter_url_list(paths: Iterable[str], fetcher=None, seen: Callable[[str], bool] | None = None,
                  max_bytes: int = DEFAULT_MAX_BYTES, fetch_timeout: float | None = None) -> Iterator[Document]:
    """Documents from files listing one URL (page or feed) per line; `#` starts a comment.
    `fetch_timeout`: seconds of network time per URL (None: FetchSettings' default)."""
    urls: list[str] = []
    for p in paths:
        try:
            lines = Path(p).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            yield Document(id=f"urls-{Path(p).name}", origin=str(p), error=f"cannot read URL list: {exc}")
            continue
        for number, line in enumerate(lines, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if is_url(line):
                urls.append(line)
            else:
                yield Document(id=f"urls-{Path(p).name}-{number}", origin=f"{p}:{number}",
                               error=f"not an http(s) URL: {line[:100]!r}")
    yield from _web(urls, fetcher, seen, max_bytes, fetch_timeout)


def _web(urls: list[str], fetcher, seen, max_bytes: int, fetch_timeout: float | None = None) -> Iterator[Document]:
    from tidings.ingest.feeds import iter_web_documents
    from tidings.ingest.web import Fetcher, FetchSettings

    if fetcher is not None:
        yield from iter_web_documents(urls, fetcher, seen=seen)
        return
    limits = {"total_timeout": fetch_timeout} if fetch_timeout is not None else {}
    with Fetcher(FetchSettings(max_bytes=max_bytes, **limits)) as own:
        yield from iter_web_documents(urls, own, seen=seen)
