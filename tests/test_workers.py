"""`tidings ingest --workers N`: worker processes give the same results, in input order, as one process."""

from __future__ import annotations

import json
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
