"""The one filter vocabulary of tidings: every filter's name, kind, help, allowed values and default.

The CLI (`tidings events/quotes/actors/export`), the HTTP API (query parameters) and the web
forms all read their filters from `FIELDS`, so a filter has one name, one meaning and one
check everywhere:

    from tidings.vocabulary import FIELDS, check, allowed
    check("type", "ACUSE")     # FilterValueError: type: 'ACUSE' is not a PLOVER event type; did you mean ACCUSE? …

Allowed values come from the project's data files (never hand-copied lists): PLOVER types and
quad classes from store/data/plover.yaml, modes from the trigger lexicon
(events/data/triggers.yaml), ISO3 codes from the actor resolver's country list
(actors/data/countries_geonames.yaml, plus IGO), sector codes from plover.yaml and the actor
lexicons (actors/data/sectors.yaml, orgs.yaml). This module imports no store and no spaCy, so
`tidings --help` stays fast; the data files are read on first use.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

TABLES = ("events", "quotes", "actors", "articles")


class FilterValueError(ValueError):
    """A filter value that cannot be used; `param` names the filter, the message says why
    (and, for an enumerated filter, lists the allowed values and the nearest ones)."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param


@dataclass(frozen=True)
class Field:
    """One filter.

    name: the filter's name everywhere: the query parameter and form field, and the CLI option
    (`--` + name with dashes). kind: text | actor | choice | date | flag | fraction | int.
    choices: the name of a set of allowed values (see `allowed`), or a table → values map for
    `order`. default: per table when it differs. attr: the store filter's field when it is
    not `name`. aliases: older names still accepted (deprecated). tables: the listings that
    take it. help: per table when the meaning differs (the speaker, the actor).
    """

    name: str
    kind: str
    help: str | dict[str, str]
    tables: tuple[str, ...]
    choices: str | dict[str, tuple[str, ...]] | None = None
    default: Any = None
    attr: str | None = None
    aliases: tuple[str, ...] = ()
    max_len: int = 500

    @property
    def field(self) -> str:
        """The field of the store's filter record (EventFilter, QuoteFilter, ActorFilter)."""
        return self.attr or self.name

    def help_for(self, table: str) -> str:
        return self.help.get(table, self.help["events"]) if isinstance(self.help, dict) else self.help

    def default_for(self, table: str) -> Any:
        return self.default.get(table) if isinstance(self.default, dict) else self.default

    def choices_for(self, table: str) -> tuple[str, ...] | None:
        if self.choices is None:
            return None
        if isinstance(self.choices, dict):
            return self.choices.get(table)
        return allowed(self.choices)


ACTOR_HELP = ("a code (RUS, RUSGOV, RUS:GOV, GOV, IGO), a known name or alias (US, UN, EU, NATO: exact),"
              " or whole words of a name (Lavrov)")
ORDERS = {
    "events": ("-date", "date", "type", "article"),
    "quotes": ("-date", "article", "speaker"),
    "actors": ("mentions", "name", "country", "events"),
    "articles": ("-date",),
}

FIELDS: tuple[Field, ...] = (
    Field("actor", "actor", {"events": f"Source or target: {ACTOR_HELP}.",
                             "quotes": f"The speaker: {ACTOR_HELP}.", "actors": f"The actor: {ACTOR_HELP}."},
          ("events", "quotes", "actors")),
    Field("source", "actor", f"The source (who acts): {ACTOR_HELP}.", ("events",)),
    Field("target", "actor", f"The target (who is acted on): {ACTOR_HELP}.", ("events",)),
    Field("a", "actor", "Dyad: one actor (needs b); events between a and b (a source and a target,"
          " or two parties of a reciprocal event with no target: 'a and b signed an agreement').", ("events",)),
    Field("b", "actor", "Dyad: the other actor (needs a).", ("events",)),
    Field("directed", "flag", "Dyad: only a as source and b as target, and the reciprocal events of both"
          " (needs a and b).", ("events",), default=False),
    Field("country", "choice", {"events": "ISO3 country of source or target (or IGO).",
                                "quotes": "ISO3 country of the speaker (or IGO).",
                                "actors": "ISO3 country of the actor (or IGO)."},
          ("events", "quotes", "actors"), choices="countries", max_len=40),
    Field("sector", "choice", {"events": "PLOVER sector code (GOV, MIL, …) of source or target.",
                               "quotes": "PLOVER sector code (GOV, MIL, …) of the speaker.",
                               "actors": "PLOVER sector code (GOV, MIL, …) of the actor."},
          ("events", "quotes", "actors"), choices="sectors", max_len=40),
    Field("type", "choice", "PLOVER event type (e.g. ACCUSE).", ("events",), choices="types", max_len=40),
    Field("mode", "choice", "PLOVER mode (e.g. troops).", ("events",), choices="modes", max_len=80),
    Field("quad_class", "choice", "PLOVER quad class.", ("events",), choices="quad_classes", max_len=40),
    Field("factuality", "choice", "How the event is told.", ("events",), choices="factuality", max_len=40),
    Field("background", "flag", "Background events (earlier facts an article recalls): only them (true,"
                                " --background), none of them (false, --no-background); unset: all.", ("events",)),
    Field("min_confidence", "fraction", "Only events whose verifier confidence (0-1) is at least this; events"
                                        " stored without one are then left out.", ("events",)),
    Field("direct", "flag", "Only direct quotes (true, --direct) or only indirect ones (false, --no-direct);"
                            " unset: all.", ("quotes",)),
    Field("since", "date", {"events": "Event date on or after (YYYY-MM-DD; the publication date when the event"
                                      " has none).", "quotes": "Article published on or after (YYYY-MM-DD)."},
          ("events", "quotes")),
    Field("until", "date", {"events": "Event date on or before (YYYY-MM-DD).",
                            "quotes": "Article published on or before (YYYY-MM-DD)."}, ("events", "quotes")),
    Field("article", "text", {"events": "Article id (or id prefix).", "quotes": "Article id (or id prefix).",
                              "actors": "Only actors mentioned in this article (id or id prefix)."},
          ("events", "quotes", "actors")),
    Field("place", "text", "Where the event happened: a place name (Kyiv; exact, case-insensitive) or a GeoNames"
                           " id.", ("events",), max_len=200),
    Field("place_country", "choice", "ISO3 country the event happened in (country is an actor's).", ("events",),
          choices="countries", max_len=40),
    Field("group", "text", "Only the reports of this merged event (its group_id); in the CLI, one row per report.",
          ("events",)),
    Field("status", "choice", "Article status.", ("articles",), choices="statuses", max_len=20),
    Field("text", "text", {"events": "Text that the sentence contains.", "quotes": "Text that the quote contains.",
                           "actors": "A part of the actor's name.", "articles": "A part of the title."},
          TABLES, attr="search", aliases=("search",)),
    Field("merged", "flag", "One row per merged event (the reports of one event across articles counted once)."
                            " Default: true in the CLI (--raw for one row per report), false in the API and"
                            " the web.", ("events",), default=False),
    Field("order", "choice", "Sort order.", TABLES, choices=ORDERS,
          default={"events": "-date", "quotes": "-date", "actors": "mentions", "articles": "-date"}),
    Field("limit", "int", "Rows per page (1-1000 in the API).", TABLES, default=50),
    Field("offset", "int", "Rows to skip (paging).", TABLES, default=0),
)

BY_NAME = {f.name: f for f in FIELDS}


def fields_for(table: str) -> tuple[Field, ...]:
    """The filters a listing takes, in the order of FIELDS."""
    return tuple(f for f in FIELDS if table in f.tables)


# -- allowed values ---------------------------------------------------------------------------------

def _yaml(package: str, name: str) -> Any:
    from tidings.yamlcache import load_yaml

    return load_yaml(resources.files(package).joinpath(f"data/{name}").read_text("utf-8"))


@lru_cache(maxsize=None)
def allowed(name: str) -> tuple[str, ...]:
    """The allowed values of an enumerated filter, read from the project's data (static: cached)."""
    if name in ("types", "quad_classes"):
        quads = _yaml("tidings.store", "plover.yaml")["quad_classes"]
        if name == "types":
            return tuple(str(t).upper() for t in quads)
        return tuple(dict.fromkeys(quads.values()))
    if name == "modes":
        data = _yaml("tidings.events", "triggers.yaml")
        return tuple(sorted({e["mode"] for key in ("verbs", "nouns", "adjectives") for e in data.get(key) or []
                             if e.get("mode")}))
    if name == "countries":
        return tuple(sorted({e["iso3"] for e in _yaml("tidings.actors", "countries_geonames.yaml")} | {"IGO"}))
    if name == "sectors":
        codes = set(_yaml("tidings.store", "plover.yaml")["sectors"])
        codes |= set(_yaml("tidings.actors", "sectors.yaml")["nouns"])
        codes |= {e["sector"] for e in _yaml("tidings.actors", "orgs.yaml") if e.get("sector")}
        return tuple(sorted(str(c).upper() for c in codes))
    if name == "factuality":
        from tidings.records import FACTUALITY_VALUES

        return FACTUALITY_VALUES
    if name == "statuses":
        from typing import get_args

        from tidings.records import Status

        return tuple(get_args(Status))
    raise KeyError(f"no set of allowed values named {name!r}")


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """Lower-cased country names and short forms (Russia, US, United Kingdom) → ISO3, from the
    actor resolver's country lists: for "did you mean RUS" when someone writes a name."""
    names: dict[str, str] = {}
    for entry in _yaml("tidings.actors", "countries_geonames.yaml"):
        names.setdefault(str(entry["name"]).lower(), entry["iso3"])
    for iso3, extra in (_yaml("tidings.actors", "countries.yaml") or {}).items():
        for name in (extra or {}).get("names") or []:
            names.setdefault(str(name).lower(), iso3)
    return names


_CHOICE_WHAT = {"countries": "an ISO3 country code (or IGO)", "sectors": "a PLOVER sector code",
                "types": "a PLOVER event type", "modes": "a PLOVER mode", "quad_classes": "a quad class",
                "factuality": "a factuality value", "statuses": "an article status"}
# enumerated filters whose values are upper-case codes (matched case-insensitively)
_UPPER = ("countries", "sectors", "types")
MAX_LISTED = 60  # allowed values listed in full in a message; longer lists are cut (with a count)


def suggest(value: str, choices: tuple[str, ...] | list[str], n: int = 3) -> list[str]:
    """The allowed values nearest to `value` (difflib), case-insensitively."""
    by_lower = {c.lower(): c for c in choices}
    return [by_lower[m] for m in difflib.get_close_matches(value.lower(), list(by_lower), n=n, cutoff=0.6)]


def listing(choices: tuple[str, ...]) -> str:
    if len(choices) <= MAX_LISTED:
        return ", ".join(choices)
    return ", ".join(choices[:MAX_LISTED]) + f", … ({len(choices)} in all)"


def check_choice(name: str, value: str, choices: tuple[str, ...], what: str | None = None,
                 kind: str | None = None) -> str:
    """`value` as the allowed value it names (codes case-insensitively), else FilterValueError
    listing the allowed values and the nearest ones."""
    upper = kind in _UPPER
    candidate = value.upper() if upper else value
    if candidate in choices:
        return candidate
    if not upper and value.lower() in {c.lower() for c in choices}:
        return next(c for c in choices if c.lower() == value.lower())
    near = suggest(value, choices)
    if kind == "countries":
        code = country_names().get(value.lower())
        if code:
            near = [code] + [n for n in near if n != code]
    hint = f" (did you mean {' or '.join(near)}?)" if near else ""
    raise FilterValueError(name, f"{name}: {value!r} is not {what or 'an allowed value'}{hint}."
                                 f" Allowed: {listing(choices)}")


def check(name: str, value: str, table: str = "events") -> str:
    """An enumerated filter's value checked against its allowed values (see check_choice)."""
    field = BY_NAME[name]
    choices = field.choices_for(table)
    if choices is None:
        return value
    kind = field.choices if isinstance(field.choices, str) else None
    what = _CHOICE_WHAT.get(kind, f"a {name} of {table}") if kind else f"an order of {table}"
    return check_choice(name, value, choices, what, kind)


def check_range(since, until) -> None:
    """since after until is a mistake, not an empty answer."""
    if since is not None and until is not None and since > until:
        raise FilterValueError("since", f"since ({since}) is after until ({until}): no date is in that range")


def check_dyad(a: str | None, b: str | None, directed: bool | None) -> None:
    """Half a dyad (a without b) or `directed` without one is a mistake, not "no dyad"."""
    if bool(a) != bool(b):
        missing = "b" if a else "a"
        raise FilterValueError(missing, f"{missing}: a dyad needs both a and b (got only {'a' if a else 'b'})")
    if directed and not a:
        raise FilterValueError("directed", "directed: needs a dyad (a and b)")
