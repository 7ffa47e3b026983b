"""`tidings export`: tables as CSV, JSON Lines or Parquet, and events as PLOVER/POLECAT records.

The `plover` format writes one JSON object per event with the column names of the POLECAT
data releases (Event ID, Event Date, Event Type, Event Mode, Quad Code, Contexts, Actor …,
Recipient …, Placename …, Source, Publication Date, Story People/Organizations/Locations,
Language, Version), so a POLECAT user's loader reads it unchanged, plus tidings' own provenance
fields (sentence, offsets, rule, factuality, attribution, confidence, date precision, and the merged
event: group id and numbers of reports, articles and sources) under keys that start with
"tidings_". A plover record is one merged event (tidings.dedup.merge), not one report of it:
its POLECAT columns are its first report's, and the PLOVER manual's `actor` and `recipient`
lists (entity objects: code, sector, entity_text, identifier_text) hold every actor of every
report. Events in the other formats are merged events (one row per event) when the query asks
(`EventFilter.merged`, the CLI's default). "Event Date" is as precise as the text ("2014",
"2014-03", "2014-03-05"; tidings_date_precision says which).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from tidings import __version__
from tidings.output import csv_safe
from tidings.records import ArticleResult, Event, Participant

TABLES = ("events", "quotes", "actors", "articles")
FORMATS = ("csv", "jsonl", "parquet", "plover")
PAGE = 5000
QUAD_CODE = {"verbal cooperation": 1, "material cooperation": 2, "verbal conflict": 3, "material conflict": 4}
LIST_SEPARATOR = "; "  # how CSV writes a list cell


@dataclass
class ExportSettings:
    table: str = "events"
    format: str = "csv"
    output: str | None = None  # None: standard output (not for parquet)


# --- the columns of each table ----------------------------------------------------------------
# One row per exported column: its name, its type and what it means. Parquet gets these types
# (DATE, TIMESTAMP, BOOLEAN, BIGINT, DOUBLE, VARCHAR, VARCHAR[]), JSON Lines the matching JSON
# values (ISO dates, true/false/null, arrays), CSV the same values with lists joined by "; ".
# The README's data dictionary lists the same columns (a test keeps the two equal).

TYPES = ("text", "date", "timestamp", "bool", "int", "float", "list")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    doc: str
    merged_only: bool = False  # events: only in one-row-per-merged-event exports


def _cols(*specs: tuple) -> tuple[Column, ...]:
    return tuple(Column(*spec) for spec in specs)


_SIDE = lambda side, who: _cols(  # noqa: E731 - the four columns of an event's source or target
    (side, "list", f"Actor codes of the {who}s, one per {who} ('RUS GOV', 'IGO NATO'; '?' when uncoded)."),
    (f"{side}_names", "list", f"Names of the {who}s (the text when no name is known)."),
    (f"{side}_country", "list", f"ISO 3166-1 alpha-3 country (or IGO) of each {who}; null when unknown."),
    (f"{side}_sector", "list", f"PLOVER sector code (GOV, MIL, …) of each {who}; null when unknown."),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    "events": _cols(
        ("date", "date", "The event's date: the one the article gives, else its publication date (the first day"
                         " of its month or year when date_precision says so)."),
        ("date_precision", "text", "How precise the date is: day, month, year or none (the text gave no date)."),
        ("type", "text", "PLOVER event type (ACCUSE, ASSAULT, …)."),
        ("mode", "text", "PLOVER mode of the type, or null."),
        ("quad_class", "text", "verbal cooperation, material cooperation, verbal conflict or material conflict."),
    ) + _SIDE("source", "source") + _SIDE("target", "target") + _cols(
        ("factuality", "text", "asserted, reported, hypothetical, future, negated or denied."),
        ("background", "bool", "True for an earlier fact the article recalls."),
        ("attribution_kind", "text", "Who the report rests on: outlet, named, official, spokesperson, anonymous,"
                                     " document or none."),
        ("attribution_speaker", "text", "The named source, when there is one."),
        ("attribution_confirmed", "bool", "True: confirmed, False: unconfirmed, null: not said."),
        ("attribution_disputed", "bool", "True when someone denies or disputes the report."),
        ("trigger", "text", "The words that name the act."),
        ("sentence", "text", "The sentence that reports the event."),
        ("location_country", "text", "ISO3 country of the event's place, or null."),
        ("location_name", "text", "Name of the event's place, or null."),
        ("place", "text", "The gazetteer's name of the event's place (GeoNames), or null."),
        ("place_country", "text", "ISO3 country the event happened in, or null."),
        ("geonameid", "int", "GeoNames id of the place, or null."),
        ("lat", "float", "Latitude of the place (GeoNames; a country's outline centre), or null."),
        ("lon", "float", "Longitude of the place, or null."),
        ("rule", "text", "Id of the coding rule that fired."),
        ("confidence", "float", "The verifier's probability (0-1) that a careful coder would code the event."),
        ("article_id", "text", "The reporting article (`tidings show ARTICLE_ID`)."),
        ("event", "int", "The event's number within its article."),
        ("article_title", "text", "Title of the article."),
        ("published", "date", "Publication date of the article."),
        ("url", "text", "URL of the article, when known."),
        ("group_id", "text", "Id of the merged event (one event reported by many articles).", True),
        ("num_mentions", "int", "Reports of the merged event.", True),
        ("num_articles", "int", "Articles that report it.", True),
        ("num_sources", "int", "Distinct outlets that report it.", True),
        ("first_day", "date", "Earliest date among its reports.", True),
        ("last_day", "date", "Latest date among its reports.", True),
    ),
    "quotes": _cols(
        ("speaker", "text", "The speaker's name (the text when no name is known), or null."),
        ("speaker_country", "text", "ISO3 country (or IGO) of the speaker."),
        ("speaker_sector", "text", "PLOVER sector code of the speaker."),
        ("speaker_actor", "text", "The speaker's actor code ('RUS GOV')."),
        ("direct", "bool", "True for a direct (quoted) quote, False for reported speech."),
        ("text", "text", "What was said."),
        ("cue", "text", "The speech verb or cue ('said', 'told')."),
        ("article_id", "text", "The article."),
        ("quote", "int", "The quote's number within its article."),
        ("article_title", "text", "Title of the article."),
        ("published", "date", "Publication date of the article."),
    ),
    "actors": _cols(
        ("name", "text", "The actor's name."),
        ("country", "text", "ISO3 country, or IGO."),
        ("sector", "text", "PLOVER sector code."),
        ("actor", "text", "Actor code ('RUS GOV', 'IGO NATO')."),
        ("mentions", "int", "Mentions in all articles."),
        ("articles", "int", "Articles that mention it."),
        ("as_source", "int", "Events it is a source of."),
        ("as_target", "int", "Events it is a target of."),
    ),
    "articles": _cols(
        ("id", "text", "Article id."),
        ("title", "text", "Title."),
        ("published", "date", "Publication date."),
        ("language", "text", "ISO 639-1 language code."),
        ("credited_publisher", "text", "Publisher the text credits (a wire service), or null."),
        ("site_name", "text", "Publisher of the page."),
        ("author", "text", "Byline, when known."),
        ("url", "text", "URL, when known."),
        ("origin", "text", "Where the input came from (file path or URL)."),
        ("status", "text", "ok, skipped or error."),
        ("error", "text", "Why the article was skipped or failed."),
        ("n_mentions", "int", "Actor mentions found."),
        ("n_events", "int", "Events coded."),
        ("n_quotes", "int", "Quotes found."),
        ("ingested_at", "timestamp", "When the input was first stored (UTC)."),
        ("processed_at", "timestamp", "When it was last analysed (UTC)."),
    ),
}


def columns_for(table: str, query=None) -> tuple[Column, ...]:
    """The exported columns of `table` (events: the merged-event columns only when `query.merged`)."""
    merged = bool(getattr(query, "merged", False))
    return tuple(c for c in COLUMNS[table] if merged or not c.merged_only)


# --- reading ------------------------------------------------------------------------------------

def table_rows(store, table: str, query=None, dyad: tuple | None = None) -> Iterator[dict[str, Any]]:
    """All rows of a table, page by page (filters of `query` apply to events/quotes/actors;
    `dyad` (a, b, directed): only the events between a and b, as `tidings events --a --b`);
    events carry their sides as lists (`source`, `source_names`, `source_country`, …)."""
    from dataclasses import replace

    from tidings.store import ActorFilter, EventFilter, QuoteFilter

    if table == "articles":
        yield from _article_rows(store)
        return
    kind = {"events": (store.events, EventFilter), "quotes": (store.quotes, QuoteFilter),
            "actors": (store.actors, ActorFilter)}[table]
    method, cls = kind
    if dyad and table == "events":
        from tidings.analysis import dyad_events

        method = lambda g: dyad_events(store, dyad[0], dyad[1], g, bool(dyad[2]))  # noqa: E731
    base = query or cls()
    offset = 0
    while True:
        page = method(replace(base, limit=PAGE, offset=offset))
        yield from (_with_sides(store, page) if table == "events" else page)
        if len(page) < PAGE:
            return
        offset += PAGE


def _article_rows(store) -> Iterator[dict[str, Any]]:
    """Every article, newest publication first (ties by id)."""
    c = store.backend.codepoint
    offset = 0
    while True:
        page = store.backend.rows(
            "SELECT id, title, published, language, credited_publisher, site_name, author, url, origin, status,"
            " error, n_mentions, n_events, n_quotes, ingested_at, processed_at FROM articles"
            f" ORDER BY {c('published')} DESC NULLS LAST, {c('id')} LIMIT ? OFFSET ?", [PAGE, offset])
        yield from page
        if len(page) < PAGE:
            return
        offset += PAGE


def _with_sides(store, page: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The page's events with their participants as lists: labels, names, countries, sectors."""
    from tidings.store.rows import actor_label

    sides: dict[tuple[str, int, str], list[tuple]] = {}
    ids = sorted({row["article_id"] for row in page})
    _, found = store.backend.query(
        "SELECT article_id, event_ordinal, role, name, text, country, sector FROM event_participants"
        " WHERE article_id IN (SELECT unnest(?::text[])) ORDER BY article_id, event_ordinal, role, ordinal", [ids])
    for article_id, ordinal, role, name, text, country, sector in found:
        sides.setdefault((article_id, ordinal, role), []).append((name, text, country, sector))
    for row in page:
        row.pop("event_date", None)  # the same as `date`
        for role in ("source", "target"):
            parts = sides.get((row["article_id"], row["event"], role), ())
            row[role] = [actor_label(country, sector, name) for name, _, country, sector in parts]
            row[f"{role}_names"] = [name or text for name, text, _, _ in parts]
            row[f"{role}_country"] = [country for _, _, country, _ in parts]
            row[f"{role}_sector"] = [sector for _, _, _, sector in parts]
    return page


# --- typing and writing -------------------------------------------------------------------------

def _to_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _to_timestamp(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _to_list(value: Any) -> list | None:
    if value is None:
        return None
    if isinstance(value, list):
        return value
    return [part for part in str(value).split(LIST_SEPARATOR)] if value != "" else []


CONVERT: dict[str, Callable[[Any], Any]] = {
    "text": lambda v: v if v is None or isinstance(v, str) else str(v),
    "date": _to_date,
    "timestamp": _to_timestamp,
    "bool": lambda v: v if v is None else bool(v),
    "int": lambda v: v if v is None else int(v),
    "float": lambda v: v if v is None else float(v),
    "list": _to_list,
}


def arrow_schema(columns: tuple[Column, ...]):
    """The Arrow schema of `columns`, with pandas metadata so that pandas reads booleans and
    integers as nullable `boolean` and `Int64` (not object and float)."""
    import pyarrow as pa

    arrow = {"text": pa.string(), "date": pa.date32(), "timestamp": pa.timestamp("us"), "bool": pa.bool_(),
             "int": pa.int64(), "float": pa.float64(), "list": pa.list_(pa.string())}
    pandas_types = {"bool": ("boolean", "boolean"), "int": ("int64", "Int64")}
    meta = {"index_columns": [], "column_indexes": [], "creator": {"library": "tidings", "version": __version__},
            "columns": [{"name": c.name, "field_name": c.name, "pandas_type": pandas_types[c.type][0],
                         "numpy_type": pandas_types[c.type][1], "metadata": None}
                        for c in columns if c.type in pandas_types]}
    return pa.schema([pa.field(c.name, arrow[c.type]) for c in columns],
                     metadata={b"pandas": json.dumps(meta).encode()})


def _csv_value(value: Any) -> Any:
    if isinstance(value, list):
        return csv_safe(LIST_SEPARATOR.join("" if v is None else str(v) for v in value))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return csv_safe(value)


def _csv_cell(kind: str) -> Callable[[Any], Any]:
    """How CSV writes a value of a column of this type (text: `csv_safe`, lists joined)."""
    if kind == "text":
        return csv_safe
    if kind in ("int", "float", "bool"):
        return lambda v: v
    return _csv_value


def write_table(rows: Iterator[dict[str, Any]], fmt: str, out: TextIO | None, path: str | None,
                columns: tuple[Column, ...] | None = None, progress: Callable[[int], None] | None = None) -> int:
    """Write rows as csv/jsonl (to `out`) or parquet (to `path`); returns the row count.

    With `columns` (see COLUMNS) every row has exactly those columns, typed by them; without,
    the columns are the first row's keys and Parquet infers the types. CSV cells are `csv_safe`
    (no spreadsheet formulas) and lists are joined by "; "; JSON Lines and Parquet keep values as
    they are. `progress` is called with the number of rows written so far, once per page."""
    if fmt == "parquet":
        if not path:
            raise ValueError("parquet needs --output FILE")
        return _write_parquet(rows, path, columns, progress)
    count = 0
    if fmt == "csv" and columns is not None:
        writer = csv.writer(out)
        writer.writerow([c.name for c in columns])
        cells = [(c.name, _csv_cell(c.type)) for c in columns]
        for row in rows:
            writer.writerow([cell(row.get(name)) for name, cell in cells])
            count += 1
            if progress and count % PAGE == 0:
                progress(count)
    elif fmt == "csv":
        writer = None
        for row in rows:
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=list(row.keys()), extrasaction="ignore")
                writer.writeheader()
            writer.writerow({k: _csv_value(v) for k, v in row.items()})
            count += 1
    else:
        names = [c.name for c in columns] if columns is not None else None
        for row in rows:
            record = {name: row.get(name) for name in names} if names is not None else row
            out.write(json.dumps(record, ensure_ascii=False, default=_json_default) + "\n")
            count += 1
            if progress and count % PAGE == 0:
                progress(count)
    if progress:
        progress(count)
    return count


def _json_default(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (date, datetime)) else str(value)


def _write_parquet(rows: Iterator[dict[str, Any]], path: str, columns: tuple[Column, ...] | None,
                   progress: Callable[[int], None] | None) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if columns is None:  # untyped rows: one table, types inferred
        data = [{k: json.dumps(v, ensure_ascii=False, default=str) if isinstance(v, (list, dict)) else v
                 for k, v in row.items()} for row in rows]
        pq.write_table(pa.Table.from_pylist(data), path)
        return len(data)
    schema = arrow_schema(columns)
    count = 0
    with pq.ParquetWriter(path, schema) as writer:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == PAGE:
                writer.write_table(_arrow_batch(batch, columns, schema))
                count += len(batch)
                batch = []
                if progress:
                    progress(count)
        if batch or count == 0:
            writer.write_table(_arrow_batch(batch, columns, schema))
            count += len(batch)
    if progress:
        progress(count)
    return count


def _arrow_batch(batch: list[dict[str, Any]], columns: tuple[Column, ...], schema):
    """A page of rows as an Arrow table of `schema`, column by column: dates and times are parsed
    from the store's ISO text; a value of another type than its column's is converted (CONVERT)."""
    import pyarrow as pa

    arrays = []
    for column, field in zip(columns, schema):
        values = [row.get(column.name) for row in batch]
        if column.type in ("date", "timestamp"):
            values = [CONVERT[column.type](v) for v in values]
        try:
            arrays.append(pa.array(values, type=field.type))
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arrays.append(pa.array([CONVERT[column.type](v) for v in values], type=field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def plover_records(store, query=None, dyad: tuple | None = None) -> Iterator[dict[str, Any]]:
    """One POLECAT-style record per merged event (tidings.dedup.merge) whose first report the
    event filter selects, in article order. The record is its first report's, plus the PLOVER
    manual's `actor` and `recipient` lists (every source and target actor of every report of
    the event) and the merged event's id and counts (reports, articles, sources)."""
    from dataclasses import replace
    from itertools import groupby

    from tidings.store import EventFilter

    rows = table_rows(store, "events", replace(query or EventFilter(), merged=True, order="article"), dyad)
    for article_id, selected in groupby(rows, key=lambda row: row["article_id"]):
        result = store.article(article_id)
        if result is None:
            continue
        firsts = {row["event"]: row for row in selected}
        parties = _group_parties(store, article_id, firsts)
        for record in article_records(result, None, set(firsts)):
            row = firsts[int(record["Event ID"].rsplit("-", 1)[1])]
            group = row.get("group_id") or f"{article_id}:{row['event']}"
            record.update({
                "actor": parties.get((group, "source"), []), "recipient": parties.get((group, "target"), []),
                "tidings_group_id": group, "tidings_num_reports": row.get("num_mentions", 1),
                "tidings_num_articles": row.get("num_articles", 1), "tidings_num_sources": row.get("num_sources", 1),
            })
            yield record


def _group_parties(store, article_id: str, firsts: dict[int, dict]) -> dict[tuple[str, str], list[dict]]:
    """(group id, role) → the distinct actors of every report of the merged events first
    reported in this article, as PLOVER entity objects (code, sector, entity_text, identifier_text)."""
    rows = store.backend.rows(
        "SELECT coalesce(e.group_id, e.article_id || ':' || CAST(e.ordinal AS TEXT)) AS grp, p.role, p.country,"
        " p.sector, p.name, p.text FROM events e JOIN event_participants p ON p.article_id = e.article_id"
        " AND p.event_ordinal = e.ordinal WHERE e.group_id IN (SELECT g.group_id FROM events g"
        " WHERE g.article_id = ? AND g.group_id IS NOT NULL) OR (e.article_id = ? AND e.group_id IS NULL)"
        " ORDER BY e.article_id, e.ordinal, p.role, p.ordinal", [article_id, article_id])
    out: dict[tuple[str, str], list[dict]] = {}
    seen: set[tuple] = set()
    for r in rows:
        key = (r["grp"], r["role"], r["country"], r["sector"], r["name"] or r["text"])
        if key in seen:
            continue
        seen.add(key)
        out.setdefault((r["grp"], r["role"]), []).append({
            "code": r["country"] or "", "sector": r["sector"] or "", "entity_text": r["text"] or "",
            "identifier_text": r["name"] or ""})
    return out


def article_records(result: ArticleResult, groups: dict[int, tuple[str | None, int | None]] | None = None,
                    only: set[int] | None = None) -> Iterator[dict[str, Any]]:
    """The article's events as POLECAT-style records (`only`: just the events at these ordinals)."""
    from tidings.output import QUAD

    people, orgs = story_people_and_orgs(result)
    places = sorted({e.location.name or e.location.text for e in result.events if e.location})
    for number, event in enumerate(result.events):
        if only is not None and number not in only:
            continue
        actor, recipient = _first(event.source), _first(event.target)
        quad = QUAD.get(event.type)
        yield {
            "Event ID": f"{result.id}-{number}",
            "Event Date": event.date or result.published,
            "Event Type": event.type,
            "Event Mode": event.mode or "",
            "Event Intensity": None,
            "Quad Code": QUAD_CODE.get(quad),
            "Contexts": ";".join(event.context),
            **_party("Actor", actor, event.source),
            **_party("Recipient", recipient, event.target),
            **_place(event),
            "Source": result.credited_publisher or result.site_name or "",
            "Publication Date": result.published,
            "Story People": ";".join(people),
            "Story Organizations": ";".join(orgs),
            "Story Locations": ";".join(places),
            "Language": result.language,
            "Version": f"tidings {__version__}",
            **_provenance(result, event),
            "tidings_group_id": (groups or {}).get(number, (None, None))[0],
            "tidings_num_sources": (groups or {}).get(number, (None, None))[1],
            "tidings_date_precision": event.date_precision,
        }


PERSONAL_NAME = re.compile(r"^[A-Z][a-z]+(?:-[A-Z][a-z]+)? (?:[A-Z]\. )+[A-Z][a-z]+(?:-[A-Z][a-z]+)?$")
PLACE_KB_IDS = ("country.", "demonym.", "capital.", "city.", "region.")  # kb ids of places, not actors


def story_people_and_orgs(result: ArticleResult) -> tuple[list[str], list[str]]:
    """The article's resolved people and organisations (POLECAT's Story People/Organizations).

    What the knowledge base knows decides: a "person." entry is a person, any other actor entry
    an organisation (places are neither). An actor the KB does not know takes the label most of
    its entity's mentions got from spaCy's NER (PERSON or ORG; the first mention's on a tie), so
    that one odd tag ("Politico" read as a PERSON once) does not decide; a first name, middle
    initials and a surname ("Dwight D. Eisenhower") are a person's whatever the tag. An official of
    an international organisation is coded as the organisation ("European Union"): the list names
    the person ("Josep Borrell", the longest way the article names them). A name the article also
    uses as a place (an event's location, a GPE/LOC mention) is neither."""
    votes: dict[object, list[str]] = {}
    longest: dict[object, str] = {}  # entity -> its longest PERSON mention ("Josep Borrell")
    for m in result.mentions:
        if m.actor and m.label in ("PERSON", "ORG"):
            key = m.entity if m.entity is not None else m.actor.name
            votes.setdefault(key, []).append(m.label)
            if m.label == "PERSON" and len(m.text) > len(longest.get(key, "")):
                longest[key] = m.text
    people: set[str] = set()
    orgs: set[str] = set()
    for m in result.mentions:
        actor = m.actor
        if not actor or not actor.name or (m.label not in ("PERSON", "ORG") and not actor.kb_id):
            continue
        kb_id = actor.kb_id or ""
        if kb_id.startswith(PLACE_KB_IDS):
            continue
        if kb_id:
            kind = "PERSON" if kb_id.startswith("person.") else "ORG"
        elif PERSONAL_NAME.match(actor.name):
            kind = "PERSON"  # "Dwight D. Eisenhower": a name with a middle initial is a person's
        else:
            labels = votes.get(m.entity if m.entity is not None else actor.name) or [m.label]
            kind = max(("PERSON", "ORG"), key=lambda label: (labels.count(label), label == labels[0]))
        if kind == "PERSON" and actor.country == "IGO":  # an IGO official's actor is the IGO: name the person
            people.add(longest.get(m.entity if m.entity is not None else actor.name) or m.text)
        else:
            (people if kind == "PERSON" else orgs).add(actor.name)
    places = {text for e in result.events if e.location for text in (e.location.name, e.location.text) if text}
    places |= {m.text for m in result.mentions if m.label in ("GPE", "LOC", "FAC")}
    return sorted(people - places), sorted(orgs - people - places)


def _first(parties: list[Participant]) -> Participant | None:
    return next((p for p in parties if p.country), parties[0] if parties else None)


def _party(prefix: str, party: Participant | None, everyone: list[Participant]) -> dict[str, Any]:
    sectors = sorted({p.sector for p in everyone if p.sector})
    return {
        f"{prefix} Name": (party.name or party.text) if party else "",
        f"{prefix} Country": (party.country or "") if party else "",
        f"{prefix} COW": None,
        f"Primary {prefix} Sector": (party.sector or "") if party else "",
        f"{prefix} Sectors": ";".join(sectors),
        f"{prefix} Title": "",
        f"{prefix} Name Raw": party.text if party else "",
        f"Wikipedia {prefix} ID": None,
    }


FEATURE_TYPES = {"city": "PPL", "province": "ADM1", "country": "PCLI"}  # GeoNames feature codes


def _place(event: Event) -> dict[str, Any]:
    """The POLECAT place fields; coordinates, city and province from the offline gazetteer
    (tidings.geo: GeoNames cities, US states, Natural Earth country centroids) by GeoNames id."""
    from tidings.geo import load_geo

    loc = event.location
    point = load_geo().point(loc.geonameid) if loc and loc.geonameid is not None else None
    return {
        "Placename": (loc.name or loc.text) if loc else "",
        "City": point.name if point and point.kind == "city" else "", "District": "",
        "Province": (point.province or "") if point else "",
        "Country": (loc.country or "") if loc else "",
        "Latitude": point.lat if point else None, "Longitude": point.lon if point else None,
        "GeoNames ID": loc.geonameid if loc else None, "Raw Placename": loc.text if loc else "",
        "Feature Type": FEATURE_TYPES[point.kind] if point else "",
    }


def _provenance(result: ArticleResult, event: Event) -> dict[str, Any]:
    att = event.attribution
    return {
        "tidings_article_id": result.id, "tidings_url": result.url,
        "tidings_sentence": result.text[event.sentence.start:event.sentence.end],
        "tidings_sentence_start": event.sentence.start, "tidings_sentence_end": event.sentence.end,
        "tidings_trigger": event.trigger.text, "tidings_rule": event.rule,
        "tidings_factuality": event.factuality, "tidings_background": event.background,
        "tidings_attribution_kind": att.kind, "tidings_attribution_speaker": att.speaker,
        "tidings_confirmed": att.confirmed, "tidings_disputed": att.disputed,
        "tidings_confidence": event.confidence,
    }


def export(store, settings: ExportSettings, out: TextIO | None = None, query=None,
           progress: Callable[[int], None] | None = None, dyad: tuple | None = None) -> int:
    """Write one table (or PLOVER records) and return how many rows were written. `progress`
    is called with the rows written so far (see `count_rows` for the total); `dyad` (a, b,
    directed): only the events between two actors."""
    if settings.table not in TABLES:
        raise ValueError(f"unknown table {settings.table!r} (one of {', '.join(TABLES)})")
    if settings.format not in FORMATS:
        raise ValueError(f"unknown format {settings.format!r} (one of {', '.join(FORMATS)})")
    columns = None
    if settings.format == "plover":
        if settings.table != "events":
            raise ValueError("the plover format exports events only")
        rows = plover_records(store, query, dyad)
        fmt = "jsonl"
    else:
        rows = table_rows(store, settings.table, query, dyad)
        fmt, columns = settings.format, columns_for(settings.table, query)
    if settings.output and fmt != "parquet":
        with Path(settings.output).open("w", encoding="utf-8", newline="") as handle:
            return write_table(rows, fmt, handle, None, columns, progress)
    return write_table(rows, fmt, out, settings.output, columns, progress)

