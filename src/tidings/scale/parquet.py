"""Parquet shards of results: one row per ArticleResult (its JSON plus flat analysis columns)."""

from __future__ import annotations

import json
import logging
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SHARD_ROWS = 1000


def _schema():
    import pyarrow as pa

    return pa.schema([
        ("id", pa.string()), ("status", pa.string()), ("error", pa.string()),
        ("origin", pa.string()), ("url", pa.string()), ("title", pa.string()),
        ("published", pa.string()), ("language", pa.string()),
        ("credited_publisher", pa.string()), ("site_name", pa.string()), ("author", pa.string()),
        ("content_hash", pa.string()), ("chars", pa.int64()),
        ("n_mentions", pa.int64()), ("n_events", pa.int64()), ("n_quotes", pa.int64()),
        ("event_types", pa.list_(pa.string())),  # distinct PLOVER types, sorted
        ("countries", pa.list_(pa.string())),  # distinct source/target countries, sorted
        ("result", pa.string()),  # the ArticleResult JSON (the contract of DESIGN.md)
    ])


FLAT = ("id", "status", "error", "origin", "url", "title", "published", "language",
        "credited_publisher", "site_name", "author", "content_hash")


def flat_row(result_json: str) -> dict[str, Any]:
    """The Parquet row of one result, from its JSON."""
    data = json.loads(result_json)
    events = data.get("events") or []
    countries = Counter(p.get("country") for e in events for p in (e.get("source") or []) + (e.get("target") or []))
    row = {name: data.get(name) for name in FLAT}
    row.update(
        chars=len(data.get("text") or ""),
        n_mentions=len(data.get("mentions") or []), n_events=len(events), n_quotes=len(data.get("quotes") or []),
        event_types=sorted({e["type"] for e in events if e.get("type")}),
        countries=sorted(c for c in countries if c),
        result=result_json,
    )
    return row


class ShardWriter:
    """Writes rows to `DIR/part-RUN-00000.parquet`, `-00001`, ..., `shard_rows` rows each.

    RUN is random per writer, so a second run adds shards next to the first one's (the folder
    reads as one dataset: `pyarrow.parquet.read_table(DIR)`) instead of overwriting part of them.
    """

    def __init__(self, directory: str | Path, shard_rows: int = SHARD_ROWS) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.shard_rows = max(1, shard_rows)
        self.rows: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.run = uuid.uuid4().hex[:8]

    def add(self, result_json: str) -> None:
        self.rows.append(flat_row(result_json))
        if len(self.rows) >= self.shard_rows:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = self.directory / f"part-{self.run}-{len(self.paths):05d}.parquet"
        pq.write_table(pa.Table.from_pylist(self.rows, schema=_schema()), path)
        log.info("wrote %d results to %s", len(self.rows), path)
        self.paths.append(str(path))
        self.rows = []

    def close(self) -> list[str]:
        self.flush()
        return self.paths
