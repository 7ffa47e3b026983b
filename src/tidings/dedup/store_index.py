"""The near-duplicate index kept in the store (both backends), and cluster assignment.

Each ok article gets a MinHash signature (two views, see `tidings.dedup`) stored in
`dedup_signatures`, its LSH band hashes in `dedup_bands` (indexed by hash), and a
`articles.cluster_id`: the cluster of its best near-duplicate already stored, else its own id.
Adding an article costs one indexed lookup of its band hashes plus the verification of the
few candidates found, not a pass over the database.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from tidings.dedup import DedupSettings, DuplicateIndex, Signature, signature_from_bytes, signature_to_bytes

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


def cluster_articles(store, ids: Iterable[str] | None = None, settings: DedupSettings | None = None) -> int:
    """Give every ok article without a cluster (of `ids`, or all) its duplicate cluster.

    Articles are taken in ingest order, so the first copy of a story founds its cluster.
    Returns how many articles were clustered. One transaction: all or nothing.
    """
    settings = settings or DedupSettings()
    index = DuplicateIndex(settings, StoreBands(store, settings))
    backend = store.backend
    where, params = "status = 'ok' AND cluster_id IS NULL", []
    if ids is not None:
        ids = list(ids)
        if not ids:
            return 0
        where += f" AND id IN ({', '.join('?' for _ in ids)})"
        params = ids
    done = 0
    with backend.transaction():
        backend.lock_writers()
        pending = backend.rows(f"SELECT id, text FROM articles WHERE {where} ORDER BY ingested_at, id", params)
        for row in pending:
            article_id = row["id"]
            signature = index.backend.signature(article_id) or index.signature(row["text"] or "")
            matches = [m for m in index.matches(signature) if m.article_id != article_id]
            cluster = _cluster_of(backend, matches) or article_id
            index.add(article_id, signature)
            backend.execute("UPDATE articles SET cluster_id = ? WHERE id = ?", [cluster, article_id])
            done += 1
    return done


def _cluster_of(backend, matches) -> str | None:
    for match in matches:
        cluster = backend.scalar("SELECT cluster_id FROM articles WHERE id = ?", [match.article_id])
        if cluster:
            return cluster
    return None


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
