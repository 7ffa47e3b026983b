"""Fetching pages and feeds over real HTTP: a fake news site on localhost (tests/httpserver_util.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from httpserver_util import LAST_MODIFIED, NewsServer, atom_feed, rss_feed

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
