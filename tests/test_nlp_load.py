"""`tidings.nlp.load_model`: the matrix-product choice and the fast components it installs."""

from __future__ import annotations

import pytest

from tidings.nlp import choose_matmul, load_model
from tidings.nlp.fast import FastAttributeRuler, FastLemmatizer

TEXT = "Canada is sending special forces to Ukraine, officials said on Sunday.\n\nRussia denied it."


def _tokens(doc) -> list[tuple]:
    return [(t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_, t.head.i, t.ent_iob_, t.ent_type_)
            for t in doc]


@pytest.mark.parametrize("choice", ["blis", "numpy"])
def test_forced_matmul_is_used_and_gives_the_same_analysis(monkeypatch, choice):
    monkeypatch.setenv("TIDINGS_MATMUL", choice)
    assert choose_matmul() == choice
    nlp = load_model()
    assert nlp.get_pipe("ner").model.ops.use_blis is (choice == "blis")
    monkeypatch.setenv("TIDINGS_MATMUL", "blis" if choice == "numpy" else "numpy")
    other = load_model()
    assert _tokens(nlp(TEXT)) == _tokens(other(TEXT))


def test_unknown_matmul_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("TIDINGS_MATMUL", "cuda")
    with pytest.raises(ValueError, match="TIDINGS_MATMUL"):
        choose_matmul()


def test_automatic_choice_is_one_of_the_backends(monkeypatch):
    monkeypatch.delenv("TIDINGS_MATMUL", raising=False)
    assert choose_matmul() in ("blis", "numpy")


def test_default_model_runs_the_fast_components_with_stock_results():
    fast = load_model()
    assert isinstance(fast.get_pipe("attribute_ruler"), FastAttributeRuler)
    assert isinstance(fast.get_pipe("lemmatizer"), FastLemmatizer)
    stock = load_model(fast_components=False)
    assert not isinstance(stock.get_pipe("attribute_ruler"), FastAttributeRuler)
    assert _tokens(fast(TEXT)) == _tokens(stock(TEXT))
