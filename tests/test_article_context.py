"""Article context and gazetteer discipline (tidings.actors.context, tidings.actors.article), on the
real spaCy model: datelines, focus countries for generic actors, '-led', IGO bodies, place names."""
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


def _found(nlp, resolver, text, published="2021-05-10"):
    out = {}
    for m in resolver.find_mentions(nlp(text), published=published):
        out.setdefault(m.text, []).append(m)
    return out


def _code(mention):
    return mention.actor.country, mention.actor.sector


def test_generic_actors_take_the_focus_country_of_the_article(nlp, resolver):
    text = ("BOGOTA, Colombia — Colombian troops clashed with guerrillas in Cauca on Sunday. "
            "Protesters blocked roads in Cali for a third day.\n\n"
            "The government said it would send more police. The opposition rejected the plan.")
    found = _found(nlp, resolver, text)
    assert _code(found["government"][0]) == ("COL", "GOV") and "context" in found["government"][0].actor.how
    assert _code(found["police"][0]) == ("COL", "COP")
    assert _code(found["opposition"][0]) == ("COL", "OPP")


def test_titled_person_the_kb_lacks_takes_country_from_context(nlp, resolver):
    text = ("Colombia's army said on Monday it had killed a rebel commander. "
            "Defense Minister Diego Molano said Colombian forces would stay in the region.")
    found = _found(nlp, resolver, text)
    assert _code(found["Diego Molano"][0]) == ("COL", "GOV")


def test_dateline_is_a_place_not_an_actor_and_sets_the_focus(nlp, resolver):
    text = "Headline of the story.\n\nKABUL, Afghanistan (Reuters) - Gunmen attacked a checkpoint and police fired back."
    found = _found(nlp, resolver, text)
    assert "KABUL" not in found and "Reuters" not in found
    assert _code(found["police"][0]) == ("AFG", "COP")


def test_multi_word_place_names_win_over_their_parts(nlp, resolver):
    found = _found(nlp, resolver, "NEW YORK — The mayor of New York met voters from South Carolina.")
    assert "York" not in found and "Carolina" not in found
    assert found["New York"][0].actor.country == "USA"
    assert found["South Carolina"][0].actor.country == "USA"


def test_city_named_with_its_state_is_in_that_country(nlp, resolver):
    found = _found(nlp, resolver, "At a rally in Coral Springs, Florida, the candidate spoke.")
    assert "Springs" not in found
    assert found["Coral Springs"][0].actor.country == "USA"


def test_us_state_of_georgia_is_no_country_in_a_us_story(nlp, resolver):
    text = "Voters in Georgia and Ohio lined up early. The U.S. election is close, Atlanta officials said."
    assert _found(nlp, resolver, text)["Georgia"][0].actor.country == "USA"


def test_georgia_the_country_with_evidence_for_it(nlp, resolver):
    text = "Russian troops entered Georgia in 2008. Georgian officials in Tbilisi protested."
    assert _found(nlp, resolver, text)["Georgia"][0].actor.country == "GEO"


def test_weapons_named_after_a_name_are_no_actors(nlp, resolver):
    found = _found(nlp, resolver, "Germany will send Patriot missile batteries to Poland.")
    assert not any(text.startswith("Patriot") for text in found)


def test_led_coalition_takes_the_leaders_country_and_backed_proxies_do_not(nlp, resolver):
    found = _found(nlp, resolver, "A Saudi-led military coalition bombed the port. Iran-backed Houthi rebels fired back.")
    assert _code(found["Saudi-led military coalition"][0]) == ("SAU", "MIL")
    rebels = next(m for text, ms in found.items() for m in ms if text.endswith("rebels"))
    assert rebels.actor.country != "IRN"


def test_un_bodies_and_missions_are_igos_with_their_name(nlp, resolver):
    found = _found(nlp, resolver, "Peacekeepers were accused of abuses. The Security Council met on Friday.")
    peacekeepers = found["Peacekeepers"][0].actor
    assert (peacekeepers.country, peacekeepers.name) == ("IGO", "United Nations")
    assert found["Security Council"][0].actor.country == "IGO"


def test_members_of_an_alliance_are_not_the_alliance(nlp, resolver):
    allies = _found(nlp, resolver, "NATO allies agreed to send more troops.")["NATO allies"][0].actor
    assert allies.country is None and allies.name == "NATO allies"


def test_a_counterpart_is_of_its_nationality_never_of_its_owner(nlp, resolver):
    found = _found(nlp, resolver, "Trump spoke with his Ukrainian counterpart on Thursday.")
    assert _code(found["Ukrainian counterpart"][0]) == ("UKR", "GOV")
    found = _found(nlp, resolver, "Mr. Trump said he would meet his counterpart soon.")
    counterpart = [m for k, ms in found.items() for m in ms if "counterpart" in k]
    assert all(m.actor is None or m.actor.country != "USA" for m in counterpart)


def test_igo_officials_keep_their_igo(nlp, resolver):
    borrell = _found(nlp, resolver, "Josep Borrell said the bloc would act.", published="2022-02-01")["Josep Borrell"][0]
    assert (*_code(borrell), borrell.actor.name) == ("IGO", "IGO", "European Union")


def test_misspelt_place_is_read_within_the_article_countries(nlp, resolver):
    text = "Colombian police raided a farm in Caucca. Colombia's government said the raid was legal."
    found = _found(nlp, resolver, text)
    assert all(m.actor.country in (None, "COL") for ms in found.values() for m in ms)


def test_a_name_before_a_group_noun_modifies_the_group(nlp, resolver):
    found = _found(nlp, resolver, "The Assad regime said it would allow UN workers in. Tamil rebels fired.")
    assert _code(found["Assad regime"][0]) == ("SYR", "GOV")
    assert found["it"][0].refers_to.text == "Assad regime"


def test_dateline_is_never_an_event_participant(nlp, resolver):
    from tidings.events import EventCoder

    text = "ERBIL, Iraq (Reuters) - Turkish warplanes bombed Kurdish militants on Sunday, officials said."
    doc = nlp(text)
    events = EventCoder().code(doc, resolver.find_mentions(doc, published="2021-05-10"))
    parts = [p.text for e in events for p in e.source + e.target]
    assert events and not any(p.startswith(("ERBIL", "Iraq")) for p in parts)


def test_unknown_organisations_take_a_dominant_focus_country_but_civilians_do_not(nlp, resolver):
    text = ("BOGOTA, Colombia — Colombian senators debated the budget in Bogota on Monday. "
            "The Ministry of Finance of Colombia defended the plan, and Colombian lawmakers voted on it. "
            "The Zorbantic Foundation criticised the vote. Several journalists and protesters watched.")
    found = _found(nlp, resolver, text)
    org = found["Zorbantic Foundation"][0]
    assert org.actor.country == "COL" and org.actor.how.endswith("+article")
    assert found["journalists"][0].actor.country == "COL"
    assert found["protesters"][0].actor.country is None  # civilians may be foreigners in a story


def test_foreign_actors_never_take_the_article_country(nlp, resolver):
    text = ("Kenyan police arrested 40 people in Nairobi on Monday. "
            "The interior ministry said foreign journalists had entered Kenya illegally.")
    found = _found(nlp, resolver, text)
    assert _code(found["interior ministry"][0]) == ("KEN", "GOV")
    assert found["foreign journalists"][0].actor.country is None


def test_a_generic_judge_belongs_where_the_court_sits_not_to_the_defendant(nlp, resolver):
    text = ("Julian Assange appeared by video link on Monday. Assange, an Australian, spoke briefly. "
            "A judge rejected Assange's request at Westminster Magistrates' Court in London.")
    found = _found(nlp, resolver, text)
    judge = [m for m in found.get("judge", []) + found.get("A judge", [])]
    assert judge and judge[0].actor.country == "GBR", [(m.text, m.actor) for ms in found.values() for m in ms]


def test_a_super_pac_is_a_political_organisation_of_the_story(nlp, resolver):
    text = ("Senator Ted Cruz won the Texas primary on Tuesday. Governor Greg Abbott congratulated him in Austin. "
            "Super PACs that sided with Cruz spent millions on ads.")
    found = _found(nlp, resolver, text)
    pacs = found.get("Super PACs") or found.get("PACs")
    assert pacs and _code(pacs[0]) == ("USA", "NGO"), sorted(found)
