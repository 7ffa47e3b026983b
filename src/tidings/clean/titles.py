"""Headline detection for plain text, and splitting ` – Section` / ` | Site` title suffixes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from tidings.clean.lines import normalise_newlines
from tidings.clean.rules import TitleRules

_MAX_TITLE_WORDS = 30
_MAX_TITLE_CHARS = 300
_TITLE_END = re.compile(r"(?<![A-Z])\.[\"'”’)]*$")  # a final period (not an initial like "U.S.")


@dataclass(frozen=True)
class Title:
    title: str
    section: str | None = None
    site_name: str | None = None


def leading_headline(text: str) -> tuple[str | None, str]:
    """(headline, rest) when the text opens with a headline: one short line without a
    sentence-final period, followed by a blank line. Otherwise (None, text)."""
    text = normalise_newlines(text).lstrip("\n \t\ufeff")
    first, sep, rest = text.partition("\n")
    if not sep or not rest.lstrip(" \t").startswith("\n"):
        return None, text
    line = first.strip()
    if (not line or len(line) > _MAX_TITLE_CHARS or len(line.split()) > _MAX_TITLE_WORDS
            or _TITLE_END.search(line)):
        return None, text
    return line, rest


def _norm(name: str) -> str:
    name = " ".join(name.casefold().split())
    return name[4:] if name.startswith("the ") else name


def _compact(name: str) -> str:
    return re.sub(r"\W+", "", _norm(name))


def host_name(url: str | None) -> str | None:
    """The distinctive part of a URL's host: "https://www.example-news.co.uk/x" → "example-news"."""
    if not url:
        return None
    try:
        host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
    except ValueError:  # malformed URL, e.g. an unclosed IPv6 bracket
        return None
    labels = [x for x in host.split(".") if x and x not in ("www", "m", "amp", "edition")]
    while len(labels) > 1 and (len(labels[-1]) <= 3 or labels[-1] in ("info", "news")):
        labels.pop()  # top-level and second-level domains (com, co, uk, org, …)
    return labels[-1] if labels else None


def _is_site(suffix: str, known: list[str], rules: TitleRules) -> bool:
    """The suffix names the site: equal to a known name (or the start of it), or to the host,
    or shaped like an outlet name."""
    norm, compact = _norm(suffix), _compact(suffix)
    for name in known:
        other = _norm(name)
        if norm == other or other.startswith(norm + " ") or norm.startswith(other + " "):
            return True
        if compact and compact == _compact(name):
            return True
    return any(p.fullmatch(suffix) for p in rules.site_name_patterns)


def _strip_known(title: str, known: list[str], separators: tuple[str, ...]) -> tuple[str, str | None]:
    """Remove a known site name (which may itself contain separators) from either end."""
    for name in known:
        if len(name) < 2:
            continue
        for sep in (*separators, ": "):
            if title.endswith(sep + name) and len(title) > len(sep + name):
                return title[: -len(sep + name)].rstrip(), name
            if title.startswith(name + sep) and len(title) > len(name + sep):
                return title[len(name + sep):].lstrip(), name
    return title, None


def _last_split(title: str, rules: TitleRules) -> tuple[str, str] | None:
    best = None
    for sep in rules.separators:
        idx = title.rfind(sep)
        if idx > 0 and (best is None or idx > best[0]):
            best = (idx, sep)
    if best is None:
        return None
    idx, sep = best
    head, suffix = title[:idx].rstrip(), title[idx + len(sep):].strip()
    if not head or not suffix or len(suffix.split()) > 6:
        return None
    return head, suffix


def split_title(title: str, rules: TitleRules, known_sites: list[str] | None = None) -> Title:
    """Peel a trailing section label and/or site name off a headline.

    A known site name (`known_sites`: site name, credited publisher, host name) is removed
    from either end first. Then a suffix is split when it is a known section word
    (→ section), or names the site / looks like an outlet name (→ site_name).
    """
    known = [k for k in (known_sites or []) if k]
    section = None
    title, site = _strip_known(title, known, rules.separators)
    for _ in range(rules.max_suffixes):
        parts = _last_split(title, rules)
        if parts is None:
            break
        head, suffix = parts
        label = rules.sections.get(suffix.casefold())
        if label and section is None:
            section = suffix
        elif _is_site(suffix, known, rules) and site is None:
            site = suffix
        else:
            break
        title = head
    return Title(title=title, section=section, site_name=site)
