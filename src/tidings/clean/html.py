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


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
MAX_TAG_CHARS = 16 * 1024  # a longer tag keeps its name and loses its attributes before parsing


def bounded_tags(html: str, limit: int = MAX_TAG_CHARS) -> str:
    """`html` with every tag longer than `limit` characters cut to its bare name (`<p a0=… a999999=…>`
    → `<p>`). libxml2 checks each attribute against the others, so its time grows with the
    square of a tag's attributes: one tag with a million of them would take hours. One linear pass."""
    if len(html) <= limit:
        return html
    lower = html.translate(_ASCII_LOWER)  # same length as html (str.lower may not be: "İ")
    parts: list[str] = []
    done = start = 0
    while (start := html.find("<", start)) >= 0:
        end = html.find(">", start)
        if end < 0:
            break
        if end - start > limit:
            name = start + 1
            while name < end and not html[name].isspace() and html[name] not in "/>":
                name += 1
            parts += [html[done:name], ">"]
            done = end + 1
        raw_text = lower[start + 1:start + 7]
        start = end + 1
        for element in ("script", "style"):  # their text may hold "<" that opens no tag
            if raw_text.startswith(element) and lower[start - 2] != "/":
                close = lower.find("</" + element, start)
                start = close if close >= 0 else len(html)
    if not parts:
        return html
    parts.append(html[done:])
    return "".join(parts)


def extract_html(html: str, url: str | None, settings: ExtractionSettings) -> HtmlExtraction:
    """Main text (one paragraph per line) and metadata; empty text when nothing was found."""
    import trafilatura

    try:
        result = trafilatura.bare_extraction(
            bounded_tags(html), url=url, fast=settings.fast, favor_precision=settings.favor_precision,
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
