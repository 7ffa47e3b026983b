"""Query parameters of the pages and the API: validated here, turned into store filters.

Empty values (what an HTML form sends for a blank field) mean "not set"; a value that cannot
be used (NUL characters, a bad date, an unknown choice) is a 400 with a message saying why.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import HTTPException, Query

from tidings.records import FACTUALITY_VALUES
from tidings.store import ActorFilter, EventFilter, QuoteFilter
from tidings.store.filters import as_date, as_fraction

QUAD_CLASSES = ("verbal cooperation", "material cooperation", "verbal conflict", "material conflict")
EVENT_ORDERS = ("date", "-date", "type", "article")


def text_param(value: str | None, name: str, max_len: int = 500) -> str | None:
    """A query parameter as text: empty → None; NUL or overlong → 400."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if "\x00" in value or len(value) > max_len:
        raise HTTPException(400, f"{name}: not a usable value")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise HTTPException(400, f"{name}: not valid text") from None
    return value


def choice_param(value: str | None, name: str, choices: tuple[str, ...]) -> str | None:
    value = text_param(value, name)
    if value is not None and value not in choices:
        raise HTTPException(400, f"{name} must be one of: {', '.join(choices)}")
    return value


def flag_param(value: str | None, name: str) -> bool | None:
    """"true"/"false" (as a form sends them) → True/False; empty or absent → None."""
    value = choice_param((value or "").strip().lower() or None, name, ("true", "false"))
    return None if value is None else value == "true"


def chart_background_param(value: str | None, name: str = "background") -> bool | None:
    """Background events on a chart page: left out unless asked for. "false" or empty/absent →
    False (leave them out), "true" → True (only them), "all" → None (keep all)."""
    if (value or "").strip().lower() == "all":
        return None
    flag = flag_param(value, name) if (value or "").strip().lower() in ("", "true", "false") else None
    if flag is None and (value or "").strip():
        raise HTTPException(400, f"{name} must be one of: false, true, all")
    return False if flag is None else flag


ChartBackground = Annotated[str | None, Query(description="background events (earlier facts an article recalls):"
                                                          " false (default): left out; true: only them; all: kept")]
FullRange = Annotated[bool, Query(description="time axis over every period, not only those holding 98% of the events")]


def day_param(value: str | None, name: str) -> date | None:
    value = text_param(value, name, 40)
    if value is None:
        return None
    try:
        return as_date(value, name)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None


def fraction_param(value: str | None, name: str) -> float | None:
    """A number from 0 to 1 (a confidence threshold); empty or absent → None; anything else → 400."""
    value = text_param(value, name, 40)
    if value is None:
        return None
    try:
        return as_fraction(value, name)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None


def fraction_text(value: float | None) -> str | None:
    """A threshold as a query parameter value ("0.5"; None stays None, 0 stays "0")."""
    return None if value is None else f"{value:g}"


MinConfidence = Annotated[str | None, Query(description="only events whose confidence (0-1: the verifier's"
                                                        " probability that a careful coder would code them) is at"
                                                        " least this; events stored without one are then left out")]
Limit = Annotated[int, Query(ge=1, le=1000, description="rows per page")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="rows to skip")]
Opt = Annotated[str | None, Query()]


def event_filter(
    actor: Opt = None, source: Opt = None, target: Opt = None, country: Opt = None, sector: Opt = None,
    type: Annotated[str | None, Query(description="PLOVER event type")] = None,
    mode: Opt = None,
    factuality: Annotated[str | None, Query(description=", ".join(FACTUALITY_VALUES))] = None,
    quad_class: Annotated[str | None, Query(description=", ".join(QUAD_CLASSES))] = None,
    since: Annotated[str | None, Query(description="YYYY-MM-DD")] = None,
    until: Annotated[str | None, Query(description="YYYY-MM-DD")] = None,
    article: Opt = None,
    text: Annotated[str | None, Query(description="text the sentence contains")] = None,
    order: Annotated[str, Query(description=", ".join(EVENT_ORDERS))] = "-date",
    merged: Annotated[bool, Query(description="one row per merged event: the reports of one event across"
                                              " articles counted once, with num_mentions/num_articles/num_sources")] = False,
    background: Annotated[str | None, Query(description="true: only background events (earlier facts an"
                                                        " article recalls); false: none of them; empty: all")] = None,
    min_confidence: MinConfidence = None,
    group: Annotated[str | None, Query(description="only the reports of this merged event (its group_id)")] = None,
    limit: Limit = 50, offset: Offset = 0,
    place: Annotated[str | None, Query(description="where the event happened: a place name (Kyiv) or a GeoNames id")] = None,
    place_country: Annotated[str | None, Query(description="ISO3 code of the country the event happened in"
                                                           " (`country` is an actor's)")] = None,
) -> EventFilter:
    return EventFilter(
        actor=text_param(actor, "actor"), source=text_param(source, "source"), target=text_param(target, "target"),
        country=text_param(country, "country", 40), sector=text_param(sector, "sector", 40),
        type=text_param(type, "type", 40), mode=text_param(mode, "mode", 80),
        factuality=choice_param(factuality, "factuality", FACTUALITY_VALUES),
        quad_class=choice_param(quad_class, "quad_class", QUAD_CLASSES),
        since=day_param(since, "since"), until=day_param(until, "until"), article=text_param(article, "article"),
        search=text_param(text, "text"), order=choice_param(order, "order", EVENT_ORDERS) or "-date",
        merged=merged, background=flag_param(background, "background"),
        min_confidence=fraction_param(min_confidence, "min_confidence"), limit=limit, offset=offset,
        place=text_param(place, "place", 200), place_country=text_param(place_country, "place_country", 40),
        group=text_param(group, "group"))


def dyad_params(a: Annotated[str | None, Query(description="dyad: one actor")] = None,
                b: Annotated[str | None, Query(description="dyad: the other actor")] = None,
                directed: bool = False) -> tuple[str, str, bool] | None:
    a, b = text_param(a, "a"), text_param(b, "b")
    if a and b:
        return a, b, directed
    return None


def quote_filter(actor: Opt = None, country: Opt = None, sector: Opt = None, direct: bool | None = None,
                 since: Opt = None, until: Opt = None, article: Opt = None,
                 text: Annotated[str | None, Query(description="text the quote contains")] = None,
                 order: Annotated[str, Query(description="article, speaker, -date")] = "-date",
                 limit: Limit = 50, offset: Offset = 0) -> QuoteFilter:
    return QuoteFilter(actor=text_param(actor, "actor"), country=text_param(country, "country", 40),
                       sector=text_param(sector, "sector", 40), direct=direct, since=day_param(since, "since"),
                       until=day_param(until, "until"), article=text_param(article, "article"), search=text_param(text, "text"),
                       order=choice_param(order, "order", ("article", "speaker", "-date")) or "-date",
                       limit=limit, offset=offset)


def actor_filter(actor: Opt = None, country: Opt = None, sector: Opt = None, article: Opt = None,
                 text: Annotated[str | None, Query(description="part of the name")] = None,
                 order: Annotated[str, Query(description="mentions, name, country, events")] = "mentions",
                 limit: Limit = 50, offset: Offset = 0) -> ActorFilter:
    return ActorFilter(actor=text_param(actor, "actor"), country=text_param(country, "country", 40),
                       sector=text_param(sector, "sector", 40), article=text_param(article, "article"),
                       search=text_param(text, "text"),
                       order=choice_param(order, "order", ("mentions", "name", "country", "events")) or "mentions",
                       limit=limit, offset=offset)


Format = Annotated[Literal["json", "csv"], Query(description="json (default) or csv (the whole filtered table)")]
By = Annotated[Literal["day", "week", "month"], Query(description="period")]


def url_with(path: str, params: dict[str, Any] | None = None, **changes: Any) -> str:
    """`path` with the query `params` updated by `changes` (None and "" dropped)."""
    merged = {**(params or {}), **changes}
    query = urlencode([(k, v) for k, v in merged.items() if v not in (None, "", False)], doseq=True)
    return f"{path}?{query}" if query else path
