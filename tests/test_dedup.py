"""Near-duplicate articles: the index, its persistence in the store, and clusters from real ingests."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tidings.dedup import DuplicateIndex, anchors
from tidings.dedup.events import EventKey, same_event
from tidings.records import Event, Participant, Span

DATA = Path(__file__).parent / "data"
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "article.txt"

STORY = (
    "Foreign ministers from Kenya, Ethiopia and Somalia met in Nairobi on Tuesday to discuss a joint force "
    "against al-Shabaab. Kenyan Foreign Minister Alfred Mutua said the three countries would share "
    "intelligence and coordinate border patrols along the 700-kilometre frontier. Ethiopia pledged 2,000 "
    "troops, while Somalia asked the African Union to extend its mission until December. The talks "
    "follow an attack on a police post in Mandera last month that killed 14 officers. Diplomats said a "
    "second meeting would take place in Addis Ababa in March, with observers from the United Nations "
    "and the European Union invited to attend. "
) * 2
OTHER = (
    "Brazil's central bank raised its benchmark rate by half a point on Wednesday, citing persistent "
    "inflation in food and energy prices. Governor Roberto Campos Neto said further increases were "
    "possible if price pressures did not ease by the second quarter. Economists at three banks in Sao "
    "Paulo had expected a smaller move. The real strengthened against the dollar after the decision, "
    "and shares of retailers in Rio de Janeiro fell. The bank will publish minutes of the meeting next "
    "Tuesday, with new forecasts for growth and inflation in March. "
) * 2


def test_a_republished_copy_is_found_and_a_different_story_is_not():
    index = DuplicateIndex()
    index.add("story", index.signature(STORY))
    index.add("other", index.signature(OTHER))
    copy = "Advertisement\n\n" + STORY + "\n\nShare this article\n\n© 2022 Some Site"
    assert [m.article_id for m in index.matches(index.signature(copy))] == ["story"]
    unrelated = OTHER.replace("Brazil", "Chile").replace("Sao Paulo", "Santiago")[: len(OTHER) // 3]
    assert "story" not in [m.article_id for m in index.matches(index.signature(unrelated))]


def test_a_trimmed_and_a_reworded_copy_are_found():
    index = DuplicateIndex()
    index.add("story", index.signature(STORY))
    trimmed = STORY[: int(len(STORY) * 0.7)]
    swaps = {"met": "gathered", "discuss": "consider", "said": "stated", "asked": "requested",
             "attack": "assault", "killed": "left dead", "meeting": "session", "invited": "asked"}
    rng = random.Random(3)
    reworded = " ".join(swaps.get(w, w) if rng.random() < 0.9 else w for w in STORY.split(" "))
    reworded = reworded.replace(", while ", ". Meanwhile ")
    for copy in (trimmed, reworded):
        assert [m.article_id for m in index.matches(index.signature(copy))] == ["story"]


def test_anchors_are_names_and_numbers_in_order():
    assert anchors("Officials met. Kenyan Minister Alfred Mutua said 2,000 troops would go to Mandera.") == [
        "minister", "alfred", "mutua", "2000", "mandera"]


def test_reports_of_one_event_merge_and_different_events_do_not():
    def event(kind: str, src: str, tgt: str, day: str, factuality: str = "asserted") -> Event:
        return Event(type=kind, trigger=Span("x", 0, 1), sentence=Span("x", 0, 1), rule="t",
                     source=[Participant("a", 0, 1, country=src)], target=[Participant("b", 0, 1, country=tgt)],
                     date=day, factuality=factuality)

    a = EventKey.of(event("CONSULT", "CAN", "USA", "2022-01-14"))
    assert same_event(a, EventKey.of(event("CONSULT", "CAN", "USA", "2022-01-15")))
    assert not same_event(a, EventKey.of(event("CONSULT", "CAN", "USA", "2022-01-25")))
    assert not same_event(a, EventKey.of(event("ACCUSE", "CAN", "USA", "2022-01-14")))
    assert not same_event(a, EventKey.of(event("CONSULT", "FRA", "USA", "2022-01-14")))
    assault = EventKey.of(event("ASSAULT", "RUS", "UKR", "2022-01-14"))
    assert not same_event(assault, EventKey.of(event("ASSAULT", "RUS", "UKR", "2022-01-14", "hypothetical")))


@pytest.mark.skipif(not SEED.exists(), reason="../shared/seed is not available")
def test_the_seed_and_a_rewritten_copy_share_a_cluster_and_a_same_dyad_story_does_not(tmp_path):
    from tidings.analysis import dyad_series
    from tidings.dedup.store_index import cluster_members
    from tidings.ingest_run import IngestSettings, run_ingest
    from tidings.store import open_store

    db = str(tmp_path / "dedup.duckdb")
    settings = IngestSettings(db=db, published="2022-01-18", workers=1)
    run_ingest([str(SEED), str(DATA / "special-forces-rewrite.txt"), str(DATA / "dyad-unrelated.txt")], settings)
    with open_store(db, read_only=True) as store:
        rows = store.backend.rows("SELECT id, origin, cluster_id FROM articles ORDER BY origin")
        cluster = {Path(r["origin"]).name: r["cluster_id"] for r in rows}
        assert cluster["article.txt"] == cluster["special-forces-rewrite.txt"]
        assert cluster["dyad-unrelated.txt"] != cluster["article.txt"]
        seed_id = next(r["id"] for r in rows if r["origin"].endswith("article.txt"))
        assert len(cluster_members(store, seed_id)) == 2

        # merged, the two copies' USA–RUS events count once: fewer than the reports of both copies
        merged = sum(r["total"] for r in dyad_series(store, "USA", "RUS", merged=True))
        raw = sum(r["total"] for r in dyad_series(store, "USA", "RUS", merged=False))
        assert 0 < merged < raw


def test_clusters_survive_reopening_and_a_second_ingest(tmp_path):
    from tidings.ingest_run import IngestSettings, run_ingest
    from tidings.store import open_store

    (tmp_path / "a.txt").write_text("Talks in Nairobi\n\n" + STORY, encoding="utf-8")
    (tmp_path / "b.txt").write_text("Rates rise\n\n" + OTHER, encoding="utf-8")
    db = str(tmp_path / "t.duckdb")
    run_ingest([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")], IngestSettings(db=db, workers=1))
    later = tmp_path / "later"
    later.mkdir()
    (later / "copy.txt").write_text("Ministers meet in Nairobi\n\nAdvertisement\n\n" + STORY[: len(STORY) * 3 // 4],
                                    encoding="utf-8")
    run_ingest([str(later)], IngestSettings(db=db, workers=1))
    with open_store(db, read_only=True) as store:
        rows = {Path(r["origin"]).name: r["cluster_id"]
                for r in store.backend.rows("SELECT origin, cluster_id FROM articles")}
    assert rows["copy.txt"] == rows["a.txt"] != rows["b.txt"]
