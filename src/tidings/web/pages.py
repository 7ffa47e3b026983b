"""Server-rendered HTML pages (Jinja2, autoescaped). Each page has a JSON twin under /api/."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from tidings import analysis
from tidings.analysis import network
from tidings.store import EventFilter
from tidings.web import svg, views
from tidings.web.app import _State
from tidings.vocabulary import FIELDS
from tidings.web.params import (
    ArticleQuery, By, ChartBackground, EventQuery, FullRange, Opt, actor_filter, actor_param, article_query,
    chart_background_param, day_range, event_filter, event_query, flag_param, fraction_param, fraction_text,
    quote_filter, text_param, url_with,
)

_PARAM_OF = {f.field: f.name for f in FIELDS}  # store filter field → query parameter (search → text)


# The map is framed by our own pages (only): it may be, unlike the pages; it runs no script.
MAP_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'self'; frame-ancestors 'self'",
               "X-Frame-Options": "SAMEORIGIN"}


def _filter_params(f: Any, skip: tuple[str, ...] = ("limit", "offset")) -> dict[str, Any]:
    """A filter record as the query parameters that produce it (named as in tidings.vocabulary)."""
    params = {}
    for key, value in asdict(f).items():
        if key in skip or value in (None, ""):
            continue
        if isinstance(value, float):  # a threshold: "0" must survive url_with (which drops False, and 0.0 == False)
            value = fraction_text(value)
        if isinstance(value, bool):
            value = "true" if value else (None if key == "merged" else "false")  # merged=false is the default
        params[_PARAM_OF.get(key, key)] = value.isoformat() if hasattr(value, "isoformat") else value
    return params


def add_pages(app: FastAPI, state: _State) -> None:
    pool = state.pool

    def render(name: str, request: Request, **context: Any) -> HTMLResponse:
        html = state.templates.get_template(name).render(request=request, writable=state.token is not None,
                                                         **context)
        return HTMLResponse(html)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def overview(request: Request, by: By = "month", full: FullRange = False):
        with pool.store() as store:
            data = state.cached(store, ("overview", by, full), lambda: views.overview(store, by, full))
        chart = svg.quad_bars(data["timeline"], lambda row, quad: url_with(
            "/events", {"since": row["period"], "until": _period_end(row["period"], by), "quad_class": quad,
                        "background": "false"}))
        return render("overview.html", request, chart=chart, by=by, full=full, world=_map_src({"background": "false"}),
                      **data)

    @app.get("/events", response_class=HTMLResponse, include_in_schema=False)
    def events(request: Request, q: Annotated[EventQuery, Depends(event_query)]):
        f, dyad = q.filter, q.dyad
        params = _filter_params(f)
        if dyad:
            params.update(a=dyad[0], b=dyad[1], directed="true" if dyad[2] else None)
        with pool.store() as store:
            page = views.events(store, f, dyad)
            choices = state.choices(store)
            latest = views.latest_day(store)
        return render("events.html", request, page=page, f=f, params=params, dyad=dyad, world=_map_src(params),
                      choices=choices, latest=latest)

    @app.get("/reports", response_class=HTMLResponse, include_in_schema=False)
    def reports(request: Request, group: Opt = None):
        group_id = text_param(group, "group")
        if group_id is None:
            raise HTTPException(400, "group: a merged event's group_id is required (e.g. /reports?group=ID)")
        with pool.store() as store:
            data = views.reports(store, group_id)
        if data is None:
            raise HTTPException(404, f"no event with group id {group_id!r}")
        return render("reports.html", request, **data)

    @app.get("/quotes", response_class=HTMLResponse, include_in_schema=False)
    def quotes(request: Request, f=Depends(quote_filter)):
        with pool.store() as store:
            page = views.quotes(store, f)
            choices = state.choices(store)
            latest = views.latest_day(store)
        return render("quotes.html", request, page=page, f=f, params=_filter_params(f), choices=choices,
                      latest=latest)

    @app.get("/actors", response_class=HTMLResponse, include_in_schema=False)
    def actors(request: Request, f=Depends(actor_filter)):
        with pool.store() as store:
            page = views.actors(store, f)
        return render("actors.html", request, page=page, f=f, params=_filter_params(f))

    @app.get("/actor", response_class=HTMLResponse, include_in_schema=False)
    def actor(request: Request, a: Opt = None, by: By = "month", since: Opt = None, until: Opt = None,
              background: ChartBackground = None, full: FullRange = False):
        code = actor_param(a, "a")
        if code is None:
            raise HTTPException(400, "a: an actor is required (e.g. /actor?a=RUS)")
        since_d, until_d = day_range(since, until)
        background_f = chart_background_param(background)
        with pool.store() as store:
            data = state.cached(store, ("actor", code, by, since_d, until_d, background_f, full),
                                lambda: views.actor(store, code, by, since_d, until_d, background_f, full))
            latest = views.latest_day(store)
        shown = _background_text(background_f)
        chart = svg.quad_bars(data["timeline"], lambda row, quad: url_with(
            "/events", {"actor": code, "since": row["period"], "until": _period_end(row["period"], by),
                        "quad_class": quad, "background": shown if shown != "all" else None}))
        world = _map_src({"actor": code, "since": since_d, "until": until_d,
                          "background": shown if shown != "all" else None})
        return render("actor.html", request, chart=chart, by=by, since=since_d, until=until_d, full=full,
                      background_text=shown, latest=latest, world=world, **data)

    @app.get("/dyad", response_class=HTMLResponse, include_in_schema=False)
    def dyad(request: Request, a: Opt = None, b: Opt = None, by: By = "week", since: Opt = None,
             until: Opt = None, merged: Opt = None, directed: Opt = None, background: ChartBackground = None,
             min_confidence: Opt = None, full: FullRange = False):
        a_code, b_code = actor_param(a, "a"), actor_param(b, "b")
        since_d, until_d = day_range(since, until)
        merged, directed = bool(flag_param(merged, "merged")), bool(flag_param(directed, "directed"))
        background_f = chart_background_param(background)
        confidence = fraction_param(min_confidence, "min_confidence")
        # what the events behind the series are filtered by (the links of the chart and the page)
        selection = {"background": None if background_f is None else str(background_f).lower(),
                     "min_confidence": fraction_text(confidence)}
        data, chart, world = None, None, None
        with pool.store() as store:
            latest = views.latest_day(store)
            if a_code and b_code:
                args = (a_code, b_code, by, since_d, until_d, merged, directed, background_f, confidence, full)
                data = state.cached(store, ("dyad",) + args, lambda: views.dyad(store, *args))
                world = _map_src({"a": a_code, "b": b_code, "directed": directed or None, "since": since_d,
                                  "until": until_d, "merged": merged or None, **selection})
        if a_code and b_code:
            chart = svg.quad_bars(data["series"], lambda row, quad: url_with(
                "/events", {"a": a_code, "b": b_code, "directed": directed or None, "since": row["period"],
                            **selection, "until": _period_end(row["period"], by), "quad_class": quad}))
        return render("dyad.html", request, a=a_code, b=b_code, by=by, since=since_d, until=until_d,
                      merged=merged, directed=directed, background=background_f, min_confidence=confidence,
                      selection=selection, data=data, chart=chart, full=full, latest=latest, world=world,
                      background_text=_background_text(background_f))

    @app.get("/network", response_class=HTMLResponse, include_in_schema=False)
    def network_page(request: Request, f: Annotated[EventFilter, Depends(event_filter)], all_actors: bool = False):
        limit = min(f.limit or 40, 120) if "limit" in request.query_params else 40
        with pool.store() as store:
            g = replace(f, limit=None, offset=0)
            net = state.cached(store, ("network", repr(g), limit, not all_actors),
                               lambda: network(store, g, limit=limit, coded=not all_actors))
            choices = state.choices(store)
            latest = views.latest_day(store)
        params = _filter_params(f, skip=("limit", "offset", "order"))
        picture = svg.network_svg(
            net, node_link=lambda key: url_with("/actor", {"a": key}),
            # the directed dyad: an edge counts the reciprocal events of both too ("A and B agreed")
            edge_link=lambda s, t: url_with("/events", {**{k: v for k, v in params.items()
                                                           if k not in ("actor", "source", "target")},
                                                        "a": s, "b": t, "directed": "true"}))
        return render("network.html", request, picture=picture, net=net, f=f, params=params, limit=limit,
                      all_actors=all_actors, choices=choices, latest=latest)

    @app.get("/map.svg", include_in_schema=False)
    def world_map(q: Annotated[EventQuery, Depends(event_query)]):
        """The world map of the events the filters select (as the events page: with `a` and `b`,
        those between two actors), a standalone SVG document that the overview, events, actor
        and dyad pages show in a frame, so that drawing it never delays them. Its links open the
        events page (in the whole window) with the same filters and the place."""
        f, dyad = q.filter, q.dyad
        params = _filter_params(f, skip=("limit", "offset", "order", "place", "place_country"))
        if dyad:
            params.update(a=dyad[0], b=dyad[1], directed="true" if dyad[2] else None)
        with pool.store() as store:
            places = views.places(store, replace(f, limit=None, offset=0), dyad[:2] if dyad else None,
                                  dyad[2] if dyad else False)
        picture = svg.world_map(places, country_link=lambda iso3: url_with("/events", params, place_country=iso3),
                                place_link=lambda geonameid: url_with("/events", params, place=geonameid))
        return Response(picture, media_type="image/svg+xml", headers=MAP_HEADERS)

    @app.get("/articles", response_class=HTMLResponse, include_in_schema=False)
    def articles(request: Request, q: Annotated[ArticleQuery, Depends(article_query)]):
        with pool.store() as store:
            page = views.articles(store, q.limit, q.offset, q.status, q.search)
        return render("articles.html", request, page=page,
                      params={"status": q.status, "text": q.search, "limit": q.limit})

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def article(request: Request, article_id: str):
        article_id = text_param(article_id, "article_id") or ""
        with pool.store() as store:
            data = views.article(store, article_id) if article_id else None
        if data is None:
            raise HTTPException(404, f"no article {article_id!r}")
        return render("article.html", request, **data)


def _map_src(params: dict[str, Any]) -> str:
    """The URL of the map (`/map.svg`) of the events that `params` select on the events page."""
    return url_with("/map.svg", {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in params.items()
                                 if k not in ("offset", "limit", "order")})


def _background_text(value: bool | None) -> str:
    """A chart page's background choice as its query value: false, true, all."""
    return "all" if value is None else str(value).lower()


def _period_end(period: str, by: str) -> str:
    """The last day of the period starting on `period`."""
    from datetime import date

    from tidings.analysis.queries import next_period

    start = date.fromisoformat(period)
    return date.fromordinal(next_period(start, by).toordinal() - 1).isoformat()
