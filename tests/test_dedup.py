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


# --- batched clustering in the store: the same clusters as adding articles one by one -----------------

VOCABULARY = ("the a of to in and on for with at by from after before over under about against between "
              "officials said would could talks government forces border security trade deal vote court "
              "minister police army rebels election parliament budget report attack protest ceasefire aid "
              "agreement sanctions leaders meeting week month year city region country province capital "
              "plan law policy crisis market prices workers strike oil gas water food health schools "
              "opposition party coalition troops village refugees camp negotiators statement spokesman").split()
NAMES = ("Nairobi Kenya Ethiopia Somalia Brazil Chile Moscow Kyiv Ankara Tehran Beijing Delhi Lagos Accra "
         "Lima Quito Manila Jakarta Hanoi Dhaka Cairo Tunis Rabat Dakar Harare Lusaka Kampala Kigali Juba "
         "Mutua Ruto Lula Boric Erdogan Modi Tinubu Mahama Marcos Widodo Hasina Sisi Saied Sall").split()


def _story(rng: random.Random, sentences: int) -> str:
    out = []
    for _ in range(sentences):
        words_ = [rng.choice(VOCABULARY) for _ in range(rng.randint(10, 18))]
        for _ in range(rng.randint(1, 3)):
            words_.insert(rng.randint(1, len(words_)), rng.choice(NAMES) if rng.random() < 0.7
                          else str(rng.randint(2, 9000)))
        out.append(" ".join(words_).capitalize() + ".")
    return " ".join(out)


def _copies(rng: random.Random, text: str, other: str) -> list[str]:
    """Republished, trimmed, reworded, half-edited, spliced and excerpted copies of `text`."""
    sentences = text.split(". ")
    reworded = " ".join(w if not w.islower() or rng.random() < 0.5 else rng.choice(VOCABULARY)
                        for w in text.split(" "))
    edited = " ".join(w if rng.random() < rng.choice((0.6, 0.75, 0.9)) else rng.choice(VOCABULARY)
                      for w in text.split(" "))
    return ["Advertisement\n\n" + text + "\n\nShare this article", text[: len(text) * 2 // 3], reworded, edited,
            ". ".join(sentences[: len(sentences) // 2]) + ". " + other[len(other) // 2:],
            ". ".join(sentences[len(sentences) // 3:])]


def _corpus(seed: int = 5, stories: int = 12) -> list[tuple[str, str]]:
    """(id, text) in a shuffled order: stories, copies of them, copies of copies."""
    rng = random.Random(seed)
    texts = [_story(rng, rng.randint(6, 14)) for _ in range(stories)]
    items = [(f"s{i:02d}", t) for i, t in enumerate(texts)]
    for i, text in enumerate(texts):
        for k, copy in enumerate(_copies(rng, text, texts[(i + 1) % stories])):
            items.append((f"c{i:02d}-{k}", copy))
            if rng.random() < 0.3:
                items.append((f"cc{i:02d}-{k}", _copies(rng, copy, texts[(i + 2) % stories])[rng.randint(0, 5)]))
    rng.shuffle(items)
    return items


@pytest.fixture
def dedup_store_factory(request, tmp_path):
    """`open_cluster_store(backend)` → an open empty store: a DuckDB file, or a fresh schema of the
    PostgreSQL server in TIDINGS_TEST_POSTGRES (skipped when unset). Closed and dropped afterwards."""
    from contextlib import ExitStack

    from pg_util import store_location
    from tidings.store import open_store

    opened = 0
    with ExitStack() as stack:
        def open_cluster_store(backend: str):
            nonlocal opened
            location = stack.enter_context(store_location(backend, tmp_path, f"c{opened}"))
            opened += 1
            store = open_store(location)
            stack.callback(store.close)  # closed before its schema is dropped
            return store

        yield open_cluster_store


def _cluster_one_by_one(store, ids=None) -> int:
    """The reference: the per-article algorithm (one lookup, one insert, one update per article)."""
    from tidings.dedup.store_index import StoreBands

    index = DuplicateIndex(backend=StoreBands(store, DuplicateIndex().settings))
    backend = store.backend
    where, params = "status = 'ok' AND cluster_id IS NULL", []
    if ids is not None:
        where += f" AND id IN ({', '.join('?' for _ in ids)})"
        params = list(ids)
    with backend.transaction():
        pending = backend.rows(f"SELECT id, text FROM articles WHERE {where} ORDER BY ingested_at, id", params)
        for row in pending:
            article_id = row["id"]
            signature = index.backend.signature(article_id) or index.signature(row["text"] or "")
            cluster = None
            for match in index.matches(signature):
                if match.article_id != article_id:
                    cluster = backend.scalar("SELECT cluster_id FROM articles WHERE id = ?", [match.article_id])
                    if cluster:
                        break
            index.add(article_id, signature)
            backend.execute("UPDATE articles SET cluster_id = ? WHERE id = ?", [cluster or article_id, article_id])
    return len(pending)


def _save_in_batches(store, items, size, cluster) -> None:
    from tidings.records import ArticleResult

    for start in range(0, len(items), size):
        batch = [ArticleResult(id=i, text=t, content_hash=f"h-{i}") for i, t in items[start:start + size]]
        store.save(batch)
        cluster(store, [r.id for r in batch])


def _clusters(store) -> dict[str, str]:
    return {r["id"]: r["cluster_id"] for r in store.backend.rows("SELECT id, cluster_id FROM articles")}


@pytest.mark.parametrize("backend", ["duckdb", "postgresql"])
def test_batched_clustering_gives_every_article_the_cluster_one_by_one_insertion_gives(dedup_store_factory,
                                                                                        backend, monkeypatch):
    from tidings.dedup import store_index

    monkeypatch.setattr(store_index, "CHUNK", 4)  # several chunks per batch: chunk boundaries are exercised
    items = _corpus()
    reference, batched = dedup_store_factory(backend), dedup_store_factory(backend)
    _save_in_batches(reference, items, 9, _cluster_one_by_one)
    _save_in_batches(batched, items, 9, store_index.cluster_articles)
    expected, got = _clusters(reference), _clusters(batched)
    assert got == expected
    copies_clustered = sum(1 for i, c in expected.items() if c != i)
    assert copies_clustered >= len(items) // 3  # the corpus really has duplicates, across and within batches
    batch_of = {i: n // 9 for n, (i, _) in enumerate(items)}
    assert any(batch_of[i] == batch_of[c] for i, c in expected.items() if c != i)
    assert any(batch_of[i] != batch_of[c] for i, c in expected.items() if c != i)
    stored = batched.backend.scalar("SELECT count(*) FROM dedup_bands")
    assert stored == reference.backend.scalar("SELECT count(*) FROM dedup_bands")


@pytest.mark.parametrize("backend", ["duckdb", "postgresql"])
def test_articles_left_unclustered_are_clustered_as_one_by_one_on_the_next_call(dedup_store_factory, backend,
                                                                                 monkeypatch):
    from tidings.dedup import store_index
    from tidings.records import ArticleResult

    monkeypatch.setattr(store_index, "CHUNK", 5)
    items = _corpus(seed=11)
    stores = dedup_store_factory(backend), dedup_store_factory(backend)
    for store, cluster in zip(stores, (_cluster_one_by_one, store_index.cluster_articles)):
        half = len(items) // 2
        _save_in_batches(store, items[:half], 10, cluster)
        # the rest stored, a third of it also signed, but never clustered (as by an older version or a crash)
        store.save([ArticleResult(id=i, text=t, content_hash=f"h-{i}") for i, t in items[half:]])
        _cluster_one_by_one(store, [i for i, _ in items[half::3]])
        store.backend.execute("UPDATE articles SET cluster_id = NULL WHERE id IN (SELECT unnest(?::text[]))",
                              [[i for i, _ in items[half::3]]])
        assert cluster(store) == len(items) - half
    assert _clusters(stores[1]) == _clusters(stores[0])
    assert all(_clusters(stores[1]).values())


def test_precomputed_signatures_give_the_same_clusters(dedup_store_factory):
    from tidings.dedup.store_index import cluster_articles

    items = _corpus(seed=7, stories=6)
    index = DuplicateIndex()
    signed = {i: index.signature(t) for i, t in items}
    plain, given = dedup_store_factory("duckdb"), dedup_store_factory("duckdb")
    _save_in_batches(plain, items, 8, cluster_articles)
    _save_in_batches(given, items, 8, lambda store, ids: cluster_articles(store, ids, signatures=signed))
    assert _clusters(given) == _clusters(plain)
    assert len(set(_clusters(plain).values())) < len(items)


def test_signatures_keep_their_values_when_sketches_share_permutations():
    from datasketch import MinHash

    from tidings.dedup import shingles, signature_from_bytes, signature_to_bytes, words

    index = DuplicateIndex()
    signature = index.signature(STORY)
    fresh = MinHash(num_perm=128, seed=1, scheme="affine64")  # its own permutations, generated afresh
    fresh.update_batch([s.encode("utf-8") for s in shingles([w.lower() for w in words(STORY)], 3)])
    assert (signature.text.hashvalues == fresh.hashvalues).all()
    loaded = signature_from_bytes(*signature_to_bytes(signature), index.settings, signature.n_text,
                                  signature.n_anchors, index.permutations)
    assert loaded.text.jaccard(signature.text) == 1.0 and loaded.anchors.jaccard(signature.anchors) == 1.0
