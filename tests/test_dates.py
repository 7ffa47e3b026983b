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
    ("earlier this month the talks began", "2022-01"),
    ("Putin annexed Crimea in 2014", "2014"),
    ("assistance since January 2014", "2014-01"),
    ("the talks collapsed last month", "2021-12"),
    ("the treaty was signed last year", "2021"),
    ("three months ago the border closed", "2021-10"),
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
    assert resolve("in March 2019", date_settings, published=None).iso == "2019-03"
    assert resolve("on March 5, 2019", date_settings, published=None).iso == "2019-03-05"


@pytest.mark.parametrize("text", ["the country will be carbon neutral by 2025", "the uprising crushed in 1956"])
def test_bare_year_in_undated_article_dates_nothing(text, date_settings):
    found = resolve(text, date_settings, published=None)
    assert found.iso is None and found.precision == "none"


@pytest.mark.parametrize("text, precision", [
    ("on Friday", "day"), ("on March 5, 2019", "day"), ("in March 2019", "month"),
    ("last month", "month"), ("in 2014", "year"), ("last year", "year"), ("two years ago", "year"),
])
def test_precision_is_as_written(text, precision, date_settings):
    assert resolve(text, date_settings).precision == precision


def test_since_and_old_dates_are_background(date_settings):
    since = resolve("support since January 2014", date_settings)
    assert since.since and is_background(since, PUBLISHED, date_settings)
    assert is_background(resolve("in 2014", date_settings), PUBLISHED, date_settings)
    assert not is_background(resolve("on Friday", date_settings), PUBLISHED, date_settings)


def test_a_year_counts_from_its_last_day(date_settings):
    # "in 2021" in a story of 18 January 2022 may be last December: not background
    assert not is_background(resolve("in 2021", date_settings), PUBLISHED, date_settings)
    assert is_background(resolve("in 2020", date_settings), PUBLISHED, date_settings)


def test_background_against_a_reference_of_any_precision(date_settings):
    old = resolve("on March 5, 2019", date_settings, published=None)
    assert is_background(old, "2022-01", date_settings)
    assert not is_background(old, "2019-03-20", date_settings)
    assert not is_background(old, None, date_settings)


@pytest.mark.parametrize("value, first, last", [
    ("2014", "2014-01-01", "2014-12-31"), ("2024-02", "2024-02-01", "2024-02-29"),
    ("2022-01-18", "2022-01-18", "2022-01-18"),
])
def test_period_bounds_of_reduced_dates(value, first, last):
    from tidings.events.dates import period_bounds

    assert tuple(d.isoformat() for d in period_bounds(value)) == (first, last)


def test_event_precision_is_read_from_its_date():
    from tidings.records import Event, Span

    def made(date):
        return Event(type="AGREE", trigger=Span("x", 0, 1), sentence=Span("x", 0, 1), rule="r", date=date)

    assert [made(d).date_precision for d in ("2014", "2014-03", "2014-03-05", None)] == \
        ["year", "month", "day", "none"]



# -- whole articles through the pipeline ------------------------------------------------------

@pytest.fixture(scope="module")
def pipeline():
    from tidings.pipeline import Pipeline

    return Pipeline()


def _events(pipeline, text, published=None):
    from tidings.records import Document

    document = Document(id="dates-test", origin="test", kind="text", raw=text.encode())
    result = pipeline.process(document, published=published)
    assert result.status == "ok", result.error
    return result.events


UNDATED = ("Russia and Ukraine signed a ceasefire agreement on March 5, 2015 in Minsk. "
           "Russian forces attacked Ukrainian positions near Donetsk on 3 June 2014. "
           "Germany will send weapons to Ukraine by 2025. "
           "The Soviet Union invaded Hungary in 1956.")


def test_undated_article_dates_events_only_from_absolute_dates(pipeline):
    events = _events(pipeline, UNDATED)
    by_text = {(e.date_text or "").removeprefix("on "): e for e in events}
    assert by_text["March 5, 2015"].date == "2015-03-05"
    assert by_text["March 5, 2015"].date_precision == "day"
    undated = [e for e in events if e.date_text in ("by 2025", "in 1956")]
    assert undated, [(e.type, e.date_text) for e in events]
    assert all(e.date is None and e.date_precision == "none" for e in undated)


def test_undated_article_background_is_judged_against_its_latest_event(pipeline):
    events = _events(pipeline, UNDATED)
    by_text = {(e.date_text or "").removeprefix("on "): e for e in events}
    assert by_text["March 5, 2015"].background is False  # the latest dated event
    assert by_text["3 June 2014"].background is False  # nine months before it
    older = _events(pipeline, UNDATED.replace("3 June 2014", "3 June 2012"))
    assert {e.date_text: e for e in older}["on 3 June 2012"].background is True


def test_dated_article_keeps_a_year_as_a_year(pipeline):
    events = _events(pipeline, "Russia annexed Crimea in 2014. Russia attacked Ukraine yesterday.",
                     published="2022-02-25")
    crimea = next(e for e in events if e.date_text == "in 2014")
    assert (crimea.date, crimea.date_precision, crimea.background) == ("2014", "year", True)
    yesterday = next(e for e in events if e.date_text == "yesterday")
    assert (yesterday.date, yesterday.date_precision, yesterday.background) == ("2022-02-24", "day", False)
