"""Direct-quote spans from quotation marks: a pure function over text.

Double marks (straight, curly, „, guillemets) pair by alternation inside a paragraph, so a
wrong-way closing mark (`… Russia, “Braun said.`) still closes; a quote left open at the end
of a paragraph runs to the paragraph's end (the multi-paragraph convention). Single marks
(‘…’, '…') are quotes only outside double quotes, when an opener follows a space and a
closer precedes a non-letter — apostrophes (don’t, Clinton’s) are neither.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from tidings.quotes.lexicon import CueLexicon

PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
OPEN_CONTEXT = set("([{—–-/")
MAX_SINGLE_WORDS = 40
STRIP = " \t\n,"


@dataclass(frozen=True)
class QuoteSpan:
    start: int  # content start (inside the marks)
    end: int  # content end
    open_mark: int  # offset of the opening mark
    close_mark: int | None  # offset of the closing mark; None = runs to paragraph end
    style: str  # "double" | "single" | "guillemet"


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph of `text`."""
    spans, start = [], 0
    for m in PARAGRAPH_BREAK.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def find_quotes(text: str, lex: CueLexicon) -> list[QuoteSpan]:
    """All top-level direct-quote spans of `text`, in order."""
    found: list[QuoteSpan] = []
    for start, end in paragraphs(text):
        doubles = _double_quotes(text, start, end, lex)
        found.extend(doubles)
        found.extend(_single_quotes(text, start, end, lex, doubles))
    found = sorted((q for q in found if q.end > q.start), key=lambda q: (q.open_mark, -q.end))
    return _outermost(found)


def _outermost(spans: list[QuoteSpan]) -> list[QuoteSpan]:
    """Drop quotes nested in (or overlapping) an earlier one: ‘… “inner” …’ is one quote."""
    kept: list[QuoteSpan] = []
    for q in spans:
        if kept and q.open_mark < (kept[-1].close_mark if kept[-1].close_mark is not None else kept[-1].end):
            continue
        kept.append(q)
    return kept


def _double_quotes(text: str, start: int, end: int, lex: CueLexicon) -> list[QuoteSpan]:
    out: list[QuoteSpan] = []
    opened: int | None = None
    open_len = 1
    guillemet = False
    for i, length in _double_marks(text, start, end, lex):
        ch = text[i]
        if opened is None:
            if ch == "»" or (ch == "”" and _closes_here(text, i, start)):
                continue  # a stray closer outside a quote
            opened, open_len, guillemet = i, length, ch == "«"
            continue
        if guillemet and ch != "»":
            continue  # nested marks inside «…»
        out.append(_span(text, opened, i, "guillemet" if guillemet else "double", open_len=open_len))
        opened = None
    if opened is not None:
        out.append(_span(text, opened, None, "guillemet" if guillemet else "double", end, open_len))
    return out


def _double_marks(text: str, start: int, end: int, lex: CueLexicon) -> list[tuple[int, int]]:
    """(offset, length) of every double quotation mark, `''` and ``` `` ``` included
    (left to right, a two-character mark first; one starting at `end - 1` may end past `end`)."""
    return [(m.start(), m.end() - m.start()) for m in lex.double_mark_re.finditer(text, start, end + 1)
            if m.start() < end]


def _closes_here(text: str, i: int, para_start: int) -> bool:
    """A ” that cannot open: glued to the word before it."""
    return i > para_start and not text[i - 1].isspace()


def _single_quotes(text: str, start: int, end: int, lex: CueLexicon,
                   doubles: list[QuoteSpan]) -> list[QuoteSpan]:
    inside = _Ranges([(q.open_mark, (q.close_mark if q.close_mark is not None else end)) for q in doubles])
    out: list[QuoteSpan] = []
    i = start
    while i < end:
        mark = lex.single_open_re.search(text, i, end + 1)  # the next two-character mark or single opener
        if mark is None or mark.start() >= end:
            break
        i = mark.start()
        if mark.end() - i == 2:
            i += 2
            continue
        if _is_single_opener(text, i, start, end) and not inside.holds(i):
            close = _find_single_closer(text, i + 1, end, lex)
            if close is not None and not inside.holds(close):
                out.append(_span(text, i, close, "single"))
                i = close + 1
                continue
        i += 1
    return out


def _is_single_opener(text: str, i: int, start: int, end: int) -> bool:
    before_ok = i == start or text[i - 1].isspace() or text[i - 1] in OPEN_CONTEXT
    after_ok = i + 1 < end and (text[i + 1].isalpha() or text[i + 1] in "“\"("
                                or (text[i] == "‘" and text[i + 1].isdigit()))
    return before_ok and after_ok


def _find_single_closer(text: str, i: int, end: int, lex: CueLexicon) -> int | None:
    words = 0
    possessive: int | None = None  # `s’ word`: a closer only if no better one follows
    for j in range(i, end):
        ch = text[j]
        if ch.isspace():
            words += 1
            if words > MAX_SINGLE_WORDS:
                return possessive
        if ch in lex.single_close and j > i and not text[j - 1].isspace() \
                and "'" not in (text[j - 1], text[j + 1:j + 2]):
            nxt = text[j + 1] if j + 1 < end else " "
            if not nxt.isalnum():
                if ch == "’" and text[j - 1] == "s" and nxt == " " and _plural_possessive(text, j):
                    possessive = j if possessive is None else possessive
                    continue
                return j
        if ch in lex.single_open and j > i and text[j - 1].isspace() and ch != "'":
            return possessive  # a new opener before any closer
    return possessive


def _plural_possessive(text: str, j: int) -> bool:
    """`students’ rights`: s’ followed by a lower-case word continues the sentence."""
    rest = text[j + 1:j + 3]
    return len(rest) == 2 and rest[0] == " " and rest[1].islower()


def _within(i: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= i <= e for s, e in spans)


class _Ranges:
    """(start, end) ranges, inclusive: `_within` by binary search when they come in order
    (a paragraph's double quotes do), so thousands of marks cost n log n, not n²."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.spans = spans
        self.starts = [s for s, _ in spans]
        self.ordered = all(s <= e for s, e in spans) and all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))

    def holds(self, i: int) -> bool:
        if not self.ordered:
            return _within(i, self.spans)
        k = bisect.bisect_right(self.starts, i) - 1
        return k >= 0 and i <= self.spans[k][1]


def _span(text: str, open_mark: int, close_mark: int | None, style: str,
          para_end: int | None = None, open_len: int = 1) -> QuoteSpan:
    start = open_mark + open_len
    end = close_mark if close_mark is not None else para_end
    while start < end and text[start] in STRIP:
        start += 1
    while end > start and text[end - 1] in STRIP:
        end -= 1
    return QuoteSpan(start, end, open_mark, close_mark, style)
