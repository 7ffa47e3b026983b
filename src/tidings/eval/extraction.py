"""Article-extraction evaluation in the format of scrapinghub/article-extraction-benchmark.

A benchmark folder holds `ground-truth.json` (id → {"articleBody": …, "url": …}) and
`html/<id>.html.gz`. Every page is run through the `Cleaner`, and the extracted body is scored
the way the benchmark's `evaluate.py` scores it: word 4-gram shingles (tokens are `\\w+`
matches), per-page true/false positives and false negatives normalised to sum to 1, precision
and recall averaged over pages, F1 of the two averages.

    python -m tidings.eval.extraction ../shared/corpus/zyte-dev
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import statistics
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tidings.records import Document

log = logging.getLogger(__name__)

_TOKEN_RE = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)

Extractor = Callable[[Document], str]


def shingles(text: str, n: int = 4) -> Counter:
    """Word n-gram shingles as the benchmark counts them (a short text is one shingle)."""
    tokens = _TOKEN_RE.findall(text or "")
    grams = (tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)))
    return Counter(g for g in grams if g)


def shingle_matching(true: str, pred: str, n: int = 4) -> tuple[float, float, float]:
    """(tp, fp, fn) over shingles, normalised to sum to 1 so long pages weigh no more."""
    gold, guess = shingles(true, n), shingles(pred, n)
    tp = sum((gold & guess).values())
    fp = sum((guess - gold).values())
    fn = sum((gold - guess).values())
    total = tp + fp + fn
    if total == 0:
        return 0.0, 0.0, 0.0
    return tp / total, fp / total, fn / total


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


def summarise(scores: list[tuple[float, float, float]]) -> dict[str, float]:
    """Benchmark metrics from per-page (tp, fp, fn): averaged precision and recall, F1 of those."""
    precisions = [_precision(*s) for s in scores if s[0] + s[1] > 0]
    recalls = [_recall(*s) for s in scores if s[0] + s[2] > 0]
    precision = statistics.mean(precisions) if precisions else 0.0
    recall = statistics.mean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def cleaner_extractor() -> Extractor:
    """The project's extractor: the Cleaner's body text (empty when it gives up)."""
    from tidings.clean import Cleaner

    cleaner = Cleaner()

    def extract(document: Document) -> str:
        return cleaner.clean(document).text

    return extract


def load_pages(directory: Path) -> list[tuple[str, dict[str, Any], Path]]:
    truth = json.loads((directory / "ground-truth.json").read_text(encoding="utf-8"))
    return [(key, truth[key], directory / "html" / f"{key}.html.gz") for key in sorted(truth)]


def evaluate(directory: Path, extractor: Extractor | None = None, progress=None) -> dict[str, Any]:
    """Score the Cleaner (or `extractor`) on a benchmark folder.

    Returns {"precision", "recall", "f1", "pages", "per_page": [{"id", "precision",
    "recall", "tp", "fp", "fn", "status"}]}.
    """
    directory = Path(directory)
    extract = extractor or cleaner_extractor()
    per_page: list[dict[str, Any]] = []
    scores = []
    pages = list(load_pages(directory))
    for number, (key, gold, path) in enumerate(pages):
        if progress:
            progress(number, len(pages))
        document = Document(id=key, origin=str(path), kind="html", url=gold.get("url"),
                            raw=gzip.decompress(path.read_bytes()))
        predicted = extract(document)
        score = shingle_matching(gold.get("articleBody", ""), predicted)
        scores.append(score)
        per_page.append({"id": key, "tp": score[0], "fp": score[1], "fn": score[2],
                         "precision": _precision(*score), "recall": _recall(*score),
                         "empty": not predicted})
    result: dict[str, Any] = summarise(scores)
    result["pages"] = len(per_page)
    result["per_page"] = per_page
    return result


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--worst", type=int, default=0, help="also list the N worst pages")
    args = parser.parse_args(argv)
    result = evaluate(args.directory)
    summary = {k: result[k] for k in ("precision", "recall", "f1", "pages")}
    if args.worst:
        worst = sorted(result["per_page"], key=lambda p: p["precision"] + p["recall"])
        summary["worst"] = worst[: args.worst]
    return summary


if __name__ == "__main__":  # pragma: no cover - command-line entry
    print(json.dumps(main(), indent=2))  # noqa: T201
