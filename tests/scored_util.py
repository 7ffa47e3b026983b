"""A stored story whose events carry known confidences (for the CLI and web tests)."""

from __future__ import annotations

from tidings.records import ArticleResult, Event, Participant, Span


def scored_story() -> ArticleResult:
    """One story (id "scored") with three events between Russia and Ukraine on 2022-01-04:
    ASSAULT with confidence 0.9, ACCUSE with 0.3, THREATEN with none (an event stored before
    the verifier existed)."""
    text = "Russia shelled Ukraine. Ukraine accused Russia. Russia threatened Ukraine."
    rus, ukr = ("Russia", "RUS"), ("Ukraine", "UKR")
    events = []
    for (kind, trigger, source, target, confidence), start in zip(
            [("ASSAULT", "shelled", rus, ukr, 0.9), ("ACCUSE", "accused", ukr, rus, 0.3),
             ("THREATEN", "threatened", rus, ukr, None)], (0, 24, 48)):
        sentence = text[start:].split(".")[0] + "."
        at = start + sentence.index(trigger)
        target_at = start + sentence.index(target[0])
        events.append(Event(type=kind, trigger=Span(trigger, at, at + len(trigger)),
                            sentence=Span(sentence, start, start + len(sentence)), rule=f"test.{kind.lower()}",
                            source=[Participant(source[0], start, start + len(source[0]), source[1], None, source[0])],
                            target=[Participant(target[0], target_at, target_at + len(target[0]), target[1], None,
                                                target[0])],
                            date="2022-01-04", confidence=confidence))
    return ArticleResult(id="scored", text=text, title="Shelling", published="2022-01-04", language="en",
                         content_hash="h-scored", status="ok", events=events)
