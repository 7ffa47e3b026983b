"""HTML → main text + metadata, with trafilatura."""

from __future__ import annotations

import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExtractionSettings:
    """trafilatura options (tuned on the article-extraction benchmark, see tidings.eval.extraction)."""

    fast: bool = True  # skip the readability/jusText fallbacks: faster, and better on news pages
    favor_precision: bool = False
    favor_recall: bool = True  # keeps more of the body; the line filter then removes the furniture
    include_tables: bool = True


@dataclass(frozen=True)
class HtmlExtraction:
    text: str = ""
    title: str | None = None
    date: str | None = None
    site_name: str | None = None
    author: str | None = None
    url: str | None = None
    error: str | None = None  # set when the markup could not be parsed at all


def _clean_meta(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def extract_html(html: str, url: str | None, settings: ExtractionSettings) -> HtmlExtraction:
    """Main text (one paragraph per line) and metadata; empty text when nothing was found."""
    import trafilatura

    try:
        result = trafilatura.bare_extraction(
            html, url=url, fast=settings.fast, favor_precision=settings.favor_precision,
            favor_recall=settings.favor_recall, include_comments=False, include_tables=settings.include_tables,
            include_images=False, include_formatting=False, include_links=False, with_metadata=True,
        )
    except (ValueError, TypeError, AttributeError, LookupError) as exc:  # malformed markup
        log.warning("trafilatura failed on %s: %s", url or "a page", exc)
        return HtmlExtraction(error=f"HTML could not be parsed: {type(exc).__name__}: {exc}")
    if result is None:
        return HtmlExtraction()
    get = result.get if isinstance(result, dict) else lambda k: getattr(result, k, None)
    return HtmlExtraction(
        text=get("text") or "",
        title=_clean_meta(get("title")),
        date=_clean_meta(get("date")),
        site_name=_clean_meta(get("sitename")),
        author=_clean_meta(get("author")),
        url=_clean_meta(get("url")),
    )
