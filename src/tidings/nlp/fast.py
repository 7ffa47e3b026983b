"""Exact, vectorised replacements for spaCy's `attribute_ruler` and rule/lookup `lemmatizer`.

The stock components do per-token Python work (a Matcher pass plus one `set_token_attrs` call
per match; one `token.lemma_ = …` assignment per token). The replacements here produce the same
token attributes, byte for byte, from the loaded components' own data:

* `FastAttributeRuler` compiles the ruler's `patterns` once. Every token attribute a pattern
  tests (TAG, LOWER, DEP, IS_SPACE, …) is reduced to a small class code (which of the values the
  patterns mention it equals, plus one bit per REGEX), so a token's *signature* decides which
  single-token patterns match it; the outcome per signature is memoised. Multi-token patterns
  are evaluated with shifted boolean masks. Precedence is the stock one: for every attribute the
  pattern added last wins. Results are written back with one `Doc.from_array`. Patterns that
  cannot be vectorised (operators, fuzzy/comparison predicates, extension or lexeme attributes)
  are matched by a spaCy `Matcher` over just those patterns and merged in the same order.
* `FastLemmatizer` memoises the wrapped lemmatizer's own `lemmatize(token)[0]` by
  (ORTH, POS, MORPH) — everything the rule and lookup modes read — and writes lemmas with one
  `Doc.from_array`. Unseen keys go to the stock class's own method, run on a twin instance
  whose "lemma_index" word lists are frozensets (they are only tested with `in`; the stock
  lists make every unseen word cost a ~57k-item scan). The twin shares the stock `cache`.

Use `install_fast_components(nlp)` on a loaded pipeline.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import numpy as np
from spacy.attrs import DEP, IDS, LEMMA, MORPH, ORTH, POS, TAG
from spacy.errors import Errors
from spacy.language import Language
from spacy.lookups import Lookups, Table
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler, Lemmatizer, Pipe
from spacy.strings import get_string_id
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs
from spacy.util import SimpleFrozenList

log = logging.getLogger(__name__)

FAST_RULER_FACTORY = "tidings_fast_attribute_ruler"
FAST_LEMMATIZER_FACTORY = "tidings_fast_lemmatizer"

# Token fields a pattern may write with `Doc.from_array`: `set_token_attrs` stores them on the
# token only (they are no lexeme fields), so writing them in bulk has the same effect.
_WRITABLE = (TAG, POS, MORPH, LEMMA, DEP)
# Attributes a pattern may test for which `Doc.to_array` returns exactly the matcher's value.
_STRING_ATTRS = frozenset(IDS[n] for n in ("ORTH", "LOWER", "NORM", "SHAPE", "PREFIX", "SUFFIX",
                                           "TAG", "POS", "DEP", "LEMMA", "ENT_TYPE"))
_FLAG_ATTRS = frozenset(IDS[n] for n in ("IS_ALPHA", "IS_ASCII", "IS_DIGIT", "IS_LOWER",
                                         "IS_PUNCT", "IS_SPACE", "IS_TITLE", "IS_UPPER",
                                         "LIKE_URL", "LIKE_NUM", "LIKE_EMAIL", "IS_STOP",
                                         "IS_BRACKET", "IS_QUOTE", "IS_LEFT_PUNCT",
                                         "IS_RIGHT_PUNCT", "IS_CURRENCY"))
_MATCHABLE = _STRING_ATTRS | _FLAG_ATTRS
_NO_MATCH = -1


# ---------------------------------------------------------------------------------------------
# Pattern compilation


@dataclass(frozen=True)
class _Cond:
    """One test on one token attribute: kind is "eq", "in", "not_in" or "regex"."""

    attr: int
    kind: str
    value: Any


@dataclass(frozen=True)
class _Alt:
    """One alternative of one ruler pattern: token tests, target offset and what it writes."""

    order: int
    specs: tuple[tuple[_Cond, ...], ...]
    target: int
    writes: tuple[tuple[int, int], ...]  # (attribute id, value)


def _attr_id(key: Any) -> int | None:
    if isinstance(key, int):
        return key
    name = str(key).upper()
    return IDS.get("ORTH" if name == "TEXT" else name)


def _predicate_conds(attr: int, value: dict) -> list[_Cond] | None:
    conds = []
    for pred, arg in value.items():
        if pred in ("IN", "NOT_IN") and isinstance(arg, (list, tuple)) and all(
            isinstance(v, (str, int)) for v in arg
        ):
            conds.append(_Cond(attr, pred.lower(), frozenset(get_string_id(v) for v in arg)))
        elif pred == "REGEX" and isinstance(arg, str) and attr in _STRING_ATTRS:
            conds.append(_Cond(attr, "regex", re.compile(arg)))
        else:
            return None
    return conds


def _compile_spec(spec: dict, strings: Any) -> tuple[_Cond, ...] | None:
    """The tests of one Matcher token spec, or None when it cannot be vectorised."""
    conds: list[_Cond] = []
    for key, value in spec.items():
        attr = _attr_id(key)
        if attr not in _MATCHABLE:
            return None
        if isinstance(value, dict):
            more = _predicate_conds(attr, value)
            if more is None:
                return None
            conds.extend(more)
        elif isinstance(value, bool):
            conds.append(_Cond(attr, "eq", int(value)))
        elif isinstance(value, int):
            conds.append(_Cond(attr, "eq", value))
        elif isinstance(value, str):
            conds.append(_Cond(attr, "eq", strings.add(value)))
        else:
            return None
    return tuple(conds)


def _compile_alt(order: int, pattern: list, index: int, writes: tuple, strings: Any) -> _Alt | None:
    length = len(pattern)
    if not -length <= index < length:
        return None  # the stock ruler raises on such a match: leave it to the fallback
    specs = [_compile_spec(spec, strings) for spec in pattern]
    if any(spec is None for spec in specs):
        return None
    return _Alt(order, tuple(specs), index % length, writes)  # type: ignore[arg-type]


@dataclass
class _Compiled:
    single: list[_Alt]
    multi: list[_Alt]
    fallback_orders: list[int]


def _compile_ruler(ruler: AttributeRuler) -> _Compiled:
    compiled = _Compiled([], [], [])
    strings = ruler.vocab.strings
    for order, (pattern, attrs) in enumerate(zip(ruler.patterns, ruler.attrs)):
        alts = None
        if all(key in _WRITABLE for key in attrs):
            writes = tuple((key, attrs[key]) for key in _WRITABLE if key in attrs)
            alts = [_compile_alt(order, p, pattern["index"], writes, strings)
                    for p in pattern["patterns"]]
        if alts is None or any(alt is None for alt in alts):
            compiled.fallback_orders.append(order)
            continue
        for alt in alts:
            (compiled.single if len(alt.specs) == 1 else compiled.multi).append(alt)
    return compiled


# ---------------------------------------------------------------------------------------------
# Token signatures


@dataclass
class _Column:
    """How one tested attribute is reduced to a class code: eq class + n_eq * regex bits."""

    attr: int
    values: np.ndarray  # sorted distinct values the patterns compare against
    regexes: list[re.Pattern]
    regex_bits: dict[int, int]  # memo: attribute value -> bits (a pure function of the value)

    @property
    def n_eq(self) -> int:
        return len(self.values) + 1

    @property
    def radix(self) -> int:
        return self.n_eq << len(self.regexes)

    def codes(self, column: np.ndarray, strings: Any) -> np.ndarray:
        if len(self.values):
            pos = np.minimum(np.searchsorted(self.values, column), len(self.values) - 1)
            eq = np.where(self.values[pos] == column, pos + 1, 0).astype(np.int64)
        else:
            eq = np.zeros(len(column), dtype=np.int64)
        if not self.regexes:
            return eq
        uniq, inverse = np.unique(column, return_inverse=True)
        bits = np.array([self._bits(v, strings) for v in uniq.tolist()], dtype=np.int64)
        return eq + self.n_eq * bits[inverse.reshape(-1)]

    def _bits(self, value: int, strings: Any) -> int:
        bits = self.regex_bits.get(value)
        if bits is None:
            text = strings[value]
            bits = sum(1 << i for i, rx in enumerate(self.regexes) if rx.search(text))
            self.regex_bits[value] = bits
        return bits

    def class_of(self, value: int) -> int:
        pos = int(np.searchsorted(self.values, np.uint64(value)))
        return pos + 1 if pos < len(self.values) and int(self.values[pos]) == value else 0


def _build_columns(alts: Iterable[_Alt]) -> list[_Column]:
    values: dict[int, set[int]] = {}
    regexes: dict[int, list[re.Pattern]] = {}
    for alt in alts:
        for spec in alt.specs:
            for cond in spec:
                values.setdefault(cond.attr, set())
                regexes.setdefault(cond.attr, [])
                if cond.kind == "eq":
                    values[cond.attr].add(cond.value)
                elif cond.kind in ("in", "not_in"):
                    values[cond.attr].update(cond.value)
                elif cond.value not in regexes[cond.attr]:
                    regexes[cond.attr].append(cond.value)
    return [
        _Column(attr, np.array(sorted(values[attr]), dtype=np.uint64), regexes[attr], {})
        for attr in sorted(values)
    ]


def _class_test(cond: _Cond, col: int, column: _Column) -> Callable[[tuple[int, ...]], bool]:
    """A test of `cond` on a signature decoded to one code per column."""
    n_eq = column.n_eq
    if cond.kind == "eq":
        want = column.class_of(cond.value)
        return lambda codes: codes[col] % n_eq == want
    if cond.kind in ("in", "not_in"):
        wanted = frozenset(column.class_of(v) for v in cond.value)
        if cond.kind == "in":
            return lambda codes: codes[col] % n_eq in wanted
        return lambda codes: codes[col] % n_eq not in wanted
    bit = 1 << column.regexes.index(cond.value)
    return lambda codes: bool((codes[col] // n_eq) & bit)


# ---------------------------------------------------------------------------------------------
# The attribute ruler


class _TablePipe(Pipe):
    """A component that writes whole attribute columns (`_apply`), with spaCy's error handling."""

    def _prepare(self) -> None:
        """Checks before each document (none by default)."""

    def _apply(self, doc: Doc) -> None:
        raise NotImplementedError

    def __call__(self, doc: Doc) -> Doc:
        self._prepare()
        error_handler = self.get_error_handler()
        try:
            self._apply(doc)
            return doc
        except Exception as e:  # the stock component's error handling
            return error_handler(self.name, self, [doc], e)


class FastAttributeRuler(_TablePipe):
    """Drop-in replacement for a spaCy `AttributeRuler` giving identical token attributes."""

    def __init__(self, vocab: Any, name: str = "attribute_ruler", *,
                 validate: bool = False) -> None:
        self.vocab = vocab
        self.name = name
        self.adopt(AttributeRuler(vocab, name, validate=validate))

    def adopt(self, ruler: AttributeRuler) -> None:
        """Take over `ruler`'s patterns (and keep it for the patterns it must still match)."""
        self.ruler = ruler
        self.scorer = ruler.scorer
        compiled = _compile_ruler(ruler)
        self._single, self._multi = compiled.single, compiled.multi
        self._columns = _build_columns(compiled.single + compiled.multi)
        self._col_index = {c.attr: i for i, c in enumerate(self._columns)}
        self._mixed_radix = math.prod(c.radix for c in self._columns) < 2**62
        self._write_attrs = sorted({a for attrs in ruler.attrs for a in attrs if a in _WRITABLE})
        self._write_col = {a: i for i, a in enumerate(self._write_attrs)}
        self._values = self._value_table(ruler)
        self._multi_specs = list(dict.fromkeys(s for alt in self._multi for s in alt.specs))
        self._spec_col = {spec: i for i, spec in enumerate(self._multi_specs)}
        self._spec_tests = [self._tests(spec) for spec in self._multi_specs]
        self._single_tests = [self._tests(alt.specs[0]) for alt in self._single]
        self._fallback = self._fallback_matcher(ruler, compiled.fallback_orders)
        # memo: token signature -> row of (single-token winners..., multi-token spec results...)
        self._rows: dict[Any, int] = {}
        width = len(self._write_attrs) + len(self._multi_specs)
        self._table = np.zeros((0, width), dtype=np.int64)
        log.debug("fast attribute ruler: %d single, %d multi-token, %d fallback patterns",
                  len(self._single), len(self._multi), len(compiled.fallback_orders))

    def _tests(self, spec: tuple[_Cond, ...]) -> list[Callable]:
        return [_class_test(c, self._col_index[c.attr], self._columns[self._col_index[c.attr]])
                for c in spec]

    def _value_table(self, ruler: AttributeRuler) -> np.ndarray:
        """values[order, write column] = the value pattern `order` writes there."""
        shape = (max(len(ruler.attrs), 1), max(len(self._write_attrs), 1))
        table = np.zeros(shape, dtype=np.uint64)
        for order, attrs in enumerate(ruler.attrs):
            for attr, value in attrs.items():
                if attr in self._write_col:
                    table[order, self._write_col[attr]] = value
        return table

    @staticmethod
    def _fallback_matcher(ruler: AttributeRuler, orders: list[int]) -> Matcher | None:
        if not orders:
            return None
        matcher = Matcher(ruler.vocab, validate=ruler.validate)
        for order in orders:
            matcher.add(str(order), ruler.matcher.get(str(order))[1])
        return matcher

    # -- per document ------------------------------------------------------------------------

    def _apply(self, doc: Doc) -> None:
        if not len(doc) or (not self._write_attrs and self._fallback is None):
            return
        fallback = self._fallback_matches(doc)
        winners = self._winners(doc)
        for order, target in fallback:
            self._merge(winners, order, np.array([target]), self.ruler.attrs[order])
        if self._write_attrs:
            self._write(doc, winners)
        for order, target in fallback:
            rest = {a: v for a, v in self.ruler.attrs[order].items() if a not in self._write_col}
            if rest:
                set_token_attrs(doc[target], rest)

    def _fallback_matches(self, doc: Doc) -> list[tuple[int, int]]:
        if self._fallback is None:
            return []
        strings = self.vocab.strings
        found = sorted((int(strings[m]), s, e) for m, s, e in
                       self._fallback(doc, allow_missing=True, as_spans=False))
        matches = []
        for order, start, end in found:
            index = self.ruler.indices[order]
            if not -(end - start) <= index < end - start:  # raise the stock ruler's error
                self.ruler.set_annotations(doc, [(order, strings.add(str(order)), start, end)])
            matches.append((order, start + index % (end - start)))
        return matches

    def _merge(self, winners: np.ndarray, order: int, targets: np.ndarray,
               writes: Iterable) -> None:
        for attr in writes:
            col = self._write_col.get(attr)
            if col is not None:
                winners[targets, col] = np.maximum(winners[targets, col], order)

    def _winners(self, doc: Doc) -> np.ndarray:
        """winners[token, write column] = the last pattern that writes it there, or -1."""
        n = len(doc)
        if not self._columns:
            keys: list[Any] = [0]
            inverse = np.zeros(n, dtype=np.int64)
            codes = np.zeros((1, 0), dtype=np.int64)
        else:
            keys, inverse, codes = self._signatures(doc)
        rows = self._lookup_rows(keys, codes)
        table = self._table[rows][inverse]
        n_w = len(self._write_attrs)
        winners = np.array(table[:, :n_w])
        if self._multi:
            sat = table[:, n_w:].astype(bool)
            for alt in self._multi:
                self._merge_multi(winners, sat, alt, n)
        return winners

    def _signatures(self, doc: Doc) -> tuple[list[Any], np.ndarray, np.ndarray]:
        values = doc.to_array([c.attr for c in self._columns]).reshape(len(doc), -1)
        strings = self.vocab.strings
        codes = np.stack([c.codes(values[:, i], strings) for i, c in enumerate(self._columns)], 1)
        if self._mixed_radix:
            sig = np.zeros(len(doc), dtype=np.int64)
            for i, column in enumerate(self._columns):
                sig = sig * column.radix + codes[:, i]
            uniq, first, inverse = np.unique(sig, return_index=True, return_inverse=True)
            return uniq.tolist(), inverse.reshape(-1), codes[first]
        uniq, inverse = np.unique(codes, axis=0, return_inverse=True)
        return [tuple(r) for r in uniq.tolist()], inverse.reshape(-1), uniq

    def _lookup_rows(self, keys: list[Any], codes: np.ndarray) -> np.ndarray:
        rows = [self._rows.get(k, _NO_MATCH) for k in keys]
        new = [i for i, r in enumerate(rows) if r == _NO_MATCH]
        if new:
            added = [self._evaluate(tuple(codes[i].tolist())) for i in new]
            base = len(self._table)
            self._table = np.vstack([self._table, np.array(added, dtype=np.int64)])
            for j, i in enumerate(new):
                self._rows[keys[i]] = rows[i] = base + j
        return np.array(rows, dtype=np.int64)

    def _evaluate(self, codes: tuple[int, ...]) -> list[int]:
        """Single-token winners and multi-token spec results for one signature."""
        winners = [_NO_MATCH] * len(self._write_attrs)
        for alt, tests in zip(self._single, self._single_tests):
            if all(test(codes) for test in tests):
                for attr, _ in alt.writes:
                    col = self._write_col[attr]
                    winners[col] = max(winners[col], alt.order)
        sat = [int(all(test(codes) for test in tests)) for tests in self._spec_tests]
        return winners + sat

    def _merge_multi(self, winners: np.ndarray, sat: np.ndarray, alt: _Alt, n: int) -> None:
        length = len(alt.specs)
        if n < length:
            return
        mask = np.ones(n - length + 1, dtype=bool)
        for k, spec in enumerate(alt.specs):
            mask &= sat[k:n - length + 1 + k, self._spec_col[spec]]
        starts = np.flatnonzero(mask)
        if len(starts):
            self._merge(winners, alt.order, starts + alt.target, (a for a, _ in alt.writes))

    def _write(self, doc: Doc, winners: np.ndarray) -> None:
        current = doc.to_array(self._write_attrs).reshape(len(doc), -1)
        hit = winners >= 0
        new = np.where(hit, self._values[np.maximum(winners, 0), np.arange(winners.shape[1])],
                       current)
        changed = [i for i in range(new.shape[1]) if hit[:, i].any() and
                   not np.array_equal(new[:, i], current[:, i])]
        if changed:
            doc.from_array([self._write_attrs[i] for i in changed],
                           np.ascontiguousarray(new[:, changed], dtype=np.uint64))

    # -- pipeline plumbing -------------------------------------------------------------------

    def initialize(self, get_examples: Callable | None = None, *, nlp: Language | None = None,
                   **kwargs: Any) -> None:
        self.ruler.initialize(get_examples, nlp=nlp, **kwargs)
        self.adopt(self.ruler)

    @property
    def patterns(self) -> list:
        return self.ruler.patterns

    def to_bytes(self, *, exclude: Iterable[str] = SimpleFrozenList()) -> bytes:
        return self.ruler.to_bytes(exclude=exclude)

    def from_bytes(self, data: bytes, *,
                   exclude: Iterable[str] = SimpleFrozenList()) -> FastAttributeRuler:
        self.ruler.from_bytes(data, exclude=exclude)
        self.adopt(self.ruler)
        return self

    def to_disk(self, path: Any, *, exclude: Iterable[str] = SimpleFrozenList()) -> None:
        self.ruler.to_disk(path, exclude=exclude)

    def from_disk(self, path: Any, *,
                  exclude: Iterable[str] = SimpleFrozenList()) -> FastAttributeRuler:
        self.ruler.from_disk(path, exclude=exclude)
        self.adopt(self.ruler)
        return self


# ---------------------------------------------------------------------------------------------
# The lemmatizer


class FastLemmatizer(_TablePipe):
    """Drop-in replacement for a rule- or lookup-mode spaCy `Lemmatizer` (same lemmas)."""

    def __init__(self, lemmatizer: Lemmatizer, name: str = "lemmatizer") -> None:
        self.name = name
        self.adopt(lemmatizer)

    def adopt(self, lemmatizer: Lemmatizer) -> None:
        """Lemmatize with `lemmatizer`'s own method, memoised by (ORTH, POS, MORPH)."""
        self.lemmatizer = lemmatizer
        self.vocab = lemmatizer.vocab
        self.scorer = lemmatizer.scorer
        self._reset()

    def _reset(self) -> None:
        self._memo: dict[tuple[int, int, int], str] = {}
        self._twin = _twin_lemmatizer(self.lemmatizer)

    def _prepare(self) -> None:
        if not self.lemmatizer._validated:
            self.lemmatizer._validate_tables(Errors.E1004)
            self._reset()

    def _apply(self, doc: Doc) -> None:
        if not len(doc):
            return
        array = doc.to_array([ORTH, POS, MORPH, LEMMA])
        lemmas = array[:, 3].copy()
        todo = np.arange(len(doc)) if self.lemmatizer.overwrite else np.flatnonzero(lemmas == 0)
        if not len(todo):
            return
        keys = zip(array[todo, 0].tolist(), array[todo, 1].tolist(), array[todo, 2].tolist())
        memo, add, lemmatize = self._memo, doc.vocab.strings.add, self._twin.lemmatize
        hashes: dict[tuple[int, int, int], int] = {}
        out = []
        for i, key in zip(todo.tolist(), keys):
            value = hashes.get(key)
            if value is None:
                text = memo.get(key)
                if text is None:
                    text = memo[key] = lemmatize(doc[i])[0]
                value = hashes[key] = add(text)
            out.append(value)
        lemmas[todo] = out
        doc.from_array([LEMMA], lemmas)

    def initialize(self, get_examples: Callable | None = None, *, nlp: Language | None = None,
                   **kwargs: Any) -> None:
        self.lemmatizer.initialize(get_examples, nlp=nlp, **kwargs)
        self._reset()

    def to_bytes(self, *, exclude: Iterable[str] = SimpleFrozenList()) -> bytes:
        return self.lemmatizer.to_bytes(exclude=exclude)

    def from_bytes(self, data: bytes, *,
                   exclude: Iterable[str] = SimpleFrozenList()) -> FastLemmatizer:
        self.lemmatizer.from_bytes(data, exclude=exclude)
        self._reset()
        return self

    def to_disk(self, path: Any, *, exclude: Iterable[str] = SimpleFrozenList()) -> None:
        self.lemmatizer.to_disk(path, exclude=exclude)

    def from_disk(self, path: Any, *,
                  exclude: Iterable[str] = SimpleFrozenList()) -> FastLemmatizer:
        self.lemmatizer.from_disk(path, exclude=exclude)
        self._reset()
        return self


def _set_valued(table: Table) -> Table:
    """`table` with its lists of strings as frozensets: same membership, constant-time tests."""
    data = {key: frozenset(value) if isinstance(value, list) and all(
        isinstance(v, str) for v in value) else value for key, value in table.items()}
    return Table(name=table.name, data=data)


def _twin_lemmatizer(lemmatizer: Lemmatizer) -> Lemmatizer:
    """A lemmatizer of the same class and mode sharing `lemmatizer`'s tables and cache, except
    that the "lemma_index" word lists (only ever tested with `in`) are sets. The stock lists
    are scanned linearly (~57k nouns) for every candidate form of every unseen word."""
    twin = type(lemmatizer)(lemmatizer.vocab, lemmatizer.model, lemmatizer.name,
                            mode=lemmatizer.mode, overwrite=lemmatizer.overwrite)
    lookups = Lookups()
    for name in lemmatizer.lookups.tables:
        table = lemmatizer.lookups.get_table(name)
        lookups.set_table(name, _set_valued(table) if name == "lemma_index" else table)
    twin.lookups = lookups
    twin.cache = lemmatizer.cache  # results are identical, so the stock cache fills as before
    twin._validated = lemmatizer._validated
    return twin


# ---------------------------------------------------------------------------------------------
# Factories and installation


@Language.factory(FAST_RULER_FACTORY, default_config={"validate": False})
def make_fast_attribute_ruler(nlp: Language, name: str, validate: bool) -> FastAttributeRuler:
    return FastAttributeRuler(nlp.vocab, name, validate=validate)


@Language.factory(FAST_LEMMATIZER_FACTORY, default_config={"mode": "rule", "overwrite": False},
                  assigns=["token.lemma"])
def make_fast_lemmatizer(nlp: Language, name: str, mode: str, overwrite: bool) -> FastLemmatizer:
    stock = nlp.create_pipe("lemmatizer", name=name, config={"mode": mode, "overwrite": overwrite})
    return FastLemmatizer(stock, name)


def _lemmatizer_supported(lemmatizer: Any) -> bool:
    """Rule/lookup lemmatizers whose result depends only on a token's ORTH, POS and MORPH."""
    cls = type(lemmatizer)
    return (
        isinstance(lemmatizer, Lemmatizer)
        and lemmatizer.mode in ("rule", "lookup")
        and cls.__call__ is Lemmatizer.__call__
        and cls.rule_lemmatize is Lemmatizer.rule_lemmatize
        and cls.lookup_lemmatize is Lemmatizer.lookup_lemmatize
        and cls.__module__.startswith(("spacy.pipeline", "spacy.lang.en"))
    )


def install_fast_components(nlp: Language) -> list[str]:
    """Replace, in place and under the same names, every enabled stock `AttributeRuler` and
    supported `Lemmatizer` of `nlp` by its fast equivalent. Returns the names replaced; a
    pipeline without such components is left untouched."""
    replaced = []
    for name, component in list(nlp.pipeline):
        if type(component) is AttributeRuler:
            fast = nlp.replace_pipe(name, FAST_RULER_FACTORY,
                                    config={"validate": component.validate})
            fast.adopt(component)
        elif _lemmatizer_supported(component):
            fast = nlp.replace_pipe(name, FAST_LEMMATIZER_FACTORY,
                                    config={"mode": component.mode,
                                            "overwrite": component.overwrite})
            fast.adopt(component)
        else:
            continue
        replaced.append(name)
    log.info("fast components installed: %s", ", ".join(replaced) or "none")
    return replaced
