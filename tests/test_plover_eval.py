"""CI floor: the event coder's scores on the PLV gold sentences may not fall.

Reproduce the figures with: python -m tidings.eval.plover ../shared/eval/plover/PLV_train.tsv
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tidings.eval.plover import GoldRow, PLV_TYPES, _score, evaluate, read_rows
from tidings.records import Event, Participant, Span

SHARED = Path(__file__).resolve().parents[2] / "shared"
PLV = SHARED / "eval" / "plover" / "PLV_train.tsv"

# Pinned a little below the measured scores (typed-pair recall 0.687, macro-F1 0.799). Typed-pair
# recall fell from 0.71 when whole-article screening and coreference came in: a pronoun subject now
# stands for its own antecedent ("it" → Turkey) rather than for the marked speaker span, and acts
# nested under a request are no events of their own.
TYPED_PAIR_RECALL_FLOOR = 0.68
MACRO_F1_FLOOR = 0.78


@pytest.fixture(scope="session")
def plv_report():
    if not PLV.exists():
        pytest.skip("shared PLV data absent")
    from tidings.nlp import load_model
    return evaluate(PLV, nlp=load_model())


def test_plv_scores_stay_above_floors(plv_report):
    assert plv_report["typed_pair_recall"] >= TYPED_PAIR_RECALL_FLOOR
    assert plv_report["macro_f1"] >= MACRO_F1_FLOOR


def test_plv_report_shape(plv_report):
    assert set(plv_report["per_type"]) == set(PLV_TYPES)
    assert sum(sum(row.values()) for row in plv_report["confusion"].values()) == plv_report["rows"]
    assert plv_report["sentences_per_second"] > 0


def test_marked_spans_are_read_from_the_marked_sentence(tmp_path):
    tsv = tmp_path / "plv.tsv"
    tsv.write_text("sentence\tmarked_sentence\tsource\ttarget\tgold_root\n"
                   "Iran accused Israel of spying.\t<s>Iran</s> accused <t>Israel</t> of spying.\tIran\tIsrael\tACCUSE\n",
                   encoding="utf-8")
    row = read_rows(tsv)[0]
    assert row.source == [(0, 4)] and row.target == [(13, 19)]


def _event(kind, source, target, factuality="asserted"):
    return Event(type=kind, trigger=Span("x", 0, 1), sentence=Span("", 0, 0), rule="test",
                 source=[Participant("s", *source)], target=[Participant("t", *target)], factuality=factuality)


def test_scoring_counts_yield_and_best_overlap():
    rows = [GoldRow("a", "YIELD", [(0, 4)], [(10, 15)]), GoldRow("b", "ASSAULT", [(0, 4)], [(10, 15)])]
    events = {"a": [_event("ACCUSE", (20, 25), (30, 35)), _event("RETREAT", (0, 4), (10, 15))],
              "b": [_event("COERCE", (0, 4), (40, 45))]}
    report = _score(rows, events, 1.0)
    assert report["typed_pair_recall"] == 0.5
    assert report["type_accuracy"] == 0.5
    assert report["confusion"]["ASSAULT"] == {"COERCE": 1}
    assert report["per_type"]["YIELD"]["f1"] == 1.0
    assert report["events_per_sentence"] == 1.5


def test_a_reciprocal_event_holds_the_pair_among_its_sources():
    rows = [GoldRow("a", "CONSULT", [(0, 4)], [(10, 15)])]
    both = _event("CONSULT", (0, 4), (10, 15))
    both.source, both.target = both.source + both.target, []  # "A and B met": both are sources
    assert _score(rows, {"a": [both]}, 1.0)["typed_pair_recall"] == 1.0
    alone = _event("CONSULT", (0, 4), (10, 15))
    alone.target = []
    assert _score(rows, {"a": [alone]}, 1.0)["typed_pair_recall"] == 0.0
