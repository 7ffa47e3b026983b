"""`tidings ingest --workers N`: worker processes give the same results, in input order, as one process."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tidings.ingest import iter_documents
from tidings.ingest_run import SMALL_INPUT, IngestSettings, analyse, run_ingest
from tidings.pipeline import PipelineSettings
from tidings.store import open_store

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _documents():
    """The demo corpus, broken inputs included, padded past the in-process threshold."""
    documents = list(iter_documents([str(EXAMPLES / name) for name in ("html", "text", "feeds.jsonl", "broken")]))
    assert len(documents) >= SMALL_INPUT, "the demo corpus must be large enough to start workers"
    return documents


def _canonical(result) -> str:
    return json.dumps(result.to_dict(), sort_keys=True)


def test_two_workers_give_the_results_of_one_process_in_input_order():
    documents = _documents()
    settings = PipelineSettings(published="2022-03-01")
    one = list(analyse(documents, settings, workers=1))
    two = list(analyse(documents, settings, workers=2))
    assert [d.id for d, _ in two] == [d.id for d in documents]
    assert [r.id for _, r in two] == [d.id for d in documents]
    assert [_canonical(r) for _, r in two] == [_canonical(r) for _, r in one]
    statuses = {r.status for _, r in two}
    assert "ok" in statuses and "error" in statuses  # the broken inputs are reported, not fatal


def test_ingest_with_workers_stores_what_one_process_stores(tmp_path):
    paths = [str(EXAMPLES / name) for name in ("html", "text", "feeds.jsonl", "broken")]
    counts = []
    for workers in (1, 2):
        db = str(tmp_path / f"w{workers}.duckdb")
        summary = run_ingest(paths, IngestSettings(db=db, workers=workers, published="2022-03-01"))
        store = open_store(db)
        try:
            rows = store.backend.rows("SELECT count(*) AS n FROM events")
        finally:
            store.close()
        counts.append((summary.ok, summary.failed, summary.events, summary.quotes, rows[0]["n"]))
    assert counts[0] == counts[1]
    assert counts[0][0] > 0 and counts[0][1] > 0


def test_a_document_that_kills_its_worker_costs_that_document_only(monkeypatch):
    """A worker dying (here: exiting abruptly, as an out-of-memory kill would) must not stop the
    run: the document that kills it gets an error result, every other one its normal result."""
    from tidings.pipeline import Pipeline
    from tidings.records import Document

    documents = _documents()
    settings = PipelineSettings(published="2022-03-01")
    expected = [_canonical(r) for _, r in analyse(documents, settings, workers=2)]

    original = Pipeline._analyse

    def analyse_or_die(self, article, doc):
        if "WORKER-KILLING INPUT" in article.text:
            os._exit(3)
        return original(self, article, doc)

    monkeypatch.setattr(Pipeline, "_analyse", analyse_or_die)  # inherited by the forked workers
    killer = Document(id="killer", origin="killer.txt", kind="text",
                      raw=b"Officials said the talks in Geneva had failed. WORKER-KILLING INPUT follows here.\n")
    mixed = documents[:5] + [killer] + documents[5:]
    got = list(analyse(mixed, settings, workers=2))
    assert [d.id for d, _ in got] == [d.id for d in mixed]
    by_id = {r.id: r for _, r in got}
    assert by_id["killer"].status == "error" and "worker process died" in by_id["killer"].error
    assert [_canonical(r) for _, r in got if r.id != "killer"] == expected
