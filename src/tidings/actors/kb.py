"""The actor knowledge base: data files under actors/data/, loaded once into lookup tables.

Every surface form is reduced to a *key* by `text_key` (lower case, no accents, no periods,
possessive "'s" split off), so the same function serves the KB, free text and spaCy spans.
Short all-capital aliases ("PAN", "WHO", "US") match only in capitals (`Entry.case`).
"""

from __future__ import annotations

import csv
import json
import logging
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Iterable
from typing import Any

import yaml

from tidings.actors.context import ArticleLexicon, lexicon_from_data as article_lexicon
from tidings.actors.coref import CorefLexicon, lexicon_from_data
from tidings.yamlcache import load_yaml

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"

_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_POSSESSIVE = re.compile(r"(\w)'s\b")
_BARE_POSSESSIVE = re.compile(r"(\w[sS])'(?=\s|$)")
_HYPHEN = re.compile(r"\s*-\s*")
_PUNCT = re.compile(r"[\"()\[\]{}!?;:]")
_COMMA = re.compile(r"\s*,\s*")
_SPACE = re.compile(r"\s+")


def strip_accents(text: str) -> str:
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def text_key(text: str) -> str:
    """Canonical lookup key of a surface form: 'Russia’s Deputy F.M.' → "russia 's deputy fm"."""
    if text.isascii() and text.isalnum():
        return text.lower()  # a plain word (most tokens): normalised_key would only lower-case it
    return normalised_key(text)


def normalised_key(text: str) -> str:
    """`text_key` without its shortcut for plain words."""
    text = strip_accents(text.translate(_QUOTES)).lower().replace(".", "")
    text = _POSSESSIVE.sub(r"\1 's", text)
    text = _BARE_POSSESSIVE.sub(r"\1 's", text)
    text = _HYPHEN.sub("-", _PUNCT.sub(" ", text))
    text = _COMMA.sub(" , ", text)
    return _SPACE.sub(" ", text).strip()


def case_key(text: str) -> str:
    """Surface form for case-sensitive aliases: accents and case kept, periods dropped."""
    return _SPACE.sub(" ", _HYPHEN.sub("-", text.translate(_QUOTES).replace(".", ""))).strip()


def is_acronym(alias: str) -> bool:
    bare = alias.replace(".", "").replace("-", "").replace(" ", "")
    return bare.isupper() and len(bare) <= 4


_FUZZY_KIND = {"country": 0, "capital": 1, "demonym": 2, "city": 3}


@dataclass(frozen=True)
class Role:
    """A position held: `start`/`end` are years (inclusive); `since`/`until` the first and last
    day ("YYYY-MM-DD") when the KB gives a full or partial date, else the year's first/last day."""

    sector: str
    title: str = ""
    start: int | None = None
    end: int | None = None
    org: str | None = None
    since: str | None = None
    until: str | None = None

    def active(self, year: int | None, day: str | None = None) -> bool:
        """Held on `day` (an ISO date), or at some time in `year` when no day is known."""
        if day is not None:
            return (self.since or "0000") <= day <= (self.until or "9999")
        return (self.start or 0) <= year <= (self.end if self.end is not None else 9999)

    def ended(self, year: int | None, day: str | None = None) -> bool:
        if day is not None:
            return self.until is not None and self.until < day
        return self.end is not None and self.end < year

    def later(self, year: int | None, day: str | None = None) -> bool:
        """Starts after `day` (or after `year`)."""
        if day is not None:
            return self.since is not None and self.since > day
        return self.start is not None and self.start > year


@dataclass(frozen=True)
class Entry:
    """One KB item a key can point to."""

    kind: str  # person | org | country | capital | city | region | demonym
    name: str
    country: str | None
    sector: str | None
    kb_id: str
    roles: tuple[Role, ...] = ()
    case: str | None = None  # when set, the span must equal this (see case_key)


@dataclass(frozen=True)
class Modifier:
    id: str
    sector: str
    over: frozenset  # head sectors it overrides; contains None for "no sector"


@dataclass
class KnowledgeBase:
    names: dict[str, list[Entry]] = field(default_factory=dict)
    nouns: dict[str, str] = field(default_factory=dict)
    generic: dict[str, str | None] = field(default_factory=dict)
    modifiers: dict[str, Modifier] = field(default_factory=dict)
    titles: dict[str, str | None] = field(default_factory=dict)
    countries: dict[str, str] = field(default_factory=dict)  # ISO3 -> English name
    first_words: dict[str, int] = field(default_factory=dict)  # first word -> longest phrase (words)
    prefixes: set[str] = field(default_factory=set)  # the first 2+ words of every multi-word key
    fuzzy: dict[str, list[str]] = field(default_factory=dict)
    fuzzy_chars: dict[str, dict[str, int]] = field(default_factory=dict)  # fuzzy key -> its letter counts
    population: dict[str, int] = field(default_factory=dict)  # city key -> population (fuzzy tie-break)  # first letter -> long country/capital keys
    max_words: int = 1
    stats: dict[str, int] = field(default_factory=dict)
    coref: CorefLexicon = field(default_factory=CorefLexicon)  # data/coref.yaml
    article: ArticleLexicon = field(default_factory=ArticleLexicon)  # data/article.yaml

    def add_name(self, alias: str, entry: Entry) -> None:
        key = text_key(alias)
        if not key:
            return
        if is_acronym(alias) and entry.case is None:
            entry = Entry(**{**entry.__dict__, "case": case_key(alias)})
        bucket = self.names.setdefault(key, [])
        if entry not in bucket:
            bucket.append(entry)
        self._index_words(key)

    def _index_words(self, key: str) -> None:
        words = key.split(" ")
        if self.first_words.get(words[0], 0) < len(words):
            self.first_words[words[0]] = len(words)
        for n in range(2, len(words) + 1):
            self.prefixes.add(" ".join(words[:n]))
        self.max_words = max(self.max_words, len(words))

    def lookup(self, key: str, surface: str | None = None) -> list[Entry]:
        """Entries for `key`; case-sensitive ones only when `surface` matches exactly."""
        found = self.names.get(key, ())
        if not found:
            return []
        surf = case_key(surface) if surface is not None else None
        return [e for e in found if e.case is None or surf is None or e.case == surf]

    def fuzzy_lookup(self, key: str, cutoff: float = 0.8) -> list[Entry]:
        """Country/capital/demonym entries for a misspelt long word ('Dehli' → Delhi)."""
        import difflib

        if len(key) < 5:
            return []
        best, best_rank = None, None
        chars = _char_counts(key)
        for cand in self.fuzzy.get(key[0], ()):
            if abs(len(cand) - len(key)) > 2:
                continue
            if _quick_ratio(chars, self.fuzzy_chars.get(cand) or _char_counts(cand), len(key) + len(cand)) < cutoff:
                continue  # an upper bound of ratio() (difflib's quick_ratio): a cheap rejection, same result
            ratio = difflib.SequenceMatcher(None, key, cand).ratio()
            if ratio < cutoff:
                continue
            kind = min(_FUZZY_KIND.get(e.kind, 9) for e in self.names[cand])
            rank = (ratio, -kind, self.population.get(cand, 0))
            if best_rank is None or rank > best_rank:
                best, best_rank = cand, rank
        return list(self.names[best]) if best else []

    def is_word(self, key: str) -> bool:
        return key in self.first_words


def _char_counts(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ch in text:
        counts[ch] = counts.get(ch, 0) + 1
    return counts


def _quick_ratio(a: dict[str, int], b: dict[str, int], length: int) -> float:
    """difflib.SequenceMatcher.quick_ratio from letter counts: 2 * shared letters / total length."""
    matches = sum(min(n, b.get(ch, 0)) for ch, n in a.items())
    return 2.0 * matches / length if length else 1.0


# ------------------------------------------------------------------------------------ loading


def user_kb_dir() -> Path:
    """The user KB folder (`tidings kb import` writes there): $TIDINGS_KB_DIR or ~/.local/share/tidings/kb."""
    env = os.environ.get("TIDINGS_KB_DIR")
    return Path(env).expanduser() if env else Path.home() / ".local" / "share" / "tidings" / "kb"


def load_kb(data_dir: Path | str | None = None, extra_dirs: Iterable[Path | str] | None = None) -> KnowledgeBase:
    """The shipped KB of `data_dir`, extended by the people*/orgs* YAML files of `extra_dirs`
    (default: the user KB folder when it exists; `[]` for the shipped KB only)."""
    data = Path(data_dir) if data_dir else DATA_DIR
    kb = KnowledgeBase()
    _load_countries(kb, data)
    _load_cities(kb, data / "cities.csv")
    _load_orgs(kb, data / "orgs.yaml")
    for name in ("people.yaml", "people_extra.yaml"):
        _load_people(kb, data / name)
    _load_user_files(kb, [user_kb_dir()] if extra_dirs is None else [Path(d) for d in extra_dirs])
    _load_sectors(kb, data / "sectors.yaml")
    kb.coref = lexicon_from_data(_read_yaml(data / "coref.yaml", required=False))
    kb.article = article_lexicon(_read_yaml(data / "article.yaml", required=False), text_key)
    for key, entries in kb.names.items():
        if len(key) >= 5 and any(e.kind in ("country", "capital", "demonym", "city") for e in entries):
            kb.fuzzy.setdefault(key[0], []).append(key)
            kb.fuzzy_chars[key] = _char_counts(key)
    kb.stats["keys"] = len(kb.names)
    log.info("actor KB loaded: %s", kb.stats)
    return kb


def _read_yaml(path: Path, required: bool = True) -> Any:
    if not path.exists():
        if required:
            log.warning("actor KB file missing: %s", path)
        return None
    text = path.read_text("utf-8")
    rows = _read_json_lines(text)
    if rows is not None:
        return rows
    try:
        return load_yaml(text)  # libyaml, and cached parsed data (tidings.yamlcache)
    except yaml.YAMLError as exc:  # a file being written by someone else: skip, don't crash
        log.error("cannot read %s: %s", path, exc)
        return None


def _read_json_lines(text: str) -> list | None:
    """A YAML list written one JSON object per line (`- {"name": ...}`, as `tidings kb import` writes
    it) read with the json module, ~20x faster than YAML; None when the text has another shape."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not lines or not all(line.startswith("- {") for line in lines):
        return None
    try:
        return [json.loads(line[2:]) for line in lines]
    except ValueError:
        return None


def plural_forms(word: str) -> list[str]:
    """Regular English plurals of a (last) word: forces, ministries, churches, spokesmen."""
    if word.endswith("man"):
        return [word[:-3] + "men"]
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return [word[:-1] + "ies"]
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return [word + "es"]
    return [word + "s"]


def demonym_plurals(adj: str) -> list[str]:
    if adj.endswith(("ese", "ish", "ch", "ss", "s", "sh", "i-Kiribati")) or " " in adj:
        return [adj + "s"] if adj.endswith("i") else []
    if adj.endswith("man"):
        return [adj[:-3] + "men"]
    return [adj + "s"]


def _load_countries(kb: KnowledgeBase, data: Path) -> None:
    base = _read_yaml(data / "countries_geonames.yaml") or []
    extra = _read_yaml(data / "countries.yaml") or {}
    for row in base:
        iso3, name = row["iso3"], row["name"]
        kb.countries[iso3] = name
        country = Entry("country", name, iso3, None, f"country.{iso3}")
        kb.add_name(name, country)
        more = extra.get(iso3) or {}
        for alias in more.get("names") or ():
            kb.add_name(alias, country)
        for adj in more.get("adj") or ():
            demonym = Entry("demonym", name, iso3, None, f"demonym.{iso3}")
            for form in [adj, *demonym_plurals(adj)]:
                kb.add_name(form, demonym)
        capitals = [row.get("capital")] + list(more.get("capitals") or ()) + list(more.get("seats") or ())
        for capital in filter(None, capitals):
            kb.add_name(capital, Entry("capital", capital, iso3, "GOV", f"capital.{iso3}"))
        for region in more.get("regions") or ():
            kb.add_name(region, Entry("region", region, iso3, None, f"region.{iso3}.{text_key(region)}"))
    kb.stats["countries"] = len(kb.countries)


def _load_cities(kb: KnowledgeBase, path: Path) -> None:
    if not path.exists():
        return
    count = 0
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            key = text_key(row["name"])
            if any(e.kind in ("capital", "country", "demonym", "region") for e in kb.names.get(key, ())):
                continue
            kb.add_name(row["name"], Entry("city", row["name"], row["country"], "CVL", f"city.{row['country']}.{key}"))
            kb.population[key] = int(row["population"] or 0)
            count += 1
    kb.stats["cities"] = count


def _load_orgs(kb: KnowledgeBase, path: Path, guard: bool = False) -> None:
    rows = [r for r in _read_yaml(path) or [] if isinstance(r, dict) and r.get("name") and r.get("id")]
    for row in rows:
        entry = Entry("org", row["name"], row.get("country"), row.get("sector"), row["id"])

        def add(alias: str, row=row, entry=entry) -> None:
            if row.get("case"):
                kb.add_name(alias, Entry(**{**entry.__dict__, "case": case_key(alias)}))
            else:
                kb.add_name(alias, entry)

        aliases = [str(a) for a in [row["name"], *(row.get("aliases") or ())]]
        if guard:
            kb.stats["user_aliases_dropped"] = kb.stats.get("user_aliases_dropped", 0) + _add_guarded(kb, aliases, add)
        else:
            for alias in aliases:
                add(alias)
    kb.stats["user_orgs" if guard else "orgs"] = kb.stats.get("user_orgs" if guard else "orgs", 0) + len(rows)


def _year(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(str(value)[:4])
    except ValueError:
        return None


_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
_MONTH_END = {"02": "29", "04": "30", "06": "30", "09": "30", "11": "30"}


def role_day(value: Any, last: bool) -> str | None:
    """A role bound (2017, "2017-01", "2017-01-20") as the first (or `last`) day it can mean."""
    if value is None or value == "":
        return None
    match = _DATE.match(str(value))
    if not match:
        return None
    year, month, day = match.groups()
    if month is None:
        return f"{year}-12-31" if last else f"{year}-01-01"
    if day is None:
        return f"{year}-{month}-{_MONTH_END.get(month, '31')}" if last else f"{year}-{month}-01"
    return f"{year}-{month}-{day}"


def make_role(row: dict) -> Role:
    """A Role from a KB row {sector, title, org, start, end} (years or ISO dates)."""
    start, end = row.get("start"), row.get("end")
    return Role(sector=row.get("sector") or "", title=row.get("title") or "", start=_year(start), end=_year(end),
                org=row.get("org"), since=role_day(start, False), until=role_day(end, True))


def _load_user_files(kb: KnowledgeBase, dirs: list[Path]) -> None:
    """Imported entries (e.g. from Wikidata): an alias the KB already has stays with its first owner."""
    for folder in dirs:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.yaml")):
            if path.name.startswith("orgs"):
                _load_orgs(kb, path, guard=True)
            elif path.name.startswith("people"):
                _load_people(kb, path, guard=True)
            else:
                log.warning("user KB file ignored (name must start with people or orgs): %s", path)


def _add_guarded(kb: KnowledgeBase, aliases: list[str], add) -> int:
    """Add the aliases whose key is new to the KB; returns how many were dropped."""
    fresh = [a for a in aliases if text_key(a) and text_key(a) not in kb.names]
    for alias in fresh:
        add(alias)
    return len(aliases) - len(fresh)


def _load_people(kb: KnowledgeBase, path: Path, guard: bool = False) -> None:
    rows = _read_yaml(path, required=False) or []
    count = 0
    for row in rows:
        if not isinstance(row, dict) or not row.get("name"):
            continue
        roles = tuple(make_role(r) for r in row.get("roles") or () if isinstance(r, dict))
        country = row.get("country")
        if country is None and roles and all(r.sector == "IGO" for r in roles):
            country = "IGO"
        entry = Entry("person", row["name"], country, None, f"person.{text_key(row['name']).replace(' ', '_')}",
                      roles=roles)
        aliases = [str(a) for a in [row["name"], *(row.get("aliases") or ())]]
        if guard:
            kb.stats["user_aliases_dropped"] = kb.stats.get("user_aliases_dropped", 0) + _add_guarded(
                kb, aliases, lambda a, e=entry: kb.add_name(a, e))
        else:
            for alias in aliases:
                kb.add_name(alias, entry)
        count += 1
    kb.stats["user_people" if guard else "people"] = kb.stats.get("user_people" if guard else "people", 0) + count


def _load_sectors(kb: KnowledgeBase, path: Path) -> None:
    data = _read_yaml(path) or {}
    plurals = {text_key(p): text_key(s) for p, s in (data.get("plurals") or {}).items()}
    for sector, phrases in (data.get("nouns") or {}).items():
        for phrase in phrases:
            key = text_key(str(phrase))
            words = key.split(" ")
            forms = [key] + [" ".join([*words[:-1], p]) for p in plural_forms(words[-1])]
            for form in forms:
                kb.nouns.setdefault(form, sector)
                kb._index_words(form)
    for plural, singular in plurals.items():
        if singular in kb.nouns:
            kb.nouns.setdefault(plural, kb.nouns[singular])
            kb._index_words(plural)
    for noun, default in (data.get("generic") or {}).items():
        key = text_key(noun)
        for form in [key, *plural_forms(key)]:
            kb.generic[form] = default
            kb._index_words(form)
    for mod in data.get("modifiers") or ():
        over = frozenset(None if o in (None, "null") else o for o in mod.get("over") or ())
        record = Modifier(mod["id"], mod["sector"], over)
        for word in mod["words"]:
            kb.modifiers[text_key(word)] = record
            kb._index_words(text_key(word))
    for sector, titles in (data.get("titles") or {}).items():
        for title in titles:
            kb.titles[text_key(title)] = None if sector == "none" else sector
            kb._index_words(text_key(title))
    kb.stats["sector_nouns"] = len(kb.nouns)
