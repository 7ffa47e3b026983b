"""Fetching pages and feeds over real HTTP: a fake news site on localhost (tests/httpserver_util.py),
and the web app's write endpoint (POST /api/ingest) served by uvicorn on localhost."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from httpserver_util import LAST_MODIFIED, LiveApp, NewsServer, SlowLorisServer, article, atom_feed, rss_feed

from tidings.ingest.feeds import FeedError, is_feed, iter_feed_documents, iter_web_documents, parse_feed
from tidings.ingest.web import USER_AGENT, Fetcher, FetchSettings, document_from_fetch, iter_url_documents

FAST = FetchSettings(timeout=1.0, per_host_delay=0.0, backoff=0.05, max_bytes=100_000, max_redirects=4)


@pytest.fixture()
def site() -> Iterator[NewsServer]:
    with NewsServer() as server:
        yield server


@pytest.fixture()
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(FAST) as f:
        yield f


# --- pages and errors ----------------------------------------------------------------------

def test_page_becomes_html_document_with_url_and_fetch_date(site, fetcher):
    [doc] = iter_url_documents([site.url("/page")], fetcher)
    assert doc.error is None
    assert doc.kind == "html"
    assert doc.url == site.url("/page")
    assert b"A page fetched directly." in doc.raw
    assert doc.meta["encoding"] == "utf-8"
    assert doc.fetched == time.strftime("%Y-%m-%d", time.gmtime())


def test_every_request_carries_the_project_user_agent(site, fetcher):
    list(iter_url_documents([site.url("/page"), site.url("/plain.txt"), site.url("/missing")], fetcher))
    agents = {r.headers.get("User-Agent") for r in site.log.requests}
    assert agents == {USER_AGENT}
    assert USER_AGENT == "tidings/0.1 (+https://github.com/tidings-project/tidings)"


def test_content_type_decides_document_kind(site, fetcher):
    text, pdf = iter_url_documents([site.url("/plain.txt"), site.url("/paper.pdf")], fetcher)
    assert text.kind == "text" and text.error is None
    assert pdf.error == "unsupported content type: application/pdf"


def test_missing_page_is_error_document(site, fetcher):
    [doc] = iter_url_documents([site.url("/missing")], fetcher)
    assert doc.error == "HTTP 404"
    assert doc.raw == b""


def test_robots_txt_blocks_disallowed_path_without_requesting_it(site, fetcher):
    [doc] = iter_url_documents([site.url("/private/memo.html")], fetcher)
    assert doc.error == "blocked by robots.txt"
    assert "/private/memo.html" not in site.log.paths()


def test_robots_txt_is_fetched_once_per_host(site, fetcher):
    list(iter_url_documents([site.url("/page"), site.url("/plain.txt"), site.url("/private/memo.html")], fetcher))
    assert site.log.hits["/robots.txt"] == 1


def test_robots_can_be_ignored_when_asked(site):
    with Fetcher(FetchSettings(per_host_delay=0.0, respect_robots=False)) as f:
        result = f.fetch(site.url("/private/memo.html"))
    assert result.error is None and result.status == 200
    assert "/robots.txt" not in site.log.paths()


def test_slow_endpoint_times_out(site, fetcher):
    start = time.monotonic()
    [doc] = iter_url_documents([site.url("/slow")], fetcher)
    assert doc.error == "timeout after 1s"
    assert time.monotonic() - start < 2.5


def test_server_error_is_retried_until_it_succeeds(site, fetcher):
    result = fetcher.fetch(site.url("/flaky"))
    assert result.error is None and result.status == 200
    assert site.log.hits["/flaky"] == 3
    assert result.attempts == 3


def test_persistent_server_error_gives_up_after_the_retries(site, fetcher):
    result = fetcher.fetch(site.url("/broken"))
    assert result.error == "HTTP 503"
    assert site.log.hits["/broken"] == FAST.retries + 1


def test_too_many_requests_waits_for_retry_after(site, fetcher):
    result = fetcher.fetch(site.url("/limited"))
    assert result.error is None and result.status == 200
    first, second = [r.at for r in site.log.requests if r.path == "/limited"]
    assert second - first >= 0.95  # Retry-After: 1, not the 0.05 s backoff


def test_retry_after_beyond_the_limit_is_not_waited_for(site, fetcher):
    start = time.monotonic()
    result = fetcher.fetch(site.url("/limited-long"))
    assert result.error.startswith("HTTP 429")
    assert "Retry-After 3600s" in result.error
    assert time.monotonic() - start < 1


def test_redirect_is_followed_to_final_url(site, fetcher):
    [doc] = iter_url_documents([site.url("/moved")], fetcher)
    assert doc.error is None
    assert doc.url == site.url("/page")
    assert doc.origin == site.url("/moved")


def test_redirect_loop_stops_with_too_many_redirects(site, fetcher):
    [doc] = iter_url_documents([site.url("/loop/a")], fetcher)
    assert doc.error == "too many redirects"
    loop_hits = site.log.hits["/loop/a"] + site.log.hits["/loop/b"]
    assert loop_hits == FAST.max_redirects + 1


@pytest.mark.parametrize("path", ["/big", "/big-stream"])
def test_oversized_page_is_aborted(site, fetcher, path):
    [doc] = iter_url_documents([site.url(path)], fetcher)
    assert doc.error == "response larger than 100000 bytes"
    assert doc.raw == b""


def test_conditional_get_with_etag_gives_not_modified(site, fetcher):
    first = fetcher.fetch(site.url("/cached"))
    assert first.etag == '"v1"' and first.last_modified == LAST_MODIFIED and first.body
    again = fetcher.fetch(site.url("/cached"), etag=first.etag)
    assert again.not_modified and again.status == 304 and again.body == b"" and again.error is None
    assert site.log.requests[-1].headers.get("If-None-Match") == '"v1"'


def test_conditional_get_with_last_modified_gives_not_modified(site, fetcher):
    again = fetcher.fetch(site.url("/cached"), last_modified=LAST_MODIFIED)
    assert again.not_modified
    assert document_from_fetch(again).error == "not modified since the last fetch (HTTP 304)"


def test_unreachable_host_and_bad_scheme_are_errors(fetcher):
    ftp = fetcher.fetch("ftp://example.org/file")
    assert ftp.error.startswith("unsupported URL scheme")
    with Fetcher(FetchSettings(retries=0, per_host_delay=0.0, timeout=1.0)) as f:
        closed = f.fetch("http://127.0.0.1:9/nothing-listens-here")
    assert closed.error.startswith("connection failed")


# --- politeness --------------------------------------------------------------------------

def test_fetch_many_keeps_per_host_concurrency_and_input_order(site):
    settings = FetchSettings(per_host_delay=0.0, per_host_concurrency=2, max_workers=6)
    urls = [site.url(f"/slowish/{i}") for i in range(6)]
    with Fetcher(settings) as f:
        results = list(f.fetch_many(urls))
    assert [r.url for r in results] == urls
    assert all(r.error is None for r in results)
    assert site.log.max_in_flight == 2


def test_per_host_delay_spaces_request_starts(site):
    with Fetcher(FetchSettings(per_host_delay=0.3, max_workers=4)) as f:
        list(f.fetch_many([site.url("/page"), site.url("/plain.txt"), site.url("/news/protest.html")]))
    starts = sorted(r.at for r in site.log.requests)  # robots.txt included: it is a request too
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert len(starts) == 4
    assert min(gaps) >= 0.25


# --- feeds -------------------------------------------------------------------------------

def test_parse_rss_resolves_links_and_keeps_local_dates():
    entries = parse_feed(rss_feed(), "http://news.test/feed.xml")
    first = entries[0]
    assert first.url == "http://news.test/news/talks-stall.html"
    assert first.title == "Talks stall in Vienna"
    assert first.published == "2022-01-18"  # 01:30 +0300 is still the 18th where it was written
    assert first.summary == "Talks stall"
    assert [e.url.rsplit("/", 1)[1] for e in entries] == [
        "talks-stall.html", "ministers-meet.html", "memo.html", "gone.html"]


def test_parse_atom_uses_published_then_updated():
    entries = parse_feed(atom_feed(), "http://news.test/atom.xml")
    assert [(e.url, e.published) for e in entries] == [
        ("http://news.test/news/sanctions.html", "2022-01-21"),
        ("http://news.test/news/protest.html", "2022-01-22"),
    ]
    assert entries[0].summary == "New sanctions."


@pytest.mark.parametrize("body", [b"", b"not a feed {\"json\": true}", b"<html><body><p>page</p></body></html>",
                                  b"<?xml version='1.0'?><rss version='2.0'><channel><item><title>cut"])
def test_malformed_feed_raises_feed_error(body):
    with pytest.raises(FeedError, match="malformed feed"):
        parse_feed(body, "http://news.test/feed.xml")


def test_rss_feed_documents_carry_entry_title_date_and_url(site, fetcher):
    docs = list(iter_feed_documents(site.url("/feed.xml"), fetcher))
    by_title = {d.title: d for d in docs}
    assert set(by_title) == {"Talks stall in Vienna", "Ministers meet in Berlin", "Secret memo", "Gone story"}
    talks = by_title["Talks stall in Vienna"]
    assert talks.error is None and talks.kind == "html"
    assert talks.url == site.url("/news/talks-stall.html")
    assert talks.published == "2022-01-18"
    assert b"Negotiators failed to agree." in talks.raw
    assert talks.meta["feed"] == site.url("/feed.xml")
    assert by_title["Ministers meet in Berlin"].published == "2022-01-19"
    assert by_title["Secret memo"].error == "blocked by robots.txt"
    assert by_title["Gone story"].error == "HTTP 404"


def test_atom_feed_documents(site, fetcher):
    docs = list(iter_feed_documents(site.url("/atom.xml"), fetcher))
    assert [(d.title, d.published, d.error) for d in docs] == [
        ("Sanctions announced", "2022-01-21", None), ("Protest in the capital", "2022-01-22", None)]
    assert all(b"<article>" in d.raw for d in docs)


def test_seen_urls_are_not_fetched_again(site, fetcher):
    seen = {site.url("/news/talks-stall.html"), site.url("/news/gone.html")}
    docs = list(iter_feed_documents(site.url("/feed.xml"), fetcher, seen=seen.__contains__))
    assert {d.title for d in docs} == {"Ministers meet in Berlin", "Secret memo"}
    assert "/news/talks-stall.html" not in site.log.paths()


def test_malformed_feed_gives_one_error_document(site, fetcher):
    [doc] = iter_feed_documents(site.url("/broken.xml"), fetcher)
    assert doc.error.startswith("malformed feed")
    assert doc.url == site.url("/broken.xml")


def test_unreachable_feed_gives_one_error_document(site, fetcher):
    [doc] = iter_feed_documents(site.url("/no-feed-here.xml"), fetcher)
    assert doc.error == "HTTP 404"


def test_is_feed_tells_feeds_from_pages():
    assert is_feed("application/rss+xml", b"")
    assert is_feed("application/atom+xml; charset=utf-8", b"")
    assert is_feed("text/xml", rss_feed())
    assert is_feed(None, atom_feed())
    assert is_feed("application/xml", b"\xef\xbb\xbf<?xml version='1.0'?>\n<rdf:RDF xmlns:rdf='x'>")
    assert not is_feed("text/html", b"<!doctype html><html><body>rss feed</body></html>")
    assert not is_feed("text/xml", b"<?xml version='1.0'?><sitemapindex/>")
    assert not is_feed("application/pdf", b"%PDF")


def test_web_documents_expand_feeds_and_pass_pages_through(site, fetcher):
    docs = list(iter_web_documents([site.url("/feed-as-xml"), site.url("/page")], fetcher))
    assert [d.title for d in docs] == ["Talks stall in Vienna", "Ministers meet in Berlin", "Secret memo",
                                       "Gone story", None]
    assert docs[-1].url == site.url("/page") and docs[-1].error is None


def test_feed_documents_clean_into_articles_with_the_entry_date(site, fetcher):
    from tidings.clean import Cleaner

    docs = [d for d in iter_feed_documents(site.url("/atom.xml"), fetcher) if d.error is None]
    articles = [Cleaner().clean(d) for d in docs]
    assert [a.status for a in articles] == ["ok", "ok"]
    assert [a.published for a in articles] == ["2022-01-21", "2022-01-22"]
    assert "The government announced sanctions." in articles[0].text
    assert articles[0].url == site.url("/news/sanctions.html")


@pytest.mark.parametrize(("status", "blocked"), [(403, True), (401, True), (404, False), (500, False)])
def test_robots_txt_status_decides_when_there_are_no_rules(status, blocked):
    with NewsServer(robots=b"", robots_status=status) as server, Fetcher(FAST) as f:
        result = f.fetch(server.url("/page"))
    assert (result.error == "blocked by robots.txt") is blocked
    assert (result.status == 200) is not blocked


def test_robots_crawl_delay_slows_down_requests_to_that_host():
    robots = b"User-agent: tidings\nCrawl-delay: 1\nDisallow: /private/\n"  # robotparser: whole seconds
    with NewsServer(robots=robots) as server, Fetcher(FAST) as f:
        list(f.fetch_many([server.url("/page"), server.url("/plain.txt")]))
        blocked = f.fetch(server.url("/private/memo.html"))
    first, second = sorted(r.at for r in server.log.requests if r.path != "/robots.txt")
    assert second - first >= 0.95
    assert blocked.error == "blocked by robots.txt"


# --- a total time budget per fetch: slow-loris servers ----------------------------------------
# SlowLorisServer sends one byte every 0.5 s: never slow enough for the 1 s per-read timeout,
# and (padded) minutes long, so only the total budget can end these fetches.

BUDGET = 2.0
SLACK = 1.0
LORIS = FetchSettings(timeout=1.0, total_timeout=BUDGET, per_host_delay=0.0, backoff=0.05)
ROBOTS_OK = (200, "text/plain", b"User-agent: *\nDisallow: /private/\n")
HTML = "text/html; charset=utf-8"


def timed(call, limit: float = BUDGET + SLACK):
    """(what `call()` returns, seconds it took); fails after `limit` s instead of hanging."""
    box: list = []
    start = time.monotonic()
    thread = threading.Thread(target=lambda: box.append(call()), daemon=True)
    thread.start()
    thread.join(limit)
    elapsed = time.monotonic() - start
    assert box, f"still fetching after {elapsed:.1f}s: the total budget of {BUDGET:g}s was not enforced"
    return box[0], elapsed


def loris_routes() -> dict[str, tuple[int, str, bytes]]:
    return {"/robots.txt": ROBOTS_OK, "/slow-page": (200, HTML, article("Slow", "Dribbled.")),
            "/good": (200, HTML, article("Good", "Served at once.")),
            "/other": (200, HTML, article("Other", "Also at once."))}


@pytest.mark.parametrize("dribbled", ["headers", "body"])
def test_a_dribbled_page_is_cut_off_at_the_total_budget_and_its_neighbour_is_kept(dribbled):
    slow = {"headers": {"slow": {"/slow-page"}}, "body": {"slow_body": {"/slow-page"}}}[dribbled]
    with SlowLorisServer(loris_routes(), **slow) as server, Fetcher(LORIS) as f:
        (slow_doc, good_doc), elapsed = timed(
            lambda: list(iter_url_documents([server.url("/slow-page"), server.url("/good")], f)))
    assert slow_doc.error == "timeout: no complete response within 2s"
    assert slow_doc.raw == b"" and slow_doc.url == server.url("/slow-page")
    assert BUDGET - 0.1 <= elapsed < BUDGET + SLACK
    assert good_doc.error is None and b"Served at once." in good_doc.raw


def test_a_dribbled_robots_txt_spends_the_budget_of_the_fetch_that_loads_it():
    with SlowLorisServer(loris_routes(), slow={"/robots.txt"}) as server, Fetcher(LORIS) as f:
        first, elapsed = timed(lambda: f.fetch(server.url("/good")))
        second = f.fetch(server.url("/other"))  # robots.txt unreachable: allow all (logged)
    assert first.error == (f"timeout: no complete response within 2s (loading {server.url('/robots.txt')}"
                           " used it all)")
    assert BUDGET - 0.1 <= elapsed < BUDGET + SLACK
    assert second.ok and b"Also at once." in second.body
    assert server.hits["/robots.txt"] == 1 and server.hits["/good"] == 0


def test_retries_share_the_budget_instead_of_multiplying_it():
    # Each answer is a 503 of 89 bytes dribbled over ~1.3 s: alone it fits the budget, but the
    # four attempts (retries=3) must share it.
    routes = {"/robots.txt": ROBOTS_OK, "/busy": (503, "text/plain", b"")}
    with SlowLorisServer(routes, slow={"/busy"}, interval=0.015, padding_headers=0) as server:
        with Fetcher(LORIS) as f:
            result, elapsed = timed(lambda: f.fetch(server.url("/busy")))
    assert result.error == "timeout: no complete response within 2s"
    assert server.hits["/busy"] == 2  # one whole 503, then the retry that ran out of time
    assert elapsed < BUDGET + SLACK  # backoff waits (0.05 s) are not counted in the budget


def test_feed_and_its_pages_each_get_a_budget():
    feed = (b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
            b"<item><title>Slow</title><link>http://HOST/slow-page</link></item>"
            b"<item><title>Good</title><link>http://HOST/good</link></item></channel></rss>")
    routes = {**loris_routes(), "/feed.xml": (200, "application/rss+xml", feed)}
    with SlowLorisServer(routes, slow_body={"/slow-page"}) as server, Fetcher(LORIS) as f:
        docs, elapsed = timed(lambda: {d.title: d for d in iter_feed_documents(server.url("/feed.xml"), f)})
    assert docs["Slow"].error == "timeout: no complete response within 2s"
    assert docs["Good"].error is None
    assert elapsed < BUDGET + SLACK


def test_fetch_settings_refuse_a_budget_that_is_not_positive():
    with pytest.raises(ValueError, match="total_timeout must be a positive number of seconds, got 0"):
        FetchSettings(total_timeout=0)


# --- POST /api/ingest: token first, body size bounded before parsing, no input echoed ------------
# The app runs in uvicorn on localhost; requests are written on raw sockets so that a test can
# announce a body it never sends (a server that reads the body first would just wait).

TOKEN = "s3cret"
BODY_LIMIT = 100_000


@pytest.fixture(scope="module")
def api_servers(tmp_path_factory) -> Iterator[dict[str, int]]:
    """Ports of two live apps over one empty database: read-only, and with a token."""
    pytest.importorskip("uvicorn")
    from tidings.store import open_store
    from tidings.web import create_app

    db = str(tmp_path_factory.mktemp("api") / "api.duckdb")
    open_store(db).close()
    apps = {name: LiveApp(create_app(db, token=token, max_body_bytes=BODY_LIMIT))
            for name, token in (("read_only", None), ("writable", TOKEN))}
    yield {name: app.port for name, app in apps.items()}
    for app in apps.values():
        app.stop()


def raw_post(port: int, headers: dict[str, str], body: bytes = b"", chunks: Iterator[bytes] = iter(()),
             path: str = "/api/ingest") -> tuple[int, bytes]:
    """POST with exactly these headers and bytes; (status, body) of the answer, which must come
    within 5 s. `chunks` are sent chunk-encoded until the server answers or hangs up."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        head = "".join(f"{k}: {v}\r\n" for k, v in {"Host": "127.0.0.1", **headers}.items())
        sock.sendall(f"POST {path} HTTP/1.1\r\n{head}\r\n".encode() + body)
        try:
            for chunk in chunks:
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed: read the answer
        data = b""
        while b"\r\n\r\n" not in data:
            data += sock.recv(65536) or _closed(data)
        head_bytes, _, rest = data.partition(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length:\s*(\d+)", head_bytes).group(1))
        while len(rest) < length:
            rest += sock.recv(65536) or _closed(data)
    return int(head_bytes.split()[1]), rest


def _closed(data: bytes) -> bytes:
    raise AssertionError(f"the server closed the connection before a full answer: {data[:200]!r}")


def _json(body: bytes):
    import json

    return json.loads(body)


def test_a_read_only_server_refuses_ingest_without_waiting_for_the_body(api_servers):
    status, body = raw_post(api_servers["read_only"], {"Content-Type": "application/json",
                                                       "Content-Length": "200000000"})
    assert status == 403
    assert "writing is off" in _json(body)["error"]["message"]
    assert _json(body)["error"]["code"] == "forbidden"


@pytest.mark.parametrize("authorization", [None, "Bearer wrong"])
def test_a_bad_token_is_refused_without_waiting_for_the_body(api_servers, authorization):
    headers = {"Content-Type": "application/json", "Content-Length": "200000000"}
    if authorization:
        headers["Authorization"] = authorization
    status, body = raw_post(api_servers["writable"], headers)
    assert status == 401
    assert _json(body)["error"] == {"code": "unauthorized", "message": "a valid bearer token is required",
                                    "param": None}


def test_a_declared_body_over_the_limit_is_refused_unread(api_servers):
    status, body = raw_post(api_servers["writable"], {"Authorization": f"Bearer {TOKEN}",
                                                      "Content-Type": "application/json",
                                                      "Content-Length": str(200 * 1024 * 1024)})
    assert status == 413
    assert _json(body)["error"]["message"] == ("request body too large: the limit is 100000 bytes"
                                               " (tidings serve --max-body-bytes)")


def test_a_chunked_body_is_cut_off_once_over_the_limit(api_servers):
    sent = []

    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(2000):  # 32 MB if nobody stopped it
            sent.append(16384)
            yield b"a" * 16384

    status, body = raw_post(api_servers["writable"], {"Authorization": f"Bearer {TOKEN}",
                                                      "Content-Type": "application/json",
                                                      "Transfer-Encoding": "chunked"}, chunks=chunks())
    assert status == 413
    assert "the limit is 100000 bytes" in _json(body)["error"]["message"]
    assert sum(sent) < 16 * 1024 * 1024  # the server hung up long before the end


@pytest.mark.parametrize("payload", [
    b'{"text": "Talks stalled.", "published": "SECRET-' + b"x" * 5000 + b'"}',  # too long for pydantic
    b'{"text": "SECRET-' + b"x" * 5000,  # not JSON
    b'["SECRET-' + b"x" * 5000 + b'"]',  # not an object
])
def test_validation_errors_do_not_echo_the_input(api_servers, payload):
    status, body = raw_post(api_servers["writable"], {"Authorization": f"Bearer {TOKEN}",
                                                      "Content-Type": "application/json",
                                                      "Content-Length": str(len(payload))}, body=payload)
    assert status == 400  # request validation errors are 400s in the API's one error shape
    assert b"SECRET" not in body and len(body) < 2000
    error = _json(body)["error"]
    assert error["code"] == "invalid_parameter" and error["param"].startswith("body")


def test_query_validation_errors_do_not_echo_the_input_either(api_servers):
    import httpx

    response = httpx.get(f"http://127.0.0.1:{api_servers['read_only']}/api/articles",
                         params={"limit": "SECRET-" + "x" * 5000}, timeout=5)
    assert response.status_code == 400
    assert "SECRET" not in response.text
    assert response.json()["error"]["param"] == "limit"


def test_the_ingest_body_is_still_documented_in_the_openapi_schema(api_servers):
    import httpx

    schema = httpx.get(f"http://127.0.0.1:{api_servers['read_only']}/api/openapi.json", timeout=5).json()
    operation = schema["paths"]["/api/ingest"]["post"]
    body_schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert {"text", "html", "url", "title", "published"} <= set(body_schema["properties"])
    assert "413" in operation["responses"]
