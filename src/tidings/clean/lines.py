"""Paragraph splitting and the line-level boilerplate filter."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tidings.clean.rules import BoilerplateRules, LineRule

_BLANK_LINE = re.compile(r"\n[ \t\f\v\xa0\u3000]*\n")
_NEWLINES = re.compile(r"\r\n?")
WRAP_WIDTH = 100  # hard-wrapped text (mail, plain-text dumps) keeps lines under 80 characters
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’)\]]*$")


def normalise_newlines(text: str) -> str:
    return _NEWLINES.sub("\n", text)


def join_lines(block: str) -> str:
    """One paragraph: its lines stripped and joined by single spaces."""
    return " ".join(line.strip() for line in block.split("\n") if line.strip())


def split_blocks(text: str, stands_alone: Callable[[str], bool] | None = None) -> list[str]:
    """Paragraphs of plain text: blocks separated by blank lines.

    Text without any blank line (one paragraph per line, as trafilatura writes it) is split
    at every line break instead. Inside a block, a line for which `stands_alone` is true (a
    copyright line, a share prompt right under the last paragraph) becomes its own paragraph
    instead of being glued to its neighbours.
    """
    text = normalise_newlines(text).strip("\n")
    if _BLANK_LINE.search(text):
        blocks = _BLANK_LINE.split(text)
    else:
        blocks = text.split("\n")
    out: list[str] = []
    for block in blocks:
        if _unwrapped(block):
            out.extend(block.split("\n"))
            continue
        out.extend(_split_block(block, stands_alone) if stands_alone and "\n" in block.strip() else [block])
    return [p for p in (join_lines(b) for b in out) if p]


def _unwrapped(block: str) -> bool:
    """A block whose lines are paragraphs, not a paragraph wrapped at a fixed width: a line
    other than its last runs past WRAP_WIDTH characters (wrapped text keeps every line shorter)."""
    lines = [line for line in block.strip("\n").split("\n")]
    return len(lines) > 1 and max(len(line.strip()) for line in lines[:-1]) > WRAP_WIDTH


def _split_block(block: str, stands_alone: Callable[[str], bool]) -> list[str]:
    parts: list[str] = []
    run: list[str] = []
    for line in block.split("\n"):
        if line.strip() and stands_alone(line.strip()):
            if run:
                parts.append("\n".join(run))
                run = []
            parts.append(line)
        else:
            run.append(line)
    if run:
        parts.append("\n".join(run))
    return parts


def looks_like_headline(line: str, max_words: int) -> bool:
    """Short and not ending like a sentence (headlines rarely end with a period)."""
    words = line.split()
    return 0 < len(words) <= max_words and not _SENTENCE_END.search(line.rstrip())


@dataclass
class Filtered:
    kept: list[str] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)


def match_rule(rules: BoilerplateRules, line: str) -> LineRule | None:
    stripped = line.strip()
    for rule in rules.rules:
        if rule.pattern.fullmatch(stripped):
            return rule
    return None


def _removed(rule: LineRule, line: str, how: str) -> dict[str, Any]:
    return {"rule": rule.id, "action": how, "text": line}


def filter_lines(lines: list[str], rules: BoilerplateRules) -> Filtered:
    """Drop boilerplate lines; record each with the id of the rule that removed it.

    `drop_rest` only ends the article in its second half (by characters); earlier it drops
    just the line, so a stray heading cannot cut a story short.
    """
    out = Filtered()
    total = sum(len(line) for line in lines) or 1
    seen = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        seen += len(line)
        rule = match_rule(rules, line)
        if rule is None:
            out.kept.append(line)
        elif rule.action == "drop_rest" and seen / total >= 0.5:
            out.removed.extend(_removed(rule, rest, "drop_rest") for rest in lines[i:])
            break
        elif rule.action == "drop_line_and_next":
            out.removed.append(_removed(rule, line, "drop_line"))
            nxt = lines[i + 1] if i + 1 < len(lines) else None
            if nxt is not None and match_rule(rules, nxt) is None and looks_like_headline(nxt, rules.next_max_words):
                out.removed.append(_removed(rule, nxt, "drop_next"))
                seen += len(nxt)
                i += 1
        else:
            out.removed.append(_removed(rule, line, "drop_line"))
        i += 1
    return out


TITLE_REPEAT = "title-repeat"
_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def same_words(a: str, b: str) -> bool:
    """Equal ignoring case, punctuation and spacing."""
    return _words(a) == _words(b)


def drop_title_repeat(lines: list[str], titles: list[str], window: int = 3) -> Filtered:
    """Drop the headline where the extracted body repeats it near the top (rule `title-repeat`)."""
    wanted = [w for w in (_words(t) for t in titles if t) if w]
    out = Filtered(kept=list(lines))
    for i, line in enumerate(lines[:window]):
        if _words(line) in wanted:
            out.removed.append({"rule": TITLE_REPEAT, "action": "drop_line", "text": line})
            del out.kept[i]
            break
    return out
