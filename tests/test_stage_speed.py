"""The fast paths of the actors, quotes and events stages give exactly what the plain
computations they stand for give (they exist for speed only)."""

from __future__ import annotations

import difflib

import pytest
from hypothesis import given, settings, strategies as st

from tidings.actors import ActorResolver
from tidings.actors import article, phrase
from tidings.actors.kb import _char_counts, _quick_ratio, normalised_key, text_key
from tidings.events import EventCoder
from tidings.events import dates
from tidings.nlp import load_model
from tidings.quotes import extract, load_lexicon
from tidings.quotes import marks

NEWS = (
    "WASHINGTON (Reuters) -- U.S. Secretary of State Antony Blinken said on Monday that the United States "
    "and NATO officials would meet Russia's Deputy Foreign Minister Sergei Ryabkov in Geneva, according to "
    "a State Department spokeswoman.\n\n"
    "“We will not back down,” Blinken told reporters. ‘It is time,’ he added. Ryabkov, a veteran "
    "diplomat, denied that Moscow planned an invasion, the Kremlin said in a statement on Jan. 12, 2022.\n\n"
    "TAPPER: Do you accept the results? Prosecutors in Sweden accused the company of fraud three days ago, "
    "and the government's critics, including Sen. Mitt Romney and Dr. Anthony Fauci, urged Congress to act. "
    "Sources said the talks between Iran, Qatar and Oman had stalled since 2014; Iranian troops withdrew."
)


@pytest.fixture(scope="session")
def nlp_stage_speed():
    return load_model()


@pytest.fixture(scope="session")
def news_doc(nlp_stage_speed):
    return nlp_stage_speed(NEWS)


@pytest.fixture(scope="session")
def kb_stage_speed():
    return ActorResolver(extra_dirs=[]).kb


@pytest.fixture(scope="session")
def lex_stage_speed():
    return load_lexicon()


@pytest.fixture(scope="session")
def dates_stage_speed():
    return dates.DateSettings.load()


# -- actors ----------------------------------------------------------------------------------
def test_token_table_holds_the_token_attributes(news_doc):
    toks = article.Tokens.from_doc(news_doc)
    for t in news_doc:
        i = t.i
        assert (toks.text[i], toks.lower[i], toks.pos[i], toks.tag[i], toks.ent_type[i], toks.idx[i]) == \
            (t.text, t.lower_, t.pos_, t.tag_, t.ent_type_, t.idx)
        assert (bool(toks.is_punct[i]), bool(toks.is_space[i]), bool(toks.like_num[i]), bool(toks.is_stop[i]),
                bool(toks.ws[i])) == (t.is_punct, t.is_space, t.like_num, t.is_stop, bool(t.whitespace_))


def test_token_table_span_text_equals_spacy_span_text(news_doc):
    toks = article.Tokens.from_doc(news_doc)
    for start in range(0, len(news_doc), 3):
        for end in range(start, min(len(news_doc), start + 8) + 1):
            span = news_doc[start:end]
            assert toks.span_text(start, end) == span.text
            if end > start:
                assert (toks.idx[start], toks.end_char(end)) == (span.start_char, span.end_char)


def test_noun_chunks_from_plain_values_equal_spacy_noun_chunks(nlp_stage_speed, news_doc):
    for doc in (news_doc, nlp_stage_speed("US and NATO officials met."), nlp_stage_speed("")):
        got = article._english_noun_chunks(doc, article.Tokens.from_doc(doc))
        assert got == [(c.start, c.end) for c in doc.noun_chunks]


def test_sentence_bounds_equal_token_sent(news_doc):
    starts, ends = article._sentence_bounds(news_doc)
    assert [(starts[t.i], ends[t.i]) for t in news_doc] == [(t.sent.start, t.sent.end) for t in news_doc]


@given(st.text(alphabet="abcXYZ019éŁ .'’-,()", max_size=12))
def test_text_key_shortcut_agrees_with_full_normalisation(word):
    assert text_key(word) == normalised_key(word)


@given(st.text(alphabet="abcdeé-", max_size=10), st.text(alphabet="abcdeé-", max_size=10))
def test_letter_count_ratio_equals_difflib_quick_ratio(a, b):
    expected = difflib.SequenceMatcher(None, a, b).quick_ratio()
    assert _quick_ratio(_char_counts(a), _char_counts(b), len(a) + len(b)) == expected


@pytest.mark.parametrize("key", ["washingtn", "moscw", "afganistan", "pakistn", "ukrain", "brusels", "xyzzyq"])
def test_fuzzy_lookup_equals_plain_difflib_scan(kb_stage_speed, key):
    kb = kb_stage_speed
    best, best_rank = None, None
    for cand in kb.fuzzy.get(key[0], ()):
        if abs(len(cand) - len(key)) > 2:
            continue
        ratio = difflib.SequenceMatcher(None, key, cand).ratio()
        if ratio < 0.8:
            continue
        kind = min({"country": 0, "capital": 1, "demonym": 2, "city": 3}.get(e.kind, 9) for e in kb.names[cand])
        rank = (ratio, -kind, kb.population.get(cand, 0))
        if best_rank is None or rank > best_rank:
            best, best_rank = cand, rank
    assert kb.fuzzy_lookup(key) == (list(kb.names[best]) if best else [])


def test_match_items_prefix_pruning_keeps_every_item(kb_stage_speed, news_doc, monkeypatch):
    words = article._words(article.Tokens.from_doc(news_doc), kb_stage_speed)
    keys, surfaces = [w.key for w in words], [w.surface for w in words]
    fast = phrase.match_items(kb_stage_speed, keys, surfaces)
    monkeypatch.setattr(phrase, "_reach", lambda kb, keys, i, top: top)
    assert fast and phrase.match_items(kb_stage_speed, keys, surfaces) == fast


# -- quotes ----------------------------------------------------------------------------------
def _double_marks_by_char(text, start, end, lex):
    marks, i = [], start
    while i < end:
        if text[i:i + 2] in ("''", "``"):
            marks.append((i, 2))
            i += 2
            continue
        if text[i] in lex.double_marks:
            marks.append((i, 1))
        i += 1
    return marks


QUOTE_TEXT = st.lists(st.sampled_from(list("“”„«»\"‘’'‹›`ab sS(\n—") + ["\n\n", "don’t", "s’ r"]),
                      max_size=40).map("".join)


def _single_quotes_by_char(text, start, end, lex, doubles):
    inside = [(q.open_mark, (q.close_mark if q.close_mark is not None else end)) for q in doubles]
    out, i = [], start
    while i < end:
        if text[i:i + 2] in ("''", "``"):
            i += 2
            continue
        if text[i] in lex.single_open and marks._is_single_opener(text, i, start, end) \
                and not marks._within(i, inside):
            close = marks._find_single_closer(text, i + 1, end, lex)
            if close is not None and not marks._within(close, inside):
                out.append(marks._span(text, i, close, "single"))
                i = close + 1
                continue
        i += 1
    return out


@settings(max_examples=300)
@given(QUOTE_TEXT)
def test_double_mark_scan_equals_char_by_char_scan(lex_stage_speed, text):
    lex = lex_stage_speed
    assert marks._double_marks(text, 0, len(text), lex) == _double_marks_by_char(text, 0, len(text), lex)


@settings(max_examples=300)
@given(QUOTE_TEXT)
def test_single_quote_scan_equals_char_by_char_scan(lex_stage_speed, text):
    lex = lex_stage_speed
    for start, end in marks.paragraphs(text):
        doubles = marks._double_quotes(text, start, end, lex)
        assert marks._single_quotes(text, start, end, lex, doubles) == \
            _single_quotes_by_char(text, start, end, lex, doubles)


def test_cue_candidates_include_every_cue(news_doc, lex_stage_speed):
    lex = lex_stage_speed
    every = []
    for token in news_doc:
        cue = extract._verb_cue(token, lex) or extract._phrase_cue(news_doc, token, lex) \
            or extract._colon_cue(token) or extract._noun_cue(token, lex) or extract._adverb_cue(token, lex) \
            or extract._adjective_cue(token, lex)
        if cue is not None and (token.pos_ in extract.CUE_POS or token.lower_ in lex.phrases_by_first_word):
            every.append(token.i)
    candidates = set(extract._cue_candidates(news_doc, lex))
    assert every and set(every) <= candidates


# -- events ----------------------------------------------------------------------------------
def test_trigger_prefilter_keeps_every_match(news_doc):
    coder = EventCoder()
    maybe = coder._maybe_triggers(news_doc)
    matched = [t.i for t in news_doc if coder.match(t) is not None]
    assert matched and all(maybe[i] for i in matched)


@given(st.lists(st.sampled_from("since in on last next Monday monday 3 12 2014 January Jan. Sept 5th of , "
                                "ago two days weeks yesterday today AGO".split()), max_size=10))
def test_date_pattern_prefilter_keeps_every_date(dates_stage_speed, words):
    text = " ".join(words)
    settings_ = dates_stage_speed
    fast = dates.find_dates(text, "2016-10-01", settings_)
    original = dates._possible
    try:
        dates._possible = lambda text: set(dates.PATTERNS)
        assert dates.find_dates(text, "2016-10-01", settings_) == fast
    finally:
        dates._possible = original
