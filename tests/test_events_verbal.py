"""Verbal PLOVER events (criticism, praise, requests, refusals, talks) on sentences written for these tests."""

from __future__ import annotations

import pytest

from test_events import code, event_coder, actor_resolver, nlp_events, only, quoter, texts  # noqa: F401 (fixtures)


def types(events):
    return [(e.type, e.trigger.text) for e in events]


@pytest.mark.parametrize("text, kind, source, target", [
    ("Senator Warren pushed for new talks with Iran on Monday.", "REQUEST", "Warren", None),
    ("The governor brushed off the criticism from Democrats.", "REJECT", "governor", None),
    ("Senator Graham scoffed at Donald Trump's claim on Sunday.", "ACCUSE", "Graham", "Trump"),
    ("Mayor Adams spoke with President Biden on Tuesday.", "CONSULT", "Adams", "Biden"),
    ("Donald Trump received an endorsement from Ben Carson on Friday.", "SUPPORT", "Carson", "Trump"),
    ("Prime Minister Trudeau expressed his gratitude to Joe Biden.", "SUPPORT", "Trudeau", "Biden"),
    ("Senator Collins voted against Judge Kavanaugh.", "REJECT", "Collins", "Kavanaugh"),
    ("The Justice Department is seeking the banker's extradition from Switzerland.", "REQUEST", "Justice", None),
    ("The State Department issued subpoenas to the Clinton Foundation.", "ACCUSE", "State", "Clinton"),
    ("Hillary Clinton acknowledged that she had misspoken.", "CONCEDE", "Clinton", None),
    ("The International Olympic Committee refused to ban the Russian team.", "REJECT", "Committee", None),
    ("Donald Trump has savaged the party's big funders.", "ACCUSE", "Trump", "funders"),
    ("The unions insisted that the minister should resign.", "REQUEST", "unions", "minister"),
    ("Reince Priebus has aggressively pushed back on Donald Trump's charges.", "REJECT", "Priebus", "Trump"),
    ("Hillary Clinton sat down with Bernie Sanders on Tuesday.", "CONSULT", "Clinton", "Sanders"),
    ("Senator Cruz bristled at Donald Trump's remarks.", "ACCUSE", "Cruz", "Trump"),
    ("Senator Warren mocked Donald Trump's complaint about the weather.", "ACCUSE", "Warren", "Trump"),
])
def test_verbal_acts_are_coded(code, text, kind, source, target):
    event = only(code(text), kind)
    assert source in texts(event.source), (texts(event.source), texts(event.target))
    if target is not None:
        assert target in texts(event.target), (texts(event.source), texts(event.target))


def test_to_blame_is_the_speakers_accusation(code):
    event = only(code("Governor Pence said Democrats are to blame for the shutdown."), "ACCUSE")
    assert "Pence" in texts(event.source) and "Democrats" in texts(event.target)


def test_appreciating_what_someone_did_is_praise_of_them(code):
    event = only(code("Chancellor Merkel says she appreciated Emmanuel Macron's courage."), "SUPPORT")
    assert "Macron" in texts(event.target)


def test_an_ad_attacking_someone_is_its_sponsors_accusation(code):
    event = only(code("The Club for Growth bankrolled ads attacking David Dewhurst."), "ACCUSE")
    assert "Club" in texts(event.source) and "Dewhurst" in texts(event.target)


def test_insisting_on_a_claim_is_no_demand(code):
    events = code("Donald Trump insisted that his focus would be a peace deal.")
    assert not [e for e in events if e.type == "REQUEST"], types(events)


def test_an_interview_is_an_investigation_only_in_an_inquiry(code):
    events = code("Steve Bannon will interview Pamela Geller about her new book.")
    assert not [e for e in events if e.type == "ACCUSE"], types(events)
    event = only(code("The FBI will interview Hillary Clinton as its investigation nears its end."), "ACCUSE")
    assert "Clinton" in texts(event.target)


def test_seeking_to_do_something_is_no_request(code):
    events = code("Hillary Clinton sought to portray herself as Barack Obama's successor.")
    assert not [e for e in events if e.type == "REQUEST"], types(events)


def test_judging_an_act_referred_to_by_that_judges_whoever_did_it(code):
    events = [e for e in code('"Obama stood with the bankers, and I think that is shameful," Senator Sanders said.')
              if e.type == "ACCUSE" and e.rule.startswith("eval.")]
    assert events and "Sanders" in texts(events[0].source) and "Obama" in texts(events[0].target), types(events)


def test_a_camel_case_name_first_in_its_sentence_is_an_actor(code):
    event = only(code("WeWork is being investigated by the New York attorney general."), "ACCUSE")
    assert "WeWork" in texts(event.target)


def test_hackers_targeting_systems_is_a_cyber_operation_and_a_verbal_attack_stays_verbal(code):
    event = only(code("Russian hackers have targeted the voter registration systems of 20 states."), "COERCE")
    assert event.mode == "cyber"
    events = code("Trump attacked Clinton in a series of tweets on Friday.")
    assert not [e for e in events if e.type == "COERCE"], types(events)


def _code_all(nlp_events, event_coder, actor_resolver, quoter, text):
    doc = nlp_events(text)
    mentions = actor_resolver.find_mentions(doc, published="2021-05-10")
    return event_coder.code(doc, mentions, published="2021-05-10", quotes=quoter.extract(doc, mentions),
                            min_confidence=0.0)


def test_an_unplaced_actor_takes_the_home_country_of_a_one_country_story(nlp_events, event_coder, actor_resolver,
                                                                         quoter):
    story = ("Senator Elizabeth Warren and Governor Gavin Newsom criticised the Pentagon on Monday. "
             "President Joe Biden met Speaker Nancy Pelosi and Senator Chuck Schumer in Washington. "
             "A campaign spokeswoman disputed their account.")
    event = only(_code_all(nlp_events, event_coder, actor_resolver, quoter, story), "REJECT")
    assert [p.country for p in event.source] == ["USA"]
    mixed = ("President Joe Biden met President Xi Jinping in Geneva. "
             "Secretary Antony Blinken spoke with Foreign Minister Wang Yi. "
             "A campaign spokeswoman disputed their account.")
    event = only(_code_all(nlp_events, event_coder, actor_resolver, quoter, mixed), "REJECT")
    assert [p.country for p in event.source] == [None]


def test_a_denied_claim_about_the_source_is_no_other_actors(code):
    event = only(code("Senator Elizabeth Warren disputed the notion that she had misled the committee."), "REJECT")
    assert [p.country for p in event.source] == ["USA"]
    assert [p.country for p in event.target] == [None]  # the notion is about Warren: no target country
    event = only(code("Senator Elizabeth Warren rejected the claim by President Vladimir Putin."), "REJECT")
    assert "RUS" in [p.country for p in event.target]


def test_an_unresolved_pronoun_takes_the_home_country_only_of_a_clearly_one_country_story(
        nlp_events, event_coder, actor_resolver, quoter):
    story = ("Senator Elizabeth Warren and Governor Gavin Newsom criticised the Pentagon on Monday. "
             "President Joe Biden met Speaker Nancy Pelosi and Senator Chuck Schumer in Washington. "
             "\"We urge them to stop,\" the governor said.")
    event = only(_code_all(nlp_events, event_coder, actor_resolver, quoter, story), "REQUEST")
    assert [p.country for p in event.target] == ["USA"]
    mixed = ("President Joe Biden met President Xi Jinping and Premier Li Keqiang in Geneva. "
             "Secretary Antony Blinken spoke with Foreign Minister Wang Yi and Senator Chuck Schumer. "
             "\"We urge them to stop,\" the governor said.")
    event = only(_code_all(nlp_events, event_coder, actor_resolver, quoter, mixed), "REQUEST")
    assert [p.country for p in event.target] == [None]


@pytest.mark.parametrize("text, country", [
    ("Fighting continues in the eastern provinces of Ethiopia as Eritrea backs the government.", "ETH"),
    ("Over Libya, Turkey backed the government as the United States and France watched.", "LBY"),
    ("As the United States, Egypt backed the government.", None),  # a role, no place
])
def test_a_generic_government_is_the_one_of_the_place_its_sentence_names(code, text, country):
    event = only(code(text), "SUPPORT")
    assert [p.country for p in event.target] == [country]
