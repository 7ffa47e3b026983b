"""Train the learned speech-act classifier (src/tidings/events/data/speech.json) on the project's own annotations.

For every (speaker, actor) pair of a sentence (tidings.events.speech.pairs) the label is the type
of an annotated event of that sentence (ACCUSE, SUPPORT, REQUEST, REJECT, or an alternative
type) whose source and target countries agree with the pair's where both are known, else NONE.
A multinomial logistic regression (scikit-learn) is fitted on the words of the sentence and of
the actor's neighbourhood; 5 folds grouped by article estimate what the learned events add to
the rule-coded ones, scored as `tidings eval articles` scores. The weights of the final model
(fitted on all articles) are written with the threshold chosen on the folds.

    python training/train_speech.py [--c 0.3] [--folds 5] [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from texts import write as write_texts  # noqa: E402
from train_verifier import load_gold  # noqa: E402

OUT = HERE.parent / "src" / "tidings" / "events" / "data" / "speech.json"


def collect(text_dir: Path):
    """Per article: the rule-coded events (as the scorer sees them) and the speaker–actor pairs."""
    from tidings.eval.articles import Emitted, emitted_events, normalise, published_from_name
    from tidings.events.speech import pairs
    from tidings.ingest import iter_documents
    from tidings.pipeline import Pipeline

    pipeline = Pipeline()
    pipeline.coder.use_speech = False
    articles = {}
    for path in sorted(text_dir.iterdir()):
        for result in pipeline.run(list(iter_documents([str(path)])), published=published_from_name(path.name)):
            doc = pipeline.nlp(result.text)
            rows = []
            for pair in pairs(doc, result.mentions, result.quotes):
                target = pair.target.actor
                rows.append({
                    "features": pair.features, "sentence": normalise(pair.sentence.text),
                    "emitted": lambda kind, p=pair, t=target, name=path.name: Emitted(
                        doc=name, sentence=normalise(p.sentence.text), type=kind,
                        source=frozenset({p.speaker.country} - {None}),
                        target=frozenset({t.country} - {None}) if t else frozenset(), trigger="", rule="speech"),
                    "source": p_country(pair.speaker.country), "target": p_country(target.country if target else None)})
            articles[path.name] = (emitted_events(path.name, result.events, result.text), rows)
    return articles


def p_country(country):
    return frozenset({country}) if country else frozenset()


def label(row, gold_in_doc) -> str:
    from tidings.eval.articles import same_sentence
    from tidings.events.speech import TYPES

    for g in gold_in_doc:
        if not same_sentence(row["sentence"], g.sentence):
            continue
        kinds = [t for t in (g.type, *g.alt_types) if t in TYPES]
        if not kinds:
            continue
        if row["source"] and g.source and not row["source"] & g.source:
            continue
        if row["target"] and g.target and not row["target"] & g.target:
            continue
        if not g.target:
            continue
        return kinds[0]
    return "NONE"


def combined(articles, probabilities, threshold):
    """Rule events plus the learned events at `threshold` that no rule event of the type already covers."""
    from tidings.eval.articles import same_sentence

    out = []
    for doc, (rule_events, rows) in articles.items():
        out += rule_events
        for row, probs in zip(rows, probabilities[doc]):
            kind = max(probs, key=probs.get)
            if kind == "NONE" or probs[kind] < threshold:
                continue
            em = row["emitted"](kind)
            if any(r.type == kind and same_sentence(r.sentence, em.sentence) and
                   (r.target & em.target or not em.target) for r in rule_events + out[-5:] if r.doc == doc):
                continue
            out.append(em)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--c", type=float, default=0.3)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)

    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    from tidings.eval.articles import score

    with tempfile.TemporaryDirectory() as tmp:
        paths = write_texts(Path(tmp))
        texts = {p.name: p.read_text("utf-8") for p in paths}
        gold = load_gold(texts)
        articles = collect(Path(tmp))
    gold_by_doc = defaultdict(list)
    for g in gold:
        gold_by_doc[g.doc].append(g)
    rows, groups, y = [], [], []
    for doc, (_, doc_rows) in articles.items():
        for row in doc_rows:
            rows.append(row)
            groups.append(doc)
            y.append(label(row, gold_by_doc[doc]))
    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform([r["features"] for r in rows])
    print(f"{len(articles)} articles, {len(rows)} speaker-actor pairs; labels: "
          + ", ".join(f"{k} {y.count(k)}" for k in sorted(set(y))))

    oof = [None] * len(rows)
    for train, test in GroupKFold(n_splits=args.folds).split(x, y, groups):
        model = LogisticRegression(C=args.c, max_iter=3000)
        model.fit(x[train], [y[i] for i in train])
        for i, p in zip(test, model.predict_proba(x[test])):
            oof[i] = dict(zip(model.classes_, map(float, p)))
    by_doc = defaultdict(list)
    for i, doc in enumerate(groups):
        by_doc[doc].append(oof[i])
    base = score([e for rules, _ in articles.values() for e in rules], gold)
    print(f"rules alone: type P {base['type_precision']:.3f} R {base['type_recall']:.3f}  "
          f"dyad P {base['dyad_precision']:.3f} R {base['dyad_recall']:.3f}")
    table = []
    for t in [0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8]:
        report = score(combined(articles, by_doc, t), gold)
        table.append((t, report))
        print(f"  + learned ≥ {t:.2f}: {report['emitted']:5d} type P {report['type_precision']:.3f} "
              f"R {report['type_recall']:.3f}  dyad P {report['dyad_precision']:.3f} R {report['dyad_recall']:.3f}")
    # the lowest threshold whose added events do not lower type precision below the rules' own
    chosen = next((t for t, r in table if r["type_precision"] >= base["type_precision"] - 0.005), table[-1][0])
    print(f"threshold {chosen}")

    model = LogisticRegression(C=args.c, max_iter=3000)
    model.fit(x, y)
    names = vectorizer.get_feature_names_out()
    weights = {c: {str(n): round(float(w), 4) for n, w in zip(names, row) if abs(w) >= 1e-3}
               for c, row in zip(model.classes_, model.coef_)}
    out = {"classes": [str(c) for c in model.classes_], "bias": {c: round(float(b), 4) for c, b in zip(model.classes_, model.intercept_)},
           "threshold": chosen, "weights": weights,
           "meta": {"trained": date.today().isoformat(), "articles": len(articles), "pairs": len(rows), "C": args.c,
                    "data": "training/annotations (the project's own annotations; see training/README.md)"}}
    if args.dry_run:
        for c in model.classes_:
            top = sorted(weights[c].items(), key=lambda kv: -kv[1])[:15]
            print(c, ", ".join(f"{k} {v:+.2f}" for k, v in top))
        return 0
    OUT.write_text(json.dumps(out, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
