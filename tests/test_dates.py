"""Date expressions resolved against the publication date (2022-01-18, a Tuesday)."""

from __future__ import annotations

import pytest

from tidings.events.dates import DateSettings, find_dates, is_background

PUBLISHED = "2022-01-18"


@pytest.fixture(scope="module")
def date_settings():
    return DateSettings.load()


def resolve(text, settings, published=PUBLISHED, future=False):
    found = find_dates(text, published, settings, future=future)
    assert found, f"no date found in {text!r}"
    return found[0]


@pytest.mark.parametrize("text, iso", [
    ("In a statement on Friday, Blinken said", "2022-01-14"),
    ("Joly traveled on Sunday to Kyiv", "2022-01-16"),
    ("said in an interview Monday that", "2022-01-17"),
    ("talks ended last week without result", "2022-01-10"),
    ("the contingent traveled around January 9", "2022-01-09"),
    ("the minister arrived yesterday", "2022-01-17"),
    ("the attack happened two days ago", "2022-01-16"),
    ("earlier this month the talks began", "2022-01-01"),
    ("Putin annexed Crimea in 2014", "2014-01-01"),
    ("assistance since January 2014", "2014-01-01"),
    ("on 4 October 2007 the court ruled", "2007-10-04"),
    ("on December 30 the parties met", "2021-12-30"),
])
def test_expression_resolves_against_publication(text, iso, date_settings):
    assert resolve(text, date_settings).iso == iso


def test_weekday_in_future_clause_is_the_coming_one(date_settings):
    assert resolve("the ministers will meet on Friday", date_settings, future=True).iso == "2022-01-21"


def test_same_weekday_as_publication_is_that_day(date_settings):
    assert resolve("on Tuesday the troops moved", date_settings).iso == "2022-01-18"


def test_date_text_and_offsets_point_into_the_text(date_settings):
    text = "Diplomatic talks ended last week without a clear path."
    found = resolve(text, date_settings)
    assert text[found.start:found.end] == found.text == "last week"


def test_relative_dates_need_a_publication_date(date_settings):
    assert resolve("on Friday", date_settings, published=None).iso is None
    assert resolve("in March 2019", date_settings, published=None).iso == "2019-03-01"


def test_since_and_old_dates_are_background(date_settings):
    since = resolve("support since January 2014", date_settings)
    assert since.since and is_background(since, PUBLISHED, date_settings)
    assert is_background(resolve("in 2014", date_settings), PUBLISHED, date_settings)
    assert not is_background(resolve("on Friday", date_settings), PUBLISHED, date_settings)
