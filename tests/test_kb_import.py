"""`tidings kb import`: people and organisations from a Wikidata JSON dump into the user KB.

The dumps here are generated in the real `latest-all.json` line format with invented people.
"""

from __future__ import annotations

import bz2
import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tidings.actors import ActorResolver
from tidings.actors.wikidata import ORGS_FILE, PEOPLE_FILE, import_dump

TIDINGS = shutil.which("tidings", path=str(Path(sys.executable).parent)) or "tidings"


# ------------------------------------------------------------------------------------ dump builder


def item_value(qid: str) -> dict:
    return {"value": {"entity-type": "item", "numeric-id": int(qid[1:]), "id": qid}, "type": "wikibase-entityid"}


def time_value(year: int, precision: int = 11) -> dict:
    return {"value": {"time": f"+{year:04d}-05-20T00:00:00Z", "timezone": 0, "before": 0, "after": 0,
                      "precision": precision, "calendarmodel": "http://www.wikidata.org/entity/Q1985727"},
            "type": "time"}


def snak(prop: str, datavalue: dict) -> dict:
    return {"snaktype": "value", "property": prop, "datavalue": datavalue}


def statement(prop: str, datavalue: dict, qualifiers: dict | None = None, rank: str = "normal") -> dict:
    out = {"mainsnak": snak(prop, datavalue), "type": "statement", "rank": rank}
    if qualifiers:
        out["qualifiers"] = {p: [snak(p, v)] for p, v in qualifiers.items()}
    return out


def entity(qid: str, label: str, aliases=(), **claims: list[dict]) -> dict:
    return {"type": "item", "id": qid,
            "labels": {"en": {"language": "en", "value": label}, "de": {"language": "de", "value": label}},
            "aliases": {"en": [{"language": "en", "value": a} for a in aliases]} if aliases else {},
            "claims": claims}


def held(position: str, start: int | None = None, end: int | None = None) -> dict:
    qualifiers = {}
    if start is not None:
        qualifiers["P580"] = time_value(start)
    if end is not None:
        qualifiers["P582"] = time_value(end)
    return statement("P39", item_value(position), qualifiers)


def human(qid: str, name: str, aliases=(), citizen: str | None = None, positions=()) -> dict:
    claims = {"P31": [statement("P31", item_value("Q5"))], "P39": list(positions)}
    if citizen:
        claims["P27"] = [statement("P27", item_value(citizen))]
    return entity(qid, name, aliases, **claims)


def country(qid: str, name: str, iso3: str) -> dict:
    return entity(qid, name, P31=[statement("P31", item_value("Q6256"))],
                  P298=[statement("P298", {"value": iso3, "type": "string"})])


def position(qid: str, label: str, jurisdiction: str | None = None, cls: str = "Q4164871") -> dict:
    claims = {"P31": [statement("P31", item_value(cls))]}
    if jurisdiction:
        claims["P17"] = [statement("P17", item_value(jurisdiction))]
    return entity(qid, label, **claims)


def org(qid: str, label: str, cls: str, where: str | None, aliases=()) -> dict:
    claims = {"P31": [statement("P31", item_value(cls))]}
    if where:
        claims["P17"] = [statement("P17", item_value(where))]
    return entity(qid, label, aliases, **claims)


def dump_lines(entities: list[dict], extra_lines=()) -> bytes:
    lines = [json.dumps(e, separators=(",", ":")) for e in entities] + list(extra_lines)
    return ("[\n" + ",\n".join(lines) + "\n]\n").encode("utf-8")


def sample_entities(with_countries: bool = True) -> list[dict]:
    people = [
        human("Q9000101", "Halvard Quistbeck", ["H. Quistbeck", "Kremlin"], citizen="Q9000001",
              positions=[held("Q9000201", 2019, 2023)]),
        human("Q9000102", "Ottilie Varga-Mendez", ["Varga-Mendez"], citizen="Q9000002",
              positions=[held("Q9000202", 2018)]),
        # no citizenship: the country comes from the position's jurisdiction (P17)
        human("Q9000103", "Bertrand Olvesk", positions=[held("Q9000203", 2010, 2020)]),
        human("Q9000104", "Nobody Positionless", citizen="Q9000001"),
    ]
    places = [country("Q9000001", "Norway", "NOR"), country("Q9000002", "Chile", "CHL")] if with_countries else []
    # positions after the people on purpose; Q9000203's class is unknown → found in a second pass
    positions = [position("Q9000201", "Minister of Foreign Affairs of Norway", "Q9000001"),
                 position("Q9000202", "member of the Chamber of Deputies of Chile", "Q9000002"),
                 position("Q9000203", "judge of the Supreme Court of Norway", "Q9000001", cls="Q9999999")]
    orgs = [org("Q9000301", "Grelmark Solidarity Party", "Q7278", "Q9000002", ["GSP-Chile"]),
            org("Q9000302", "Vestfjord Daily Courier", "Q11032", None)]
    return people + positions + orgs + places


@pytest.fixture(scope="module")
def shipped_kbimport() -> ActorResolver:
    """The resolver over the shipped KB only (sector nouns for titles, alias clashes), loaded once."""
    return ActorResolver(extra_dirs=[])


@pytest.fixture
def sample_dump(tmp_path) -> Path:
    path = tmp_path / "latest-all.json"
    path.write_bytes(dump_lines(sample_entities(), ['{"type":"item","id":"Q1",broken']))
    return path


def compressed(path: Path, suffix: str) -> Path:
    out = path.with_name(path.name + suffix)
    opener = bz2.open if suffix == ".bz2" else gzip.open
    with opener(out, "wb") as fh:
        fh.write(path.read_bytes())
    return out


# ------------------------------------------------------------------------------------ tests


@pytest.mark.parametrize("suffix", ["", ".bz2", ".gz"])
def test_imported_person_resolves_with_country_and_sector_in_term_and_eli_after(shipped_kbimport, sample_dump,
                                                                                tmp_path, suffix):
    dump = compressed(sample_dump, suffix) if suffix else sample_dump
    kb_dir = tmp_path / "kb"
    summary = import_dump(dump, kb_dir, resolver=shipped_kbimport)
    assert summary.error is None
    assert (summary.countries, summary.people) == (2, 3)
    resolver = ActorResolver(extra_dirs=[kb_dir])
    during = resolver.resolve("Halvard Quistbeck", date="2021-03-01")
    after = resolver.resolve("H. Quistbeck", date="2025-03-01")
    assert (during["country"], during["sector"]) == ("NOR", "GOV")
    assert (after["country"], after["sector"]) == ("NOR", "ELI")


def test_open_ended_term_and_country_from_jurisdiction(shipped_kbimport, sample_dump, tmp_path):
    import_dump(sample_dump, tmp_path / "kb", resolver=shipped_kbimport)
    resolver = ActorResolver(extra_dirs=[tmp_path / "kb"])
    deputy = resolver.resolve("Ottilie Varga-Mendez", date="2026-01-10")
    judge = resolver.resolve("Bertrand Olvesk", date="2015-01-10")
    assert (deputy["country"], deputy["sector"]) == ("CHL", "LEG")
    assert (judge["country"], judge["sector"]) == ("NOR", "JUD")


def test_position_missing_from_first_pass_is_found_in_a_second(shipped_kbimport, sample_dump, tmp_path):
    summary = import_dump(sample_dump, tmp_path / "kb", resolver=shipped_kbimport)
    assert summary.passes == 2
    rows = yaml.safe_load((tmp_path / "kb" / PEOPLE_FILE).read_text("utf-8"))
    judge = next(r for r in rows if r["name"] == "Bertrand Olvesk")
    assert judge["roles"][0]["title"] == "judge of the Supreme Court of Norway"
    assert "Nobody Positionless" not in {r["name"] for r in rows}


def test_org_is_imported_with_its_country_and_countryless_org_is_skipped(shipped_kbimport, sample_dump, tmp_path):
    summary = import_dump(sample_dump, tmp_path / "kb", resolver=shipped_kbimport)
    rows = yaml.safe_load((tmp_path / "kb" / ORGS_FILE).read_text("utf-8"))
    assert [(r["name"], r["country"], r["sector"]) for r in rows] == [("Grelmark Solidarity Party", "CHL", "PTY")]
    assert summary.skipped["organisation without country"] == 1
    party = ActorResolver(extra_dirs=[tmp_path / "kb"]).resolve("the Grelmark Solidarity Party")
    assert (party["country"], party["sector"]) == ("CHL", "PTY")


def test_malformed_line_is_counted_and_skipped(shipped_kbimport, sample_dump, tmp_path):
    summary = import_dump(sample_dump, tmp_path / "kb", resolver=shipped_kbimport)
    assert summary.malformed == 1
    assert summary.entities == len(sample_entities()) + 1


def test_malformed_candidate_line_is_counted_too(shipped_kbimport, tmp_path):
    path = tmp_path / "dump.json"
    path.write_bytes(dump_lines(sample_entities(), ['{"type":"item","id":"Q2","claims":{"P39":[}}']))
    assert import_dump(path, tmp_path / "kb", resolver=shipped_kbimport).malformed == 1


def test_truncated_bz2_keeps_what_was_read_and_reports_an_error(shipped_kbimport, tmp_path):
    many = sample_entities() + [human(f"Q8{i:06d}", f"Filler Person {i}") for i in range(2000)]
    path = tmp_path / "big.json"
    path.write_bytes(dump_lines(many))
    packed = bz2.compress(path.read_bytes(), 1)  # 100 kB blocks: the cut leaves whole blocks before it
    cut = tmp_path / "cut.json.bz2"
    cut.write_bytes(packed[: len(packed) * 2 // 3])
    summary = import_dump(cut, tmp_path / "kb", resolver=shipped_kbimport)
    assert summary.error and "cut.json.bz2" in summary.error
    assert 0 < summary.entities < len(many)
    assert (tmp_path / "kb" / PEOPLE_FILE).exists()


def test_alias_clashing_with_the_shipped_kb_is_dropped(shipped_kbimport, sample_dump, tmp_path):
    summary = import_dump(sample_dump, tmp_path / "kb", resolver=shipped_kbimport)
    assert summary.aliases_dropped >= 1
    rows = yaml.safe_load((tmp_path / "kb" / PEOPLE_FILE).read_text("utf-8"))
    person = next(r for r in rows if r["name"] == "Halvard Quistbeck")
    assert "Kremlin" not in person["aliases"]
    assert ActorResolver(extra_dirs=[tmp_path / "kb"]).resolve("the Kremlin")["kb_id"] == "seat.kremlin"


def test_user_file_alias_clash_is_dropped_at_load_time(tmp_path):
    (tmp_path / "people_hand.yaml").write_text(yaml.safe_dump([
        {"name": "Moscow", "country": "NOR", "roles": [{"sector": "GOV", "title": "Mayor", "start": 2001}]},
        {"name": "Ingrid Tollefsrud-Amadi", "country": "NOR", "roles": [{"sector": "MIL", "start": 2001}]}]))
    resolver = ActorResolver(extra_dirs=[tmp_path])
    assert resolver.kb.stats["user_aliases_dropped"] == 1
    assert resolver.resolve("Moscow")["country"] == "RUS"
    assert resolver.resolve("Ingrid Tollefsrud-Amadi", date="2020")["sector"] == "MIL"


def test_dump_without_countries_imports_no_countryless_people_and_says_so(shipped_kbimport, tmp_path):
    path = tmp_path / "nocountries.json"
    path.write_bytes(dump_lines(sample_entities(with_countries=False)))
    summary = import_dump(path, tmp_path / "kb", resolver=shipped_kbimport)
    assert summary.people == 0 and summary.warnings
    assert summary.skipped["person without country"] == 3


def test_import_is_deterministic_and_replaces_the_previous_one(shipped_kbimport, sample_dump, tmp_path):
    import_dump(sample_dump, tmp_path / "kb", resolver=shipped_kbimport)
    first = (tmp_path / "kb" / PEOPLE_FILE).read_bytes()
    import_dump(sample_dump, tmp_path / "kb", resolver=shipped_kbimport)
    assert (tmp_path / "kb" / PEOPLE_FILE).read_bytes() == first
    import_dump(sample_dump, tmp_path / "kb", limit=2, resolver=shipped_kbimport)
    assert yaml.safe_load((tmp_path / "kb" / PEOPLE_FILE).read_text("utf-8")) == []


def test_cli_kb_import_end_to_end(sample_dump, tmp_path):
    dump = compressed(sample_dump, ".gz")
    env = {**os.environ, "TIDINGS_KB_DIR": str(tmp_path / "userkb")}
    run = subprocess.run([TIDINGS, "kb", "import", str(dump), "--json"], capture_output=True, text=True,
                         env=env, timeout=300)
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    assert (summary["people"], summary["malformed"]) == (3, 1)
    probe = ("from tidings.actors import ActorResolver; "
             "print(ActorResolver().resolve('Halvard Quistbeck', date='2020')['sector'])")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=300)
    assert out.stdout.strip() == "GOV", out.stderr
    explicit = subprocess.run([TIDINGS, "kb", "import", str(dump), "--kb-dir", str(tmp_path / "other")],
                              capture_output=True, text=True, env=env, timeout=300)
    assert explicit.returncode == 0 and (tmp_path / "other" / PEOPLE_FILE).exists()


def test_roles_keep_the_day_and_candidacies_become_pty_before_election_day(shipped_kbimport, tmp_path):
    """One person, one code per date: a candidate until election day, in office from the day it starts."""
    election = entity("Q9000401", "2030 Norwegian presidential election", P31=[statement("P31", item_value("Q858439"))],
                      P585=[statement("P585", time_value(2030))])  # election day 2030-05-20
    runner = human("Q9000102", "Sigrun Halvorsrud-Pike", citizen="Q9000001",
                   positions=[held("Q9000201", 2031, 2033)])  # in office from 2031-05-20
    runner["claims"]["P3602"] = [statement("P3602", item_value("Q9000401"))]
    dump = tmp_path / "dump.json"
    dump.write_bytes(dump_lines([runner, position("Q9000201", "Prime Minister of Norway", "Q9000001"),
                                 country("Q9000001", "Norway", "NOR"), election]))
    import_dump(dump, tmp_path / "kb", resolver=shipped_kbimport)
    rows = yaml.safe_load((tmp_path / "kb" / PEOPLE_FILE).read_text("utf-8"))
    roles = {r["sector"]: r for r in rows[0]["roles"]}
    assert (roles["PTY"]["start"], roles["PTY"]["end"]) == ("2029-05-20", "2030-05-20")
    assert roles["GOV"]["start"] == "2031-05-20"
    resolver = ActorResolver(extra_dirs=[tmp_path / "kb"])
    assert resolver.resolve("Sigrun Halvorsrud-Pike", date="2030-03-01")["sector"] == "PTY"
    assert resolver.resolve("Sigrun Halvorsrud-Pike", date="2031-05-19")["sector"] == "ELI"
    assert resolver.resolve("Sigrun Halvorsrud-Pike", date="2031-05-20")["sector"] == "GOV"
