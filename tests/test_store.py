"""The store, against real databases: DuckDB files in tmp_path, and PostgreSQL when the
environment variable TIDINGS_TEST_POSTGRES holds a URL (each test gets its own schema)."""

from __future__ import annotations

import json
import re
import random
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tidings.records import (
    PLOVER_TYPES, Actor, ArticleResult, Attribution, Document, Event, Location, Mention,
    Participant, Quote, Span,
)
from tidings.store.rows import safe_text
from tidings.store import (
    SCHEMA_VERSION, ActorFilter, EventFilter, QuoteFilter, SchemaVersionError, StoreError,
    StoreLockedError, open_store,
)
from tidings.store.backends import connect
from tidings.store.codes import ActorSpec, load_codes, parse_actor
from tidings.store.rows import TABLE_COLUMNS
from tidings.store.schema import MIGRATIONS, steps_for
from tidings.store.synthetic import SyntheticSettings, synthetic_results

from pg_util import store_location

BACKENDS = ["duckdb", "postgresql"]


# --- fixtures ------------------------------------------------------------------------------

@pytest.fixture(params=BACKENDS)
def store_db(request, tmp_path):
    """A database location string (DuckDB path, or a URL to a fresh PostgreSQL schema)."""
    with store_location(request.param, tmp_path, "store") as db:
        yield db


@pytest.fixture
def store(store_db):
    with open_store(store_db) as s:
        yield s


def _article(article_id: str = "a1", content_hash: str | None = "h1", **kw) -> ArticleResult:
    text = ('Russia accused Canada of sending troops to Latvia. "We will not accept this," '
            "Sergei Lavrov said on Monday.")
    lavrov = Participant("Sergei Lavrov", 81, 94, "RUS", "GOV", "Sergei Lavrov")
    values = dict(
        id=article_id, text=text, title="Moscow protests", section="World", url=None,
        published="2022-01-18", language="en", credited_publisher="Global News", site_name="GN",
        author="A. Writer", origin="story.txt", content_hash=content_hash, status="ok",
        mentions=[Mention("Russia", 0, 6, Actor("Russia", "RUS", None, how="kb"), entity=1, label="GPE"),
                  Mention("Canada", 15, 21, Actor("Canada", "CAN", "MIL", how="kb"), entity=2, label="GPE"),
                  Mention("Sergei Lavrov", 81, 94, Actor("Sergei Lavrov", "RUS", "GOV", "kb", "Q1"), entity=3),
                  Mention("Monday", 103, 109, None, label="DATE")],
        events=[Event(type="ACCUSE", trigger=Span("accused", 7, 14), sentence=Span(text[:51], 0, 51),
                      rule="accuse.verb", source=[Participant("Russia", 0, 6, "RUS", None, "Russia")],
                      target=[Participant("Canada", 15, 21, "CAN", "MIL", "Canada")],
                      date="2022-01-17", date_text="Monday",
                      location=Location("Latvia", 43, 49, "LVA", "Latvia", 458258),
                      factuality="reported", attribution=Attribution("named", "Sergei Lavrov", True,
                                                                     cue=Span("said", 95, 99)),
                      confidence=0.913),
                Event(type="REJECT", mode="policy", context=["military"], trigger=Span("not accept", 60, 70),
                      sentence=Span(text[52:], 52, len(text)), rule="reject.neg",
                      source=[lavrov], target=[], factuality="asserted", background=True, size=3,
                      confidence=0.42)],
        quotes=[Quote('We will not accept this,', 53, 77, True, lavrov, Span("said", 95, 99))],
    )
    values.update(kw)
    return ArticleResult(**values)


# --- round trips ---------------------------------------------------------------------------

def test_a_saved_article_reads_back_unchanged(store):
    result = _article()
    summary = store.save([result], raw={"a1": b"Russia accused Canada ..."})
    assert (summary.inserted, summary.ok, summary.events, summary.quotes) == (1, 1, 2, 1)
    assert store.article("a1") == result
    assert store.article("a1").to_dict() == result.to_dict()


def test_a_stored_event_keeps_its_confidence_in_the_json_and_its_column(store):
    store.save([_article()])
    assert [e.confidence for e in store.article("a1").events] == [0.913, 0.42]
    rows = store.events(EventFilter(article="a1", order="article"))
    assert [row["confidence"] for row in rows] == [0.913, 0.42]


_text = st.text(alphabet=st.characters(exclude_categories=()), max_size=20)  # NUL, surrogates, …
_opt = st.none() | _text
_off = st.integers(0, 10**6)
_big = st.none() | st.integers(-(2**63), 2**63 - 1)
_span = st.builds(Span, text=_text, start=_off, end=_off)
_participant = st.builds(Participant, text=_text, start=_off, end=_off, country=_opt, sector=_opt, name=_opt)
_actor = st.builds(Actor, name=_text, country=_opt, sector=_opt, how=_opt, kb_id=_opt)
_mention = st.builds(Mention, text=_text, start=_off, end=_off, actor=st.none() | _actor,
                     entity=st.none() | _off, label=_opt)
_attribution = st.builds(Attribution, kind=_text, speaker=_opt, confirmed=st.none() | st.booleans(),
                         disputed=st.booleans(), denied_by=_opt, cue=st.none() | _span)
_location = st.builds(Location, text=_text, start=st.none() | _off, end=st.none() | _off, country=_opt,
                      name=_opt, geonameid=_big)
_event = st.builds(Event, type=st.sampled_from(PLOVER_TYPES) | _text, trigger=_span, sentence=_span,
                   rule=_text, mode=_opt, context=st.lists(_text, max_size=3),
                   source=st.lists(_participant, max_size=3), target=st.lists(_participant, max_size=3),
                   date=st.none() | st.dates().map(date.isoformat) | _text, date_text=_opt,
                   location=st.none() | _location, factuality=_text, background=st.booleans(),
                   attribution=_attribution, size=_big, confidence=st.none() | st.floats(0, 1))
_quote = st.builds(Quote, text=_text, start=_off, end=_off, direct=st.booleans(),
                   speaker=st.none() | _participant, cue=st.none() | _span)
_result = st.builds(
    ArticleResult, id=st.just("-"), text=st.text(alphabet=st.characters(exclude_categories=()), max_size=200),
    url=_opt, title=_opt, section=_opt, published=st.none() | st.dates().map(date.isoformat) | _text,
    language=_opt, credited_publisher=_opt, site_name=_opt, author=_opt, origin=_opt, content_hash=_opt,
    status=st.sampled_from(["ok", "skipped", "error"]), error=_opt,
    mentions=st.lists(_mention, max_size=4), events=st.lists(_event, max_size=4),
    quotes=st.lists(_quote, max_size=3))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(result=_result)
@example(result=ArticleResult(id="-", text="\ud800\x00", events=[Event(type="\ud800", trigger=Span("\x00", 0, 1),
                                                                       sentence=Span("", 0, 0), rule="r")]))
def test_any_article_result_round_trips_unchanged(store, result):
    result.id = uuid.uuid4().hex  # a new input each example (identity = content hash + URL)
    result.content_hash = uuid.uuid4().hex
    assert store.save([result]).inserted == 1
    assert store.article(result.id) == result
    rows = store.events(EventFilter(article=result.id, limit=None, order="article"))
    # the flat columns hold what every backend can store (NUL and lone surrogates replaced);
    # the article's JSON above keeps the original exactly
    assert [(r["event"], r["type"], r["confidence"]) for r in rows] == [
        (i, safe_text(e.type), e.confidence) for i, e in enumerate(result.events)]


# --- idempotency and identity --------------------------------------------------------------

def test_saving_the_same_input_twice_stores_it_once(store):
    first = store.save([_article(), _article("b1", "h2")], raw={"a1": b"one", "b1": b"two"})
    again = store.save([_article(), _article("b1", "h2")], raw={"a1": b"one", "b1": b"two"})
    assert (first.inserted, first.already_present) == (2, 0)
    assert (again.inserted, again.already_present, again.events) == (0, 2, 0)
    stats = store.stats()
    assert stats["articles"]["total"] == 2 and stats["events"] == 4 and stats["quotes"] == 2
    assert len(list(store.iter_raw())) == 2
    assert store.has("h1") and store.has("h2") and not store.has("h3")


def test_duplicates_within_one_call_are_stored_once(store):
    summary = store.save([_article(), _article("copy-of-a1")])
    assert (summary.inserted, summary.already_present) == (1, 1)
    assert store.article("copy-of-a1") is None


def test_same_content_at_another_url_is_another_article(store):
    store.save([_article(url="https://a.example/1"), _article("a2", url="https://b.example/1")],
               raw={"a2": Document(id="a2", origin="web", raw=b"x", url="https://b.example/feed-link")})
    assert store.stats()["articles"]["total"] == 2
    assert store.has_url("https://a.example/1") and store.has_url("https://b.example/1")
    assert store.has_url("https://b.example/feed-link")  # the URL the input was fetched from
    assert not store.has_url("https://c.example/1")


def test_an_id_taken_by_other_content_gets_a_fresh_id(store):
    store.save([_article()])
    summary = store.save([_article(content_hash="other", title="Another story")])
    assert summary.inserted == 1 and len(summary.renamed) == 1
    given_id, stored_id = summary.renamed[0]
    assert given_id == "a1" and stored_id != "a1" and stored_id.startswith("a1-")
    assert store.article(stored_id).title == "Another story"
    assert store.article("a1").title == "Moscow protests"


def test_inputs_without_content_are_told_apart_by_origin(store):
    empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    failures = [ArticleResult(id=f"f{i}", origin=f"file{i}.txt", status="error", error="empty file",
                              content_hash=empty) for i in range(3)]
    assert store.save(failures).failed == 3
    assert store.save(failures).already_present == 3
    errors = store.errors()
    assert [(e.article_id, e.origin, e.status, e.error) for e in errors] == [
        (f"f{i}", f"file{i}.txt", "error", "empty file") for i in range(3)]
    assert store.stats()["errors"] == [list(e) for e in errors]


def test_replace_rewrites_derived_rows_and_keeps_raw_and_first_ingest(store):
    store.save([_article()], raw={"a1": Document(id="a1", origin="story.txt", kind="html", raw=b"<p>x</p>",
                                                 title="T", published="2022-01-18", meta={"encoding": "utf-8"})})
    first = store.backend.scalar("SELECT ingested_at FROM articles WHERE id = 'a1'")
    updated = _article(events=_article().events[:1], quotes=[])
    summary = store.replace(updated)
    assert (summary.replaced, summary.inserted, summary.events) == (1, 0, 1)
    assert store.article("a1") == updated
    assert len(store.events(EventFilter(article="a1"))) == 1
    assert store.quotes(QuoteFilter(article="a1")) == []
    assert store.backend.scalar("SELECT ingested_at FROM articles WHERE id = 'a1'") == first
    assert list(store.iter_raw()) == [("a1", "story.txt", "html", b"<p>x</p>", None, "T", "2022-01-18")]
    [document] = list(store.iter_documents())
    assert (document.id, document.kind, document.raw, document.meta) == ("a1", "html", b"<p>x</p>",
                                                                         {"encoding": "utf-8"})


def test_reprocessing_all_raw_inputs_while_writing_keeps_every_article(store):
    results = list(synthetic_results(SyntheticSettings(articles=230, events_per_article=1, seed=5)))
    store.save(results, raw={r.id: r.text.encode() for r in results})
    seen, pending = [], {}
    for document in store.iter_documents():  # pages of raw inputs; writes in between
        seen.append(document.id)
        pending[document.id] = document
        if len(pending) == 20:
            store.save(_re_extracted(store, pending), documents=pending, replace=True)
            pending = {}
    store.save(_re_extracted(store, pending), documents=pending, replace=True)
    assert seen == sorted(r.id for r in results)
    assert store.stats()["articles"]["total"] == 230
    assert {r["article_title"] for r in store.events(EventFilter(limit=None))} == {"re-extracted"}


def _re_extracted(store, documents):
    results = [store.article(article_id) for article_id in documents]
    for result in results:
        result.title = "re-extracted"
    return results


# --- queries -------------------------------------------------------------------------------

@pytest.fixture
def corpus(store):
    results = list(synthetic_results(SyntheticSettings(articles=80, events_per_article=5, seed=3)))
    store.save(results, batch_size=7)
    return store, results


def _day(result, event):
    return date.fromisoformat(event.date or result.published)


def _words(text: str | None) -> str:
    return " " + " ".join(re.sub("[^a-z0-9]+", " ", (text or "").lower()).split()) + " "


def _has(participants, country=None, sector=None, name=None):
    """The oracle of an actor filter: codes exactly, a name as whole words of the name or mention."""
    return any((country is None or p.country == country) and (sector is None or p.sector == sector)
               and (name is None or _words(name) in _words(p.name) or _words(name) in _words(p.text))
               for p in participants)


EVENT_CASES = [
    (EventFilter(actor="RUS"), lambda r, e: _has(e.source + e.target, "RUS")),
    (EventFilter(actor="RUS:GOV"), lambda r, e: _has(e.source + e.target, "RUS", "GOV")),
    (EventFilter(actor="USAMIL"), lambda r, e: _has(e.source + e.target, "USA", "MIL")),
    (EventFilter(actor="GOV"), lambda r, e: _has(e.source + e.target, sector="GOV")),
    (EventFilter(actor="actor 7"), lambda r, e: _has(e.source + e.target, name="actor 7")),
    (EventFilter(source="USA", target="CHN"), lambda r, e: _has(e.source, "USA") and _has(e.target, "CHN")),
    (EventFilter(country="IRN", sector="MIL"), lambda r, e: _has(e.source + e.target, "IRN", "MIL")),
    (EventFilter(type="assault"), lambda r, e: e.type == "ASSAULT"),
    (EventFilter(factuality="future"), lambda r, e: e.factuality == "future"),
    (EventFilter(background=True), lambda r, e: bool(e.background)),
    (EventFilter(background=False), lambda r, e: not e.background),
    (EventFilter(min_confidence=0.5), lambda r, e: e.confidence >= 0.5),
    (EventFilter(min_confidence=0.925), lambda r, e: e.confidence >= 0.925),
    (EventFilter(min_confidence=0), lambda r, e: True),
    (EventFilter(type="ACCUSE", min_confidence=0.3, background=False),
     lambda r, e: e.type == "ACCUSE" and e.confidence >= 0.3 and not e.background),
    (EventFilter(quad_class="material conflict"),
     lambda r, e: e.type in ("PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT")),
    (EventFilter(since="2020-06-01", until="2020-12-31"),
     lambda r, e: date(2020, 6, 1) <= _day(r, e) <= date(2020, 12, 31)),
    (EventFilter(article="syn-000001"), lambda r, e: r.id.startswith("syn-000001")),
    (EventFilter(search="STORY 1"), lambda r, e: "story 1" in e.sentence.text.lower()),
    (EventFilter(actor="RUS", type="ACCUSE", since="2021-01-01"),
     lambda r, e: _has(e.source + e.target, "RUS") and e.type == "ACCUSE" and _day(r, e) >= date(2021, 1, 1)),
]


@pytest.mark.parametrize("case", range(len(EVENT_CASES)))
def test_event_filters_select_exactly_the_matching_events(corpus, case):
    store, results = corpus
    query, predicate = EVENT_CASES[case]
    query.limit = None
    expected = sorted((r.id, i) for r in results for i, e in enumerate(r.events) if predicate(r, e))
    got = sorted((row["article_id"], row["event"]) for row in store.events(query))
    assert expected, "the case should select something"
    assert got == expected


def test_event_rows_are_flat_and_labelled(corpus):
    store, results = corpus
    row = store.events(EventFilter(article=results[0].id, order="article", limit=1))[0]
    event = results[0].events[0]
    p, q = event.source[0], event.target[0]
    assert row["source"] == " ".join(x for x in (p.country, p.sector) if x)
    assert row["target"] == " ".join(x for x in (q.country, q.sector) if x)
    assert (row["source_names"], row["target_names"]) == (p.name, q.name)
    assert row["sentence"] == event.sentence.text and row["date"] == event.date
    assert row["article_title"] == results[0].title
    assert all(not isinstance(v, (dict, list)) for v in row.values())


@pytest.mark.parametrize("order", ["date", "-date", "type", "article"])
def test_event_pages_add_up_to_the_whole_list(corpus, order):
    store, _ = corpus
    whole = store.events(EventFilter(actor="USA", order=order, limit=None))
    pages = [store.events(EventFilter(actor="USA", order=order, limit=7, offset=o)) for o in range(0, len(whole), 7)]
    assert [r["event"] for r in whole] and [(r["article_id"], r["event"]) for page in pages for r in page] == [
        (r["article_id"], r["event"]) for r in whole]
    days = [r["date"] for r in whole]
    if order in ("date", "-date"):
        assert days == sorted(days, reverse=order == "-date")


def test_trends_count_events_per_week_and_type(corpus):
    store, results = corpus
    rows = store.trends(EventFilter(source="USA", limit=None))
    expected = Counter()
    for r in results:
        for e in r.events:
            if _has(e.source, "USA"):
                d = _day(r, e)
                expected[(date.fromordinal(d.toordinal() - d.weekday()).isoformat(), e.type)] += 1
    assert {(row["period"], row["type"]): row["events"] for row in rows} == dict(expected)


def test_trends_count_only_events_at_or_above_the_confidence_threshold(corpus):
    store, results = corpus
    every = store.trends(EventFilter(limit=None))
    confident = store.trends(EventFilter(min_confidence=0.6, limit=None))
    expected = Counter()
    for r in results:
        for e in r.events:
            if e.confidence >= 0.6:
                d = _day(r, e)
                expected[(date.fromordinal(d.toordinal() - d.weekday()).isoformat(), e.type)] += 1
    assert {(row["period"], row["type"]): row["events"] for row in confident} == dict(expected)
    assert 0 < sum(expected.values()) < sum(row["events"] for row in every)


def test_events_without_a_confidence_are_left_out_only_when_a_threshold_is_set(store):
    unscored = _article("old", "h-old")
    for event in unscored.events:
        event.confidence = None
    store.save([_article(), unscored])
    assert {r["article_id"] for r in store.events(EventFilter())} == {"a1", "old"}
    assert [(r["article_id"], r["confidence"]) for r in store.events(EventFilter(min_confidence=0, order="article"))] \
        == [("a1", 0.913), ("a1", 0.42)]
    assert [r["confidence"] for r in store.events(EventFilter(min_confidence=0.913))] == [0.913]
    assert store.events(EventFilter(min_confidence=0.9131)) == []


@pytest.mark.parametrize("value", [-0.1, 1.5, float("nan"), "high"])
def test_a_confidence_threshold_outside_0_to_1_is_a_clear_error(store, value):
    with pytest.raises(ValueError, match="min_confidence"):
        store.events(EventFilter(min_confidence=value))


def test_quote_filters(corpus):
    store, results = corpus
    quotes = [(r.id, i, q) for r in results for i, q in enumerate(r.quotes)]
    cases = [
        (QuoteFilter(actor="RUS"), lambda q: q.speaker and q.speaker.country == "RUS"),
        (QuoteFilter(direct=False), lambda q: not q.direct),
        (QuoteFilter(search="story 2"), lambda q: "story 2" in q.text),
        (QuoteFilter(sector="gov"), lambda q: q.speaker and q.speaker.sector == "GOV"),
    ]
    for query, predicate in cases:
        query.limit = None
        expected = sorted((rid, i) for rid, i, q in quotes if predicate(q))
        rows = store.quotes(query)
        assert expected and sorted((row["article_id"], row["quote"]) for row in rows) == expected
    row = store.quotes(QuoteFilter(article=results[0].id, limit=1))[0]
    speaker = results[0].quotes[0].speaker
    assert row["speaker"] == speaker.name
    assert row["speaker_actor"] == " ".join(x for x in (speaker.country, speaker.sector) if x)


def test_actor_counts_match_the_mentions(corpus):
    store, results = corpus
    counts = Counter((m.actor.name, m.actor.country, m.actor.sector) for r in results for m in r.mentions)
    rows = store.actors(ActorFilter(limit=None))
    assert {(r["name"], r["country"], r["sector"]): r["mentions"] for r in rows} == dict(counts)
    assert [r["mentions"] for r in rows] == sorted((r["mentions"] for r in rows), reverse=True)
    sources = Counter((p.name, p.country, p.sector) for r in results for e in r.events for p in e.source)
    assert {(r["name"], r["country"], r["sector"]): r["as_source"] for r in rows} == {
        k: sources.get(k, 0) for k in counts}
    russian = store.actors(ActorFilter(actor="RUS", limit=None))
    assert russian and all(r["country"] == "RUS" for r in russian)
    assert len(store.actors(ActorFilter(limit=3))) == 3


def test_article_by_unique_prefix_and_ambiguous_prefix(corpus):
    store, results = corpus
    assert store.article("syn-0000012") == results[12]
    store.save([_article("unique-story-1")])
    assert store.article("unique-st").id == "unique-story-1"
    assert store.article("nothing-like-this") is None
    with pytest.raises(StoreError, match="ambiguous"):
        store.article("syn-00000")


def test_stats_count_articles_events_and_types(corpus):
    store, results = corpus
    stats = store.stats()
    assert stats["schema_version"] == SCHEMA_VERSION
    assert stats["articles"] == {"total": 80, "ok": 80}
    assert stats["events"] == sum(len(r.events) for r in results)
    assert stats["events_by_type"] == dict(Counter(e.type for r in results for e in r.events))
    assert stats["quotes"] == sum(len(r.quotes) for r in results)
    json.dumps(stats)


def test_a_bad_filter_value_is_a_clear_error(store):
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        store.events(EventFilter(since="last week"))
    with pytest.raises(ValueError, match="order"):
        store.events(EventFilter(order="random"))


# --- opening, read-only, versions ------------------------------------------------------------

def test_a_read_only_store_answers_but_refuses_writes(store_db):
    with open_store(store_db) as s:
        s.save([_article()])
    with open_store(store_db, read_only=True) as s:
        assert s.article("a1") is not None
        with pytest.raises(StoreError, match="read-only"):
            s.save([_article("b", "hb")])


def test_opening_a_missing_duckdb_file_read_only_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="no database"):
        open_store(str(tmp_path / "missing.duckdb"), read_only=True)


def _make_v1(db: str) -> ArticleResult:
    """A database as version 1 of the code left it, written by hand."""
    result = _article()
    backend = connect(db)
    with backend.transaction():
        for step in steps_for(MIGRATIONS[0], backend.name):
            backend.execute(step)
        backend.execute("INSERT INTO schema_version VALUES (1, 'v1', TIMESTAMP '2026-01-01 00:00:00')")
        backend.execute(
            "INSERT INTO articles (id, dedup_key, status, text, n_mentions, n_events, n_quotes, result,"
            " ingested_at, processed_at, content_hash, published) VALUES"
            " ('a1', 'h1|', 'ok', ?, 0, 1, 0, ?, TIMESTAMP '2026-01-01 00:00:00',"
            " TIMESTAMP '2026-01-01 00:00:00', 'h1', '2022-01-18')",
            [result.text, json.dumps(result.to_dict())])
        backend.execute("INSERT INTO events (article_id, ordinal, type, day, sentence_text)"
                        " VALUES ('a1', 0, 'ACCUSE', DATE '2022-01-17', 'Russia accused Canada.')")
        backend.execute("INSERT INTO event_participants (article_id, event_ordinal, role, ordinal, text,"
                        " country, sector) VALUES ('a1', 0, 'source', 0, 'Russia', 'RUS', NULL),"
                        " ('a1', 0, 'target', 0, 'Canada', 'CAN', 'MIL')")
    backend.close()
    return result


def test_an_older_database_is_refused_read_only_and_upgraded_for_writing(store_db):
    result = _make_v1(store_db)
    with pytest.raises(SchemaVersionError, match="tidings db upgrade"):
        open_store(store_db, read_only=True)
    with pytest.raises(SchemaVersionError, match="older"):
        open_store(store_db, upgrade=False)
    with open_store(store_db) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert s.article("a1") == result
        [row] = s.events(EventFilter(type="ACCUSE"))
        assert row["quad_class"] == "verbal conflict"  # derived by migration 2
        assert len(s.events(EventFilter(source="RUS", target="CAN:MIL"))) == 1  # codes: migration 4
        assert s.events(EventFilter(source="CAN")) == []
        assert s.has("h1") and s.save([result]).already_present == 1
        assert s.upgrade() == SCHEMA_VERSION  # nothing left to apply
    with open_store(store_db, read_only=True) as s:
        assert s.stats()["articles"]["total"] == 1


def _make_v6(db: str) -> ArticleResult:
    """A database as version 6 of the code left it: every migration before events.confidence,
    and one article whose event row has no confidence column to fill."""
    assert [m.version for m in MIGRATIONS[:6]] == [1, 2, 3, 4, 5, 6]
    result = _article()
    for event in result.events:
        event.confidence = None  # coded before the verifier existed
    backend = connect(db)
    codes = load_codes()
    for migration in MIGRATIONS[:6]:
        with backend.transaction():
            for step in steps_for(migration, backend.name):
                step(backend.execute, codes) if callable(step) else backend.execute(step)
            backend.execute("INSERT INTO schema_version VALUES (?, ?, TIMESTAMP '2026-01-01 00:00:00')",
                            [migration.version, migration.description])
    with backend.transaction():
        backend.execute(
            "INSERT INTO articles (id, dedup_key, status, text, n_mentions, n_events, n_quotes, result,"
            " ingested_at, processed_at, content_hash, published) VALUES"
            " ('a1', 'h1|', 'ok', ?, 0, 1, 0, ?, TIMESTAMP '2026-01-01 00:00:00',"
            " TIMESTAMP '2026-01-01 00:00:00', 'h1', '2022-01-18')",
            [result.text, json.dumps(result.to_dict())])
        backend.execute("INSERT INTO events (article_id, ordinal, type, day, sentence_text, quad_class, source_codes,"
                        " target_codes) VALUES ('a1', 0, 'ACCUSE', DATE '2022-01-17', 'Russia accused Canada.',"
                        " 'verbal conflict', '/RUS:/', '/CAN:MIL/')")
    columns = {r["column_name"] for r in backend.rows(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'events'"
        " AND table_schema = current_schema()")}
    backend.close()
    assert "confidence" not in columns and "group_id" in columns
    return result


def test_upgrading_a_version_6_database_adds_an_empty_confidence_that_reprocessing_fills(store_db):
    old = _make_v6(store_db)
    with pytest.raises(SchemaVersionError, match="older"):
        open_store(store_db, upgrade=False)
    with open_store(store_db) as s:
        assert s.schema_version == SCHEMA_VERSION == 8
        [row] = s.events(EventFilter(type="ACCUSE"))
        assert row["confidence"] is None  # old rows keep NULL …
        # version 8: an old row's date was a day (or nothing)
        assert row["date_precision"] == ("day" if row["event_date"] else "none")
        assert s.events(EventFilter(min_confidence=0)) == []  # … and a threshold leaves them out
        assert s.article("a1") == old
        s.replace(_article())  # what `tidings ingest --reprocess` does with the re-extracted result
        assert [r["confidence"] for r in s.events(EventFilter(min_confidence=0, order="article"))] == [0.913, 0.42]


def test_a_newer_database_is_refused(store_db):
    with open_store(store_db) as s:
        s.backend.execute("INSERT INTO schema_version VALUES (?, 'from the future', TIMESTAMP '2030-01-01 00:00:00')",
                          [SCHEMA_VERSION + 1])
    for read_only in (True, False):
        with pytest.raises(SchemaVersionError, match="newer"):
            open_store(store_db, read_only=read_only)


# --- processes: lock, crash safety -------------------------------------------------------------

HOLDER = """
import sys, time
from tidings.store import open_store
store = open_store(sys.argv[1])
print("ready", flush=True)
time.sleep(60)
"""

WRITER = """
import sys
from tidings.store import open_store
from tidings.store.synthetic import SyntheticSettings, synthetic_results
db, n, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
results = list(synthetic_results(SyntheticSettings(articles=n, events_per_article=4, seed=7)))
with open_store(db) as store:
    for i in range(0, n, batch):
        part = results[i:i + batch]
        store.save(part, raw={r.id: r.text.encode() for r in part}, batch_size=batch)
        print(i, flush=True)
"""


def _python(script: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_a_second_writer_gets_a_clear_lock_error_not_a_hang(tmp_path):
    db = str(tmp_path / "locked.duckdb")
    holder = _python(HOLDER, db)
    try:
        assert holder.stdout.readline().strip() == "ready", holder.stderr.read()
        for read_only in (False, True):
            started = time.monotonic()
            with pytest.raises(StoreLockedError) as error:
                open_store(db, read_only=read_only)
            assert time.monotonic() - started < 5
            assert f"pid {holder.pid}" in str(error.value) and db in str(error.value)
    finally:
        holder.kill()
        holder.wait()
    with open_store(db) as s:  # free again once the holder is gone
        assert s.schema_version == SCHEMA_VERSION


def _dump(db: str) -> dict[str, list]:
    with open_store(db, read_only=True) as s:
        dump = {}
        for table, columns in TABLE_COLUMNS.items():
            names = [c for c, _ in columns if c not in ("ingested_at", "processed_at")]
            _, rows = s.backend.query(f"SELECT {', '.join(names)} FROM {table}")
            dump[table] = sorted(rows, key=repr)
        return dump


def _consistent(db: str, batch: int) -> None:
    """Whole batches only, and every stored article has all of its rows."""
    with open_store(db) as s:
        articles = s.backend.scalar("SELECT count(*) FROM articles")
        assert articles % batch == 0
        assert s.backend.scalar("SELECT coalesce(sum(n_events), 0) FROM articles") == \
            s.backend.scalar("SELECT count(*) FROM events")
        assert s.backend.scalar("SELECT count(*) FROM raw_inputs") == articles


def test_killed_writers_leave_a_consistent_database_and_a_rerun_completes_it(store_db, tmp_path):
    n, batch = 60, 5
    reference = store_db + "-reference" if "://" not in store_db else str(tmp_path / "reference.duckdb")
    done = _python(WRITER, reference, str(n), str(batch))
    assert done.wait(120) == 0, done.stderr.read()
    rng = random.Random(11)
    for kill_after in (0, 1, 4, 8, None):  # batches committed before the kill; None: a random moment
        writer = _python(WRITER, store_db, str(n), str(batch))
        if kill_after is None:
            time.sleep(rng.uniform(0.2, 1.5))
        else:
            for _ in range(kill_after):
                assert writer.stdout.readline(), writer.stderr.read()
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        _consistent(store_db, batch)
    final = _python(WRITER, store_db, str(n), str(batch))
    assert final.wait(120) == 0, final.stderr.read()
    assert _dump(store_db) == _dump(reference)


# --- knowledge and actor codes ----------------------------------------------------------------

def test_plover_data_names_a_quad_class_for_every_type():
    codes = load_codes()
    assert set(codes.quad_classes) == set(PLOVER_TYPES)
    assert set(codes.quad_classes.values()) == {"verbal cooperation", "material cooperation",
                                                 "verbal conflict", "material conflict"}
    assert all(len(s) == 3 and s.isupper() for s in codes.sectors) and "IGO" not in codes.sectors


@pytest.mark.parametrize("text, spec", [
    ("RUS", ActorSpec(country="RUS")), ("RUSGOV", ActorSpec(country="RUS", sector="GOV")),
    ("RUS:GOV", ActorSpec(country="RUS", sector="GOV")), ("GOV", ActorSpec(sector="GOV")),
    ("IGO", ActorSpec(country="IGO")), ("IGO NATO", ActorSpec(country="IGO", name="NATO")),
    ("Lavrov", ActorSpec(name="Lavrov")), ("rus", ActorSpec(name="rus")),
    # known names and aliases of the actor lexicon: exact, never a part of a word
    ("US", ActorSpec(country="USA")), ("UK", ActorSpec(country="GBR")),
    ("UN", ActorSpec(country="IGO", names=("United Nations",))), ("EU", ActorSpec(country="IGO", names=("European Union",))),
    ("NATO", ActorSpec(country="IGO", names=("NATO",))),
])
def test_actor_codes_are_read_as_country_sector_or_name(text, spec):
    assert parse_actor(text, load_codes()) == spec


NAMED = [("Russia", "RUS", None), ("Senator Smith", "USA", "LEG"), ("United States", "USA", None),
         ("NATO", "IGO", "IGO"), ("United Nations", "IGO", "IGO"), ("Sergei Lavrov", "RUS", "GOV"),
         ("Lavrova Tatiana", "RUS", "CVL")]


def _named_events() -> list[ArticleResult]:
    """One article per (source, target) pair of NAMED actors, so each filter has a known answer."""
    results = []
    for i, (source, target) in enumerate([(0, 1), (2, 0), (3, 4), (5, 2), (6, 3), (1, 4)]):
        parties = []
        for name, country, sector in (NAMED[source], NAMED[target]):
            parties.append(Participant(text=name, start=0, end=len(name), country=country, sector=sector, name=name))
        sentence = f"{parties[0].text} criticised {parties[1].text}."
        event = Event(type="ACCUSE", mode=None, trigger=Span("criticised", 0, 10), source=[parties[0]],
                      target=[parties[1]], sentence=Span(sentence, 0, len(sentence)), rule="test")
        results.append(ArticleResult(id=f"named-{i}", text=sentence, published="2022-01-0" + str(i + 1),
                                     content_hash=f"named-{i}", events=[event]))
    return results


@pytest.mark.parametrize("value, expected", [
    ("US", {"named-0", "named-1", "named-3", "named-5"}),  # the country USA: never "Russia" alone
    ("UN", {"named-2", "named-5"}),                     # the United Nations: not "United States"
    ("NATO", {"named-2", "named-4"}),                   # NATO: not "Senator Smith"
    ("Lavrov", {"named-3"}),                            # whole words: not "Lavrova"
    ("sergei lavrov", {"named-3"}),
    ("RUS:GOV", {"named-3"}),
    ("IGO", {"named-2", "named-4", "named-5"}),
])
def test_actor_filter_matches_codes_and_aliases_exactly_and_names_by_whole_words(store, value, expected):
    store.save(_named_events())
    got = {row["article_id"] for row in store.events(EventFilter(actor=value, limit=None))}
    assert got == expected
    assert store.count_events(EventFilter(actor=value)) == len(expected)


def test_an_unknown_actor_code_is_refused_with_the_nearest_codes(store):
    from tidings.store.codes import UnknownCodeError

    with pytest.raises(UnknownCodeError) as error:
        parse_actor("RUZ", load_codes())
    assert "RUS" in error.value.suggestions and "did you mean" in str(error.value)
    with pytest.raises(UnknownCodeError):
        store.events(EventFilter(actor="RUSGOZ"))


def test_counts_agree_with_the_listings_and_the_last_write_marker_moves(corpus):
    store, results = corpus
    for f in (EventFilter(), EventFilter(actor="USA"), EventFilter(merged=True), EventFilter(type="ACCUSE")):
        assert store.count_events(f) == len(store.events(replace(f, limit=None)))
    assert store.count_quotes(QuoteFilter(country="RUS")) == len(store.quotes(QuoteFilter(country="RUS", limit=None)))
    assert store.count_actors(ActorFilter(sector="GOV")) == len(store.actors(ActorFilter(sector="GOV", limit=None)))
    before = store.last_write()
    assert store.last_write() == before  # reading does not move it
    store.save(_named_events())
    assert store.last_write() != before
