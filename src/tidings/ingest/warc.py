"""WARC crawls → Documents.

    stats = WarcStats()
    for document in iter_warc("crawl.warc.gz", stats=stats):
        ...
    stats.skipped  # {"request": 12, "non-HTML response": 3, ...}

* `.warc` and `.warc.gz` (read with warcio's ArchiveIterator; ARC files work too).
* Every HTTP `response` record with status 2xx and an HTML content type (text/html,
  application/xhtml+xml, or none given and the body starts like HTML) becomes a Document:
  kind "html", `raw` the HTTP body with chunked transfer- and content-encoding undone (as
  warcio does), `url` the WARC-Target-URI, `fetched` the WARC-Date as a YYYY-MM-DD date (the
  full timestamp in `meta["warc_date"]`), `origin` "PATH#OFFSET" (offset of the record in the
  file), id a slug of the URL plus a hash of URL and body (same as `tidings.ingest.web`).
* All other records (warcinfo, request, metadata, revisit, resource, non-HTML or non-2xx
  responses) are skipped and counted in `WarcStats.skipped` by reason.
* A record body over `max_bytes` becomes an error Document and reading goes on.
* A truncated or corrupt file yields the Documents before the damage plus one error Document:
  "WARC file truncated/corrupt after N records: ...". A missing or unreadable file gives one
  error Document.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from tidings.ingest.files import DEFAULT_MAX_BYTES
from tidings.ingest.web import charset, document_kind, media_type, url_document_id
from tidings.records import Document

__all__ = ["WarcStats", "iter_warc"]

log = logging.getLogger(__name__)


@dataclass
class WarcStats:
    """Counts filled in while a WARC file is read (pass one to `iter_warc`)."""

    records: int = 0  # records read completely
    documents: int = 0  # HTML responses turned into Documents
    errors: int = 0  # error Documents (oversized records, damage)
    skipped: Counter[str] = field(default_factory=Counter)  # reason → count
    damage: str | None = None  # the truncation/corruption message, if any

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())


class WarcDamage(Exception):
    """Internal: the file is truncated or corrupt at this point."""


def iter_warc(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES,
              stats: WarcStats | None = None) -> Iterator[Document]:
    """Yield a Document per HTML response record of a WARC file; see the module docstring."""
    path = Path(path)
    stats = stats if stats is not None else WarcStats()
    try:
        handle = path.open("rb")
    except OSError as exc:
        stats.errors += 1
        yield Document(id=f"{path.name}-error", origin=str(path),
                       error=f"cannot read WARC file: {exc.strerror or exc}")
        return
    with handle:
        if not handle.read(1):
            stats.errors += 1
            yield Document(id=f"{path.name}-error", origin=str(path), error="empty WARC file")
            return
        handle.seek(0)
        try:
            yield from _iter_records(path, handle, max_bytes, stats)
        except WarcDamage as exc:
            yield _damaged(path, stats, str(exc))
    if stats.documents == 0 and stats.errors == 0:  # nothing else would say that this file was read
        stats.errors += 1
        skipped = ", ".join(f"{n} {why}" for why, n in sorted(stats.skipped.items())) or "none skipped"
        yield Document(id=f"{path.name}-empty", origin=str(path),
                       error=f"no HTML pages in this WARC file: {stats.records} record(s) read ({skipped})")


def _iter_records(path: Path, handle: BinaryIO, max_bytes: int, stats: WarcStats) -> Iterator[Document]:
    """Documents of the records; raises WarcDamage at the first sign of damage."""
    records = ArchiveIterator(handle)
    end = 0  # file offset where the last complete record ends
    while (record := _next_record(records)) is not None:
        document = _read_record(record, max_bytes, stats)
        offset, length = _position(records)
        end = offset + length
        stats.records += 1
        if document is None:
            continue
        document.origin = f"{path}#{offset}"
        if document.error:
            stats.errors += 1
        else:
            stats.documents += 1
        yield document
    _check_tail(handle, end)


def _next_record(records: ArchiveIterator) -> ArcWarcRecord | None:
    """The next record, None at the end; any failure of the parser means the file is damaged."""
    try:
        record = next(records)
    except StopIteration:
        return None
    except Exception as exc:  # noqa: BLE001 - warcio raises many types on garbage input
        raise WarcDamage(f"unreadable record header ({type(exc).__name__}: {exc})") from exc
    if not record.rec_type or record.length is None:
        raise WarcDamage("record without WARC-Type or Content-Length header")
    return record


def _position(records: ArchiveIterator) -> tuple[int, int]:
    try:
        return records.get_record_offset(), records.get_record_length()
    except Exception as exc:  # noqa: BLE001 - see _next_record
        raise WarcDamage(f"{type(exc).__name__}: {exc}") from exc


def _check_tail(handle: BinaryIO, end: int) -> None:
    """Bytes after the last complete record that are not blank are a record cut short."""
    handle.seek(end)
    tail = handle.read(1 << 16)
    if tail.strip():
        size = handle.seek(0, 2)
        raise WarcDamage(f"{size - end} bytes at the end cannot be read as a record")


def _read_record(record: ArcWarcRecord, max_bytes: int, stats: WarcStats) -> Document | None:
    """The Document of one record (origin filled in by the caller), or None (skipped, counted)."""
    reason = _skip_reason(record)
    if reason is not None:
        _drain(record)  # a record cut short is damage even when we skip it
        stats.skipped[reason] += 1
        return None
    body = _read_body(record, max_bytes)
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    warc_date = record.rec_headers.get_header("WARC-Date")
    meta: dict[str, Any] = {"warc_date": warc_date, "status": _status(record)}
    fetched = _iso_date(warc_date)
    if len(body) > max_bytes:
        return Document(id=url_document_id(url), origin="", url=url or None, fetched=fetched,
                        error=f"WARC record larger than {max_bytes} bytes", meta=meta)
    if document_kind(_content_type(record), body) != "html":
        stats.skipped["non-HTML response"] += 1
        return None
    encoding = charset(_content_type(record))
    if encoding:
        meta["encoding"] = encoding
    return Document(id=url_document_id(url, body), origin="", kind="html", raw=body,
                    url=url or None, fetched=fetched, meta=meta)


def _read_body(record: ArcWarcRecord, max_bytes: int) -> bytes:
    try:
        body = record.content_stream().read(max_bytes + 1)
    except Exception as exc:  # noqa: BLE001 - decompression/chunking errors of a cut record
        raise WarcDamage(f"{type(exc).__name__}: {exc}") from exc
    _drain(record)
    return body


def _skip_reason(record: ArcWarcRecord) -> str | None:
    if record.rec_type != "response":
        return record.rec_type or "unknown record type"
    if record.http_headers is None:
        return "response without HTTP headers"
    status = _status(record)
    if status is None or not 200 <= status < 300:
        return "non-2xx response"
    kind = media_type(_content_type(record))
    if kind and document_kind(kind, b"") != "html":
        return "non-HTML response"
    return None


def _drain(record: ArcWarcRecord) -> None:
    """Read what is left of the record block; raise WarcDamage if it ends before its length."""
    raw = record.raw_stream
    try:
        while raw.read(65536):
            pass
    except Exception as exc:  # noqa: BLE001 - decompression errors of a cut gzip member
        raise WarcDamage(f"{type(exc).__name__}: {exc}") from exc
    missing = getattr(raw, "limit", 0)
    if missing > 0:
        url = record.rec_headers.get_header("WARC-Target-URI") or record.rec_type
        declared = record.length or 0
        raise WarcDamage(f"record {url} ends early: {declared - missing} of {declared} bytes")


def _damaged(path: Path, stats: WarcStats, detail: str) -> Document:
    message = f"WARC file truncated/corrupt after {stats.records} records: {detail}"
    log.warning("%s: %s", path, message)
    stats.damage = message
    stats.errors += 1
    return Document(id=f"{path.name}-damaged-{stats.records}", origin=f"{path}#damaged", error=message)


def _content_type(record: ArcWarcRecord) -> str | None:
    return record.http_headers.get_header("Content-Type") if record.http_headers else None


def _status(record: ArcWarcRecord) -> int | None:
    code = record.http_headers.get_statuscode() if record.http_headers else None
    return int(code) if code and str(code).isdigit() else None


def _iso_date(value: str | None) -> str | None:
    """WARC-Date (ISO 8601, e.g. 2024-05-01T12:00:00Z) → "2024-05-01"."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip()).date().isoformat()
    except ValueError:
        head = value.strip()[:10]
        return head if len(head) == 10 and head[4] == "-" and head[7] == "-" else None
