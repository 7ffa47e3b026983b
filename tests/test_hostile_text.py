"""Hostile texts cost time in proportion to their length (issue #18): `said said said …`,
thousands of quotation marks, one endless sentence. Each check times a 10x longer text against a
short one (a ratio, not a wall time: the machine may be slow or busy); a quadratic step would
take some 100 times as long, a linear one about 10. The fast paths used for this give what
spaCy's own properties give."""

from __future__ import annotations

import signal
import threading
import time

import pytest

from tidings.events.evaluative import Sentences
from tidings.pipeline import Pipeline, PipelineSettings
from tidings.quotes import QuoteExtractor
from tidings.quotes.extract import _Sentences
from tidings.quotes.speakers import subtree
from tidings.records import Document

RATIO = 30  # allowed time(10x the text) / time(the text); linear is ~10, quadratic ~100
SHAPES = {
    "said": lambda n: " ".join(["said"] * (n // 5)),  # one "sentence", a chain-parsed run of cues
    "quotes": lambda n: " ".join(['He said "yes" and "no".'] * (n // 24)),  # thousands of quotes and cues
    "long quotes": lambda n: " ".join(['"yes," he said, and'] * (n // 20)),  # quotes in one endless sentence
    "ordinary": lambda n: " ".join(["the minister said that officials met in Paris and"] * (n // 51)),
    "sentences": lambda n: " ".join([" ".join(["said"] * 390) + "."] * max(1, n // 1955)),  # each just short
    # of the longest sentence read for quotes and events
    "names": lambda n: " ".join(f'Russia accused Ukraine of attacks, Mr. Lavrov{k} said. "We condemn it," he said.'
                                for k in range(n // 78)),
    "denials": lambda n: " ".join(["Russia accused Ukraine of attacks in Kyiv. Ukraine denied the claim. Kyiv"
                                   " confirmed the report that Russia attacked."] * (n // 117)),
}


@pytest.fixture(scope="module")
def pipeline():
    return Pipeline(PipelineSettings(doc_timeout=0))


@pytest.fixture(scope="module")
def docs(pipeline):
    """(doc, mentions) per (shape, length), parsed once."""
    cache = {}

    def get(shape: str, n: int):
        if (shape, n) not in cache:
            doc = pipeline.nlp(SHAPES[shape](n))
            cache[shape, n] = doc, pipeline.resolver.find_mentions(doc)
        return cache[shape, n]
    pipeline.nlp.max_length = max(pipeline.nlp.max_length, 200_001)
    return get


class _Overrun(Exception):
    pass


def _best_of(run, repeats: int = 3, limit: float | None = None) -> float:
    """The fastest of `repeats` runs, in seconds; a run still going after `limit` seconds fails
    the test at once (a quadratic step would otherwise take minutes to be caught)."""
    best = float("inf")
    for _ in range(repeats):
        alarm = limit is not None and threading.current_thread() is threading.main_thread()
        if alarm:
            def expired(signum, frame):
                raise _Overrun
            previous = signal.signal(signal.SIGALRM, expired)
            signal.setitimer(signal.ITIMER_REAL, limit)
        start = time.perf_counter()
        try:
            run()
        except _Overrun:
            pytest.fail(f"still running after {limit:.1f} s, {RATIO} times the short text's time")
        finally:
            if alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
        best = min(best, time.perf_counter() - start)
    return best


def _scaling(run_short, run_long) -> tuple[float, float]:
    short = max(_best_of(run_short, 5), 0.002)  # a floor: timer and scheduler noise
    long = _best_of(run_long, 3, limit=RATIO * short + 1.0)
    return short, long


def _quotes_and_events(pipeline, doc, mentions):
    quotes = pipeline.quoter.extract(doc, mentions)
    events = pipeline.coder.code(doc, mentions, quotes=quotes)
    pipeline.quoter.attribute(events, quotes, doc, mentions)


def test_quote_extraction_of_100_kb_of_said_takes_time_linear_in_its_length(pipeline, docs):
    short_doc, short_mentions = docs("said", 10_000)
    long_doc, long_mentions = docs("said", 100_000)
    assert len(long_doc.text) == 99_999
    extractor = QuoteExtractor()
    short, long = _scaling(lambda: extractor.extract(short_doc, short_mentions),
                           lambda: extractor.extract(long_doc, long_mentions))
    assert long < RATIO * short, f"10 KB: {short:.3f} s, 100 KB: {long:.3f} s"


@pytest.mark.parametrize("shape", list(SHAPES))
def test_quotes_events_and_attribution_take_time_linear_in_the_text(pipeline, docs, shape):
    short_doc, short_mentions = docs(shape, 5_000)
    long_doc, long_mentions = docs(shape, 50_000)
    short, long = _scaling(lambda: _quotes_and_events(pipeline, short_doc, short_mentions),
                           lambda: _quotes_and_events(pipeline, long_doc, long_mentions))
    assert long < RATIO * short, f"{shape}: 5 KB: {short:.3f} s, 50 KB: {long:.3f} s"


def test_the_whole_pipeline_reads_100_kb_of_said_in_time_linear_in_its_length(pipeline):
    def run(n: int) -> None:
        text = SHAPES["said"](n)
        result = pipeline.process(Document(id=f"said-{n}", origin="said.txt", kind="text", raw=text.encode()))
        assert result.status == "ok", result.error

    short, long = _scaling(lambda: run(10_000), lambda: run(100_000))
    assert long < RATIO * short, f"10 KB: {short:.3f} s, 100 KB: {long:.3f} s"


# -- the fast paths give what spaCy gives -------------------------------------------------------------
NEWS = ('WASHINGTON (Reuters) -- Secretary of State Antony Blinken said on Monday that the United States '
        'and NATO would meet Russia\'s Sergei Ryabkov in Geneva, according to a State Department '
        'spokeswoman.\n\n"We will not back down," Blinken told reporters, who had asked whether the talks, '
        'which Moscow and its allies in Belarus, Kazakhstan and Armenia had demanded for months, would '
        'go ahead. Ryabkov denied that Moscow planned an invasion, the Kremlin said.')


@pytest.mark.parametrize("text", [NEWS, SHAPES["said"](2_000), SHAPES["ordinary"](2_000)])
def test_subtree_and_sentence_lookups_equal_spacys(pipeline, text):
    doc = pipeline.nlp(text)
    quote_sents, event_sents = _Sentences(doc), Sentences(doc)
    for token in doc:
        assert [t.i for t in subtree(token)] == [t.i for t in token.subtree]
        sent = token.sent
        assert quote_sents.of(token) == sent
        assert event_sents.bounds(token) == (sent.start, sent.end)
