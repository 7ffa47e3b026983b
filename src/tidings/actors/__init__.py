"""Actor mentions resolved to country + PLOVER sector.

`ActorResolver` loads the knowledge base under actors/data/ once (countries, organisations,
people, sector nouns) and offers:

- `resolve(text, context, date)`: a free-text actor description → dict or None;
- `find_mentions(doc, published)`: every actor mention of a spaCy Doc, with in-article
  titles, appositives and coreference (see `tidings.actors.article`).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from tidings.actors.article import find_mentions as _find_mentions
from tidings.actors.coref import first_person_mentions, unresolved_pronoun
from tidings.actors.evaluate import evaluate
from tidings.actors.kb import KnowledgeBase, load_kb, text_key
from tidings.actors.phrase import resolve_text
from tidings.records import Mention, Participant, Quote

__all__ = ["ActorResolver", "default_resolver", "evaluate"]


class ActorResolver:
    """Resolves actor descriptions against the shipped knowledge base (read-only after init)."""

    def __init__(self, data_dir: str | Path | None = None,
                 extra_dirs: Iterable[str | Path] | None = None) -> None:
        """`extra_dirs`: folders of imported people*/orgs* YAML files (default: the user KB folder,
        $TIDINGS_KB_DIR or ~/.local/share/tidings/kb, when it exists; `[]` for the shipped KB only)."""
        self.kb: KnowledgeBase = load_kb(data_dir, extra_dirs)

    def resolve(self, text: str, context: str = "", date: str | int | None = None) -> dict[str, Any] | None:
        """`{"name", "country", "sector", "how", "kb_id", ...}` for an actor description, else None."""
        reading = resolve_text(self.kb, text or "", context or "", date)
        return reading.as_dict() if reading else None

    def knows_name(self, word: str) -> bool:
        """Whether the knowledge base holds a name that is this word ("Lebanon", "Trump")."""
        return bool(self.kb.lookup(text_key(word)))

    def find_mentions(self, doc, published: str | None = None) -> list[Mention]:
        """Actor mentions in a spaCy Doc of an article body (non-overlapping, in text order),
        with in-article coreference: a resolved pronoun or description is a mention of its own
        whose actor is its antecedent's and whose `refers_to` names the antecedent mention."""
        return _find_mentions(self.kb, doc, published)

    def add_quoted_speakers(self, doc, mentions: list[Mention], quotes: list[Quote]) -> list[Mention]:
        """`mentions` plus "I", "we", "my", … inside direct quotes, referring to the quote's
        speaker (run after the quotes stage has resolved speakers), in text order."""
        extra = first_person_mentions(self.kb.coref, doc, mentions, quotes)
        return sorted([*mentions, *extra], key=lambda m: m.start) if extra else mentions

    def unresolved_pronoun(self, participant: Participant) -> bool:
        """Whether an event participant is a pronoun no antecedent was found for (never shown as an actor)."""
        return unresolved_pronoun(self.kb.coref, participant.text, participant.name, participant.country)


@lru_cache(maxsize=1)
def default_resolver() -> ActorResolver:
    """The resolver over the shipped knowledge base, loaded once (read-only afterwards)."""
    return ActorResolver()
