"""Criticism said of an act (events/evaluative.py): the speaker accuses whoever did it.

On sentences written for these tests."""

from __future__ import annotations

import pytest

from test_events import code, event_coder, actor_resolver, nlp_events, only, quoter, texts  # noqa: F401 (fixtures)


def accusations(events):
    return [e for e in events if e.type == "ACCUSE" and e.rule.startswith("eval.negative")]


@pytest.mark.parametrize("text, target", [
    # the act's own owner
    ("Senator Paula Reyes said the decision by Governor Tom Hale was reckless.", "Hale"),
    ("Senator Paula Reyes said Governor Hale's remarks were not in line with the law.", "Hale"),
    ('"The reckless conduct of Governor Tom Hale cost us dearly," Senator Paula Reyes said.', "Hale"),  # "of" the doer
    # an earlier mention of the same act names its owner
    ("Governor Tom Hale's veto of the budget surprised lawmakers. Aides worked through the night. "
     "Senator Paula Reyes said the veto was reckless.", "Hale"),
    # a recent clause does the act
    ("Governor Tom Hale vetoed the budget on Friday. Senator Paula Reyes said the veto was reckless.", "Hale"),
    ("Governor Tom Hale said on Monday that migrants were stealing jobs. Senator Paula Reyes said the remarks "
     "were hateful.", "Hale"),  # remarks are made by whoever said something just before
])
def test_criticism_of_an_act_accuses_whoever_did_it(code, text, target):
    event = accusations(code(text))[0]
    assert "Reyes" in texts(event.source) and target in texts(event.target), (texts(event.source), texts(event.target))


@pytest.mark.parametrize("text", [
    '"The decision was reckless and irresponsible," Senator Paula Reyes said.',
    "The ministry described the inquiry as a farce.",
    '"Voters will long remember the reckless decision to close the hospital," Senator Paula Reyes said.',  # qualifying an act
    '"Nothing came of yesterday\'s disgraceful hearing," Senator Paula Reyes said.',
])
def test_criticism_of_an_act_whose_doer_is_not_named_has_no_target(code, text):
    event = accusations(code(text))[0]
    assert event.target == [] and event.rule.endswith("+act"), (event.rule, texts(event.target))


@pytest.mark.parametrize("text", [
    '"The accusations against Governor Hale are baseless," Senator Paula Reyes said.',
    '"The prosecution of Governor Hale is a sham," Senator Paula Reyes said.',  # "of" the one it is done to
])
def test_the_one_an_act_is_aimed_at_is_not_its_doer(code, text):
    events = accusations(code(text))
    assert events and all("Hale" not in texts(e.target) for e in events)


def test_an_unjudged_act_is_no_criticism(code):
    assert accusations(code('"The decision was announced on Friday," Senator Paula Reyes said.')) == []


@pytest.mark.parametrize("text", [
    '"Governor Hale is simply not credible," Senator Paula Reyes said.',  # a phrase with its negation
    '"The governor\'s plan is self-serving," Senator Paula Reyes said.',   # a hyphenated word split by the parser
    '"Hale was vague and unfit," Senator Paula Reyes said.',               # the second of two predicates
])
def test_predicated_phrases_and_conjuncts_judge_the_subject(code, text):
    event = only(code(text), "ACCUSE")
    assert "Reyes" in texts(event.source) and ("Hale" in texts(event.target) or "governor" in texts(event.target))


@pytest.mark.parametrize("text", [
    '"Closing the border to refugees is absolute madness," Senator Paula Reyes said.',
    '"The governor\'s comments struck me as dishonest and petty," Senator Paula Reyes said.',
])
def test_a_judged_clause_or_an_impression_is_criticism(code, text):
    assert accusations(code(text)), text


@pytest.mark.parametrize("text", [
    '"Using a private phone was a mistake," Senator Paula Reyes said.',   # as often said of one's own act
    "Senator Paula Reyes said what she did with the files was a mistake.",
    '"Walking home in the rain is miserable," Senator Paula Reyes said.',  # an act done to nothing
])
def test_own_mistakes_and_idle_complaints_are_no_criticism(code, text):
    assert accusations(code(text)) == [], text


def test_an_extraposed_clause_judges_its_own_subject(code):
    event = accusations(code('"It is simply bizarre for the Democrats to claim they will publish the letters," '
                             'Senator Paula Reyes said.'))[0]
    assert "Democrats" in texts(event.target) and not event.rule.endswith("+near"), (event.rule, texts(event.target))


def test_an_extraposed_clause_with_no_object_is_no_criticism(code):
    assert accusations(code('"It is dangerous to drive on icy roads at night," Senator Paula Reyes said.')) == []


def test_a_word_qualifying_a_thing_that_is_no_act_is_no_criticism(code):
    assert accusations(code('"Voters will long remember the reckless driver on the icy road," Senator Paula Reyes said.')) == []


@pytest.mark.parametrize("text, target", [
    ("Senator Paula Reyes described the governor's plan as reckless.", "governor"),
    ("In her letter, Reyes described the step as a \u201cgrave betrayal,\u201d adding that she would warn the voters.", None),
])
def test_describing_an_act_as_wrong_accuses_its_doer_not_the_speaker(code, text, target):
    event = accusations(code(text))[0]
    assert "Reyes" not in texts(event.target), texts(event.target)
    assert (target in texts(event.target)) if target else event.target == [], texts(event.target)


def test_a_curly_apostrophe_contraction_is_a_copula(code):
    event = only(code("\u201cThey\u2019re corrupt, all of them,\u201d Senator Paula Reyes said of the governor\u2019s aides."), "ACCUSE")
    assert "Reyes" in texts(event.source)


def test_an_extraposed_that_clause_judges_its_subject(code):
    event = accusations(code('"I think it is a little insulting to the voters of Ohio that Governor Hale is not '
                             'willing to debate me," Senator Paula Reyes said.'))[0]
    assert "Hale" in texts(event.target) and not event.rule.endswith("+near"), (event.rule, texts(event.target))


def test_a_kind_of_act_is_no_judgement_of_it(code):
    assert accusations(code('"The inspectors found no grounds for a criminal investigation," Senator Paula Reyes said.')) == []


def test_an_unowned_act_adds_nothing_to_a_criticism_of_someone_in_the_same_sentence(code):
    events = accusations(code('"He is a disgrace and those remarks were a disgrace," Senator Paula Reyes said of Governor Hale.'))
    assert len(events) == 1 and events[0].target, [(e.trigger.text, texts(e.target)) for e in events]


def test_an_act_with_no_doer_named_is_said_of_the_actor_the_quoted_sentence_names(code):
    event = accusations(code('"There are many reasons to criticise Governor Hale, but that was a truly outrageous tweet," '
                             'Senator Paula Reyes said.'))[0]
    assert "Hale" in texts(event.target), texts(event.target)


def test_a_judging_verb_modifying_an_actor_is_said_of_it(code):
    event = accusations(code('"I am so tired of the Hale campaign lying about my record," Senator Paula Reyes said.'))[0]
    assert "Hale" in texts(event.target), texts(event.target)


def test_the_act_done_by_the_subject_of_a_doing_verb(code):
    event = accusations(code('"Acme Arms designed and executed an immoral marketing campaign aimed at teenagers," '
                             'said the mother of one victim.'))[0]
    assert "Acme" in texts(event.target), texts(event.target)


def test_who_criticises_an_act_is_not_its_doer(code):
    events = accusations(code('"Senator Hale criticised the reckless decision," Senator Paula Reyes said.'))
    assert all("Hale" not in texts(e.target) for e in events), [texts(e.target) for e in events]


def test_in_reported_speech_a_word_qualifying_an_act_may_be_the_writers(code):
    assert accusations(code("Senator Paula Reyes voiced enthusiasm for a dangerous proposal to deregulate banks.")) == []
