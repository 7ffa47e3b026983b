"""tidings.yamlcache: cached parsing gives what yaml.safe_load gives, and a bad cache is harmless."""

from __future__ import annotations

import os

import pytest
import yaml

from tidings import yamlcache
from tidings.actors.kb import load_kb

BIG = "\n".join(f"- {{name: Person {i}, country: FRA, roles: [{{sector: GOV, start: {1990 + i % 30}}}]}}"
                for i in range(2000)) + "\n"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("TIDINGS_CACHE_DIR", str(folder))
    return folder


def test_second_parse_comes_from_the_cache_and_equals_safe_load(cache):
    first = yamlcache.load_yaml(BIG)
    entries = list(cache.glob("*.pickle"))
    assert len(entries) == 1
    assert yamlcache.load_yaml(BIG) == first == yaml.safe_load(BIG)


def test_an_edited_text_is_parsed_again(cache):
    yamlcache.load_yaml(BIG)
    edited = BIG.replace("Person 7,", "Someone Else,")
    assert yamlcache.load_yaml(edited)[7]["name"] == "Someone Else"
    assert len(list(cache.glob("*.pickle"))) == 2


def test_a_corrupt_cache_entry_is_ignored_and_replaced(cache):
    yamlcache.load_yaml(BIG)
    (entry,) = cache.glob("*.pickle")
    entry.write_bytes(b"not a pickle")
    assert yamlcache.load_yaml(BIG) == yaml.safe_load(BIG)
    assert entry.read_bytes() != b"not a pickle"


def test_unwritable_cache_folder_still_parses(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder should be")
    monkeypatch.setenv("TIDINGS_CACHE_DIR", str(blocker / "cache"))
    assert yamlcache.load_yaml(BIG) == yaml.safe_load(BIG)


def test_cache_can_be_turned_off(cache, monkeypatch):
    monkeypatch.setenv("TIDINGS_CACHE_DIR", "off")
    assert yamlcache.cache_dir() is None
    assert yamlcache.load_yaml(BIG) == yaml.safe_load(BIG)
    assert not cache.exists()


def test_small_texts_are_not_cached(cache):
    assert yamlcache.load_yaml("a: 1") == {"a": 1}
    assert not cache.exists()


def test_knowledge_base_is_the_same_from_the_cache(cache):
    cold = load_kb(extra_dirs=[])
    assert any(cache.glob("*.pickle"))
    warm = load_kb(extra_dirs=[])
    assert cold.stats == warm.stats
    assert cold.names.keys() == warm.names.keys()
