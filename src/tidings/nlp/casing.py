"""Headlines in Title Case, parsed as the sentences they are.

spaCy's small English model reads capital letters as names: in "Black Lawmakers Rip Donald
Trump As A 'Disgusting Fraud'" every word is a proper noun, so the headline has no verb and
no event ("rip"), and in "Old Hands Help Russia Navigate U.S. Media" the words are read as
one long name. Headlines are often an article's main event, so they are parsed in sentence
case instead. A line is in Title Case when every word of four letters or more starts with a
capital (a caption full of names, "Chinese President Xi Jinping meets German Chancellor Angela
Merkel", has a verb in lower case and is not). Each capitalised word of such a line is
lower-cased for the parser when the article itself writes it in lower case, or writes it
nowhere else and the knowledge base knows no name of it ("Rip", "Navigate"); a word the body
writes capitalised in mid-sentence ("Donald", "Trump") or a known name ("Lebanon") keeps its
capital.

The parse is then put back on the original words (`restore`), so every offset and every
word of the output is the article's own.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, LEMMA, MORPH, POS, SENT_START, TAG
from spacy.tokens import Doc

MAX_HEADLINE_WORDS = 25  # a longer line is a paragraph, whatever its capitals
MIN_TITLE_WORDS = 3
PARAGRAPH = re.compile(r"[^\n]+")
WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*")
SIMPLE_TITLE = re.compile(r"[A-Z][a-z]+(?:['’][a-z]+)?")  # "Rip", "Lawmakers", "Trump's" (not "U.S.", "McCain")
SENTENCE_END = re.compile(r"[.!?:;\"“”]\s*$")
ATTRS = [TAG, POS, MORPH, LEMMA, HEAD, DEP, SENT_START, ENT_IOB, ENT_TYPE]


def parser_text(text: str, known: Callable[[str], bool] | None = None) -> str:
    """What the parser reads for `text` (same length, so every offset holds). (Curly
    apostrophes are left as they are: read straight, "they’re" gets the lemma "be", but quote
    speakers on PolNeAR dev came out slightly worse, content+speaker F1 0.7205 → 0.7192.)"""
    return sentence_case(text, known)


def title_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line of `text` written in Title Case."""
    found = []
    for m in PARAGRAPH.finditer(text):
        words = WORD.findall(m.group())
        if not words or len(words) > MAX_HEADLINE_WORDS:
            continue
        long_words = [w for w in words if len(w) >= 4]
        if len(long_words) >= MIN_TITLE_WORDS and all(w[0].isupper() for w in long_words):
            found.append((m.start(), m.end()))
    return found


def sentence_case(text: str, known: Callable[[str], bool] | None = None) -> str:
    """`text` with the common words of its Title Case lines lower-cased (same length, so
    every offset holds); `text` itself when it has no such line. `known(word)`: whether a
    word the body does not use is a known name (without it, every such word keeps its capital)."""
    lines = title_lines(text)
    if not lines:
        return text
    capitalised, lower = _body_usage(text, lines)
    chars = list(text)
    changed = False
    for start, end in lines:
        first = True
        for m in WORD.finditer(text, start, end):
            word = m.group()
            if first:  # sentence case keeps the first capital
                first = False
                continue
            if not SIMPLE_TITLE.fullmatch(word):
                continue
            key = _stem(word)
            if capitalised[key] > lower[key.lower()]:
                continue  # a name: the body writes it capitalised mid-sentence
            if not lower[key.lower()] and (known is None or known(key)):
                continue  # not in the body, and a known name (or nothing to tell)
            chars[m.start()] = word[0].lower()
            changed = True
    return "".join(chars) if changed else text


def _stem(word: str) -> str:
    return re.sub(r"['’]s$", "", word)


def _body_usage(text: str, lines: list[tuple[int, int]]) -> tuple[Counter, Counter]:
    """How often the body (the text outside Title Case lines) writes each word capitalised in
    mid-sentence, and how often in lower case."""
    capitalised: Counter = Counter()
    lower: Counter = Counter()
    pieces, last = [], 0
    for start, end in lines:
        pieces.append(text[last:start])
        last = end
    pieces.append(text[last:])
    for body in pieces:
        previous_end = 0
        for m in WORD.finditer(body):
            word = _stem(m.group())
            gap = body[previous_end:m.start()]
            sentence_start = previous_end == 0 or bool(SENTENCE_END.search(gap)) or "\n" in gap
            if word[0].isupper():
                if not sentence_start:
                    capitalised[word] += 1
            else:
                lower[word] += 1
            previous_end = m.end()
    return capitalised, lower


def restore(doc: Doc, text: str) -> Doc:
    """The parse of `doc` (of a sentence-cased copy of `text`) on `text`'s own words."""
    if doc.text == text:
        return doc
    words = [text[t.idx:t.idx + len(t)] for t in doc]
    spaces = [bool(t.whitespace_) for t in doc]
    restored = Doc(doc.vocab, words=words, spaces=spaces)
    restored.from_array(ATTRS, doc.to_array(ATTRS))
    restored.user_data.update(doc.user_data)
    return restored


def parse(nlp, texts, known: Callable[[str], bool] | None = None, batch_size: int = 64):
    """spaCy Docs of `texts` as the pipeline parses them: each read as `parser_text`, its parse
    on its own words (for evaluations that parse outside tidings.pipeline)."""
    texts = list(texts)
    for doc, text in zip(nlp.pipe([parser_text(t, known) for t in texts], batch_size=batch_size), texts):
        yield restore(doc, text)
