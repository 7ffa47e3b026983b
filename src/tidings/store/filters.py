"""Query filters (dataclasses the CLI fills from its options) and their SQL.

Every filter field is optional; set fields are ANDed. All matching is done by the database
(WHERE clauses with parameters), and every query is paged with limit/offset in a stable order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from tidings.store.codes import Codes, parse_actor


@dataclass
class EventFilter:
    """Which events to list.

    actor: source or target, as a code ("RUS", "RUSGOV", "RUS:GOV", "GOV", "IGO NATO"), a known
    name or alias ("US", "UN", "NATO": exact) or whole words of the name/mention ("Lavrov"); source/target: the same, for one side only (roles: a
    reciprocal event, "Germany and Poland signed an agreement", has all its parties as sources
    and no target; the events between two actors, reciprocal ones included, are a dyad:
    tidings.analysis.dyad_events). country/sector: of source or target. type, mode, factuality,
    quad_class: exact (case-insensitive for type). since/until: event date (the article's
    publication date when the event has none), inclusive, YYYY-MM-DD. article: article id or
    id prefix. search: text the sentence contains (case-insensitive). order: "date" (default),
    "-date" (newest first), "type", "article". merged: one row per merged event (the reports
    of one event by many articles, see tidings.dedup.merge) instead of one per mention; the
    filters then apply to the event's first mention. `Store.events` only: counts (trends)
    are always of mentions. background: None = all events; False = leave out background
    events (earlier facts an article recalls, e.g. "Russia annexed Crimea in 2014"); True =
    only those. min_confidence: only events whose verifier confidence (0-1, the probability
    that a careful coder would code them) is at least this; events stored without one (before
    schema version 7, until re-processed) are then left out. place: where the event happened,
    as a GeoNames id ("703448") or a place name ("Kyiv", exact, case-insensitive: the gazetteer's
    name or the text of the article); place_country: the ISO3 code of the country it happened in
    (unlike `country`, which is an actor's). group: only the reports of this
    merged event (an event_groups id, "<article id>:<ordinal>" of its first report; an event
    never grouped is its own group under that id).
    """

    actor: str | None = None
    source: str | None = None
    target: str | None = None
    country: str | None = None
    sector: str | None = None
    type: str | None = None
    mode: str | None = None
    factuality: str | None = None
    quad_class: str | None = None
    since: str | date | None = None
    until: str | date | None = None
    article: str | None = None
    search: str | None = None
    limit: int | None = 100
    offset: int = 0
    order: str = "date"
    merged: bool = False
    background: bool | None = None
    min_confidence: float | None = None
    place: str | None = None
    place_country: str | None = None
    group: str | None = None


@dataclass
class QuoteFilter:
    """Which quotes to list.

    actor: the speaker, as a code or a name part (see EventFilter.actor); country/sector:
    of the speaker; direct: only direct (True) or indirect (False) quotes; since/until:
    article publication date; article: id or prefix; search: text the quote contains.
    order: "article" (default: article, then position), "speaker", "-date".
    """

    actor: str | None = None
    country: str | None = None
    sector: str | None = None
    direct: bool | None = None
    since: str | date | None = None
    until: str | date | None = None
    article: str | None = None
    search: str | None = None
    limit: int | None = 100
    offset: int = 0
    order: str = "article"


@dataclass
class ActorFilter:
    """Which actors (distinct name, country, sector of resolved mentions) to list.

    actor: a code or a name part; country/sector: exact; article: only actors mentioned in
    that article (id or prefix); search: a part of the name. order: "mentions" (default,
    most mentioned first), "name", "country", "events".
    """

    actor: str | None = None
    country: str | None = None
    sector: str | None = None
    article: str | None = None
    search: str | None = None
    limit: int | None = 100
    offset: int = 0
    order: str = "mentions"


class Where:
    """Collects WHERE conditions and their parameters."""

    def __init__(self) -> None:
        self.conditions: list[str] = []
        self.params: list[Any] = []

    def add(self, condition: str, *params: Any) -> None:
        self.conditions.append(condition)
        self.params.extend(params)

    def sql(self) -> str:
        return ("WHERE " + " AND ".join(self.conditions)) if self.conditions else ""


def as_date(value: str | date | None, name: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name}: {value!r} is not a date in YYYY-MM-DD form") from None


def as_fraction(value: float | str, name: str) -> float:
    """A number from 0 to 1 (a confidence threshold), else ValueError saying so."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: {value!r} is not a number from 0 to 1") from None
    if not 0.0 <= number <= 1.0:  # also refuses NaN
        raise ValueError(f"{name}: {value!r} is not a number from 0 to 1")
    return number


def contains(column: str) -> str:
    """SQL: `column` contains the parameter, ignoring case."""
    return f"strpos(lower({column}), lower(?)) > 0"


_NON_WORD = "[^a-z0-9]+"  # what separates words, after lower() (the same in DuckDB, PostgreSQL and Python)


def words_of(text: str) -> str:
    """`text` as its words, lower-cased, between single spaces (" sergei lavrov ")."""
    return " " + " ".join(re.sub(_NON_WORD, " ", text.lower()).split()) + " "


def has_words(column: str) -> str:
    """SQL: `column` contains the words (parameters: `word_params(text)`) as whole words, in
    order. A plain substring test of the longest word runs first: it is cheap and rules out
    most rows before the regular expression is run."""
    return (f"(strpos(lower({column}), ?) > 0 AND strpos(' ' || trim(regexp_replace(lower(coalesce({column}, '')),"
            f" '{_NON_WORD}', ' ', 'g')) || ' ', ?) > 0)")


def word_params(text: str) -> list[str]:
    """The parameters of `has_words` for `text`: its longest word, and all its words."""
    words = words_of(text)
    return [max(words.split(), key=len, default=""), words]


def actor_match(value: str, codes: Codes, *, country: str, sector: str, names: tuple[str, ...],
                where: Where) -> None:
    """Conditions matching an actor spec against the given columns (added to `where`): codes
    and known aliases exactly, free text as whole words of the name (or mention text)."""
    spec = parse_actor(value, codes)
    if spec.country:
        where.add(f"{country} = ?", spec.country)
    if spec.sector:
        where.add(f"{sector} = ?", spec.sector)
    if spec.names:  # a known organisation: its canonical name(s), exactly
        where.add(f"{names[0]} IN (" + ", ".join("?" for _ in spec.names) + ")", *spec.names)
    if spec.name:
        where.add("(" + " OR ".join(has_words(c) for c in names) + ")", *(word_params(spec.name) * len(names)))


def participant_exists(value: str | None, codes: Codes, roles: tuple[str, ...], *,
                       country: str | None = None, sector: str | None = None) -> tuple[str, list[Any]]:
    """SQL `EXISTS (…)` for an event having a participant in `roles` that matches."""
    inner = Where()
    inner.add("p.article_id = e.article_id")
    inner.add("p.event_ordinal = e.ordinal")
    inner.add("p.role IN (" + ", ".join("?" for _ in roles) + ")", *roles)
    if value:
        actor_match(value, codes, country="p.country", sector="p.sector", names=("p.name", "p.text"),
                    where=inner)
    if country:
        inner.add("p.country = ?", country.upper())
    if sector:
        inner.add("p.sector = ?", sector.upper())
    return f"EXISTS (SELECT 1 FROM event_participants p {inner.sql()})", inner.params


def article_match(column: str, value: str, where: Where) -> None:
    """`column` is the article id or starts with `value`."""
    where.add(f"left({column}, ?) = ?", len(value), value)


def paging(limit: int | None, offset: int) -> tuple[str, list[Any]]:
    if limit is None:
        return (" OFFSET ?", [int(offset)]) if offset else ("", [])
    return " LIMIT ? OFFSET ?", [int(limit), int(offset or 0)]


def order_by(order: str, choices: dict[str, str]) -> str:
    try:
        return choices[order]
    except KeyError:
        raise ValueError(f"order must be one of {', '.join(choices)} (not {order!r})") from None


def side_match(country: str | None, sector: str | None, roles: tuple[str, ...], where: Where) -> None:
    """An event has a participant in `roles` with this country and/or sector (no join: the
    events.source_codes/target_codes columns hold "/country:sector/" per participant)."""
    pattern = (f"/{country}:" if country else ":") + (f"{sector}/" if sector else "")
    where.add("(" + " OR ".join(f"strpos(e.{role}_codes, ?) > 0" for role in roles) + ")",
              *([pattern] * len(roles)))


def event_where(f: EventFilter, codes: Codes) -> Where:
    where = Where()
    for value, roles in ((f.actor, ("source", "target")), (f.source, ("source",)), (f.target, ("target",))):
        if not value:
            continue
        spec = parse_actor(value, codes)
        if spec.by_name:  # names: look at the participants themselves
            where.add(*_exists(value, codes, roles))
        else:
            side_match(spec.country, spec.sector, roles, where)
    if f.country or f.sector:
        side_match(f.country.upper() if f.country else None, f.sector.upper() if f.sector else None,
                   ("source", "target"), where)
    if f.type:
        where.add("e.type = ?", f.type.upper())
    if f.mode:
        where.add("e.mode = ?", f.mode)
    if f.factuality:
        where.add("e.factuality = ?", f.factuality)
    if f.background is not None:
        where.add("coalesce(e.background, FALSE) = ?", bool(f.background))
    if f.min_confidence is not None:
        where.add("e.confidence >= ?", as_fraction(f.min_confidence, "min_confidence"))
    if f.quad_class:
        where.add("e.quad_class = ?", f.quad_class)
    if f.since:
        where.add("e.day >= ?", as_date(f.since, "since"))
    if f.until:
        where.add("e.day <= ?", as_date(f.until, "until"))
    if f.article:
        article_match("e.article_id", f.article, where)
    if f.search:
        where.add(contains("e.sentence_text"), f.search)
    if f.place:
        place_match(f.place, where)
    if f.place_country:
        where.add("e.location_country = ?", f.place_country.strip().upper())
    if f.group:
        where.add("(e.group_id = ? OR (e.group_id IS NULL AND e.article_id || ':' || CAST(e.ordinal AS TEXT) = ?))",
                  f.group, f.group)
    return where


def place_match(value: str, where: Where) -> None:
    """The event's place is the GeoNames id `value` (digits) or has the name `value`."""
    value = value.strip()
    if value.isdigit():
        where.add("e.location_geonameid = ?", int(value))
    else:
        where.add("(lower(e.location_name) = lower(?) OR lower(e.location_text) = lower(?))", value, value)


def _exists(value, codes, roles, **kwargs) -> tuple:
    sql, params = participant_exists(value, codes, roles, **kwargs)
    return (sql, *params)


def quote_where(f: QuoteFilter, codes: Codes) -> Where:
    where = Where()
    if f.actor:
        actor_match(f.actor, codes, country="q.speaker_country", sector="q.speaker_sector",
                    names=("q.speaker_name", "q.speaker_text"), where=where)
    if f.country:
        where.add("q.speaker_country = ?", f.country.upper())
    if f.sector:
        where.add("q.speaker_sector = ?", f.sector.upper())
    if f.direct is not None:
        where.add("q.direct = ?", bool(f.direct))
    if f.since:
        where.add("a.published >= ?", as_date(f.since, "since").isoformat())
    if f.until:
        where.add("left(a.published, 10) <= ?", as_date(f.until, "until").isoformat())
    if f.article:
        article_match("q.article_id", f.article, where)
    if f.search:
        where.add(contains("q.text"), f.search)
    return where


def actor_where(f: ActorFilter, codes: Codes) -> Where:
    where = Where()
    where.add("m.name IS NOT NULL")
    if f.actor:
        actor_match(f.actor, codes, country="m.country", sector="m.sector", names=("m.name",), where=where)
    if f.country:
        where.add("m.country = ?", f.country.upper())
    if f.sector:
        where.add("m.sector = ?", f.sector.upper())
    if f.article:
        article_match("m.article_id", f.article, where)
    if f.search:
        where.add(contains("m.name"), f.search)
    return where
