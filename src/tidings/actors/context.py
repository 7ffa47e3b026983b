"""What the whole article says about where it is: its dateline and its focus countries.

- `find_dateline`: "WASHINGTON (AP) —", "KABUL, Afghanistan —" at the start of one of the first
  paragraphs. A dateline is a place, never an actor; it is the strongest clue to the focus.
- `Focus`: the article's countries ranked by weighted clues (the dateline, names of countries,
  capitals, regions and cities, nationality words, actors with a country); `clear()` is the
  focus country when it clearly outweighs the others. Generic actors with no country of their own
  ("the government", "police", "rebels") take it (`how: "context"`).

Knowledge (weights, dateline marks, participles such as "-led", member and product nouns) lives
in data/article.yaml.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

AGENCY_OPEN, AGENCY_CLOSE = "(", ")"


@dataclass(frozen=True)
class ArticleLexicon:
    dateline_marks: frozenset[str] = frozenset({"—", "–", "--", "-", ":"})
    dateline_max_tokens: int = 12
    focus_weights: dict[str, float] = field(default_factory=dict)
    context_sectors: frozenset[str] = frozenset()
    focus_ratio: float = 1.5
    focus_min: float = 2.0
    person_focus_share: float = 0.75
    led_suffixes: frozenset[str] = frozenset()
    backed_suffixes: frozenset[str] = frozenset()
    proxy_sectors: frozenset[str] = frozenset()
    member_nouns: frozenset[str] = frozenset()
    counterpart_nouns: frozenset[str] = frozenset()
    igo_nouns: dict[str, str] = field(default_factory=dict)
    product_heads: frozenset[str] = frozenset()
    foreign_words: frozenset[str] = frozenset()
    territorial_sectors: frozenset[str] = frozenset()

    def weight(self, clue: str) -> float:
        return float(self.focus_weights.get(clue, 1.0))


def lexicon_from_data(data: dict[str, Any] | None, key=lambda s: s.lower()) -> ArticleLexicon:
    """The article lexicon of a parsed data/article.yaml (`key`: the KB's text_key)."""
    data = data or {}
    words = lambda name: frozenset(key(str(w)) for w in data.get(name) or ())  # noqa: E731
    return ArticleLexicon(
        dateline_marks=frozenset(str(m) for m in data.get("dateline_marks") or ("—", "–", "--", "-", ":")),
        dateline_max_tokens=int(data.get("dateline_max_tokens") or 12),
        focus_weights={k: float(v) for k, v in (data.get("focus_weights") or {}).items()},
        context_sectors=frozenset(data.get("context_sectors") or ()),
        focus_ratio=float(data.get("focus_ratio") or 1.5),
        focus_min=float(data.get("focus_min") or 2.0),
        person_focus_share=float(data.get("person_focus_share") or 0.75),
        led_suffixes=words("led_suffixes"), backed_suffixes=words("backed_suffixes"),
        proxy_sectors=frozenset(data.get("proxy_sectors") or ()),
        member_nouns=words("member_nouns"), counterpart_nouns=words("counterpart_nouns"),
        igo_nouns={key(str(k)): str(v) for k, v in (data.get("igo_nouns") or {}).items()},
        product_heads=words("product_heads"),
        foreign_words=words("foreign_words"),
        territorial_sectors=frozenset(data.get("territorial_sectors") or ()),
    )


def find_dateline(toks, lex: ArticleLexicon, paragraphs: int = 3) -> tuple[int, int] | None:
    """Token span [start, end) of a dateline at the start of one of the first `paragraphs`
    paragraphs, up to its mark ("WASHINGTON (AP) —" → "WASHINGTON (AP)"), else None."""
    n = len(toks.text)
    starts, seen = [], 0
    i = 0
    while i < n and seen < paragraphs:
        if i == 0 or (toks.is_space[i - 1] and "\n" in toks.text[i - 1]) or (i > 0 and "\n" in toks.text[i - 1]):
            if not toks.is_space[i]:
                starts.append(i)
                seen += 1
        i += 1
    for start in starts:
        span = _dateline_at(toks, lex, start)
        if span is not None:
            return span
    return None


def _dateline_at(toks, lex: ArticleLexicon, start: int) -> tuple[int, int] | None:
    n = len(toks.text)
    place_end, depth, caps = None, 0, False
    for t in range(start, min(n, start + lex.dateline_max_tokens)):
        text = toks.text[t]
        if depth == 0 and text in lex.dateline_marks and t > start:
            return (start, t) if caps else None
        if text == AGENCY_OPEN:
            depth += 1
            place_end = place_end or t
            continue
        if text == AGENCY_CLOSE:
            depth = max(0, depth - 1)
            continue
        if depth:
            continue
        if text == ",":
            place_end = place_end or t
            continue
        if "\n" in text:
            return None
        if not (text.isupper() or text[:1].isupper() or text == "."):
            return None
        if text.isupper() and sum(c.isalpha() for c in text) > 1 and place_end is None:
            caps = True
        elif place_end is None and not text.isupper():
            return None  # "Donald Trump —": a name in title case is no dateline place
    return None


@dataclass
class Focus:
    """The article's countries by weighted clues."""

    lex: ArticleLexicon
    scores: Counter = field(default_factory=Counter)
    dateline: str | None = None

    def add(self, country: str | None, clue: str) -> None:
        if country and country != "IGO":
            self.scores[country] += self.lex.weight(clue)

    def ranked(self) -> list[str]:
        return [c for c, _ in self.scores.most_common()]

    def clear(self) -> str | None:
        """The focus country when it clearly outweighs the next one."""
        top = self.scores.most_common(2)
        if not top or top[0][1] < self.lex.focus_min:
            return None
        if len(top) > 1 and top[1][1] * self.lex.focus_ratio > top[0][1]:
            return None
        return top[0][0]
