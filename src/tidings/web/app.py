"""The FastAPI application: server-rendered pages, the JSON API under /api/, CSV/JSONL downloads.

Read-only unless started with a token: then POST /api/ingest runs the pipeline on one
article and saves it, for callers that send `Authorization: Bearer <token>`. That endpoint
checks the token before it reads the body, refuses a body over `max_body_bytes` (413, from the
Content-Length header or while streaming a chunked one) before parsing it, and no validation
error anywhere echoes the input back.

The API's contract (documented at /docs, schema at /api/openapi.json):
- every error is `{"error": {"code", "message", "param"}}` with a 4xx/5xx status; a query
  parameter that cannot be used (request validation included) is a 400, never a 422;
- lists are `{"items", "total", "next", "offset", "limit"}`; `next` is the next page's URL;
- downloads (?format=csv|jsonl, /api/*.csv) stream every matching row, or `limit` rows when
  `limit` is given: no silent cap;
- read endpoints send an ETag (changing with the database's last write) and
  `Cache-Control: no-cache`; If-None-Match → 304; HEAD and OPTIONS are answered everywhere;
- no response carries a filesystem path (file origins are shown by their file name).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import itertools
import json
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from importlib import resources
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Path, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from tidings.analysis import PERIODS, network
from tidings.records import FACTUALITY_VALUES
from tidings.store import ActorFilter, EventFilter, QuoteFilter, StoreError, StoreLockedError
from tidings.vocabulary import FilterValueError, allowed
from tidings.web import models, views
from tidings.web.params import (
    ArticleQuery, By, ChartBackground, EventQuery, Flag, Format, FullRange, Limit, MinConfidence, Offset, Opt,
    actor_filter, article_query, chart_background_param, day_param, day_range, event_filter, event_query, flag_param,
    fraction_param, quote_filter, text_param, url_with,
)
from tidings.web.pool import StorePool

log = logging.getLogger(__name__)

DOWNLOAD_PAGE = 5000  # rows read from the database at a time while streaming a download
MAX_BODY_BYTES = 10 * 1024 * 1024  # default limit of a POST /api/ingest body
ERROR_TEXT_MAX = 200  # characters of any text in a validation error's message
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
# Swagger UI sets inline styles (its own script stays a file of this server)
DOCS_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:;"
            " object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
CACHE_CONTROL = "no-cache"  # keep, but ask again (with If-None-Match) before using
ERROR_CODES = {400: "invalid_parameter", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 413: "payload_too_large", 503: "unavailable"}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": models.ErrorResponse, "description": "A parameter cannot be used (`param` names it)."},
    404: {"model": models.ErrorResponse, "description": "Nothing at this address."},
    503: {"model": models.ErrorResponse, "description": "The database is busy or locked: try again."},
}
READ_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    304: {"description": "Not modified since the ETag given in If-None-Match."},
}


class ApiError(HTTPException):
    """An HTTP error with the parameter at fault (for the error shape's `param`)."""

    def __init__(self, status: int, message: str, param: str | None = None, headers=None,
                 code: str | None = None) -> None:
        super().__init__(status, message, headers=headers)
        self.param = param
        self.code = code


class IngestRequest(BaseModel):
    """One article to extract and store: `text` or `html`, plus optional metadata."""

    text: str | None = Field(None, max_length=2_000_000)
    html: str | None = Field(None, max_length=5_000_000)
    url: str | None = Field(None, max_length=2000)
    title: str | None = Field(None, max_length=2000)
    published: str | None = Field(None, max_length=40, description="YYYY-MM-DD")


# -- application ----------------------------------------------------------------------------------

AGGREGATE_CACHE = 256  # aggregate pages kept per app (see _State.cached)


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
        self._aggregates: dict[Any, Any] = {}  # (last write, what) → an aggregate page's data
        self._aggregates_lock = threading.Lock()

    def cached(self, store, what: tuple, compute):
        """An aggregate (overview, actor, dyad, network, top pairs: whole-table scans that take
        0.4-0.6 s on a million events) computed once per state of the data: kept while the
        store's last-write marker is unchanged, AGGREGATE_CACHE entries, least recent dropped."""
        key = (store.last_write(), what)
        with self._aggregates_lock:
            if key in self._aggregates:
                value = self._aggregates.pop(key)
                self._aggregates[key] = value  # most recent last
                return value
        value = compute()
        with self._aggregates_lock:
            self._aggregates[key] = value
            while len(self._aggregates) > AGGREGATE_CACHE:
                self._aggregates.pop(next(iter(self._aggregates)))
        return value

    def choices(self, store) -> dict[str, list[str]]:
        """The distinct stored values the filter forms offer (tidings.analysis.filter_choices),
        computed again only when the data changed (see `cached`)."""
        from tidings.analysis import filter_choices

        return self.cached(store, ("choices",), lambda: filter_choices(store))

    def pipeline(self):
        from tidings.pipeline import Pipeline

        if self._pipeline is None:
            self._pipeline = Pipeline()
        return self._pipeline

    def public(self, message: str) -> str:
        """`message` without the database's path or URL (responses carry no filesystem paths)."""
        for secret in {self.db, os.path.abspath(self.db) if "://" not in self.db else self.db}:
            if secret:
                message = message.replace(secret, "the database")
        return message


def _templates() -> Environment:
    env = Environment(loader=PackageLoader("tidings.web", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    env.globals["url"] = url_with
    env.globals["QUAD_CLASSES"] = allowed("quad_classes")
    env.globals["FACTUALITY_VALUES"] = FACTUALITY_VALUES
    env.globals["PLOVER_TYPES"] = allowed("types")
    env.globals["SECTORS"] = allowed("sectors")
    env.globals["COUNTRIES"] = allowed("countries")
    env.globals["MODES"] = allowed("modes")
    env.globals["PERIODS"] = PERIODS
    env.globals["country_name"] = _country_name
    env.globals["date_presets"] = views.date_presets
    env.globals["STATUSES"] = allowed("statuses")
    env.filters["public_error"] = views.public_error
    return env


def _country_name(code: str) -> str | None:
    """A country's name for an ISO3 code ("international organisation" for IGO), else None."""
    from tidings.geo import load_geo

    return "international organisation" if code == "IGO" else load_geo().country_name(code)


def create_app(db: str, token: str | None = None, pool_size: int = 4,
               max_body_bytes: int = MAX_BODY_BYTES, cors_origins: list[str] | tuple[str, ...] = ()) -> FastAPI:
    """The tidings web app over the database `db` (DuckDB path or postgresql:// URL).

    Read-only unless `token` is given; then POST /api/ingest is on and needs
    `Authorization: Bearer <token>`, and its body may be at most `max_body_bytes` bytes.
    `cors_origins`: web origins (https://example.org, or *) whose pages may call the API.
    The database is opened on the first request.
    """
    state = _State(db, token or None, pool_size, max_body_bytes)

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        yield
        state.pool.close()

    app = FastAPI(title="tidings", summary="PLOVER political events extracted from news, with their evidence",
                  description=_API_DESCRIPTION, version=_version(), docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json", lifespan=lifespan)
    app.state.tidings = state
    static = resources.files("tidings.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    _add_handlers(app, state)
    _add_docs(app)
    _add_api(app, state)
    _add_table_api(app, state)
    _add_analysis_api(app, state)
    _add_pages(app, state)
    _document_errors(app)
    app.add_middleware(_HeadAsGet)
    app.add_middleware(_Options, app=app)
    if cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins),
                           allow_methods=["GET", "HEAD", "OPTIONS"] + (["POST"] if state.token else []),
                           allow_headers=["Authorization", "Content-Type", "If-None-Match"],
                           expose_headers=["ETag", "Content-Disposition"], max_age=600)
    return app


_API_DESCRIPTION = """\
The JSON API of tidings. **Errors**: every 4xx/5xx answer is
`{"error": {"code", "message", "param"}}`; a query parameter that cannot be used (an unknown
choice, a bad date, half a dyad, `since` after `until`, a number out of range) is a **400**
whose message names the allowed values and the nearest ones (no 422s).
**Lists** are `{"items", "total", "next", "offset", "limit"}`. **Downloads** (`format=csv` or
`jsonl`, `/api/events.csv`, …) stream every matching row (at most `limit` when it is given).
**Caching**: read endpoints send an `ETag` that changes with the database's last write, and
`Cache-Control: no-cache`; send `If-None-Match` to get a 304. The filters have the same names
and meanings as the CLI options (`tidings events --help`).
"""


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("tidings")
    except Exception:  # not installed (running from a source tree)
        return "0"


# -- errors -----------------------------------------------------------------------------------------

def _add_handlers(app: FastAPI, state: _State) -> None:
    @app.middleware("http")
    async def headers_and_etags(request: Request, call_next):
        etag = None
        if request.method == "GET" and request.url.path.startswith("/api/") and request.url.path != "/api/ingest":
            etag = await _etag(state, request)
            if etag and etag in _if_none_match(request):
                return Response(status_code=304, headers={"ETag": etag, "Cache-Control": CACHE_CONTROL})
        response = await call_next(request)
        if etag and response.status_code == 200:
            response.headers["ETag"] = etag
            response.headers["Cache-Control"] = CACHE_CONTROL
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError):
        status = 503 if isinstance(exc, StoreLockedError) or "busy" in str(exc) else 400
        return _error(request, state, status, str(exc), code=None if status == 503 else "bad_request")

    @app.exception_handler(FilterValueError)
    async def filter_error(request: Request, exc: FilterValueError):
        return _error(request, state, 400, str(exc), param=exc.param)

    @app.exception_handler(ValueError)
    async def value_error(request: Request, exc: ValueError):
        return _error(request, state, 400, str(exc), code="bad_request")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = f"nothing at {request.url.path[:200]}" + (" (the API's endpoints: /api/)"
                                                                 if request.url.path.startswith("/api") else "")
        if exc.status_code == 405 and message == "Method Not Allowed":
            message = f"{request.method} is not allowed on {request.url.path[:200]}"
        return _error(request, state, exc.status_code, message, getattr(exc, "headers", None),
                      param=getattr(exc, "param", None), code=getattr(exc, "code", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        param, message = _validation_message(exc.errors())
        return _error(request, state, 400, message, param=param)


async def _etag(state: _State, request: Request) -> str | None:
    """A weak ETag for this URL over the database's current state (None if that is unknown now)."""
    def marker() -> str:
        with state.pool.store() as store:
            return store.last_write()

    try:
        written = await run_in_threadpool(marker)
    except Exception:  # the endpoint itself will report what is wrong
        return None
    key = "\n".join([written, _version(), request.url.path, request.url.query,
                     request.headers.get("accept", "")])
    return 'W/"' + hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()[:24] + '"'


def _if_none_match(request: Request) -> set[str]:
    value = request.headers.get("if-none-match", "")
    return {tag.strip() for tag in value.split(",") if tag.strip()}


def _validation_message(errors) -> tuple[str | None, str]:
    """The first request-validation error as (parameter, message), clipped, without the input."""
    if not errors:
        return None, "invalid request"
    error = errors[0]
    loc = [str(part) for part in error.get("loc", ()) if part not in ("query", "path", "header")]
    param = ".".join(loc) or None
    text = str(error.get("msg", "invalid value"))
    if len(text) > ERROR_TEXT_MAX:
        text = text[:ERROR_TEXT_MAX] + "…"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return param, f"{param or 'request'}: {text}{more}"


def _error(request: Request, state: _State, status: int, message: str, headers=None, *,
           param: str | None = None, code: str | None = None) -> Response:
    message = state.public(message)
    if request.url.path.startswith("/api/") or request.url.path == "/api":
        code = code or ERROR_CODES.get(status, "bad_request" if status < 500 else "server_error")
        if status == 400 and param is None and code == "invalid_parameter":
            code = "bad_request"
        body = {"error": {"code": code, "message": message, "param": param}}
        return JSONResponse(body, status_code=status, headers=headers)
    html = state.templates.get_template("error.html").render(status=status, message=message, request=request,
                                                             writable=state.token is not None)
    return HTMLResponse(html, status_code=status, headers=headers)


def _document_errors(app: FastAPI) -> None:
    """OpenAPI: the one error shape on every operation, no 422 (validation errors are 400s)."""
    from fastapi.openapi.utils import get_openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, summary=app.summary,
                             description=app.description, routes=app.routes)
        error_ref = {"$ref": "#/components/schemas/ErrorResponse"}
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas.update({k: v for k, v in models.ErrorResponse.model_json_schema(
            ref_template="#/components/schemas/{model}").get("$defs", {}).items()})
        schemas["ErrorResponse"] = {k: v for k, v in models.ErrorResponse.model_json_schema(
            ref_template="#/components/schemas/{model}").items() if k != "$defs"}
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                responses.pop("422", None)
                for status, description in (("400", "A parameter cannot be used (`param` names it)."),
                                            ("404", "Nothing at this address."),
                                            ("503", "The database is busy or locked: try again.")):
                    responses.setdefault(status, {"description": description,
                                                  "content": {"application/json": {"schema": error_ref}}})
                if method == "get":
                    responses.setdefault("304", {"description": "Not modified (If-None-Match matched the ETag)."})
                if operation.get("description"):  # a summary people can read, not the function's name
                    operation["summary"] = _summary(operation["description"])
        app.openapi_schema = schema
        return schema

    app.openapi = openapi


def _summary(description: str, width: int = 100) -> str:
    """The first sentence of an endpoint's docstring, cut at a word within `width` characters."""
    first = " ".join(description.split("\n\n")[0].split()).split(". ")[0].rstrip(".")
    return first if len(first) <= width else first[:width].rsplit(" ", 1)[0] + " …"


# -- HEAD and OPTIONS ----------------------------------------------------------------------------------

class _HeadAsGet:
    """HEAD answered as GET without the body (FastAPI routes list GET only)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "HEAD":
            return await self.app(scope, receive, send)
        sent_end = False

        async def headers_only(message):
            nonlocal sent_end
            if message["type"] == "http.response.body":
                if sent_end:
                    return
                sent_end = True
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


class _Options:
    """OPTIONS answered with 204 and the `Allow`ed methods of the path (404 for no route);
    CORS preflights are left to CORSMiddleware (outside this one) when --cors is on."""

    def __init__(self, asgi, app: FastAPI) -> None:
        self.asgi = asgi
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "OPTIONS":
            return await self.asgi(scope, receive, send)
        methods: set[str] = set()
        for route in self.app.router.routes:
            match, _ = route.matches({**scope, "method": "GET"})
            if match != Match.NONE:
                methods |= set(getattr(route, "methods", None) or {"GET"})
        if not methods:
            return await self.asgi(scope, receive, send)  # the router's 404 (in the one error shape)
        allow = ", ".join(sorted(methods | {"HEAD", "OPTIONS"}))
        response = Response(status_code=204, headers={"Allow": allow, **SECURITY_HEADERS})
        await response(scope, receive, send)


# -- /docs, /api/ -------------------------------------------------------------------------------------------

def _add_docs(app: FastAPI) -> None:
    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        html = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                "<title>tidings API</title><link rel=\"stylesheet\" href=\"/static/swagger-ui/swagger-ui.css\">"
                "<link rel=\"icon\" href=\"data:,\"></head><body>"
                "<p style=\"font:14px sans-serif;margin:8px 16px\"><a href=\"/\">← tidings</a> ·"
                " <a href=\"/api/openapi.json\">OpenAPI document</a></p>"
                "<div id=\"swagger-ui\" data-openapi=\"/api/openapi.json\"></div>"
                "<script src=\"/static/swagger-ui/swagger-ui-bundle.js\"></script>"
                "<script src=\"/static/swagger-ui/init.js\"></script></body></html>")
        return HTMLResponse(html, headers={"Content-Security-Policy": DOCS_CSP})

    @app.get("/api", include_in_schema=False)
    def api_root() -> RedirectResponse:
        return RedirectResponse("/api/", status_code=308)

    @app.get("/api/", tags=["overview"], response_model=models.ApiIndex)
    def api_index() -> dict[str, Any]:
        """What this API offers: its endpoints, the documentation (/docs) and the OpenAPI document."""
        endpoints = []
        for route in app.routes:
            if getattr(route, "include_in_schema", False) and route.path.startswith("/api/"):
                for method in sorted(route.methods or ()):
                    endpoints.append({"method": method, "path": route.path, "summary": route.summary or
                                      (route.description or "").split("\n")[0] or None})
        return {"name": app.title, "version": app.version, "docs": "/docs", "openapi": app.openapi_url,
                "endpoints": endpoints}


# -- JSON API ---------------------------------------------------------------------------------------

def _error_rows(rows) -> list[dict[str, Any]]:
    return [views.public_row(row._asdict()) for row in rows]


def _page(request: Request, rows: list[dict[str, Any]], total: int, offset: int, limit: int) -> dict[str, Any]:
    """A list response: the page's rows, the total over all pages, and the next page's URL."""
    nxt = None
    if offset + len(rows) < total and rows:
        query = [(k, v) for k, v in request.query_params.multi_items() if k != "offset"]
        nxt = url_with(request.url.path, None) + "?" + _urlencode(query + [("offset", str(offset + limit))])
    return {"items": rows, "total": total, "next": nxt, "offset": offset, "limit": limit}


def _urlencode(pairs) -> str:
    from urllib.parse import urlencode

    return urlencode(pairs)


def _csv_cell(value: Any) -> Any:
    """A cell a spreadsheet will not run as a formula (text from articles is untrusted)."""
    from tidings.output import csv_safe

    if isinstance(value, (list, dict)):
        return str(value)
    return csv_safe(value)


def _download(pages: Iterator[list[dict[str, Any]]], name: str, fmt: str) -> StreamingResponse:
    """Stream the rows of `pages` as CSV or JSON Lines. The first page is read before the
    response starts, so a bad filter or an unreadable database is still a clean error status."""
    first = next(pages, [])
    chunks = _csv_chunks(first, pages) if fmt == "csv" else _jsonl_chunks(first, pages)
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson; charset=utf-8"
    return StreamingResponse(chunks, media_type=media,
                             headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


def _csv_chunks(first, pages) -> Iterator[str]:
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


def _jsonl_chunks(first, pages) -> Iterator[str]:
    for rows in itertools.chain([first], pages):
        yield "".join(json.dumps(jsonable_encoder(row), ensure_ascii=False) + "\n" for row in rows)


def _all_pages(state: _State, fetch, f, max_rows: int | None) -> Iterator[list[dict[str, Any]]]:
    """Every row matching `f` from its offset (at most `max_rows` when given), page by page."""
    offset, sent = f.offset, 0
    while max_rows is None or sent < max_rows:
        size = DOWNLOAD_PAGE if max_rows is None else min(DOWNLOAD_PAGE, max_rows - sent)
        with state.pool.store() as store:
            rows = fetch(store, replace(f, limit=size, offset=offset))
        yield rows
        sent += len(rows)
        offset += len(rows)
        if len(rows) < size:
            return


def _max_rows(request: Request, limit: int | None) -> int | None:
    """A download's row limit: `limit` when the caller gave one, else none."""
    return limit if "limit" in request.query_params else None


def _add_api(app: FastAPI, state: _State) -> None:
    """Overview figures: counts, errors."""
    pool = state.pool

    @app.get("/api/stats", tags=["overview"], response_model=models.Stats)
    def api_stats() -> dict[str, Any]:
        """Counts: articles by status, events by type and quad class, quotes, mentions, actors, errors."""
        with pool.store() as store:
            return views.public_stats(store.stats())

    @app.get("/api/overview", tags=["overview"], response_model=models.Overview, response_model_exclude_unset=True)
    def api_overview(by: By = "month", full: FullRange = False) -> dict[str, Any]:
        """Counts, the most active dyads, events per period by quad class (background events left
        out; `axis`: the periods shown, those holding 98% of the events unless `full`), recent
        articles, ingest errors."""
        with pool.store() as store:
            return state.cached(store, ("overview", by, full), lambda: views.overview(store, by, full))

    @app.get("/api/errors", tags=["overview"], response_model=models.ErrorPage)
    def api_errors(request: Request, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
        """Articles that were not extracted (status error or skipped) and why, a page at a time."""
        with pool.store() as store:
            rows = _error_rows(store.errors(limit=limit, offset=offset))
            total = store.count_errors()
        return _page(request, rows, total, offset, limit)


_DOWNLOADS = {200: {"content": {"text/csv": {"schema": {"type": "string"}},
                                "application/x-ndjson": {"schema": {"type": "string"}}},
                    "description": "A page of rows (JSON), or with format=csv/jsonl every matching row, streamed."}}
_CSV_ONLY = {200: {"content": {"text/csv": {"schema": {"type": "string"}}},
                   "description": "Every matching row as CSV (at most `limit` when given), streamed."}}


def _add_table_api(app: FastAPI, state: _State) -> None:
    """Tables (events, quotes, actors, articles): a page as JSON, or all rows as CSV/JSONL."""
    pool = state.pool

    def listing(request: Request, name: str, fetch, count, f, fmt: str):
        if fmt != "json":
            return _download(_all_pages(state, fetch, f, _max_rows(request, f.limit)), name, fmt)
        with pool.store() as store:
            rows = fetch(store, f)
            total = count(store, f)
        return _page(request, rows, total, f.offset, f.limit)

    def events_api(request: Request, q: EventQuery, fmt: str):
        return listing(request, "events", lambda s, g: views.event_rows(s, g, q.dyad),
                       lambda s, g: views.count_events(s, g, q.dyad), q.filter, fmt)

    @app.get("/api/events", tags=["events"], response_model=models.EventPage, responses=_DOWNLOADS,
             response_model_exclude_unset=True)
    def api_events(request: Request, q: Annotated[EventQuery, Depends(event_query)], format: Format = "json"):
        """Events matching the filters: a page of them, or with format=csv/jsonl all of them from
        `offset`. With `a` and `b`: only events between those two actors (`directed`: a → b, and the reciprocal events of both)."""
        return events_api(request, q, format)

    @app.get("/api/events.csv", tags=["events"], response_class=StreamingResponse, responses=_CSV_ONLY)
    def api_events_csv(request: Request, q: Annotated[EventQuery, Depends(event_query)]):
        """All events matching the filters, as CSV (at most `limit` when given)."""
        return events_api(request, q, "csv")

    def quotes_api(request: Request, f: QuoteFilter, fmt: str):
        return listing(request, "quotes", lambda s, g: s.quotes(g), lambda s, g: s.count_quotes(g), f, fmt)

    @app.get("/api/quotes", tags=["quotes"], response_model=models.QuotePage, responses=_DOWNLOADS)
    def api_quotes(request: Request, f: Annotated[QuoteFilter, Depends(quote_filter)], format: Format = "json"):
        """Quotes matching the filters, with their speakers."""
        return quotes_api(request, f, format)

    @app.get("/api/quotes.csv", tags=["quotes"], response_class=StreamingResponse, responses=_CSV_ONLY)
    def api_quotes_csv(request: Request, f: Annotated[QuoteFilter, Depends(quote_filter)]):
        """All quotes matching the filters, as CSV (at most `limit` when given)."""
        return quotes_api(request, f, "csv")

    def actors_api(request: Request, f: ActorFilter, fmt: str):
        return listing(request, "actors", lambda s, g: s.actors(g), lambda s, g: s.count_actors(g), f, fmt)

    @app.get("/api/actors", tags=["actors"], response_model=models.ActorPage, responses=_DOWNLOADS)
    def api_actors(request: Request, f: Annotated[ActorFilter, Depends(actor_filter)], format: Format = "json"):
        """Distinct resolved actors with counts of mentions, articles, and events as source/target."""
        return actors_api(request, f, format)

    @app.get("/api/actors.csv", tags=["actors"], response_class=StreamingResponse, responses=_CSV_ONLY)
    def api_actors_csv(request: Request, f: Annotated[ActorFilter, Depends(actor_filter)]):
        """All actors matching the filters, as CSV (at most `limit` when given)."""
        return actors_api(request, f, "csv")

    @app.get("/api/actors/suggest", tags=["actors"], response_model=models.Suggestions)
    def api_actor_suggest(q: Annotated[str, Query(min_length=1, max_length=200,
                                                  description="what the user typed: a part of the name")],
                          limit: Annotated[int, Query(ge=1, le=50)] = 12) -> dict[str, Any]:
        """Stored actors whose name contains `q`, most mentioned first: for an actor filter's
        autocomplete (the web forms use it)."""
        text = text_param(q, "q", 200)
        if text is None:
            return {"items": []}
        with pool.store() as store:
            rows = store.actors(ActorFilter(search=text, limit=limit, order="mentions"))
        return {"items": [{"value": r["name"], "label": f"{r['name']} ({r['actor']})" if r["actor"] != r["name"]
                           else r["name"], "name": r["name"], "country": r["country"], "sector": r["sector"],
                           "mentions": r["mentions"]} for r in rows]}

    def articles_api(request: Request, q: ArticleQuery, fmt: str):
        f = EventFilter(limit=q.limit, offset=q.offset)
        return listing(request, "articles",
                       lambda s, g: views.article_rows(s, g.limit, g.offset, q.status, q.search),
                       lambda s, g: views.count_articles(s, q.status, q.search), f, fmt)

    @app.get("/api/articles", tags=["articles"], response_model=models.ArticlePage, responses=_DOWNLOADS)
    def api_articles(request: Request, q: Annotated[ArticleQuery, Depends(article_query)], format: Format = "json"):
        """Articles, newest first (id, title, publisher, status, counts)."""
        return articles_api(request, q, format)

    @app.get("/api/articles/{article_id}", tags=["articles"], response_model=models.ArticleResultModel)
    def api_article(article_id: Annotated[str, Path(max_length=500)]) -> dict[str, Any]:
        """One stored article as extracted (the JSON contract: text, mentions, events, quotes)."""
        article_id = text_param(article_id, "article_id") or ""
        with pool.store() as store:
            result = store.article(article_id) if article_id else None
        if result is None:
            raise ApiError(404, f"no article {article_id!r}", param="article_id", code="not_found")
        return views.public_row(result.to_dict())


def _add_analysis_api(app: FastAPI, state: _State) -> None:
    """One actor, dyads, timelines, the network, and the write endpoint."""
    from tidings.web.params import actor_param

    pool = state.pool

    @app.get("/api/actor", tags=["actors"], response_model=models.ActorView, response_model_exclude_unset=True)
    def api_actor(a: Annotated[str, Query(max_length=2000, description="actor: a code (RUS, RUS:GOV, IGO), a known"
                                                                       " name or alias (NATO), or words of a name")],
                  by: By = "month", since: Opt = None, until: Opt = None, background: ChartBackground = None,
                  full: FullRange = False) -> dict[str, Any]:
        """One actor: events per period by quad class, counterparts, quotes, recent events
        (background events left out unless asked for; `axis`: the periods shown)."""
        code = actor_param(a, "a")
        if code is None:
            raise ApiError(400, "a: an actor is required", param="a")
        since_d, until_d = day_range(since, until)
        with pool.store() as store:
            shown = chart_background_param(background)
            return state.cached(store, ("actor", code, by, since_d, until_d, shown, full),
                                lambda: views.actor(store, code, by, since_d, until_d, shown, full))

    @app.get("/api/dyads", tags=["dyads"], response_model=models.DyadPage)
    def api_dyads(request: Request, f: Annotated[EventFilter, Depends(event_filter)],
                  coded: Flag = None) -> dict[str, Any]:
        """The most active source → target pairs among the filtered events, most events first
        (`coded`: only actors resolved to a country code or IGO)."""
        from tidings.analysis import top_dyads

        with pool.store() as store:
            g, is_coded = replace(f, limit=None, offset=0), bool(flag_param(coded, "coded"))
            pairs = state.cached(store, ("dyads", repr(g), is_coded),
                                 lambda: top_dyads(store, g, limit=2**31 - 1, coded=is_coded))
        return _page(request, pairs[f.offset:f.offset + f.limit], len(pairs), f.offset, f.limit)

    @app.get("/api/dyad", tags=["dyads"], response_model=models.DyadSeries, responses=_DOWNLOADS)
    def api_dyad(a: Annotated[str, Query(max_length=2000, description="one actor")],
                 b: Annotated[str, Query(max_length=2000, description="the other")],
                 by: By = "week", since: Opt = None, until: Opt = None, merged: Flag = None,
                 directed: Flag = None, format: Format = "json", background: ChartBackground = None,
                 min_confidence: MinConfidence = None, full: FullRange = False):
        """Events between two actors per period: totals, per quad class, per PLOVER type
        (background events left out unless asked for; `axis`: the periods shown, those holding
        98% of the events unless a range or `full` is asked for)."""
        a_code, b_code = actor_param(a, "a"), actor_param(b, "b")
        if not a_code or not b_code:
            raise ApiError(400, f"{'a' if not a_code else 'b'}: two actors are required (a and b)",
                           param="a" if not a_code else "b")
        since_d, until_d = day_range(since, until)
        with pool.store() as store:
            args = (a_code, b_code, by, since_d, until_d, bool(flag_param(merged, "merged")),
                    bool(flag_param(directed, "directed")), chart_background_param(background),
                    fraction_param(min_confidence, "min_confidence"), full)
            data = state.cached(store, ("dyad",) + args, lambda: views.dyad(store, *args))
        if format != "json":
            return _download(iter([data["series"]]), "dyad", format)
        return data

    @app.get("/api/places", tags=["events"], response_model=models.Places)
    def api_places(q: Annotated[EventQuery, Depends(event_query)]) -> dict[str, Any]:
        """Where the filtered events happened (with `a` and `b`: the events between them): events
        per country of the place, and per city or US state with its coordinates (GeoNames)."""
        with pool.store() as store:
            return views.places(store, replace(q.filter, limit=None, offset=0), q.dyad[:2] if q.dyad else None,
                                q.dyad[2] if q.dyad else False)

    @app.get("/api/reports", tags=["events"], response_model=models.Reports)
    def api_reports(group: Annotated[str, Query(max_length=2000, description="a merged event's group_id")]) -> dict[str, Any]:
        """Every report of one merged event: article, publisher, date, sentence, attribution."""
        group_id = text_param(group, "group")
        if group_id is None:
            raise ApiError(400, "group: a merged event's group_id is required", param="group")
        with pool.store() as store:
            data = views.reports(store, group_id)
        if data is None:
            raise ApiError(404, f"no event with group id {group_id!r}", param="group", code="not_found")
        return data

    @app.get("/api/timeline", tags=["events"], response_model=models.Timeline)
    def api_timeline(f: Annotated[EventFilter, Depends(event_filter)], by: By = "week") -> dict[str, Any]:
        """Filtered events per period and quad class: every period from the first to the last
        (never paged; `limit` and `offset` do not apply)."""
        from tidings.analysis import timeline

        with pool.store() as store:
            periods = timeline(store, replace(f, limit=None, offset=0), by=by)
        return {"items": periods, "total": len(periods), "next": None}

    @app.get("/api/network", tags=["dyads"], response_model=models.Network)
    def api_network(f: Annotated[EventFilter, Depends(event_filter)], coded: Flag = None) -> dict[str, Any]:
        """Who acts on whom among the filtered events: nodes and the `limit` heaviest edges (at
        most 200; `coded`: only actors resolved to a country code or IGO)."""
        with pool.store() as store:
            g, n, is_coded = replace(f, limit=None, offset=0), min(f.limit or 60, 200), bool(flag_param(coded, "coded"))
            return state.cached(store, ("network", repr(g), n, is_coded),
                                lambda: network(store, g, limit=n, coded=is_coded))

    @app.post("/api/ingest", tags=["write"], status_code=201, openapi_extra=_INGEST_BODY,
              response_model=models.IngestResult,
              responses={401: {"model": models.ErrorResponse, "description": "No valid bearer token."},
                         403: {"model": models.ErrorResponse, "description": "Writing is off (no --token)."},
                         413: {"model": models.ErrorResponse,
                               "description": "The body is larger than the server's limit (--max-body-bytes)."}})
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
