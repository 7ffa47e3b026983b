"""In-article coreference of actors (tidings.actors.coref), on the real spaCy model: pronouns,
relative words and definite descriptions become mentions of their own that name their antecedent."""
from __future__ import annotations

import pytest

from tidings.actors import ActorResolver


@pytest.fixture(scope="module")
def nlp():
    from tidings.nlp import load_model

    return load_model()


@pytest.fixture(scope="module")
def resolver() -> ActorResolver:
    return ActorResolver(extra_dirs=[])


def _mentions(nlp, resolver, text, published="2022-03-01"):
    return resolver.find_mentions(nlp(text), published=published)


def _at(mentions, text, nth=0):
    found = [m for m in mentions if m.text == text]
    assert len(found) > nth, (text, [m.text for m in mentions])
    return found[nth]


def test_subject_pronoun_of_a_reported_clause_refers_to_the_reporter(nlp, resolver):
    mentions = _mentions(nlp, resolver, "Russia said it had expelled two Estonian diplomats.")
    it = _at(mentions, "it")
    assert it.label == "PRON" and it.actor.how == "coref"
    assert (it.actor.country, it.refers_to.text) == ("RUS", "Russia")
    assert it.entity == _at(mentions, "Russia").entity


def test_gender_picks_the_antecedent_among_two_people(nlp, resolver):
    text = ("Estonian Prime Minister Kaja Kallas met Finnish President Sauli Niinisto in Tallinn. "
            "She said the talks were useful, and he agreed.")
    mentions = _mentions(nlp, resolver, text)
    she, he = _at(mentions, "She"), _at(mentions, "he")
    assert (she.actor.country, she.refers_to.text) == ("EST", "Kaja Kallas")
    assert (he.actor.country, he.refers_to.text) == ("FIN", "Sauli Niinisto")


def test_object_pronoun_is_not_the_subject_of_its_own_verb(nlp, resolver):
    text = "Dmitry Peskov met Antony Blinken on Monday. Peskov later criticised him sharply."
    him = _at(_mentions(nlp, resolver, text), "him")
    assert him.actor.name == "Antony Blinken"


def test_pronoun_chain_follows_one_person_across_sentences(nlp, resolver):
    text = ("Defence Minister Ben Wallace arrived in Kyiv on Friday. He met Ukrainian officials. "
            "He said Britain would send more weapons.")
    mentions = _mentions(nlp, resolver, text)
    second = _at(mentions, "He", 1)
    assert (second.actor.name, second.actor.country, second.actor.sector) == ("Ben Wallace", "GBR", "GOV")
    assert second.refers_to.text == "Ben Wallace"


def test_expletive_it_refers_to_nothing(nlp, resolver):
    mentions = _mentions(nlp, resolver, "NATO met on Friday. It is not clear whether the alliance will act.")
    assert not [m for m in mentions if m.text == "It"]


def test_possessive_and_relative_words_refer_to_their_antecedent(nlp, resolver):
    text = "Vladimir Putin, whose troops entered Ukraine, said his goals were limited."
    mentions = _mentions(nlp, resolver, text)
    assert _at(mentions, "whose").actor.name == "Vladimir Putin"
    assert _at(mentions, "his").refers_to.text == "Vladimir Putin"


def test_definite_description_refers_to_the_person_with_that_title(nlp, resolver):
    text = ("President Emmanuel Macron spoke to Olaf Scholz by phone. "
            "The president said Europe must stand together.")
    president = _at(_mentions(nlp, resolver, text), "president")
    assert (president.actor.name, president.actor.country) == ("Emmanuel Macron", "FRA")
    assert president.refers_to.text == "Emmanuel Macron"


def test_definite_organisation_description_refers_to_the_same_head(nlp, resolver):
    text = "The Russian Foreign Ministry summoned the envoy. The ministry said the move was hostile."
    ministry = _at(_mentions(nlp, resolver, text), "ministry")
    assert (ministry.actor.country, ministry.refers_to.text) == ("RUS", "Russian Foreign Ministry")


def test_surname_mentions_name_their_antecedent(nlp, resolver):
    text = "Aurel Braun, a professor at the University of Toronto, spoke. Braun said sanctions work."
    braun = _at(_mentions(nlp, resolver, text), "Braun")
    assert braun.refers_to is not None and braun.refers_to.text == "Aurel Braun"


def test_unresolvable_pronoun_gets_no_mention(nlp, resolver):
    mentions = _mentions(nlp, resolver, "They said the weather would improve.")
    assert not [m for m in mentions if m.label == "PRON"]


def test_first_person_in_a_quote_refers_to_the_speaker(nlp, resolver):
    from tidings.quotes import QuoteExtractor

    text = '"We will not accept this," said Dmitry Peskov, the Kremlin spokesman.'
    doc = nlp(text)
    mentions = resolver.find_mentions(doc, published="2022-03-01")
    quotes = QuoteExtractor().extract(doc, mentions)
    merged = resolver.add_quoted_speakers(doc, mentions, quotes)
    we = _at(merged, "We")
    assert (we.actor.country, we.refers_to.text) == ("RUS", "Dmitry Peskov")
    assert [m.start for m in merged] == sorted(m.start for m in merged)


def test_mention_json_carries_refers_to_and_participant_keeps_it():
    from tidings.records import ArticleResult, Actor, Mention, Span, participant_from_mention

    mention = Mention("He", 20, 22, actor=Actor("Ben Wallace", "GBR", "GOV", how="coref"), label="PRON",
                      refers_to=Span("Ben Wallace", 0, 11))
    participant = participant_from_mention(mention)
    assert participant.refers_to == Span("Ben Wallace", 0, 11) and participant.name == "Ben Wallace"
    data = ArticleResult(id="x", mentions=[mention]).to_dict()
    assert data["mentions"][0]["refers_to"] == {"text": "Ben Wallace", "start": 0, "end": 11}
    assert ArticleResult.from_dict(data).mentions[0].refers_to == Span("Ben Wallace", 0, 11)


def test_unresolved_pronoun_participants_are_recognised(resolver):
    from tidings.records import Participant

    assert resolver.unresolved_pronoun(Participant("he", 0, 2))
    assert resolver.unresolved_pronoun(Participant("whose daughter", 0, 14))
    assert not resolver.unresolved_pronoun(Participant("he", 0, 2, country="USA", name="Joe Biden"))
    assert not resolver.unresolved_pronoun(Participant("the army", 0, 8))


def test_unresolved_pronouns_and_phrases_naming_no_actor_are_no_actors_in_the_store(tmp_path):
    from tidings.analysis import network, top_dyads
    from tidings.records import ArticleResult, Event, Participant, Span
    from tidings.store import open_store

    def event(source: Participant, target: Participant) -> Event:
        return Event(type="ACCUSE", trigger=Span("accused", 3, 10), sentence=Span("He accused Russia.", 0, 18),
                     rule="test", source=[source], target=[target])

    russia = Participant("Russia", 11, 17, country="RUS", name="Russia")
    result = ArticleResult(id="p1", text="He accused Russia. Joe Biden accused Russia.", published="2022-01-03",
                           events=[event(Participant("He", 0, 2), russia),
                                   event(Participant("Joe Biden", 19, 28, country="USA", sector="GOV",
                                                     name="Joe Biden"), russia),
                                   event(russia, Participant("the launches", 0, 12))])  # names no actor
    with open_store(str(tmp_path / "t.duckdb")) as store:
        store.save([result])
        dyads = top_dyads(store)
        assert [(d["source"], d["target"]) for d in dyads] == [("USA", "RUS")]
        assert {n["id"] for n in network(store)["nodes"]} == {"USA", "RUS"}
        assert "He" not in {a["name"] for a in store.actors()}
        events = store.events()
        assert {e["source"] for e in events} == {None, "USA GOV", "RUS"}


def test_a_group_owned_by_a_named_person_is_an_antecedent_of_it(nlp, resolver):
    text = "Vladimir Putin's government rejected the plan. It said the sanctions were illegal."
    mentions = _mentions(nlp, resolver, text)
    government = _at(mentions, "government")
    assert (government.actor.country, government.actor.sector) == ("RUS", "GOV")
    assert _at(mentions, "It").refers_to.text == "government"


def test_the_country_refers_to_the_country_last_named_nearby(nlp, resolver):
    mentions = _mentions(nlp, resolver, "French troops stayed in Mali for years after Paris entered the country in 2013.")
    country = _at(mentions, "the country")
    assert (country.actor.country, country.refers_to.text) == ("MLI", "Mali")
    far = _mentions(nlp, resolver, "Kenya held elections. Turnout was low. Roads were closed. Rain fell all day. "
                                   "Many said the country needs change.")
    assert not any(m.text == "the country" for m in far)  # none named nearby: unresolved
    named = _mentions(nlp, resolver, "Peru held elections. Garcia spoke at a forum of the magazine The Nation.")
    assert not any(m.text.lower() == "the nation" for m in named)  # a name, no anaphor


def test_the_two_countries_are_the_two_last_named(nlp, resolver):
    mentions = _mentions(nlp, resolver, "Peru and Chile argued for years. In 2014 the two countries signed a treaty.")
    pair = [m for m in mentions if m.text == "the two countries"]
    assert sorted(m.actor.country for m in pair) == ["CHL", "PER"]
