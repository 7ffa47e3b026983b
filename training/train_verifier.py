"""Train the event verifier (src/tidings/events/data/verifier.json) on the project's own annotations.

Data: training/annotations/events.jsonl — every event a careful coder would code in 84 articles
(training/annotations/documents.txt), annotated for tidings by reading, following
shared/eval/articles/GUIDE.md; texts are rebuilt from ../shared (training/texts.py). The
evaluation gold under shared/eval is never read here.

1. Run the pipeline over the articles with no confidence threshold; record every candidate
   event and its features (tidings.events.verifier.features).
2. Label a candidate 1 when it matches an annotated event (same sentence, type or alternative
   type; one-to-one, as `tidings eval articles` matches), else 0.
3. Fit an L2 logistic regression (scikit-learn: `pip install -e ".[train]"`), grouped by article
   in 5 folds (repeated over 5 reshufflings of the articles) to estimate precision and recall on unseen articles at each threshold; pick the
   default threshold; fit on all articles and write the weights.

    python training/train_verifier.py [--folds 5] [--repeats 5] [--c 0.5] [--tolerance 0.002] [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import sys
import tempfile
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from texts import ANNOTATIONS, write as write_texts  # noqa: E402

OUT = HERE.parent / "src" / "tidings" / "events" / "data" / "verifier.json"


def load_gold(texts: dict[str, str]):
    from tidings.eval.articles import GoldEvent, normalise

    gold = []
    for line in (ANNOTATIONS / "events.jsonl").read_text("utf-8").splitlines():
        row = json.loads(line)
        sentence = texts[row["doc"]][row["sentence_start"]:row["sentence_end"]]
        gold.append(GoldEvent(
            doc=row["doc"], sentence=normalise(sentence), type=row["type"],
            alt_types=tuple(row.get("alt_types") or ()),
            source=frozenset(p["country"] for p in row.get("source") or [] if p.get("country")),
            target=frozenset(p["country"] for p in row.get("target") or [] if p.get("country")),
            required=bool(row.get("required", True)), trigger=row.get("trigger") or "", raw=row))
    return gold


def candidates(text_dir: Path):
    """(doc, Emitted, features) for every candidate event the pipeline proposes."""
    from tidings.eval.articles import emitted_events, published_from_name
    from tidings.ingest import iter_documents
    from tidings.pipeline import Pipeline, PipelineSettings

    pipeline = Pipeline(PipelineSettings(min_confidence=0.0))
    pipeline.coder.record_features = True
    rows = []
    for path in sorted(text_dir.iterdir()):
        for result in pipeline.run(list(iter_documents([str(path)])), published=published_from_name(path.name)):
            recorded = {id(event): found for event, found in pipeline.coder.last_features}
            emitted = emitted_events(path.name, result.events, result.text)
            for event, em in zip(result.events, emitted):
                rows.append((path.name, em, recorded[id(event)]))
    return rows


def labels(rows, gold) -> list[int]:
    from collections import defaultdict

    from tidings.eval.articles import match, type_match

    by_doc = defaultdict(list)
    for i, (doc, em, _) in enumerate(rows):
        by_doc[doc].append(i)
    gold_by_doc = defaultdict(list)
    for g in gold:
        gold_by_doc[g.doc].append(g)
    y = [0] * len(rows)
    for doc, indexes in by_doc.items():
        pairs = match([rows[i][1] for i in indexes], gold_by_doc.get(doc, []), type_match)
        for local in pairs:
            y[indexes[local]] = 1
    return y


def curve(rows, gold, probabilities, thresholds):
    """Whole-article type and dyad precision/recall at each threshold (the eval's own scorer)."""
    from tidings.eval.articles import score

    out = []
    for t in thresholds:
        kept = [em for (_, em, _), p in zip(rows, probabilities) if p >= t]
        report = score(kept, gold)
        out.append({"threshold": round(t, 3), "emitted": len(kept),
                    **{k: report[k] for k in ("type_precision", "type_recall", "dyad_precision", "dyad_recall")}})
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5, help="cross-validation repeats (articles reshuffled)")
    parser.add_argument("--c", type=float, default=0.5, help="inverse L2 strength")
    parser.add_argument("--tolerance", type=float, default=0.002,
                        help="default threshold: the highest whose cross-validated F0.5 is this close to the best")
    parser.add_argument("--dry-run", action="store_true", help="report, do not write the weights")
    parser.add_argument("--cache", type=Path, help="pickle of the candidates: read if it exists, else written "
                        "(to try model settings without re-running the pipeline)")
    args = parser.parse_args(argv)

    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    if args.cache and args.cache.exists():
        texts, rows = pickle.loads(args.cache.read_bytes())
        gold = load_gold(texts)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            paths = write_texts(Path(tmp))
            texts = {p.name: p.read_text("utf-8") for p in paths}
            gold = load_gold(texts)
            rows = candidates(Path(tmp))
        if args.cache:
            args.cache.write_bytes(pickle.dumps((texts, rows)))
    y = labels(rows, gold)
    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform([f for _, _, f in rows])
    groups = [doc for doc, _, _ in rows]
    print(f"{len(texts)} articles, {len(gold)} annotated events ({sum(g.required for g in gold)} required), "
          f"{len(rows)} candidates, {sum(y)} correct ({sum(y) / len(rows):.2f})")

    # repeated cross-validation: articles shuffled into folds anew each time, the curves averaged,
    # so that the default threshold does not hang on one split of 132 articles
    thresholds = [i / 40 for i in range(0, 40)]
    names = sorted(set(groups))
    curves = []
    for repeat in range(args.repeats):
        order = names[:]
        random.Random(repeat).shuffle(order)
        fold_of = {name: i % args.folds for i, name in enumerate(order)}
        oof = [0.0] * len(rows)
        for fold in range(args.folds):
            train = [i for i, g in enumerate(groups) if fold_of[g] != fold]
            test = [i for i, g in enumerate(groups) if fold_of[g] == fold]
            model = LogisticRegression(C=args.c, max_iter=2000)
            model.fit(x[train], [y[i] for i in train])
            for i, p in zip(test, model.predict_proba(x[test])[:, 1]):
                oof[i] = float(p)
        curves.append(curve(rows, gold, oof, thresholds))
    table = [{key: (row[key] if key == "threshold" else round(sum(c[n][key] or 0.0 for c in curves) / len(curves), 4))
              for key in row} for n, row in enumerate(curves[0])]
    print("cross-validated by article (threshold, emitted, type P/R, dyad P/R):")
    for row in table:
        print(f"  {row['threshold']:.3f} {row['emitted']:7.1f}  {row['type_precision']:.3f} {row['type_recall']:.3f}"
              f"  {row['dyad_precision']:.3f} {row['dyad_recall']:.3f}")
    # precision first: F0.5 of type precision and recall weighs precision twice; the default is the
    # highest threshold whose cross-validated F0.5 is within `--tolerance` of the best one
    for row in table:
        p, r = row["type_precision"], row["type_recall"]
        row["f05"] = round(1.25 * p * r / (0.25 * p + r), 4) if p + r else 0.0
    best = max(row["f05"] for row in table)
    chosen = max((row for row in table if row["f05"] >= best - args.tolerance), key=lambda row: row["threshold"])
    print(f"default threshold {chosen['threshold']}: {chosen}")

    model = LogisticRegression(C=args.c, max_iter=2000)
    model.fit(x, y)
    names = vectorizer.get_feature_names_out()
    weights = {str(n): round(float(w), 4) for n, w in zip(names, model.coef_[0]) if abs(w) >= 1e-4}
    out = {
        "bias": round(float(model.intercept_[0]), 4), "threshold": chosen["threshold"], "weights": dict(sorted(weights.items())),
        "meta": {"trained": date.today().isoformat(), "articles": len(texts), "candidates": len(rows),
                 "positives": sum(y), "C": args.c, "cross_validated": chosen,
                 "data": "training/annotations (the project's own annotations; see training/README.md)"},
    }
    if args.dry_run:
        top = sorted(weights.items(), key=lambda kv: -abs(kv[1]))[:25]
        print("strongest weights:", ", ".join(f"{k} {v:+.2f}" for k, v in top))
        return 0
    OUT.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(weights)} weights)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
