"""The FastAPI application: server-rendered pages, the JSON API under /api/, CSV downloads.

Read-only unless started with a token: then POST /api/ingest runs the pipeline on one
article and saves it, for callers that send `Authorization: Bearer <token>`. That endpoint
checks the token before it reads the body, refuses a body over `max_body_bytes` (413, from the
Content-Length header or while streaming a chunked one) before parsing it, and no validation
error (422) anywhere echoes the input back.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import itertools
import logging
import threading
from collections.abc import Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from importlib import resources
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from tidings.analysis import PERIODS, network
from tidings.records import FACTUALITY_VALUES
from tidings.store import ActorFilter, EventFilter, QuoteFilter, StoreError, StoreLockedError
from tidings.web import views
from tidings.web.params import (
    By, ChartBackground, Format, FullRange, Limit, MinConfidence, Offset, Opt, QUAD_CLASSES, chart_background_param,
    day_param, fraction_param, text_param,
    url_with, actor_filter, dyad_params, event_filter, quote_filter,
)
from tidings.web.pool import StorePool

log = logging.getLogger(__name__)

CSV_PAGE = 5000
CSV_MAX = 200_000
MAX_BODY_BYTES = 10 * 1024 * 1024  # default limit of a POST /api/ingest body
ERROR_TEXT_MAX = 200  # characters of any text in a validation error's details
# A refusal sent before the body was read closes the connection: else the server would go on
# receiving (and discarding) a body it already refused.
_HANG_UP = {"Connection": "close"}
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
                                " object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class IngestRequest(BaseModel):
    """One article to extract and store: `text` or `html`, plus optional metadata."""

    text: str | None = Field(None, max_length=2_000_000)
    html: str | None = Field(None, max_length=5_000_000)
    url: str | None = Field(None, max_length=2000)
    title: str | None = Field(None, max_length=2000)
    published: str | None = Field(None, max_length=40, description="YYYY-MM-DD")


# -- application ----------------------------------------------------------------------------------

class _State:
    """What one app holds: its store pool, templates, token, and the pipeline (loaded on first ingest)."""

    def __init__(self, db: str, token: str | None, pool_size: int, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        if max_body_bytes < 1:
            raise ValueError(f"max_body_bytes must be at least 1, got {max_body_bytes}")
        self.db = db
        self.token = token
        self.max_body_bytes = max_body_bytes
        self.pool = StorePool(db, read_only=token is None, size=pool_size)
        self.templates = _templates()
        self._pipeline = None
        self._pipeline_lock = threading.Lock()
        self._choices: tuple[Any, dict[str, list[str]]] | None = None

    def choices(self, store) -> dict[str, list[str]]:
        """The distinct stored values the filter forms offer (tidings.analysis.filter_choices),
        computed again only when the articles changed (their count or last processing time)."""
        from tidings.analysis import filter_choices

        key = tuple(store.backend.query("SELECT count(*), max(processed_at) FROM articles")[1][0])
        cached = self._choices
        if cached is not None and cached[0] == key:
            return cached[1]
        choices = filter_choices(store)
        self._choices = (key, choices)
        return choices

    def pipeline(self):
        from tidings.pipeline import Pipeline

        if self._pipeline is None:
            self._pipeline = Pipeline()
        return self._pipeline


def _templates() -> Environment:
    env = Environment(loader=PackageLoader("tidings.web", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    env.globals["url"] = url_with
    env.globals["QUAD_CLASSES"] = QUAD_CLASSES
    env.globals["FACTUALITY_VALUES"] = FACTUALITY_VALUES
    env.globals["PERIODS"] = PERIODS
    env.globals["country_name"] = _country_name
    env.globals["date_presets"] = views.date_presets
    return env


def _country_name(code: str) -> str | None:
    """A country's name for an ISO3 code ("international organisation" for IGO), else None."""
    from tidings.geo import load_geo

    return "international organisation" if code == "IGO" else load_geo().country_name(code)


def create_app(db: str, token: str | None = None, pool_size: int = 4,
               max_body_bytes: int = MAX_BODY_BYTES) -> FastAPI:
    """The tidings web app over the database `db` (DuckDB path or postgresql:// URL).

    Read-only unless `token` is given; then POST /api/ingest is on and needs
    `Authorization: Bearer <token>`, and its body may be at most `max_body_bytes` bytes.
    The database is opened on the first request.
    """
    state = _State(db, token or None, pool_size, max_body_bytes)

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        yield
        state.pool.close()

    app = FastAPI(title="tidings", summary="PLOVER political events extracted from news, with their evidence",
                  version=_version(), docs_url=None, redoc_url=None, openapi_url="/api/openapi.json",
                  lifespan=lifespan)
    app.state.tidings = state
    static = resources.files("tidings.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    _add_handlers(app, state)
    _add_api(app, state)
    _add_table_api(app, state)
    _add_analysis_api(app, state)
    _add_pages(app, state)
    return app


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("tidings")
    except Exception:  # not installed (running from a source tree)
        return "0"


def _add_handlers(app: FastAPI, state: _State) -> None:
    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError):
        status = 503 if isinstance(exc, StoreLockedError) or "busy" in str(exc) else 400
        return _error(request, state, status, str(exc))

    @app.exception_handler(ValueError)
    async def value_error(request: Request, exc: ValueError):
        return _error(request, state, 400, str(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        return _error(request, state, exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        return JSONResponse({"detail": _safe_errors(exc.errors())}, status_code=422)


def _safe_errors(errors) -> list[dict[str, Any]]:
    """Validation errors as FastAPI lists them, minus the `input` (which may be megabytes of
    the caller's text, or someone else's) and `url`, with every text clipped."""
    return [_clip({k: v for k, v in error.items() if k not in ("input", "url")}) for error in errors]


def _clip(value: Any) -> Any:
    value = jsonable_encoder(value)
    if isinstance(value, str):
        return value if len(value) <= ERROR_TEXT_MAX else value[:ERROR_TEXT_MAX] + "…"
    if isinstance(value, dict):
        return {k: _clip(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clip(v) for v in value]
    return value


def _error(request: Request, state: _State, status: int, message: str, headers=None) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    html = state.templates.get_template("error.html").render(status=status, message=message, request=request)
    return HTMLResponse(html, status_code=status, headers=headers)


# -- JSON API ---------------------------------------------------------------------------------------

def _csv_cell(value: Any) -> Any:
    """A cell a spreadsheet will not run as a formula (text from articles is untrusted)."""
    from tidings.output import csv_safe

    if isinstance(value, (list, dict)):
        return str(value)
    return csv_safe(value)


def _csv_response(pages: Iterator[list[dict[str, Any]]], name: str) -> StreamingResponse:
    """Stream the rows of `pages` as CSV. The first page is read before the response starts,
    so a bad filter or an unreadable database is still a clean error status."""
    first = next(pages, [])

    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = None
        for rows in itertools.chain([first], pages):
            for row in rows:
                if writer is None:
                    writer = csv.DictWriter(buffer, fieldnames=list(row), extrasaction="ignore")
                    writer.writeheader()
                writer.writerow({k: _csv_cell(v) for k, v in row.items()})
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    return StreamingResponse(generate(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


def _all_pages(state: _State, fetch, f) -> Iterator[list[dict[str, Any]]]:
    """Every row matching `f` from its offset (at most CSV_MAX), page by page."""
    offset, sent = f.offset, 0
    while sent < CSV_MAX:
        with state.pool.store() as store:
            rows = fetch(store, replace(f, limit=CSV_PAGE, offset=offset))
        yield rows
        sent += len(rows)
        offset += len(rows)
        if len(rows) < CSV_PAGE:
            return


def _add_api(app: FastAPI, state: _State) -> None:
    """Overview figures: counts, errors."""
    pool = state.pool

    @app.get("/api/stats", tags=["overview"])
    def api_stats() -> dict[str, Any]:
        """Counts: articles by status, events by type and quad class, quotes, mentions, actors, errors."""
        with pool.store() as store:
            return store.stats()

    @app.get("/api/overview", tags=["overview"])
    def api_overview(by: By = "month", full: FullRange = False) -> dict[str, Any]:
        """Counts, the most active dyads, events per period by quad class (background events left
        out; `axis`: the periods shown, those holding 98% of the events unless `full`), recent
        articles, ingest errors."""
        with pool.store() as store:
            return views.overview(store, by, full)

    @app.get("/api/errors", tags=["overview"])
    def api_errors() -> list[dict[str, Any]]:
        """Articles that were not extracted (status error or skipped) and why."""
        with pool.store() as store:
            return [row._asdict() for row in store.errors()]


def _add_table_api(app: FastAPI, state: _State) -> None:
    """Tables (events, quotes, actors, articles): a page as JSON, or all rows as CSV."""
    pool = state.pool

    def events_api(f: EventFilter, dyad, format: str):
        if format == "csv":
            def fetch(store, g):
                return views.events(store, g, dyad[:2] if dyad else None, dyad[2] if dyad else False).rows
            return _csv_response(_all_pages(state, fetch, f), "events")
        with pool.store() as store:
            return views.events(store, f, dyad[:2] if dyad else None, dyad[2] if dyad else False).to_dict()

    @app.get("/api/events", tags=["events"])
    def api_events(f: Annotated[EventFilter, Depends(event_filter)],
                   dyad: Annotated[tuple | None, Depends(dyad_params)], format: Format = "json"):
        """Events matching the filters (a page of them; with format=csv, all of them from `offset`).
        With `a` and `b`: only events between those two actors."""
        return events_api(f, dyad, format)

    @app.get("/api/events.csv", tags=["events"])
    def api_events_csv(f: Annotated[EventFilter, Depends(event_filter)],
                       dyad: Annotated[tuple | None, Depends(dyad_params)]):
        """All events matching the filters, as CSV."""
        return events_api(f, dyad, "csv")

    def quotes_api(f: QuoteFilter, format: str):
        if format == "csv":
            return _csv_response(_all_pages(state, lambda s, g: s.quotes(g), f), "quotes")
        with pool.store() as store:
            return views.quotes(store, f).to_dict()

    @app.get("/api/quotes", tags=["quotes"])
    def api_quotes(f: Annotated[QuoteFilter, Depends(quote_filter)], format: Format = "json"):
        """Quotes matching the filters, with their speakers."""
        return quotes_api(f, format)

    @app.get("/api/quotes.csv", tags=["quotes"])
    def api_quotes_csv(f: Annotated[QuoteFilter, Depends(quote_filter)]):
        """All quotes matching the filters, as CSV."""
        return quotes_api(f, "csv")

    def actors_api(f: ActorFilter, format: str):
        if format == "csv":
            return _csv_response(_all_pages(state, lambda s, g: s.actors(g), f), "actors")
        with pool.store() as store:
            return views.actors(store, f).to_dict()

    @app.get("/api/actors", tags=["actors"])
    def api_actors(f: Annotated[ActorFilter, Depends(actor_filter)], format: Format = "json"):
        """Distinct resolved actors with counts of mentions, articles, and events as source/target."""
        return actors_api(f, format)

    @app.get("/api/actors.csv", tags=["actors"])
    def api_actors_csv(f: Annotated[ActorFilter, Depends(actor_filter)]):
        """All actors matching the filters, as CSV."""
        return actors_api(f, "csv")

    def articles_api(limit: int, offset: int, status: str | None, text: str | None, format: str):
        status, text = text_param(status, "status", 20), text_param(text, "text")
        if format == "csv":
            pages = _all_pages(state, lambda s, g: views.articles(s, g.limit, g.offset, status, text).rows,
                               EventFilter(limit=limit, offset=offset))
            return _csv_response(pages, "articles")
        with pool.store() as store:
            return views.articles(store, limit, offset, status, text).to_dict()

    @app.get("/api/articles", tags=["articles"])
    def api_articles(limit: Limit = 50, offset: Offset = 0, status: Opt = None,
                     text: Annotated[str | None, Query(description="part of the title")] = None,
                     format: Format = "json"):
        """Articles, newest first (id, title, publisher, status, counts)."""
        return articles_api(limit, offset, status, text, format)

    @app.get("/api/articles/{article_id}", tags=["articles"])
    def api_article(article_id: str) -> dict[str, Any]:
        """One stored article as extracted (the JSON contract: text, mentions, events, quotes)."""
        article_id = text_param(article_id, "article_id") or ""
        with pool.store() as store:
            result = store.article(article_id) if article_id else None
        if result is None:
            raise HTTPException(404, f"no article {article_id!r}")
        return result.to_dict()


def _add_analysis_api(app: FastAPI, state: _State) -> None:
    """One actor, dyads, timelines, the network, and the write endpoint."""
    pool = state.pool

    @app.get("/api/actor", tags=["actors"])
    def api_actor(a: Annotated[str, Query(description="actor code (RUS, RUS:GOV, IGO NATO) or name")],
                  by: By = "month", since: Opt = None, until: Opt = None, background: ChartBackground = None,
                  full: FullRange = False) -> dict[str, Any]:
        """One actor: events per period by quad class, counterparts, quotes, recent events
        (background events left out unless asked for; `axis`: the periods shown)."""
        code = text_param(a, "a")
        if code is None:
            raise HTTPException(400, "a: an actor is required")
        with pool.store() as store:
            return views.actor(store, code, by, day_param(since, "since"), day_param(until, "until"),
                               chart_background_param(background), full)

    @app.get("/api/dyads", tags=["dyads"])
    def api_dyads(f: Annotated[EventFilter, Depends(event_filter)], coded: bool = False) -> list[dict[str, Any]]:
        """The most active source → target pairs among the filtered events (`limit` pairs;
        `coded`: only actors resolved to a country code or IGO)."""
        from tidings.analysis import top_dyads

        with pool.store() as store:
            return top_dyads(store, replace(f, limit=None, offset=0), limit=f.limit or 10, coded=coded)

    @app.get("/api/dyad", tags=["dyads"])
    def api_dyad(a: Annotated[str, Query(description="one actor")], b: Annotated[str, Query(description="the other")],
                 by: By = "week", since: Opt = None, until: Opt = None, merged: bool = False,
                 directed: bool = False, format: Format = "json", background: ChartBackground = None,
                 min_confidence: MinConfidence = None, full: FullRange = False):
        """Events between two actors per period: totals, per quad class, per PLOVER type
        (background events left out unless asked for; `axis`: the periods shown, those holding
        98% of the events unless a range or `full` is asked for)."""
        a_code, b_code = text_param(a, "a"), text_param(b, "b")
        if not a_code or not b_code:
            raise HTTPException(400, "a and b: two actors are required")
        with pool.store() as store:
            data = views.dyad(store, a_code, b_code, by, day_param(since, "since"), day_param(until, "until"), merged,
                              directed, chart_background_param(background),
                              fraction_param(min_confidence, "min_confidence"), full)
        if format == "csv":
            return _csv_response(iter([data["series"]]), "dyad")
        return data

    @app.get("/api/places", tags=["events"])
    def api_places(f: Annotated[EventFilter, Depends(event_filter)],
                   dyad: Annotated[tuple | None, Depends(dyad_params)]) -> dict[str, Any]:
        """Where the filtered events happened (with `a` and `b`: the events between them): events
        per country of the place, and per city or US state with its coordinates (GeoNames)."""
        with pool.store() as store:
            return views.places(store, replace(f, limit=None, offset=0), dyad[:2] if dyad else None,
                                dyad[2] if dyad else False)

    @app.get("/api/reports", tags=["events"])
    def api_reports(group: Annotated[str, Query(description="a merged event's group_id")]) -> dict[str, Any]:
        """Every report of one merged event: article, publisher, date, sentence, attribution."""
        group_id = text_param(group, "group")
        if group_id is None:
            raise HTTPException(400, "group: a merged event's group_id is required")
        with pool.store() as store:
            data = views.reports(store, group_id)
        if data is None:
            raise HTTPException(404, f"no event with group id {group_id!r}")
        return data

    @app.get("/api/timeline", tags=["events"])
    def api_timeline(f: Annotated[EventFilter, Depends(event_filter)], by: By = "week") -> list[dict[str, Any]]:
        """Filtered events per period and quad class."""
        from tidings.analysis import timeline

        with pool.store() as store:
            return timeline(store, replace(f, limit=None, offset=0), by=by)

    @app.get("/api/network", tags=["dyads"])
    def api_network(f: Annotated[EventFilter, Depends(event_filter)], coded: bool = False) -> dict[str, Any]:
        """Who acts on whom among the filtered events: nodes and the `limit` heaviest edges
        (`coded`: only actors resolved to a country code or IGO)."""
        with pool.store() as store:
            return network(store, replace(f, limit=None, offset=0), limit=min(f.limit or 60, 200), coded=coded)

    @app.post("/api/ingest", tags=["write"], status_code=201, openapi_extra=_INGEST_BODY,
              responses={413: {"description": "The body is larger than the server's limit (--max-body-bytes)."}})
    async def api_ingest(request: Request, authorization: Annotated[str | None, Header()] = None) -> dict[str, Any]:
        """Extract one article (text or HTML) and store it. Off unless the server was started
        with a token; then needs `Authorization: Bearer <token>`, checked before the body is read.
        A body over the server's size limit is refused with 413 before it is parsed."""
        _check_token(state, authorization)
        body = _parse_ingest(await _read_body(request, state.max_body_bytes))
        return await run_in_threadpool(_ingest, state, body)


# The body is read by hand (after the token check, within the size limit), so FastAPI cannot
# infer its schema: documented here.
_INGEST_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": IngestRequest.model_json_schema()}}}}


async def _read_body(request: Request, limit: int) -> bytes:
    """The request body, or 413 as soon as it is known to be over `limit` bytes: from its
    Content-Length before reading anything, else while streaming it (chunked encoding)."""
    too_large = HTTPException(413, f"request body too large: the limit is {limit} bytes"
                                   " (tidings serve --max-body-bytes)", headers=_HANG_UP)
    declared = request.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_ingest(raw: bytes) -> IngestRequest:
    try:
        return IngestRequest.model_validate_json(raw)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in errors]) from None


def _check_token(state: _State, authorization: str | None) -> None:
    if state.token is None:
        raise HTTPException(403, "writing is off: start the server with a token to enable POST /api/ingest",
                            headers=_HANG_UP)
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), state.token.encode()):
        raise HTTPException(401, "a valid bearer token is required",
                            headers={"WWW-Authenticate": "Bearer", **_HANG_UP})


def _ingest(state: _State, body: IngestRequest) -> dict[str, Any]:
    from tidings.records import Document
    from tidings.store.rows import dedup_key

    if bool(body.text) == bool(body.html):
        raise HTTPException(400, "send exactly one of text or html")
    published = day_param(body.published, "published")
    kind, content = ("html", body.html) if body.html else ("text", body.text)
    raw = content.encode("utf-8", "replace")
    document = Document(id=f"api-{hashlib.sha256(raw).hexdigest()[:12]}", origin="api", kind=kind, raw=raw,
                        url=text_param(body.url, "url", 2000), title=text_param(body.title, "title", 2000),
                        published=published.isoformat() if published else None)
    with state._pipeline_lock:
        result = state.pipeline().process(document, published=document.published)
    with state.pool.store() as store:
        summary = store.save([result], documents={result.id: document})
        stored = store.backend.scalar("SELECT id FROM articles WHERE dedup_key = ?", [dedup_key(result)])
    return {"id": stored or result.id, "status": result.status, "error": result.error,
            "inserted": summary.inserted, "already_present": summary.already_present,
            "events": len(result.events), "quotes": len(result.quotes), "mentions": len(result.mentions),
            "url": f"/articles/{stored or result.id}"}


# -- HTML pages ---------------------------------------------------------------------------------------

def _add_pages(app: FastAPI, state: _State) -> None:
    from tidings.web.pages import add_pages

    add_pages(app, state)
