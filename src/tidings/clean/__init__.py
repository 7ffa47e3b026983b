"""Document → Article.

    Cleaner().clean(document, published="2022-01-18") -> Article

* HTML: trafilatura extracts the main text and metadata (title, date, site name, author, url).
* Plain text: the first line is the title when it looks like a headline (short, no final
  period, followed by a blank line).
* Both then go through the line-level boilerplate filter (`data/boilerplate.yaml`: ads,
  teasers, share prompts, comments, disclaimers, copyright and photo credits); every dropped
  line is recorded in `Article.removed` with its rule id.
* The credited publisher comes from copyright/credit lines (`data/credits.yaml`), read before
  they are dropped; a trailing ` – Section` / ` | Site` is split off the title
  (`data/sections.yaml`).
* Non-English text → status "skipped"; too little text → status "error", "no article text found".
* Published date: the document's own > the page metadata > the `published` fallback.
* `Article.text`: paragraphs joined by exactly "\\n\\n", lines inside a paragraph joined by a
  space; nothing else is changed (downstream offsets point into this text).
"""

from __future__ import annotations

from tidings.clean.cleaner import NO_TEXT, Cleaner, CleanerSettings
from tidings.clean.html import ExtractionSettings
from tidings.clean.rules import CleanRules, RuleError, load_rules

__all__ = ["NO_TEXT", "CleanRules", "Cleaner", "CleanerSettings", "ExtractionSettings", "RuleError", "load_rules"]
