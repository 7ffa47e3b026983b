"""What each page shows, as plain data: the HTML pages and the JSON API both call these."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from tidings import analysis
from tidings.store import ActorFilter, EventFilter, QuoteFilter, Store
from tidings.store import filters as store_filters


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


def places(store: Store, f: EventFilter, dyad: tuple[str, str] | None = None, directed: bool = False) -> dict[str, Any]:
    """Where the events matching `f` (between the actors of `dyad`) happened: events per country
    and per city or US state with coordinates (tidings.analysis.place_counts)."""
    return analysis.place_counts(store, f, dyad, directed)


def _axis(rows: list[dict[str, Any]], clip: bool) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """A chart's rows over the bulk of its events (analysis.clip_to_bulk) when `clip`, else all."""
    if clip:
        return analysis.clip_to_bulk(rows)
    kept, info = analysis.clip_to_bulk(rows, share=1.0)  # only empty periods at the ends go
    return kept, {**info, "clipped": False, "full": True}


def overview(store: Store, by: str = "month", full: bool = False) -> dict[str, Any]:
    """Counts, top dyads, recent articles, errors, and the timeline of the events that are
    not background (earlier facts an article recalls), its axis over the periods that hold
    98% of them (`full`: all periods)."""
    stats = store.stats()
    rows, axis = _axis(analysis.timeline(store, EventFilter(background=False, limit=None), by=by), not full)
    return {
        "stats": public_stats(stats),
        "top_dyads": analysis.top_dyads(store, limit=12),
        "timeline": rows,
        "axis": axis,
        "timeline_range": [axis["first"], _period_last_day(axis["last"], by)],
        "recent_articles": [public_row(r) for r in analysis.recent_articles(store, limit=12, status="ok")],
        "errors": [public_row(row._asdict()) for row in store.errors(limit=50)],
        "n_errors": len(stats["errors"]),
    }


def actor(store: Store, code: str, by: str = "month", since=None, until=None, background: bool | None = False,
          full: bool = False) -> dict[str, Any]:
    """One actor's timeline, counterparts, quotes and recent events. `background`: False (the
    default) leaves out background events, True keeps only them, None keeps all. The timeline's
    axis covers the periods holding 98% of the events unless a range is asked for or `full`."""
    f = EventFilter(actor=code, since=since, until=until, limit=None, background=background)
    rows, axis = _axis(analysis.timeline(store, f, by=by), not (full or since or until))
    return {
        "actor": code,
        "background": background,
        "timeline": rows,
        "axis": axis,
        "counterparts": analysis.counterparts(store, code, replace(f, actor=None), limit=25),
        "quotes": store.quotes(QuoteFilter(actor=code, since=since, until=until, limit=25, order="-date")),
        "events": store.events(replace(f, limit=25, order="-date")),
        "names": store.actors(ActorFilter(actor=code, limit=15)),
    }


def dyad(store: Store, a: str, b: str, by: str, since=None, until=None, merged: bool = False,
         directed: bool = False, background: bool | None = None, min_confidence: float | None = None,
         full: bool = False) -> dict[str, Any]:
    """The series of events between `a` and `b`; its axis covers the periods holding 98% of
    them unless a range is asked for (since/until) or `full`."""
    series = analysis.dyad_series(store, a, b, by=by, since=since, until=until, merged=merged,
                                  directed=directed, background=background, min_confidence=min_confidence)
    if since or until:
        axis = {"first": series[0]["period"] if series else None, "last": series[-1]["period"] if series else None,
                "before": 0, "after": 0, "events": sum(r["total"] for r in series), "clipped": False}
    else:
        series, axis = _axis(series, not full)
    return {"a": a, "b": b, "by": by, "merged": merged, "directed": directed, "background": background,
            "min_confidence": min_confidence, "series": series, "axis": axis}


def article(store: Store, article_id: str) -> dict[str, Any] | None:
    from tidings.web.markup import mark_up

    result = store.article(article_id)
    if result is None:
        return None
    marked = mark_up(result)
    return {"result": result, "html": marked.html, "annotations": marked.annotations,
            "duplicates": analysis.duplicate_copies(store, result.id)}


def _period_last_day(period: str | None, by: str) -> str | None:
    if period is None:
        return None
    from tidings.analysis.queries import next_period

    return date.fromordinal(next_period(date.fromisoformat(period), by).toordinal() - 1).isoformat()


def date_presets(latest: date) -> list[dict[str, Any]]:
    """The date presets of the filter forms, counted back from `latest` (the data's latest
    date): last 7 days, last 30 days, last month (the calendar month before latest's), all."""
    first_of_month = latest.replace(day=1)
    month_end = date.fromordinal(first_of_month.toordinal() - 1)
    return [
        {"key": "7d", "label": "last 7 days", "since": date.fromordinal(latest.toordinal() - 6).isoformat(),
         "until": latest.isoformat()},
        {"key": "30d", "label": "last 30 days", "since": date.fromordinal(latest.toordinal() - 29).isoformat(),
         "until": latest.isoformat()},
        {"key": "month", "label": f"last month ({month_end.strftime('%B %Y')})",
         "since": month_end.replace(day=1).isoformat(), "until": month_end.isoformat()},
        {"key": "all", "label": "all", "since": None, "until": None},
    ]


def latest_day(store: Store) -> date | None:
    """The data's latest date, which the date presets of the filter forms count back from
    (an archive's "last 7 days" are its own last days, not the calendar's): the latest
    publication day of a stored article, else the latest day of a non-background event."""
    last = _published_range(store)[1]
    if last is not None:
        return last
    value = store.backend.scalar("SELECT max(day) FROM events WHERE NOT coalesce(background, FALSE)", [])
    return _as_day(str(value)[:10]) if value else None


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


def reports(store: Store, group: str) -> dict[str, Any] | None:
    """Every report of the merged event `group` (an event_groups id, or "<article>:<ordinal>"
    of an event never grouped): its article, publisher, date, sentence and attribution, and
    `copy_of` (the first stored copy of the story, for a near-duplicate), in order of
    publication, then of ingest; with the group's counts. None when no event has that id."""
    where = store_filters.event_where(EventFilter(group=group, limit=None), store.codes)
    rows = store.backend.rows(
        "SELECT e.article_id, e.ordinal AS event, e.type, e.mode, e.day AS date, e.date AS event_date,"
        " coalesce(e.date_precision, CASE WHEN e.date IS NULL THEN 'none' ELSE 'day' END) AS date_precision, e.date_text, e.source_label AS source, e.source_names, e.target_label AS target,"
        " e.target_names, e.factuality, e.background, e.trigger_text AS trigger, e.sentence_text AS sentence,"
        " e.attribution_kind, e.attribution_speaker, e.attribution_confirmed, e.attribution_disputed,"
        " e.confidence, a.title AS article_title, a.published, a.url, a.cluster_id,"
        " coalesce(a.credited_publisher, a.site_name) AS publisher"
        f" FROM events e JOIN articles a ON a.id = e.article_id {where.sql()}"
        f" ORDER BY a.published NULLS LAST, a.ingested_at, {store.backend.codepoint('e.article_id')}, e.ordinal",
        where.params)
    if not rows:
        return None
    from urllib.parse import urlsplit

    for row in rows:  # who published it (as merged events count sources), and which story it copies
        host = ""
        if not row["publisher"] and row["url"]:
            try:
                host = (urlsplit(row["url"]).hostname or "").removeprefix("www.")
            except ValueError:
                host = ""
        row["publisher"] = row["publisher"] or host or None
        # a near-duplicate's cluster is the id of the first copy stored (tidings.dedup.store_index)
        row["copy_of"] = row["cluster_id"] if row["cluster_id"] not in (None, row["article_id"]) else None
    summary = store.backend.rows(
        "SELECT num_mentions, num_articles, num_sources, first_day, last_day FROM event_groups WHERE id = ?",
        [group])
    counts = summary[0] if summary and summary[0]["num_mentions"] is not None else {
        "num_mentions": len(rows), "num_articles": len({r["article_id"] for r in rows}),
        "num_sources": len({r["publisher"] or r["article_id"] for r in rows}),
        "first_day": min((r["date"] for r in rows if r["date"]), default=None),
        "last_day": max((r["date"] for r in rows if r["date"]), default=None)}
    return {"group": group, "type": rows[0]["type"], **counts, "reports": rows}
