"""The Store: saves ArticleResults idempotently and answers queries over them."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, NamedTuple

from tidings.geo import with_coordinates
from tidings.records import ArticleResult, Document
from tidings.store.backends import Backend, SchemaVersionError, StoreError, connect
from tidings.store.codes import Codes, load_codes
from tidings.store.filters import (
    ActorFilter, EventFilter, QuoteFilter, Where, actor_where, article_match, event_where,
    order_by, paging, quote_where,
)
from tidings.store.rows import (
    TABLE_COLUMNS, Columns, actor_label, add_raw, add_result, dedup_key, result_from_json, safe_text,
)
from tidings.store.schema import DERIVED_TABLES, MIGRATIONS, SCHEMA_VERSION, steps_for

log = logging.getLogger(__name__)

RAW_PAGE = 100  # raw inputs fetched per query by iter_raw
TREND_INTERVALS = ("day", "week", "month", "quarter", "year")


@dataclass
class SaveSummary:
    """What one `Store.save` call did.

    inserted: new articles; replaced: articles re-extracted in place (`replace=True`);
    already_present: inputs the database (or the same call) already had, left untouched.
    ok/skipped/failed, events, quotes: counted over the articles written (inserted + replaced).
    renamed: (given id, stored id) for new inputs whose id was already used by other content.
    """

    inserted: int = 0
    replaced: int = 0
    already_present: int = 0
    ok: int = 0
    skipped: int = 0
    failed: int = 0
    events: int = 0
    quotes: int = 0
    renamed: list[tuple[str, str]] = field(default_factory=list)

    def count_written(self, result: ArticleResult) -> None:
        if result.status == "ok":
            self.ok += 1
        elif result.status == "skipped":
            self.skipped += 1
        else:
            self.failed += 1
        self.events += len(result.events)
        self.quotes += len(result.quotes)


class RawInput(NamedTuple):
    """A kept raw input, as `Store.iter_raw` yields it."""

    article_id: str
    origin: str | None
    kind: str
    raw: bytes
    url: str | None
    title: str | None
    published: str | None


class ErrorRow(NamedTuple):
    """An article that was not extracted (status "error" or "skipped") and why."""

    article_id: str
    origin: str | None
    status: str
    error: str | None


RawSource = bytes | Document


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _array(sql_type: str) -> str:
    return f"unnest(?::{sql_type}[])"


# One row per merged event (tidings.dedup.merge): its first mention (an event not grouped yet:
# itself), with the group's counts. Used by Store.events and tidings.analysis.dyad_events.
MERGED_FIRST_MENTION = "(e.group_id IS NULL OR e.group_id = e.article_id || ':' || CAST(e.ordinal AS TEXT))"
MERGED_COLUMNS = (", e.group_id, coalesce(g.num_mentions, 1) AS num_mentions,"
                  " coalesce(g.num_articles, 1) AS num_articles, coalesce(g.num_sources, 1) AS num_sources,"
                  " coalesce(g.first_day, e.day) AS first_day, coalesce(g.last_day, e.day) AS last_day")
MERGED_JOIN = " LEFT JOIN event_groups g ON g.id = e.group_id"
# Where an event happened, as event rows name it (lat and lon are filled in by tidings.geo.with_coordinates).
PLACE_COLUMNS = ("coalesce(e.location_name, e.location_text) AS place, e.location_country AS place_country,"
                 " e.location_geonameid AS geonameid, CAST(NULL AS DOUBLE PRECISION) AS lat,"
                 " CAST(NULL AS DOUBLE PRECISION) AS lon")


def event_orders(backend: Backend) -> dict[str, str]:
    """ORDER BY clauses of event listings (alias e) by name; (article_id, ordinal) is unique."""
    article, kind = backend.codepoint("e.article_id"), backend.codepoint("e.type")
    return {
        "date": f"e.day ASC NULLS LAST, {article}, e.ordinal",
        "-date": f"e.day DESC NULLS LAST, {article}, e.ordinal",
        "type": f"{kind}, e.day ASC NULLS LAST, {article}, e.ordinal",
        "article": f"{article}, e.ordinal",
    }


class Store:
    """A tidings database (DuckDB file or PostgreSQL). Get one with `open_store`.

    Use it as a context manager, or call `close()`. One Store is one connection: use it
    from one thread at a time.
    """

    def __init__(self, backend: Backend, *, read_only: bool = False, codes: Codes | None = None) -> None:
        self.backend = backend
        self.read_only = read_only
        self.codes = codes or load_codes()

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def location(self) -> str:
        """The DuckDB path or the PostgreSQL URL (password hidden)."""
        return self.backend.location

    @property
    def backend_name(self) -> str:
        """"duckdb" or "postgresql"."""
        return self.backend.name

    @property
    def schema_version(self) -> int:
        """The database's schema version (0 for an empty database)."""
        return self._read_version()

    def close(self) -> None:
        """Close the connection (committed batches are durable; nothing is pending)."""
        self.backend.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _read_version(self) -> int:
        present = self.backend.scalar(
            "SELECT count(*) FROM information_schema.tables"
            " WHERE table_name = 'schema_version' AND table_schema = current_schema()")
        if not present:
            return 0
        return int(self.backend.scalar("SELECT max(version) FROM schema_version") or 0)

    def check_version(self, *, upgrade: bool) -> None:
        """Raise SchemaVersionError unless the schema is current (upgrading it if allowed)."""
        version = self._read_version()
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise SchemaVersionError(
                f"{self.location} has schema version {version}, newer than this tidings supports"
                f" ({SCHEMA_VERSION}): upgrade tidings to read it")
        if self.read_only and version == 0:
            raise StoreError(f"{self.location} is not a tidings database (no schema_version table)")
        if self.read_only or not upgrade:
            raise SchemaVersionError(
                f"{self.location} has schema version {version}, older than this tidings ({SCHEMA_VERSION}):"
                f" run `tidings db upgrade --db {self.location}`")
        self.upgrade()

    def upgrade(self) -> int:
        """Apply the missing migrations in order, each in its own transaction; return the new version."""
        if self.read_only:
            raise StoreError(f"{self.location} is open read-only: cannot upgrade it")
        for migration in MIGRATIONS:
            with self.backend.transaction():
                self.backend.lock_writers()
                if migration.version <= self._read_version():
                    continue
                log.info("%s: applying migration %d (%s)", self.location, migration.version,
                         migration.description)
                for step in steps_for(migration, self.backend.name):
                    if callable(step):
                        step(self.backend.execute, self.codes)
                    else:
                        self.backend.execute(step)
                self.backend.execute("INSERT INTO schema_version (version, description, applied_at)"
                                     " VALUES (?, ?, ?)", [migration.version, migration.description, _now()])
        return self._read_version()

    # -- writing -------------------------------------------------------------------------------
    def has(self, content_hash: str) -> bool:
        """True when an article with this content hash (sha256 of the raw input) is stored."""
        return self.backend.scalar("SELECT 1 FROM articles WHERE content_hash = ? LIMIT 1",
                                   [content_hash]) is not None

    def has_url(self, url: str) -> bool:
        """True when an article from this URL is stored (its own URL or its raw input's)."""
        return self.backend.scalar(
            "SELECT 1 WHERE EXISTS (SELECT 1 FROM articles WHERE url = ?)"
            " OR EXISTS (SELECT 1 FROM raw_inputs WHERE url = ?)", [url, url]) is not None

    def save(self, results: Iterable[ArticleResult], raw: Mapping[str, RawSource] | None = None,
             batch_size: int = 100, *, documents: Mapping[str, RawSource] | None = None,
             replace: bool = False) -> SaveSummary:
        """Store results idempotently, one transaction per `batch_size` results.

        An input is identified by its content hash and URL (see rows.dedup_key): saving the
        same input again leaves the stored article untouched and counts it as already present,
        unless `replace` is true, in which case the stored article (found by that identity,
        else by id) is re-written with its derived rows, keeping its id, first ingest time and
        (unless a new one is given) its raw input. `raw` (alias `documents`) maps a result id
        to its raw input, bytes or the Document it came from, kept for reprocessing.

        If the process dies, every batch is either fully stored or absent, so running the
        same save again completes the database with no duplicates.
        """
        self._writable()
        sources = {**(raw or {}), **(documents or {})}
        summary = SaveSummary()
        iterator = iter(results)
        while batch := list(itertools.islice(iterator, max(1, batch_size))):
            self._save_batch(batch, sources, replace, summary)
        return summary

    def replace(self, result: ArticleResult, raw: RawSource | None = None) -> SaveSummary:
        """Re-write one stored article (re-extracted) and its derived rows in one transaction.

        The raw input is kept unless `raw` is given. An article not yet stored is inserted.
        """
        return self.save([result], {result.id: raw} if raw is not None else None, replace=True)

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(f"{self.location} is open read-only")

    def _save_batch(self, batch: list[ArticleResult], sources: Mapping[str, RawSource], replace: bool,
                    summary: SaveSummary) -> None:
        keyed: dict[str, ArticleResult] = {}
        for result in batch:
            if safe_text(result.id) != result.id:  # ids are keys in every table: storable text only
                result = dataclasses.replace(result, id=safe_text(result.id))
            key = safe_text(dedup_key(result))
            if key in keyed:
                summary.already_present += 1
            else:
                keyed[key] = result
        now = _now()
        with self.backend.transaction():
            self.backend.lock_writers()
            by_key, by_id = self._existing(list(keyed), [r.id for r in keyed.values()])
            plan = _Plan(now=now)
            for key, result in keyed.items():
                old = by_key.get(key) or (by_id.get(result.id) if replace else None)
                if old is not None and (not replace or old["id"] in plan.replaced_ids):
                    summary.already_present += 1
                    continue
                stored = self._place(result, key, old, by_id, plan, summary)
                add_result(plan.columns, stored, self.codes, key=key,
                           ingested_at=old["ingested_at"] if old else now, processed_at=now)
                source = sources.get(result.id)
                document = _document(source, stored) if source is not None else None
                if document is not None and document.raw:
                    add_raw(plan.columns, stored.id, document)
                    plan.new_raw.append(stored.id)
                summary.count_written(stored)
            self._regroup(plan.replaced_ids)
            self._delete(plan.replaced_ids, DERIVED_TABLES + ("articles",))
            self._delete(plan.new_raw, ("raw_inputs",))
            for table in TABLE_COLUMNS:
                self._insert(table, plan.columns)

    def _place(self, result: ArticleResult, key: str, old: dict | None, by_id: dict, plan: "_Plan",
               summary: SaveSummary) -> ArticleResult:
        """The result as it will be stored: under the old id when replacing, a fresh id on collision."""
        if old is not None:
            plan.replaced_ids.append(old["id"])
            summary.replaced += 1
            return result if result.id == old["id"] else dataclasses.replace(result, id=old["id"])
        summary.inserted += 1
        article_id = result.id
        if article_id in by_id or article_id in plan.ids:
            article_id = self._fresh_id(result.id, key, by_id, plan.ids)
            summary.renamed.append((result.id, article_id))
            log.warning("id %s is already used by other content: storing this input as %s",
                        result.id, article_id)
            result = dataclasses.replace(result, id=article_id)
        plan.ids.add(article_id)
        return result

    def _fresh_id(self, article_id: str, key: str, by_id: dict, batch_ids: set[str]) -> str:
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
        for n in itertools.count():
            candidate = f"{article_id}-{digest[:8]}" + (f"-{n}" if n else "")
            if candidate not in batch_ids and candidate not in by_id and not self._existing([], [candidate])[1]:
                return candidate
        raise AssertionError("unreachable")

    def _existing(self, keys: list[str], ids: list[str]) -> tuple[dict[str, dict], dict[str, dict]]:
        """Stored articles with one of these dedup keys or ids: (by key, by id)."""
        if not keys and not ids:
            return {}, {}
        rows = self.backend.rows(
            "SELECT id, dedup_key, ingested_at FROM articles"
            f" WHERE dedup_key IN (SELECT {_array('text')}) OR id IN (SELECT {_array('text')})", [keys, ids])
        for row in rows:
            row["ingested_at"] = datetime.fromisoformat(row["ingested_at"])
        wanted_keys, wanted_ids = set(keys), set(ids)
        return ({r["dedup_key"]: r for r in rows if r["dedup_key"] in wanted_keys},
                {r["id"]: r for r in rows if r["id"] in wanted_ids})

    def _regroup(self, ids: list[str]) -> None:
        """Mark the merged events (event_groups) that have a mention in these articles, about to
        be re-written, for regrouping by `tidings.dedup.merge.group_events`."""
        if ids:
            self.backend.execute(
                "UPDATE event_groups SET num_mentions = NULL WHERE id IN (SELECT group_id FROM events"
                f" WHERE article_id IN (SELECT {_array('text')}) AND group_id IS NOT NULL)", [ids])

    def forget_failures(self, origins: list[str]) -> list[str]:
        """Delete the stored errors (status "error", nothing derived) of these origins, e.g. files
        an ingest no longer reads as articles; returns the origins forgotten."""
        if not origins:
            return []
        with self.backend.transaction():
            self.backend.lock_writers()
            rows = self.backend.rows(
                f"SELECT id, origin FROM articles WHERE status = 'error' AND origin IN (SELECT {_array('text')})",
                [origins])
            self._delete([r["id"] for r in rows], DERIVED_TABLES + ("raw_inputs", "articles"))
        return sorted(r["origin"] for r in rows)

    def _delete(self, ids: list[str], tables: Iterable[str]) -> None:
        if not ids:
            return
        for table in tables:
            column = "id" if table == "articles" else "article_id"
            self.backend.execute(f"DELETE FROM {table} WHERE {column} IN (SELECT {_array('text')})", [ids])

    def _insert(self, table: str, columns: Columns) -> None:
        if not columns.count(table):
            return
        spec = TABLE_COLUMNS[table]
        names = ", ".join(name for name, _ in spec)
        values = ", ".join(_array(sql_type) for _, sql_type in spec)
        self.backend.execute(f"INSERT INTO {table} ({names}) SELECT {values}",
                             [columns.tables[table][name] for name, _ in spec])

    # -- raw inputs (reprocessing) --------------------------------------------------------------
    def iter_raw(self) -> Iterator[RawInput]:
        """Every kept raw input as (article_id, origin, kind, raw, url, title, published), in
        article id order. Fetched in pages, so the caller may write to the store in between."""
        for row in self._raw_rows():
            yield RawInput(*row[:7])

    def iter_documents(self) -> Iterator[Document]:
        """The kept raw inputs as Documents (id = the stored article id, meta as first given),
        for `--reprocess`."""
        for article_id, origin, kind, raw, url, title, published, meta in self._raw_rows():
            yield Document(id=article_id, origin=origin or article_id, kind=kind, raw=raw, url=url,
                           title=title, published=published, meta=json.loads(meta) if meta else {})

    def _raw_rows(self) -> Iterator[tuple]:
        last = None
        while True:
            key = self.backend.codepoint("article_id")
            where = f"WHERE {key} > ?" if last is not None else ""
            _, rows = self.backend.query(
                "SELECT article_id, origin, kind, raw, url, title, published, meta FROM raw_inputs"
                f" {where} ORDER BY {key} LIMIT {RAW_PAGE}", [last] if last is not None else [])
            for row in rows:
                yield (*row[:3], bytes(row[3]), *row[4:])
            if len(rows) < RAW_PAGE:
                return
            last = rows[-1][0]

    # -- reading --------------------------------------------------------------------------------
    def article(self, id_or_prefix: str) -> ArticleResult | None:
        """The stored ArticleResult by id, or by a unique id prefix; None when there is none.

        Raises StoreError when the prefix matches more than one article.
        """
        text = self.backend.scalar("SELECT result FROM articles WHERE id = ?", [id_or_prefix])
        if text is not None:
            return result_from_json(text)
        where = Where()
        article_match("id", id_or_prefix, where)
        rows = self.backend.rows(
            f"SELECT id, result FROM articles {where.sql()} ORDER BY {self.backend.codepoint('id')} LIMIT 6",
            where.params)
        if len(rows) > 1:
            ids = ", ".join(r["id"] for r in rows[:5])
            raise StoreError(f"article id prefix {id_or_prefix!r} is ambiguous: {ids}"
                             + (", …" if len(rows) > 5 else ""))
        return result_from_json(rows[0]["result"]) if rows else None

    def events(self, f: EventFilter | None = None) -> list[dict[str, Any]]:
        """Events matching `f`, one flat dict each (source/target as "CAN MIL"-style labels,
        joined by "; " when there are several, plus names, sentence, article title).

        With `f.merged`, one row per merged event (event_groups, see tidings.dedup.merge): the
        fields of its first mention plus group_id, num_mentions, num_articles, num_sources,
        first_day and last_day. The filters and the order apply to that first mention.
        Every row names where the event happened: place, place_country (ISO3), geonameid, and
        lat/lon from the offline gazetteer (tidings.geo; None when unknown)."""
        f = f or EventFilter()
        where = event_where(f, self.codes)
        order = order_by(f.order, event_orders(self.backend))
        page, page_params = paging(f.limit, f.offset)
        merged, groups = "", ""
        if f.merged:
            where.add(MERGED_FIRST_MENTION)
            merged, groups = MERGED_COLUMNS, MERGED_JOIN
        rows = self.backend.rows(  # page the events first, then join the page's articles
            "SELECT e.day AS date, e.type, e.mode, e.quad_class, e.source_label AS source,"
            " e.source_names, e.target_label AS target, e.target_names, e.factuality, e.background,"
            " e.attribution_kind, e.attribution_speaker, e.attribution_confirmed, e.attribution_disputed,"
            " e.trigger_text AS trigger, e.sentence_text AS sentence, e.date AS event_date, coalesce(e.date_precision, CASE WHEN e.date IS NULL THEN 'none' ELSE 'day' END) AS date_precision,"
            " e.location_country, e.location_name, e.rule, e.confidence, e.article_id, e.ordinal AS event,"
            f" a.title AS article_title, a.published, a.url, {PLACE_COLUMNS}{merged}"
            f" FROM (SELECT * FROM events e {where.sql()} ORDER BY {order}{page}) e"
            f" JOIN articles a ON a.id = e.article_id{groups} ORDER BY {order}",
            where.params + page_params)
        with_coordinates(rows)
        return rows

    def count_events(self, f: EventFilter | None = None) -> int:
        """How many events `Store.events(f)` lists over all its pages (limit and offset ignored;
        with `f.merged`, merged events)."""
        f = f or EventFilter()
        where = event_where(f, self.codes)
        if f.merged:
            where.add(MERGED_FIRST_MENTION)
        return int(self.backend.scalar(f"SELECT count(*) FROM events e {where.sql()}", where.params) or 0)

    def count_quotes(self, f: QuoteFilter | None = None) -> int:
        """How many quotes `Store.quotes(f)` lists over all its pages."""
        where = quote_where(f or QuoteFilter(), self.codes)
        join = " JOIN articles a ON a.id = q.article_id" if "a.published" in " ".join(where.conditions) else ""
        return int(self.backend.scalar(f"SELECT count(*) FROM quotes q{join} {where.sql()}", where.params) or 0)

    def count_actors(self, f: ActorFilter | None = None) -> int:
        """How many actors `Store.actors(f)` lists over all its pages."""
        where = actor_where(f or ActorFilter(), self.codes)
        return int(self.backend.scalar(
            f"SELECT count(*) FROM (SELECT DISTINCT m.name, m.country, m.sector FROM mentions m {where.sql()}) d",
            where.params) or 0)

    def trends(self, f: EventFilter | None = None, interval: str = "week") -> list[dict[str, Any]]:
        """Counts of matching events per `interval` ("day", "week", "month", "quarter", "year")
        and type: rows {period (first day, ISO), type, events}, oldest first. Paging of `f` applies."""
        f = f or EventFilter(limit=None)
        if interval not in TREND_INTERVALS:
            raise ValueError(f"interval must be one of {', '.join(TREND_INTERVALS)}")
        where = event_where(f, self.codes)
        where.add("e.day IS NOT NULL")
        page, page_params = paging(f.limit, f.offset)
        return self.backend.rows(
            f"SELECT CAST(date_trunc('{interval}', e.day) AS DATE) AS period, e.type, count(*) AS events"
            f" FROM events e {where.sql()} GROUP BY 1, 2 ORDER BY 1, {self.backend.codepoint('e.type')}{page}",
            where.params + page_params)

    def quotes(self, f: QuoteFilter | None = None) -> list[dict[str, Any]]:
        """Quotes matching `f`, one flat dict each (speaker name, speaker_actor label, text, …)."""
        f = f or QuoteFilter()
        where = quote_where(f, self.codes)
        c = self.backend.codepoint
        order = order_by(f.order, {
            "article": f"{c('q.article_id')}, q.ordinal",
            "speaker": f"{c('coalesce(q.speaker_name, q.speaker_text)')} ASC NULLS LAST, {c('q.article_id')},"
                       " q.ordinal",
            "-date": f"{c('a.published')} DESC NULLS LAST, {c('q.article_id')}, q.ordinal",
        })
        page, page_params = paging(f.limit, f.offset)
        rows = self.backend.rows(
            "SELECT coalesce(q.speaker_name, q.speaker_text) AS speaker, q.speaker_country,"
            " q.speaker_sector, q.direct, q.text, q.cue_text AS cue, q.article_id, q.ordinal AS quote,"
            " a.title AS article_title, a.published"
            f" FROM quotes q JOIN articles a ON a.id = q.article_id {where.sql()} ORDER BY {order}{page}",
            where.params + page_params)
        for row in rows:
            row["speaker_actor"] = (actor_label(row["speaker_country"], row["speaker_sector"], row["speaker"])
                                    if row["speaker"] is not None else None)
        return rows

    def last_write(self) -> str:
        """A cheap marker that changes whenever the stored data does (an article saved,
        replaced or deleted, or a schema upgrade): for HTTP ETags. Not a timestamp to show."""
        row = self.backend.rows(
            "SELECT count(*) AS n, CAST(max(processed_at) AS TEXT) AS processed,"
            " CAST(max(ingested_at) AS TEXT) AS ingested,"
            " (SELECT CAST(max(applied_at) AS TEXT) FROM schema_version) AS upgraded FROM articles")[0]
        return f"{row['n']}|{row['processed']}|{row['ingested']}|{row['upgraded']}"

    def actors(self, f: ActorFilter | None = None) -> list[dict[str, Any]]:
        """Distinct resolved actors (name, country, sector) with counts: mentions, articles,
        and how often they are an event's source or target."""
        f = f or ActorFilter()
        where = actor_where(f, self.codes)
        roles = Where()
        if f.article:
            article_match("p.article_id", f.article, roles)
        c = self.backend.codepoint
        name, country, sector = c("m.name"), c("m.country"), c("m.sector")  # (name, country, sector) is unique
        order = order_by(f.order, {
            "mentions": f"m.mentions DESC, {name}, {country} NULLS FIRST, {sector} NULLS FIRST",
            "name": f"{name}, {country} NULLS FIRST, {sector} NULLS FIRST",
            "country": f"{country} NULLS LAST, {sector} NULLS FIRST, {name}",
            "events": f"coalesce(p.as_source, 0) + coalesce(p.as_target, 0) DESC, {name}, {country} NULLS FIRST,"
                      f" {sector} NULLS FIRST",
        })
        page, page_params = paging(f.limit, f.offset)
        rows = self.backend.rows(
            "WITH m AS (SELECT m.name, m.country, m.sector, count(*) AS mentions,"
            f"   count(DISTINCT m.article_id) AS articles FROM mentions m {where.sql()}"
            "   GROUP BY m.name, m.country, m.sector),"
            " p AS (SELECT p.name, p.country, p.sector,"
            "   count(*) FILTER (WHERE p.role = 'source') AS as_source,"
            f"   count(*) FILTER (WHERE p.role = 'target') AS as_target FROM event_participants p {roles.sql()}"
            "   GROUP BY p.name, p.country, p.sector)"
            " SELECT m.name, m.country, m.sector, m.mentions, m.articles,"
            " coalesce(p.as_source, 0) AS as_source, coalesce(p.as_target, 0) AS as_target"
            " FROM m LEFT JOIN p ON p.name = m.name AND p.country IS NOT DISTINCT FROM m.country"
            f" AND p.sector IS NOT DISTINCT FROM m.sector ORDER BY {order}{page}",
            where.params + roles.params + page_params)
        for row in rows:
            row["actor"] = actor_label(row["country"], row["sector"], row["name"])
        return rows

    def errors(self, limit: int | None = None, offset: int = 0) -> list[ErrorRow]:
        """Articles not extracted (status "error" or "skipped"), with their reason (paged when
        `limit` is given)."""
        c = self.backend.codepoint
        page, params = paging(limit, offset)
        _, rows = self.backend.query(
            f"SELECT id, origin, status, error FROM articles WHERE status <> 'ok' ORDER BY {c('status')}, {c('id')}"
            f"{page}", params)
        return [ErrorRow(*row) for row in rows]

    def count_errors(self) -> int:
        return int(self.backend.scalar("SELECT count(*) FROM articles WHERE status <> 'ok'"))

    def stats(self) -> dict[str, Any]:
        """Counts: articles by status, events (total, by type, by quad class), quotes, mentions,
        distinct actors, and the list of errors (article id, origin, status, error)."""
        scalar, c = self.backend.scalar, self.backend.codepoint
        by_status = dict(self.backend.query(
            f"SELECT status, count(*) FROM articles GROUP BY status ORDER BY {c('status')}")[1])
        by_type = dict(self.backend.query(
            f"SELECT type, count(*) FROM events GROUP BY type ORDER BY count(*) DESC, {c('type')}")[1])
        quad = "coalesce(quad_class, '(none)')"
        by_quad = dict(self.backend.query(
            f"SELECT {quad}, count(*) FROM events GROUP BY 1 ORDER BY {c(quad)}")[1])
        return {
            "database": self.location,
            "schema_version": self._read_version(),
            "articles": {"total": sum(by_status.values()), **by_status},
            "events": int(scalar("SELECT count(*) FROM events")),
            "events_by_type": by_type,
            "events_by_quad_class": by_quad,
            "quotes": int(scalar("SELECT count(*) FROM quotes")),
            "mentions": int(scalar("SELECT count(*) FROM mentions")),
            "actors": int(scalar("SELECT count(*) FROM (SELECT DISTINCT name, country, sector"
                                 " FROM mentions WHERE name IS NOT NULL) d")),
            "errors": [list(row) for row in self.errors()],
        }


@dataclass
class _Plan:
    """What one batch will write."""

    now: datetime
    columns: Columns = field(default_factory=Columns)
    replaced_ids: list[str] = field(default_factory=list)
    new_raw: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)


def _document(source: RawSource, result: ArticleResult) -> Document:
    if isinstance(source, Document):
        return source
    raw = bytes(source)
    kind = "html" if raw.lstrip()[:1] == b"<" else "text"
    return Document(id=result.id, origin=result.origin or result.id, kind=kind, raw=raw, url=result.url)


def open_store(db: str, *, read_only: bool = False, upgrade: bool = True) -> Store:
    """Open the tidings database `db`: a DuckDB file path or a postgresql:// URL.

    Opened for writing (the default), a new database gets the schema and an older one is
    upgraded in place (each migration in one transaction) unless `upgrade=False`. Opened
    `read_only`, an older schema raises SchemaVersionError telling to run
    `tidings db upgrade`. A newer schema always raises SchemaVersionError. A DuckDB file
    that another process has open raises StoreLockedError at once (no waiting).
    """
    backend = connect(db, read_only=read_only)
    try:
        store = Store(backend, read_only=read_only)
        store.check_version(upgrade=upgrade)
    except BaseException:
        backend.close()
        raise
    return store
