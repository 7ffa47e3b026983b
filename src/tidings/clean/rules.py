"""The cleaner's knowledge, loaded from `clean/data/*.yaml` into typed, compiled rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

ACTIONS = ("drop_line", "drop_line_and_next", "drop_rest")


class RuleError(ValueError):
    """A data file does not follow its schema."""


@dataclass(frozen=True)
class LineRule:
    id: str
    pattern: re.Pattern[str]
    action: str
    description: str = ""


@dataclass(frozen=True)
class CreditRule:
    id: str
    pattern: re.Pattern[str]
    description: str = ""


@dataclass(frozen=True)
class BoilerplateRules:
    rules: tuple[LineRule, ...]
    next_max_words: int


@dataclass(frozen=True)
class CreditRules:
    rules: tuple[CreditRule, ...]
    aliases: dict[str, str]
    reject: tuple[re.Pattern[str], ...]
    strip_suffixes: tuple[re.Pattern[str], ...]
    max_words: int


@dataclass(frozen=True)
class TitleRules:
    separators: tuple[str, ...]
    sections: dict[str, str]  # casefolded → as written in the data
    site_name_patterns: tuple[re.Pattern[str], ...]
    max_suffixes: int


@dataclass(frozen=True)
class CleanRules:
    boilerplate: BoilerplateRules
    credits: CreditRules
    titles: TitleRules


def read_data(name: str) -> dict[str, Any]:
    text = resources.files("tidings.clean").joinpath("data", name).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise RuleError(f"{name}: expected a mapping at the top level")
    return data


def _compile(source: str, where: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    try:
        return re.compile(source, flags)
    except re.error as exc:
        raise RuleError(f"{where}: bad pattern {source!r}: {exc}") from None


def _require(entry: dict[str, Any], keys: tuple[str, ...], where: str) -> None:
    missing = [k for k in keys if not entry.get(k)]
    if missing:
        raise RuleError(f"{where}: missing {', '.join(missing)}")


def _unique_ids(ids: list[str], where: str) -> None:
    seen = {i for i in ids if ids.count(i) > 1}
    if seen:
        raise RuleError(f"{where}: duplicate rule ids {sorted(seen)}")


def load_boilerplate(data: dict[str, Any]) -> BoilerplateRules:
    rules = []
    for entry in data.get("rules") or []:
        where = f"boilerplate.yaml rule {entry.get('id')!r}"
        _require(entry, ("id", "pattern", "action"), where)
        if entry["action"] not in ACTIONS:
            raise RuleError(f"{where}: action must be one of {ACTIONS}")
        rules.append(LineRule(entry["id"], _compile(entry["pattern"], where), entry["action"],
                              entry.get("description", "")))
    _unique_ids([r.id for r in rules], "boilerplate.yaml")
    return BoilerplateRules(tuple(rules), int(data.get("next_max_words", 25)))


def load_credits(data: dict[str, Any]) -> CreditRules:
    wires = data.get("wire_agencies") or []
    wire = "|".join(re.escape(w) for w in sorted(wires, key=len, reverse=True))
    rules = []
    for entry in data.get("rules") or []:
        where = f"credits.yaml rule {entry.get('id')!r}"
        _require(entry, ("id", "pattern"), where)
        pattern = _compile(entry["pattern"].replace("{wire}", wire), where)
        if "publisher" not in pattern.groupindex:
            raise RuleError(f"{where}: pattern needs a (?P<publisher>…) group")
        rules.append(CreditRule(entry["id"], pattern, entry.get("description", "")))
    _unique_ids([r.id for r in rules], "credits.yaml")
    aliases = {str(k).casefold(): str(v) for k, v in (data.get("aliases") or {}).items()}
    return CreditRules(
        rules=tuple(rules), aliases=aliases,
        reject=tuple(_compile(p, "credits.yaml reject", 0) for p in data.get("reject") or []),
        strip_suffixes=tuple(_compile(p, "credits.yaml strip_suffixes") for p in data.get("strip_suffixes") or []),
        max_words=int(data.get("max_words", 8)),
    )


def load_titles(data: dict[str, Any]) -> TitleRules:
    separators = tuple(data.get("separators") or ())
    if not separators:
        raise RuleError("sections.yaml: no separators")
    sections = {str(s).casefold(): str(s) for s in data.get("sections") or []}
    patterns = tuple(_compile(p, "sections.yaml site_name_patterns", 0) for p in data.get("site_name_patterns") or [])
    return TitleRules(separators, sections, patterns, int(data.get("max_suffixes", 3)))


def load_rules() -> CleanRules:
    """Read and validate the three data files (call once, keep the result)."""
    return CleanRules(
        boilerplate=load_boilerplate(read_data("boilerplate.yaml")),
        credits=load_credits(read_data("credits.yaml")),
        titles=load_titles(read_data("sections.yaml")),
    )
