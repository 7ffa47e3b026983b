"""Resolve one actor phrase ("Russia's Deputy Foreign Minister", "Kyiv police") from its words.

The phrase is cut into KB items by greedy longest match (`match_items`); `analyse` then reads
country and sector off the items: the head (rightmost sector item before the first
preposition) gives the sector, modifiers may change it, the first country-bearing item gives
the country, then the prepositional tail ("… at the University of Toronto"), then context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tidings.actors.kb import Entry, KnowledgeBase, Modifier, Role, text_key

PREPOSITIONS = frozenset({"of", "for", "at", "to", "in", "from", "with", "on", "under", "by", "within",
                          "inside", "near", "across", "throughout", "against", "among", "into", "after"})
OWNER_PREPOSITIONS = frozenset({"of", "for", "at", "from", "with", "in", "within", "inside", "on", "under"})
LEADING = frozenset({"the", "a", "an", "some", "several", "many", "few", "more", "most", "all", "both", "over",
                     "about", "around", "nearly", "almost", "at", "least", "dozens", "hundreds", "thousands",
                     "tens", "of", "dozen", "hundred", "thousand", "million", "millions", "estimated", "an",
                     "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                     "twelve", "fifteen", "twenty", "fifty", "these", "those", "this", "that", "other",
                     "another", "any", "such", "no", "its", "their", "his", "her", "our", "my", "your", "whose",
                     "up", "to", "than", "neither", "either", "nor", "roughly", "approximately", "some", "numerous", "various", "'", '"'})
COUNTRY_KINDS = ("country", "demonym", "capital", "region", "city")
KIND_ORDER = {"org": 0, "person": 1, "country": 2, "capital": 3, "demonym": 4, "region": 5, "city": 6}
HOW_BY_KIND = {"org": "kb", "person": "kb", "country": "kb", "capital": "metonym", "demonym": "demonym",
               "region": "kb", "city": "place"}
_YEAR = re.compile(r"(1[89]\d\d|20\d\d)")


@dataclass
class Item:
    """A run of words that the KB knows, with every reading it has."""

    start: int
    end: int
    key: str
    names: list[Entry] = field(default_factory=list)
    noun: str | None = None
    generic: bool = False
    generic_default: str | None = None
    modifier: Modifier | None = None
    title: bool = False
    title_sector: str | None = None

    @property
    def sector_item(self) -> bool:
        return (self.noun is not None or self.generic or self.title_sector is not None
                or any(e.kind == "org" and e.sector for e in self.names))


@dataclass
class Reading:
    """The result of resolving a phrase (turned into the public dict / Actor)."""

    name: str
    country: str | None = None
    sector: str | None = None
    how: str = "kb"
    kb_id: str | None = None
    rule: str | None = None
    org: str | None = None
    kind: str | None = None
    title: str | None = None  # a KB person's title at the date ("President")
    held: bool = False  # a KB person holding a listed office at the date (their code beats descriptions)

    def as_dict(self) -> dict:
        out = {"name": self.name, "country": self.country, "sector": self.sector, "how": self.how,
               "kb_id": self.kb_id}
        if self.rule:
            out["rule"] = self.rule
        if self.org:
            out["org"] = self.org
        return out


@dataclass(frozen=True)
class When:
    """The publication date a text speaks from: its year, and its day when known."""

    year: int | None
    day: str | None = None  # YYYY-MM-DD


_DAY = re.compile(r"(1[89]\d\d|20\d\d)-([01]\d)-([0-3]\d)")


def parse_year(date: str | int | When | None) -> int | None:
    """The year of a date; None when no date is given (then a person's latest office counts)."""
    if isinstance(date, When):
        return date.year
    if isinstance(date, int):
        return date
    match = _YEAR.search(str(date or ""))
    return int(match.group(1)) if match else None


def parse_when(date: str | int | When | None) -> When | None:
    """`When` of a date ("2016-10-05", "2016", 2016); None when no date is given."""
    if date is None or isinstance(date, When):
        return date
    year = parse_year(date)
    if year is None:
        return None
    day = _DAY.search(str(date)) if not isinstance(date, int) else None
    return When(year, day.group(0) if day else None)


def match_items(kb: KnowledgeBase, keys: list[str], surfaces: list[str], lower_ok: bool = False) -> list[Item]:
    """Greedy longest match of KB entries over word keys (surfaces: the original words)."""
    items: list[Item] = []
    i, n = 0, len(keys)
    while i < n:
        item = None
        longest = kb.first_words.get(keys[i], 0)
        if longest:
            for j in range(_reach(kb, keys, i, min(n, i + longest)), i, -1):
                item = _item_at(kb, keys, surfaces, i, j, lower_ok)
                if item:
                    break
        if item:
            items.append(item)
            i = item.end
        else:
            i += 1
    return items


def _reach(kb: KnowledgeBase, keys: list[str], i: int, top: int) -> int:
    """The largest j <= top such that keys[i:j] starts some KB key (no longer run can match)."""
    j = i + 1
    while j < top and " ".join(keys[i:j + 1]) in kb.prefixes:
        j += 1
    return j


def _item_at(kb: KnowledgeBase, keys, surfaces, i: int, j: int, lower_ok: bool) -> Item | None:
    key = " ".join(keys[i:j])
    names = kb.lookup(key, " ".join(surfaces[i:j])) if key in kb.names else []
    if names and not lower_ok and not _capitalised(surfaces[j - 1]):
        names = []
    noun = kb.nouns.get(key)
    generic = key in kb.generic
    modifier = kb.modifiers.get(key)
    title = key in kb.titles
    if not (names or noun or generic or modifier or title):
        return None
    names.sort(key=lambda e: KIND_ORDER.get(e.kind, 9))
    return Item(i, j, key, names, noun, generic, kb.generic.get(key), modifier, title, kb.titles.get(key))


def _capitalised(word: str) -> bool:
    """'Kremlin', 'al-Qaeda', 'G7': a name, not the common word."""
    return word[:1].isdigit() or any(c.isupper() for c in word)


def choose_entry(entries: list[Entry], countries: list[str]) -> Entry:
    """Among entries sharing an alias, the one whose country the context names, else the first."""
    for country in countries:
        for entry in entries:
            if entry.country == country:
                return entry
    return entries[0]


def person_reading(entry: Entry, year: int | When | None, how: str = "kb") -> Reading:
    role, sector = person_role(entry, year)
    igo = sector == "IGO" and role is not None and role.org
    # An official of an international organisation acts as that organisation (Borrell → EU, IGO).
    return Reading(role.org if igo else entry.name, "IGO" if igo else entry.country, sector, how, entry.kb_id,
                   org=role.org if role else None,
                   kind="person", title=role.title if role and sector != "ELI" else None,
                   held=role is not None and sector != "ELI")


def person_sector(entry: Entry, year: int | When | None) -> tuple[str | None, str | None]:
    """(sector, IGO org) of a KB person at a date: see `person_role`."""
    role, sector = person_role(entry, year)
    return sector, role.org if role is not None and sector != "ELI" else None


CANDIDATE_SECTOR = "PTY"


def person_role(entry: Entry, year: int | When | None) -> tuple[Role | None, str | None]:
    """(role, sector) of a KB person at a date: one code per person and date.

    The office held then (with the day when the text has one: Trump is a candidate, PTY, in
    October 2016 and President, GOV, from 2017-01-20); an office beats a candidacy or party
    role held at the same time (a senator running for president stays LEG); ELI after leaving
    every office; no sector before the first one. With no date (an undated text) the person
    is coded by their latest office: a text that names them without a date is taken to speak
    of them in that role.
    """
    roles = entry.roles
    if not roles:
        return None, None
    when = parse_when(year)
    if when is None:
        role = max(roles, key=lambda r: (r.since or "", r.sector != CANDIDATE_SECTOR))
        return role, role.sector
    active = [r for r in roles if r.active(when.year, when.day)]
    if active:
        role = max(active, key=lambda r: (r.sector != CANDIDATE_SECTOR, r.since or ""))
        return role, role.sector
    if any(r.ended(when.year, when.day) for r in roles):
        return None, "ELI"
    return None, None


def entry_reading(entry: Entry, year: int) -> Reading:
    if entry.kind == "person":
        return person_reading(entry, year)
    return Reading(entry.name, entry.country, entry.sector, HOW_BY_KIND.get(entry.kind, "kb"), entry.kb_id,
                   kind=entry.kind)


def strip_leading(keys: list[str]) -> int:
    """Index of the first word that is not a determiner, quantifier or number."""
    i = 0
    while i < len(keys) - 1 and (keys[i] in LEADING or keys[i].replace(",", "").isdigit()):
        i += 1
    return i


def analyse(kb: KnowledgeBase, items: list[Item], keys: list[str], year: int,
            context_countries: list[str], name: str | None = None, strict: bool = False,
            surfaces: list[str] | None = None) -> Reading | None:
    """Country and sector of a phrase from its items (see module doc)."""
    if not items:
        return None
    if len(items) == 1 and items[0].start == 0 and items[0].end == len(keys) and items[0].names:
        return entry_reading(choose_entry(items[0].names, context_countries), year)
    cut = _first_preposition(items, keys)
    head = [it for it in items if it.end <= cut]
    tail = [it for it in items if it.start >= cut]
    reading = _titled_person(kb, head, surfaces or keys, year, context_countries)
    if reading:
        return reading
    if not any(it.sector_item for it in head) and _uncovered(head, keys[:cut], surfaces):
        return _person_by_surname(kb, keys, surfaces, year)  # an unknown name: a city inside is no cue
    if strict and not (head and head[-1].end == cut and head[-1].sector_item):
        return None  # the head word is no actor noun ("a military operation")
    sector, rule, org_entry = _head_sector(head, tail, keys[cut:] if cut < len(keys) else [])
    owner_tail = tail if cut < len(keys) and keys[cut] in OWNER_PREPOSITIONS else []
    country, how_country, country_name = _country(head, context_countries, owner_tail=owner_tail)
    if org_entry is not None and (country is None or how_country == "appositive"):
        country, how_country, country_name = org_entry.country, "kb", org_entry.name
    if country is None and context_countries:
        country, how_country, country_name = context_countries[0], "context", None
    if country is None and sector is None:
        return None
    name = country_name if country == "IGO" and country_name else (name or " ".join(keys))
    how = "sector_noun" if sector else how_country
    return Reading(name, country, sector, how, org_entry.kb_id if org_entry else None, rule=rule)


JOINERS = frozenset({"'s", ",", "and", "or", "&", "-", "'"})
TAIL_FILLERS = PREPOSITIONS | {"the", "a", "an"}


def _uncovered(items: list[Item], keys: list[str], surfaces: list[str] | None = None) -> bool:
    """Some word no item covers (only capitalised ones count when `surfaces` are given)."""
    covered = set()
    for it in items:
        covered.update(range(it.start, it.end))
    return any(i not in covered and k not in JOINERS and (surfaces is None or surfaces[i][:1].isupper())
               for i, k in enumerate(keys))


def _person_by_surname(kb: KnowledgeBase, keys: list[str], surfaces: list[str] | None, year: int) -> Reading | None:
    """'Vladimir V. Putin': a KB person whose surname and first name both appear."""
    if len(keys) < 2 or (surfaces is not None and not all(w[:1].isupper() for w in surfaces)):
        return None
    for entry in kb.lookup(keys[-1]):
        if entry.kind == "person" and text_key(entry.name).split(" ")[0] == keys[0]:
            return person_reading(entry, year)
    return None


def _first_preposition(items: list[Item], keys: list[str]) -> int:
    covered = set()
    for it in items:
        covered.update(range(it.start, it.end))
    for i, key in enumerate(keys):
        if i > 0 and key in PREPOSITIONS and i not in covered:
            return i
    return len(keys)


def _titled_person(kb, head: list[Item], keys: list[str], year: int, ctx: list[str]) -> Reading | None:
    """'Governor Vadim Shumkov', 'Lt. Gen. X': a person with a title before the name."""
    persons = [it for it in head if any(e.kind == "person" for e in it.names)]
    if persons and persons[-1].end == len(keys):
        entry = next(e for e in persons[-1].names if e.kind == "person")
        reading = person_reading(entry, year)
        if reading.sector is None:
            reading.sector = _title_sector(head[:-1])
        return reading
    titles = [it for it in head if it.title]
    after = [it for it in head if titles and it.start >= titles[-1].end]
    if titles and titles[0].start == 0 and not any(it.sector_item or it.title for it in after):
        rest = keys[titles[-1].end:]
        if rest and not any(k.lower() in PREPOSITIONS for k in rest):
            sector = _title_sector(titles)
            if sector:
                return Reading(" ".join(rest), ctx[0] if ctx else None, sector, "title", rule="title")
    return None


def _title_sector(items: list[Item]) -> str | None:
    for it in reversed(items):
        if it.title_sector:
            return it.title_sector
        if it.noun:
            return it.noun
    return None


def _head_sector(head: list[Item], tail: list[Item], tail_keys: list[str]) -> tuple[str | None, str | None, Entry | None]:
    """(sector, rule id, organisation entry) of the phrase head."""
    sector_items = [it for it in head if it.sector_item]
    if not sector_items:
        org = _first_org(tail) if tail_keys[:1] and tail_keys[0] in OWNER_PREPOSITIONS else None
        return None, None, None
    head_item = sector_items[-1]
    org = _org_of(head_item)
    if head_item.generic and org is None:
        sector, rule, org = _generic_sector(head_item, sector_items[:-1], tail, tail_keys)
    else:
        sector = org.sector if org else (head_item.noun or head_item.title_sector)
        rule = f"noun:{head_item.key}" if org is None else f"kb:{org.kb_id}"
    for it in head:
        if it.modifier and it.start < head_item.start and sector in it.modifier.over:
            sector, rule = it.modifier.sector, it.modifier.id
    return sector, rule, org


def _org_of(item: Item) -> Entry | None:
    for entry in item.names:
        if entry.kind == "org":
            return entry
    return None


def _first_org(items: list[Item]) -> Entry | None:
    for it in items:
        org = _org_of(it)
        if org:
            return org
    return None


def _generic_sector(head_item: Item, before: list[Item], tail: list[Item], tail_keys: list[str]):
    """'intelligence agency officer' → SPY; 'president of the Riigikogu' → LEG; else default."""
    for it in reversed(before):
        org = _org_of(it)
        if org and org.sector:
            return org.sector, f"generic:{head_item.key}+{org.kb_id}", org
        if it.noun:
            return it.noun, f"generic:{head_item.key}+{it.key}", None
    if tail_keys and tail_keys[0] in OWNER_PREPOSITIONS:
        for it in tail:
            org = _org_of(it)
            if org and org.sector:
                return org.sector, f"generic:{head_item.key}+{org.kb_id}", org
            if it.noun and not it.generic:
                return it.noun, f"generic:{head_item.key}+{it.key}", None
        offset = tail[0].start - 1 if tail else 0
        shifted = [Item(it.start - offset, it.end - offset, it.key) for it in tail]
        if _uncovered(shifted, [k if k not in TAIL_FILLERS else "," for k in tail_keys]):
            return None, f"generic:{head_item.key}+unknown", None  # "president of the American Farm Bureau"
    return head_item.generic_default, f"generic:{head_item.key}", None


def _country(head: list[Item], ctx: list[str], owner_tail: list[Item]) -> tuple[str | None, str, str | None]:
    for group, how in ((head, "demonym"), (owner_tail, "appositive")):
        for it in group:
            places = [e for e in it.names if e.kind in COUNTRY_KINDS and e.country]
            if places:
                entry = choose_entry(places, ctx)  # "the governor of Georgia" in a US context
                return entry.country, how, entry.name
            org = _org_of(it)
            if org and org.country:
                return org.country, "kb", org.name
            person = next((e for e in it.names if e.kind == "person" and e.country), None)
            if person:
                return person.country, "kb", person.name
    return None, "", None


def context_countries(kb: KnowledgeBase, text: str) -> list[str]:
    """Countries a context string names, most frequent first."""
    if not text:
        return []
    keys = text_key(text).split(" ")
    surfaces = text.split()
    if len(surfaces) != len(keys):
        surfaces = keys
    counts: dict[str, int] = {}
    for it in match_items(kb, keys, surfaces, lower_ok=True):
        for entry in it.names[:1]:
            if entry.country and entry.country != "IGO":
                counts[entry.country] = counts.get(entry.country, 0) + 1
    return sorted(counts, key=lambda c: -counts[c])


def resolve_text(kb: KnowledgeBase, text: str, context: str = "", date=None) -> Reading | None:
    """Resolve a free-text actor description (the engine of ActorResolver.resolve)."""
    keys = text_key(text).split(" ")
    if not keys or keys == [""]:
        return None
    surfaces = _surfaces(text, keys)
    start = strip_leading(keys)
    keys, surfaces = keys[start:], surfaces[start:]
    lower_ok = not any(c.isupper() for c in text)
    items = match_items(kb, keys, surfaces, lower_ok=lower_ok)
    ctx = context_countries(kb, context)
    reading = analyse(kb, items, keys, parse_when(date), ctx, name=text.strip(),
                      surfaces=None if lower_ok else surfaces)
    led = participle_country(kb, keys, reading.sector if reading else None, ctx)
    if led is not None and (reading is None or reading.country is None):
        country, suffix, prefix = led
        reading = reading or Reading(text.strip(), None, None, "kb")
        reading.country, reading.how, reading.rule = country, f"{reading.how}+{suffix}", f"{suffix}:{prefix}"
    if reading is None and len(keys) <= 3:
        entries = kb.fuzzy_lookup(" ".join(keys))
        if entries:
            reading = entry_reading(choose_entry(entries, ctx), parse_when(date))
            reading.how = f"fuzzy+{reading.how}"
    return reading


def participle_country(kb: KnowledgeBase, keys: list[str], sector: str | None,
                       ctx: list[str]) -> tuple[str, str, str] | None:
    """(country, participle, country word) of "Saudi-led", "Iran-backed" among word keys
    (data/article.yaml): `-led` always gives the phrase a country, `-backed` only when the phrase
    is no proxy force or government of its own (the backer of "US-backed rebels" is not theirs)."""
    lex = kb.article
    for key in keys:
        prefix, dash, suffix = key.rpartition("-")
        if not dash or not prefix or suffix not in lex.led_suffixes | lex.backed_suffixes:
            continue
        if suffix in lex.backed_suffixes and sector in lex.proxy_sectors:
            continue
        entries = [e for e in kb.lookup(prefix) if e.kind in COUNTRY_KINDS and e.country]
        if entries:
            return choose_entry(entries, ctx).country, suffix, prefix
    return None


def _surfaces(text: str, keys: list[str]) -> list[str]:
    """Original-case words aligned with `keys` (falls back to keys when alignment fails)."""
    from tidings.actors.kb import case_key

    spaced = re.sub(r"(\w)['’]s\b", r"\1 's", case_key(text))
    spaced = re.sub(r"[\"“”()\[\]{}!?;:]", " ", spaced)
    spaced = re.sub(r"\s*,\s*", " , ", spaced)
    words = spaced.split()
    if len(words) == len(keys):
        return words
    return [k.title() if k.isalpha() else k for k in keys]
