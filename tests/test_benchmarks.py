"""The throughput benchmark runs end to end on a tiny corpus and reports every figure it promises."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_throughput_benchmark_reports_rates_ratios_stages_and_memory():
    report = _load("throughput").main(["--corpus", str(ROOT / "examples" / "text"), "--limit", "3", "--repeat", "1"])
    assert report["articles"] == 3 and report["words"] > 0
    for key in ("floor_tokenizer_articles_per_s", "naive_spacy_articles_per_s", "naive_spacy_fast_matmul_articles_per_s",
                "pipeline_one_process_articles_per_s", "end_to_end_articles_per_s"):
        assert report[key] > 0, key
    assert report["ratio_end_to_end_vs_naive"] == report["end_to_end_articles_per_s"] / report["naive_spacy_articles_per_s"]
    assert report["matrix_products"] in ("blis", "numpy")
    assert {"ner", "parser", "tok2vec"} <= set(report["spacy_component_ms_per_article"])
    assert {"clean", "spacy", "actors", "quotes", "events"} <= set(report["stage_seconds_one_process"])
    assert report["peak_rss_mb"]["benchmark_process"] > 100
