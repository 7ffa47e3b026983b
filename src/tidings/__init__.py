"""tidings: raw news in, a structured and sourced database of PLOVER political events out."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "resolve_actor", "extract"]


def resolve_actor(text: str, context: str = "", date: str | None = None) -> dict[str, Any] | None:
    """Resolve an actor description to {"name", "country", "sector", "how", ...} or None."""
    from tidings.actors import default_resolver

    return default_resolver().resolve(text, context=context, date=date)


def extract(paths: list[str], published: str | None = None) -> list[dict[str, Any]]:
    """Run the whole pipeline over files/folders and return ArticleResult dicts."""
    from tidings.ingest import iter_documents
    from tidings.pipeline import Pipeline

    pipeline = Pipeline()
    return [r.to_dict() for r in pipeline.run(iter_documents(paths), published=published)]
