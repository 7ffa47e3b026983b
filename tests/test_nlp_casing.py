"""Title Case headlines are parsed in sentence case, and the output keeps the article's own words."""

from __future__ import annotations

import pytest

from tidings.nlp.casing import sentence_case, title_lines
from tidings.pipeline import Pipeline, PipelineSettings
from tidings.records import Document

BODY = ("Senator Maria Lopez on Tuesday criticised Governor Tom Reyes over the budget, saying his plan "
        "would slash school funding. Reyes said the senator was wrong.")


NAMES = {"Lopez", "Reyes", "Ottawa"}.__contains__  # what a knowledge base knows


def test_common_words_of_a_title_case_line_are_lower_cased_and_names_kept():
    text = "Lopez Slams Reyes Over Budget Plan\n\n" + BODY
    cased = sentence_case(text, NAMES)
    assert len(cased) == len(text)
    assert cased.startswith("Lopez slams Reyes over budget plan\n\n")
    assert cased[len("Lopez Slams Reyes Over Budget Plan\n\n"):] == BODY
    # a word neither the body nor the knowledge base knows keeps its capital when nothing can tell
    assert sentence_case("Lopez Slams Ottawa Plan\n\n" + BODY, None).startswith("Lopez Slams Ottawa plan")
    assert sentence_case("Lopez Slams Ottawa Plan\n\n" + BODY, NAMES).startswith("Lopez slams Ottawa plan")


def test_sentence_case_and_ordinary_lines_are_left_alone():
    assert title_lines("The latest: Lopez criticises Reyes over the budget\n\n" + BODY) == []
    assert sentence_case(BODY, NAMES) == BODY
    # a caption full of names is no headline: its verb is in lower case
    caption = "Mexican President Ana Ruiz meets Senator Maria Lopez at the Palacio Nacional."
    assert sentence_case(caption, NAMES) == caption
    # acronyms and mixed-case names are never touched
    assert sentence_case("NATO Chief Visits McConnell In U.S. Capitol\n\nThe chief met McConnell.", NAMES) \
        .startswith("NATO chief visits McConnell in U.S. capitol")


@pytest.fixture(scope="module")
def pipeline():
    return Pipeline(PipelineSettings())


def test_a_title_case_headline_yields_its_event_on_the_original_words(pipeline):
    # (with its full stop, the headline stays in the text; without, it becomes the title)
    text = "Lopez Slams Reyes Over Budget Plan.\n\n" + BODY
    result = pipeline.process(Document(id="headline", origin="headline.txt", kind="text", raw=text.encode()))
    assert result.text.startswith("Lopez Slams Reyes")
    headline = [e for e in result.events if e.trigger.start < len("Lopez Slams Reyes Over Budget Plan")]
    assert [(e.type, e.trigger.text) for e in headline] == [("ACCUSE", "Slams")]
    assert all(result.text[e.trigger.start:e.trigger.end] == e.trigger.text for e in result.events)
