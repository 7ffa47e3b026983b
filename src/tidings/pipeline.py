"""Composes the stages; the one place that knows their order.

    Document ─clean─► Article ─spaCy─► Doc ─actors─► mentions ─events/quotes─► ArticleResult

One broken document never stops a batch: every failure becomes an ArticleResult with
status="error" and a specific reason.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from tidings.records import Article, ArticleResult, Document

log = logging.getLogger(__name__)


@dataclass
class PipelineSettings:
    model: str | None = None  # spaCy model name; None = best installed
    batch_size: int = 16
    published: str | None = None  # fallback publication date (YYYY-MM-DD) for undated input
    min_confidence: float | None = None  # events under this confidence are left out (None: the verifier's default)


@dataclass
class StageTimer:
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def add(self, stage: str, start: float) -> float:
        now = time.perf_counter()
        self.seconds[stage] += now - start
        return now


class Pipeline:
    """Holds the loaded model and knowledge bases; turns Documents into ArticleResults."""

    def __init__(self, settings: PipelineSettings | None = None) -> None:
        from tidings.actors import ActorResolver
        from tidings.clean import Cleaner
        from tidings.events import EventCoder
        from tidings.nlp import load_model
        from tidings.quotes import QuoteExtractor

        self.settings = settings or PipelineSettings()
        self.nlp = load_model(self.settings.model)
        self.cleaner = Cleaner()
        self.resolver = ActorResolver()
        self.coder = EventCoder()
        self.quoter = QuoteExtractor()
        self.timer = StageTimer()

    # -- public ----------------------------------------------------------------------------
    def run(self, documents: Iterable[Document], published: str | None = None) -> Iterator[ArticleResult]:
        """Process documents lazily, in batches, yielding one ArticleResult per Document."""
        fallback = published or self.settings.published
        batch: list[Article] = []  # every status, in input order; only "ok" ones are analysed
        for document in documents:
            batch.append(self._clean(document, fallback))
            if len(batch) >= self.settings.batch_size:
                yield from self._analyse_batch(batch)
                batch = []
        if batch:
            yield from self._analyse_batch(batch)

    @staticmethod
    def settle() -> None:
        """For a process that keeps one Pipeline for its lifetime (a worker): move everything
        loaded so far out of the garbage collector's passes (the model and knowledge bases are
        millions of long-lived objects it would otherwise re-scan). Results are unchanged."""
        import gc

        gc.collect()
        gc.freeze()

    def process(self, document: Document, published: str | None = None) -> ArticleResult:
        return next(iter(self.run([document], published=published)))

    # -- stages ----------------------------------------------------------------------------
    def _clean(self, document: Document, published: str | None) -> Article:
        start = time.perf_counter()
        try:
            return self.cleaner.clean(document, published=published)
        except Exception as exc:  # a bug or pathological input: record it, go on
            log.exception("cleaning %s failed", document.origin)
            return Article(id=document.id, origin=document.origin, url=document.url,
                           status="error", error=f"clean failed: {type(exc).__name__}: {exc}")
        finally:
            self.timer.add("clean", start)

    def _analyse_batch(self, batch: list[Article]) -> Iterator[ArticleResult]:
        """Results for a batch in input order; the ok articles go through spaCy together."""
        start = time.perf_counter()
        texts = [a.text for a in batch if a.status == "ok"]
        docs = iter(self.nlp.pipe(texts, batch_size=self.settings.batch_size))
        for article in batch:
            if article.status != "ok":
                yield self._result(article)
                continue
            doc = next(docs)
            start = self.timer.add("spacy", start)
            try:
                result = self._analyse(article, doc)
            except Exception as exc:
                log.exception("analysing %s failed", article.origin)
                result = self._result(article)
                result.status = "error"
                result.error = f"analysis failed: {type(exc).__name__}: {exc}"
            start = time.perf_counter()
            yield result

    def _analyse(self, article: Article, doc) -> ArticleResult:
        result = self._result(article)
        t = time.perf_counter()
        result.mentions = self.resolver.find_mentions(doc, published=article.published)
        t = self.timer.add("actors", t)
        result.quotes = self.quoter.extract(doc, result.mentions)
        t = self.timer.add("quotes", t)
        result.mentions = self.resolver.add_quoted_speakers(doc, result.mentions, result.quotes)
        t = self.timer.add("actors", t)
        result.events = self.coder.code(doc, result.mentions, published=article.published, quotes=result.quotes,
                                        min_confidence=self.settings.min_confidence)
        t = self.timer.add("events", t)
        self.quoter.attribute(result.events, result.quotes, doc, result.mentions)
        self.timer.add("attribution", t)
        return result

    @staticmethod
    def _result(article: Article) -> ArticleResult:
        return ArticleResult(
            id=article.id, text=article.text, url=article.url, title=article.title,
            section=article.section, published=article.published, language=article.language,
            credited_publisher=article.credited_publisher, site_name=article.site_name,
            author=article.author, origin=article.origin, content_hash=article.content_hash,
            status=article.status, error=article.error,
        )
