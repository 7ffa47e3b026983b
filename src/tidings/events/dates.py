"""Date expressions in a sentence, resolved against the publication date.

Relative expressions ("last week", "yesterday") come from data/dates.yaml; weekdays, month
names, "N days ago", "in 2014", "since January 2014" and absolute dates are parsed here.

A resolved date is as precise as its expression, written as reduced ISO 8601: "2014" (precision
year: "in 2014", "last year"), "2014-03" (month: "in March 2014", "last month"), "2014-03-05"
(day). An article without a publication date resolves only dates that carry their own year
and month ("March 5, 2014", "March 2014"): a bare year there ("by 2025", "in 1956") is as likely
a deadline or a memory as the event's date, and a relative one has nothing to count from.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from typing import Any

import yaml

from tidings.records import period_bounds, period_start, precision_of  # noqa: F401 (re-exported)

WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
UNITS = {"day": 1, "week": 7, "month": 30, "year": 365}
NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                "seven": 7, "eight": 8, "nine": 9, "ten": 10, "several": 3, "few": 3}

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_PREFIX = r"(?:(?P<prefix>since|in|on|around|about|by|from|until|early|late|mid|earlier|last|this|next)\s+)?"
PATTERNS = {
    "mdy": re.compile(_PREFIX + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<year>\d{4}))?\b", re.I),
    "dmy": re.compile(_PREFIX + r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"(?:,?\s+(?P<year>\d{4}))?\b", re.I),
    "my": re.compile(_PREFIX + _MONTH + r",?\s+(?P<year>\d{4})\b", re.I),
    "y": re.compile(r"\b(?P<prefix>since|in|from|during|by|until|early|late|mid)[\s-]+(?P<year>(?:19|20)\d\d)\b", re.I),
    "weekday": re.compile(r"\b(?:(?P<prefix>on|last|next|this|since|by|until)\s+)?(?P<weekday>"
                          + "|".join(WEEKDAYS) + r")\b", re.I),
    "ago": re.compile(r"\b(?P<n>\d+|" + "|".join(NUMBER_WORDS) + r")\s+(?P<unit>day|week|month|year)s?\s+ago\b", re.I),
}

# Substrings every match of some PATTERNS needs: a text without one skips those patterns (a cheap
# search instead of trying each pattern at every position; same matches).
_NEEDS = {
    "digit": (re.compile(r"\d"), ("mdy", "dmy", "my", "y")),
    "ago": (re.compile(r"ago", re.I), ("ago",)),
    "weekday": (re.compile("|".join(WEEKDAYS), re.I), ("weekday",)),
}


def _possible(text: str) -> set[str]:
    """Names of the PATTERNS that can match somewhere in `text`."""
    names = set(PATTERNS)
    for pattern, needing in _NEEDS.values():
        if pattern.search(text) is None:
            names.difference_update(needing)
    return names


@dataclass
class DateMention:
    text: str
    start: int  # char offsets into the text that was searched (plus the caller's offset)
    end: int
    iso: str | None  # "2014", "2014-03" or "2014-03-05" (see records.DATE_PRECISIONS)
    since: bool = False
    rule: str = ""

    @property
    def precision(self) -> str:
        return precision_of(self.iso)


@dataclass
class DateSettings:
    relative: list[dict[str, Any]]
    since_words: list[str]
    background_days: int

    @classmethod
    def load(cls) -> "DateSettings":
        text = resources.files("tidings.events").joinpath("data/dates.yaml").read_text("utf-8")
        data = yaml.safe_load(text)
        for entry in data["relative"]:
            entry["regex"] = re.compile(entry["pattern"], re.I)
        return cls(data["relative"], data.get("since_words", ["since"]), int(data.get("background_days", 365)))


def parse_iso(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def find_dates(text: str, published: str | None, settings: DateSettings,
               offset: int = 0, future: bool = False) -> list[DateMention]:
    """All date expressions in `text`, resolved against `published` (ISO) where possible."""
    pub = parse_iso(published)
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match, iso: str | None, rule: str, since: bool = False) -> None:
        if any(m.start() < e and s < m.end() for s, e in taken):
            return
        taken.append((m.start(), m.end()))
        found.append(DateMention(m.group(0), m.start() + offset, m.end() + offset, iso, since, rule))

    possible = _possible(text)
    for name in ("mdy", "dmy", "my", "y"):
        if name not in possible:
            continue
        for m in PATTERNS[name].finditer(text):
            since = (m.groupdict().get("prefix") or "").lower() in settings.since_words
            # a bare year in an undated article ("by 2025", "in 1956"): found (so that no
            # weaker reading takes its words) but not resolved
            iso = _absolute(m, pub, name) if pub is not None or name != "y" else None
            add(m, iso, f"d.{name}", since)
    if "ago" in possible:
        for m in PATTERNS["ago"].finditer(text):
            add(m, _ago(m, pub), "d.ago")
    if "weekday" in possible:
        for m in PATTERNS["weekday"].finditer(text):
            add(m, _weekday(m, pub, future), "d.weekday",
                (m.group("prefix") or "").lower() in settings.since_words)
    for entry in settings.relative:
        for m in entry["regex"].finditer(text):
            add(m, _relative(entry, pub), entry["id"])
    found.sort(key=lambda d: d.start)
    return found


def is_background(mention: DateMention | None, reference: str | None, settings: DateSettings) -> bool:
    """Dated well before `reference` (the publication date, or for an undated article its
    latest dated event): more than `background_days` before it, or 'since' a past date. A
    month or a year counts from its last day ("in 2021" in a January 2022 story is recent)."""
    if mention is None or mention.iso is None:
        return False
    ref = period_bounds(reference)
    when = period_bounds(mention.iso)
    if ref is None or when is None:
        return mention.since
    age = (ref[1] - when[1]).days
    return age > settings.background_days or (mention.since and age > 31)


def _absolute(m: re.Match, pub: date | None, name: str = "mdy") -> str | None:
    groups = m.groupdict()
    if name in ("my", "y"):  # as precise as written: a month, or a year
        year = int(groups["year"])
        if name == "y":
            return f"{year:04d}"
        return f"{year:04d}-{MONTHS[groups['month'].lower().rstrip('.')]:02d}"
    year = int(groups["year"]) if groups.get("year") else None
    month = MONTHS[groups["month"].lower().rstrip(".")] if groups.get("month") else 1
    day = int(groups["day"]) if groups.get("day") else 1
    if year is None:
        if pub is None:
            return None
        year = pub.year
        try:
            if date(year, month, min(day, 28)) - pub > timedelta(days=60):
                year -= 1  # "January 9" read in a December article, or "December 30" in January
        except ValueError:
            return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _in_range(resolve):
    """A resolver that gives None, not an OverflowError, when the arithmetic leaves the calendar
    (a publication date of 9999-12-31 and "next week")."""
    def safe(*args, **kwargs):
        try:
            return resolve(*args, **kwargs)
        except (OverflowError, ValueError):
            return None
    return safe


@_in_range
def _ago(m: re.Match, pub: date | None) -> str | None:
    if pub is None:
        return None
    raw = m.group("n").lower()
    n = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
    unit = m.group("unit").lower()
    if unit == "month":
        return _shift_month(pub.replace(day=1), -n).isoformat()[:7]
    if unit == "year":
        return f"{pub.year - n:04d}"
    return (pub - timedelta(days=n * UNITS[unit])).isoformat()


@_in_range
def _weekday(m: re.Match, pub: date | None, future: bool) -> str | None:
    if pub is None:
        return None
    target = WEEKDAYS[m.group("weekday").lower()]
    prefix = (m.group("prefix") or "").lower()
    if prefix == "next" or (future and prefix != "last"):
        return (pub + timedelta(days=(target - pub.weekday()) % 7 or 7)).isoformat()
    back = (pub.weekday() - target) % 7
    if prefix == "last" and back == 0:
        back = 7
    return (pub - timedelta(days=back)).isoformat()


@_in_range
def _relative(entry: dict[str, Any], pub: date | None) -> str | None:
    if pub is None:
        return None
    kind, off = entry["kind"], int(entry["offset"])
    if kind == "days":
        return (pub + timedelta(days=off)).isoformat()
    if kind == "week":
        return (pub - timedelta(days=pub.weekday()) + timedelta(weeks=off)).isoformat()
    if kind == "month":
        return _shift_month(pub.replace(day=1), off).isoformat()[:7]
    return f"{date(pub.year + off, 1, 1).year:04d}"


def _shift_month(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
