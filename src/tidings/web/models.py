"""The JSON API's response shapes (pydantic), so the OpenAPI document names every field.

Row models allow extra fields: a column added to a listing shows up in the API at once (and
should then be added here, where it gets its type and description).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorDetail(BaseModel):
    code: str = Field(description="what went wrong, for programs: invalid_parameter, not_found, unauthorized,"
                                  " forbidden, method_not_allowed, payload_too_large, unavailable, bad_request")
    message: str = Field(description="what went wrong and how to fix it, for people")
    param: str | None = Field(None, description="the query parameter (or body field) at fault, if one is")


class ErrorResponse(BaseModel):
    """Every 4xx and 5xx of the API has this shape (request-validation errors included: 400)."""

    error: ErrorDetail


class EventRow(_Open):
    date: str | None = Field(None, description="the event's day (the article's publication day when the event has none)")
    type: str = Field(description="PLOVER event type")
    mode: str | None = None
    quad_class: str | None = None
    source: str | None = Field(None, description='source actors as "CAN MIL"-style labels, "; "-joined')
    source_names: str | None = None
    target: str | None = None
    target_names: str | None = None
    factuality: str | None = None
    background: bool | None = None
    attribution_kind: str | None = None
    attribution_speaker: str | None = None
    attribution_confirmed: bool | None = None
    attribution_disputed: bool | None = None
    trigger: str | None = None
    sentence: str | None = None
    event_date: str | None = None
    location_country: str | None = None
    location_name: str | None = None
    rule: str | None = None
    confidence: float | None = None
    article_id: str
    event: int = Field(description="the event's ordinal in its article (/articles/{article_id}#ev-{event})")
    article_title: str | None = None
    published: str | None = None
    url: str | None = None
    group_id: str | None = Field(None, description="merged listings: the merged event's id")
    num_mentions: int | None = Field(None, description="merged listings: reports of the event")
    num_articles: int | None = None
    num_sources: int | None = None
    first_day: str | None = None
    last_day: str | None = None


class QuoteRow(_Open):
    speaker: str | None = None
    speaker_country: str | None = None
    speaker_sector: str | None = None
    speaker_actor: str | None = None
    direct: bool | None = None
    text: str
    cue: str | None = None
    article_id: str
    quote: int
    article_title: str | None = None
    published: str | None = None


class ActorRow(_Open):
    name: str
    country: str | None = None
    sector: str | None = None
    actor: str = Field(description="the actor's label (country and sector code, or the name)")
    mentions: int
    articles: int
    as_source: int
    as_target: int


class ArticleRow(_Open):
    id: str
    title: str | None = None
    published: str | None = None
    credited_publisher: str | None = None
    site_name: str | None = None
    url: str | None = None
    status: str
    error: str | None = None
    n_mentions: int
    n_events: int
    n_quotes: int


class ErrorRowModel(BaseModel):
    article_id: str
    origin: str | None = Field(None, description="where the input came from: a URL, or a file's name")
    status: str
    error: str | None = None


class QuadCounts(_Open):
    verbal_cooperation: int = 0
    material_cooperation: int = 0
    verbal_conflict: int = 0
    material_conflict: int = 0


class DyadRow(QuadCounts):
    source: str
    target: str
    events: int
    reciprocal: int = Field(0, description="of these, reciprocal events (all parties sources, no target: 'A and B"
                                           " signed an agreement'), which count in both directions")


class PeriodRow(QuadCounts):
    period: str = Field(description="first day of the period (YYYY-MM-DD)")
    total: int


class CounterpartRow(QuadCounts):
    actor: str
    to: int = Field(description="events where the actor acts on this counterpart")
    from_: int = Field(alias="from", description="events where this counterpart acts on the actor")
    reciprocal: int = Field(0, description="reciprocal events of both (all parties sources, no target: 'A and B"
                                           " signed an agreement')")
    events: int = Field(description="to + from + reciprocal")


class _Page(BaseModel):
    total: int = Field(description="rows matching the filters, over all pages")
    next: str | None = Field(description="URL of the next page (null on the last one)")
    offset: int
    limit: int


class EventPage(_Page):
    items: list[EventRow]


class QuotePage(_Page):
    items: list[QuoteRow]


class ActorPage(_Page):
    items: list[ActorRow]


class ArticlePage(_Page):
    items: list[ArticleRow]


class ErrorPage(_Page):
    items: list[ErrorRowModel]


class DyadPage(_Page):
    items: list[DyadRow]


class Timeline(BaseModel):
    items: list[PeriodRow] = Field(description="every period from the first to the last with events (all of them)")
    total: int = Field(description="number of periods")
    next: None = Field(None, description="always null: a timeline is never paged")


class Stats(_Open):
    schema_version: int
    articles: dict[str, int] = Field(description="total, and per status")
    events: int
    events_by_type: dict[str, int]
    events_by_quad_class: dict[str, int]
    quotes: int
    mentions: int
    actors: int
    errors: int = Field(description="articles not extracted (see /api/errors)")


class Axis(_Open):
    """The periods a chart shows: those holding 98% of its events unless `full` (see
    tidings.analysis.clip_to_bulk)."""
    first: str | None = None
    last: str | None = None
    clipped: bool | None = None
    full: bool | None = None


class Overview(BaseModel):
    stats: Stats
    axis: Axis | None = None
    top_dyads: list[DyadRow]
    timeline: list[PeriodRow]
    timeline_range: list[str | None]
    recent_articles: list[ArticleRow]
    errors: list[ErrorRowModel]
    n_errors: int


class ActorView(BaseModel):
    actor: str
    axis: Axis | None = None
    timeline: list[PeriodRow]
    counterparts: list[CounterpartRow]
    quotes: list[QuoteRow]
    events: list[EventRow]
    names: list[ActorRow]


class DyadSeries(BaseModel):
    a: str
    b: str
    by: str
    merged: bool
    directed: bool
    background: bool | None
    min_confidence: float | None
    series: list[dict[str, Any]] = Field(description="per period: period, total, per quad class, per PLOVER type")
    axis: Axis | None = None
    full: bool | None = None


class CountryCount(BaseModel):
    country: str = Field(description="ISO3 code of the country the events happened in")
    name: str
    events: int


class PlaceCount(BaseModel):
    geonameid: int
    place: str
    country: str
    kind: str = Field(description="city or state")
    lat: float
    lon: float
    events: int


class Places(BaseModel):
    """Where events happened (a map's data; coordinates from GeoNames)."""
    countries: list[CountryCount]
    places: list[PlaceCount]
    placed: int = Field(description="events with a place")
    unplaced: int = Field(description="events without one")


class ReportRow(_Open):
    article_id: str
    event: int
    type: str
    sentence: str | None = None
    publisher: str | None = None
    copy_of: str | None = Field(None, description="the article this one is a near-duplicate copy of")


class Reports(_Open):
    """Every report of one merged event."""
    group: str
    reports: list[ReportRow]


class NetworkNode(BaseModel):
    id: str
    out: int
    in_: int = Field(alias="in")


class Network(BaseModel):
    nodes: list[NetworkNode]
    edges: list[DyadRow]


class ArticleResultModel(_Open):
    """One stored article as extracted: the JSON contract of `tidings extract`."""

    id: str
    text: str
    url: str | None = None
    title: str | None = None
    published: str | None = None
    language: str | None = None
    credited_publisher: str | None = None
    origin: str | None = Field(None, description="where the input came from: a URL, or a file's name")
    status: str
    error: str | None = None
    mentions: list[dict[str, Any]]
    events: list[dict[str, Any]]
    quotes: list[dict[str, Any]]


class IngestResult(BaseModel):
    id: str
    status: str
    error: str | None
    inserted: int
    already_present: int
    events: int
    quotes: int
    mentions: int
    url: str


class Suggestion(BaseModel):
    value: str = Field(description="what to put in an actor filter: the code (RUS:GOV) or the name")
    label: str
    name: str
    country: str | None = None
    sector: str | None = None
    mentions: int


class Suggestions(BaseModel):
    items: list[Suggestion]


class Endpoint(BaseModel):
    method: str
    path: str
    summary: str | None = None


class ApiIndex(BaseModel):
    name: str
    version: str
    docs: str = Field(description="the interactive documentation (Swagger UI)")
    openapi: str
    endpoints: list[Endpoint]
