"""The fast attribute ruler and lemmatizer give exactly the stock components' token attributes."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.lookups import Lookups
from spacy.pipeline import AttributeRuler

from tidings.nlp import load_model
from tidings.nlp.fast import FastAttributeRuler, FastLemmatizer, install_fast_components

SHARED = Path(__file__).resolve().parents[2] / "shared"

TRICKY = [
    "",
    " ",
    "\n\n",
    "  \n  Hello \t world  \n",
    "I ain't gonna do it, let's go. Y'all gotta c'mon! Ain't nobody gonna stop us.",
    "THERE IS A PROBLEM. THERE'S NO WAY THE PRESIDENT GETS WHAT HE WANTS.",
    "There's gotta be gon na gon na. Gonna, gotta, wanna, lemme, gimme.",
    "The Minister said on Tuesday that talks with Russia were \"not going well\".\n\n"
    "She got the letters, which were written in 1999, from her brothers' lawyers.",
    "He'd've said y' all, y'all, ya'll. They're here; we've been there; it's done.",
    "Prices rose 3.5% to $1,200 (about €1,100) -- the highest since 2008 -- analysts said.",
    "Mr. O'Neill, 54, won't comment.\tAsked why, he laughed:  'No.'\r\nThe end",
    "Is there? Are there? Was there any? Were there many? There's one. There're two.",
    "Running runs ran better best good goods leaves leaving left mice geese was were been.",
]

ATTRS = ("text", "tag_", "pos_", "morph", "lemma_", "dep_", "head", "ent_iob_", "ent_type_",
         "is_sent_start", "norm_")


def token_rows(doc) -> list[tuple]:
    return [
        (t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_, t.head.i, t.ent_iob_, t.ent_type_,
         t.is_sent_start, t.norm_, t.tag, t.pos, t.morph.key, t.lemma)
        for t in doc
    ]


def first_difference(a, b) -> tuple | None:
    rows_a, rows_b = token_rows(a), token_rows(b)
    if len(rows_a) != len(rows_b):
        return ("length", len(rows_a), len(rows_b))
    for ra, rb in zip(rows_a, rows_b):
        if ra != rb:
            return ra, rb
    return None


@pytest.fixture(scope="session")
def nlp_fast_pair():
    stock = load_model(fast_components=False)
    fast = load_model(fast_components=False)
    replaced = install_fast_components(fast)
    return stock, fast, replaced


@pytest.fixture(scope="session")
def nlp_fast_stock():
    return load_model(fast_components=False)


def tail_components(nlp):
    """The stock components from the attribute ruler on, and the fast ones built from them."""
    names = nlp.pipe_names[nlp.pipe_names.index("attribute_ruler"):]
    ruler = nlp.get_pipe("attribute_ruler")
    fast_ruler = FastAttributeRuler(nlp.vocab)
    fast_ruler.adopt(ruler)
    lemmatizer = nlp.get_pipe("lemmatizer")
    own = nlp.create_pipe("lemmatizer", config={"mode": lemmatizer.mode})
    own.from_bytes(lemmatizer.to_bytes(exclude=["vocab"]), exclude=["vocab"])
    swap = {"attribute_ruler": fast_ruler, "lemmatizer": FastLemmatizer(own)}
    stock = [nlp.get_pipe(n) for n in names]
    return stock, [swap.get(n, nlp.get_pipe(n)) for n in names]


def test_install_replaces_both_components_in_place(nlp_fast_pair):
    stock, fast, replaced = nlp_fast_pair
    assert replaced == ["attribute_ruler", "lemmatizer"]
    assert fast.pipe_names == stock.pipe_names
    assert isinstance(fast.get_pipe("attribute_ruler"), FastAttributeRuler)
    assert isinstance(fast.get_pipe("lemmatizer"), FastLemmatizer)


def test_fast_pipeline_matches_stock_on_tricky_text(nlp_fast_pair):
    stock, fast, _ = nlp_fast_pair
    for text, a, b in zip(TRICKY, stock.pipe(TRICKY), fast.pipe(TRICKY)):
        assert first_difference(a, b) is None, text
    # the ruler's own multi-token rules fired: "gon na" -> "go" "to", "let's" -> "let" "us"
    doc = fast("We're gonna win, let's go.")
    assert [t.lemma_ for t in doc][2:4] == ["go", "to"]
    assert [t.lemma_ for t in doc][6:8] == ["let", "us"]


def test_fast_pipeline_matches_stock_when_called_doc_by_doc(nlp_fast_pair):
    stock, fast, _ = nlp_fast_pair
    for text in TRICKY[::-1]:
        assert first_difference(stock(text), fast(text)) is None, text


def test_fast_components_match_stock_on_polnear(nlp_fast_stock):
    polnear = SHARED / "eval" / "quotes" / "polnear"
    files = sorted(polnear.glob("*/text/*.txt")) if polnear.exists() else []
    if len(files) < 200:
        pytest.skip("PolNeAR texts in ../shared are absent")
    nlp = nlp_fast_stock
    texts = [p.read_text(encoding="utf-8") for p in files[:200]]
    upstream = nlp.pipe_names[: nlp.pipe_names.index("attribute_ruler")]
    stock_tail, fast_tail = tail_components(nlp)
    n_tokens = 0
    with nlp.select_pipes(enable=upstream):
        for doc in nlp.pipe(texts):
            a, b = doc, doc.copy()
            for stock_proc, fast_proc in zip(stock_tail, fast_tail):
                a, b = stock_proc(a), fast_proc(b)
            assert first_difference(a, b) is None
            n_tokens += len(a)
    assert n_tokens > 100_000


def test_later_ruler_pattern_wins_per_attribute(nlp_fast_stock):
    nlp = nlp_fast_stock
    ruler = AttributeRuler(nlp.vocab)
    ruler.add([[{"TAG": "NNP"}]], {"POS": "X", "MORPH": "Foreign=Yes"})
    ruler.add([[{"LOWER": "paris"}]], {"POS": "NOUN"})
    fast = FastAttributeRuler(nlp.vocab)
    fast.adopt(ruler)
    with nlp.select_pipes(enable=["tok2vec", "tagger"]):
        doc = nlp("Anne flew to Paris.")
    assert doc[3].tag_ == "NNP"
    out = fast(doc.copy())
    assert (out[3].pos_, str(out[3].morph)) == ("NOUN", "Foreign=Yes")
    assert (out[0].pos_, str(out[0].morph)) == ("X", "Foreign=Yes")
    assert first_difference(ruler(doc.copy()), out) is None


def test_patterns_that_need_the_matcher_give_stock_results(nlp_fast_stock):
    nlp = nlp_fast_stock
    ruler = AttributeRuler(nlp.vocab)
    ruler.add([[{"LOWER": "the"}, {"POS": "ADJ", "OP": "*"}, {"POS": "NOUN"}]], {"LEMMA": "THING"},
              index=-1)
    ruler.add([[{"TAG": "DT"}]], {"NORM": "determiner"})
    ruler.add([[{"IS_PUNCT": True}, {}]], {"POS": "SYM", "TAG": "XX"}, index=1)
    ruler.add([[{"TEXT": {"REGEX": "^[A-Z]"}, "ENT_TYPE": {"NOT_IN": ["", "GPE"]}}]],
              {"MORPH": "NameType=Oth"})
    ruler.add([[{"LENGTH": {">=": 9}}]], {"DEP": "long"})
    ruler.add([[{"LEMMA": {"IN": ["be", "have"]}}, {"POS": "VERB"}]], {"MORPH": "Mood=Ind"},
              index=1)
    fast = FastAttributeRuler(nlp.vocab)
    fast.adopt(ruler)
    assert fast._fallback is not None and fast._single and fast._multi
    texts = TRICKY + ["The big red dog and the extraordinary cat met Anne Smith of Acme Corp. in "
                      "Paris today. He has been running; they have gone."]
    changed = 0
    for doc in nlp.pipe(texts):
        expected = ruler(doc.copy())
        assert first_difference(expected, fast(doc.copy())) is None, doc.text
        changed += sum(a != b for a, b in zip(token_rows(doc), token_rows(expected)))
    assert changed > 20  # the patterns did rewrite tokens


def test_pattern_index_outside_the_match_raises_like_stock(nlp_fast_stock):
    nlp = nlp_fast_stock
    ruler = AttributeRuler(nlp.vocab)
    ruler.add([[{"LOWER": "the"}]], {"POS": "DET"}, index=2)
    fast = FastAttributeRuler(nlp.vocab)
    fast.adopt(ruler)
    doc = nlp.make_doc("the end")
    with pytest.raises(ValueError):
        ruler(doc.copy())
    with pytest.raises(ValueError):
        fast(doc.copy())


def test_lookup_lemmatizer_on_blank_pipeline_matches_stock():
    def build(fast: bool):
        nlp = spacy.blank("en")
        lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        lookups = Lookups()
        lookups.add_table("lemma_lookup", {"went": "go", "mice": "mouse", "Geese": "goose"})
        lemmatizer.initialize(lookups=lookups)
        if fast:
            assert install_fast_components(nlp) == ["lemmatizer"]
        return nlp

    stock, fast = build(False), build(True)
    text = "The mice went home ; Geese went too , geese went ."
    assert [t.lemma_ for t in fast(text)] == [t.lemma_ for t in stock(text)]
    assert fast(text)[1].lemma_ == "mouse"


def test_install_leaves_a_pipeline_without_such_components_untouched():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    assert install_fast_components(nlp) == []
    assert nlp.pipe_names == ["sentencizer"]


def test_fast_ruler_round_trips_through_bytes(nlp_fast_pair):
    _, fast, _ = nlp_fast_pair
    ruler = fast.get_pipe("attribute_ruler")
    again = FastAttributeRuler(fast.vocab).from_bytes(ruler.to_bytes())
    assert again.patterns == ruler.patterns
    with fast.select_pipes(enable=fast.pipe_names[: fast.pipe_names.index("attribute_ruler")]):
        doc = fast(TRICKY[4])
    assert first_difference(ruler(doc.copy()), again(doc.copy())) is None


def test_fast_lemmas_survive_memory_zones(nlp_fast_pair):
    stock, fast, _ = nlp_fast_pair
    texts = ["Zorblaxes were flibbering quuxily in Xanadu's gardens.",
             "The zorblaxes flibbered again, quuxily."]
    for _ in range(2):  # the second round is served from the fast lemmatizer's memo
        for text in texts:
            with stock.memory_zone():
                expected = [(t.lemma_, t.pos_, str(t.morph)) for t in stock(text)]
            with fast.memory_zone():
                got = [(t.lemma_, t.pos_, str(t.morph)) for t in fast(text)]
            assert got == expected


def test_fast_lemmatizer_leaves_the_stock_tables_alone(nlp_fast_pair):
    _, fast, _ = nlp_fast_pair
    lemmatizer = fast.get_pipe("lemmatizer").lemmatizer
    fast("Zorblaxes were flibbering in the gardens of the palaces.")
    index = lemmatizer.lookups.get_table("lemma_index")
    assert all(isinstance(words, list) for words in index.values())
    assert any(key[0] == fast.vocab.strings["palaces"] for key in lemmatizer.cache)
