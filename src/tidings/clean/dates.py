"""Publication dates → YYYY-MM-DD."""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime

log = logging.getLogger(__name__)

_ISO_PREFIX = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T\s])")
_FORMATS = ("%Y/%m/%d", "%Y%m%d", "%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%B %d %Y",
            "%b. %d, %Y", "%d.%m.%Y")


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def normalise_date(value: object) -> str | None:
    """A date (or datetime, or a common date string) as YYYY-MM-DD; None if not a date."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    match = _ISO_PREFIX.match(text)
    if match:
        return _iso(*(int(g) for g in match.groups()))
    for fmt in _FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    try:
        return parsedate_to_datetime(text).date().isoformat()  # RFC 2822, as in feeds
    except (TypeError, ValueError, IndexError):
        log.debug("not a date: %r", text)
        return None


def first_date(*candidates: object) -> str | None:
    """The first candidate that normalises to a date."""
    for candidate in candidates:
        found = normalise_date(candidate)
        if found:
            return found
    return None
