"""Merged events in the store (tidings.dedup.merge): reports of one event by several articles
become one group, on real DuckDB (and PostgreSQL when TIDINGS_TEST_POSTGRES holds a URL)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from tidings.dedup.merge import countries, group_events, publisher_key
from tidings.dedup.store_index import cluster_articles
from tidings.records import ArticleResult, Event, Participant, Span
from tidings.store import EventFilter, open_store

from pg_util import store_location

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(params=["duckdb", "postgresql"])
def merge_store(request, tmp_path):
    """An open store: a DuckDB file, or a fresh PostgreSQL schema (tests/pg_util.py)."""
    with store_location(request.param, tmp_path, "merge") as db, open_store(db) as store:
        yield store


CONSULT_TEXT = ("Canadian Prime Minister Justin Trudeau met United States President Joe Biden in Washington "
                "on Tuesday to discuss trade, border security and the supply of critical minerals, officials "
                "from both governments said after the talks ended late in the evening. The two leaders agreed "
                "to set up a joint working group on electric vehicle batteries and to meet again in Ottawa "
                "before the end of the year, according to a statement released by the Prime Minister's Office.")
OTHER_TEXT = ("Ottawa and Washington held talks on Wednesday. Trudeau and Biden spoke about the economy "
              "and a range of bilateral questions, with ministers from both sides present at the meeting.")
ACCUSE_TEXT = "Russia accused Ukraine of shelling a nuclear power plant near Enerhodar on Tuesday."


def _consult(text: str, day: str, factuality: str = "asserted") -> Event:
    return Event(type="CONSULT", trigger=Span("met", 0, 3), sentence=Span(text[:40], 0, 40), rule="consult.verb",
                 source=[Participant("Justin Trudeau", 0, 5, "CAN", "GOV", "Justin Trudeau")],
                 target=[Participant("Joe Biden", 6, 10, "USA", "GOV", "Joe Biden")],
                 date=day, factuality=factuality)


def _result(article_id: str, text: str, events: list[Event], publisher: str | None, site: str,
            url: str) -> ArticleResult:
    return ArticleResult(id=article_id, text=text, title=text[:30], url=url, published=events[0].date,
                         language="en", credited_publisher=publisher, site_name=site, content_hash=f"h-{article_id}",
                         status="ok", events=events)


def _three_reports_and_an_accusation() -> list[ArticleResult]:
    accuse = Event(type="ACCUSE", trigger=Span("accused", 7, 14), sentence=Span(ACCUSE_TEXT, 0, len(ACCUSE_TEXT)),
                   rule="accuse.verb", source=[Participant("Russia", 0, 6, "RUS", None, "Russia")],
                   target=[Participant("Ukraine", 15, 22, "UKR", None, "Ukraine")], date="2024-03-05",
                   factuality="asserted")
    return [
        _result("globe", CONSULT_TEXT, [_consult(CONSULT_TEXT, "2024-03-05")], "Globe Wire", "Globe Wire",
                "https://globewire.example/a"),
        _result("herald", OTHER_TEXT, [_consult(OTHER_TEXT, "2024-03-06")], None, "Daily Herald",
                "https://herald.example/b"),
        _result("copy", CONSULT_TEXT + " ", [_consult(CONSULT_TEXT, "2024-03-05")], None, "Aggregator",
                "https://aggregator.example/c"),
        _result("moscow", ACCUSE_TEXT, [accuse], None, "Moscow Times", "https://moscow.example/d"),
    ]


def _groups(store) -> dict[str, dict]:
    return {r["id"]: r for r in store.backend.rows("SELECT * FROM event_groups WHERE num_mentions IS NOT NULL")}


def _group_of(store, article_id: str) -> str:
    return store.backend.scalar("SELECT group_id FROM events WHERE article_id = ? AND ordinal = 0", [article_id])


def _saved(store, results: list[ArticleResult]) -> None:
    for result in results:  # one at a time: ingest order is the list's order
        store.save([result])
        cluster_articles(store, [result.id])
        group_events(store, [result.id])


def test_reports_of_one_event_become_one_group_counting_a_copy_as_no_new_source(merge_store):
    _saved(merge_store, _three_reports_and_an_accusation())
    clusters = {r["id"]: r["cluster_id"] for r in merge_store.backend.rows("SELECT id, cluster_id FROM articles")}
    assert clusters["copy"] == clusters["globe"] != clusters["herald"]  # the copy is a duplicate of globe

    groups = _groups(merge_store)
    assert len(groups) == 2
    consult = groups["globe:0"]
    assert (consult["type"], consult["num_mentions"], consult["num_articles"], consult["num_sources"]) == \
        ("CONSULT", 3, 3, 2)
    assert (consult["first_day"], consult["last_day"]) == ("2024-03-05", "2024-03-06")
    assert consult["source_countries"] == "/CAN/" and consult["target_countries"] == "/USA/"
    assert {_group_of(merge_store, a) for a in ("globe", "herald", "copy")} == {"globe:0"}
    assert groups["moscow:0"]["num_mentions"] == 1 and _group_of(merge_store, "moscow") == "moscow:0"


def test_merged_listing_has_one_row_per_event_with_its_counts(merge_store):
    _saved(merge_store, _three_reports_and_an_accusation())
    raw = merge_store.events(EventFilter())
    merged = merge_store.events(EventFilter(merged=True))
    assert len(raw) == 4 and len(merged) == 2
    by_type = {r["type"]: r for r in merged}
    assert by_type["CONSULT"]["article_id"] == "globe"  # the first report's fields
    assert (by_type["CONSULT"]["num_articles"], by_type["CONSULT"]["num_sources"]) == (3, 2)
    assert merge_store.events(EventFilter(merged=True, type="ACCUSE"))[0]["num_mentions"] == 1
    # filters apply to the first report: herald's report alone does not select the group
    assert merge_store.events(EventFilter(merged=True, article="herald")) == []


def _scored(results: list[ArticleResult], confidence: dict[str, float]) -> list[ArticleResult]:
    """The results with each article's events given that article's confidence."""
    return [replace(r, events=[replace(e, confidence=confidence[r.id]) for e in r.events]) for r in results]


def test_merged_listing_keeps_an_event_by_the_confidence_of_its_first_report(merge_store):
    _saved(merge_store, _scored(_three_reports_and_an_accusation(),
                                {"globe": 0.9, "herald": 0.3, "copy": 0.8, "moscow": 0.2}))
    raw = merge_store.events(EventFilter(min_confidence=0.5, order="article"))
    assert [(r["article_id"], r["confidence"]) for r in raw] == [("copy", 0.8), ("globe", 0.9)]
    [consult] = merge_store.events(EventFilter(merged=True, min_confidence=0.5))
    assert (consult["article_id"], consult["confidence"]) == ("globe", 0.9)
    assert (consult["num_mentions"], consult["num_articles"]) == (3, 3)  # the group's counts, not the filter's
    assert merge_store.events(EventFilter(merged=True, min_confidence=0.95)) == []
    assert len(merge_store.events(EventFilter(merged=True, min_confidence=0.2))) == 2


def test_a_merged_event_whose_first_report_is_under_the_threshold_is_left_out(merge_store):
    _saved(merge_store, _scored(_three_reports_and_an_accusation(),
                                {"globe": 0.3, "herald": 0.9, "copy": 0.9, "moscow": 0.9}))
    assert len(merge_store.events(EventFilter(min_confidence=0.5))) == 3  # herald, copy, moscow
    [accuse] = merge_store.events(EventFilter(merged=True, min_confidence=0.5))
    assert accuse["type"] == "ACCUSE"  # as every filter of the merged view: it reads the first report


def test_events_far_apart_or_without_a_source_country_stay_apart(merge_store):
    late = _result("late", OTHER_TEXT, [_consult(OTHER_TEXT, "2024-03-09")], None, "Late Post", "https://late.example")
    nobody = _consult(OTHER_TEXT, "2024-03-05")
    nobody.source = [Participant("officials", 0, 9, None, "GOV", None)]
    anon = _result("anon", OTHER_TEXT + ".", [nobody, _consult(OTHER_TEXT, "2024-03-05", "future")],
                   None, "Anon", "https://anon.example")
    _saved(merge_store, [_three_reports_and_an_accusation()[0], late, anon])
    groups = _groups(merge_store)
    assert set(groups) == {"globe:0", "late:0", "anon:0", "anon:1"}  # 4 days apart; no source; irrealis
    assert all(g["num_mentions"] == 1 for g in groups.values())


def test_reprocessing_an_article_regroups_its_events(merge_store):
    results = _three_reports_and_an_accusation()
    _saved(merge_store, results)
    globe = results[0]
    now_an_accusation = replace(globe.events[0], type="ACCUSE",
                                source=[Participant("Russia", 0, 6, "RUS", None, "Russia")],
                                target=[Participant("Ukraine", 0, 7, "UKR", None, "Ukraine")])
    merge_store.replace(replace(globe, events=[now_an_accusation]))
    assert _group_of(merge_store, "globe") is None  # re-inserted rows are not grouped yet
    cluster_articles(merge_store, ["globe"])
    group_events(merge_store, ["globe"])

    groups = _groups(merge_store)
    assert set(groups) == {"herald:0", "moscow:0"}  # globe's old group was released and regrouped
    consult = groups["herald:0"]
    assert _group_of(merge_store, "copy") == "herald:0"
    assert (consult["num_mentions"], consult["num_articles"], consult["num_sources"]) == (2, 2, 2)
    accuse = groups["moscow:0"]
    assert _group_of(merge_store, "globe") == "moscow:0"
    assert (accuse["num_mentions"], accuse["num_articles"]) == (2, 2)
    total = merge_store.backend.scalar("SELECT sum(num_mentions) FROM event_groups")
    assert total == merge_store.backend.scalar("SELECT count(*) FROM events")


def test_grouping_is_idempotent_and_catches_up_on_everything(merge_store):
    results = _three_reports_and_an_accusation()
    for result in results:
        merge_store.save([result])
    cluster_articles(merge_store)
    assert group_events(merge_store) == 4
    assert group_events(merge_store) == 0
    assert len(_groups(merge_store)) == 2


def test_codes_and_publishers_are_read_as_documented():
    assert countries("/USA:GOV//RUS://:MIL/") == {"USA", "RUS"}
    assert countries(None) == frozenset()
    assert publisher_key("x", None, None, "https://www.Example.org/a") == "example.org"
    assert publisher_key("x", "AP", "Yahoo", None) == "ap"
    assert publisher_key("x", None, None, None) == "article:x"


# --- the command line --------------------------------------------------------------------------

def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tidings.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)


def test_events_command_lists_fewer_merged_events_than_raw_reports(tmp_path):
    seed = SHARED / "seed" / "article.txt"
    if not seed.exists():
        pytest.skip("the shared seed article is absent")
    db = tmp_path / "cli.duckdb"
    ingest = _run("ingest", str(ROOT / "tests" / "data" / "special-forces-rewrite.txt"), str(seed),
                  "--db", str(db), "--published", "2022-01-18")
    assert ingest.returncode == 0, ingest.stderr
    merged = [json.loads(x) for x in _run("events", "--db", str(db), "--format", "jsonl").stdout.splitlines()]
    raw = [json.loads(x) for x in _run("events", "--raw", "--db", str(db), "--format", "jsonl").stdout.splitlines()]
    assert raw and merged
    assert len(merged) < len(raw)
    assert sum(r["num_mentions"] for r in merged) == len(raw)
    assert any(r["num_articles"] == 2 for r in merged)
    exported = _run("export", "events", "--format", "jsonl", "--db", str(db))
    assert len(exported.stdout.splitlines()) == len(merged)
    plover = [json.loads(x) for x in _run("export", "events", "--format", "plover", "--db", str(db)).stdout.splitlines()]
    assert len(plover) == len(merged)  # one record per merged event, not per report
    assert len({r["tidings_group_id"] for r in plover}) == len(plover)
    assert all(r["tidings_num_sources"] >= 1 and isinstance(r["actor"], list) for r in plover)
    assert sum(r["tidings_num_reports"] for r in plover) == len(raw)
    shared = next(r for r in merged if r["num_articles"] == 2)
    reports = [json.loads(x) for x in _run("events", "--group", shared["group_id"], "--db", str(db),
                                           "--format", "jsonl").stdout.splitlines()]
    assert len(reports) == shared["num_mentions"] and len({r["article_id"] for r in reports}) == 2


def test_group_filter_lists_every_report_of_one_event(merge_store):
    _saved(merge_store, _three_reports_and_an_accusation())
    group = _group_of(merge_store, "globe")
    reports = merge_store.events(EventFilter(group=group, limit=None))
    assert sorted(r["article_id"] for r in reports) == ["copy", "globe", "herald"]
    accusation = _group_of(merge_store, "moscow")
    assert [r["article_id"] for r in merge_store.events(EventFilter(group=accusation))] == ["moscow"]
    assert merge_store.events(EventFilter(group="no-such-group")) == []


def test_plover_export_writes_one_record_per_event_with_every_actor(merge_store):
    from tidings.export import plover_records

    results = _three_reports_and_an_accusation()
    results[1].events[0].source.append(Participant("Chrystia Freeland", 0, 5, "CAN", "GOV", "Chrystia Freeland"))
    _saved(merge_store, results)
    records = list(plover_records(merge_store))
    assert len(records) == 2
    consult = next(r for r in records if r["Event Type"] == "CONSULT")
    assert consult["tidings_group_id"] == _group_of(merge_store, "globe")
    assert (consult["tidings_num_reports"], consult["tidings_num_articles"], consult["tidings_num_sources"]) == (3, 3, 2)
    assert [a["identifier_text"] for a in consult["actor"]] == ["Justin Trudeau", "Chrystia Freeland"]
    assert consult["actor"][0] == {"code": "CAN", "sector": "GOV", "entity_text": "Justin Trudeau",
                                   "identifier_text": "Justin Trudeau"}
    assert [a["code"] for a in consult["recipient"]] == ["USA"]
    accuse = next(r for r in records if r["Event Type"] == "ACCUSE")
    assert accuse["tidings_num_reports"] == 1 and [a["code"] for a in accuse["actor"]] == ["RUS"]


def test_a_year_or_a_month_never_merges_by_day(merge_store):
    results = _three_reports_and_an_accusation()[:2]
    results[0].events[0] = replace(_consult(CONSULT_TEXT, "2024"), date_precision=None)
    results[1].events[0] = replace(_consult(OTHER_TEXT, "2024"), date_precision=None)
    _saved(merge_store, results)
    assert _group_of(merge_store, "globe") != _group_of(merge_store, "herald")
    row = merge_store.events(EventFilter(article="globe", merged=False))[0]
    assert (str(row["date"])[:10], row["event_date"], row["date_precision"]) == ("2024-01-01", "2024", "year")


def test_report_list_names_each_report_publisher_and_copy(merge_store):
    from tidings.web import views

    _saved(merge_store, _three_reports_and_an_accusation())
    data = views.reports(merge_store, _group_of(merge_store, "globe"))
    assert (data["num_mentions"], data["num_articles"], data["num_sources"]) == (3, 3, 2)
    reports = data["reports"]
    assert [r["article_id"] for r in reports] == ["globe", "copy", "herald"]  # published, then ingested
    assert [r["publisher"] for r in reports] == ["Globe Wire", "Aggregator", "Daily Herald"]
    assert [r["copy_of"] for r in reports] == [None, "globe", None]
    assert all(r["sentence"] and r["date_precision"] == "day" for r in reports)
    assert views.reports(merge_store, "no-such-group") is None
