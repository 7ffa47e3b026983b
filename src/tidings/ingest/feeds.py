"""RSS/Atom feeds → entries → Documents (one per linked page).

    with Fetcher() as fetcher:
        for document in iter_feed_documents("https://example.org/feed.xml", fetcher, seen=store.has_url):
            ...

* `parse_feed` reads RSS 0.9x/1.0/2.0 and Atom with feedparser; relative links are resolved
  against the feed URL. A feed whose XML is broken is still used when feedparser recovers
  entries from it (logged); one it cannot read as a feed at all raises `FeedError`.
* `FeedEntry.published` is the entry's own publication (else update) date as YYYY-MM-DD, in
  the time zone the feed wrote it in; `summary` is plain text (tags dropped).
* `iter_feed_documents` fetches the feed, then the entries' pages concurrently (skipping URLs
  for which `seen(url)` is true, and duplicates); each page Document carries the entry's title,
  published date and URL, and `meta["feed"]` and `meta["entry_url"]`. A feed that cannot be
  fetched or parsed gives one error Document with `meta["feed"]` and no `entry_url`
  (`is_feed_failure` tells it from a failed entry page).
* `iter_web_documents` takes URLs that may be feeds or pages (`is_feed` tells them apart) and
  yields the right Documents for each: what `tidings ingest https://…` needs.
"""

from __future__ import annotations

import email.utils
import html
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import feedparser

from tidings.ingest.web import Fetcher, FetchResult, document_from_fetch, media_type, url_document_id
from tidings.records import Document

__all__ = ["FeedEntry", "FeedError", "documents_from_feed", "is_feed", "is_feed_failure", "iter_feed_documents",
           "iter_web_documents", "parse_feed"]

log = logging.getLogger(__name__)

FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml",
                        "application/feed+xml"})
XML_TYPES = frozenset({"text/xml", "application/xml", "text/plain", ""})
# Prolog before the root element: BOM, whitespace, XML declaration, comments, PIs, doctype.
_PROLOG = re.compile(rb"^(?:\xef\xbb\xbf)?(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)*", re.S | re.I)
_FEED_ROOT = re.compile(rb"<(?:rss|feed|(?:[\w-]+:)?RDF)[\s>/]", re.I)
_SNIFF = 4096

Seen = Callable[[str], bool]


class FeedError(Exception):
    """A body that cannot be read as an RSS/Atom feed; the message is the human reason."""


@dataclass
class FeedEntry:
    url: str
    title: str | None = None
    published: str | None = None  # YYYY-MM-DD
    summary: str | None = None  # plain text


def is_feed(content_type: str | None, body: bytes) -> bool:
    """True for an RSS/Atom feed: a feed content type, or XML whose root is rss/feed/RDF."""
    kind = media_type(content_type)
    if kind in FEED_TYPES:
        return True
    if kind not in XML_TYPES and not kind.endswith("+xml") and kind != "text/html":
        return False
    head = body[:_SNIFF]
    prolog = _PROLOG.match(head)
    rest = head[prolog.end():] if prolog else head
    return bool(_FEED_ROOT.match(rest))


def parse_feed(body: bytes, base_url: str, content_type: str | None = None) -> list[FeedEntry]:
    """Entries (with a link) of an RSS/Atom feed, in feed order; raises FeedError."""
    if not body.strip():
        raise FeedError("malformed feed: empty document")
    headers = {"content-location": base_url, "content-type": content_type or "application/xml"}
    parsed = feedparser.parse(body, response_headers=headers)
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not parsed.get("version"):
        reason = f": {problem}" if problem else ""
        raise FeedError(f"malformed feed: not RSS or Atom{reason}")
    entries = [entry for entry in (_entry(e) for e in parsed.entries) if entry is not None]
    if problem is not None and _is_xml_error(problem):
        if not entries:
            raise FeedError(f"malformed feed: {problem}")
        log.warning("feed %s is malformed (%s); using the %d entries recovered", base_url, problem, len(entries))
    return entries


def _is_xml_error(problem: Exception) -> bool:
    # feedparser also flags harmless things (wrong declared encoding, odd content type).
    return not isinstance(problem, (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType))


def _entry(raw: Any) -> FeedEntry | None:
    url = (raw.get("link") or "").strip()
    if not url.startswith(("http://", "https://")):
        guid = (raw.get("id") or "").strip()
        url = guid if guid.startswith(("http://", "https://")) else ""
    if not url:
        return None
    title = _plain(raw.get("title"))
    published = _entry_date(raw, "published") or _entry_date(raw, "updated")
    return FeedEntry(url=url, title=title or None, published=published, summary=_plain(raw.get("summary")) or None)


def _plain(value: str | None) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", value or ""))
    return " ".join(text.split())


def _entry_date(raw: Any, key: str) -> str | None:
    """The entry's date in the feed's own time zone; feedparser's UTC struct as a fallback."""
    text = (raw.get(key) or "").strip()
    if text:
        parsed = _parse_date_text(text)
        if parsed is not None:
            return parsed.isoformat()
    struct = raw.get(f"{key}_parsed")
    if struct:
        return time.strftime("%Y-%m-%d", struct)
    return None


def _parse_date_text(text: str) -> date | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None


# --- fetching feeds and their pages -------------------------------------------------------

def iter_feed_documents(feed_url: str, fetcher: Fetcher, seen: Seen | None = None) -> Iterator[Document]:
    """Fetch a feed, then the pages of its entries; one Document per new entry (errors included)."""
    yield from documents_from_feed(fetcher.fetch(feed_url), fetcher, seen)


def documents_from_feed(result: FetchResult, fetcher: Fetcher, seen: Seen | None = None) -> Iterator[Document]:
    """Like `iter_feed_documents` for a feed already fetched (e.g. after `is_feed` said so)."""
    feed_url = result.final_url or result.url
    if not result.ok:
        document = document_from_fetch(result)
        document.meta["feed"] = feed_url
        yield document
        return
    try:
        entries = parse_feed(result.body, feed_url, result.content_type)
    except FeedError as exc:
        yield Document(id=url_document_id(feed_url, result.body), origin=result.url, url=feed_url,
                       error=str(exc), meta={"feed": feed_url})
        return
    fresh = _unseen(entries, seen)
    log.info("feed %s: %d entries, %d new", feed_url, len(entries), len(fresh))
    pages = fetcher.fetch_many(entry.url for entry in fresh)
    for entry, page in zip(fresh, pages, strict=True):
        yield _entry_document(entry, page, feed_url)


def is_feed_failure(document: Document) -> bool:
    """True for the error Document that stands for a whole feed (unreachable, timed out, not a
    feed, malformed), as opposed to a document for one of its entries."""
    return document.error is not None and "feed" in document.meta and "entry_url" not in document.meta


def _unseen(entries: list[FeedEntry], seen: Seen | None) -> list[FeedEntry]:
    fresh: dict[str, FeedEntry] = {}
    for entry in entries:
        if entry.url in fresh or (seen is not None and seen(entry.url)):
            continue
        fresh[entry.url] = entry
    return list(fresh.values())


def _entry_document(entry: FeedEntry, page: FetchResult, feed_url: str) -> Document:
    document = document_from_fetch(page)
    document.title = entry.title
    document.published = entry.published
    document.url = document.url or entry.url
    document.meta["feed"] = feed_url
    document.meta["entry_url"] = entry.url
    if entry.summary:
        document.meta["feed_summary"] = entry.summary
    return document


def iter_web_documents(urls: Iterable[str], fetcher: Fetcher, seen: Seen | None = None) -> Iterator[Document]:
    """URLs that may be feeds or pages: a feed gives its entries' pages, a page itself."""
    for result in fetcher.fetch_many(urls):
        if result.ok and is_feed(result.content_type, result.body):
            yield from documents_from_feed(result, fetcher, seen)
        else:
            yield document_from_fetch(result)
