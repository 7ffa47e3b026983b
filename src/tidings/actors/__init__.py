"""Actor mentions resolved to country + PLOVER sector. (Stub: the actors helper replaces it.)"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from tidings.records import Actor, Mention


class ActorResolver:
    def resolve(self, text: str, context: str = "", date: str | None = None) -> dict[str, Any] | None:
        return None

    def find_mentions(self, doc, published: str | None = None) -> list[Mention]:
        return [Mention(text=e.text, start=e.start_char, end=e.end_char, label=e.label_,
                        actor=Actor(name=e.text, how="ner"))
                for e in doc.ents if e.label_ in ("PERSON", "ORG", "GPE", "NORP")]


@lru_cache(maxsize=1)
def default_resolver() -> ActorResolver:
    """The resolver over the shipped knowledge base, loaded once (read-only afterwards)."""
    return ActorResolver()
