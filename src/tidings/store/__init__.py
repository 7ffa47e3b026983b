"""The tidings store: ArticleResults in a DuckDB file (default) or PostgreSQL, and queries.

    from tidings.store import open_store, EventFilter

    with open_store("tidings.duckdb") as store:           # or "postgresql://user@host/db"
        summary = store.save(results, raw={result.id: raw_bytes})   # idempotent, batched
        rows = store.events(EventFilter(actor="RUS", since="2022-01-01", limit=50))
        result = store.article("story-1a2b")              # id or unique id prefix

Public interface:
  open_store(db, *, read_only=False, upgrade=True) -> Store
  Store.save(results, raw=None, batch_size=100, *, documents=None, replace=False) -> SaveSummary
  Store.replace(result, raw=None) -> SaveSummary        re-extracted article, in one transaction
  Store.has(content_hash) -> bool                       is this input already stored?
  Store.has_url(url) -> bool                            is an article from this URL stored?
  Store.iter_raw() -> Iterator[RawInput]                kept raw inputs (for --reprocess)
  Store.iter_documents() -> Iterator[Document]          the same, as Documents
  Store.events(EventFilter) / quotes(QuoteFilter) / actors(ActorFilter) -> list[dict]
  Store.count_events(EventFilter) / count_quotes(QuoteFilter) / count_actors(ActorFilter) -> int   all pages
  Store.trends(EventFilter, interval="week") -> list[dict]   counts per period and type
  Store.article(id_or_prefix) -> ArticleResult | None
  Store.count_events(f) / count_quotes(f) / count_actors(f) / count_errors() -> int   rows without paging
  Store.stats() -> dict;  Store.errors(limit=None, offset=0) -> list[ErrorRow]
  Store.last_write() -> str                             changes whenever the stored data does (ETags)
  Store.upgrade() -> int;  Store.schema_version;  Store.close() / context manager

Errors (all StoreError, with a message meant for the user): StoreLockedError (a DuckDB file
open in another process), SchemaVersionError (database newer than the code, or older and
opened read-only: run `tidings db upgrade`).
"""

from tidings.store.backends import SchemaVersionError, StoreError, StoreLockedError
from tidings.store.filters import ActorFilter, EventFilter, QuoteFilter
from tidings.store.schema import SCHEMA_VERSION
from tidings.store.store import ErrorRow, RawInput, SaveSummary, Store, open_store

__all__ = [
    "open_store", "Store", "SaveSummary", "RawInput", "ErrorRow",
    "EventFilter", "QuoteFilter", "ActorFilter",
    "StoreError", "StoreLockedError", "SchemaVersionError", "SCHEMA_VERSION",
]
