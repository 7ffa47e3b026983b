"""The near-duplicate index kept in the store (both backends), and cluster assignment.

Each ok article gets a MinHash signature (two views, see `tidings.dedup`) stored in
`dedup_signatures`, its LSH band hashes in `dedup_bands` (indexed by hash), and a
`articles.cluster_id`: the cluster of its best near-duplicate already stored, else its own id.
Clustering works in chunks of articles with a fixed handful of queries per chunk: one lookup
of all the chunk's band hashes, one load of the candidates' signatures and clusters, bulk
inserts and one bulk update. Earlier articles of the same chunk are matched in memory, so the
result is the same as adding the articles one by one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from tidings.dedup import (DedupSettings, DuplicateIndex, MemoryBands, Signature, signature_from_bytes,
                           signature_to_bytes)

log = logging.getLogger(__name__)


class StoreBands:
    """`DuplicateIndex` backend over the store's dedup tables."""

    def __init__(self, store, settings: DedupSettings) -> None:
        self.backend = store.backend
        self.settings = settings

    def candidates(self, view: str, bands: list[tuple[int, int]]) -> set[str]:
        if not bands:
            return set()
        wanted = set(bands)
        marks = ", ".join("?" for _ in bands)
        rows = self.backend.rows(
            f"SELECT band, hash, article_id FROM dedup_bands WHERE view = ? AND hash IN ({marks})",
            [view, *(h for _, h in bands)])
        return {r["article_id"] for r in rows if (r["band"], r["hash"]) in wanted}

    def signature(self, article_id: str) -> Signature | None:
        rows = self.backend.rows("SELECT text_sig, anchor_sig, n_text, n_anchors FROM dedup_signatures"
                                 " WHERE article_id = ?", [article_id])
        if not rows:
            return None
        row = rows[0]
        return signature_from_bytes(bytes(row["text_sig"]),
                                    bytes(row["anchor_sig"]) if row["anchor_sig"] is not None else None,
                                    self.settings, row["n_text"], row["n_anchors"])

    def __contains__(self, article_id: str) -> bool:
        return self.backend.scalar("SELECT 1 FROM dedup_signatures WHERE article_id = ?", [article_id]) is not None

    def __len__(self) -> int:
        return int(self.backend.scalar("SELECT count(*) FROM dedup_signatures") or 0)

    def add(self, article_id: str, signature: Signature, bands: dict[str, list[tuple[int, int]]]) -> None:
        text_sig, anchor_sig = signature_to_bytes(signature)
        self.backend.execute("INSERT INTO dedup_signatures (article_id, text_sig, anchor_sig, n_text, n_anchors)"
                             " VALUES (?, ?, ?, ?, ?)",
                             [article_id, text_sig, anchor_sig, signature.n_text, signature.n_anchors])
        rows = [(view, band, value, article_id) for view, pairs in bands.items() for band, value in pairs]
        if rows:
            marks = ", ".join("(?, ?, ?, ?)" for _ in rows)
            self.backend.execute(f"INSERT INTO dedup_bands (view, band, hash, article_id) VALUES {marks}",
                                 [x for row in rows for x in row])


CHUNK = 500  # pending articles clustered per round of batched queries


def cluster_articles(store, ids: Iterable[str] | None = None, settings: DedupSettings | None = None,
                     signatures: Mapping[str, Signature] | None = None) -> int:
    """Give every ok article without a cluster (of `ids`, or all) its duplicate cluster.

    Articles are taken in ingest order, so the first copy of a story founds its cluster: an
    article joins the cluster of its best verified near-duplicate that is already stored with a
    cluster (an earlier article of the same call included), else founds its own. Returns how
    many articles were clustered. One transaction: all or nothing.

    `signatures` (article id → `DuplicateIndex(settings).signature(text)` of the stored text)
    spares computing them here; an article without one, or whose signature is already stored,
    is signed as usual. Queries are batched: a handful per `CHUNK` articles, not per article.
    """
    settings = settings or DedupSettings()
    backend = store.backend
    where, params = "status = 'ok' AND cluster_id IS NULL", []
    if ids is not None:
        ids = list(ids)
        if not ids:
            return 0
        where += f" AND id IN (SELECT {_array('text')})"
        params = [ids]
    index = DuplicateIndex(settings)
    with backend.transaction():
        backend.lock_writers()
        pending = [r["id"] for r in backend.rows(
            f"SELECT id FROM articles WHERE {where} ORDER BY ingested_at, id", params)]
        for start in range(0, len(pending), CHUNK):
            _cluster_chunk(backend, index, pending[start:start + CHUNK], signatures or {})
    return len(pending)


def _array(sql_type: str) -> str:
    return f"unnest(?::{sql_type}[])"


class _ChunkBands:
    """`DuplicateIndex` backend for one chunk: the stored band buckets and signatures its
    articles can reach (fetched in bulk beforehand), plus the chunk's new articles in memory as
    they are clustered, so each article sees exactly what a one-by-one insertion would show it."""

    def __init__(self, buckets: dict[tuple[str, int, int], list[str]], stored: dict[str, Signature]) -> None:
        self.buckets = buckets
        self.stored = stored
        self.memory = MemoryBands()

    def candidates(self, view: str, bands: list[tuple[int, int]]) -> set[str]:
        found = self.memory.candidates(view, bands)
        for band, value in bands:
            found.update(self.buckets.get((view, band, value), ()))
        return found

    def signature(self, article_id: str) -> Signature | None:
        return self.memory.signature(article_id) or self.stored.get(article_id)

    def __contains__(self, article_id: str) -> bool:
        return article_id in self.memory or article_id in self.stored

    def __len__(self) -> int:
        return len(self.memory) + len(self.stored)

    def add(self, article_id: str, signature: Signature, bands: dict[str, list[tuple[int, int]]]) -> None:
        self.memory.add(article_id, signature, bands)


def _cluster_chunk(backend, index: DuplicateIndex, pending: list[str], given: Mapping[str, Signature]) -> None:
    """Cluster `pending` (ids in ingest order) and store their signatures, bands and clusters."""
    rows = {r["id"]: r for r in backend.rows(
        "SELECT a.id, a.text, s.text_sig, s.anchor_sig, s.n_text, s.n_anchors FROM articles a"
        f" LEFT JOIN dedup_signatures s ON s.article_id = a.id WHERE a.id IN (SELECT {_array('text')})",
        [pending])}
    stored = {i: _signature(rows[i], index) for i in pending if rows[i]["text_sig"] is not None}
    signatures = {i: stored.get(i) or given.get(i) or index.signature(rows[i]["text"] or "") for i in pending}
    bands = {i: index.band_hashes(signature) for i, signature in signatures.items()}
    buckets = _buckets(backend, bands)
    reachable = {a for ids in buckets.values() for a in ids} - stored.keys()
    others, cluster_of = _stored_signatures(backend, index, reachable)
    chunk = index.with_backend(_ChunkBands(buckets, {**others, **stored}))
    assigned = [(i, _assign(chunk, i, signatures[i], bands[i], cluster_of)) for i in pending]
    new = [i for i in pending if i not in stored]
    _insert_signatures(backend, [(i, signatures[i]) for i in new])
    _insert_bands(backend, [(view, band, value, i) for i in new for view, pairs in bands[i].items()
                            for band, value in pairs])
    backend.execute(f"UPDATE articles SET cluster_id = v.cluster_id FROM (SELECT {_array('text')} AS id,"
                    f" {_array('text')} AS cluster_id) v WHERE articles.id = v.id",
                    [[i for i, _ in assigned], [c for _, c in assigned]])


def _assign(chunk: DuplicateIndex, article_id: str, signature: Signature, bands: dict[str, list[tuple[int, int]]],
            cluster_of: dict[str, str | None]) -> str:
    """The cluster of the article's best match that has one, else its own id; then the article
    joins the chunk's index (unless stored already) and `cluster_of`."""
    matches = chunk.matches(signature, bands)
    cluster = next((cluster_of[m.article_id] for m in matches
                    if m.article_id != article_id and cluster_of.get(m.article_id)), article_id)
    chunk.add(article_id, signature, bands)
    cluster_of[article_id] = cluster
    return cluster


def _signature(row: dict[str, Any], index: DuplicateIndex) -> Signature:
    return signature_from_bytes(bytes(row["text_sig"]),
                                bytes(row["anchor_sig"]) if row["anchor_sig"] is not None else None,
                                index.settings, row["n_text"], row["n_anchors"], index.permutations)


def _buckets(backend, bands: dict[str, dict[str, list[tuple[int, int]]]]) -> dict[tuple[str, int, int], list[str]]:
    """The stored band buckets holding any of `bands` (one lookup for the whole chunk)."""
    wanted = {(view, band, value) for per_view in bands.values() for view, pairs in per_view.items()
              for band, value in pairs}
    if not wanted:
        return {}
    rows = backend.query(f"SELECT view, band, hash, article_id FROM dedup_bands WHERE hash IN (SELECT"
                         f" {_array('bigint')})", [sorted({value for _, _, value in wanted})])[1]
    buckets: dict[tuple[str, int, int], list[str]] = {}
    for view, band, value, article_id in rows:
        if (view, band, value) in wanted:
            buckets.setdefault((view, band, value), []).append(article_id)
    return buckets


def _stored_signatures(backend, index: DuplicateIndex,
                       ids: set[str]) -> tuple[dict[str, Signature], dict[str, str | None]]:
    """The stored signatures of `ids` and their articles' current clusters."""
    if not ids:
        return {}, {}
    rows = backend.rows(
        "SELECT s.article_id AS id, s.text_sig, s.anchor_sig, s.n_text, s.n_anchors, a.cluster_id"
        " FROM dedup_signatures s LEFT JOIN articles a ON a.id = s.article_id"
        f" WHERE s.article_id IN (SELECT {_array('text')})", [sorted(ids)])
    return {r["id"]: _signature(r, index) for r in rows}, {r["id"]: r["cluster_id"] for r in rows}


def _insert_signatures(backend, signatures: list[tuple[str, Signature]]) -> None:
    if not signatures:
        return
    raw = [signature_to_bytes(s) for _, s in signatures]
    backend.execute(
        "INSERT INTO dedup_signatures (article_id, text_sig, anchor_sig, n_text, n_anchors) SELECT"
        f" {_array('text')}, {_array('bytea')}, {_array('bytea')}, {_array('integer')}, {_array('integer')}",
        [[i for i, _ in signatures], [t for t, _ in raw], [a for _, a in raw],
         [s.n_text for _, s in signatures], [s.n_anchors for _, s in signatures]])


def _insert_bands(backend, rows: list[tuple[str, int, int, str]]) -> None:
    if rows:
        backend.execute("INSERT INTO dedup_bands (view, band, hash, article_id) SELECT"
                        f" {_array('text')}, {_array('integer')}, {_array('bigint')}, {_array('text')}",
                        [list(column) for column in zip(*rows)])


def cluster_members(store, article_id: str) -> list[dict[str, Any]]:
    """The stored copies of an article's story (itself included), canonical first.

    The canonical copy is the credited original publisher's own copy when one member is
    published by the outlet the others credit, else the earliest published (then ingested).
    """
    rows = store.backend.rows(
        "SELECT id, title, url, published, credited_publisher, site_name, ingested_at FROM articles"
        " WHERE cluster_id = (SELECT cluster_id FROM articles WHERE id = ?) ORDER BY published, ingested_at, id",
        [article_id])
    credited = {(r["credited_publisher"] or "").casefold() for r in rows} - {""}
    originals = [r for r in rows if (r["site_name"] or "").casefold() in credited]
    canonical = (originals or rows)[:1]
    for row in rows:
        row["canonical"] = bool(canonical) and row["id"] == canonical[0]["id"]
    return sorted(rows, key=lambda r: not r["canonical"])
