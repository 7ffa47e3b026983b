"""Near-duplicate articles: MinHash-LSH over two views of an article's text.

A republished, trimmed or lightly edited copy shares most *word shingles* with its original; a
machine-rewritten copy (synonym swaps, split sentences) shares few, but keeps its *anchors*: the
names and numbers, in the same order. Each article gets two MinHash signatures (datasketch), one
per view, indexed in LSH tables; a new article is compared only with the candidates that share a
band (a lookup, not a pass over the collection), and a candidate is a duplicate when the
estimated similarity of either view passes its threshold.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from datasketch import MinHash
from datasketch.lsh import _optimal_param

WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)
NUMBER = re.compile(r"\d")
NOT_DIGIT = re.compile(r"[^\d]")
ANCHOR_TOKEN = re.compile(r"[^\W_]+(?:[-'’.,][^\W_]+)*|[.!?]")


@dataclass(frozen=True)
class DedupSettings:
    num_perm: int = 128
    word_shingle: int = 3  # words per text shingle
    anchor_shingle: int = 3  # anchors (names, numbers) per anchor shingle
    candidate_threshold: float = 0.25 # LSH banding threshold: generous, candidates are verified
    text_threshold: float = 0.5  # estimated containment of text shingles to call a duplicate
    anchor_threshold: float = 0.5  # estimated containment of anchor shingles to call a duplicate
    min_anchors: int = 8  # fewer anchors than this: the anchor view is not trusted
    seed: int = 1
    scheme: str = "affine64"  # datasketch's hashing scheme (stored signatures must match it)


@dataclass
class Signature:
    text: MinHash
    anchors: MinHash | None
    n_text: int
    n_anchors: int


@dataclass
class Match:
    article_id: str
    text_similarity: float
    anchor_similarity: float


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def words(text: str) -> list[str]:
    return WORD.findall(_normalise(text))


def anchors(text: str) -> list[str]:
    """Names and numbers in order: capitalised words not opening a sentence, and numbers."""
    out: list[str] = []
    sentence_start = True
    for token in ANCHOR_TOKEN.findall(_normalise(text)):
        if token in ".!?":
            sentence_start = True
            continue
        if not token.isalpha() and NUMBER.search(token):  # letters only: no digit (the fast common case)
            out.append(NOT_DIGIT.sub("", token))
        elif not sentence_start and len(token) > 1 and token[0].isupper():
            out.append(token.lower())
        sentence_start = False
    return out


def shingles(tokens: list[str], n: int) -> set[str]:
    if len(tokens) < n:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)}


@functools.lru_cache(maxsize=16)
def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows per band) for a banding threshold (datasketch's optimum; it integrates
    numerically, ~80 ms, hence remembered: a pure function of its arguments)."""
    return _optimal_param(threshold, num_perm, 0.5, 0.5)


class MemoryBands:
    """Band buckets and signatures in memory (the benchmark's backend; the store has its own)."""

    def __init__(self) -> None:
        self._buckets: dict[tuple[str, int, int], list[str]] = {}
        self._signatures: dict[str, Signature] = {}

    def candidates(self, view: str, bands: list[tuple[int, int]]) -> set[str]:
        found: set[str] = set()
        for band, value in bands:
            found.update(self._buckets.get((view, band, value), ()))
        return found

    def signature(self, article_id: str) -> Signature | None:
        return self._signatures.get(article_id)

    def add(self, article_id: str, signature: Signature, bands: dict[str, list[tuple[int, int]]]) -> None:
        self._signatures[article_id] = signature
        for view, pairs in bands.items():
            for band, value in pairs:
                self._buckets.setdefault((view, band, value), []).append(article_id)

    def __contains__(self, article_id: str) -> bool:
        return article_id in self._signatures

    def __len__(self) -> int:
        return len(self._signatures)


class DuplicateIndex:
    """LSH over the two MinHash views. Band buckets live in a backend: memory, or the store."""

    def __init__(self, settings: DedupSettings | None = None, backend=None) -> None:
        self.settings = settings or DedupSettings()
        s = self.settings
        self.bands, self.rows = lsh_params(s.candidate_threshold, s.num_perm)
        self.backend = backend if backend is not None else MemoryBands()
        self.permutations = permutations(self.settings)  # shared by this index's sketches

    def __len__(self) -> int:
        return len(self.backend)

    def with_backend(self, backend) -> "DuplicateIndex":
        """This index's parameters over another backend."""
        other = copy.copy(self)
        other.backend = backend
        return other

    def signature(self, text: str) -> Signature:
        s = self.settings
        text_shingles = shingles([w.lower() for w in words(text)], s.word_shingle)
        anchor_list = anchors(text)
        anchor_shingles = shingles(anchor_list, s.anchor_shingle)
        return Signature(
            text=self._minhash(text_shingles),
            anchors=self._minhash(anchor_shingles) if len(anchor_list) >= s.min_anchors else None,
            n_text=len(text_shingles), n_anchors=len(anchor_shingles),
        )

    def _minhash(self, items: Iterable[str]) -> MinHash:
        s = self.settings
        m = MinHash(num_perm=s.num_perm, seed=s.seed, scheme=s.scheme, permutations=self.permutations)
        m.update_batch([i.encode("utf-8") for i in items])
        return m

    def band_hashes(self, signature: Signature) -> dict[str, list[tuple[int, int]]]:
        """(band number, 63-bit hash of the band's rows) per view."""
        out = {"text": self._bands(signature.text)}
        if signature.anchors is not None:
            out["anchors"] = self._bands(signature.anchors)
        return out

    def _bands(self, minhash: MinHash) -> list[tuple[int, int]]:
        raw = minhash.hashvalues.tobytes()
        width = self.rows * minhash.hashvalues.itemsize
        pairs = []
        for band in range(self.bands):
            digest = hashlib.blake2b(raw[band * width:(band + 1) * width], digest_size=8).digest()
            pairs.append((band, int.from_bytes(digest, "big") >> 1))
        return pairs

    def matches(self, signature: Signature, bands: dict[str, list[tuple[int, int]]] | None = None) -> list[Match]:
        """Indexed articles that are near-duplicates of `signature`, best first.

        `bands`: the signature's `band_hashes`, when the caller has them already."""
        s = self.settings
        candidates: set[str] = set()
        for view, pairs in (bands if bands is not None else self.band_hashes(signature)).items():
            candidates |= self.backend.candidates(view, pairs)
        found = []
        for key in candidates:
            other = self.backend.signature(key)
            if other is None:
                continue
            text_sim = _similarity(signature.text, other.text, signature.n_text, other.n_text)
            anchor_sim = (_similarity(signature.anchors, other.anchors, signature.n_anchors, other.n_anchors)
                          if signature.anchors is not None and other.anchors is not None else 0.0)
            if text_sim >= s.text_threshold or anchor_sim >= s.anchor_threshold:
                found.append(Match(key, text_sim, anchor_sim))
        return sorted(found, key=lambda m: (-max(m.text_similarity, m.anchor_similarity), m.article_id))

    def add(self, article_id: str, signature: Signature,
            bands: dict[str, list[tuple[int, int]]] | None = None) -> None:
        if article_id not in self.backend:
            self.backend.add(article_id, signature, bands if bands is not None else self.band_hashes(signature))


def _similarity(a: MinHash, b: MinHash, size_a: int, size_b: int) -> float:
    """Estimated containment of the smaller shingle set in the larger (Jaccard when sizes are
    unknown): a trimmed or condensed copy is mostly contained in its original even when their
    Jaccard similarity is low because one is much longer."""
    jaccard = a.jaccard(b)
    if size_a <= 0 or size_b <= 0:
        return jaccard
    shared = jaccard / (1 + jaccard) * (size_a + size_b)
    return min(1.0, shared / min(size_a, size_b))


def signature_to_bytes(signature: Signature) -> tuple[bytes, bytes | None]:
    return (signature.text.hashvalues.tobytes(),
            signature.anchors.hashvalues.tobytes() if signature.anchors is not None else None)


def permutations(settings: DedupSettings) -> np.ndarray:
    """The MinHash permutation parameters of `settings` (pass them on to skip regenerating them)."""
    return MinHash(num_perm=settings.num_perm, seed=settings.seed, scheme=settings.scheme).permutations


def signature_from_bytes(text: bytes, anchors_: bytes | None, settings: DedupSettings,
                         n_text: int = 0, n_anchors: int = 0, perms: np.ndarray | None = None) -> Signature:
    """The inverse of `signature_to_bytes`; `perms`: `permutations(settings)`, when the caller has them."""
    def load(raw: bytes) -> MinHash:
        return MinHash(num_perm=settings.num_perm, seed=settings.seed, scheme=settings.scheme,
                       hashvalues=np.frombuffer(raw, dtype=np.uint64), permutations=perms)

    return Signature(text=load(text), anchors=load(anchors_) if anchors_ else None,
                     n_text=n_text, n_anchors=n_anchors)


@dataclass
class Clusters:
    """Union of duplicate links: article id → cluster id (the first member seen)."""

    cluster_of: dict[str, str] = field(default_factory=dict)

    def assign(self, article_id: str, matches: list[Match]) -> str:
        cluster = self.cluster_of[matches[0].article_id] if matches else article_id
        self.cluster_of[article_id] = cluster
        return cluster
