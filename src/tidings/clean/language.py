"""Language identification with py3langid (model loaded once per detector)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_SAMPLE_CHARS = 3000


@dataclass
class LanguageDetector:
    """Wraps a py3langid identifier with normalised probabilities; loads it on first use."""

    _identifier: Any = field(default=None, repr=False)

    def _model(self) -> Any:
        if self._identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return self._identifier

    def detect(self, text: str) -> tuple[str, float]:
        """(ISO 639-1 code, probability) for the first few thousand characters of `text`."""
        language, probability = self._model().classify(text[:_SAMPLE_CHARS])
        return str(language), float(probability)
