"""Typed records passed between the stages.

Document ──► Article ──► (spaCy Doc) ──► ArticleResult

`ArticleResult.to_dict()` is the JSON contract of DESIGN.md: `tidings extract` prints it,
the store saves it, the web UI renders it. Offsets are character offsets into
`ArticleResult.text` (the cleaned body). Field names of the contract are never renamed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date, timedelta
from typing import Any, Literal

Status = Literal["ok", "skipped", "error"]
Factuality = Literal["asserted", "reported", "hypothetical", "future", "negated", "denied"]
AttributionKind = Literal["outlet", "named", "official", "spokesperson", "anonymous", "document", "none"]

FACTUALITY_VALUES = ("asserted", "reported", "hypothetical", "future", "negated", "denied")
ATTRIBUTION_KINDS = ("outlet", "named", "official", "spokesperson", "anonymous", "document", "none")
DATE_PRECISIONS = ("day", "month", "year", "none")
_PRECISION_BY_LENGTH = {10: "day", 7: "month", 4: "year"}


def precision_of(value: str | None) -> str:
    """The precision of a (reduced) ISO date: "2014" → year, "2014-03" → month, "2014-03-05" → day."""
    if not value:
        return "none"
    return _PRECISION_BY_LENGTH.get(len(value[:10]), "day")


def period_bounds(value: str | None) -> tuple[date, date] | None:
    """The first and last day a (reduced) ISO date can mean: "2014" → 2014-01-01..2014-12-31."""
    if not value:
        return None
    try:
        if len(value) == 4:
            year = int(value)
            return date(year, 1, 1), date(year, 12, 31)
        if len(value) == 7:
            first = date(int(value[:4]), int(value[5:7]), 1)
            return first, date(first.year + first.month // 12, first.month % 12 + 1, 1) - timedelta(days=1)
        day = date.fromisoformat(value[:10])
        return day, day
    except ValueError:
        return None


def period_start(value: str | None) -> date | None:
    """The first day a (reduced) ISO date can mean (what the store's `day` column holds)."""
    bounds = period_bounds(value)
    return bounds[0] if bounds else None


PLOVER_TYPES = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)


@dataclass
class Document:
    """Raw input as it arrived: bytes (or decoded text) plus where it came from.

    `kind` tells the cleaner how to read `raw`: "html", "text". A document that could not
    even be read carries `error` (and empty `raw`): it becomes an ArticleResult with
    status="error" and is stored like any other.
    """

    id: str
    origin: str  # path, "stdin:LINE", URL, "PATH#offset" for a WARC record
    kind: str = "text"  # "html" | "text"
    raw: bytes = b""
    url: str | None = None
    title: str | None = None
    published: str | None = None  # ISO date YYYY-MM-DD
    fetched: str | None = None
    error: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Article:
    """A cleaned article: main text plus metadata. `text` paragraphs are joined by blank lines."""

    id: str
    origin: str
    text: str = ""
    title: str | None = None
    section: str | None = None
    url: str | None = None
    published: str | None = None
    language: str | None = None
    credited_publisher: str | None = None
    site_name: str | None = None
    author: str | None = None
    status: Status = "ok"
    error: str | None = None
    content_hash: str | None = None  # sha256 of the raw input
    removed: list[dict[str, Any]] = field(default_factory=list)  # boilerplate lines dropped, with rule ids


@dataclass
class Span:
    text: str
    start: int
    end: int


@dataclass
class Actor:
    """A resolved actor. `country` is ISO3 or "IGO" (then `name` names the organisation)."""

    name: str
    country: str | None = None
    sector: str | None = None
    how: str | None = None  # kb | appositive | title | demonym | coref | ner | ...
    kb_id: str | None = None
    rule: str | None = None  # id of the knowledge-base rule that decided the sector, if any


@dataclass
class Mention:
    text: str
    start: int
    end: int
    actor: Actor | None = None
    entity: int | None = None  # in-article entity cluster id (same person → same id)
    label: str | None = None  # spaCy NER label, "NOUN", or "PRON" for a pronoun / relative word
    refers_to: Span | None = None  # the antecedent mention of a coreferent mention ("He" → "Donald Trump")


@dataclass
class Participant:
    """A source or target of an event: a span plus its resolved actor fields, flattened."""

    text: str
    start: int
    end: int
    country: str | None = None
    sector: str | None = None
    name: str | None = None
    refers_to: Span | None = None  # the antecedent mention when the span is a pronoun or description


@dataclass
class Attribution:
    kind: str = "none"  # one of ATTRIBUTION_KINDS
    speaker: str | None = None
    confirmed: bool | None = None
    disputed: bool = False
    denied_by: str | None = None
    cue: Span | None = None


@dataclass
class Location:
    text: str
    start: int | None = None
    end: int | None = None
    country: str | None = None
    name: str | None = None
    geonameid: int | None = None


@dataclass
class Event:
    type: str
    trigger: Span
    sentence: Span
    rule: str
    mode: str | None = None
    context: list[str] = field(default_factory=list)
    source: list[Participant] = field(default_factory=list)
    target: list[Participant] = field(default_factory=list)
    date: str | None = None  # reduced ISO 8601, as precise as the text: "2014", "2014-03", "2014-03-05"
    date_text: str | None = None
    date_precision: str | None = None  # day | month | year | none (DATE_PRECISIONS); None: read from `date`
    location: Location | None = None
    factuality: str = "asserted"
    background: bool = False
    attribution: Attribution = field(default_factory=Attribution)
    size: int | None = None
    confidence: float | None = None  # the verifier's probability that a careful coder would code it (0-1)

    def __post_init__(self) -> None:
        if self.date_precision is None:  # an event made in code, or stored before the field existed
            self.date_precision = precision_of(self.date)


@dataclass
class Quote:
    text: str
    start: int
    end: int
    direct: bool = True
    speaker: Participant | None = None
    cue: Span | None = None
    rule: str | None = None  # id of the quote/cue rule that found it (quotes/data/cues.yaml)


@dataclass
class ArticleResult:
    id: str
    text: str = ""
    url: str | None = None
    title: str | None = None
    section: str | None = None
    published: str | None = None
    language: str | None = None
    credited_publisher: str | None = None
    site_name: str | None = None
    author: str | None = None
    origin: str | None = None
    content_hash: str | None = None
    status: str = "ok"
    error: str | None = None
    mentions: list[Mention] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ArticleResult":
        return _build(cls, data)


# --- reconstruction from plain dicts (store round-trips, Ray transport) -----------------

_NESTED: dict[type, dict[str, Any]] = {}


def _build(cls: type, data: Any) -> Any:
    if data is None:
        return None
    kwargs = {}
    names = {f.name for f in fields(cls)}
    for key, value in data.items():
        if key not in names:
            continue
        kwargs[key] = _convert(cls, key, value)
    return cls(**kwargs)


def _convert(cls: type, key: str, value: Any) -> Any:
    spec = _NESTED.get(cls, {}).get(key)
    if spec is None or value is None:
        return value
    if isinstance(spec, list):
        return [_build(spec[0], v) for v in value]
    return _build(spec, value)


_NESTED.update({
    Mention: {"actor": Actor, "refers_to": Span},
    Participant: {"refers_to": Span},
    Attribution: {"cue": Span},
    Event: {"trigger": Span, "sentence": Span, "source": [Participant], "target": [Participant],
            "location": Location, "attribution": Attribution},
    Quote: {"speaker": Participant, "cue": Span},
    ArticleResult: {"mentions": [Mention], "events": [Event], "quotes": [Quote]},
})


def participant_from_mention(mention: Mention) -> Participant:
    actor = mention.actor
    return Participant(
        text=mention.text, start=mention.start, end=mention.end,
        country=actor.country if actor else None,
        sector=actor.sector if actor else None,
        name=actor.name if actor else None,
        refers_to=mention.refers_to,
    )
