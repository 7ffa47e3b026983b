"""Bytes → text: decoding with fallbacks, and recognising binary data.

Used by the readers (to reject what is not text) and by the cleaner (to decode `Document.raw`
with the encoding the reader found, recorded in `Document.meta["encoding"]`).
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass

log = logging.getLogger(__name__)

# How much of a file is inspected for NUL bytes / control characters.
_SNIFF_BYTES = 64 * 1024
# Share of control characters (other than tab/newline/CR/FF) above which text is "binary".
_MAX_CONTROL_SHARE = 0.02
_ALLOWED_CONTROLS = {"\t", "\n", "\r", "\f", "\v", "\x1b"}
_PREFERRED = ("cp1252", "latin_1", "iso8859_15")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]{2,40})""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass
class Decoded:
    """Result of decoding: `text` and the `encoding` used, or `error` (a human reason)."""

    text: str = ""
    encoding: str | None = None
    error: str | None = None


def _bom_encoding(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def _control_share(text: str) -> float:
    sample = text[:_SNIFF_BYTES]
    if not sample:
        return 0.0
    controls = sum(1 for ch in sample if ch < " " and ch not in _ALLOWED_CONTROLS)
    return controls / len(sample)


def _detect(data: bytes) -> tuple[str, str] | None:
    """Charset detection (charset-normalizer); (text, encoding) or None when nothing fits.

    Among equally good guesses the common Western legacy encodings win (short Latin-1 text
    fits cp1250 and cp1257 just as well, but is far more often cp1252).
    """
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - trafilatura depends on it
        return None
    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        return None
    ties = [m for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
    chosen = min(ties, key=lambda m: _PREFERRED.index(m.encoding) if m.encoding in _PREFERRED else len(_PREFERRED))
    return str(chosen), chosen.encoding


def sniff_html_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its first bytes (`<meta charset>`), if a known one."""
    match = _META_CHARSET.search(data[:_SNIFF_BYTES])
    if not match:
        return None
    name = match.group(1).decode("ascii", "ignore")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_text(data: bytes, encoding: str | None = None, declared: str | None = None) -> Decoded:
    """Decode bytes to text: BOM, the given encoding, UTF-8, the `declared` charset (e.g. an
    HTML page's `<meta charset>`), UTF-8 with a few bad bytes replaced (see `_mostly_utf8`),
    then charset detection.

    Returns a `Decoded` with `error` set when the bytes are binary (NUL bytes, many control
    characters) or no encoding gives sensible text.
    """
    bom = _bom_encoding(data)
    if bom is None and b"\x00" in data[:_SNIFF_BYTES]:
        return Decoded(error="binary file (contains NUL bytes), not text")
    candidates = [c for c in (bom, encoding, "utf-8", "utf-8-sig", declared) if c]
    for candidate in dict.fromkeys(candidates):
        try:
            text = data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
        return _checked(text, candidate)
    lenient = _mostly_utf8(data)
    if lenient is not None:
        return _checked(lenient, "utf-8")
    detected = _detect(data)
    if detected is None:
        return Decoded(error="undecodable bytes: not UTF-8 and no known text encoding fits")
    text, found = detected
    log.debug("decoded with detected encoding %s", found)
    return _checked(text, found)


def _mostly_utf8(data: bytes) -> str | None:
    """The text, with U+FFFD for the bad bytes, when `data` is UTF-8 but for a few stray bytes:
    at least 4 valid non-ASCII characters per bad sequence. A scraped page with one broken byte
    keeps its curly quotes and dashes instead of turning into cp1252 mojibake ("â€œ"); a
    legacy-encoded text (é as one byte, no valid multi-byte sequence) is not taken for UTF-8."""
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    non_ascii = len(text) - len(text.encode("ascii", "ignore")) - bad
    if bad <= 0 or non_ascii < 4 * bad:
        return None
    log.info("kept UTF-8 with %d undecodable byte sequence(s) replaced by U+FFFD", bad)
    return text


def _checked(text: str, encoding: str) -> Decoded:
    if _control_share(text) > _MAX_CONTROL_SHARE:
        return Decoded(error=f"binary file (too many control characters when read as {encoding}), not text")
    return Decoded(text=text, encoding=encoding)
