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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from tidings import __version__
from tidings.output import csv_safe
from tidings.records import ArticleResult, Event, Participant

TABLES = ("events", "quotes", "actors", "articles")
FORMATS = ("csv", "jsonl", "parquet", "plover")
PAGE = 5000
QUAD_CODE = {"verbal cooperation": 1, "material cooperation": 2, "verbal conflict": 3, "material conflict": 4}


@dataclass
class ExportSettings:
    table: str = "events"
    format: str = "csv"
    output: str | None = None  # None: standard output (not for parquet)


def table_rows(store, table: str, query=None) -> Iterator[dict[str, Any]]:
    """All rows of a table, page by page (filters of `query` apply to events/quotes/actors)."""
    from dataclasses import replace

    from tidings.store import ActorFilter, EventFilter, QuoteFilter

    if table == "articles":
        from tidings.analysis import recent_articles

        offset = 0
        while page := recent_articles(store, limit=PAGE, offset=offset):
            yield from page
            offset += len(page)
        return
    kind = {"events": (store.events, EventFilter), "quotes": (store.quotes, QuoteFilter),
            "actors": (store.actors, ActorFilter)}[table]
    method, cls = kind
    base = query or cls()
    offset = 0
    while True:
        page = method(replace(base, limit=PAGE, offset=offset))
        yield from page
        if len(page) < PAGE:
            return
        offset += PAGE


def write_table(rows: Iterator[dict[str, Any]], fmt: str, out: TextIO | None, path: str | None) -> int:
    """Write rows as csv/jsonl (to `out`) or parquet (to `path`); returns the row count. CSV
    cells are `csv_safe` (no spreadsheet formulas); JSON Lines and Parquet keep values as they are."""
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not path:
            raise ValueError("parquet needs --output FILE")
        data = [{k: _scalar(v) for k, v in row.items()} for row in rows]
        pq.write_table(pa.Table.from_pylist(data), path)
        return len(data)
    count = 0
    writer = None
    for row in rows:
        if fmt == "jsonl":
            out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        else:
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=list(row.keys()), extrasaction="ignore")
                writer.writeheader()
            writer.writerow({k: csv_safe(_scalar(v)) for k, v in row.items()})
        count += 1
    return count


def _scalar(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def plover_records(store, query=None) -> Iterator[dict[str, Any]]:
    """One POLECAT-style record per merged event (tidings.dedup.merge) whose first report the
    event filter selects, in article order. The record is its first report's, plus the PLOVER
    manual's `actor` and `recipient` lists (every source and target actor of every report of
    the event) and the merged event's id and counts (reports, articles, sources)."""
    from dataclasses import replace
    from itertools import groupby

    from tidings.store import EventFilter

    rows = table_rows(store, "events", replace(query or EventFilter(), merged=True, order="article"))
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

    people = sorted({m.actor.name for m in result.mentions if m.actor and m.label == "PERSON"})
    orgs = sorted({m.actor.name for m in result.mentions if m.actor and m.label == "ORG"})
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


def export(store, settings: ExportSettings, out: TextIO | None = None, query=None) -> int:
    """Write one table (or PLOVER records) and return how many rows were written."""
    if settings.table not in TABLES:
        raise ValueError(f"unknown table {settings.table!r} (one of {', '.join(TABLES)})")
    if settings.format == "plover":
        if settings.table != "events":
            raise ValueError("the plover format exports events only")
        rows = plover_records(store, query)
        fmt = "jsonl"
    else:
        rows = table_rows(store, settings.table, query)
        fmt = settings.format
    if settings.output and fmt != "parquet":
        with Path(settings.output).open("w", encoding="utf-8", newline="") as handle:
            return write_table(rows, fmt, handle, None)
    return write_table(rows, fmt, out, settings.output)
