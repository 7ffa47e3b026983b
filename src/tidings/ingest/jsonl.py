"""JSON Lines → Documents: one record per line, one bad line never stops the rest.

A record is an object with `id` and `text` or `html`, optionally `url`, `title`,
`published`. Blank lines are skipped.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from typing import Any

from tidings.records import Document

_OPTIONAL = ("url", "title", "published", "fetched")
MAX_DIGITS = 100  # an integer longer than this is refused (Python refuses 4,300 digits with a ValueError)


class _BadValue(ValueError):
    """A JSON value tidings refuses to read (the message is the reason)."""


def _int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise _BadValue(f"a number with {len(digits.lstrip('-')):,} digits (at most {MAX_DIGITS})")
    return int(digits)


def _constant(name: str) -> float:
    raise _BadValue(f"{name} is not a JSON number")


def parse_line(line: str):
    """json.loads with numbers and nesting bounded: raises ValueError with a human reason."""
    try:
        return json.loads(line, parse_int=_int, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{exc.msg} (column {exc.colno})") from None
    except _BadValue as exc:
        raise ValueError(str(exc)) from None
    except RecursionError:
        raise ValueError("nested too deeply") from None


def _fallback_id(prefix: str, number: int, line: str) -> str:
    digest = hashlib.sha256(line.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{prefix}-{number}-{digest}"


def _error(doc_id: str, origin: str, message: str) -> Document:
    return Document(id=doc_id, origin=origin, error=message)


def record_to_document(record: Any, origin: str, fallback_id: str) -> Document:
    """One parsed JSON value → a Document (with `error` when it is not a usable record)."""
    if not isinstance(record, dict):
        return _error(fallback_id, origin, f"JSONL record is a {type(record).__name__}, expected an object")
    doc_id = str(record["id"]) if record.get("id") not in (None, "") else fallback_id
    if isinstance(record.get("html"), str) and record["html"].strip():
        kind, body = "html", record["html"]
    elif isinstance(record.get("text"), str) and record["text"].strip():
        kind, body = "text", record["text"]
    elif "html" in record or "text" in record:
        return _error(doc_id, origin, "JSONL record has an empty or non-string 'text'/'html'")
    else:
        return _error(doc_id, origin, "JSONL record has neither 'text' nor 'html'")
    extra = {k: str(record[k]) for k in _OPTIONAL if record.get(k) not in (None, "")}
    meta = {k: v for k, v in record.items() if k not in ("id", "text", "html", *_OPTIONAL)}
    meta["encoding"] = "utf-8"
    return Document(id=doc_id, origin=origin, kind=kind, raw=body.encode("utf-8", "surrogatepass"),
                    meta=meta, **extra)


def iter_jsonl(lines: Iterable[str], origin: str, id_prefix: str) -> Iterator[Document]:
    """Documents from JSON Lines text; `origin` gets ":LINE" appended."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{origin}:{number}"
        fallback = _fallback_id(id_prefix, number, line)
        try:
            record = parse_line(line)
        except ValueError as exc:
            yield _error(fallback, where, f"malformed JSON on line {number}: {exc}")
            continue
        yield record_to_document(record, where, fallback)
