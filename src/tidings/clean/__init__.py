"""Document → Article. (Stub: the clean helper replaces this with the real cleaner.)"""

from __future__ import annotations

import hashlib

from tidings.records import Article, Document


class Cleaner:
    def clean(self, document: Document, published: str | None = None) -> Article:
        text = document.raw.decode("utf-8", errors="replace")
        paras = [p.strip() for p in text.split("\n") if p.strip()]
        title = document.title or (paras.pop(0) if paras else None)
        return Article(id=document.id, origin=document.origin, text="\n\n".join(paras), title=title,
                       url=document.url, published=document.published or published, language="en",
                       content_hash=hashlib.sha256(document.raw).hexdigest())
