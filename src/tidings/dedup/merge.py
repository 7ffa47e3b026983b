"""One event, many reports: group the stored event mentions that report the same event.

Every event row of an ok article gets an `events.group_id`, the id of its row in
`event_groups` (a merged event). Mentions are taken in ingest order; each one joins the best
stored group it is the same event as (`tidings.dedup.events.same_event` with every mention
already in the group, so a group never chains far), else founds a new group whose id is
"<article id>:<ordinal>" of that first mention. Candidate stored groups are found by one SQL
query per call (same type, day range within `MAX_DAYS`, an overlapping source country; the
event_groups (type, last_day) index), so adding a batch of articles costs a few queries, not
a pass over all events. Mentions with no source country or
no day (or a date only to the month or year) never merge: each is a group of one.

Counts of a group:
  num_mentions  its event rows
  num_articles  the distinct articles they come from
  num_sources   the distinct publishers that reported it, where every copy of one story (the
                articles of one near-duplicate cluster, `articles.cluster_id`) counts as the
                publisher of the cluster's first copy. The publisher of an article is its
                credited publisher, else its site name, else its URL's host (case-folded),
                else the article itself. So a syndicated copy adds no source, and neither
                does a second article from the same outlet.
  first_day/last_day, first_seen/last_seen   the mentions' days and their articles' ingest times

A replaced (re-processed) article loses its event rows; `Store.save(replace=True)` marks its
groups for regrouping (num_mentions NULL) and the next `group_events` call releases their
mentions and groups them again, with the new rows.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlsplit

from tidings.dedup.events import REALIS, EventKey, same_event

log = logging.getLogger(__name__)

MAX_DAYS = 2  # reports of one event may be dated this many days apart

_COLUMNS = ("e.article_id, e.ordinal, e.type, e.day, e.factuality, e.location_country,"
            " e.source_codes, e.target_codes, e.group_id, e.date_precision")


@dataclass
class _Mention:
    article_id: str
    ordinal: int
    key: EventKey

    @property
    def ident(self) -> str:
        return f"{self.article_id}:{self.ordinal}"


@dataclass
class _Group:
    id: str
    members: list[_Mention] = field(default_factory=list)

    @property
    def founder(self) -> _Mention:
        return self.members[0]


def countries(codes: str | None) -> frozenset[str]:
    """The countries of an events.source_codes/target_codes value ("/USA:GOV//RUS:/")."""
    found = set()
    for part in (codes or "").split("/"):
        country, colon, _ = part.partition(":")
        if colon and country:
            found.add(country)
    return frozenset(found)


def _mention(row: dict) -> _Mention:
    # a month or a year is no day to merge by (NULL precision: a row stored before version 8)
    day = date.fromisoformat(row["day"][:10]) if row["day"] and row["date_precision"] in (None, "day") else None
    key = EventKey(type=row["type"], day=day, sources=countries(row["source_codes"]),
                   targets=countries(row["target_codes"]), place=row["location_country"],
                   realis=REALIS.get(row["factuality"], "real"))
    return _Mention(row["article_id"], int(row["ordinal"]), key)


def _array(sql_type: str) -> str:
    return f"unnest(?::{sql_type}[])"


class _Grouper:
    """The groups touched by one `group_events` call, indexed by (type, source country, day)."""

    def __init__(self, backend) -> None:
        self.backend = backend
        self.groups: dict[str, _Group] = {}
        self.index: dict[tuple, set[str]] = defaultdict(set)

    def place(self, mention: _Mention) -> str:
        """Put `mention` in its best group (or a new one); return the group id."""
        key = mention.key
        group = self._best(mention) if key.sources and key.day else None
        if group is None:
            group = self.groups[mention.ident] = _Group(mention.ident)
        self._add(group, mention)
        return group.id

    def _add(self, group: _Group, mention: _Mention) -> None:
        group.members.append(mention)
        key = mention.key
        if key.day:
            for country in key.sources:
                self.index[(key.type, country, key.day)].add(group.id)

    def _best(self, mention: _Mention) -> _Group | None:
        key = mention.key
        days = [_plus(key.day, d) for d in range(-MAX_DAYS, MAX_DAYS + 1)]
        ids = {g for c in key.sources for d in days for g in self.index.get((key.type, c, d), ())}
        fits = [self.groups[g] for g in sorted(ids)
                if all(same_event(m.key, key, MAX_DAYS) for m in self.groups[g].members)]
        if not fits:
            return None
        return min(fits, key=lambda g: (abs((g.founder.key.day - key.day).days) if g.founder.key.day else 0,
                                        -len(g.members), g.id))

    def prefetch(self, mentions: list[_Mention]) -> None:
        """Load the stored groups that may take one of `mentions`: same type, day range within
        MAX_DAYS of the mention's day, a shared source country (one query, using the
        event_groups (type, last_day) index), with their mentions (one query, events.group_id)."""
        wanted = sorted({(m.key.type, _plus(m.key.day, -MAX_DAYS), _plus(m.key.day, MAX_DAYS),
                          f"/{c}/") for m in mentions if m.key.day for c in m.key.sources})
        if not wanted:
            return
        _, rows = self.backend.query(
            f"SELECT DISTINCT g.id FROM (SELECT {_array('text')} AS type, {_array('date')} AS lo,"
            f" {_array('date')} AS hi, {_array('text')} AS pattern) u JOIN event_groups g ON g.type = u.type"
            " AND g.last_day >= u.lo AND g.first_day <= u.hi AND strpos(g.source_countries, u.pattern) > 0"
            " WHERE g.num_mentions IS NOT NULL", [list(column) for column in zip(*wanted)])
        ids = sorted(row[0] for row in rows if row[0] not in self.groups)
        if not ids:
            return
        members: dict[str, list[_Mention]] = defaultdict(list)
        for row in self.backend.rows(f"SELECT {_COLUMNS} FROM events e WHERE e.group_id IN"
                                     f" (SELECT {_array('text')})", [ids]):
            members[row["group_id"]].append(_mention(row))
        for group_id in ids:  # (a group row without mentions is left alone)
            if members[group_id]:
                group = self.groups[group_id] = _Group(group_id)
                for member in sorted(members[group_id], key=lambda m: (m.ident != group_id, m.article_id, m.ordinal)):
                    self._add(group, member)


def group_events(store, article_ids: Iterable[str] | None = None) -> int:
    """Give every event of an ok article without a group (of `article_ids`, or all) its merged
    event (see the module docs), then update the counts of the groups touched.

    Also regroups the mentions of groups marked stale by a replaced article. One transaction:
    all or nothing. Returns how many event mentions were grouped.
    """
    backend = store.backend
    if article_ids is not None:
        article_ids = list(dict.fromkeys(article_ids))
    with backend.transaction():
        backend.lock_writers()
        released = _release_stale(backend)
        if article_ids is not None and not article_ids and not released:
            return 0
        pending = _pending(backend, None if article_ids is None else [*article_ids, *sorted(released)])
        mentions = [_mention(row) for row in pending]
        grouper = _Grouper(backend)
        grouper.prefetch(mentions)
        assigned = [(m.article_id, m.ordinal, grouper.place(m)) for m in mentions]
        _assign(backend, assigned)
        _write_groups(backend, grouper.groups.values())
    if assigned:
        log.info("grouped %d event mentions into %d touched groups", len(assigned), len(grouper.groups))
    return len(assigned)


def _release_stale(backend) -> set[str]:
    """Ungroup the mentions of groups marked for regrouping; return their article ids."""
    _, rows = backend.query("SELECT id FROM event_groups WHERE num_mentions IS NULL")
    stale = [row[0] for row in rows]
    if not stale:
        return set()
    _, rows = backend.query(f"SELECT DISTINCT article_id FROM events WHERE group_id IN (SELECT {_array('text')})",
                            [stale])
    backend.execute(f"UPDATE events SET group_id = NULL WHERE group_id IN (SELECT {_array('text')})", [stale])
    backend.execute(f"DELETE FROM event_groups WHERE id IN (SELECT {_array('text')})", [stale])
    return {row[0] for row in rows}


def _pending(backend, article_ids: list[str] | None) -> list[dict]:
    where, params = "a.status = 'ok' AND e.group_id IS NULL", []
    if article_ids is not None:
        where += f" AND e.article_id IN (SELECT {_array('text')})"
        params = [article_ids]
    return backend.rows(f"SELECT {_COLUMNS} FROM events e JOIN articles a ON a.id = e.article_id"
                        f" WHERE {where} ORDER BY a.ingested_at, a.id, e.ordinal", params)


def _assign(backend, assigned: list[tuple[str, int, str]]) -> None:
    if not assigned:
        return
    articles, ordinals, groups = (list(column) for column in zip(*assigned))
    backend.execute(
        "UPDATE events SET group_id = u.group_id FROM (SELECT"
        f" {_array('text')} AS article_id, {_array('integer')} AS ordinal, {_array('text')} AS group_id) u"
        " WHERE events.article_id = u.article_id AND events.ordinal = u.ordinal",
        [articles, ordinals, groups])


def _articles(backend, ids: set[str]) -> dict[str, tuple]:
    """id -> (cluster_id, publisher key, ingested_at) of these articles."""
    if not ids:
        return {}
    _, rows = backend.query(
        "SELECT id, cluster_id, credited_publisher, site_name, url, ingested_at FROM articles"
        f" WHERE id IN (SELECT {_array('text')})", [sorted(ids)])
    return {row[0]: (row[1], publisher_key(row[0], *row[2:5]), row[5]) for row in rows}


def publisher_key(article_id: str, credited: str | None, site: str | None, url: str | None) -> str:
    """Who published an article: credited publisher, else site name, else URL host, else itself."""
    name = (credited or "").strip() or (site or "").strip()
    if not name and url:
        try:
            name = (urlsplit(url).hostname or "").removeprefix("www.")
        except ValueError:  # a malformed URL (an unclosed IPv6 bracket): no host
            name = ""
    return name.casefold() if name else f"article:{article_id}"


def _write_groups(backend, groups: Iterable[_Group]) -> None:
    groups = list(groups)
    if not groups:
        return
    info = _articles(backend, {m.article_id for g in groups for m in g.members})
    founders = _articles(backend, {c for c, _, _ in info.values() if c and c not in info})
    founders.update(info)

    def source(article_id: str) -> str:
        cluster, publisher, _ = info[article_id]
        return founders[cluster][1] if cluster in founders else publisher

    columns: dict[str, list] = defaultdict(list)
    for group in groups:
        members = [m for m in group.members if m.article_id in info]
        days = [m.key.day for m in members if m.key.day]
        seen = [info[m.article_id][2] for m in members]
        values = {
            "id": group.id, "type": group.founder.key.type,
            "first_day": min(days, default=None), "last_day": max(days, default=None),
            "num_mentions": len(members), "num_articles": len({m.article_id for m in members}),
            "num_sources": len({source(m.article_id) for m in members}),
            "source_countries": _codes(c for m in members for c in m.key.sources),
            "target_countries": _codes(c for m in members for c in m.key.targets),
            "first_seen": min(seen, default=None), "last_seen": max(seen, default=None),
        }
        for name, value in values.items():
            columns[name].append(value)
    backend.execute(f"DELETE FROM event_groups WHERE id IN (SELECT {_array('text')})", [columns["id"]])
    types = {"id": "text", "type": "text", "first_day": "date", "last_day": "date", "num_mentions": "integer",
             "num_articles": "integer", "num_sources": "integer", "source_countries": "text",
             "target_countries": "text", "first_seen": "timestamp", "last_seen": "timestamp"}
    backend.execute(f"INSERT INTO event_groups ({', '.join(types)})"
                    f" SELECT {', '.join(_array(t) for t in types.values())}",
                    [columns[name] for name in types])


def _codes(values: Iterable[str]) -> str:
    """"/CAN//USA/": sorted, each between slashes, so `strpos(column, '/USA/')` matches one."""
    return "".join(f"/{c}/" for c in sorted(set(values)))


def _plus(day: date, days: int) -> date:
    """`day` + `days`, held inside the calendar (an event dated 9999-12-31 has no day after it)."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min
