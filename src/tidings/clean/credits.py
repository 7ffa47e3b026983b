"""Credited publisher: who the text itself credits (copyright line, wire dateline, syndication)."""

from __future__ import annotations

from dataclasses import dataclass

from tidings.clean.rules import CreditRules


@dataclass(frozen=True)
class Credit:
    publisher: str
    rule: str
    line: str


def _tidy(name: str, rules: CreditRules) -> str | None:
    name = name.strip(" \t-–—:,.\"'“”‘’")
    changed = True
    while changed and name:
        changed = False
        for pattern in rules.strip_suffixes:
            stripped = pattern.sub("", name).strip(" ,")
            if stripped != name:
                name, changed = stripped, True
    if not name or len(name.split()) > rules.max_words:
        return None
    if any(p.fullmatch(name) for p in rules.reject):
        return None
    return rules.aliases.get(name.casefold(), name)


def find_credit(lines: list[str], rules: CreditRules) -> Credit | None:
    """The first credit found, trying the rules in their order of priority."""
    for rule in rules.rules:
        for line in lines:
            match = rule.pattern.search(line)
            if not match:
                continue
            name = _tidy(match.group("publisher"), rules)
            if name:
                return Credit(name, rule.id, line)
    return None
