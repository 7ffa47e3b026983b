"""Aggregate queries the store does not offer, written over its backend connection.

Every query here uses `?` placeholders and SQL that DuckDB and PostgreSQL both understand
(the store's own convention, see tidings.store.backends). Event filters are the store's
`EventFilter`, turned into SQL by the store's own `event_where`, so a page that shows a
count and the table behind it agree.

Actor keys: a participant is grouped by country ("RUS"), an international organisation by
"IGO <name>", and an unresolved participant by the name of the actor mention it holds. A
participant with neither (a phrase that names no actor: "the launches") has no key and is left
out of dyads, networks and counterparts; pronouns with no antecedent are not even stored as
participants (tidings.store.rows). A key is always something the
store's actor filters read back (a code, "IGO NATO", or a name part).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from importlib import resources
from typing import Any

import yaml

from tidings.geo import with_coordinates
from tidings.store.filters import EventFilter, Where, actor_match, event_where, paging

PERIODS = ("day", "week", "month")
QUAD_CLASSES = ("verbal cooperation", "material cooperation", "verbal conflict", "material conflict")

# One actor key per participant row (alias given by the caller).
_KEY = ("CASE WHEN {p}.country = 'IGO' AND {p}.name IS NOT NULL THEN 'IGO ' || {p}.name"
        " WHEN {p}.country IS NOT NULL THEN {p}.country ELSE {p}.name END")

# The columns Store.events returns, so dyad event lists render with the same table.
EVENT_COLUMNS = (
    "e.day AS date, e.type, e.mode, e.quad_class, e.source_label AS source,"
    " e.source_names, e.target_label AS target, e.target_names, e.factuality, e.background,"
    " e.attribution_kind, e.attribution_speaker, e.attribution_confirmed, e.attribution_disputed,"
    " e.trigger_text AS trigger, e.sentence_text AS sentence, e.date AS event_date, coalesce(e.date_precision, CASE WHEN e.date IS NULL THEN 'none' ELSE 'day' END) AS date_precision,"
    " e.location_country, e.location_name, e.rule, e.confidence, e.article_id, e.ordinal AS event,"
    " a.title AS article_title, a.published, a.url, coalesce(e.location_name, e.location_text) AS place,"
    " e.location_country AS place_country, e.location_geonameid AS geonameid,"
    " CAST(NULL AS DOUBLE PRECISION) AS lat, CAST(NULL AS DOUBLE PRECISION) AS lon")

_ORDERS = ("date", "-date", "type", "article")  # as Store.events (tidings.store.store.event_orders)


def actor_key(p: str) -> str:
    """SQL for the actor key of the participant alias `p`."""
    return _KEY.format(p=p)


def check_period(by: str) -> str:
    if by not in PERIODS:
        raise ValueError(f"by must be one of {', '.join(PERIODS)} (not {by!r})")
    return by


def period_sql(by: str) -> str:
    """SQL for the first day of the event's period (`by` is checked, then inlined)."""
    return f"CAST(date_trunc('{check_period(by)}', e.day) AS DATE)"


# The pairs of an event: the one definition every dyad query shares (top dyads, networks,
# counterparts, dyad event lists and series). Participant alias `s` is one side and `t` the
# other: each source with each target; and, for a reciprocal event (no target: "Germany and
# Poland signed an agreement", "talks between Macron and Putin", where all parties are sources,
# as PLOVER codes them), each source with each other source that is a different actor (country,
# sector, name or, without one, text), in both orders: either party acts on the other. A
# single-party event without a target ("Germans protested") has no pair, nor have the co-sources
# of an act on a target, nor the parties of a joint act of a type that is not reciprocal
# ("Russia and China rejected the resolution"; store/data/plover.yaml reciprocal_types).
# "No target" is `NO_TARGET` (tidings.store.rows keeps '' for an event
# whose targets name no actor), the same test `dyad_codes_condition` makes without the join.
# In parts: `_CANDIDATES` joins `s` to its possible other sides (participants only), which are
# pairs where `_PAIRED` holds (it reads the event `e`: `dyad_join` tests it after grouping).
def _reciprocal_types() -> str:
    data = yaml.safe_load(resources.files("tidings.store").joinpath("data/plover.yaml").read_text("utf-8"))
    types = [t for t in data["reciprocal_types"] if t.isalpha() and t.isupper()]  # inlined into SQL
    return ", ".join(f"'{t}'" for t in types)


NO_TARGET = f"(e.target_codes IS NULL AND e.type IN ({_reciprocal_types()}))"
_CANDIDATES = ("event_participants s JOIN event_participants t"
               " ON t.article_id = s.article_id AND t.event_ordinal = s.event_ordinal"
               " AND (t.role = 'target' OR (t.role = 'source' AND (t.country IS DISTINCT FROM s.country"
               " OR t.sector IS DISTINCT FROM s.sector"
               " OR coalesce(t.name, t.text) IS DISTINCT FROM coalesce(s.name, s.text))))")
_PAIRED = f"(t.role = 'target' OR {NO_TARGET})"
_PAIRS = (f"FROM events e JOIN {_CANDIDATES} ON s.article_id = e.article_id AND s.event_ordinal = e.ordinal"
          f" AND s.role = 'source' AND {_PAIRED}")
RECIPROCAL = "(t.role = 'source')"  # SQL over _PAIRS: the pair is two parties of a reciprocal event


def _quad_counts() -> str:
    """Counts per quad class over rows that carry a `quad_class` column."""
    return ", ".join(f"count(*) FILTER (WHERE quad_class = '{quad}') AS {quad.replace(' ', '_')}"
                     for quad in QUAD_CLASSES)


def top_dyads(store, f: EventFilter | None = None, limit: int = 10, coded: bool = False) -> list[dict[str, Any]]:
    """The most active (source, target) pairs of actor keys among events matching `f`,
    with counts per quad class; self-pairs left out. An event counts once per pair; a reciprocal
    event ("DEU and POL signed an agreement": no target) counts in both directions, DEU → POL
    and POL → DEU, and `reciprocal` says how many of a pair's events are such.
    `coded`: only participants resolved to a country code (or IGO)."""
    f = f or EventFilter(limit=None)
    where = event_where(f, store.codes)
    if coded:
        where.add("s.country IS NOT NULL AND t.country IS NOT NULL")
    return store.backend.rows(
        f"WITH pairs AS (SELECT DISTINCT e.article_id, e.ordinal, e.quad_class, {RECIPROCAL} AS reciprocal,"
        f" {actor_key('s')} AS source, {actor_key('t')} AS target {_PAIRS} {where.sql()})"
        f" SELECT source, target, count(*) AS events, {_quad_counts()},"
        " count(*) FILTER (WHERE reciprocal) AS reciprocal FROM pairs WHERE source <> target"
        " AND source IS NOT NULL AND target IS NOT NULL"
        f" GROUP BY source, target ORDER BY events DESC, {store.backend.codepoint('source')},"
        f" {store.backend.codepoint('target')} LIMIT ?", where.params + [int(limit)])


def network(store, f: EventFilter | None = None, limit: int = 60, coded: bool = False) -> dict[str, Any]:
    """Who acts on whom among events matching `f`: the `limit` heaviest edges
    (source key → target key, with counts per quad class; a reciprocal event gives an edge each
    way, see `top_dyads`) and their nodes (`coded`: only actors resolved to a country code or IGO)."""
    edges = top_dyads(store, f, limit=limit, coded=coded)
    nodes: dict[str, dict[str, Any]] = {}
    for edge in edges:
        for role, key in (("out", edge["source"]), ("in", edge["target"])):
            node = nodes.setdefault(key, {"id": key, "out": 0, "in": 0})
            node[role] += edge["events"]
    return {"nodes": sorted(nodes.values(), key=lambda n: (-(n["out"] + n["in"]), n["id"])), "edges": edges}


def timeline(store, f: EventFilter | None = None, by: str = "week") -> list[dict[str, Any]]:
    """Events matching `f` per period and quad class: rows {period, <quad columns>, total},
    oldest first, with empty periods filled in."""
    f = f or EventFilter(limit=None)
    where = event_where(f, store.codes)
    where.add("e.day IS NOT NULL")
    rows = store.backend.rows(
        f"SELECT {period_sql(by)} AS period, e.quad_class, count(*) AS n FROM events e {where.sql()}"
        f" GROUP BY 1, 2 ORDER BY 1, {store.backend.codepoint('e.quad_class')}", where.params)
    periods: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = periods.setdefault(row["period"], _empty_period(row["period"]))
        key = (row["quad_class"] or "none").replace(" ", "_")
        entry[key] = entry.get(key, 0) + row["n"]
        entry["total"] += row["n"]
    return fill_periods(periods, by, _empty_period)


def _empty_period(period: str) -> dict[str, Any]:
    return {"period": period, **{q.replace(" ", "_"): 0 for q in QUAD_CLASSES}, "total": 0}


MAX_FILLED = 5000  # never fill more empty periods than this (a stray 1900 date would explode a chart)


def fill_periods(periods: dict[str, dict], by: str, empty) -> list[dict]:
    """The periods in order, with the empty ones between the first and the last added."""
    if not periods:
        return []
    keys = sorted(periods)
    first, last = date.fromisoformat(keys[0]), date.fromisoformat(keys[-1])
    out, current = [], first
    while current <= last and len(out) < MAX_FILLED:
        key = current.isoformat()
        out.append(periods.get(key) or empty(key))
        current = next_period(current, by)
    if len(out) >= MAX_FILLED:  # too sparse to fill: only the periods that have events
        return [periods[k] for k in keys]
    return out


BULK_SHARE = 0.98  # a chart's time axis covers the periods holding this share of the events (1st-99th percentile)


def clip_to_bulk(rows: list[dict[str, Any]], share: float = BULK_SHARE,
                 count: str = "total") -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The periods (rows oldest first, each with a `count` column) that hold the bulk of the
    events: the leading and trailing periods holding together at most (1 - share) of them are
    cut, half at each end (so a lone 2014 event does not stretch a 2022 chart, and empty
    periods at either end always go). Returns the rows kept and what was cut: {first, last
    (periods kept), before, after (events cut), events (all events), clipped (whether any
    event was cut)}."""
    total = sum(r[count] for r in rows)
    allowed = total * (1 - share) / 2
    start, cut_before = 0, 0
    while start < len(rows) and cut_before + rows[start][count] <= allowed:
        cut_before += rows[start][count]
        start += 1
    end, cut_after = len(rows), 0
    while end > start and cut_after + rows[end - 1][count] <= allowed:
        cut_after += rows[end - 1][count]
        end -= 1
    kept = rows[start:end]
    return kept, {"first": kept[0]["period"] if kept else None, "last": kept[-1]["period"] if kept else None,
                  "before": cut_before, "after": cut_after, "events": total,
                  "clipped": bool(cut_before or cut_after), "share": share}


def next_period(day: date, by: str) -> date:
    if by == "day":
        return date.fromordinal(day.toordinal() + 1)
    if by == "week":
        return date.fromordinal(day.toordinal() + 7)
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def counterparts(store, actor: str, f: EventFilter | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """Who `actor` acts on (as source: `to`), who acts on it (as target: `from`) and who it acts
    with in reciprocal events ("Germany and Poland signed an agreement": `reciprocal`): one row
    per counterpart key with counts by direction and quad class (`events`: their sum)."""
    f = replace(f or EventFilter(limit=None), actor=None, source=None, target=None)
    rows: dict[str, dict[str, Any]] = {}
    # the actor as `s` (the other is a target, or a fellow party of a reciprocal event), then as a target
    for mine, other, role, direction in (("s", "t", None, "to"), ("t", "s", "target", "from")):
        where = event_where(f, store.codes)
        match_sql, match_params = _matches(store, actor, mine)
        where.add(match_sql, *match_params)
        if role:
            where.add("t.role = ?", role)
        found = store.backend.rows(
            f"WITH pairs AS (SELECT DISTINCT e.article_id, e.ordinal, e.quad_class, {actor_key(other)} AS actor,"
            f" CASE WHEN {RECIPROCAL} THEN 'reciprocal' ELSE '{direction}' END AS direction"
            f" {_PAIRS} {where.sql()})"
            f" SELECT actor, direction, count(*) AS events, {_quad_counts()} FROM pairs WHERE actor IS NOT NULL"
            " GROUP BY actor, direction", where.params)
        for row in found:
            entry = rows.setdefault(row["actor"], {"actor": row["actor"], "to": 0, "from": 0, "reciprocal": 0,
                                                   "events": 0, **{q.replace(" ", "_"): 0 for q in QUAD_CLASSES}})
            entry[row["direction"]] += row["events"]
            entry["events"] += row["events"]
            for quad in QUAD_CLASSES:
                name = quad.replace(" ", "_")
                entry[name] += row[name]
    ordered = sorted(rows.values(), key=lambda r: (-r["events"], r["actor"]))
    return ordered[:limit]


def _matches(store, value: str, alias: str) -> tuple[str, list[Any]]:
    """SQL: the participant `alias` is the actor `value` (a code or a name part)."""
    where = Where()
    actor_match(value, store.codes, country=f"{alias}.country", sector=f"{alias}.sector",
                names=(f"{alias}.name", f"{alias}.text"), where=where)
    return "(" + " AND ".join(where.conditions or ["1 = 1"]) + ")", where.params


def dyad_ids(store, a: str, b: str, directed: bool = False) -> tuple[str, list[Any]]:
    """A subquery of the events that may be between `a` and `b` (a candidate pair of the event,
    see `_PAIRS`, is `a` and `b`): (article_id, event_ordinal, forward, targeted). forward = 1
    when `a` is a source and `b` a target (else `b` acts on `a`); targeted = 1 when a source and
    a target match (else only two sources do: the event is between `a` and `b` only if it has no
    target, which `dyad_join` checks on the event; the join of `events` is left out here: it
    would cost a third of the time)."""
    a_s, a_s_params = _matches(store, a, "s")
    b_t, b_t_params = _matches(store, b, "t")
    forward = f"{a_s} AND {b_t}"
    params = a_s_params + b_t_params
    condition, condition_params = forward, list(params)
    if not directed:
        b_s, b_s_params = _matches(store, b, "s")
        a_t, a_t_params = _matches(store, a, "t")
        condition = f"(({forward}) OR ({b_s} AND {a_t}))"
        condition_params = params + b_s_params + a_t_params
    sql = ("SELECT s.article_id, s.event_ordinal,"
           f" max(CASE WHEN t.role = 'target' AND {forward} THEN 1 ELSE 0 END) AS forward,"
           " max(CASE WHEN t.role = 'target' THEN 1 ELSE 0 END) AS targeted"
           f" FROM {_CANDIDATES} WHERE s.role = 'source' AND {condition} GROUP BY s.article_id, s.event_ordinal")
    return sql, params + condition_params


def dyad_codes_condition(store, a: str, b: str, directed: bool = False) -> tuple[str, list[Any]] | None:
    """SQL (alias e) for "an event between `a` and `b`" read from the events' source_codes and
    target_codes columns (no join: fast), when both actors are codes (RUS, RUS:GOV, GOV) that no
    one participant can match both of (RUS and UKR, RUS:GOV and RUS:MIL, GOV and MIL); None when
    either is a name, which needs the participants (`dyad_join`), or when one participant could
    be both (RUS and GOV: only the participants tell whether a reciprocal event's RUS and GOV
    parties are two actors). The same events as `dyad_ids`: a source matches one actor and a
    target the other, or the event has no target and its sources match both."""
    from tidings.store.codes import parse_actor
    from tidings.store.filters import side_match

    specs = [parse_actor(value, store.codes) for value in (a, b)]
    if any(spec.name or spec.names or not (spec.country or spec.sector) for spec in specs):
        return None
    first, second = specs
    if not ((first.country and second.country and first.country != second.country)
            or (first.sector and second.sector and first.sector != second.sector)):
        return None

    def one_way(source, target) -> Where:
        where = Where()
        side_match(source.country, source.sector, ("source",), where)
        side_match(target.country, target.sector, ("target",), where)
        return where

    reciprocal = Where()
    reciprocal.add(NO_TARGET)
    for spec in specs:
        side_match(spec.country, spec.sector, ("source",), reciprocal)
    ways = [one_way(first, second)] + ([] if directed else [one_way(second, first)]) + [reciprocal]
    sql = " OR ".join("(" + " AND ".join(w.conditions) + ")" for w in ways)
    return f"({sql})", [p for w in ways for p in w.params]


def dyad_join(store, a: str, b: str, directed: bool = False) -> tuple[str, list[Any]]:
    """SQL `JOIN (…) d ON …` keeping only events between `a` and `b` (alias e); d.forward is set
    (1: `a` acts on `b`), and `DYAD_RECIPROCAL` tells a reciprocal event (the pair is two of its parties)."""
    sql, params = dyad_ids(store, a, b, directed)
    return (f"JOIN ({sql}) d ON d.article_id = e.article_id AND d.event_ordinal = e.ordinal"
            f" AND (d.targeted = 1 OR {NO_TARGET})"), params


DYAD_RECIPROCAL = f"CASE WHEN {NO_TARGET} THEN 1 ELSE 0 END"  # over dyad_join: a reciprocal event


def dyad_events(store, a: str, b: str, f: EventFilter | None = None, directed: bool = False) -> list[dict]:
    """The events between `a` and `b` (either direction unless `directed`; a reciprocal event
    whose parties include both, "a and b signed an agreement", in any case), filtered and paged
    by `f` like Store.events, with the same columns (and, with `f.merged`, one row per merged event)."""
    from tidings.store.store import MERGED_COLUMNS, MERGED_FIRST_MENTION, MERGED_JOIN, event_orders

    f = replace(f or EventFilter(), actor=None, source=None, target=None)
    where = event_where(f, store.codes)
    merged, groups = "", ""
    if f.merged:  # one row per merged event, as Store.events
        where.add(MERGED_FIRST_MENTION)
        merged, groups = MERGED_COLUMNS, MERGED_JOIN
    order = event_orders(store.backend).get(f.order)
    if order is None:
        raise ValueError(f"order must be one of {', '.join(_ORDERS)} (not {f.order!r})")
    join, join_params = dyad_join(store, a, b, directed)
    page, page_params = paging(f.limit, f.offset)
    rows = store.backend.rows(
        f"SELECT {EVENT_COLUMNS}{merged} FROM events e {join} JOIN articles a ON a.id = e.article_id{groups}"
        f" {where.sql()}"
        f" ORDER BY {order}{page}", join_params + where.params + page_params)
    with_coordinates(rows)
    return rows


def count_dyad_events(store, a: str, b: str, f: EventFilter | None = None, directed: bool = False) -> int:
    """How many events `dyad_events` lists over all its pages."""
    from tidings.store.store import MERGED_FIRST_MENTION

    f = replace(f or EventFilter(), actor=None, source=None, target=None)
    where = event_where(f, store.codes)
    if f.merged:
        where.add(MERGED_FIRST_MENTION)
    join, join_params = "", []
    fast = dyad_codes_condition(store, a, b, directed)
    if fast:
        where.add(fast[0], *fast[1])
    else:
        join, join_params = dyad_join(store, a, b, directed)
    return int(store.backend.scalar(f"SELECT count(*) FROM events e {join} {where.sql()}",
                                    join_params + where.params) or 0)


def _article_where(status: str | None, search: str | None) -> Where:
    where = Where()
    if status:
        where.add("status = ?", status)
    if search:
        where.add("strpos(lower(coalesce(title, '')), lower(?)) > 0", search)
    return where


def count_articles(store, status: str | None = None, search: str | None = None) -> int:
    """How many articles `recent_articles` lists over all its pages."""
    where = _article_where(status, search)
    return int(store.backend.scalar(f"SELECT count(*) FROM articles {where.sql()}", where.params) or 0)


def filter_choices(store) -> dict[str, list[str]]:
    """The distinct stored values the filter forms offer: event types, modes, participants'
    countries and sectors, countries of event places, quote speakers' countries (sorted)."""
    def distinct(column: str, table: str) -> list[str]:
        rows = store.backend.query(f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL")[1]
        return sorted(str(row[0]) for row in rows if row[0] != "")
    return {
        "types": distinct("type", "events"), "modes": distinct("mode", "events"),
        "countries": distinct("country", "event_participants"), "sectors": distinct("sector", "event_participants"),
        "place_countries": distinct("location_country", "events"),
        "speaker_countries": distinct("speaker_country", "quotes"),
    }


def recent_articles(store, limit: int = 20, offset: int = 0, status: str | None = None,
                    search: str | None = None) -> list[dict[str, Any]]:
    """Articles, newest publication date first: id, title, published, publisher, status, counts."""
    where = _article_where(status, search)
    page, params = paging(limit, offset)
    return store.backend.rows(
        "SELECT id, title, published, credited_publisher, site_name, url, status, error,"
        " n_mentions, n_events, n_quotes FROM articles"
        f" {where.sql()} ORDER BY {store.backend.codepoint('published')} DESC NULLS LAST,"
        f" {store.backend.codepoint('id')}{page}", where.params + params)


def duplicate_copies(store, article_id: str) -> list[dict[str, Any]]:
    """Other stored copies of the same story, when the store records duplicate clusters
    (an `articles` column named `cluster`, `cluster_id` or `duplicate_of`); else []."""
    column = _cluster_column(store)
    if column is None:
        return []
    return store.backend.rows(
        f"SELECT id, title, published, credited_publisher, url FROM articles"
        f" WHERE {column} = (SELECT {column} FROM articles WHERE id = ?) AND id <> ?"
        f" ORDER BY {store.backend.codepoint('published')} NULLS LAST, {store.backend.codepoint('id')}",
        [article_id, article_id])


def _cluster_column(store) -> str | None:
    rows = store.backend.rows(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'articles'"
        " AND table_schema = current_schema()")
    names = {r["column_name"] for r in rows}
    for candidate in ("cluster", "cluster_id", "duplicate_of"):
        if candidate in names:
            return candidate
    return None


def place_counts(store, f: EventFilter | None = None, dyad: tuple[str, str] | None = None,
                 directed: bool = False) -> dict[str, Any]:
    """Where the events matching `f` (between the actors of `dyad` when given) happened, for a map:
    `countries`: events per country of the place (ISO3, name, events), most first; `places`:
    events per GeoNames city or US state with coordinates (geonameid, place, country, kind, lat,
    lon, events), most first; `placed` / `unplaced`: events with and without a place country.
    With `f.merged`, merged events are counted once (as Store.events lists them)."""
    from tidings.geo import load_geo
    from tidings.store.store import MERGED_FIRST_MENTION

    f = replace(f or EventFilter(limit=None), limit=None, offset=0)
    join, join_params, fast = "", [], None
    if dyad:
        f = replace(f, actor=None, source=None, target=None)
        fast = dyad_codes_condition(store, dyad[0], dyad[1], directed)
        if fast is None:
            join, join_params = dyad_join(store, dyad[0], dyad[1], directed)
    where = event_where(f, store.codes)
    if fast:
        where.add(fast[0], *fast[1])
    if f.merged:
        where.add(MERGED_FIRST_MENTION)
    rows = store.backend.rows(
        "SELECT e.location_geonameid AS geonameid, e.location_country AS country, count(*) AS events"
        f" FROM events e {join} {where.sql()} GROUP BY 1, 2", join_params + where.params)
    geo = load_geo()
    countries: dict[str, int] = {}
    places: list[dict[str, Any]] = []
    unplaced = 0
    for row in rows:
        if not row["country"]:
            unplaced += row["events"]
            continue
        countries[row["country"]] = countries.get(row["country"], 0) + row["events"]
        point = geo.point(row["geonameid"])
        if point is not None and point.kind != "country":
            places.append({"geonameid": row["geonameid"], "place": point.name, "country": row["country"],
                           "kind": point.kind, "lat": point.lat, "lon": point.lon, "events": row["events"]})
    return {
        "countries": [{"country": c, "name": geo.country_name(c) or c, "events": n}
                      for c, n in sorted(countries.items(), key=lambda item: (-item[1], item[0]))],
        "places": sorted(places, key=lambda p: (-p["events"], p["place"], p["geonameid"])),
        "placed": sum(countries.values()), "unplaced": unplaced,
    }
