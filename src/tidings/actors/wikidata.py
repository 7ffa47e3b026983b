"""Extend the actor KB from a Wikidata JSON dump (`latest-all.json`, plain, .bz2 or .gz).

The dump is a JSON array with one entity per line (`[`, `{...},`, ..., `{...}`, `]`); it is
streamed line by line, never loaded whole. One pass collects

- countries: items with P298 (ISO 3166-1 alpha-3) → QID → ISO3;
- positions: items that are instances of a position class or have P1001 (applies to
  jurisdiction) → English label and country (P1001, else P17);
- people: humans (P31 = Q5) with P39 (position held) statements, their qualifiers
  P580/P582 (start/end, kept to the day when Wikidata gives the day), P27 (citizenship),
  P570 (date of death) and P3602 (candidacy in election);
- elections: items of an election class with P585 (point in time): a candidacy becomes a PTY
  role for the `CANDIDACY_DAYS` before election day (a candidate holding an office keeps that
  office's code: see tidings.actors.phrase.person_role);
- organisations: items whose P31 is one of `ORG_CLASSES`, with a country (P17) or an IGO class.

People and organisations are resolved after the pass (countries and positions may come later
in the file); a second pass runs only for positions held by people but not recognised as
positions in the first. Output: `people_wikidata.yaml` and `orgs_wikidata.yaml` in `kb_dir`,
in the schema of the shipped people.yaml / orgs.yaml, loaded by `load_kb` from the user KB folder.
"""

from __future__ import annotations

import bz2
import gzip
import json
import logging
import os
import re
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from tidings.actors.kb import KnowledgeBase, text_key, user_kb_dir

log = logging.getLogger(__name__)

PEOPLE_FILE = "people_wikidata.yaml"
ORGS_FILE = "orgs_wikidata.yaml"

HUMAN = "Q5"
# Instances of these are read as positions (labels + jurisdiction) in the first pass.
POSITION_CLASSES = frozenset({
    "Q4164871",  # position
    "Q294414",  # public office
    "Q48352",  # head of state
    "Q2285706",  # head of government
    "Q30461",  # president
    "Q14212",  # prime minister
    "Q83307",  # minister
    "Q486839",  # member of parliament
})
# Organisation classes (direct P31 only) → PLOVER sector. IGO classes get country "IGO".
ORG_CLASSES = MappingProxyType({
    "Q7278": "PTY",  # political party
    "Q17149090": "REB",  # armed organization
    "Q17127659": "REB",  # terrorist organization
    "Q245065": "IGO",  # intergovernmental organization
    "Q484652": "IGO",  # international organization
    "Q163740": "NGO",  # nonprofit organization
    "Q79913": "NGO",  # non-governmental organization
    "Q327333": "GOV",  # government agency
    "Q192350": "GOV",  # ministry
    "Q35749": "LEG",  # parliament
    "Q176799": "MIL",  # military unit
    "Q35535": "COP",  # police
    "Q783794": "BUS",  # company
    "Q4830453": "BUS",  # business
    "Q11032": "MED",  # newspaper
    "Q192283": "MED",  # news agency
    "Q3918": "EDU",  # university
})
IGO_SECTOR = "IGO"
DEFAULT_ROLE_SECTOR = "GOV"
CANDIDATE_SECTOR = "PTY"
CANDIDACY_DAYS = 365  # a candidacy is coded PTY for this long before election day
# Elections read in the first pass (direct P31); elections of other classes that someone ran in
# are read in the second pass, like positions.
ELECTION_CLASSES = frozenset({
    "Q40231",  # election
    "Q858439",  # presidential election
})
_ID_PREFIX = re.compile(rb'"id"\s*:\s*"([QP]\d+)"')


def _candidate_pattern() -> re.Pattern[bytes]:
    """Bytes a line must contain to be worth parsing (a superset test: the parsed entity decides)."""
    names = ["P298", "P39", "P1001", "P3602", *sorted(POSITION_CLASSES), *sorted(ORG_CLASSES),
             *sorted(ELECTION_CLASSES)]
    return re.compile(b'"(?:' + b"|".join(n.encode() for n in names) + b')"')


_CANDIDATE = _candidate_pattern()  # constant, built once from the constants above


@dataclass
class ImportSummary:
    """What an import read, wrote and skipped (with reasons)."""

    path: str
    entities: int = 0  # entity lines read (first pass), malformed ones included
    parsed: int = 0  # lines that could hold a country, position, person or organisation
    malformed: int = 0
    countries: int = 0
    positions: int = 0
    people: int = 0
    orgs: int = 0
    aliases_dropped: int = 0  # clashes with the shipped KB or between imported entries
    passes: int = 0
    seconds: float = 0.0
    skipped: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    error: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def entities_per_second(self) -> float:
        return self.entities / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "entities_per_second": round(self.entities_per_second, 1)}


@dataclass
class _Position:
    label: str
    country_qids: tuple[str, ...]


@dataclass
class _Held:
    position: str
    start: int | str | None  # a year, or "YYYY-MM" / "YYYY-MM-DD" when Wikidata is that precise
    end: int | str | None
    end_unknown: bool


@dataclass
class _Election:
    label: str
    day: str | None  # YYYY-MM-DD (None: less precise than a day)


@dataclass
class _Person:
    qid: str
    name: str
    aliases: list[str]
    citizenship: list[str]
    held: list[_Held]
    died: int | None
    candidacies: list[str] = field(default_factory=list)  # election QIDs


@dataclass
class _Org:
    qid: str
    name: str
    aliases: list[str]
    sector: str
    country_qids: list[str]


@dataclass
class _Collected:
    countries: dict[str, str] = field(default_factory=dict)
    positions: dict[str, _Position] = field(default_factory=dict)
    elections: dict[str, _Election] = field(default_factory=dict)
    people: list[_Person] = field(default_factory=list)
    orgs: list[_Org] = field(default_factory=list)


# ------------------------------------------------------------------------------------ reading


def _open(path: Path):
    with open(path, "rb") as fh:
        magic = fh.read(3)
    if magic == b"BZh":
        return bz2.open(path, "rb")
    if magic[:2] == b"\x1f\x8b":
        return gzip.open(path, "rb")
    return open(path, "rb")


def iter_lines(path: Path, summary: ImportSummary) -> Iterator[bytes]:
    """Entity lines of a dump (array brackets and trailing commas stripped); a read error ends it."""
    try:
        with _open(path) as fh:
            for raw in fh:
                line = raw.strip()
                if line.endswith(b","):
                    line = line[:-1]
                if line and line not in (b"[", b"]"):
                    yield line
    except (EOFError, OSError, zlib.error) as exc:  # truncated or corrupt compressed stream
        summary.error = f"{path.name}: {exc.__class__.__name__}: {exc} (kept what was read before)"
        log.error("reading %s stopped: %s", path, exc)


def _parse(line: bytes, summary: ImportSummary) -> dict | None:
    summary.parsed += 1
    try:
        entity = json.loads(line)
    except ValueError:
        summary.malformed += 1
        return None
    if not isinstance(entity, dict) or not isinstance(entity.get("id"), str):
        summary.malformed += 1
        return None
    return entity


# ------------------------------------------------------------------------------------ claims


def _statements(entity: dict, prop: str) -> list[dict]:
    found = (entity.get("claims") or {}).get(prop) or []
    good = [s for s in found if isinstance(s, dict) and s.get("rank") != "deprecated"]
    return sorted(good, key=lambda s: s.get("rank") != "preferred")  # stable: preferred first


def _snak_value(snak: dict) -> Any:
    if not isinstance(snak, dict) or snak.get("snaktype") != "value":
        return None
    return (snak.get("datavalue") or {}).get("value")


def _item_id(value: Any) -> str | None:
    if isinstance(value, dict):
        if isinstance(value.get("id"), str):
            return value["id"]
        if value.get("numeric-id") is not None:
            return f"Q{value['numeric-id']}"
    return None


def _items(entity: dict, prop: str) -> list[str]:
    ids = (_item_id(_snak_value(s.get("mainsnak"))) for s in _statements(entity, prop))
    return [i for i in ids if i]


def _year(value: Any) -> int | None:
    """Year of a Wikidata time value ({"time": "+2019-05-20T00:00:00Z", "precision": 11})."""
    if not isinstance(value, dict) or not isinstance(value.get("time"), str):
        return None
    if int(value.get("precision") or 0) < 9:  # decade or coarser: no year
        return None
    match = re.match(r"([+-]?)(\d+)-", value["time"])
    if not match:
        return None
    return -int(match.group(2)) if match.group(1) == "-" else int(match.group(2))


def _date(value: Any) -> int | str | None:
    """A Wikidata time value as precisely as it is known: "2017-01-20" (day precision), "2017-01"
    (month) or the year 2017 (an int); None when coarser than a year."""
    year = _year(value)
    if year is None:
        return None
    precision = int(value.get("precision") or 0)
    match = re.match(r"[+-]?\d+-(\d\d)-(\d\d)", value["time"])
    if precision < 10 or not match or match.group(1) == "00" or year < 1:
        return year
    if precision == 10 or match.group(2) == "00":
        return f"{year:04d}-{match.group(1)}"
    return f"{year:04d}-{match.group(1)}-{match.group(2)}"


def _qualifier(statement: dict, prop: str) -> tuple[int | str | None, bool]:
    """(date, present-but-unknown) of a statement's first time qualifier `prop` (see `_date`)."""
    for snak in (statement.get("qualifiers") or {}).get(prop) or ():
        if isinstance(snak, dict) and snak.get("snaktype") == "somevalue":
            return None, True
        when = _date(_snak_value(snak))
        if when is not None:
            return when, False
    return None, False


def _label(entity: dict) -> str:
    label = ((entity.get("labels") or {}).get("en") or {}).get("value")
    return label.strip() if isinstance(label, str) else ""


def _aliases(entity: dict) -> list[str]:
    rows = (entity.get("aliases") or {}).get("en") or []
    values = (r.get("value") for r in rows if isinstance(r, dict))
    return [v.strip() for v in values if isinstance(v, str) and v.strip()]


def _first_year(entity: dict, prop: str) -> int | None:
    for statement in _statements(entity, prop):
        year = _year(_snak_value(statement.get("mainsnak")))
        if year is not None:
            return year
    return None


# ------------------------------------------------------------------------------------ collecting


def _collect(entity: dict, out: _Collected, summary: ImportSummary) -> None:
    qid = entity["id"]
    for statement in _statements(entity, "P298"):
        code = _snak_value(statement.get("mainsnak"))
        if isinstance(code, str) and re.fullmatch(r"[A-Z]{3}", code):
            out.countries.setdefault(qid, code)
            break
    classes = _items(entity, "P31")
    if POSITION_CLASSES.intersection(classes) or "P1001" in (entity.get("claims") or {}):
        _add_position(entity, out)
    if ELECTION_CLASSES.intersection(classes):
        _add_election(entity, out)
    if HUMAN in classes:
        _add_person(entity, out, summary)
    org_sectors = [ORG_CLASSES[c] for c in classes if c in ORG_CLASSES]
    if org_sectors and _label(entity):
        out.orgs.append(_Org(qid, _label(entity), _aliases(entity), org_sectors[0], _items(entity, "P17")))


def _add_position(entity: dict, out: _Collected) -> None:
    label = _label(entity)
    if label:
        out.positions[entity["id"]] = _Position(label, tuple(_items(entity, "P1001") + _items(entity, "P17")))


def _add_election(entity: dict, out: _Collected) -> None:
    """An election with its day (P585), for candidacies."""
    label = _label(entity)
    for statement in _statements(entity, "P585"):
        when = _date(_snak_value(statement.get("mainsnak")))
        if label:
            out.elections[entity["id"]] = _Election(label, when if isinstance(when, str) and len(when) == 10 else None)
            return


def _add_person(entity: dict, out: _Collected, summary: ImportSummary) -> None:
    held = []
    for statement in _statements(entity, "P39"):
        position = _item_id(_snak_value(statement.get("mainsnak")))
        if position:
            start, _ = _qualifier(statement, "P580")
            end, end_unknown = _qualifier(statement, "P582")
            held.append(_Held(position, start, end, end_unknown))
    candidacies = [q for q in _items(entity, "P3602")]
    if not held and not candidacies:
        _skip(summary, "person without positions held")
        return
    name = _label(entity)
    if not name:
        _skip(summary, "person without English label")
        return
    out.people.append(_Person(entity["id"], name, _aliases(entity), _items(entity, "P27"), held,
                              _first_year(entity, "P570"), candidacies))


def _skip(summary: ImportSummary, reason: str, n: int = 1) -> None:
    summary.skipped[reason] = summary.skipped.get(reason, 0) + n


def _read_pass(path: Path, summary: ImportSummary, limit: int | None, wanted: set[str] | None,
               out: _Collected, progress=None) -> None:
    """One pass over the dump; with `wanted`, only those position ids are parsed."""
    summary.passes += 1
    count = 0
    for line in iter_lines(path, summary):
        if limit is not None and count >= limit:
            break
        count += 1
        if progress and count % 1000 == 0:
            progress(summary.passes, count)
        if wanted is not None:
            match = _ID_PREFIX.search(line, 0, 200)
            if match and match.group(1).decode() not in wanted:
                continue
            entity = _parse(line, ImportSummary(summary.path))  # malformed lines were counted in pass 1
            if entity and entity["id"] in wanted:
                if "P585" in (entity.get("claims") or {}):
                    _add_election(entity, out)
                else:
                    _add_position(entity, out)
            continue
        summary.entities += 1
        if not _CANDIDATE.search(line):  # most of Wikidata: no country, position, person or org claim
            if not (line.startswith(b"{") and line.endswith(b"}")):
                summary.malformed += 1
            continue
        entity = _parse(line, summary)
        if entity is not None:
            _collect(entity, out, summary)


# ------------------------------------------------------------------------------------ resolving


class _Titles:
    """Position label → (sector, IGO org name) through the shipped resolver's sector nouns."""

    def __init__(self, resolver) -> None:
        self.resolver = resolver
        self.cache: dict[str, tuple[str, str | None]] = {}

    def __call__(self, title: str) -> tuple[str, str | None]:
        if title not in self.cache:
            reading = self.resolver.resolve(title) or {}
            sector = reading.get("sector") or DEFAULT_ROLE_SECTOR
            if reading.get("country") == "IGO" or sector == IGO_SECTOR:
                self.cache[title] = (IGO_SECTOR, reading.get("name"))
            else:
                self.cache[title] = (sector, None)
        return self.cache[title]


def _person_row(person: _Person, data: _Collected, titles: _Titles, summary: ImportSummary) -> dict | None:
    roles, role_countries = [], []
    for held in person.held:
        position = data.positions.get(held.position)
        if position is None:
            _skip(summary, "role whose position is not in the dump")
            continue
        sector, org = titles(position.label)
        end = held.end
        if end is None and (held.end_unknown or person.died is not None):
            end = person.died if person.died is not None else held.start
        role: dict[str, Any] = {"sector": sector, "title": position.label, "start": held.start, "end": end}
        if org:
            role["org"] = org
        roles.append(role)
        role_countries += [data.countries[q] for q in position.country_qids if q in data.countries]
    roles += _candidacy_roles(person, data, summary)
    if not roles:
        _skip(summary, "person without known positions")
        return None
    citizen = [data.countries[q] for q in person.citizenship if q in data.countries]
    country = next((c for c in citizen if c in role_countries), None) or next(iter(citizen + role_countries), None)
    if country is None:
        if all(r["sector"] == IGO_SECTOR for r in roles):
            country = IGO_SECTOR
        else:
            _skip(summary, "person without country")
            return None
    roles.sort(key=lambda r: (r["start"] is None, str(r["start"] or ""), r["title"]))
    return {"name": person.name, "aliases": person.aliases, "country": country, "roles": roles,
            "wikidata": person.qid}


def _candidacy_roles(person: _Person, data: _Collected, summary: ImportSummary) -> list[dict]:
    """A PTY role for the `CANDIDACY_DAYS` before each election the person ran in (with a day)."""
    from datetime import date, timedelta

    roles = []
    for qid in person.candidacies:
        election = data.elections.get(qid)
        if election is None or election.day is None:
            _skip(summary, "candidacy in an election without a known day")
            continue
        day = date.fromisoformat(election.day)
        roles.append({"sector": CANDIDATE_SECTOR, "title": f"candidate in the {election.label}",
                      "start": (day - timedelta(days=CANDIDACY_DAYS)).isoformat(), "end": day.isoformat()})
    return roles


def _org_row(org: _Org, data: _Collected, summary: ImportSummary) -> dict | None:
    if org.sector == IGO_SECTOR:
        country = IGO_SECTOR
    else:
        country = next((data.countries[q] for q in org.country_qids if q in data.countries), None)
    if country is None:
        _skip(summary, "organisation without country")
        return None
    return {"id": f"wd.{org.qid}", "name": org.name, "aliases": org.aliases, "country": country,
            "sector": org.sector}


def _dedupe_aliases(rows: list[dict], shipped: KnowledgeBase, summary: ImportSummary) -> list[dict]:
    """Drop aliases the shipped KB already has, and aliases shared by two imported rows."""
    owners = Counter(k for row in rows for k in {text_key(a) for a in [row["name"], *row["aliases"]]})
    kept = []
    for row in rows:
        aliases = []
        for alias in [row["name"], *row["aliases"]]:
            key = text_key(alias)
            if not key or key in shipped.names or owners[key] > 1:
                summary.aliases_dropped += 1
            elif alias not in aliases:
                aliases.append(alias)
        if not aliases:
            _skip(summary, "every name already in the KB or shared")
            continue
        kept.append({**row, "name": aliases[0], "aliases": aliases[1:]})
    return kept


def _write_yaml(path: Path, rows: list[dict], header: str) -> None:
    """A YAML list with one JSON flow mapping per line: valid YAML, and fast to load (see kb.py)."""
    text = "".join(f"- {json.dumps(row, ensure_ascii=False)}\n" for row in rows) or "[]\n"
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text(header + text, encoding="utf-8")
    os.replace(tmp, path)


def _qnum(qid: str) -> int:
    return int(qid[1:]) if qid[1:].isdigit() else 0


def import_dump(path: str | Path, kb_dir: str | Path | None = None, limit: int | None = None,
                resolver=None, progress=None) -> ImportSummary:
    """Import countries' people and organisations of a Wikidata dump into `kb_dir`'s YAML files.

    `limit` caps the entities read per pass; `resolver` (an ActorResolver over the shipped KB only)
    maps position titles to sectors and decides alias clashes. Earlier imports are replaced.
    `progress(pass_number, entities_read)` hears of the reading, every 1,000 entities.
    """
    from tidings.actors import ActorResolver

    path = Path(path)
    kb_dir = Path(kb_dir) if kb_dir else user_kb_dir()
    summary = ImportSummary(str(path))
    began = time.perf_counter()
    data = _Collected()
    _read_pass(path, summary, limit, None, data, progress)
    needed = ({h.position for p in data.people for h in p.held} - set(data.positions)) | (
        {q for p in data.people for q in p.candidacies} - set(data.elections))
    if needed and summary.error is None:
        _read_pass(path, summary, limit, needed, data, progress)
    summary.countries, summary.positions = len(data.countries), len(data.positions)
    if summary.error is None and summary.entities and summary.malformed >= summary.entities:
        summary.error = (f"{path.name}: none of its {summary.entities:,} lines is a Wikidata entity (a JSON object"
                         " a line): nothing written, earlier imports kept")
        return summary
    if not data.countries:
        summary.warnings.append("the dump has no countries (P298): people and organisations need a country, "
                                "so only IGO ones are imported")
    resolver = resolver or ActorResolver(extra_dirs=[])
    titles = _Titles(resolver)
    people = [r for r in (_person_row(p, data, titles, summary)
                          for p in sorted(data.people, key=lambda p: _qnum(p.qid))) if r]
    orgs = [r for r in (_org_row(o, data, summary) for o in sorted(data.orgs, key=lambda o: _qnum(o.qid))) if r]
    people = _dedupe_aliases(people, resolver.kb, summary)
    orgs = _dedupe_aliases(orgs, resolver.kb, summary)
    summary.people, summary.orgs = len(people), len(orgs)
    kb_dir.mkdir(parents=True, exist_ok=True)
    source = f"# Imported by `tidings kb import` from {path.name}; replaced by the next import.\n"
    for name, rows in ((PEOPLE_FILE, people), (ORGS_FILE, orgs)):
        _write_yaml(kb_dir / name, rows, source)
        summary.files.append(str(kb_dir / name))
    summary.seconds = time.perf_counter() - began
    log.info("wikidata import: %s", summary.as_dict())
    return summary
