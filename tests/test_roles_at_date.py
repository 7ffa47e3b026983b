"""Roles at the article's date: one code per person and date, candidates vs office holders,
former officials, IGO officials (people KB with years or ISO dates)."""
from __future__ import annotations

import shutil
from importlib import resources

import pytest
import yaml

from tidings.actors import ActorResolver


@pytest.fixture(scope="module")
def resolver() -> ActorResolver:
    return ActorResolver(extra_dirs=[])


@pytest.mark.parametrize("name, date, sector", [
    ("Donald Trump", "2016-10-05", "PTY"),  # candidate
    ("Donald Trump", "2016-12-01", "PTY"),  # president-elect, not yet in office
    ("Donald Trump", "2017-01-19", "PTY"),
    ("Donald Trump", "2017-01-20", "GOV"),
    ("Donald Trump", "2019", "GOV"),
    ("Hillary Clinton", "2016-09-01", "PTY"),
    ("Hillary Clinton", "2011", "GOV"),
    ("Hillary Clinton", "2018", "ELI"),
    ("Bernie Sanders", "2016-03-01", "LEG"),  # a senator running for president keeps his office
    ("Mike Pence", "2016-10-01", "GOV"),  # a sitting governor on the ticket
    ("Marco Rubio", "2016-02-01", "LEG"),
    ("Marco Rubio", "2025-06-01", "GOV"),
])
def test_person_sector_follows_the_date(resolver, name, date, sector):
    assert resolver.resolve(name, date=date)["sector"] == sector


def test_before_the_first_listed_role_a_person_has_no_sector(resolver):
    reading = resolver.resolve("Josep Borrell", date="2015-06-01")
    assert reading["country"] == "ESP" and reading["sector"] is None


def test_kb_roles_take_iso_dates_and_an_office_beats_a_candidacy(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(resources.files("tidings.actors").joinpath("data"), data)
    (data / "people.yaml").write_text(yaml.safe_dump([{
        "name": "Anna Testova", "aliases": ["Testova"], "country": "EST",
        "roles": [{"sector": "LEG", "title": "Member of Parliament", "start": 2003, "end": "2011-03-31"},
                  {"sector": "PTY", "title": "Presidential candidate", "start": "2010-06-01", "end": "2011-03-06"},
                  {"sector": "GOV", "title": "Prime Minister", "start": "2011-04-06", "end": 2015}],
    }]), "utf-8")
    (data / "people_extra.yaml").write_text("[]\n", "utf-8")
    res = ActorResolver(data_dir=data, extra_dirs=[])
    assert res.resolve("Anna Testova", date="2010-12-01")["sector"] == "LEG"
    assert res.resolve("Testova", date="2011-04-01")["sector"] == "ELI"  # between offices
    assert res.resolve("Testova", date="2011-04-06")["sector"] == "GOV"
    assert res.resolve("Testova", date="2011")["sector"] == "GOV"  # year only: the latest role that year


def test_one_code_per_person_in_an_article(resolver):
    from tidings.nlp import load_model

    nlp = load_model()
    text = ("President Donald Trump spoke in Ohio. Republican nominee Donald Trump later attacked Hillary Clinton. "
            "Trump said the race was rigged.")
    mentions = resolver.find_mentions(nlp(text), published="2016-10-12")
    codes = {(m.actor.country, m.actor.sector) for m in mentions if m.actor and m.actor.name == "Donald Trump"}
    assert codes == {("USA", "PTY")}
