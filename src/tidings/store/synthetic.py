"""Synthetic ArticleResults for store benchmarks and tests (deterministic for a seed).

Nothing here is knowledge: the articles are made-up sentences with random actors, types and
dates, shaped like real extraction output (mentions, events with participants, quotes).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from tidings.records import (
    PLOVER_TYPES, Actor, ArticleResult, Attribution, Event, Location, Mention, Participant, Quote, Span,
)

COUNTRIES = ("USA", "RUS", "UKR", "CHN", "GBR", "FRA", "DEU", "IRN", "ISR", "IND", "PAK", "TUR",
             "SYR", "CAN", "JPN", "KOR", "PRK", "BRA", "ZAF", "NGA")
COUNTRY_WEIGHTS = tuple(1 / rank for rank in range(1, len(COUNTRIES) + 1))  # news is skewed (Zipf)
SECTORS = (None, "GOV", "MIL", "COP", "OPP", "BUS", "CVL")
# (name, country, GeoNames id) of the places events happen at: cities and whole countries
PLACES = (("Kyiv", "UKR", 703448), ("Moscow", "RUS", 524901), ("Washington", "USA", 4140963),
          ("Beijing", "CHN", 1816670), ("London", "GBR", 2643743), ("Paris", "FRA", 2988507),
          ("Berlin", "DEU", 2950159), ("Tehran", "IRN", 112931), ("Jerusalem", "ISR", 281184),
          ("New Delhi", "IND", 1261481), ("Kharkiv", "UKR", 706483), ("Donetsk", "UKR", 709717),
          ("Tokyo", "JPN", 1850147), ("Seoul", "KOR", 1835848), ("Ukraine", "UKR", 690791),
          ("Syria", "SYR", 163843), ("Russia", "RUS", 2017370))


@dataclass
class SyntheticSettings:
    articles: int = 100
    events_per_article: int = 10
    quotes_per_article: int = 2
    seed: int = 1
    start: date = date(2020, 1, 1)
    days: int = 730


def synthetic_results(settings: SyntheticSettings) -> Iterator[ArticleResult]:
    """`settings.articles` results with `events_per_article` events each, the same for a seed."""
    rng = random.Random(settings.seed)
    for i in range(settings.articles):
        yield _article(rng, i, settings)


def _participant(rng: random.Random, text: str, start: int) -> Participant:
    country = rng.choices(COUNTRIES, COUNTRY_WEIGHTS)[0]
    return Participant(text=text, start=start, end=start + len(text), country=country,
                       sector=rng.choice(SECTORS), name=f"{country} actor {rng.randrange(50)}")


def _place(i: int, k: int) -> Location | None:
    """Two events in three have a place (chosen without the random generator, so the other
    fields stay what they were for a seed)."""
    if (i + k) % 3 == 0:
        return None
    name, country, geonameid = PLACES[(7 * i + 3 * k) % len(PLACES)]
    return Location(text=name, country=country, name=name, geonameid=geonameid)


def _article(rng: random.Random, i: int, s: SyntheticSettings) -> ArticleResult:
    published = s.start + timedelta(days=rng.randrange(s.days))
    sentences, events, mentions = [], [], []
    offset = 0
    for k in range(s.events_per_article):
        sentence = f"Officials of side A{k} did something to side B{k} in story {i}."
        source = _participant(rng, f"side A{k}", offset + 13)
        target = _participant(rng, f"side B{k}", offset + 13 + len(source.text) + 18)
        trigger = Span("did something", offset + 13 + len(source.text) + 1, offset + 13 + len(source.text) + 14)
        day = published - timedelta(days=rng.randrange(3))
        events.append(Event(
            type=rng.choice(PLOVER_TYPES), trigger=trigger, sentence=Span(sentence, offset, offset + len(sentence)),
            rule=f"synthetic.{k % 5}", source=[source], target=[target], date=day.isoformat(),
            background=(i + k) % 7 == 0, confidence=round(0.025 + ((3 * i + 7 * k) % 20) / 20, 3),
            factuality=rng.choice(("asserted", "reported", "asserted", "future")),
            attribution=Attribution(kind=rng.choice(("outlet", "named", "official"))),
            location=_place(i, k)))
        for p in (source, target):
            mentions.append(Mention(p.text, p.start, p.end, Actor(p.name or p.text, p.country, p.sector, how="kb")))
        sentences.append(sentence)
        offset += len(sentence) + 1
    text = " ".join(sentences)
    quotes = []
    for q in range(min(s.quotes_per_article, len(events))):
        sentence = events[q].sentence
        quotes.append(Quote(text=sentence.text, start=sentence.start, end=sentence.end, direct=q % 2 == 0,
                            speaker=events[q].source[0], cue=None))
    digest = hashlib.sha256(f"{s.seed}:{i}".encode()).hexdigest()
    return ArticleResult(id=f"syn-{i:07d}", text=text, title=f"Story {i}", published=published.isoformat(),
                         language="en", origin=f"synthetic:{i}", content_hash=digest, status="ok",
                         mentions=mentions, events=events, quotes=quotes)
