"""Quote/attribution evaluation: the scorer itself, and the CI floor on PolNeAR dev."""

from __future__ import annotations

from pathlib import Path

import pytest

from tidings.eval.quotes import Counts, Emitted, documents, evaluate, read_ann, score_document

SHARED = Path(__file__).resolve().parents[2] / "shared"
POLNEAR_DEV = SHARED / "eval" / "quotes" / "polnear" / "dev"

# Pinned a little under the measured dev scores (content F1 0.812, +speaker F1 0.659).
FLOOR_CONTENT_F1 = 0.81
FLOOR_SPEAKER_F1 = 0.71

TEXT = 'Trump said the wall would be built. "It will be huge," he added. The sky is blue.'
ANN = """T1\tSource 0 5\tTrump
T2\tCue 6 10\tsaid
T3\tContent 11 34\tthe wall would be built
T4\tAttribution 6 10\tsaid
E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1
T5\tContent 36 50\t"It will be huge,"
T6\tCue 54 59\tadded
T7\tSource 51 53\the
T8\tAttribution 54 59\tadded
E2\tAttribution:T8 Content:T5 Cue:T6 Source:T7
T9\tDiscuss 66 69\tsky
"""


def write_corpus(tmp_path: Path) -> Path:
    (tmp_path / "text").mkdir()
    (tmp_path / "attributions").mkdir()
    (tmp_path / "text" / "doc-a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "attributions" / "doc-a_ann1.ann").write_text(ANN, encoding="utf-8")
    (tmp_path / "attributions" / "doc-a_ann2.ann").write_text("", encoding="utf-8")
    return tmp_path


def test_read_ann_keeps_attributions_with_content(tmp_path):
    corpus = write_corpus(tmp_path)
    gold = read_ann(corpus / "attributions" / "doc-a_ann1.ann")
    assert [g.content for g in gold] == [[(11, 34)], [(36, 50)]]
    assert gold[1].source == [(51, 53)]


def test_documents_uses_the_first_annotators_file(tmp_path):
    corpus = write_corpus(tmp_path)
    assert [ann.name for _, ann in documents(corpus)] == ["doc-a_ann1.ann"]


def test_scoring_counts_overlap_and_speaker(tmp_path):
    gold = read_ann(write_corpus(tmp_path) / "attributions" / "doc-a_ann1.ann")
    emitted = [
        Emitted(11, 34, [(0, 5)], False, "r"),  # right content, right speaker
        Emitted(37, 49, [(0, 5)], True, "r"),  # right content, wrong speaker
        Emitted(66, 77, [], False, "r"),  # nothing there
    ]
    content, speaker = Counts(), Counts()
    score_document(TEXT, gold, emitted, content, speaker)
    assert content.scores() == {"precision": 0.6667, "recall": 1.0, "f1": 0.8}
    assert speaker.scores()["recall"] == 0.5
    assert speaker.scores()["precision"] == 0.3333


def test_small_partial_overlap_does_not_count_for_recall(tmp_path):
    gold = read_ann(write_corpus(tmp_path) / "attributions" / "doc-a_ann1.ann")
    content, speaker = Counts(), Counts()
    score_document(TEXT, gold[:1], [Emitted(11, 19, [], False, "r")], content, speaker)  # "the wall" only
    assert content.recall_hits == 0 and content.precision_hits == 1


def test_evaluate_runs_end_to_end_on_a_tiny_corpus(tmp_path):
    result = evaluate(write_corpus(tmp_path))
    assert result["documents"] == 1 and result["gold"] == 2
    assert result["content"]["recall"] == 1.0


@pytest.mark.skipif(not POLNEAR_DEV.exists(), reason="../shared/eval/quotes/polnear absent")
def test_polnear_dev_scores_stay_above_the_floor():
    result = evaluate(POLNEAR_DEV)
    assert result["content"]["f1"] >= FLOOR_CONTENT_F1, result
    assert result["content_speaker"]["f1"] >= FLOOR_SPEAKER_F1, result


def test_eval_quotes_prints_its_f1_scores_without_json(tmp_path):
    from click.testing import CliRunner

    from tidings.cli import cli

    out = CliRunner().invoke(cli, ["eval", "quotes", str(write_corpus(tmp_path))])
    assert out.exit_code == 0, out.output
    lines = dict(line.split(None, 1) for line in out.output.splitlines())
    assert float(lines["content_f1"]) > 0 and "content_speaker_f1" in lines and lines["documents"] == "1"
