"""The one schema of the store, as an ordered list of versioned migrations.

Each migration is a list of steps run in one transaction together with the row that records
it in `schema_version`. A step is SQL understood by both DuckDB and PostgreSQL, SQL for one
backend only (`Only`), or a Python function `(execute, codes) -> None` for data changes that
depend on the knowledge files. Migrations are append-only: never edit a released one, add a
new one. `SCHEMA_VERSION` is the version this code reads and writes.

Tables (one row per …):
  schema_version       applied migration (version, description, applied_at)
  articles             article: metadata, status/error, cleaned text, the full ArticleResult
                       as JSON (`result`, the source of truth for round-trips), `dedup_key`
  raw_inputs           article whose raw input was kept (bytes + how to read them again)
  mentions             actor mention (span + resolved actor)
  events               event (type, mode, trigger, sentence, date, location, factuality,
                       attribution, rule, derived quad class and source/target labels, and
                       source_codes/target_codes: "/USA:GOV//RUS:/" (one "/country:sector/" per
                       participant) so that actor-code filters need no join; target_codes is
                       NULL for an event with no target, '' when its targets name no actor: rows stored
                       before that distinction have NULL for both until re-processed), and group_id:
                       the event_groups row of the event it reports (NULL until grouped), and
                       confidence: the verifier's probability (0-1) that a careful coder would
                       code the event (NULL for rows stored before version 7 until re-processed),
                       and date_precision: day | month | year | none (date is reduced ISO:
                       "2014", "2014-03", "2014-03-05"; day is its first day)
  event_participants   source or target of an event
  quotes               quote (text, speaker, cue)
  event_groups         merged event: the mentions (events.group_id) that report one event, with
                       counts (mentions, articles, sources), day range, first/last ingest time and
                       "/CAN//USA/"-style source/target country lists; id = "<article id>:<ordinal>"
                       of its first mention; num_mentions NULL marks a group to regroup (its
                       article was replaced). See tidings.dedup.merge.
  ingest_errors (view) article whose status is not "ok" (error or skipped), with its reason
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tidings.store.codes import Codes

Execute = Callable[[str, Any], Any]


@dataclass(frozen=True)
class Only:
    """A step for one backend ("duckdb" or "postgresql")."""

    backend: str
    sql: str


Step = str | Only | Callable[[Execute, Codes], None]


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    steps: tuple[Step, ...]


def _fill_quad_class(execute: Execute, codes: Codes) -> None:
    for event_type, quad in sorted(codes.quad_classes.items()):
        execute("UPDATE events SET quad_class = ? WHERE upper(type) = ?", [quad, event_type])


def _derived(create: str, key: str) -> tuple[Only, Only]:
    """A table of rows derived from an article: with a primary key in PostgreSQL (its B-tree
    also serves joins and deletes), without one in DuckDB (its ART index would cost ~40% of
    the file and of the ingest time; the store's delete-then-insert keeps rows unique)."""
    return (Only("duckdb", create.format(key="")),
            Only("postgresql", create.format(key=f",\n        PRIMARY KEY ({key})")))


V1 = Migration(1, "articles, raw inputs, mentions, events, participants, quotes", (
    """CREATE TABLE schema_version (
        version INTEGER PRIMARY KEY,
        description TEXT NOT NULL,
        applied_at TIMESTAMP NOT NULL)""",
    """CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        dedup_key TEXT NOT NULL UNIQUE,
        url TEXT, title TEXT, section TEXT, published TEXT, language TEXT,
        credited_publisher TEXT, site_name TEXT, author TEXT, origin TEXT,
        content_hash TEXT,
        status TEXT NOT NULL,
        error TEXT,
        text TEXT,
        n_mentions INTEGER NOT NULL, n_events INTEGER NOT NULL, n_quotes INTEGER NOT NULL,
        result TEXT NOT NULL,
        ingested_at TIMESTAMP NOT NULL,
        processed_at TIMESTAMP NOT NULL)""",
    """CREATE TABLE raw_inputs (
        article_id TEXT PRIMARY KEY,
        origin TEXT, kind TEXT NOT NULL, raw BYTEA NOT NULL,
        url TEXT, title TEXT, published TEXT, meta TEXT)""",
    *_derived("""CREATE TABLE mentions (
        article_id TEXT NOT NULL, ordinal INTEGER NOT NULL,
        text TEXT, start_char INTEGER, end_char INTEGER, entity INTEGER, label TEXT,
        name TEXT, country TEXT, sector TEXT, how TEXT, kb_id TEXT{key})""", "article_id, ordinal"),
    *_derived("""CREATE TABLE events (
        article_id TEXT NOT NULL, ordinal INTEGER NOT NULL,
        type TEXT NOT NULL, mode TEXT, context TEXT,
        trigger_text TEXT, trigger_start INTEGER, trigger_end INTEGER,
        sentence_start INTEGER, sentence_end INTEGER, sentence_text TEXT,
        date TEXT, date_text TEXT, day DATE,
        location_text TEXT, location_start INTEGER, location_end INTEGER,
        location_country TEXT, location_name TEXT, location_geonameid BIGINT,
        factuality TEXT, background BOOLEAN,
        attribution_kind TEXT, attribution_speaker TEXT, attribution_confirmed BOOLEAN,
        attribution_disputed BOOLEAN, attribution_denied_by TEXT,
        rule TEXT, size BIGINT,
        source_label TEXT, source_names TEXT, target_label TEXT, target_names TEXT{key})""",
        "article_id, ordinal"),
    *_derived("""CREATE TABLE event_participants (
        article_id TEXT NOT NULL, event_ordinal INTEGER NOT NULL,
        role TEXT NOT NULL, ordinal INTEGER NOT NULL,
        text TEXT, start_char INTEGER, end_char INTEGER,
        country TEXT, sector TEXT, name TEXT{key})""", "article_id, event_ordinal, role, ordinal"),
    *_derived("""CREATE TABLE quotes (
        article_id TEXT NOT NULL, ordinal INTEGER NOT NULL,
        text TEXT, start_char INTEGER, end_char INTEGER, direct BOOLEAN,
        speaker_text TEXT, speaker_start INTEGER, speaker_end INTEGER,
        speaker_name TEXT, speaker_country TEXT, speaker_sector TEXT,
        cue_text TEXT, cue_start INTEGER, cue_end INTEGER{key})""", "article_id, ordinal"),
))

V2 = Migration(2, "events.quad_class, ingest_errors view, query indexes", (
    "ALTER TABLE events ADD COLUMN quad_class TEXT",
    _fill_quad_class,
    """CREATE VIEW ingest_errors AS
        SELECT id AS article_id, origin, status, error, ingested_at
        FROM articles WHERE status <> 'ok'""",
    "CREATE INDEX articles_content_hash ON articles (content_hash)",
    Only("postgresql", "CREATE INDEX events_day ON events (day)"),
    Only("postgresql", "CREATE INDEX events_type_day ON events (type, day)"),
    Only("postgresql", "CREATE INDEX participants_country ON event_participants (country, sector)"),
    Only("postgresql", "CREATE INDEX mentions_actor ON mentions (country, sector)"),
))

V3 = Migration(3, "URL indexes (Store.has_url)", (
    "CREATE INDEX articles_url ON articles (url)",
    "CREATE INDEX raw_inputs_url ON raw_inputs (url)",
))

_CODES = ("UPDATE events SET {role}_codes = c.codes FROM (SELECT article_id, event_ordinal,"
          " string_agg('/' || coalesce(country, '') || ':' || coalesce(sector, '') || '/', '') AS codes"
          " FROM event_participants WHERE role = '{role}' GROUP BY article_id, event_ordinal) c"
          " WHERE events.article_id = c.article_id AND events.ordinal = c.event_ordinal")

V4 = Migration(4, "events.source_codes/target_codes: actor codes of each side, for fast filters", (
    "ALTER TABLE events ADD COLUMN source_codes TEXT",
    "ALTER TABLE events ADD COLUMN target_codes TEXT",
    _CODES.format(role="source"),
    _CODES.format(role="target"),
))

V5 = Migration(5, "near-duplicate clusters: articles.cluster_id, MinHash signatures and LSH band buckets", (
    "ALTER TABLE articles ADD COLUMN cluster_id TEXT",
    "CREATE INDEX articles_cluster ON articles (cluster_id)",
    """CREATE TABLE dedup_signatures (
        article_id TEXT PRIMARY KEY, text_sig BYTEA NOT NULL, anchor_sig BYTEA,
        n_text INTEGER NOT NULL, n_anchors INTEGER NOT NULL)""",
    """CREATE TABLE dedup_bands (
        view TEXT NOT NULL, band INTEGER NOT NULL, hash BIGINT NOT NULL, article_id TEXT NOT NULL)""",
    "CREATE INDEX dedup_bands_hash ON dedup_bands (hash)",
))

V6 = Migration(6, "merged events: events.group_id and event_groups (one row per event reported by many articles)", (
    "ALTER TABLE events ADD COLUMN group_id TEXT",
    "CREATE INDEX events_group ON events (group_id)",
    """CREATE TABLE event_groups (
        id TEXT PRIMARY KEY, type TEXT NOT NULL, first_day DATE, last_day DATE,
        num_mentions INTEGER, num_articles INTEGER, num_sources INTEGER,
        source_countries TEXT, target_countries TEXT,
        first_seen TIMESTAMP, last_seen TIMESTAMP)""",
    "CREATE INDEX event_groups_type_day ON event_groups (type, last_day)",
))

V7 = Migration(7, "events.confidence: the verifier's probability that a careful coder would code the event", (
    # Rows stored before this version keep NULL: `tidings ingest --reprocess` gives them one.
    "ALTER TABLE events ADD COLUMN confidence DOUBLE PRECISION",
))

V8 = Migration(8, "events.date_precision: how precise the event's date is (day, month, year, none)", (
    # events.date is reduced ISO from now on ("2014", "2014-03"); events.day its first day.
    # Rows stored before this version keep NULL, read as day (a date) or none (no date): no
    # rewrite of every row (an UPDATE of 1M indexed rows took over 15 minutes in DuckDB);
    # re-processing gives a year or a month its true precision.
    "ALTER TABLE events ADD COLUMN date_precision TEXT",
))

MIGRATIONS: tuple[Migration, ...] = (V1, V2, V3, V4, V5, V6, V7, V8)
SCHEMA_VERSION = MIGRATIONS[-1].version

# Tables holding rows derived from one article (deleted and re-inserted on replace).
DERIVED_TABLES = ("mentions", "events", "event_participants", "quotes")


def steps_for(migration: Migration, backend: str) -> list[str | Callable[[Execute, Codes], None]]:
    """The steps of `migration` that apply to `backend`, in order."""
    out: list[str | Callable[[Execute, Codes], None]] = []
    for step in migration.steps:
        if isinstance(step, Only):
            if step.backend == backend:
                out.append(step.sql)
        else:
            out.append(step)
    return out
