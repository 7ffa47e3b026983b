"""What each page shows, as plain data: the HTML pages and the JSON API both call these."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from tidings import analysis
from tidings.store import ActorFilter, EventFilter, QuoteFilter, Store


@dataclass
class Page:
    """Rows of one page of a table, and how many rows match over all pages."""

    rows: list[dict[str, Any]]
    offset: int
    limit: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.rows) < self.total


def event_rows(store: Store, f: EventFilter, dyad: tuple | None = None) -> list[dict[str, Any]]:
    """Events matching `f` (between the two actors of `dyad`, (a, b, directed), when given)."""
    if dyad:
        return analysis.dyad_events(store, dyad[0], dyad[1], f, bool(dyad[2]) if len(dyad) > 2 else False)
    return store.events(f)


def count_events(store: Store, f: EventFilter, dyad: tuple | None = None) -> int:
    if dyad:
        return analysis.count_dyad_events(store, dyad[0], dyad[1], f, bool(dyad[2]) if len(dyad) > 2 else False)
    return store.count_events(f)


def events(store: Store, f: EventFilter, dyad: tuple | None = None) -> Page:
    """A page of events matching `f` (between the two actors of `dyad` when given)."""
    limit = f.limit or 50
    f = replace(f, limit=limit)
    return Page(event_rows(store, f, dyad), f.offset, limit, count_events(store, f, dyad))


def quotes(store: Store, f: QuoteFilter) -> Page:
    f = replace(f, limit=f.limit or 50)
    return Page(store.quotes(f), f.offset, f.limit, store.count_quotes(f))


def actors(store: Store, f: ActorFilter) -> Page:
    f = replace(f, limit=f.limit or 50)
    return Page(store.actors(f), f.offset, f.limit, store.count_actors(f))


def article_rows(store: Store, limit: int, offset: int, status: str | None, text: str | None) -> list[dict]:
    return [public_row(row) for row in analysis.recent_articles(store, limit, offset, status=status, search=text)]


def count_articles(store: Store, status: str | None, text: str | None) -> int:
    return analysis.count_articles(store, status=status, search=text)


def articles(store: Store, limit: int, offset: int, status: str | None, text: str | None) -> Page:
    return Page(article_rows(store, limit, offset, status, text), offset, limit, count_articles(store, status, text))


def public_origin(origin: str | None) -> str | None:
    """An input's origin fit to show: URLs, stdin lines and "api" as they are; a file path by
    its file name (and a WARC record's offset)."""
    if not origin or "://" in origin or origin.startswith(("stdin", "api")):
        return origin
    path, hash_, offset = origin.partition("#")
    return os.path.basename(path.rstrip("/\\")) + hash_ + offset


# the folders of an absolute path (not a URL's: no ":" or "/" or letter just before it)
_FOLDERS = re.compile(r"(?<![:/\w.])(?:/[^\s'\"/]+)+/")


def public_error(error: str | None) -> str | None:
    """An error text without the folders of any absolute file path in it (an OS error names
    the full path): "Permission denied: '/home/me/x.html'" → "Permission denied: 'x.html'"."""
    return _FOLDERS.sub("", error) if error else error


def public_row(row: dict[str, Any]) -> dict[str, Any]:
    """An error row or article fit to show: its origin as `public_origin`, its error as `public_error`."""
    shown = {**row, "error": public_error(row.get("error"))}
    if "origin" in row:
        shown["origin"] = public_origin(row["origin"])
    return shown


def public_stats(stats: dict[str, Any]) -> dict[str, Any]:
    """Store.stats() fit for a response: no database path, the errors counted (listed at /api/errors)."""
    return {**{k: v for k, v in stats.items() if k not in ("database", "errors")}, "errors": len(stats["errors"])}


def overview(store: Store, by: str = "month") -> dict[str, Any]:
    """Counts, top dyads, recent articles, errors, and the timeline over the publication
    dates of the articles (background events dated years earlier would flatten it)."""
    stats = store.stats()
    since, until = _published_range(store)
    return {
        "stats": public_stats(stats),
        "top_dyads": analysis.top_dyads(store, limit=12),
        "timeline": analysis.timeline(store, EventFilter(since=since, until=until, limit=None), by=by),
        "timeline_range": [since.isoformat() if since else None, until.isoformat() if until else None],
        "recent_articles": [public_row(r) for r in analysis.recent_articles(store, limit=12, status="ok")],
        "errors": [public_row(row._asdict()) for row in store.errors(limit=50)],
        "n_errors": len(stats["errors"]),
    }


def actor(store: Store, code: str, by: str = "month", since=None, until=None) -> dict[str, Any]:
    f = EventFilter(actor=code, since=since, until=until, limit=None)
    return {
        "actor": code,
        "timeline": analysis.timeline(store, f, by=by),
        "counterparts": analysis.counterparts(store, code, replace(f, actor=None), limit=25),
        "quotes": store.quotes(QuoteFilter(actor=code, since=since, until=until, limit=25, order="-date")),
        "events": store.events(replace(f, limit=25, order="-date")),
        "names": store.actors(ActorFilter(actor=code, limit=15)),
    }


def dyad(store: Store, a: str, b: str, by: str, since=None, until=None, merged: bool = False,
         directed: bool = False, background: bool | None = None, min_confidence: float | None = None) -> dict[str, Any]:
    return {"a": a, "b": b, "by": by, "merged": merged, "directed": directed, "background": background,
            "min_confidence": min_confidence,
            "series": analysis.dyad_series(store, a, b, by=by, since=since, until=until, merged=merged,
                                           directed=directed, background=background, min_confidence=min_confidence)}


def article(store: Store, article_id: str) -> dict[str, Any] | None:
    from tidings.web.markup import mark_up

    result = store.article(article_id)
    if result is None:
        return None
    marked = mark_up(result)
    return {"result": result, "html": marked.html, "annotations": marked.annotations,
            "duplicates": analysis.duplicate_copies(store, result.id)}


def _published_range(store: Store) -> tuple[date | None, date | None]:
    """The first and last publication day of the stored articles (None when unknown)."""
    row = store.backend.rows("SELECT min(left(published, 10)) AS first, max(left(published, 10)) AS last"
                             " FROM articles WHERE status = 'ok' AND published IS NOT NULL")
    return _as_day(row[0]["first"]) if row else None, _as_day(row[0]["last"]) if row else None


def _as_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
