"""Extraction evaluation: benchmark-compatible shingle scoring, and the pinned floor on zyte-dev."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from tidings.eval.extraction import evaluate, shingle_matching, shingles, summarise

SHARED = Path(__file__).resolve().parents[2] / "shared"
ZYTE_DEV = SHARED / "corpus" / "zyte-dev"

# Measured 2026-11-27 on zyte-dev (90 pages): P 0.955, R 0.974, F1 0.964
# (plain trafilatura.extract with defaults: P 0.929, R 0.978, F1 0.953).
FLOOR = {"precision": 0.945, "recall": 0.965, "f1": 0.955}


def test_shingles_are_word_4_grams_ignoring_punctuation():
    assert shingles("A b, c. d e") == {("A", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert shingles("too short") == {("too", "short"): 1}


def test_perfect_and_disjoint_predictions():
    text = "one two three four five six"
    assert shingle_matching(text, text) == (1.0, 0.0, 0.0)
    assert shingle_matching(text, "alpha beta gamma delta") == (0.0, 0.25, 0.75)  # 3 gold shingles, 1 predicted


def test_summary_averages_per_page_then_takes_f1():
    scores = [shingle_matching("a b c d e f", "a b c d e f"), shingle_matching("a b c d e f", "a b c d x y")]
    result = summarise(scores)
    assert result["precision"] == pytest.approx((1 + 1 / 3) / 2)
    assert result["recall"] == pytest.approx((1 + 1 / 3) / 2)


def test_evaluate_runs_the_cleaner_on_a_benchmark_folder(tmp_path):
    body = ("Foreign ministers from both countries agreed on Tuesday to hold a new round of talks on the "
            "disputed border, officials said. The talks will begin next month in Geneva.")
    html = f"<html><head><title>Talks</title></head><body><article><p>{body}</p></article></body></html>"
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "p1.html.gz").write_bytes(gzip.compress(html.encode("utf-8")))
    (tmp_path / "ground-truth.json").write_text(json.dumps({"p1": {"articleBody": body}}), encoding="utf-8")
    result = evaluate(tmp_path)
    assert result["pages"] == 1
    assert result["f1"] == pytest.approx(1.0)
    assert result["per_page"][0]["id"] == "p1"


@pytest.mark.skipif(not (ZYTE_DEV / "ground-truth.json").exists(), reason="../shared corpus not available")
def test_extraction_floor_on_zyte_dev():
    result = evaluate(ZYTE_DEV)
    assert result["pages"] == 90
    for metric, floor in FLOOR.items():
        assert result[metric] >= floor, (metric, result[metric])
