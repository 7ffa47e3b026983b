"""tidings.scale: `tidings ingest --engine ray` on a small local Ray instance (2 CPUs, 200 MB store)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

from tidings.ingest.files import read_file  # noqa: E402
from tidings.scale import RaySettings, iter_ray, run_ray  # noqa: E402
from tidings.scale import worker as worker_module  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def canonical(data: dict) -> str:
    return json.dumps(data, sort_keys=True)


@pytest.fixture(scope="module")
def ray_instance():
    ray.init(num_cpus=2, object_store_memory=200 * 1024 * 1024, include_dashboard=False, _node_ip_address="127.0.0.1",
             logging_level="WARNING")
    yield
    ray.shutdown()


LOCAL_ENGINE = """
import json, sys
from tidings.ingest import iter_documents
from tidings.pipeline import Pipeline, PipelineSettings
results = [r.to_dict() for r in Pipeline(PipelineSettings()).run(iter_documents([sys.argv[1]]))]
json.dump(results, sys.stdout)
"""


@pytest.fixture(scope="module")
def local_results_ray() -> dict[str, str]:
    """The demo corpus through the local engine (one Pipeline, one process): id → JSON.

    Run with the actors' PYTHONHASHSEED (RaySettings.hash_seed, default 0): some stages'
    output still depends on set iteration order, i.e. on the process's hash seed.
    """
    env = {**os.environ, "PYTHONHASHSEED": str(RaySettings().hash_seed)}
    done = subprocess.run([sys.executable, "-c", LOCAL_ENGINE, str(EXAMPLES)], env=env,
                          capture_output=True, text=True, check=True)
    results = {}
    for data in json.loads(done.stdout):
        assert data["id"] not in results, f"duplicate id {data['id']}"
        results[data["id"]] = canonical(data)
    return results


@pytest.fixture(scope="module")
def ray_run(ray_instance, tmp_path_factory):
    output = tmp_path_factory.mktemp("shards")
    summary = run_ray([str(EXAMPLES)], RaySettings(workers=2, output=str(output), shard_rows=10))
    return summary, output


def read_shards(folder: Path):
    import pyarrow.parquet as pq

    return pq.read_table(folder).to_pylist()


def test_ray_results_are_byte_identical_to_the_local_engine(ray_run, local_results_ray):
    summary, output = ray_run
    rows = read_shards(output)
    by_id = {row["id"]: canonical(json.loads(row["result"])) for row in rows}
    assert len(rows) == len(by_id) == len(local_results_ray)
    assert by_id.keys() == local_results_ray.keys()
    different = [i for i in by_id if by_id[i] != local_results_ray[i]]
    assert different == []
    assert summary.workers == 2
    assert summary.processed == len(local_results_ray)
    assert summary.failed >= 2  # examples/broken and the README: errors are results too


def test_local_uri_form_is_read_by_the_workers_with_the_same_results(ray_instance, local_results_ray):
    results = {r.id: canonical(r.to_dict()) for r in iter_ray([f"local://{EXAMPLES}"], RaySettings(workers=2))}
    assert results == local_results_ray


def test_parquet_shards_hold_one_row_per_result_with_flat_columns(ray_run):
    summary, output = ray_run
    assert len(summary.shards) == -(-summary.processed // 10)
    assert all(Path(p).parent == output for p in summary.shards)
    rows = read_shards(output)
    assert len(rows) == summary.processed
    for row in rows:
        data = json.loads(row["result"])
        assert (row["id"], row["status"], row["origin"], row["published"]) == (
            data["id"], data["status"], data["origin"], data["published"])
        assert row["n_events"] == len(data["events"]) and row["n_quotes"] == len(data["quotes"])
        assert row["event_types"] == sorted({e["type"] for e in data["events"]})
        assert row["chars"] == len(data["text"])
    assert sum(r["n_events"] for r in rows) == summary.events
    assert {r["status"] for r in rows} >= {"ok", "error"}


def test_results_are_saved_by_the_driver_and_not_redone(ray_instance, tmp_path):
    from tidings.store import open_store

    db = str(tmp_path / "ray.duckdb")
    first = run_ray([str(EXAMPLES / "text")], RaySettings(workers=2, db=db))
    with open_store(db, read_only=True) as store:
        ids = [row["id"] for row in store.backend.rows("SELECT id FROM articles")]
        stored = store.article(ids[0])
    assert first.stored == len(ids) == first.processed > 0
    assert stored is not None and stored.status in ("ok", "skipped")
    second = run_ray([str(EXAMPLES / "text")], RaySettings(workers=2, db=db))
    assert second.processed == 0 and second.already_present == first.processed


def test_object_store_files_become_the_same_documents_as_local_files(tmp_path, monkeypatch):
    """A file behind a URI is copied and read by tidings.ingest: only the origin differs."""
    from pyarrow import fs

    monkeypatch.setattr(worker_module, "_filesystem", 
                        lambda uri: (fs.LocalFileSystem(), uri.removeprefix("s3://bucket")))
    for path in [*sorted((EXAMPLES / "broken").iterdir()), EXAMPLES / "feeds.jsonl",
                 next((EXAMPLES / "html").iterdir())]:
        uri = f"s3://bucket{path}"
        remote = worker_module.documents_at(uri)
        local = list(read_file(path))
        assert [d.id for d in remote if d.raw] == [d.id for d in local if d.raw]
        assert [(d.raw, d.kind, d.error) for d in remote] == [(d.raw, d.kind, d.error) for d in local]
        assert all(r.origin == uri + l.origin[len(str(path)):] for r, l in zip(remote, local))
        assert [d.id for d in remote] == [d.id for d in worker_module.documents_at(uri)]  # stable


def test_unreadable_object_store_file_is_an_error_result_not_a_crash(monkeypatch):
    def refuse(uri):
        raise OSError("access denied")

    monkeypatch.setattr(worker_module, "_filesystem", refuse)
    [document] = worker_module.documents_at("s3://bucket/news/a.txt")
    assert document.origin == "s3://bucket/news/a.txt"
    assert "access denied" in document.error


def test_a_document_that_kills_its_ray_worker_costs_that_document_only(ray_instance, monkeypatch, tmp_path):
    """An actor dying (here: exiting abruptly, as an out-of-memory kill would) must not stop
    the run: it is replaced, the document that kills it gets an error result, and every other
    document its normal result."""
    from tidings.scale import run as run_module
    from tidings.scale.worker import FileWorker

    folder = tmp_path / "news"
    folder.mkdir()
    for source in sorted((EXAMPLES / "text").glob("*.txt"))[:5]:
        (folder / source.name).write_bytes(source.read_bytes())
    settings = RaySettings(workers=2, batch_size=2)
    expected = {r.id: canonical(r.to_dict()) for r in iter_ray([str(folder)], settings)}

    class DyingWorker(FileWorker):
        def process(self, documents):
            if any(b"WORKER-KILLING INPUT" in document.raw for document in documents):
                os._exit(3)
            return super().process(documents)

    (folder / "2022-01-11-killer.txt").write_bytes(b"Officials met in Geneva. WORKER-KILLING INPUT follows.\n")
    monkeypatch.setattr(run_module, "WORKER_CLASS", DyingWorker)
    results = {r.id: r for r in iter_ray([str(folder)], settings)}
    killers = [r for r in results.values() if r.origin.endswith("killer.txt")]
    assert len(killers) == 1 and killers[0].status == "error" and "worker died" in killers[0].error
    assert {i: canonical(r.to_dict()) for i, r in results.items() if r is not killers[0]} == expected
