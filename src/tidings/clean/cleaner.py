"""Document → Article: main text, boilerplate filter, title/section, credit, language, date."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

from tidings.clean.credits import Credit, find_credit
from tidings.clean.dates import first_date
from tidings.clean.html import ExtractionSettings, HtmlExtraction, extract_html
from tidings.clean.language import LanguageDetector
from tidings.clean.lines import (drop_title_repeat, filter_lines, join_lines, match_rule, same_words,
                                 split_blocks)
from tidings.clean.rules import CleanRules, load_rules
from tidings.clean.titles import host_name, leading_headline, split_title
from tidings.ingest.decode import decode_text, sniff_html_charset
from tidings.records import Article, Document

log = logging.getLogger(__name__)

NO_TEXT = "no article text found"


@dataclass(frozen=True)
class CleanerSettings:
    extraction: ExtractionSettings = field(default_factory=ExtractionSettings)
    min_words: int = 10  # an HTML page whose body has fewer words counts as "no article text found"
    min_text_words: int = 1  # a plain-text document or record of one sentence is an article too
    languages: tuple[str, ...] = ("en",)
    short_words: int = 30  # under this many words language identification is unreliable: a text is
    short_confidence: float = 0.9  # skipped as another language only when the identifier is this sure


@dataclass
class _Body:
    """What the format-specific readers hand to the shared steps."""

    lines: list[str]
    title: str | None = None
    page: HtmlExtraction = field(default_factory=HtmlExtraction)


class Cleaner:
    """Turns Documents into Articles. Holds the loaded rules and language model; reusable."""

    def __init__(self, settings: CleanerSettings | None = None, rules: CleanRules | None = None) -> None:
        self.settings = settings or CleanerSettings()
        self.rules = rules or load_rules()
        self.languages = LanguageDetector()

    def clean(self, document: Document, published: str | None = None) -> Article:
        """Clean one document; failures come back as an Article with status and error set."""
        article = Article(id=document.id, origin=document.origin, url=document.url,
                          content_hash=hashlib.sha256(document.raw).hexdigest())
        if document.error:
            return _fail(article, document.error)
        declared = sniff_html_charset(document.raw) if document.kind == "html" else None
        decoded = decode_text(document.raw, document.meta.get("encoding"), declared)
        if decoded.error:
            return _fail(article, decoded.error)
        body = self._read_html(decoded.text, document) if document.kind == "html" else self._read_text(
            decoded.text, document)
        if body.page.error:
            return _fail(article, body.page.error)
        self._fill(article, body, document, published)
        return article

    # -- format-specific reading -----------------------------------------------------------
    def _read_html(self, html: str, document: Document) -> _Body:
        page = extract_html(html, document.url, self.settings.extraction)
        lines = [p for p in (join_lines(line) for line in page.text.split("\n")) if p]
        return _Body(lines=lines, title=document.title or page.title, page=page)

    def _read_text(self, text: str, document: Document) -> _Body:
        headline, rest = leading_headline(text)
        if document.title and headline and not self._same_title(headline, document.title):
            rest = text  # the first line is not the title we were given: keep it
        if headline and not rest.strip():
            headline, rest = None, text  # a text of one line is its own body, not a headline
        lines = split_blocks(rest, lambda line: match_rule(self.rules.boilerplate, line) is not None)
        return _Body(lines=lines, title=document.title or headline)

    def _same_title(self, headline: str, title: str) -> bool:
        bare = split_title(headline, self.rules.titles).title
        return same_words(headline, title) or same_words(bare, title)

    # -- shared steps ----------------------------------------------------------------------
    def _fill(self, article: Article, body: _Body, document: Document, published: str | None) -> None:
        credit = find_credit(body.lines, self.rules.credits)
        article.credited_publisher = credit.publisher if credit else None
        article.site_name = body.page.site_name
        article.author = body.page.author
        article.url = document.url or body.page.url
        article.published = first_date(document.published, body.page.date, published)
        self._set_title(article, body.title, credit)
        untitled = drop_title_repeat(body.lines, [body.title or "", article.title or ""])
        filtered = filter_lines(untitled.kept, self.rules.boilerplate)
        article.text = "\n\n".join(filtered.kept)
        article.removed = untitled.removed + filtered.removed
        minimum = self.settings.min_words if document.kind == "html" else self.settings.min_text_words
        if len(article.text.split()) < minimum:
            _fail(article, NO_TEXT)
            return
        self._set_language(article)

    def _set_title(self, article: Article, title: str | None, credit: Credit | None) -> None:
        if not title:
            return
        known = [article.site_name or "", credit.publisher if credit else "", host_name(article.url) or ""]
        split = split_title(join_lines(title), self.rules.titles, known)
        article.title = split.title
        article.section = split.section
        if article.site_name is None and split.site_name:
            article.site_name = split.site_name

    def _set_language(self, article: Article) -> None:
        language, probability = self.languages.detect(article.text)
        if language not in self.settings.languages and len(article.text.split()) < self.settings.short_words \
                and probability < self.settings.short_confidence:
            language = self.settings.languages[0]  # "Russia invaded Ukraine." reads as Crimean Tatar at 0.41
        article.language = language
        if language not in self.settings.languages:
            article.status = "skipped"
            article.error = f"language {language!r} is not supported ({_supported(self.settings.languages)})"


def _supported(codes: tuple[str, ...]) -> str:
    return "English only" if tuple(codes) == ("en",) else "supported: " + ", ".join(codes)


def _fail(article: Article, reason: str) -> Article:
    article.status = "error"
    article.error = reason
    return article
