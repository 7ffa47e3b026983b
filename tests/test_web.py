"""The web UI and JSON API over a real DuckDB database made by ingesting articles written here.

Assertions compare what the pages show with what the store says, so they hold whatever the
extraction stages find, and fail when a page drops, garbles or mis-escapes the data.
"""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402

from tidings.ingest_run import IngestSettings, run_ingest  # noqa: E402
from tidings.store import EventFilter, open_store  # noqa: E402
from tidings.web import create_app  # noqa: E402

# A 2022 story that recalls 2014 (a background event).
RECALLS_2014 = Path(__file__).resolve().parent / "data" / "2022-01-20-recalls-2014.txt"

PWNED = "window.__pwned=1"
XSS_TITLE = 'Kremlin <script>window.__pwned=1;document.title="pwned"</script> talks'

CORPUS = {
    "2022-01-10-geneva-talks.txt": (
        "Russia and United States hold talks in Geneva\n\n"
        "GENEVA — Russian Deputy Foreign Minister Sergei Ryabkov met U.S. Deputy Secretary of State "
        "Wendy Sherman in Geneva on Monday for talks on European security, the State Department said.\n\n"
        "Ryabkov told reporters the talks were \"difficult but professional\" and that Moscow demanded "
        "guarantees that NATO would not expand further east.\n\n"
        "Ukraine accused Russia of massing troops near its border. The United States warned Russia that "
        "it would impose sanctions if it attacked Ukraine.\n"),
    "2022-02-03-turkey-mediation.txt": (
        "Erdogan offers to mediate between Russia and Ukraine\n\n"
        "KYIV — Turkish President Recep Tayyip Erdogan visited Kyiv on Thursday and offered to host talks "
        "between Russia and Ukraine, officials said.\n\n"
        "Ukrainian President Volodymyr Zelenskiy thanked Turkey for its support and signed an agreement on "
        "free trade with Erdogan.\n\n"
        "\"We are ready to do our part,\" Erdogan told a news conference.\n"),
    "2022-03-04-shelling.txt": (
        "Russian forces shell Ukrainian city of Kharkiv\n\n"
        "KHARKIV — Russian troops shelled residential districts of Kharkiv on Friday, killing at least "
        "nine civilians, Ukrainian officials said.\n\n"
        "The European Union imposed new sanctions on Russia on Friday and the United Nations called for "
        "a ceasefire. Ukraine's foreign minister Dmytro Kuleba accused Moscow of war crimes.\n"),
    # Untrusted text: markup, event handlers and javascript: links that must stay inert.
    "2022-03-07-xss-probe.txt": (
        f"{XSS_TITLE}\n\n"
        "MOSCOW — Russia accused Ukraine of attacking a border post on Monday "
        "<script>window.__pwned=1;document.title='pwned';alert('xss')</script> officials said.\n\n"
        "Ukraine rejected the claim <img src=x onerror=\"window.__pwned=1;alert(1)\"> and called on "
        "Russia to stop <b onclick=\"window.__pwned=1\">shelling</b> its cities.\n\n"
        "See <a href=\"javascript:window.__pwned=1\">this link</a> and "
        "<svg onload=\"window.__pwned=1\"></svg> for more.\n"),
    "2022-03-08-xss-html.html": (
        "<html><head><title>Poland &lt;script&gt;window.__pwned=1&lt;/script&gt; offers jets</title></head>"
        "<body><article><h1>Poland &lt;script&gt;window.__pwned=1&lt;/script&gt; offers jets</h1>"
        "<p>WARSAW — Poland offered on Tuesday to send its MiG-29 fighter jets to Ukraine, the "
        "government said &lt;img src=x onerror=\"window.__pwned=1\"&gt; in a statement.</p>"
        "<p>The Pentagon rejected the Polish offer, saying it raised serious concerns for NATO. "
        "&lt;a href=\"javascript:window.__pwned=1\"&gt;click&lt;/a&gt;</p>"
        "<script>window.__pwned=1</script></article></body></html>"),
}


def write_corpus(folder: Path) -> list[str]:
    """Write the test articles (plus one empty, failing input) into `folder`; return the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in CORPUS.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    empty = folder / "empty.txt"
    empty.write_text("", encoding="utf-8")
    paths.append(str(empty))
    return paths


def build_db(folder: Path) -> str:
    db = str(folder / "web.duckdb")
    run_ingest(write_corpus(folder / "corpus"), IngestSettings(db=db, workers=1))
    return db


@pytest.fixture(scope="session")
def web_db(tmp_path_factory) -> str:
    return build_db(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="session")
def web_client(web_db):
    with TestClient(create_app(web_db)) as client:
        yield client


@pytest.fixture(scope="session")
def web_store_rows(web_db):
    with open_store(web_db, read_only=True) as store:
        events = store.events(EventFilter(limit=None))
        stats = store.stats()
        actors = store.actors()
        ids = [r[0] for r in store.backend.query("SELECT id FROM articles WHERE status = 'ok' ORDER BY id")[1]]
    return {"events": events, "stats": stats, "actors": actors, "ids": ids}


class _Tags(HTMLParser):
    """Every start tag and attribute of a page (to look for injected markup)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def assert_inert(html: str) -> None:
    """No script but our own, no event-handler attribute, no javascript: URL, no injected img/svg/frame
    (the one frame allowed is our world map's)."""
    for tag, attrs in tags_of(html):
        if tag == "script":
            assert attrs.get("src") == "/static/app.js" or attrs.get("type") == "application/json", attrs
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert not any((value or "").strip().lower().startswith("javascript:") for value in attrs.values()), attrs
        if tag == "iframe" and attrs.get("class") == "map" and (attrs.get("src") or "").startswith("/map.svg"):
            continue  # our own world map (a script-free SVG document of this server), framed by the pages
        assert tag not in ("img", "iframe", "object", "embed"), (tag, attrs)


# -- database ---------------------------------------------------------------------------------

def test_corpus_was_ingested_with_events_and_an_error(web_store_rows):
    stats = web_store_rows["stats"]
    assert stats["articles"]["ok"] == len(CORPUS)
    assert stats["articles"].get("error", 0) >= 1
    assert stats["events"] > 0


# -- pages --------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/events", "/articles", "/actors", "/quotes", "/dyad", "/network",
                                  "/actor?a=Russia", "/dyad?a=Russia&b=Ukraine&by=month"])
def test_every_page_renders_as_html_with_security_headers(web_client, path):
    response = web_client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert_inert(response.text)
    assert "cdn" not in response.text.lower()


def test_overview_shows_the_store_counts_and_the_ingest_error(web_client, web_store_rows):
    html = web_client.get("/").text
    stats = web_store_rows["stats"]
    assert f"<b>{stats['events']}</b> events" in html
    assert f"<b>{stats['articles']['total']}</b> articles" in html
    assert "empty file" in html  # the failing input and its reason
    assert "<svg" in html  # the timeline


def test_events_page_lists_each_event_with_a_link_to_its_sentence(web_client, web_store_rows):
    html = web_client.get("/events?limit=1000").text
    for event in web_store_rows["events"]:
        link = f'/articles/{quote(event["article_id"])}#ev-{event["event"]}'
        assert link in html


def test_events_filter_by_type_shows_only_that_type(web_client, web_store_rows):
    event_type = web_store_rows["events"][0]["type"]
    data = web_client.get("/api/events", params={"type": event_type, "limit": 1000}).json()
    expected = [e for e in web_store_rows["events"] if e["type"] == event_type]
    assert len(data["items"]) == len(expected)
    assert {r["type"] for r in data["items"]} == {event_type}
    html = web_client.get("/events", params={"type": event_type.lower()}).text
    other = {e["type"] for e in web_store_rows["events"]} - {event_type}
    for other_type in other:
        assert f'<span class="type">{other_type}</span>' not in html


def test_events_date_range_and_text_filters(web_client, web_store_rows):
    dated = [e for e in web_store_rows["events"] if e["date"]]
    day = dated[0]["date"]
    rows = web_client.get("/api/events", params={"since": day, "until": day, "limit": 1000}).json()["items"]
    assert rows and all(r["date"] == day for r in rows)
    assert len(rows) == sum(1 for e in dated if e["date"] == day)
    word = web_store_rows["events"][0]["trigger"]
    rows = web_client.get("/api/events", params={"text": word, "limit": 1000}).json()["items"]
    assert rows and all(word.lower() in r["sentence"].lower() for r in rows)


def test_events_are_paginated_and_sorted(web_client, web_store_rows):
    total = len(web_store_rows["events"])
    assert total >= 3
    first = web_client.get("/api/events", params={"limit": 2, "order": "date"}).json()
    second = web_client.get("/api/events", params={"limit": 2, "offset": 2, "order": "date"}).json()
    assert first["next"] is not None
    assert len(first["items"]) == 2
    keys = [(r["article_id"], r["event"]) for r in first["items"] + second["items"]]
    assert len(set(keys)) == len(keys)
    newest = web_client.get("/api/events", params={"limit": 1000, "order": "-date"}).json()["items"]
    dates = [r["date"] for r in newest if r["date"]]
    assert dates == sorted(dates, reverse=True)
    html = web_client.get("/events", params={"limit": 2}).text
    assert 'rel="next"' in html


def test_bad_filters_are_client_errors_not_crashes(web_client):
    for params in ({"since": "yesterday"}, {"order": "sideways"}, {"factuality": "maybe"},
                   {"limit": 0}, {"actor": "a\x00b"}):
        response = web_client.get("/api/events", params=params)
        assert 400 <= response.status_code < 500, (params, response.status_code)
    assert web_client.get("/events", params={"since": "2022-13-45"}).status_code == 400
    assert web_client.get("/articles/no-such-article").status_code == 404
    assert web_client.get("/api/articles/no-such-article").status_code == 404


def test_csv_download_has_every_filtered_row(web_client, web_store_rows):
    for url, params in (("/api/events.csv", {}), ("/api/events", {"format": "csv"})):
        response = web_client.get(url, params=params)  # no limit: every row, however many
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert len(rows) == len(web_store_rows["events"])
        assert {"type", "source", "target", "sentence", "article_id"} <= set(rows[0])
        limited = list(csv.DictReader(io.StringIO(web_client.get(url, params={**params, "limit": 3}).text)))
        assert limited == rows[:3]  # a given limit is honoured
    event_type = web_store_rows["events"][0]["type"]
    rows = list(csv.DictReader(io.StringIO(web_client.get("/api/events.csv", params={"type": event_type}).text)))
    assert rows and {r["type"] for r in rows} == {event_type}
    for table in ("quotes", "actors"):
        response = web_client.get(f"/api/{table}.csv")
        assert response.status_code == 200 and response.text.count("\n") >= 1


def test_csv_cells_cannot_start_a_spreadsheet_formula(web_client):
    from tidings.web.app import _csv_cell

    assert _csv_cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert _csv_cell("@SUM(A1)").startswith("'")
    assert _csv_cell(-3) == -3 and _csv_cell("Russia") == "Russia"


def test_article_reader_highlights_the_annotations_from_their_offsets(web_client, web_db):
    with open_store(web_db, read_only=True) as store:
        article_id = store.events(EventFilter(limit=1, order="article"))[0]["article_id"]
        result = store.article(article_id)
    html = web_client.get(f"/articles/{quote(article_id)}").text
    text_html = html.split('id="article-text">', 1)[1].split("</div>", 1)[0]
    # The marked-up text, with tags removed and entities decoded, is the article text.
    import html as html_lib

    assert html_lib.unescape(re.sub(r"<[^>]+>", "", text_html)) == result.text
    for index, event in enumerate(result.events):
        assert f'id="ev-{index}"' in text_html
        trigger = re.search(r'<span class="([^"]*\bt\b[^"]*)" data-a="[^"]*">' + re.escape(
            html_lib.escape(result.text[event.trigger.start:event.trigger.end][:3], quote=False)), text_html)
        assert trigger is not None
    assert ('class="m' in text_html or 'm"' in text_html) == bool(result.mentions)
    annotations = re.search(r'<script type="application/json" id="annotations">(.*?)</script>', html, re.S)
    import json

    data = json.loads(annotations.group(1))
    kinds = {a["kind"] for a in data}
    assert "trigger" in kinds
    assert {a["rule"] for a in data if a["kind"] == "trigger"} == {e.rule for e in result.events}


def test_article_markup_escapes_every_piece_of_text():
    from tidings.records import ArticleResult, Event, Mention, Participant, Span
    from tidings.web.markup import mark_up

    text = 'A <script>x()</script> B & "C" <img onerror=y>'
    start = text.index("<script>")
    result = ArticleResult(
        id="x", text=text,
        mentions=[Mention(text="A", start=0, end=1), Mention(text="bad", start=5, end=999)],
        events=[Event(type="ACCUSE", trigger=Span(text=text[start:start + 8], start=start, end=start + 8),
                      sentence=Span(text=text, start=0, end=len(text)), rule="r1",
                      source=[Participant(text="A", start=0, end=1)])])
    marked = mark_up(result)
    assert "<script>" not in marked.html and "<img" not in marked.html
    assert "&lt;script&gt;" in marked.html and "&amp;" in marked.html
    import html as html_lib

    assert html_lib.unescape(re.sub(r"<[^>]+>", "", str(marked.html))) == text
    assert len(marked.annotations) == 4  # the out-of-range mention is dropped


def test_untrusted_text_is_escaped_on_every_page(web_client, web_db):
    with open_store(web_db, read_only=True) as store:
        probes = [r["id"] for r in store.backend.rows("SELECT id FROM articles WHERE text LIKE '%<script>%'"
                                                       " OR title LIKE '%<script>%'")]
    assert probes, "the probe articles kept their markup as text"
    pages = [f"/articles/{quote(i)}" for i in probes]
    pages += ["/", "/articles", "/events?limit=1000", "/quotes?limit=1000", "/actors?limit=1000",
              "/actor?a=Russia", "/network"]
    for page in pages:
        html = web_client.get(page).text
        assert_inert(html)
        assert "<script>window.__pwned" not in html
    reader = web_client.get(pages[0]).text
    assert "&lt;script&gt;" in reader


def test_json_api_matches_the_store(web_client, web_store_rows):
    stats = web_client.get("/api/stats").json()
    assert stats["events"] == web_store_rows["stats"]["events"]
    article_id = web_store_rows["ids"][0]
    data = web_client.get(f"/api/articles/{quote(article_id)}").json()
    assert data["id"] == article_id and "events" in data and "text" in data
    listing = web_client.get("/api/articles", params={"limit": 100}).json()["items"]
    assert {r["id"] for r in listing} >= set(web_store_rows["ids"])
    overview = web_client.get("/api/overview").json()
    # the chart counts the dated events that are not background, over the periods holding 98% of them
    current = [e for e in web_store_rows["events"] if e["date"] and not e["background"]]
    axis = overview["axis"]
    assert axis["events"] == len(current)
    assert sum(t["total"] for t in overview["timeline"]) + axis["before"] + axis["after"] == len(current)
    assert axis["before"] + axis["after"] <= 0.02 * len(current)
    assert overview["timeline_range"][0] == overview["timeline"][0]["period"] == axis["first"]
    actors = web_client.get("/api/actors", params={"limit": 1000}).json()["items"]
    assert len(actors) == len(web_store_rows["actors"])


def test_dyad_api_series_agrees_with_its_event_list(web_client):
    dyads = web_client.get("/api/dyads", params={"limit": 5}).json()["items"]
    if not dyads:
        pytest.skip("the extraction found no source→target pairs in the test corpus")
    top = dyads[0]
    series = web_client.get("/api/dyad", params={"a": top["source"], "b": top["target"], "by": "day"}).json()
    total = sum(r["total"] for r in series["series"])
    events = web_client.get("/api/events", params={"a": top["source"], "b": top["target"], "limit": 1000}).json()
    assert total == sum(1 for r in events["items"] if r["date"])
    assert total >= top["events"]
    html = web_client.get("/dyad", params={"a": top["source"], "b": top["target"], "by": "day"}).text
    assert 'class="bar"' in html and "/events?a=" in html


def test_actor_and_network_pages_link_to_their_events(web_client):
    dyads = web_client.get("/api/dyads", params={"limit": 5}).json()["items"]
    if not dyads:
        pytest.skip("the extraction found no source→target pairs in the test corpus")
    net = web_client.get("/api/network").json()
    assert {n["id"] for n in net["nodes"]} >= {dyads[0]["source"], dyads[0]["target"]}
    html = web_client.get("/network").text
    assert "<svg" in html and 'class="node"' in html and 'class="edge"' in html
    actor = web_client.get("/api/actor", params={"a": dyads[0]["source"]}).json()
    assert any(c["actor"] == dyads[0]["target"] for c in actor["counterparts"])


def test_openapi_schema_lists_the_api_and_no_docs_from_a_cdn(web_client):
    schema = web_client.get("/api/openapi.json").json()
    for path in ("/api/events", "/api/events.csv", "/api/articles/{article_id}", "/api/dyad", "/api/network",
                 "/api/actor", "/api/overview", "/api/ingest"):
        assert path in schema["paths"], path
    docs = web_client.get("/docs")
    assert docs.status_code == 200 and "/static/swagger-ui/swagger-ui-bundle.js" in docs.text
    assert "http://" not in docs.text and "https://" not in docs.text  # nothing from a CDN
    assert web_client.get("/static/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_static_assets_are_served_from_the_package(web_client):
    response = web_client.get("/static/app.js")
    assert response.status_code == 200 and "textContent" in response.text
    assert "innerHTML" not in response.text
    assert web_client.get("/static/style.css").status_code == 200


# -- write endpoint ---------------------------------------------------------------------------

def test_ingest_endpoint_is_off_without_a_token(web_client):
    response = web_client.post("/api/ingest", json={"text": "Russia attacked Ukraine."})
    assert response.status_code == 403


def test_aggregate_pages_are_computed_again_after_a_write(tmp_path, web_db):
    """The overview, actor, dyad and network data are kept per state of the data
    (_State.cached): a new article changes what they show at once."""
    import shutil

    db = str(tmp_path / "copy.duckdb")
    shutil.copy(web_db, db)
    with TestClient(create_app(db, token="s3cret")) as client:
        def totals():
            overview = client.get("/api/overview").json()
            actor = client.get("/api/actor", params={"a": "RUS"}).json()
            edges = client.get("/api/network").json()["edges"]
            return (overview["stats"]["events"], sum(r["total"] for r in actor["timeline"]),
                    sum(e["events"] for e in edges))
        before = totals()
        assert totals() == before  # the same state: the same answer (from the cache)
        body = {"text": "Russia attacks Ukraine\n\nKYIV — Russian troops attacked Ukrainian positions near"
                        " Kharkiv on Monday, the Ukrainian army said. Russia also accused Ukraine of shelling"
                        " Belgorod.\n", "title": "Russia attacks", "published": "2022-01-17"}
        response = client.post("/api/ingest", json=body, headers={"Authorization": "Bearer s3cret"})
        assert response.status_code == 201, response.text
        after = totals()
        assert after[0] > before[0] and after[1] > before[1], (before, after)


def test_ingest_endpoint_needs_the_bearer_token(tmp_path, web_db):
    import shutil

    db = str(tmp_path / "copy.duckdb")
    shutil.copy(web_db, db)
    with TestClient(create_app(db, token="s3cret")) as client:
        body = {"text": "Russia hands over prisoners\n\nKYIV — Russia on Monday handed over 50 prisoners to "
                        "Ukraine, the Ukrainian government said.\n", "title": "Prisoners <b>handed</b> over",
                "published": "2022-04-01", "url": "https://example.org/a"}
        assert client.post("/api/ingest", json=body).status_code == 401
        assert client.post("/api/ingest", json=body, headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.post("/api/ingest", json={"url": "x"},
                           headers={"Authorization": "Bearer s3cret"}).status_code in (400, 422)
        before = client.get("/api/stats").json()["articles"]["total"]
        response = client.post("/api/ingest", json=body, headers={"Authorization": "Bearer s3cret"})
        assert response.status_code == 201, response.text
        data = response.json()
        assert data["status"] == "ok" and data["inserted"] == 1
        assert client.get("/api/stats").json()["articles"]["total"] == before + 1
        stored = client.get(f"/api/articles/{quote(data['id'])}").json()
        assert stored["published"] == "2022-04-01"
        page = client.get(data["url"]).text
        assert "&lt;b&gt;handed&lt;/b&gt;" in page or "Prisoners" in page
        assert_inert(page)
        again = client.post("/api/ingest", json=body, headers={"Authorization": "Bearer s3cret"}).json()
        assert again["already_present"] == 1 and again["id"] == data["id"]


# -- every API operation with generated parameters: no server errors ------------------------------

def test_api_operations_never_answer_5xx_to_generated_parameters(web_client):
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings

    schema = schemathesis.openapi.from_asgi("/api/openapi.json", web_client.app)
    failures, calls = [], []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() != "GET":
            continue

        @settings(max_examples=25, deadline=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(operation.as_strategy())
        def check(case):
            response = case.call()
            calls.append(response.status_code)
            if response.status_code >= 500:
                failures.append((operation.path, case.query, response.status_code, response.text[:200]))

        check()
    assert len(calls) > 100
    assert not failures, failures[:5]


def test_serve_answers_on_localhost_and_stops(web_db):
    import signal
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code = f"from tidings.web import serve; serve({web_db!r}, port={port}, log_level='warning')"
    process = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.stderr.read().decode()
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/stats", timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the server did not answer"
                time.sleep(0.1)
        assert response.status_code == 200 and response.json()["events"] >= 0
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
    assert process.returncode == 0


NASTY = ["'", "%", "a\x00b", "é" * 600, "-1", "2022-02-30", "IGO ",
         "\ud800".encode("utf-8", "surrogatepass").decode("latin-1")]


@pytest.mark.parametrize("page", ["/", "/events", "/articles", "/actors", "/quotes", "/actor", "/dyad", "/network"])
def test_pages_answer_odd_parameters_without_server_errors(web_client, page):
    names = ["actor", "source", "target", "country", "sector", "type", "mode", "factuality", "quad_class",
             "since", "until", "article", "text", "order", "limit", "offset", "a", "b", "by", "status",
             "directed", "merged"]
    for name in names:
        for value in NASTY:
            response = web_client.get(page, params={name: value})
            assert response.status_code < 500, (page, name, value, response.text[:200])


# -- merged events ----------------------------------------------------------------------------
def build_copies_db(folder: Path) -> str:
    """Two copies of one story (one credited to a second publisher): every event reported twice."""
    corpus = folder / "copies"
    corpus.mkdir()
    text = CORPUS["2022-01-10-geneva-talks.txt"]
    (corpus / "2022-01-10-first.txt").write_text(text, encoding="utf-8")
    (corpus / "wire_2022-01-11_copy.txt").write_text(text + "\nThis story first appeared on another site.\n",
                                                      encoding="utf-8")
    db = str(folder / "copies.duckdb")
    run_ingest([str(corpus)], IngestSettings(db=db, workers=1))
    return db


def test_report_counts_link_to_every_report_of_the_event(tmp_path):
    db = build_copies_db(tmp_path)
    with TestClient(create_app(db)) as client:
        merged = client.get("/api/events", params={"limit": 500, "merged": "true"}).json()["items"]
        shared = next(row for row in merged if row["num_articles"] == 2)
        page = client.get("/events", params={"merged": "true"}).text
        link = f'href="/reports?group={quote(shared["group_id"], safe="")}"'
        assert link in page
        data = client.get("/api/reports", params={"group": shared["group_id"]}).json()
        assert (data["num_mentions"], data["num_articles"], data["type"]) == \
            (shared["num_mentions"], 2, shared["type"])
        reports = data["reports"]
        assert len(reports) == shared["num_mentions"]
        assert {r["published"][:10] for r in reports} == {"2022-01-10", "2022-01-11"}  # dates from both file names
        assert all(r["sentence"] and r["attribution_kind"] and r["article_title"] for r in reports)
        assert [r["copy_of"] for r in reports] == [None, reports[0]["article_id"]]  # the copy adds no source
        html = client.get("/reports", params={"group": shared["group_id"]}).text
        assert html.count('<tr class="report">') == len(reports)
        for r in reports:
            assert f'/articles/{quote(r["article_id"], safe="")}#ev-{r["event"]}' in html
        # the same reports through the events filter
        listed = client.get("/api/events", params={"group": shared["group_id"], "limit": 500}).json()["items"]
        assert sorted((r["article_id"], r["event"]) for r in listed) == \
            sorted((r["article_id"], r["event"]) for r in reports)
        assert "group=" in client.get("/events", params={"group": shared["group_id"]}).text
        # bad input: a clear error
        assert client.get("/reports", params={"group": "no-such-group"}).status_code == 404
        assert client.get("/api/reports", params={"group": "no-such-group"}).json()["error"]["message"].startswith("no event")
        assert client.get("/reports").status_code == 400
        assert client.get("/api/reports", params={"group": "   "}).status_code == 400


def test_merged_events_list_each_event_once_with_its_reports(tmp_path):
    """Two copies of one story: with merged=true the events page, its API and the dyad listing
    show each event once, with how many reports, articles and sources it has."""
    folder = tmp_path / "copies"
    folder.mkdir()
    text = CORPUS["2022-01-10-geneva-talks.txt"]
    (folder / "2022-01-10-first.txt").write_text(text, encoding="utf-8")
    (folder / "2022-01-10-copy.txt").write_text(text + "\nThis story first appeared on another site.\n", encoding="utf-8")
    db = str(tmp_path / "merged.duckdb")
    run_ingest([str(folder)], IngestSettings(db=db, workers=1))
    with TestClient(create_app(db)) as client:
        raw = client.get("/api/events", params={"limit": 500}).json()["items"]
        merged = client.get("/api/events", params={"limit": 500, "merged": "true"}).json()["items"]
        assert raw and "num_articles" not in raw[0]
        assert 0 < len(merged) < len(raw)
        assert all(row["num_mentions"] >= 1 for row in merged)
        assert any(row["num_articles"] == 2 for row in merged)
        assert sum(row["num_mentions"] for row in merged) == len(raw)
        dyad_raw = client.get("/api/events", params={"a": "RUS", "b": "USA", "limit": 500}).json()["items"]
        dyad_merged = client.get("/api/events", params={"a": "RUS", "b": "USA", "limit": 500,
                                                        "merged": "true"}).json()["items"]
        assert 0 < len(dyad_merged) < len(dyad_raw)
        page = client.get("/events", params={"merged": "true"})
        assert page.status_code == 200
        assert "2 articles" in page.text and 'name="merged" value="true" checked' in page.text
        assert "2 articles" not in client.get("/events").text


@pytest.fixture(scope="module")
def recalls_2014_db(tmp_path_factory) -> str:
    """A database holding one 2022 story that recalls 2014 (a background event)."""
    folder = tmp_path_factory.mktemp("recalls")
    db = str(folder / "recalls.duckdb")
    run_ingest([str(RECALLS_2014)], IngestSettings(db=db, workers=1))
    return db


def test_background_filter_keeps_or_drops_earlier_facts(recalls_2014_db):
    with TestClient(create_app(recalls_2014_db)) as client:
        every = client.get("/api/events", params={"limit": 500}).json()["items"]
        current = client.get("/api/events", params={"limit": 500, "background": "false"}).json()["items"]
        earlier = client.get("/api/events", params={"limit": 500, "background": "true"}).json()["items"]
        assert earlier and current
        assert all(row["background"] for row in earlier) and not any(row["background"] for row in current)
        assert len(current) + len(earlier) == len(every)
        assert client.get("/api/events", params={"background": ""}).status_code == 200
        assert client.get("/api/events", params={"background": "maybe"}).status_code == 400
        page = client.get("/events", params={"background": "false"})
        assert page.status_code == 200 and '<option value="false" selected>' in page.text


def test_dyad_series_can_leave_out_background_events(recalls_2014_db):
    """A 2022 story that recalls 2014: with background=false the series starts in 2022."""
    with TestClient(create_app(recalls_2014_db)) as client:
        every = client.get("/api/dyad", params={"a": "RUS", "b": "UKR", "by": "month", "background": "all",
                                                "full": "true"}).json()["series"]
        current = client.get("/api/dyad", params={"a": "RUS", "b": "UKR", "by": "month",
                                                  "background": "false"}).json()["series"]
        default = client.get("/api/dyad", params={"a": "RUS", "b": "UKR", "by": "month"}).json()["series"]
        assert every[0]["period"] < "2015" and current[0]["period"] >= "2022"
        assert default == current  # background events are left out by default
        assert sum(r["total"] for r in current) < sum(r["total"] for r in every)
        page = client.get("/dyad", params={"a": "RUS", "b": "UKR", "by": "month", "background": "false"})
        assert page.status_code == 200 and "background=false" in page.text
        assert client.get("/api/dyad", params={"a": "RUS", "b": "UKR", "background": "maybe"}).status_code == 400


@pytest.fixture(scope="module")
def stray_2014_db(tmp_path_factory) -> str:
    """120 RUS → UKR events of January-March 2022 and one of 2014 that is not flagged background
    (an undated article's, say): the data a lone old date used to squeeze into a sliver."""
    from tidings.records import ArticleResult, Event, Participant, Span
    from tidings.store import open_store

    db = str(tmp_path_factory.mktemp("stray") / "stray.duckdb")

    def event(day: str) -> Event:
        return Event(type="ACCUSE", trigger=Span("accused", 7, 14), sentence=Span("x", 0, 40), rule="accuse.verb",
                     source=[Participant("Russia", 0, 6, "RUS", None, "Russia")],
                     target=[Participant("Ukraine", 15, 22, "UKR", None, "Ukraine")], date=day)

    days = [f"2022-{1 + i % 3:02d}-{1 + i % 28:02d}" for i in range(120)] + ["2014-05-02"]
    results = [ArticleResult(id=f"a{i}", text=f"Russia accused Ukraine of shelling, report {i}.", title=f"t{i}",
                             published=None if day < "2015" else day, status="ok", content_hash=f"h{i}",
                             events=[event(day)]) for i, day in enumerate(days)]
    with open_store(db) as store:
        store.save(results)
    return db


def test_a_lone_old_event_does_not_stretch_the_time_axis(stray_2014_db):
    with TestClient(create_app(stray_2014_db)) as client:
        params = {"a": "RUS", "b": "UKR", "by": "month"}
        whole = client.get("/api/dyad", params={**params, "full": "true"}).json()
        assert whole["series"][0]["period"] == "2014-05-01" and len(whole["series"]) > 90
        clipped = client.get("/api/dyad", params=params).json()
        assert [r["period"] for r in clipped["series"]] == ["2022-01-01", "2022-02-01", "2022-03-01"]
        assert (clipped["axis"]["before"], clipped["axis"]["after"], clipped["axis"]["events"]) == (1, 0, 121)
        actor = client.get("/api/actor", params={"a": "RUS"}).json()
        assert actor["timeline"][0]["period"] == "2022-01-01" and actor["axis"]["before"] == 1
        overview = client.get("/api/overview").json()
        assert overview["timeline"][0]["period"] == "2022-01-01"
        # asked for a range, the axis is that range
        ranged = client.get("/api/dyad", params={**params, "since": "2014-01-01"}).json()
        assert ranged["series"][0]["period"] == "2014-01-01" and not ranged["axis"]["clipped"]
        page = client.get("/dyad", params=params).text
        assert "1 earlier event off the axis" in page and "full=true" in page
        assert "1st to 99th percentile" in client.get("/").text


def test_date_presets_count_back_from_the_data_latest_date(stray_2014_db):
    with TestClient(create_app(stray_2014_db)) as client:
        for path, params in (("/events", {}), ("/quotes", {}), ("/network", {}), ("/actor", {"a": "RUS"}),
                             ("/dyad", {"a": "RUS", "b": "UKR"})):
            page = client.get(path, params=params).text
            assert "up to the data's latest (2022-03-28)" in page, path
            assert "since=2022-03-22&amp;until=2022-03-28" in page, path  # last 7 days
            assert "since=2022-02-27&amp;until=2022-03-28" in page, path  # last 30 days
            assert "since=2022-02-01&amp;until=2022-02-28" in page, path  # last month: February
        rows = client.get("/api/events", params={"since": "2022-03-22", "until": "2022-03-28", "limit": 500}).json()["items"]
        assert rows and all("2022-03-22" <= str(r["date"])[:10] <= "2022-03-28" for r in rows)


def test_clip_to_bulk_keeps_the_periods_holding_most_events():
    from tidings.analysis import clip_to_bulk

    rows = [{"period": "2014-01-01", "total": 1}] + [{"period": f"2014-{m:02d}-01", "total": 0} for m in range(2, 13)] \
        + [{"period": f"2022-{m:02d}-01", "total": n} for m, n in ((1, 60), (2, 0), (3, 40))] \
        + [{"period": "2022-04-01", "total": 0}]
    kept, axis = clip_to_bulk(rows)
    assert [r["period"] for r in kept] == ["2022-01-01", "2022-02-01", "2022-03-01"]
    assert (axis["before"], axis["after"], axis["events"], axis["clipped"]) == (1, 0, 101, True)
    few = [{"period": "2022-01-01", "total": 0}, {"period": "2022-02-01", "total": 3}, {"period": "2022-03-01", "total": 0}]
    kept, axis = clip_to_bulk(few)  # too few events to cut any: only the empty ends go
    assert [r["period"] for r in kept] == ["2022-02-01"] and not axis["clipped"]


# -- confidence -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def scored_client(tmp_path_factory):
    """The web app over a database holding one story whose events have confidences 0.9, 0.3 and none."""
    from scored_util import scored_story

    db = str(tmp_path_factory.mktemp("scored") / "scored.duckdb")
    with open_store(db) as store:
        store.save([scored_story()])
    with TestClient(create_app(db)) as client:
        yield client


def _confidences(client, path: str = "/api/events", **params) -> list:
    response = client.get(path, params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    return sorted((row["confidence"] for row in response.json()["items"]), key=lambda c: -1 if c is None else c)


def test_events_api_min_confidence_keeps_only_events_scored_at_least_that(scored_client):
    assert _confidences(scored_client) == [None, 0.3, 0.9]
    assert _confidences(scored_client, min_confidence="0.5") == [0.9]
    assert _confidences(scored_client, min_confidence="0.3") == [0.3, 0.9]
    assert _confidences(scored_client, min_confidence="0") == [0.3, 0.9]  # unscored events left out
    assert _confidences(scored_client, min_confidence="") == [None, 0.3, 0.9]  # a blank form field: no filter
    assert _confidences(scored_client, min_confidence="0.5", merged="true") == [0.9]
    assert _confidences(scored_client, min_confidence="0.5", a="RUS", b="UKR") == [0.9]
    for bad in ("1.5", "-0.1", "nan", "high"):
        response = scored_client.get("/api/events", params={"min_confidence": bad})
        assert response.status_code == 400 and "min_confidence" in response.text, bad
    table = list(csv.DictReader(io.StringIO(scored_client.get("/api/events.csv", params={"min_confidence": "0.25"}).text)))
    assert sorted(row["confidence"] for row in table) == ["0.3", "0.9"]
    [pair] = scored_client.get("/api/dyads", params={"min_confidence": "0.5"}).json()["items"]
    assert (pair["source"], pair["target"], pair["events"]) == ("RUS", "UKR", 1)
    periods = scored_client.get("/api/timeline", params={"min_confidence": "0.5"}).json()["items"]
    assert sum(r["total"] for r in periods) == 1


def test_events_page_filters_by_and_shows_the_confidence(scored_client):
    every = scored_client.get("/events").text
    assert ">0.90<" in every and ">0.30<" in every and ">—<" in every
    page = scored_client.get("/events", params={"min_confidence": "0.5"})
    assert page.status_code == 200
    assert 'name="min_confidence"' in page.text and 'value="0.5"' in page.text
    assert ">0.90<" in page.text and ">0.30<" not in page.text
    first = scored_client.get("/events", params={"min_confidence": "0", "limit": 1}).text
    next_link = re.search(r'<a rel="next" href="([^"]+)"', first).group(1)
    assert "min_confidence=0&" in next_link.replace("&amp;", "&") + "&"  # a threshold of 0 survives paging
    assert scored_client.get("/events", params={"min_confidence": "2"}).status_code == 400


def test_dyad_api_and_page_count_only_events_at_or_above_min_confidence(scored_client):
    def total(**params):
        response = scored_client.get("/api/dyad", params={"a": "RUS", "b": "UKR", "by": "month", **params})
        assert response.status_code == 200, response.text
        return sum(r["total"] for r in response.json()["series"])

    assert (total(), total(min_confidence="0.2"), total(min_confidence="0.5"), total(min_confidence="0.95")) == \
        (3, 2, 1, 0)
    assert scored_client.get("/api/dyad", params={"a": "RUS", "b": "UKR", "min_confidence": "x"}).status_code == 400
    page = scored_client.get("/dyad", params={"a": "RUS", "b": "UKR", "by": "month", "min_confidence": "0.5"})
    assert page.status_code == 200 and 'value="0.5"' in page.text
    links = [href.replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', page.text)]
    behind = [href for href in links if href.startswith(("/events?", "/api/dyad?"))]
    assert behind and all("min_confidence=0.5" in href for href in behind)  # the bars, All events, CSV
    [bar] = [href for href in behind if "quad_class=material" in href]  # the one bar: the ASSAULT
    from urllib.parse import parse_qsl, urlsplit

    assert _confidences(scored_client, **dict(parse_qsl(urlsplit(bar).query))) == [0.9]


def test_article_view_shows_each_events_confidence(scored_client):
    html = scored_client.get("/articles/scored").text
    table = html.split("Events in this article", 1)[1]
    assert [cell for cell in re.findall(r'<td class="confidence">([^<]*)</td>', table)] == ["0.90", "0.30", "—"]
    annotations = re.search(r'<script type="application/json" id="annotations">(.*?)</script>', html, re.S)
    import json

    triggers = [a for a in json.loads(annotations.group(1)) if a["kind"] == "trigger"]
    assert [a["confidence"] for a in triggers] == [0.9, 0.3, None]


def test_reciprocal_events_show_on_dyad_actor_network_and_event_pages(tmp_path):
    """"Germany and Poland signed an agreement" (both sources, no target) is between them everywhere."""
    from test_analysis import RECIPROCAL_ARTICLES, _reciprocal_result

    db = str(tmp_path / "reciprocal.duckdb")
    with open_store(db) as store:
        store.save([_reciprocal_result(*article) for article in RECIPROCAL_ARTICLES])
    with TestClient(create_app(db)) as client:
        events = client.get("/api/events", params={"a": "POL", "b": "DEU", "directed": "true", "raw": "true"}).json()
        assert [e["type"] for e in events["items"]] == ["AGREE"] and events["total"] == 1
        rows = list(csv.DictReader(io.StringIO(client.get("/api/events.csv", params={"a": "DEU", "b": "POL"}).text)))
        assert sorted(r["type"] for r in rows) == ["ACCUSE", "AGREE"]
        series = client.get("/api/dyad", params={"a": "DEU", "b": "POL", "by": "week", "background": "all"}).json()
        assert sum(r["reciprocal"] for r in series["series"]) == 1 and sum(r["total"] for r in series["series"]) == 2
        assert "1 reciprocal" in client.get("/dyad", params={"a": "DEU", "b": "POL", "background": "all"}).text
        dyads = {(d["source"], d["target"]): d for d in client.get("/api/dyads").json()["items"]}
        assert dyads["POL", "DEU"]["reciprocal"] == 1
        counterpart = client.get("/api/actor", params={"a": "POL", "background": "all"}).json()["counterparts"]
        assert [(c["actor"], c["from"], c["reciprocal"], c["events"]) for c in counterpart] == [("DEU", 1, 1, 2)]
        network = client.get("/network").text
        assert "a=POL&amp;b=DEU&amp;directed=true" in network  # an edge lists its events, reciprocal ones too
