"""PLOVER event coding.

`EventCoder().code(doc, mentions, published)` turns a parsed article into `Event` records:
trigger lexicon (data/triggers.yaml) + dependency roles for source and target (args.py),
factuality from the clause (factuality.py, data/factuality.yaml), dates resolved against the
publication date (dates.py, data/dates.yaml), places via GeoNames (location.py).
"""

from __future__ import annotations

from tidings.events.coder import EventCoder
from tidings.events.lexicon import Lexicon, Trigger

__all__ = ["EventCoder", "Lexicon", "Trigger"]
