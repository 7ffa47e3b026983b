"""Query parameters of the pages and the API: read from the one filter vocabulary
(tidings.vocabulary.FIELDS), validated here, turned into store filters.

Empty values (what an HTML form sends for a blank field) mean "not set"; a value that cannot
be used (NUL characters, a bad date, an unknown choice, half a dyad, since after until) is a
400 naming the parameter and saying why (for an enumerated one: the allowed values, and the
nearest ones).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import Query

from tidings.store import ActorFilter, EventFilter, QuoteFilter
from tidings.store.filters import as_date, as_fraction
from tidings.vocabulary import (
    BY_NAME, Field, FilterValueError, check, check_dyad, check_range, fields_for, listing,
)

EVENT_ORDERS = ("-date", "date", "type", "article")
API_MAX_LIMIT = 1000
DEFAULT_LIMIT = 50


def text_param(value: str | None, name: str, max_len: int = 500) -> str | None:
    """A query parameter as text: empty → None; NUL or overlong → 400."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if "\x00" in value:
        raise FilterValueError(name, f"{name}: contains a NUL character")
    if len(value) > max_len:
        raise FilterValueError(name, f"{name}: longer than {max_len} characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise FilterValueError(name, f"{name}: not valid text") from None
    return value


_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")


def flag_param(value: str | bool | None, name: str) -> bool | None:
    """"true"/"false" (also 1/0, yes/no, on/off: what forms send) → True/False; empty or absent → None."""
    if value is None or isinstance(value, bool):
        return value
    value = (value or "").strip().lower()
    if not value:
        return None
    if value in _TRUE or value in _FALSE:
        return value in _TRUE
    raise FilterValueError(name, f"{name}: {value[:40]!r} is not true or false")


def chart_background_param(value: str | None, name: str = "background") -> bool | None:
    """Background events on a chart page: left out unless asked for. "false" or empty/absent →
    False (leave them out), "true" → True (only them), "all" → None (keep all)."""
    if (value or "").strip().lower() == "all":
        return None
    flag = flag_param(value, name) if (value or "").strip().lower() in ("", "true", "false") else None
    if flag is None and (value or "").strip():
        raise FilterValueError(name, f"{name}: {value.strip()[:40]!r} is not one of false, true, all")
    return False if flag is None else flag


ChartBackground = Annotated[str | None, Query(description="background events (earlier facts an article recalls):"
                                                          " false (default): left out; true: only them; all: kept",
                                              max_length=2000, json_schema_extra={"enum": ["false", "true", "all"]})]
FullRange = Annotated[bool, Query(description="time axis over every period, not only those holding 98% of the events")]


def day_param(value: str | None, name: str) -> date | None:
    value = text_param(value, name, 40)
    if value is None:
        return None
    try:
        return as_date(value, name)
    except ValueError as exc:
        raise FilterValueError(name, str(exc)) from None


def fraction_param(value: str | None, name: str) -> float | None:
    """A number from 0 to 1 (a confidence threshold); empty or absent → None; anything else → 400."""
    value = text_param(value, name, 40)
    if value is None:
        return None
    try:
        return as_fraction(value, name)
    except ValueError as exc:
        raise FilterValueError(name, str(exc)) from None


def fraction_text(value: float | None) -> str | None:
    """A threshold as a query parameter value ("0.5"; None stays None, 0 stays "0")."""
    return None if value is None else f"{value:g}"


@lru_cache(maxsize=1)
def _codes():
    from tidings.store.codes import load_codes

    return load_codes()


def actor_param(value: str | None, name: str) -> str | None:
    """An actor filter: checked now, so that an unknown code is a 400 naming the parameter
    (with the nearest codes) rather than an empty answer."""
    from tidings.store.codes import UnknownCodeError, parse_actor

    value = text_param(value, name)
    if value is not None:
        try:
            parse_actor(value, _codes())
        except UnknownCodeError as exc:
            raise FilterValueError(name, f"{name}: {exc}") from None
    return value


def read_field(field: Field, value: Any, table: str) -> Any:
    """One filter's raw query value as the value its store filter takes (None when unset)."""
    name = field.name
    if field.kind == "actor":
        return actor_param(value, name)
    if field.kind == "choice":
        value = text_param(value, name, field.max_len)
        return None if value is None else check(name, value, table)
    if field.kind == "date":
        return day_param(value, name)
    if field.kind == "flag":
        return flag_param(value, name)
    if field.kind == "fraction":
        return fraction_param(value, name)
    if field.kind == "int":
        return value
    return text_param(value, name, field.max_len)


# -- FastAPI dependencies built from the vocabulary ----------------------------------------------------

def _annotation(field: Field, table: str, *, api_limits: bool = True):
    description = field.help_for(table)
    choices = field.choices_for(table)
    extra: dict[str, Any] = {}
    if choices:
        extra["json_schema_extra"] = {"enum": list(choices)}
        if len(choices) > 60:
            description += f" ({len(choices)} values: {listing(choices)})"
    if field.kind == "int":
        if field.name == "limit":
            return Annotated[int, Query(ge=1, le=API_MAX_LIMIT, description=description)]
        return Annotated[int, Query(ge=0, le=10_000_000, description=description)]
    if field.kind == "flag":
        extra["json_schema_extra"] = {"enum": ["true", "false"]}
    return Annotated[str | None, Query(description=description, max_length=2000, **extra)]


def _default(field: Field, table: str) -> Any:
    if field.kind == "int":
        return DEFAULT_LIMIT if field.name == "limit" else 0
    return None


def _dependency(table: str, names: tuple[str, ...], build, doc: str):
    """A FastAPI dependency whose query parameters are the vocabulary's `names` for `table`
    (plus the deprecated aliases), calling `build(values)` with the checked values."""
    fields = [BY_NAME[n] for n in names]
    parameters = []
    for field in fields:
        parameters.append(inspect.Parameter(field.name, inspect.Parameter.KEYWORD_ONLY,
                                            default=_default(field, table), annotation=_annotation(field, table)))
        for alias in field.aliases:
            parameters.append(inspect.Parameter(
                alias, inspect.Parameter.KEYWORD_ONLY, default=None,
                annotation=Annotated[str | None, Query(description=f"Deprecated: use {field.name}.",
                                                       deprecated=True, max_length=2000)]))

    def dependency(**raw: Any):
        values: dict[str, Any] = {}
        for field in fields:
            value = raw.get(field.name)
            for alias in field.aliases:
                if value in (None, "") and raw.get(alias) not in (None, ""):
                    value = raw[alias]
            values[field.name] = read_field(field, value, table)
        check_range(values.get("since"), values.get("until"))
        return build(values)

    dependency.__signature__ = inspect.Signature(parameters)
    dependency.__doc__ = doc
    dependency.__name__ = f"{table}_filter"
    return dependency


def _record(cls, table: str, values: dict[str, Any], skip: tuple[str, ...] = ()) -> Any:
    """The store filter record of `values` (vocabulary names → record fields, defaults filled)."""
    kwargs = {}
    for name, value in values.items():
        if name in skip:
            continue
        field = BY_NAME[name]
        if value is None:
            value = field.default_for(table)
        if value is not None:
            kwargs[field.field] = value
    return cls(**kwargs)


_EVENT_NAMES = tuple(f.name for f in fields_for("events") if f.name not in ("a", "b", "directed"))


@dataclass(frozen=True)
class EventQuery:
    """An event listing's filter and its dyad (a, b, directed) when one is given."""

    filter: EventFilter
    dyad: tuple[str, str, bool] | None = None


def _event_query(values: dict[str, Any]) -> EventQuery:
    check_dyad(values.get("a"), values.get("b"), values.get("directed"))
    f = _record(EventFilter, "events", values, skip=("a", "b", "directed"))
    dyad = (values["a"], values["b"], bool(values.get("directed"))) if values.get("a") else None
    return EventQuery(f, dyad)


event_query = _dependency("events", tuple(f.name for f in fields_for("events")), _event_query,
                          "Events: the filters, and a dyad (a and b, optionally directed).")
event_filter = _dependency("events", _EVENT_NAMES, lambda v: _record(EventFilter, "events", v),
                           "Events: the filters (no dyad).")
quote_filter = _dependency("quotes", tuple(f.name for f in fields_for("quotes")),
                           lambda v: _record(QuoteFilter, "quotes", v), "Quotes: the filters.")
actor_filter = _dependency("actors", tuple(f.name for f in fields_for("actors")),
                           lambda v: _record(ActorFilter, "actors", v), "Actors: the filters.")


@dataclass(frozen=True)
class ArticleQuery:
    status: str | None
    search: str | None
    limit: int
    offset: int


article_query = _dependency(
    "articles", tuple(f.name for f in fields_for("articles")),
    lambda v: ArticleQuery(v.get("status"), v.get("text"), v.get("limit") or DEFAULT_LIMIT, v.get("offset") or 0),
    "Articles: the filters.")


def day_range(since: str | None, until: str | None) -> tuple[date | None, date | None]:
    """since and until as dates, refusing an inverted range."""
    since_d, until_d = day_param(since, "since"), day_param(until, "until")
    check_range(since_d, until_d)
    return since_d, until_d


MinConfidence = Annotated[str | None, Query(description=BY_NAME["min_confidence"].help_for("events"),
                                            max_length=2000)]
Limit = Annotated[int, Query(ge=1, le=API_MAX_LIMIT, description="rows per page")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="rows to skip")]
Opt = Annotated[str | None, Query(max_length=2000)]
Flag = Annotated[str | None, Query(description="true or false", max_length=2000,
                                   json_schema_extra={"enum": ["true", "false"]})]
Format = Annotated[Literal["json", "csv", "jsonl"],
                   Query(description="json (default: a page) or csv / jsonl (every matching row from offset,"
                                     " streamed; at most `limit` rows when limit is given)")]
By = Annotated[Literal["day", "week", "month"], Query(description="period")]


def url_with(path: str, params: dict[str, Any] | None = None, **changes: Any) -> str:
    """`path` with the query `params` updated by `changes` (None and "" dropped)."""
    merged = {**(params or {}), **changes}
    query = urlencode([(k, v) for k, v in merged.items() if v not in (None, "", False)], doseq=True)
    return f"{path}?{query}" if query else path
