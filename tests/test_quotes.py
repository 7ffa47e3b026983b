"""Quotes and attribution (tidings.quotes) against the real spaCy model."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from tidings.actors import ActorResolver
from tidings.nlp import load_model
from tidings.quotes import QuoteExtractor, load_lexicon
from tidings.quotes.marks import find_quotes
from tidings.records import Event, Participant, Span

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def nlp_quotes():
    return load_model()


@pytest.fixture(scope="session")
def quoter():
    return QuoteExtractor()


@pytest.fixture(scope="session")
def resolver_quotes():
    return ActorResolver()


@pytest.fixture
def run(nlp_quotes, quoter, resolver_quotes):
    def go(_nlp, _quoter, text):
        doc = nlp_quotes(text)
        mentions = resolver_quotes.find_mentions(doc)
        return doc, mentions, quoter.extract(doc, mentions)
    return go


def quote_starting(quotes, prefix):
    hits = [q for q in quotes if q.text.startswith(prefix)]
    assert hits, f"no quote starting {prefix!r} in {[q.text for q in quotes]}"
    return hits[0]


def speaker_name(quote):
    assert quote.speaker is not None, f"no speaker for {quote.text!r}"
    return quote.speaker.name or quote.speaker.text


# -- quotation marks -------------------------------------------------------------------------
def test_straight_quote_split_around_attribution_keeps_one_speaker(nlp_quotes, quoter, run):
    text = ('Senator Maria Lopez spoke to reporters on Tuesday. "We will not back down," she said, '
            '"and we will win this fight in the courts."')
    _, _, quotes = run(nlp_quotes, quoter, text)
    first = quote_starting(quotes, "We will not back down")
    second = quote_starting(quotes, "and we will win")
    assert first.direct and second.direct
    assert "Lopez" in speaker_name(first) and "Lopez" in speaker_name(second)
    assert first.text == "We will not back down"  # the comma inside the marks is dropped


def test_curly_quote_with_surname_resolves_to_full_name(nlp_quotes, quoter, run):
    text = ("Aurel Braun, a professor at the University of Toronto, spoke on Monday.\n\n"
            "“It depends a lot on what Americans do,” said Braun, who is also affiliated with Harvard.")
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = quote_starting(quotes, "It depends")
    assert quote.text == "It depends a lot on what Americans do"
    assert speaker_name(quote) == "Aurel Braun"
    assert quote.speaker.text == "Braun" and text[quote.speaker.start:quote.speaker.end] == "Braun"
    assert quote.cue.text == "said"


def test_single_curly_quotes_are_not_confused_with_apostrophes(nlp_quotes, quoter, run):
    text = ("The minister’s aide said the plan was ‘a complete disgrace for the country’ and "
            "that the government’s critics weren’t wrong.")
    _, _, quotes = run(nlp_quotes, quoter, text)
    direct = [q for q in quotes if q.direct]
    assert [q.text for q in direct] == ["a complete disgrace for the country"]


def test_straight_single_quotes_and_contractions(nlp_quotes, quoter):
    text = "Smith said the deal was 'dead on arrival in the Senate' but he didn't say why it's stalled."
    lex = load_lexicon()
    spans = find_quotes(text, lex)
    assert [text[s.start:s.end] for s in spans] == ["dead on arrival in the Senate"]


def test_guillemets(nlp_quotes, quoter):
    text = "« Nous ne céderons pas sur ce point essentiel », a déclaré le ministre Jean Dupont."
    spans = find_quotes(text, load_lexicon())
    assert [text[s.start:s.end] for s in spans] == ["Nous ne céderons pas sur ce point essentiel"]


def test_wrong_way_closing_mark_still_closes_the_quote(nlp_quotes, quoter, run):
    text = ("Aurel Braun is a professor.\n\n“What Mr Putin fears is a successful Ukraine that "
            "presents an alternative vision to Russia, “Braun said.")
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = quote_starting(quotes, "What Mr Putin")
    assert quote.text.endswith("to Russia")
    assert speaker_name(quote) == "Aurel Braun"


def test_partial_quote_inside_a_sentence(nlp_quotes, quoter, run):
    text = "Russia’s Deputy Foreign Minister Sergei Ryabkov called the talks a “dead end”."
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = quote_starting(quotes, "dead end")
    assert quote.text == "dead end"
    assert "Ryabkov" in speaker_name(quote)


def test_partial_quote_inside_reported_speech_takes_its_speaker(nlp_quotes, quoter, run):
    text = ("The United States warned that Russia could seek a pretext, including engaging in "
            "“false flag” operations.")
    _, _, quotes = run(nlp_quotes, quoter, text)
    assert "United States" in speaker_name(quote_starting(quotes, "false flag"))


def test_paragraph_opening_a_quote_continues_the_previous_speaker(nlp_quotes, quoter, run):
    text = ("“The gathering of troops is jeopardizing security throughout the region,” Joly said.\n\n"
            "“These aggressive actions must be deterred. Canada will work with its partners.”\n\n"
            "Opposition conservatives called for more sanctions.")
    _, _, quotes = run(nlp_quotes, quoter, text)
    first = quote_starting(quotes, "The gathering")
    second = quote_starting(quotes, "These aggressive")
    assert speaker_name(first) == speaker_name(second)
    assert "Joly" in speaker_name(second)


def test_unattributed_scare_quotes_are_dropped(nlp_quotes, quoter, run):
    text = "The so-called “reform” passed on Tuesday after a long debate in parliament."
    _, _, quotes = run(nlp_quotes, quoter, text)
    assert all(q.text != "reform" for q in quotes)


# -- indirect speech ---------------------------------------------------------------------------
def test_said_that_gives_the_complement_clause(nlp_quotes, quoter, run):
    text = "Defence Minister Anita Anand said that the soldiers would return home by March."
    _, _, quotes = run(nlp_quotes, quoter, text)
    indirect = [q for q in quotes if not q.direct]
    assert len(indirect) == 1
    assert indirect[0].text == "that the soldiers would return home by March"
    assert indirect[0].cue.text == "said"
    assert "Anand" in speaker_name(indirect[0])


def test_according_to_and_trailing_attribution(nlp_quotes, quoter, run):
    text = ("According to the Canadian government, Ottawa has provided about $700 million in assistance. "
            "The unit has also been tasked with planning evacuations, sources said.")
    _, _, quotes = run(nlp_quotes, quoter, text)
    contents = {q.text: q for q in quotes if not q.direct}
    assert "Ottawa has provided about $700 million in assistance" in contents
    assert "The unit has also been tasked with planning evacuations" in contents
    assert contents["The unit has also been tasked with planning evacuations"].cue.text == "said"


def test_pronoun_speaker_resolves_to_the_last_person_speaker(nlp_quotes, quoter, run):
    text = ("Prime Minister Justin Trudeau spoke in Ottawa on Monday. "
            "He warned that Russia would face severe consequences.")
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = [q for q in quotes if not q.direct][0]
    assert quote.text.startswith("that Russia would face")
    assert "Trudeau" in quote.speaker.text  # the participant is the antecedent mention
    assert speaker_name(quote) == "Justin Trudeau"


def test_garbled_attribution_takes_the_name_of_the_verbless_fragment(nlp_quotes, quoter, run):
    text = ("“The command is part of the wider armed forces’ efforts to support Ukraine’s security forces,” "
            "May wrote. Amber Bineau, a spokeswoman for the Special Operations Command, in a statement to "
            "Global News.")
    _, _, quotes = run(nlp_quotes, quoter, text)
    assert speaker_name(quote_starting(quotes, "The command")) == "Amber Bineau"


# -- event attribution ---------------------------------------------------------------------------
def event_at(doc, text, trigger, type_="MOBILIZE", factuality="asserted", source=None):
    i = text.index(trigger)
    sent = doc.char_span(i, i + len(trigger), alignment_mode="expand")[0].sent
    return Event(type=type_, trigger=Span(trigger, i, i + len(trigger)),
                 sentence=Span(sent.text, sent.start_char, sent.end_char), rule="test",
                 factuality=factuality,
                 source=[Participant(source, 0, len(source), name=source)] if source else [])


def test_events_in_reported_content_become_reported(nlp_quotes, quoter, run):
    text = ("Sources said Canadian troops were deployed to Ukraine. "
            "Canada sent aid to Ukraine last year. "
            "According to the Defence Ministry, Russia may attack Kyiv.")
    doc, mentions, quotes = run(nlp_quotes, quoter, text)
    deployed = event_at(doc, text, "deployed")
    sent = event_at(doc, text, "sent", "AID")
    attack = event_at(doc, text, "attack", "ASSAULT", factuality="hypothetical")
    quoter.attribute([deployed, sent, attack], quotes, doc, mentions)
    assert deployed.factuality == "reported" and deployed.attribution.kind == "anonymous"
    assert sent.factuality == "asserted" and sent.attribution.kind == "none"
    assert attack.factuality == "hypothetical" and attack.attribution.kind == "official"


def test_outlet_has_learned_is_the_outlets_own_reporting(nlp_quotes, quoter, run):
    text = ("Canadian special forces operators have been deployed to Ukraine, Global News has learned. "
            "Neither the government nor the Canadian forces would officially confirm the presence of "
            "special forces in Ukraine.")
    doc, mentions, quotes = run(nlp_quotes, quoter, text)
    deployed = event_at(doc, text, "deployed")
    quoter.attribute([deployed], quotes, doc, mentions)
    assert deployed.attribution.kind == "outlet"
    assert deployed.attribution.confirmed is False
    assert deployed.factuality == "asserted"


def test_official_confirmation_sets_confirmed_true(nlp_quotes, quoter, run):
    text = ("Canadian special forces operators have been deployed to Ukraine, sources said. "
            "The Defence Ministry confirmed the deployment of special forces to Ukraine.")
    doc, mentions, quotes = run(nlp_quotes, quoter, text)
    deployed = event_at(doc, text, "deployed")
    quoter.attribute([deployed], quotes, doc, mentions)
    assert deployed.attribution.confirmed is True


def test_denial_marks_the_earlier_allegation_disputed(nlp_quotes, quoter, run):
    text = ("The United States warned that Russia could seek a pretext for invading Ukraine. "
            "Canada sent aid to Ukraine. The Kremlin has denied the US allegations.")
    doc, mentions, quotes = run(nlp_quotes, quoter, text)
    warned = event_at(doc, text, "warned", "ACCUSE", source="United States")
    aid = event_at(doc, text, "sent", "AID", source="Canada")
    quoter.attribute([warned, aid], quotes, doc, mentions)
    assert warned.attribution.disputed is True
    assert "Kremlin" in warned.attribution.denied_by
    assert aid.attribution.disputed is False


def test_statement_by_spokesperson_gives_spokesperson_kind(nlp_quotes, quoter, run):
    text = "A spokeswoman for the ministry said in a statement that the talks had collapsed."
    doc, mentions, quotes = run(nlp_quotes, quoter, text)
    collapsed = event_at(doc, text, "collapsed", "CONSULT")
    quoter.attribute([collapsed], quotes, doc, mentions)
    assert collapsed.attribution.kind == "spokesperson"
    assert collapsed.factuality == "reported"


def test_speech_act_inside_according_to_is_reported_by_the_outer_source(nlp_quotes, quoter, run):
    text = ("According to US officials, Morgan also agreed that “further Russian invasion of Ukraine "
            "would result in massive consequences.”")
    doc, mentions, quotes = run(nlp_quotes, quoter, text)
    agreed = event_at(doc, text, "agreed", "AGREE")
    consequences = event_at(doc, text, "result", "THREATEN", factuality="hypothetical")
    quoter.attribute([agreed, consequences], quotes, doc, mentions)
    assert agreed.attribution.kind == "official" and "officials" in agreed.attribution.speaker
    assert agreed.factuality == "reported"
    assert consequences.factuality == "hypothetical"
    assert consequences.attribution.speaker == agreed.attribution.speaker


def test_quote_records_carry_rule_ids(nlp_quotes, quoter, run):
    text = '"We will not back down," Senator Maria Lopez said on Tuesday.'
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = quote_starting(quotes, "We will not")
    assert quote.rule == "quote.framed+cue.say"


# -- data and properties -----------------------------------------------------------------------
def indirect_containing(quotes, words):
    hits = [q for q in quotes if not q.direct and words in q.text]
    assert hits, f"no attribution containing {words!r} in {[q.text for q in quotes]}"
    return hits[0]


def test_seems_and_appears_report_the_whole_clause_without_a_source(nlp_quotes, quoter, run):
    text = "The governor appears to be the early favourite in the race. Voters seem tired of the campaign."
    _, _, quotes = run(nlp_quotes, quoter, text)
    first = indirect_containing(quotes, "early favourite")
    assert first.rule == "cue.raising" and first.speaker is None
    assert first.text.startswith("The governor")
    assert indirect_containing(quotes, "tired of the campaign").speaker is None


def test_reportedly_marks_its_clause_as_reported(nlp_quotes, quoter, run):
    text = "The company has reportedly been critical of the new tariffs for months."
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = indirect_containing(quotes, "critical of the new tariffs")
    assert quote.rule == "cue.adverb" and quote.speaker is None


def test_object_with_its_for_clause_is_the_content(nlp_quotes, quoter, run):
    text = "Senator Maria Lopez blasted the ministers for ignoring the drought in the north."
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = indirect_containing(quotes, "the ministers")
    assert "ignoring the drought" in quote.text
    assert "Lopez" in speaker_name(quote)


def test_passive_cue_reports_its_subject_and_the_agent_speaks(nlp_quotes, quoter, run):
    text = "The mayor has been criticized by local unions for failing to fix the roads."
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = indirect_containing(quotes, "The mayor")
    assert "failing to fix the roads" in quote.text
    assert "unions" in speaker_name(quote)


def test_passive_cue_without_agent_has_no_speaker(nlp_quotes, quoter, run):
    text = "Third-party candidates were rarely mentioned during the debate."
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = indirect_containing(quotes, "candidates")
    assert quote.speaker is None


def test_stance_adjective_with_that_clause(nlp_quotes, quoter, run):
    text = "Hillary Clinton is confident that the party will unite behind her in November."
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = indirect_containing(quotes, "the party will unite")
    assert quote.rule == "cue.adjective" and "Clinton" in speaker_name(quote)


def test_noun_cue_with_prepositional_content_and_possessor(nlp_quotes, quoter, run):
    text = "Donald Trump's criticism of the trade agreement with Mexico angered farmers in Iowa."
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = indirect_containing(quotes, "the trade agreement")
    assert quote.rule == "cue.noun" and "Trump" in speaker_name(quote)


def test_she_skips_an_earlier_male_speaker(nlp_quotes, quoter, run):
    text = ("Hillary Clinton met Ted Cruz in Des Moines on Friday. Cruz said the tax plan would fail. "
            "She said the plan was fair.")
    _, _, quotes = run(nlp_quotes, quoter, text)
    assert speaker_name(indirect_containing(quotes, "would fail")) == "Ted Cruz"
    quote = indirect_containing(quotes, "the plan was fair")
    assert speaker_name(quote) == "Hillary Clinton"


def test_he_skips_an_earlier_female_speaker(nlp_quotes, quoter, run):
    text = ("Mr. Jim Hallett spoke before Hillary Clinton on Friday. Clinton said the tax plan would fail. "
            "He said the plan was fair.")
    _, _, quotes = run(nlp_quotes, quoter, text)
    assert speaker_name(indirect_containing(quotes, "the plan was fair")) != "Hillary Clinton"


def test_role_description_resolves_to_the_person_with_that_role(nlp_quotes, quoter, run):
    text = ("Sen. Ted Cruz campaigned in Iowa on Monday with Donald Trump. Voters cheered loudly. "
            "The senator said taxes were too high.")
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = indirect_containing(quotes, "taxes were too high")
    assert speaker_name(quote) == "Ted Cruz"


def test_quoted_show_titles_are_not_quotes(nlp_quotes, quoter, run):
    text = 'Trump appeared on "Meet the Press" on Sunday. He said he would win the nomination easily.'
    _, _, quotes = run(nlp_quotes, quoter, text)
    assert not [q for q in quotes if q.direct]
    assert indirect_containing(quotes, "he would win")


def test_lemma_slips_of_the_model_are_corrected_by_word_form(nlp_quotes, quoter, run):
    text = "The president hopes the Senate will confirm his nominee before the summer recess."
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = indirect_containing(quotes, "the Senate will confirm")
    assert quote.rule == "cue.cognition"


def test_quote_after_a_colon_belongs_to_the_clause_subject(nlp_quotes, quoter, run):
    text = "Senator Maria Lopez spoke in Des Moines.\n\nAnd Chris Christie gloated: \u201cI told you he would never be ready.\u201d"
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = quote_starting(quotes, "I told you")
    assert quote.rule == "quote.framed+cue.colon_frame" and "Christie" in speaker_name(quote)


def test_quote_opening_the_paragraph_after_a_colon_belongs_to_that_subject(nlp_quotes, quoter, run):
    text = ("The pollster Pat Caddell spoke on Monday.\n\nCaddell continued:\n\n"
            "\u201cYesterday there were two polls and they had very similar numbers for the race.\u201d")
    _, _, quotes = run(nlp_quotes, quoter, text)
    assert "Caddell" in speaker_name(quote_starting(quotes, "Yesterday there were"))


def test_a_paragraph_ending_with_a_colon_names_no_speaker_without_a_person_subject(nlp_quotes, quoter, run):
    text = ("The debate was long.\n\nA partial transcript follows:\n\n"
            "\u201cWell, the question really should be why the other side keeps changing its story on this.\u201d")
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = quote_starting(quotes, "Well, the question")
    assert quote.speaker is None or "transcript" not in speaker_name(quote)


def test_comma_after_a_saying_verb_frames_the_quote(nlp_quotes, quoter, run):
    text = ("\u201cThe rationales do not hold,\u201d said Terry Strada, a widow.\n\n"
            "She continued, \u201cWe will keep fighting for the families in every court we can.\u201d")
    _, _, quotes = run(nlp_quotes, quoter, text)
    assert "Strada" in speaker_name(quote_starting(quotes, "We will keep fighting"))


def test_a_quote_signed_with_a_dash_and_a_name_is_that_persons(nlp_quotes, quoter, run):
    text = ("Readers shared their thoughts on the debate.\n"
            "\u201cHe represents our greatest shame and divides our communities.\u201d \u2015 Sonya Herridge\n"
            "\u201cHe makes simple blanket statements about people he knows nothing about.\u201d\u2014 Pamela Padilla\n")
    _, _, quotes = run(nlp_quotes, quoter, text)
    assert speaker_name(quote_starting(quotes, "He represents")) == "Sonya Herridge"
    assert speaker_name(quote_starting(quotes, "He makes simple")) == "Pamela Padilla"
    assert quote_starting(quotes, "He represents").rule.startswith("quote.signed")


def test_a_dash_before_an_ordinary_word_is_no_signature(nlp_quotes, quoter, run):
    text = ("Mr. Trump treated the remark as a compliment -- \u201cThat makes me smart and I am proud of it\u201d -- and"
            " moved on.")
    _, _, quotes = run(nlp_quotes, quoter, text)
    assert not any(q.rule.startswith("quote.signed") for q in quotes)


def test_a_transcript_line_is_said_by_the_capitalised_name_before_its_colon(nlp_quotes, quoter, run):
    text = ("Partial transcript as follows:\n\n"
            "\"PENCE: Well, look, Hillary Clinton apparently thinks this is an episode of a reality show.\"")
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = quote_starting(quotes, "PENCE: Well")
    assert "PENCE" in speaker_name(quote).upper() and quote.rule.startswith("quote.transcript")


def test_an_intention_inside_what_someone_said_is_not_a_quote_of_its_own(nlp_quotes, quoter, run):
    text = ("Clinton spokesman Nick Merrill says Alicia Machado wants to keep supporting Clinton"
            " in the weeks ahead.")
    _, _, quotes = run(nlp_quotes, quoter, text)
    assert quotes and all("Merrill" in speaker_name(q) for q in quotes), [(q.text, q.rule) for q in quotes]


def test_lexicon_rules_have_ids_and_validation_rejects_missing_ids():
    lex = load_lexicon()
    assert lex.verbs["say"].id == "cue.say"
    assert all(v.id.startswith("cue.") for v in lex.verbs.values())
    assert lex.phrases["according to"] == "cue.according_to"
    with pytest.raises(ValueError):
        load_lexicon("verbs:\n  - {class: speech, lemmas: [say]}\n")


WORDS = st.lists(st.sampled_from(["war", "peace", "talks", "Russia", "troops", "it's", "don't", "aid", "2022"]),
                 min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(before=WORDS, inside=WORDS, after=WORDS,
       marks=st.sampled_from([("“", "”"), ('"', '"'), ("«", "»"), ("‘", "’"), ("''", "''")]))
def test_a_quoted_run_of_words_is_found_exactly(before, inside, after, marks):
    text = " ".join(before) + " " + marks[0] + " ".join(inside) + marks[1] + " " + " ".join(after) + "."
    spans = find_quotes(text, load_lexicon())
    assert [text[s.start:s.end] for s in spans] == [" ".join(inside)]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab ,.'’‘“”\"«»\n")), max_size=80))
def test_quote_spans_are_ordered_in_bounds_and_disjoint(text):
    spans = find_quotes(text, load_lexicon())
    last_end = -1
    for s in spans:
        assert 0 <= s.start < s.end <= len(text)
        assert s.start >= last_end
        last_end = s.end


# -- the seed article ----------------------------------------------------------------------------
def seed_body() -> str:
    article = (SHARED / "seed" / "article.txt").read_text(encoding="utf-8")
    start = article.index("Canadian special forces operators")
    end = article.index("Russian Federation.”") + len("Russian Federation.”")
    kept, skip_next = [], False
    for line in article[start:end].split("\n"):
        if skip_next and line.strip():
            skip_next = False
            continue
        if line.startswith("Read more:"):
            skip_next = True
            continue
        if line.strip() == "The story continues below the ad":
            continue
        kept.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept))


SEED_QUOTES = [
    ("(Canadian Special Operations Forces Command) is part", "Bineau"),
    ("instructor and leadership expertise", "Bineau"),
    ("dead end", "Ryabkov"),
    ("false flag", "United States"),
    ("The gathering of Russian troops", "Joly"),
    ("These aggressive actions must be deterred", "Joly"),
    ("stand shoulder to shoulder", "conservatives"),
    ("makes a difference", "Braun"),
    ("It depends a lot on what Americans do", "Braun"),
    ("What Mr Putin fears is a successful Ukraine", "Braun"),
    ("continued close coordination to deter", "Morgan"),
    ("further Russian invasion of Ukraine would result", "officials"),
]


@pytest.fixture(scope="session")
def seed_quotes(nlp_quotes, quoter, resolver_quotes):
    if not (SHARED / "seed" / "article.txt").exists():
        pytest.skip("../shared absent")
    doc = nlp_quotes(seed_body())
    return quoter.extract(doc, resolver_quotes.find_mentions(doc))


@pytest.mark.parametrize("start,surname", SEED_QUOTES)
def test_seed_quote_table(seed_quotes, start, surname):
    quotes = seed_quotes
    quote = quote_starting([q for q in quotes if q.direct], start)
    name = speaker_name(quote)
    assert surname.lower() in name.lower(), f"{start!r}: speaker {name!r}, expected ~{surname!r}"


# -- speakers through the actors' coreference ------------------------------------------------
def test_he_said_after_a_quote_is_the_resolved_speaker_not_a_name_inside_the_quote(nlp_quotes, quoter, run):
    text = ('Kremlin spokesman Dmitry Peskov spoke to reporters on Monday. '
            '"Joe Biden is wrong about this," he said.')
    _, mentions, quotes = run(nlp_quotes, quoter, text)
    quote = quote_starting(quotes, "Joe Biden is wrong")
    assert (quote.speaker.name, quote.speaker.country) == ("Dmitry Peskov", "RUS")
    he = next(m for m in mentions if m.text == "he")
    assert he.refers_to is not None and he.actor.name == "Dmitry Peskov"


def test_she_said_skips_an_earlier_male_speaker(nlp_quotes, quoter, run):
    text = 'Olaf Scholz met Kaja Kallas in Berlin. Scholz said the talks went well. "We agree on sanctions," she said.'
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = quote_starting(quotes, "We agree on sanctions")
    assert quote.speaker.text == "Kaja Kallas"  # (undated: her latest office, EU, names the actor)


# -- speaker choice (nested, carriers, raising, datelines) ------------------------------------
def test_an_appearance_inside_what_someone_said_is_that_speakers(nlp_quotes, quoter, run):
    text = "Mayor Ellen Park said the old bridge appeared unsafe for heavy trucks."
    _, _, quotes = run(nlp_quotes, quoter, text)
    raised = [q for q in quotes if q.rule == "cue.raising"]
    assert raised and all("Park" in speaker_name(q) for q in raised), [(q.text, q.rule) for q in quotes]


def test_a_statement_someone_issued_speaks_for_them(nlp_quotes, quoter, run):
    text = "The teachers union issued a statement criticizing the new contract for its low wages."
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = indirect_containing(quotes, "the new contract")
    assert "union" in speaker_name(quote)


def test_a_noun_cue_in_a_verbs_prepositional_phrase_belongs_to_its_subject(nlp_quotes, quoter, run):
    text = "Governor Tom Hale responded with attacks on the newspaper and its editors."
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = indirect_containing(quotes, "the newspaper")
    assert quote.rule == "cue.noun" and "Hale" in speaker_name(quote)


def test_a_raising_verb_over_a_saying_verb_has_the_subject_as_speaker(nlp_quotes, quoter, run):
    text = "Senator Ann Ruiz appeared to blame the airline for the delays at the airport."
    _, _, quotes = run(nlp_quotes, quoter, text)
    raised = [q for q in quotes if q.rule == "cue.raising"]
    assert raised and "Ruiz" in speaker_name(raised[0])


def test_a_dateline_is_not_the_speaker(nlp_quotes, quoter, run):
    text = ("BOSTON -- Mayor Ellen Park, opening the new library on Monday, said it would serve "
            "every neighborhood in the city.")
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = indirect_containing(quotes, "every neighborhood")
    assert "Park" in speaker_name(quote)


def test_an_as_clause_reports_the_clause_it_modifies(nlp_quotes, quoter, run):
    text = "As Governor Tom Hale put it, the budget is a promise to the next generation of farmers."
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = indirect_containing(quotes, "the budget is a promise")
    assert quote.rule == "cue.as_clause" and "Hale" in speaker_name(quote)


def test_she_continued_frames_a_quote(nlp_quotes, quoter, run):
    text = ("Mayor Ellen Park spoke about the library. Senator Ann Ruiz spoke about the port. "
            "\"The port will be rebuilt by the spring,\" Ruiz continued.")
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = quote_starting(quotes, "The port will be rebuilt")
    assert "Ruiz" in speaker_name(quote) and "continued" in quote.cue.text


def test_a_cue_deep_in_prepositional_phrases_finds_the_clause_subject(nlp_quotes, quoter, run):
    text = "Governor Tom Hale was first in line in backing new limits on fishing in the bay."
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = indirect_containing(quotes, "new limits")
    assert "Hale" in speaker_name(quote)


def test_it_acting_through_a_verb_is_a_speaker_but_not_through_a_copula(nlp_quotes, quoter, run):
    text = ("The teachers union released its annual report on Monday. But it is staying away from "
            "praising the mayor for the school closures.")
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = indirect_containing(quotes, "the mayor")
    assert quote.speaker is not None and quote.speaker.text.lower() != "the mayor"
    _, _, quotes = run(nlp_quotes, quoter, "It is hard to imagine a better plan for the port.")
    assert all(q.speaker is None for q in quotes if "better plan" in q.text)


def test_according_to_a_statement_by_someone_is_their_account(nlp_quotes, quoter, run):
    text = "The old port will close in May, according to a statement by the harbor authority."
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = indirect_containing(quotes, "will close")
    assert "authority" in speaker_name(quote) and "statement" not in quote.speaker.text


def test_a_national_adjective_holds_a_noun_cue(nlp_quotes, quoter, run):
    text = "Canadian opposition to the new pipeline has grown since the spring."
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = indirect_containing(quotes, "the new pipeline")
    assert quote.rule == "cue.noun" and "Canadian" in quote.speaker.text


def test_a_subject_the_parser_hung_on_an_earlier_noun_still_speaks(nlp_quotes, quoter, run):
    text = "Critics say the council mishandled the audit and Republicans accused the mayor of hiding the figures."
    _, _, quotes = run(nlp_quotes, quoter, text)
    accused = [q for q in quotes if q.cue is not None and q.cue.text == "accused"]
    assert accused and accused[0].speaker is not None and "Republicans" in accused[0].speaker.text, \
        [(q.text, q.cue, q.speaker) for q in quotes]


def test_the_passive_subject_of_the_main_clause_said_what_its_participle_reports(nlp_quotes, quoter, run):
    text = "After saying the old bridge was safe, the city engineer was fired by the council."
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = indirect_containing(quotes, "the old bridge was safe")
    assert "engineer" in speaker_name(quote)


def test_a_participle_on_a_pronoun_or_number_is_said_by_it(nlp_quotes, quoter, run):
    text = "The forum drew hundreds of posts, including one claiming that the harbor would flood by May."
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = indirect_containing(quotes, "the harbor would flood")
    assert quote.speaker is not None and quote.speaker.text == "one"


def test_it_is_clear_that_is_an_attribution_without_a_speaker(nlp_quotes, quoter, run):
    text = "It was clear that the mayor wants to keep the old port open through the winter."
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = indirect_containing(quotes, "keep the old port open")
    assert quote.rule == "cue.adjective" and quote.speaker is None, [(q.text, q.rule) for q in quotes]


# -- reported clauses the parser hung as adverbials; cues conjoined to a reported clause ----------
def test_that_clause_misparsed_as_adverbial_is_reported_content(nlp_quotes):
    """The parse the model gives `Calder tweeted in the early morning hours that …` in some
    contexts (`that` an adverb of an adverbial clause), built by hand so the rule is tested
    whatever the model does."""
    from spacy.tokens import Doc
    from tidings.quotes.extract import find_attributions

    words = ["Calder", "tweeted", "in", "the", "early", "hours", "that", "Rossi", "was", "“", "spineless", "”", "."]
    heads = [1, 1, 1, 5, 5, 2, 8, 8, 1, 10, 8, 10, 1]
    deps = ["nsubj", "ROOT", "prep", "det", "amod", "pobj", "advmod", "nsubj", "advcl", "punct", "acomp", "punct", "punct"]
    pos = ["PROPN", "VERB", "ADP", "DET", "ADJ", "NOUN", "PRON", "PROPN", "AUX", "PUNCT", "ADJ", "PUNCT", "PUNCT"]
    tags = ["NNP", "VBD", "IN", "DT", "JJ", "NNS", "WDT", "NNP", "VBD", "``", "JJ", "''", "."]
    lemmas = ["Calder", "tweet", "in", "the", "early", "hour", "that", "Rossi", "be", "“", "spineless", "”", "."]
    spaces = [True] * 8 + [True, False, False, False, False]
    doc = Doc(nlp_quotes.vocab, words=words, spaces=spaces, heads=heads, deps=deps, pos=pos, tags=tags, lemmas=lemmas)
    found = find_attributions(doc, [], load_lexicon())
    indirect = [f for f in found if not f.direct]
    assert indirect and doc.text[indirect[0].start:indirect[0].end].startswith("that Rossi was")
    quote = [f for f in found if f.direct and doc.text[f.start:f.end] == "spineless"]
    assert quote and quote[0].speaker is not None and quote[0].speaker.local.start == 0  # Calder, not Rossi


def test_cue_conjoined_to_reported_clause_keeps_the_reporter(nlp_quotes, quoter, run):
    text = ("The mayor wrote on Sunday that the developer was “a menace” and urged residents "
            "to “stay away” from the project.")
    _, _, quotes = run(nlp_quotes, quoter, text)
    urged = [q for q in quotes if not q.direct and q.cue is not None and q.cue.text == "urged"]
    assert urged and speaker_name(urged[0]) != "developer" and "mayor" in speaker_name(urged[0])
    assert "mayor" in speaker_name(quote_starting(quotes, "a menace"))


def test_passive_participle_after_a_clause_does_not_report_it(nlp_quotes, quoter, run):
    text = "In 2014 a gun bill the president had tried to move through Congress died, blocked by senators from both parties."
    _, _, quotes = run(nlp_quotes, quoter, text)
    assert not [q for q in quotes if q.speaker is not None and "senators" in q.speaker.text], \
        [(q.text, q.speaker.text) for q in quotes if q.speaker is not None]


def test_clause_before_a_saying_verb_is_still_reported(nlp_quotes, quoter, run):
    text = "The bridge will stay closed until the end of the month, city engineers said."
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = quote_starting(quotes, "The bridge will stay closed")
    assert "engineers" in quote.speaker.text


def test_relative_clause_of_an_owned_remark_takes_its_owner(nlp_quotes, quoter, run):
    text = "The scandal prompted the senator to make a careless comment that described the protesters as “thugs.”"
    _, _, quotes = run(nlp_quotes, quoter, text)
    assert "senator" in speaker_name(quote_starting(quotes, "thugs"))
    text = "It was the mayor's speech that called the teenagers “hopeless.”"
    _, _, quotes = run(nlp_quotes, quoter, text)
    assert "mayor" in speaker_name(quote_starting(quotes, "hopeless"))


def test_according_to_a_noun_read_as_a_verb_names_the_source(nlp_quotes, quoter, run):
    text = "The company hid the losses for years, according to show insiders."
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = quote_starting(quotes, "The company hid the losses")
    assert quote.speaker is not None and "insiders" in quote.speaker.text


def test_relative_clause_on_a_verbless_root_does_not_report_the_main_clause(nlp_quotes, quoter, run):
    text = ("The lens through which voters view the candidates is sharply divided along gender and "
            "racial lines.")
    _, _, quotes = run(nlp_quotes, quoter, text)
    assert not [q for q in quotes if q.speaker is not None and q.speaker.text == "voters"], \
        [(q.text, q.speaker.text) for q in quotes if q.speaker is not None]


def test_saying_kept_from_takes_the_object_as_speaker(nlp_quotes, quoter, run):
    text = "No amount of spin should distract us from understanding that the budget is a disaster."
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = quote_starting(quotes, "that the budget")
    assert quote.speaker is None or "amount" not in quote.speaker.text


def test_plural_possessive_holds_the_noun_cue(nlp_quotes, quoter, run):
    text = "But the strikes may highlight more than local unions’ disdain for the new governor."
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = [q for q in quotes if q.cue is not None and q.cue.text == "disdain"]
    assert quote and "unions" in quote[0].speaker.text


def test_quoted_word_inside_a_speakerless_frame_takes_the_inner_speaker(nlp_quotes, quoter, run):
    text = "In the latest poll, most voters called the new tax “unfair” and “a scam.”"
    _, _, quotes = run(nlp_quotes, quoter, text)
    for word in ("unfair", "a scam"):
        quote = quote_starting(quotes, word)
        assert quote.speaker is not None and "voters" in quote.speaker.text


def test_capitalised_kicker_with_a_colon_is_not_a_speaker(nlp_quotes, quoter, run):
    text = "DEAL IS OFF: Council Drops Stadium Plan.\n\nThe council voted on Tuesday to end the talks."
    _, _, quotes = run(nlp_quotes, quoter, text)
    assert not [q for q in quotes if q.rule == "cue.colon_speaker"], [(q.text, q.rule) for q in quotes]
    text = "WALLACE: Senator, will you accept the result?\n\nHARRIS: I will, and so should everyone."
    _, _, quotes = run(nlp_quotes, quoter, text)
    assert [q for q in quotes if q.rule == "cue.colon_speaker"]


def test_report_in_a_relative_clause_between_commas_ends_with_it(nlp_quotes, quoter, run):
    text = "Mr. Lee, who said the plan was reckless, resigned on Monday."
    _, _, quotes = run(nlp_quotes, quoter, text)
    quote = quote_starting(quotes, "the plan was reckless")
    assert "resigned" not in quote.text
