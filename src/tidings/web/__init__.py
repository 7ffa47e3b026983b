"""tidings' web UI and JSON API (FastAPI, server-rendered Jinja2 pages, SVG charts, no CDN).

    from tidings.web import create_app, serve
    app = create_app("tidings.duckdb")                 # read-only
    serve("tidings.duckdb", host="127.0.0.1", port=8000, token=None)

Pages: /  /events  /articles  /articles/{id}  /actors  /actor?a=RUS  /dyad?a=RUS&b=UKR
/network  /quotes  /reports?group=ID (every report of one merged event); /map.svg: the world
map of the events the filters select (the overview, events, actor and dyad pages frame it).
JSON API under /api/ (documented at /docs, schema at /api/openapi.json; /api/places: a map's
counts); CSV or JSON Lines with ?format=csv|jsonl, or /api/events.csv, /api/quotes.csv,
/api/actors.csv. With a token, POST
/api/ingest (Authorization: Bearer <token>) extracts and stores one article; its body may
be at most `max_body_bytes` (10 MiB by default).
"""

from __future__ import annotations

import ipaddress
import logging

log = logging.getLogger(__name__)


def create_app(db: str, token: str | None = None, pool_size: int = 4, max_body_bytes: int | None = None,
               cors_origins=()):
    """The FastAPI app over `db` (read-only unless `token`; see tidings.web.app.create_app)."""
    from tidings.web.app import create_app as _create

    limits = {"max_body_bytes": max_body_bytes} if max_body_bytes is not None else {}
    return _create(db, token=token, pool_size=pool_size, cors_origins=tuple(cors_origins), **limits)


def serve(db: str, host: str = "127.0.0.1", port: int = 8000, token: str | None = None,
          log_level: str = "info", max_body_bytes: int | None = None, cors_origins=()) -> None:
    """Run the web app with uvicorn until interrupted (binds to localhost by default)."""
    import uvicorn

    if not _is_loopback(host):
        log.warning("serving on %s: reachable from other machines%s", host,
                    "" if token is None else " (the ingest endpoint is on)")
    uvicorn.run(create_app(db, token=token, max_body_bytes=max_body_bytes, cors_origins=cors_origins), host=host,
                port=port, log_level=log_level)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


__all__ = ["create_app", "serve"]
