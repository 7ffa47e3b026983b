"""Composes the stages; the one place that knows their order.

    Document ─clean─► Article ─spaCy─► Doc ─actors─► mentions ─events/quotes─► ArticleResult

One broken document never stops a batch: every failure becomes an ArticleResult with
status="error" and a specific reason.
"""

from __future__ import annotations

import logging
import re
import signal
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from tidings.nlp.casing import parse
from tidings.records import Article, ArticleResult, Document

log = logging.getLogger(__name__)

MAX_CHARS = 100_000  # characters of cleaned text analysed per document: a long news article has 50,000;
# spaCy alone takes up to 650 MB more for 160,000 (40,000 words), which would bring a worker over 1.5 GB

# spaCy's tokenizer takes time in the square of a "word"'s length (10,000 quote marks in a row: 8 s),
# and parsing is not interruptible: a run of this many characters without a space is split
LONG_RUN = re.compile(r"\S{1000,}")
RUN_PIECE = 100


def _broken_run(match: re.Match) -> str:
    run = match.group(0)
    return " ".join(run[i:i + RUN_PIECE] for i in range(0, len(run), RUN_PIECE))


DOC_TIMEOUT = 120.0  # seconds; a news article takes a tenth of a second


class DocumentTimeout(BaseException):
    """A document's stage ran over its time budget (a BaseException, like KeyboardInterrupt, so
    that no `except Exception` inside a stage swallows it)."""


class _budget:
    """Interrupts the block with DocumentTimeout after `seconds` (SIGALRM: main thread, Unix only;
    elsewhere the block runs unbounded and a worker pool's watchdog is the bound). Code stuck
    inside one call into compiled code is interrupted when the call returns."""

    def __init__(self, seconds: float, what: str) -> None:
        self.seconds, self.what = seconds, what
        self.previous = None

    def __enter__(self):
        if self.seconds > 0 and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGALRM, self._expired)
            signal.setitimer(signal.ITIMER_REAL, self.seconds, 1.0)  # again every second until the block ends
        return self

    def _expired(self, signum, frame) -> None:
        raise DocumentTimeout(f"{self.what} took longer than its {self.seconds:g} s time budget (--doc-timeout)")

    def __exit__(self, *exc) -> None:
        if self.previous is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
            self.previous = None


@dataclass
class PipelineSettings:
    model: str | None = None  # spaCy model name; None = best installed
    batch_size: int = 16
    published: str | None = None  # fallback publication date (YYYY-MM-DD) for undated input
    min_confidence: float | None = None  # events under this confidence are left out (None: the verifier's default)
    max_chars: int = MAX_CHARS  # a longer cleaned text is refused with a reason (not cut: nothing is half-read)
    doc_timeout: float = DOC_TIMEOUT  # seconds of cleaning, and of analysis after parsing, per document (0: none)


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
        # what the stages load on first use (the language identifier, …) is loaded now, not inside
        # the first document's time budget
        self.cleaner.clean(Document(id="warm-up", origin="warm-up", kind="text", raw=b"Officials met on Monday."))

    # -- public ----------------------------------------------------------------------------
    def run(self, documents: Iterable[Document], published: str | None = None) -> Iterator[ArticleResult]:
        """Process documents lazily, in batches, yielding one ArticleResult per Document."""
        fallback = published or self.settings.published
        batch: list[Article] = []  # every status, in input order; only "ok" ones are analysed
        chars = 0
        for document in documents:
            article = self._clean(document, fallback)
            batch.append(article)
            chars += len(article.text) if article.status == "ok" else 0
            if len(batch) >= self.settings.batch_size or chars >= self.settings.max_chars:
                yield from self._analyse_batch(batch)  # a batch holds at most ~2 × max_chars: memory stays bounded
                batch, chars = [], 0
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
            with _budget(self.settings.doc_timeout, "cleaning"):
                article = self.cleaner.clean(document, published=published)
        except DocumentTimeout as exc:
            log.error("cleaning %s: %s", document.origin, exc)
            return Article(id=document.id, origin=document.origin, url=document.url, status="error", error=str(exc))
        except Exception as exc:  # a bug or pathological input: record it, go on
            log.exception("cleaning %s failed", document.origin)
            return Article(id=document.id, origin=document.origin, url=document.url,
                           status="error", error=f"clean failed: {type(exc).__name__}: {exc}")
        finally:
            self.timer.add("clean", start)
        if article.status == "ok" and LONG_RUN.search(article.text):
            article.text = LONG_RUN.sub(_broken_run, article.text)
        if article.status == "ok" and len(article.text) > self.settings.max_chars:
            article.status = "error"
            article.error = (f"text too long to analyse: {len(article.text):,} characters after cleaning, over the"
                             f" {self.settings.max_chars:,} limit (--max-chars)")
        return article

    def _analyse_batch(self, batch: list[Article]) -> Iterator[ArticleResult]:
        """Results for a batch in input order; the ok articles go through spaCy together."""
        start = time.perf_counter()
        texts = [a.text for a in batch if a.status == "ok"]
        docs = iter(self._parse(texts))
        for article in batch:
            if article.status != "ok":
                yield self._result(article)
                continue
            doc = next(docs)
            start = self.timer.add("spacy", start)
            if isinstance(doc, Exception):
                result = self._result(article)
                result.status = "error"
                result.error = f"analysis failed: spaCy: {type(doc).__name__}: {doc}"
                yield result
                start = time.perf_counter()
                continue
            try:
                with _budget(self.settings.doc_timeout, "analysis"):
                    result = self._analyse(article, doc)
            except DocumentTimeout as exc:
                log.error("analysing %s: %s", article.origin, exc)
                result = self._result(article)
                result.status, result.error = "error", str(exc)
            except Exception as exc:
                log.exception("analysing %s failed", article.origin)
                result = self._result(article)
                result.status = "error"
                result.error = f"analysis failed: {type(exc).__name__}: {exc}"
            start = time.perf_counter()
            yield result

    def _parse(self, texts: list[str]) -> list:
        """spaCy Docs for `texts`, batched; when the batch fails, text by text, with the exception
        in the place of a text that cannot be parsed (so one text never costs its batch)."""
        if self.nlp.max_length <= self.settings.max_chars:
            self.nlp.max_length = self.settings.max_chars + 1
        known = self.resolver.knows_name  # Title Case headlines are parsed in sentence case (nlp/casing.py)
        try:
            return list(parse(self.nlp, texts, known, batch_size=self.settings.batch_size))
        except Exception:  # noqa: BLE001 - found again, text by text, below
            log.warning("spaCy failed on a batch of %d texts; parsing them one by one", len(texts))
        docs: list = []
        for text in texts:
            try:
                docs.append(next(parse(self.nlp, [text], known)))
            except Exception as exc:  # noqa: BLE001 - becomes this document's error
                docs.append(exc)
        return docs

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
