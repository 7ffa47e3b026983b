"""Listings and exports come out in the same order on DuckDB and on PostgreSQL: text compared
by code point (as Python's sorted() does), ties broken by a unique key. On PostgreSQL (when
TIDINGS_TEST_POSTGRES holds a URL) the store is a fresh database with ICU en-US collation,
where "al-Assad" sorts before "ALBA" unless the query says otherwise."""

from __future__ import annotations

import csv
import io
import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest

from tidings.export import ExportSettings, export
from tidings.records import Actor, ArticleResult, Event, Mention, Participant, Quote, Span
from tidings.store import ActorFilter, EventFilter, QuoteFilter, open_store
from tidings.analysis import recent_articles

from pg_util import store_location

PG_ENV = "TIDINGS_TEST_POSTGRES"
# pairs that ICU (and most locales) order otherwise than code points do
NAMES = ["al-Assad", "Al Jazeera", "ALBA", "Åland", "_x", "alba", "Zeta", "zeta", "Émile", "Ezra"]
ARTICLE_IDS = ["b-2", "B_1", "_a", "Ab", "a-b", "ä1"]


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@pytest.fixture(params=["duckdb", "postgresql"])
def sort_db(request, tmp_path):
    """A DuckDB file, or a fresh PostgreSQL database with ICU en-US collation (a fresh schema
    of the test database when this server cannot create one)."""
    if request.param == "duckdb":
        yield str(tmp_path / "order.duckdb")
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"set {PG_ENV} to a postgresql:// URL to test PostgreSQL")
    import psycopg

    name = f"tidings_icu_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(base, autocommit=True) as con:
            con.execute(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'"
                        " LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'")
    except psycopg.Error:  # no ICU, or no right to create databases: the server's own collation
        with store_location("postgresql", tmp_path, "sort") as url:
            yield url
        return
    try:
        yield _with_database(base, name)
    finally:
        with psycopg.connect(base, autocommit=True) as con:
            con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _article(article_id: str, names: list[str], published: str | None = "2022-01-18",
             status: str = "ok", coded: bool = True) -> ArticleResult:
    """An article that mentions each of `names` once, with (if `coded`) one event and one quote per name."""
    text = " ".join(names) + "." if names else "Nothing."
    mentions, events, quotes, offset = [], [], [], 0
    for k, name in enumerate(names):
        span = (offset, offset + len(name))
        actor = Actor(name, None, None, how="kb")
        mentions.append(Mention(name, *span, actor, entity=k, label="ORG"))
        who = Participant(name, *span, None, None, name)
        events.append(Event(type=("ACCUSE", "REJECT")[k % 2], trigger=Span(name, *span),
                            sentence=Span(text, 0, len(text)), rule="test", source=[who], target=[],
                            date="2022-01-17", confidence=0.9))
        quotes.append(Quote(name, *span, True, who, None))
        offset = span[1] + 1
    return ArticleResult(id=article_id, text=text, title=f"title {article_id}", published=published,
                         language="en", status=status, error=None if status == "ok" else "broken",
                         origin=f"{article_id}.txt", content_hash=f"h-{article_id}", mentions=mentions,
                         events=events if coded else [], quotes=quotes if coded else [])


@pytest.fixture
def filled(sort_db):
    with open_store(sort_db) as store:
        store.save([_article(article_id, NAMES[k:] + NAMES[:k]) for k, article_id in enumerate(ARTICLE_IDS)]
                   + [_article(f"err-{k}", [], status=status) for k, status in enumerate(["error", "skipped"] * 2)])
        yield store


def test_actor_names_sort_by_code_point(filled):
    rows = filled.actors(ActorFilter(order="name", limit=None))
    assert [r["name"] for r in rows] == sorted(NAMES)


def test_actors_with_equal_counts_are_ordered_by_name(filled):
    for order in ("mentions", "events"):
        rows = filled.actors(ActorFilter(order=order, limit=None))
        assert [r["name"] for r in rows] == sorted(NAMES), order


def test_events_and_quotes_sort_by_article_id_by_code_point(filled):
    events = filled.events(EventFilter(order="article", limit=None, merged=False))
    assert [(r["article_id"], r["event"]) for r in events] == sorted(
        (a, k) for a in ARTICLE_IDS for k in range(len(NAMES)))
    by_type = filled.events(EventFilter(order="type", limit=None, merged=False))
    assert [(r["type"], r["article_id"], r["event"]) for r in by_type] == sorted(
        (r["type"], r["article_id"], r["event"]) for r in events)
    quotes = filled.quotes(QuoteFilter(order="speaker", limit=None))
    assert [(r["speaker"], r["article_id"]) for r in quotes] == sorted((n, a) for a in ARTICLE_IDS for n in NAMES)


def test_an_actor_in_no_event_comes_last_by_events(filled):
    filled.save([_article("silent", ["Aardvark"], coded=False)])
    rows = filled.actors(ActorFilter(order="events", limit=None))
    assert [r["name"] for r in rows] == sorted(NAMES) + ["Aardvark"]


def test_pages_of_a_listing_join_up_to_the_whole_listing(filled):
    whole = filled.actors(ActorFilter(order="mentions", limit=None))
    pages = [filled.actors(ActorFilter(order="mentions", limit=3, offset=k)) for k in range(0, len(whole), 3)]
    assert [r["name"] for page in pages for r in page] == [r["name"] for r in whole]


def test_article_listings_and_errors_sort_ids_by_code_point(filled):
    listed = [r["id"] for r in recent_articles(filled, limit=100) if r["status"] == "ok"]
    assert listed == sorted(ARTICLE_IDS)
    assert [e.article_id for e in filled.errors()] == sorted(f"err-{k}" for k in range(4) if k % 2 == 0) \
        + sorted(f"err-{k}" for k in range(4) if k % 2 == 1)


def test_csv_export_keeps_the_code_point_order(filled):
    out = io.StringIO()
    export(filled, ExportSettings(table="actors", format="csv"), out, ActorFilter(order="name", limit=None))
    assert [row["name"] for row in csv.DictReader(io.StringIO(out.getvalue()))] == sorted(NAMES)
