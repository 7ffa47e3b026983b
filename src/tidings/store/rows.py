"""ArticleResult → table rows (pure functions, no database).

`Columns` collects the rows of one batch column by column, which is how both backends take
them (`INSERT … SELECT unnest(?), unnest(?), …`: one statement per table per batch).
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime
from typing import Any

from tidings.actors.coref import shown_participants
from tidings.records import ArticleResult, Document, Event, Participant, period_start, precision_of
from tidings.store.codes import Codes

EMPTY_HASH = hashlib.sha256(b"").hexdigest()

# (column, SQL array type) per table, in insert order.
ARTICLE_COLUMNS = (
    ("id", "text"), ("dedup_key", "text"), ("url", "text"), ("title", "text"), ("section", "text"),
    ("published", "text"), ("language", "text"), ("credited_publisher", "text"), ("site_name", "text"),
    ("author", "text"), ("origin", "text"), ("content_hash", "text"), ("status", "text"),
    ("error", "text"), ("text", "text"), ("n_mentions", "integer"), ("n_events", "integer"),
    ("n_quotes", "integer"), ("result", "text"), ("ingested_at", "timestamp"),
    ("processed_at", "timestamp"),
)
RAW_COLUMNS = (
    ("article_id", "text"), ("origin", "text"), ("kind", "text"), ("raw", "bytea"), ("url", "text"),
    ("title", "text"), ("published", "text"), ("meta", "text"),
)
MENTION_COLUMNS = (
    ("article_id", "text"), ("ordinal", "integer"), ("text", "text"), ("start_char", "integer"),
    ("end_char", "integer"), ("entity", "integer"), ("label", "text"), ("name", "text"),
    ("country", "text"), ("sector", "text"), ("how", "text"), ("kb_id", "text"),
)
EVENT_COLUMNS = (
    ("article_id", "text"), ("ordinal", "integer"), ("type", "text"), ("mode", "text"),
    ("context", "text"), ("trigger_text", "text"), ("trigger_start", "integer"),
    ("trigger_end", "integer"), ("sentence_start", "integer"), ("sentence_end", "integer"),
    ("sentence_text", "text"), ("date", "text"), ("date_text", "text"), ("day", "date"),
    ("date_precision", "text"),
    ("location_text", "text"), ("location_start", "integer"), ("location_end", "integer"),
    ("location_country", "text"), ("location_name", "text"), ("location_geonameid", "bigint"),
    ("factuality", "text"), ("background", "boolean"), ("attribution_kind", "text"),
    ("attribution_speaker", "text"), ("attribution_confirmed", "boolean"),
    ("attribution_disputed", "boolean"), ("attribution_denied_by", "text"), ("rule", "text"),
    ("size", "bigint"), ("source_label", "text"), ("source_names", "text"),
    ("target_label", "text"), ("target_names", "text"), ("quad_class", "text"),
    ("source_codes", "text"), ("target_codes", "text"), ("confidence", "double precision"),
)
PARTICIPANT_COLUMNS = (
    ("article_id", "text"), ("event_ordinal", "integer"), ("role", "text"), ("ordinal", "integer"),
    ("text", "text"), ("start_char", "integer"), ("end_char", "integer"), ("country", "text"),
    ("sector", "text"), ("name", "text"),
)
QUOTE_COLUMNS = (
    ("article_id", "text"), ("ordinal", "integer"), ("text", "text"), ("start_char", "integer"),
    ("end_char", "integer"), ("direct", "boolean"), ("speaker_text", "text"),
    ("speaker_start", "integer"), ("speaker_end", "integer"), ("speaker_name", "text"),
    ("speaker_country", "text"), ("speaker_sector", "text"), ("cue_text", "text"),
    ("cue_start", "integer"), ("cue_end", "integer"),
)
TABLE_COLUMNS = {
    "articles": ARTICLE_COLUMNS, "raw_inputs": RAW_COLUMNS, "mentions": MENTION_COLUMNS,
    "events": EVENT_COLUMNS, "event_participants": PARTICIPANT_COLUMNS, "quotes": QUOTE_COLUMNS,
}


@dataclass
class Columns:
    """The rows of one batch, one list per column per table."""

    tables: dict[str, dict[str, list]] = field(default_factory=lambda: {
        name: {column: [] for column, _ in columns} for name, columns in TABLE_COLUMNS.items()})

    def add(self, table: str, row: dict[str, Any]) -> None:
        get = row.get
        for column, values in self.tables[table].items():
            values.append(get(column))

    def count(self, table: str) -> int:
        return len(next(iter(self.tables[table].values())))


def safe_text(value: Any) -> Any:
    """A string that every backend stores: no NUL, no lone surrogates (the JSON keeps the original)."""
    if value.__class__ is not str or ("\x00" not in value and value.isascii()):
        return value
    if "\x00" in value:
        value = value.replace("\x00", "\ufffd")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value


@lru_cache(maxsize=None)
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _shallow(value: Any) -> dict[str, Any]:
    """json.dumps hook: a record as a dict of its fields (the C encoder recurses into them)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {name: getattr(value, name) for name in _field_names(type(value))}
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def result_json(result: ArticleResult) -> str:
    """The ArticleResult as JSON text that stores in any TEXT column and loads back unchanged.

    Same JSON as `json.dumps(result.to_dict())`, without building the intermediate dicts.
    """
    try:
        text = json.dumps(result, ensure_ascii=False, separators=(",", ":"), default=_shallow)
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: keep them as \u escapes
        text = json.dumps(result, ensure_ascii=True, separators=(",", ":"), default=_shallow)
    return text


def result_from_json(text: str) -> ArticleResult:
    return ArticleResult.from_dict(json.loads(text))


def dedup_key(result: ArticleResult) -> str:
    """What makes two results the same input: content hash and URL.

    Inputs with no content (no hash, or the hash of empty bytes: unreadable files, failed
    fetches) are told apart by where they came from (origin, else id).
    """
    key = f"{result.content_hash or ''}|{result.url or ''}"
    if not result.content_hash or result.content_hash == EMPTY_HASH:
        key += f"|{result.origin or ''}" if result.origin else f"|id:{result.id}"
    return key


def parse_day(value: str | None) -> date | None:
    """A full ISO date (YYYY-MM-DD…) as a date, else None."""
    if not value or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def actor_label(country: str | None, sector: str | None, name: str | None = None) -> str:
    """'CAN MIL', 'RUS', 'IGO NATO', or '?' when nothing is known."""
    if country == "IGO" and name:
        return f"IGO {name}" + (f" {sector}" if sector and sector != "IGO" else "")
    return " ".join(p for p in (country, sector) if p) or "?"


def side_codes(participants: list[Participant]) -> str | None:
    """"/USA:GOV//RUS:/": one "/country:sector/" per participant (None when there is none)."""
    if not participants:
        return None
    return "".join(f"/{_code(p.country)}:{_code(p.sector)}/" for p in participants)


def _code(value: str | None) -> str:
    return safe_text(value or "").replace("/", "?").replace(":", "?")


def _labels(participants: list[Participant]) -> tuple[str | None, str | None]:
    if not participants:
        return None, None
    labels = "; ".join(actor_label(p.country, p.sector, p.name) for p in participants)
    names = "; ".join(p.name or p.text for p in participants)
    return labels, names


def add_result(columns: Columns, result: ArticleResult, codes: Codes, *, key: str,
               ingested_at: datetime, processed_at: datetime) -> None:
    """Add one result's rows (article, mentions, events, participants, quotes) to `columns`."""
    text = result.text or ""
    article_id = safe_text(result.id)
    columns.add("articles", {
        **{name: safe_text(getattr(result, name)) for name in (
            "id", "url", "title", "section", "published", "language", "credited_publisher",
            "site_name", "author", "origin", "content_hash", "status", "error", "text")},
        "dedup_key": safe_text(key), "n_mentions": len(result.mentions), "n_events": len(result.events),
        "n_quotes": len(result.quotes), "result": result_json(result),
        "ingested_at": ingested_at, "processed_at": processed_at,
    })
    for ordinal, mention in enumerate(result.mentions):
        actor = mention.actor
        columns.add("mentions", {
            "article_id": article_id, "ordinal": ordinal, "text": safe_text(mention.text),
            "start_char": mention.start, "end_char": mention.end, "entity": mention.entity,
            "label": safe_text(mention.label),
            **({"name": safe_text(actor.name), "country": safe_text(actor.country),
                "sector": safe_text(actor.sector), "how": safe_text(actor.how),
                "kb_id": safe_text(actor.kb_id)} if actor else {}),
        })
    for ordinal, event in enumerate(result.events):
        _add_event(columns, result, ordinal, event, text, codes)
    for ordinal, quote in enumerate(result.quotes):
        speaker, cue = quote.speaker, quote.cue
        columns.add("quotes", {
            "article_id": article_id, "ordinal": ordinal, "text": safe_text(quote.text),
            "start_char": quote.start, "end_char": quote.end, "direct": quote.direct,
            **({"speaker_text": safe_text(speaker.text), "speaker_start": speaker.start,
                "speaker_end": speaker.end, "speaker_name": safe_text(speaker.name),
                "speaker_country": safe_text(speaker.country),
                "speaker_sector": safe_text(speaker.sector)} if speaker else {}),
            **({"cue_text": safe_text(cue.text), "cue_start": cue.start, "cue_end": cue.end} if cue else {}),
        })


def _add_event(columns: Columns, result: ArticleResult, ordinal: int, event: Event, text: str,
               codes: Codes) -> None:
    article_id = safe_text(result.id)
    sources, targets = shown_participants(event.source), shown_participants(event.target)
    source_label, source_names = _labels(sources)
    target_label, target_names = _labels(targets)
    location, attribution = event.location, event.attribution
    sentence = event.sentence
    row = {
        "article_id": article_id, "ordinal": ordinal, "type": safe_text(event.type),
        "mode": safe_text(event.mode),
        "context": json.dumps(event.context, ensure_ascii=True) if event.context else None,
        "trigger_text": safe_text(event.trigger.text), "trigger_start": event.trigger.start,
        "trigger_end": event.trigger.end, "sentence_start": sentence.start, "sentence_end": sentence.end,
        "sentence_text": safe_text(text[sentence.start:sentence.end] if text else sentence.text),
        "date": safe_text(event.date), "date_text": safe_text(event.date_text),
        # the first day of the event's date (a month's first day, 1 January of a year)
        "day": period_start(event.date) or (parse_day(result.published) if not event.date else None),
        "date_precision": safe_text(event.date_precision or precision_of(event.date)),
        "factuality": safe_text(event.factuality), "background": event.background,
        "rule": safe_text(event.rule), "size": event.size,
        "source_label": safe_text(source_label), "source_names": safe_text(source_names),
        "target_label": safe_text(target_label), "target_names": safe_text(target_names),
        "quad_class": codes.quad_class(event.type),
        # '' (not NULL) when the event had targets but none names an actor ("sanctioned them",
        # "them" unresolved): NULL is kept for an event with no target at all, a reciprocal act
        # whose parties are all sources ("Germany and Poland signed an agreement"), which dyads
        # pair source with source (tidings.analysis.queries._PAIRS)
        "source_codes": side_codes(sources),
        "target_codes": side_codes(targets) or ("" if event.target else None),
        "confidence": event.confidence,
    }
    if location:
        row.update(location_text=safe_text(location.text), location_start=location.start,
                   location_end=location.end, location_country=safe_text(location.country),
                   location_name=safe_text(location.name), location_geonameid=location.geonameid)
    if attribution:
        row.update(attribution_kind=safe_text(attribution.kind),
                   attribution_speaker=safe_text(attribution.speaker),
                   attribution_confirmed=attribution.confirmed, attribution_disputed=attribution.disputed,
                   attribution_denied_by=safe_text(attribution.denied_by))
    columns.add("events", row)
    for role, participants in (("source", sources), ("target", targets)):  # unresolved pronouns are no actors
        for index, p in enumerate(participants):
            columns.add("event_participants", {
                "article_id": article_id, "event_ordinal": ordinal, "role": role, "ordinal": index,
                "text": safe_text(p.text), "start_char": p.start, "end_char": p.end,
                "country": safe_text(p.country), "sector": safe_text(p.sector), "name": safe_text(p.name),
            })


def add_raw(columns: Columns, article_id: str, document: Document) -> None:
    """Add the raw input of one article (kept for `--reprocess`)."""
    columns.add("raw_inputs", {
        "article_id": article_id, "origin": safe_text(document.origin), "kind": document.kind or "text",
        "raw": bytes(document.raw or b""), "url": safe_text(document.url),
        "title": safe_text(document.title), "published": safe_text(document.published),
        "meta": json.dumps(document.meta, ensure_ascii=True, default=str) if document.meta else None,
    })
