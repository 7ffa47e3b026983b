"""Legal process, shooting down, captive swaps, blocked supplies and other acts the lexicon once
missed, on sentences written for these tests."""

from __future__ import annotations

import pytest

from test_events import code, event_coder, actor_resolver, nlp_events, only, quoter, texts  # noqa: F401 (fixtures)


def kinds(events):
    return [(e.type, e.trigger.text, e.rule) for e in events]


@pytest.mark.parametrize("text, kind, source, target", [
    # legal process (PLOVER ACCUSE investigate), with the authority as source when named
    ("The former mayor faces a charge of conspiracy.", "ACCUSE", None, "mayor"),
    ("The senator faced investigations for fraud in 2015.", "ACCUSE", None, "senator"),
    ("The senator is under investigation by the FBI.", "ACCUSE", "FBI", "senator"),
    ("The FBI decided after a lengthy investigation not to recommend charges against the senator.",
     "ACCUSE", "FBI", "senator"),
    ("A judge ruled that the banker should remain in jail.", "COERCE", "judge", "banker"),
    # dropping an investigation or charges: CONCEDE (article guide)
    ("Prosecutors dropped the charges against the minister.", "CONCEDE", "Prosecutors", "minister"),
    ("Prosecutors discontinued the investigation of the minister.", "CONCEDE", "Prosecutors", "minister"),
    ("The rebels claimed responsibility for shooting down the army helicopter.", "ASSAULT", "rebels", "helicopter"),
    ("The Taliban swapped two hostages for three of its commanders held by the government.",
     "RETREAT", "Taliban", "government"),
    ("The company sent a cease-and-desist letter to the blogger.", "REQUEST", "company", "blogger"),
    ("China retaliated against the United States with tariffs on soybeans.", "SANCTION", "China", "United States"),
    ("Israel retaliated against Hamas with airstrikes on Gaza.", "ASSAULT", "Israel", "Hamas"),
    ("Washington canceled an increase in tariffs on Mexican goods.", "CONCEDE", "Washington", None),
    ("The militia is blocking civilians from access to food.", "COERCE", "militia", "civilians"),
    ("The army is blocking the delivery of aid to the rebels.", "COERCE", "army", "rebels"),
    ("The government put in place restrictions on foreign media.", "COERCE", "government", "media"),
    ("Germany had admitted 1.4 million refugees.", "AID", "Germany", "refugees"),
    ("The president discussed the plan with the Ukrainians.", "CONSULT", "president", "Ukrainians"),
    ("The president took aim at the central bank.", "ACCUSE", "president", "bank"),
])
def test_gap_acts_are_coded(code, text, kind, source, target):
    event = only(code(text), kind)
    if source is None:
        assert not event.source, texts(event.source)
    else:
        assert source in texts(event.source), (texts(event.source), texts(event.target))
    if target is not None:
        assert target in texts(event.target), (texts(event.source), texts(event.target))


@pytest.mark.parametrize("text, kind", [
    ("Senators shot down the proposal on Tuesday.", "ASSAULT"),        # figurative: no aircraft
    ("The senator dismissed the charges as a witch hunt.", "CONCEDE"),  # a denial, not dropping charges
    ("What charges does the senator face in Texas?", "ACCUSE"),         # a question
    ("China retaliated against the United States with tariffs on soybeans.", "ASSAULT"),  # no violence
    ("Republicans blocked the aid bill in the Senate.", "COERCE"),      # a vote, not supplies withheld
])
def test_gap_lookalikes_are_not_coded(code, text, kind):
    events = code(text)
    assert not [e for e in events if e.type == kind], kinds(events)


@pytest.mark.parametrize("text, kind, source, target", [
    ("The senator withheld his endorsement from the nominee.", "REJECT", "senator", "nominee"),
    ("Hillary Clinton says no to Fox News.", "REJECT", "Clinton", "Fox"),
    ("The senator worked out an accord with Senator McCain on the bill.", "AGREE", "senator", "McCain"),
    ("The protester was punched in the face by a Trump supporter.", "ASSAULT", "supporter", "protester"),
    ("The gunman died in a shootout with police.", "ASSAULT", "gunman", "police"),
    ("A man died during a clash between protesters and police.", "ASSAULT", "protesters", "police"),
    ("In 2009, the administration slapped a 35% duty on Chinese truck tires.", "SANCTION", "administration", None),
    ("The 2011 U.S. military action against Libya failed.", "ASSAULT", "U.S.", "Libya"),
    ("The city attorney said the campaign violated federal and state law.", "ACCUSE", "attorney", "campaign"),
    ("The governor's plan drew the ire of the teachers' union.", "ACCUSE", "union", None),
    ("The billionaire funded a lawsuit by Senator Smith against the Daily Mail.", "ACCUSE", "Smith", "Daily Mail"),
    ("The senator clashed with the president over the budget.", "ACCUSE", "senator", "president"),
    ("Local politicians also fired back at the governor's comments.", "ACCUSE", "politicians", "governor"),
    ("The jury took just 15 minutes to find him guilty.", "SANCTION", "jury", "him"),
    ("In 1989 the army crushed the pro-reform protests in Tiananmen Square.", "ASSAULT", "army", "protests"),
    ("The Hungarians revolted against their Soviet-dominated regime in 1956.", "PROTEST", "Hungarians", "regime"),
    ("Russia warned NATO against expansion.", "REQUEST", "Russia", "NATO"),
    ("\"I made a mistake,\" the senator said.", "CONCEDE", "I", None),
    ("The prime minister invited the president to a meeting in the capital.", "AGREE", "minister", "president"),
    ("The director recommended that no criminal charges be filed against the senator.", "CONCEDE", "director", "senator"),
    ("The attorney general announced that she would not pursue an indictment against the mayor.",
     "CONCEDE", "attorney general", "mayor"),
    ("The president had a long chat with the prime minister on Monday.", "CONSULT", "president", "prime minister"),
    ("Some people threw petrol bombs at the police.", "ASSAULT", "people", "police"),
    ("Police responded to the protesters with tear gas.", "ASSAULT", "Police", "protesters"),
])
def test_more_gap_acts_are_coded(code, text, kind, source, target):
    event = only(code(text), kind)
    assert source in texts(event.source), (texts(event.source), texts(event.target))
    if target is not None:
        assert target in texts(event.target), (texts(event.source), texts(event.target))


def test_a_joint_pledge_is_an_agreement_of_both(code):
    event = only(code("Trump and Ryan pledged to work together."), "AGREE")
    assert "Trump" in texts(event.source) and "Ryan" in texts(event.source + event.target)


@pytest.mark.parametrize("text, kind", [
    ("The governor kicked off his campaign in Iowa.", "ASSAULT"),
    ("The candidates had a clash over taxes at the debate.", "ASSAULT"),
    ("Protesters clashed with police in the capital, throwing stones.", "ACCUSE"),
    ("The senator made a mistake, his rival said.", "CONCEDE"),
    ("The president invited Ukraine to investigate his rival.", "AGREE"),   # a request, not an invitation
    ("The FBI decided to recommend charges against the senator.", "CONCEDE"),  # charges pursued, not forgone
    ("The party threw a fundraiser for the mayor.", "ASSAULT"),
    ("The minister responded to the senator with a statement.", "ASSAULT"),            # someone else's mistake is no concession
    ("Local politicians pushed back on the governor's comments.", "ACCUSE"),  # pushing back stays a REJECT
    ("The senator has a duty to his constituents.", "SANCTION"),
    ("The attorney general isn't saying if the foundation violated any laws.", "ACCUSE"),
])
def test_more_lookalikes_are_not_coded(code, text, kind):
    events = code(text)
    assert not [e for e in events if e.type == kind], kinds(events)


def test_a_captive_swap_is_a_release_by_each_side(code):
    events = [e for e in code("The Taliban swapped two hostages for three of its commanders held by the government.")
              if e.type == "RETREAT"]
    pairs = {(texts(e.source), texts(e.target)) for e in events}
    assert any("Taliban" in s and "government" in t for s, t in pairs), pairs
    assert any("government" in s and "Taliban" in t for s, t in pairs), pairs


def test_a_review_of_contracts_with_someone_is_no_talk(code):
    events = code("In August the city reviewed its existing contracts with Donald Trump.")
    assert not [e for e in events if e.type == "CONSULT"], kinds(events)


def test_a_shelved_inquiry_is_dropped_by_its_owner(code):
    event = only(code("The Swedish investigation had been shelved in 2017."), "CONCEDE")
    assert "Swedish" in texts(event.source) and not event.target, (texts(event.source), texts(event.target))


def test_a_phrase_naming_both_parties_meets_without_a_target(code):
    met = only(code("The two women spoke for about five minutes on Friday."), "CONSULT")
    assert met.target == []
    assert not [e for e in code("The women spoke at the rally on Friday.") if e.type == "CONSULT"]


def test_a_kicker_label_is_not_the_subject_of_its_headline(code):
    urged = only(code("The Latest: Governor Reyes urges residents to leave the coast."), "REQUEST")
    assert texts(urged.source).endswith("Reyes")


@pytest.mark.parametrize("text, kind, source, target", [
    # aid held back is aid reduced (PLOVER SANCTION), not aid given
    ("The governor withheld state funding from the city council.", "SANCTION", "governor", "council"),
    ("The senator withheld military aid to the rebels for a month.", "SANCTION", "senator", "rebels"),
    # protesters disrupting an event or a speaker
    ("Students interrupted the minister's speech with loud chants.", "PROTEST", "Students", "minister"),
    ("As demonstrators kept interrupting him, the mayor left the stage.", "PROTEST", "demonstrators", None),
    # ridicule, fondness, a vote promised or refused
    ("The governor made fun of the senator's accent.", "ACCUSE", "governor", "senator"),
    ("The mayor has liked Senator Warren since the beginning.", "SUPPORT", "mayor", "Warren"),
    ("The unions said they will not vote for Senator Warren.", "REJECT", "they", "Warren"),
])
def test_more_gap_acts_are_coded(code, text, kind, source, target):
    event = only(code(text), kind)
    assert source in texts(event.source), (texts(event.source), texts(event.target))
    if target is not None:
        assert target in texts(event.target), (texts(event.source), texts(event.target))


@pytest.mark.parametrize("text, kind", [
    ("The senator withheld military aid to the rebels for a month.", "AID"),    # aid held back
    ("Senator Warren beat Senator Brown in the primary.", "ASSAULT"),           # a contest won
    ("Governor Reyes beats Mayor Ortiz in Ohio.", "ASSAULT"),                   # two named rivals
    ("The senator interrupted the governor twice.", "PROTEST"),                 # no protester, no event
    ("I would like to see a deal with the governor.", "SUPPORT"),               # a wish, not fondness
])
def test_more_gap_lookalikes_are_not_coded(code, text, kind):
    events = code(text)
    assert not [e for e in events if e.type == kind], kinds(events)


def test_a_beating_by_police_is_still_an_assault(code):
    event = only(code("Police officers beat the protesters with batons."), "ASSAULT")
    assert "protesters" in texts(event.target)


def test_withheld_support_is_a_refusal_not_a_sanction(code):
    events = code("The senator withheld his support from the governor.")
    assert only(events, "REJECT") and not [e for e in events if e.type == "SANCTION"], kinds(events)


def test_accepting_a_request_is_an_agreement_and_meeting_demands_a_concession(code):
    agreed = code("The prime minister accepted the governor's request to cooperate on the border.")
    assert [e for e in agreed if e.type == "AGREE" and e.rule == "v.accept_request"], kinds(agreed)
    assert not [e for e in agreed if e.type == "CONCEDE"], kinds(agreed)
    conceded = code("The government finally met the protesters' demands.")
    assert [e for e in conceded if e.rule == "v.accept_demand"], kinds(conceded)


def test_a_town_acts_through_its_government(event_coder, code):
    event_coder.keep_screened = True
    try:
        events = code("The town sent a letter to Governor Reyes demanding an apology.")
    finally:
        event_coder.keep_screened = False
    assert [e for e in events if e.type == "REQUEST" and not e.rule.endswith("!screened")], kinds(events)


@pytest.mark.parametrize("text, wished", [
    ('"I\'d like to punch him in the face," the senator said of the heckler.', True),
    ("The senator wants to bomb the rebel camps.", True),
    ('"Next time, we might have to kill him," the militia leader said.', True),
    ("The police had to shoot the attacker.", False),          # a past necessity, no threat
    ("The senator does not want to bomb the rebel camps.", False),
])
def test_wished_force_is_a_threat(code, text, wished):
    events = code(text)
    threats = [e for e in events if e.type == "THREATEN" and e.rule.endswith("+wish")]
    assert bool(threats) == wished, kinds(events)


@pytest.mark.parametrize("text, kind, rule", [
    # a conditional announcement of a sanction is a threat ("would … if" is its usual form)
    ("The president said he would raise tariffs on Mexican goods if no deal is reached.", "THREATEN",
     "n.trade_sanctions+threat"),
    ("The governor has rung up major endorsements from local unions.", "SUPPORT", "n.endorsement_received"),
    ("The party punished the senator by removing him from the committee.", "SANCTION", "v.sanction"),
    ("The senator's remarks drew outrage from the opposition.", "ACCUSE", "n.ire_faced"),
])
def test_announced_and_undergone_acts(code, text, kind, rule):
    events = code(text)
    assert [e for e in events if e.type == kind and e.rule == rule], kinds(events)


@pytest.mark.parametrize("text, asked", [
    ("The senator said the United States needed a tougher policy on Iran.", True),
    ('"We must not overreact to campaign rhetoric," the minister said.', False),   # the speaker's own resolve
    ('"You have to be careful with conflicts of interest," the senator said.', False),  # a maxim
    ("The company says the singer did not need its permission.", False),              # a denied need
    ('"They both need one another," the senator said of the two leaders.', False),
])
def test_said_must_is_an_obligation_laid_on_another(code, text, asked):
    events = code(text)
    assert bool([e for e in events if e.rule == "v.say_must"]) == asked, kinds(events)


def test_an_invitation_is_no_request(code):
    events = code("The campaign invited the boxer to appear at the convention.")
    assert [e for e in events if e.type == "AGREE" and e.rule == "v.invite"], kinds(events)
    assert not [e for e in events if e.type == "REQUEST"], kinds(events)
    passive = code("The senator was invited to attend the summit.")
    assert not [e for e in passive if e.type == "REQUEST"], kinds(passive)
    asked = code("The president invited the Senate to investigate the matter.")
    assert [e for e in asked if e.type == "REQUEST"], kinds(asked)


@pytest.mark.parametrize("text, supported", [
    ("The governor is defending his early-morning tweets about the judge.", False),  # one's own words
    ("The senator reiterated to reporters that the vote was a mistake.", False),    # a statement
    ("The senator praised his running mate on Tuesday.", True),
    ("The senator defended the governor's decision.", True),
])
def test_defending_ones_own_words_is_no_support(code, text, supported):
    events = code(text)
    assert bool([e for e in events if e.rule == "v.support"]) == supported, kinds(events)


def test_a_person_dragged_out_is_coerced(code):
    event = only(code("The protester was dragged out by security guards."), "COERCE")
    assert "guards" in texts(event.source) and "protester" in texts(event.target)
    events = code("The reform dragged the economy out of recession.")
    assert not [e for e in events if e.type == "COERCE"], kinds(events)


@pytest.mark.parametrize("text, protest", [
    ('Teachers chanted "fund our schools" outside the statehouse.', True),
    ("The protester yelled and held up a banner.", True),
    ("Students marched against the new law.", True),
    ('Supporters chanted "build the wall" at the rally.', False),   # a rally crowd, not a protest
    ("The governor held up the report at the hearing.", False),     # no sign, no protester
])
def test_chanting_and_holding_signs_by_protesters(code, text, protest):
    events = code(text)
    assert bool([e for e in events if e.type == "PROTEST"]) == protest, kinds(events)


def test_fighting_an_actors_plan_is_a_rejection(code):
    event = only(code("Senate Republicans fought the president's nomination of the judge for months."), "REJECT")
    assert "president" in texts(event.target), texts(event.target)
    events = code("The governor fought the fire for weeks.")
    assert not [e for e in events if e.type == "REJECT"], kinds(events)


def test_pushing_to_do_something_is_no_request_without_someone_pushed(code):
    events = code("Many leaders are pushing to make the climate agreement binding sooner.")
    assert not [e for e in events if e.rule == "v.tell_to"], kinds(events)
    pushed = code("The governor pushed lawmakers to pass the bill.")
    assert [e for e in pushed if e.rule == "v.tell_to"], kinds(pushed)
