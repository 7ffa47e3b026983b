"""Files and folders → Documents.

Supported: `.html`/`.htm` (kind "html"), `.txt` (kind "text"), `.jsonl` (one Document per
line), each optionally gzip-compressed (`.html.gz`, `.txt.gz`, `.jsonl.gz`).

Folder walks are recursive and sorted; hidden files and folders (name starting with ".") are
skipped, and so are files that are no articles (a README, LICENSE or CHANGELOG, .md, .json,
images: data/not_articles.yaml), with a note to the caller. Any other file — given explicitly
or met in a folder — with an unsupported extension yields an error Document, so nothing is
dropped silently.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import logging
import os
import re
import stat
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tidings.ingest.decode import decode_text, sniff_html_charset
from tidings.ingest.jsonl import iter_jsonl
from tidings.records import Document

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 20_000_000  # 20 MB (decimal, as --max-bytes is given)
_MAX_STEM = 80  # characters of the file name kept in a Document id
KINDS = {".html": "html", ".htm": "html", ".txt": "text", ".jsonl": "jsonl"}


@dataclass(frozen=True)
class FileFormat:
    kind: str | None  # "html" | "text" | "jsonl" | None (unsupported)
    gzipped: bool
    extension: str
    stem: str


class ReadError(Exception):
    """A file that cannot become a Document; the message is the human reason."""


def file_format(path: Path) -> FileFormat:
    name = path.name
    gzipped = name.lower().endswith(".gz")
    inner = Path(name[:-3] if gzipped else name)
    extension = inner.suffix.lower()
    stem = (inner.stem or name)[:_MAX_STEM]
    return FileFormat(KINDS.get(extension), gzipped, extension + (".gz" if gzipped else ""), stem)


def _short_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:8]


def _mb(n: int) -> str:
    """A size as given (bytes) and in decimal megabytes, as `--max-bytes` takes it: "5,000,000 bytes (5.0 MB)"."""
    return f"{n:,} bytes ({n / 1_000_000:.1f} MB)" if n >= 1_000_000 else f"{n:,} bytes"


def _error(path: Path, message: str, data: bytes | None = None) -> Document:
    stem = file_format(path).stem
    digest = _short_hash(data if data else str(path).encode("utf-8", "surrogateescape"))
    return Document(id=f"{stem}-{digest}", origin=str(path), error=message)


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ReadError(f"file too large: {_mb(size)} exceeds the {_mb(max_bytes)} limit")
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise ReadError("no such file or directory") from None
    except PermissionError:
        raise ReadError("cannot read file: permission denied") from None
    except IsADirectoryError:
        raise ReadError("cannot read file: it is a directory") from None
    except OSError as exc:
        raise ReadError(f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > max_bytes:  # grew while reading, or a special file
        raise ReadError(f"file too large: exceeds the {_mb(max_bytes)} limit")
    return data


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as handle:
            out = handle.read(max_bytes + 1)
    except EOFError:
        raise ReadError("truncated gzip file: the compressed data ends early") from None
    except (gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise ReadError(f"corrupt gzip file: {exc}") from None
    if len(out) > max_bytes:
        raise ReadError(f"file too large: decompressed size exceeds the {_mb(max_bytes)} limit")
    return out


def _load(path: Path, fmt: FileFormat, max_bytes: int) -> bytes:
    data = _read_bytes(path, max_bytes)
    if not data:
        raise ReadError("empty file")
    if fmt.gzipped:
        data = _gunzip(data, max_bytes)
        if not data:
            raise ReadError("empty file (nothing inside the gzip data)")
    if not data.strip():
        raise ReadError("empty file (only whitespace)")
    return data


def shown(text: str) -> str:
    """A path as text that can be stored and printed: bytes of the name that are not UTF-8
    (kept by Python as surrogates) become `\\xNN` escapes (`\\xffname.txt`)."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # surrogates that are not escaped bytes
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _shown(document: Document) -> Document:
    origin, doc_id = shown(document.origin), shown(document.id)
    if origin is not document.origin or doc_id is not document.id:
        document.origin, document.id = origin, doc_id
    return document


def read_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Document]:
    """Documents from one file: one for html/text, one per line for jsonl, or one error."""
    try:
        for document in _read_file(path, max_bytes):
            yield _shown(document)
    except Exception as exc:  # noqa: BLE001 - a reader's bug costs this input, not the run
        log.exception("reading %s failed", shown(str(path)))
        yield _shown(_error(path, f"could not read this input: {type(exc).__name__}: {exc}"
                                  " (a bug in tidings: please report it)"))


def _kind_of_special(mode: int) -> str | None:
    for test, name in ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return None


def _read_file(path: Path, max_bytes: int) -> Iterator[Document]:
    try:
        mode = path.stat().st_mode
    except OSError:
        mode = None  # missing or unreadable: reported by the reader below
    if mode is not None and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        yield _error(path, f"not a regular file: {_kind_of_special(mode) or 'a special file'}; skipped")
        return
    if path.name.lower().endswith((".warc", ".warc.gz")):
        from tidings.ingest.warc import iter_warc

        yield from iter_warc(path, max_bytes=max_bytes)
        return
    fmt = file_format(path)
    if fmt.kind is None:
        shown = fmt.extension or "no extension"
        yield _error(path, f"unsupported file type ({shown}); expected .html, .htm, .txt or .jsonl, "
                           "optionally gzip-compressed (.gz), or .warc/.warc.gz")
        return
    try:
        data = _load(path, fmt, max_bytes)
    except ReadError as exc:
        yield _error(path, str(exc))
        return
    decoded = decode_text(data, declared=sniff_html_charset(data) if fmt.kind == "html" else None)
    if decoded.error:
        yield _error(path, decoded.error, data)
        return
    if fmt.kind == "jsonl":
        yield from iter_jsonl(decoded.text.split("\n"), str(path), fmt.stem)
        return
    meta = {"encoding": decoded.encoding}
    if fmt.gzipped:
        meta["compression"] = "gzip"
    yield Document(id=f"{fmt.stem}-{_short_hash(data)}", origin=str(path), kind=fmt.kind, raw=data, meta=meta,
                   published=date_in_name(fmt.stem))


# an ISO date standing alone anywhere in a file name: "2022-02-03-nato.txt", "nyt_2016-09-19_slug.txt"
_NAME_DATE = re.compile(r"(?<![0-9A-Za-z])(\d{4})-(\d{2})-(\d{2})(?![0-9A-Za-z])")


def date_in_name(stem: str) -> str | None:
    """An ISO date anywhere in a file name (`2022-02-03-nato-talks.txt`, `nyt_2016-09-19_slug.txt`)
    gives its publication date: the first one that is a real date, standing alone (not part of
    a longer run of digits or letters)."""
    for match in _NAME_DATE.finditer(stem):
        try:
            return date(*map(int, match.groups())).isoformat()
        except ValueError:
            continue
    return None


def _hidden(name: str) -> bool:
    return name.startswith(".")


def walk(root: Path) -> Iterator[Path | Document]:
    """Files under `root`, recursively, sorted, without hidden ones; unreadable folders as errors."""
    errors: list[OSError] = []
    for folder, dirs, files in os.walk(root, onerror=errors.append):
        dirs[:] = sorted(d for d in dirs if not _hidden(d))
        for name in sorted(files):
            if not _hidden(name):
                yield Path(folder) / name
        while errors:
            exc = errors.pop(0)
            yield _error(Path(exc.filename or root), f"cannot read folder: {exc.strerror or exc}")
    while errors:
        exc = errors.pop(0)
        yield _error(Path(exc.filename or root), f"cannot read folder: {exc.strerror or exc}")


@dataclass(frozen=True)
class NotArticles:
    """Which files a folder walk leaves unread (data/not_articles.yaml)."""

    names: frozenset[str]
    extensions: frozenset[str]


def not_articles() -> NotArticles:
    import yaml

    data = yaml.safe_load((Path(__file__).parent / "data" / "not_articles.yaml").read_text(encoding="utf-8"))
    names = frozenset(str(n).lower() for n in data["names"])
    extensions = frozenset(str(e).lower() for e in data["extensions"])
    if not all(e.startswith(".") for e in extensions):
        raise ValueError("not_articles.yaml: every extension starts with a dot")
    return NotArticles(names, extensions)


def not_an_article(path: Path, rules: NotArticles) -> str | None:
    """Why a file met in a folder is not read ("a project file (README)"), or None to read it."""
    name = path.name[:-3] if path.name.lower().endswith(".gz") else path.name
    stem, extension = name.split(".", 1)[0].lower(), Path(name).suffix.lower()
    if stem in rules.names and KINDS.get(extension) != "jsonl":
        return f"a project file ({path.name}), not an article"
    if extension in rules.extensions:
        return f"a {extension} file, not an article"
    return None


def _note(path: Path, reason: str) -> None:
    log.info("not read: %s: %s", shown(str(path)), reason)


def iter_path(path: Path, max_bytes: int = DEFAULT_MAX_BYTES,
              on_skip: Callable[[str, str], None] | None = None) -> Iterator[Document]:
    """Documents from a file or a folder (see the module docstring for the rules). In a folder,
    files that are no articles (data/not_articles.yaml: README, LICENSE, .md, .json, images …) are
    not read: `on_skip(path, reason)` hears of each (default: an info log line)."""
    try:
        is_dir = path.is_dir()
        missing = not is_dir and not path.exists() and not path.is_symlink()
    except (OSError, ValueError) as exc:  # e.g. a name too long for the file system
        yield _shown(_error(path, f"cannot read path: {getattr(exc, 'strerror', None) or exc}"))
        return
    if is_dir:
        rules = not_articles()
        for item in walk(path):
            if isinstance(item, Document):
                yield _shown(item)
            elif reason := not_an_article(item, rules):
                (on_skip or (lambda p, r: _note(Path(p), r)))(shown(str(item)), reason)
            else:
                yield from read_file(item, max_bytes)
    elif missing:
        yield _shown(_error(path, "no such file or directory"))
    else:
        yield from read_file(path, max_bytes)


def count_documents(paths: list[str]) -> int | None:
    """How many Documents reading `paths` yields, when a cheap look at the file system tells
    (a file of html or text is one, a plain .jsonl one per non-empty line, a file that cannot be
    read one error); None for URLs, standard input, WARC and compressed JSON Lines."""
    rules = not_articles()
    total = 0
    for p in paths:
        if str(p) == "-" or str(p).startswith(("http://", "https://")):
            return None
        path = Path(p)
        try:
            items = [i for i in walk(path) if isinstance(i, Document) or not not_an_article(i, rules)] \
                if path.is_dir() else [path]
        except OSError:
            items = [path]
        for item in items:
            if isinstance(item, Document):
                total += 1
                continue
            name = item.name.lower()
            if name.endswith((".warc", ".warc.gz", ".jsonl.gz")):
                return None
            if name.endswith(".jsonl"):
                try:
                    with item.open("rb") as handle:
                        total += sum(1 for line in handle if line.strip())
                except OSError:
                    total += 1
            else:
                total += 1
    return total
