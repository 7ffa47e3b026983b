"""Direct quotes and indirect attributions of one document, as internal `Found` records."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from spacy.attrs import LEMMA, LOWER, POS
from spacy.tokens import Doc, Span as SpacySpan, Token

from tidings.quotes.lexicon import CueLexicon
from tidings.quotes.marks import QuoteSpan, find_quotes, paragraphs
from tidings.quotes.speakers import Speaker, SpeakerResolver, subtree
from tidings.records import Mention, Span

CUE_POS = frozenset({"VERB", "PUNCT", "NOUN", "ADV", "ADJ"})
SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj")
CLIMB_DEPS = ("conj", "xcomp", "advcl", "pcomp", "acomp", "dep", "prep", "pobj", "advmod", "dobj")
# ("…, before insisting that", "stopped short of praising", "was first in line in backing", "had no means of learning")
EXPLETIVES = ("it", "this", "that", "there")
NON_AGENT_VERBS = ("be", "seem", "appear", "remain")  # an expletive subject of these does not act
EDGE_PUNCT = set(".,;:!?—–-“”\"‘’'«»() ")
NO_FRAME_CLASSES = ("evidence", "cognition", "intention", "noun", "stance", "raising", "adverb", "adjective")
CLAUSE_EDGE_DEPS = ("conj", "cc", "advcl", "mark", "punct", "parataxis", "prep")
FRAME_GAP = 4
DASHES = ("–", "—", "--", "-")
MAX_CUE_SENTENCE_CHARS = 2000  # a longer "sentence" is a run-on non-sentence (a list, a dump without
# full stops; the longest in 104 news articles measured has 506 characters): its cues are left out, since each
# would report the rest of it (results and time quadratic in its length)
STOP_DEPS = ("advcl", "xcomp", "prep", "npadvmod", "parataxis", "dep", "ccomp", "dobj")  # characters allowed between a quote mark and an adjacent frame sentence


@dataclass
class Cue:
    """A cue occurrence: the verb/phrase token, its rule, class and (once resolved) speaker."""

    token: Token
    span: Span
    rule: str
    cls: str
    speaker: Speaker | None = None


@dataclass
class Found:
    """One attribution: content span, whether it is a direct quote, its cue and speaker."""

    start: int
    end: int
    direct: bool
    rule: str
    cue: Cue | None = None
    speaker: Speaker | None = None
    hidden: bool = False  # duplicated by a direct quote: kept for event attribution only

    @property
    def kind(self) -> str:
        if self.cue is not None and self.cue.cls == "learn" and self.speaker is not None \
                and self.speaker.kind in ("named", "outlet"):
            return "outlet"
        return self.speaker.kind if self.speaker is not None else "none"


def find_attributions(doc: Doc, mentions: list[Mention], lex: CueLexicon, text: str | None = None) -> list[Found]:
    """`text`: doc.text, when the caller has it (Doc.text is rebuilt on each access)."""
    if text is None:
        text = doc.text
    quotes = find_quotes(text, lex)
    qindex = _QuoteIndex(quotes, len(text))
    ctx = _Context(doc, text, _Sentences(doc), SpeakerResolver(doc, mentions, lex, text), lex)
    cues = _find_cues(doc, lex, qindex, ctx.sents)
    for cue in cues:  # in text order, so pronouns see earlier speakers
        cue.speaker = _resolve_cue_speaker(cue, ctx.resolver, qindex)
    indirect = [f for f in (_indirect(c, lex, ctx.sents) for c in cues) if f is not None]
    direct = _direct(ctx, quotes, cues, indirect)
    covered = _Covered(direct)
    for f in indirect:
        f.hidden = covered.by_quote(f)
    _hide_nested(indirect, lex.nested_cue_rules)
    _inherit_speaker(indirect, lex.inherit_cue_rules)
    return sorted(direct + indirect, key=lambda f: (f.start, f.end))


def _hide_nested(indirect: list[Found], nested_rules: tuple[str, ...]) -> None:
    """`Merrill says Machado promised to continue supporting Clinton`: an intention inside what
    someone else is reported to have said is that speaker's claim, not an attribution of its
    own; kept (hidden) for event attribution only."""
    reach, widest = -1, (0, 0)  # the furthest end of a non-nested item starting at or before f, and its span
    for _, _, k in sorted((f.start, -f.end, k) for k, f in enumerate(indirect)):  # one sweep: n log n
        f = indirect[k]
        if not f.rule.startswith(nested_rules):
            if f.end > reach:
                reach, widest = f.end, (f.start, f.end)
        elif not f.hidden and reach >= f.end and widest != (f.start, f.end):
            f.hidden = True


INHERIT_REACH = 32  # attributions starting before an item looked at for its outer one (bounded: linear time)


def _inherit_speaker(indirect: list[Found], rules: tuple[str, ...]) -> None:
    """`The coach noted that the striker appeared tired`, `Police said a knife was found`: an
    appearance, a finding or a stance inside what someone else is reported to have said is
    that speaker's account, so it takes the speaker of the innermost attribution (of another
    rule) whose content holds it."""
    outers = sorted((f.start, k) for k, f in enumerate(indirect)
                    if not f.rule.startswith(rules) and f.speaker is not None and not f.hidden)
    starts = [start for start, _ in outers]
    longest = max((indirect[k].end - indirect[k].start for _, k in outers), default=0)
    for f in indirect:
        if not f.rule.startswith(rules):
            continue
        best: Found | None = None
        i = bisect.bisect_right(starts, f.start) - 1
        lowest = max(-1, i - INHERIT_REACH)
        while i > lowest and f.start - starts[i] <= longest:
            o = indirect[outers[i][1]]
            if f.end <= o.end and (best is None or o.end - o.start < best.end - best.start):
                best = o
            i -= 1
        if best is not None:
            f.speaker = best.speaker


class _Sentences:
    """`token.sent` by binary search over the sentence starts, found once: `Token.sent` walks
    its sentence token by token, so many calls in a run-on "sentence" cost its length squared."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        hooked = "sent" in doc.user_token_hooks or "sent" in doc.user_span_hooks or "sents" in doc.user_hooks
        self.starts = None if hooked or not doc.has_annotation("SENT_START") else [s.start for s in doc.sents]

    def of(self, token: Token) -> SpacySpan:
        if self.starts is None:
            return token.sent
        k = bisect.bisect_right(self.starts, token.i) - 1
        end = self.starts[k + 1] if k + 1 < len(self.starts) else len(self.doc)
        return self.doc[self.starts[k]:end]


@dataclass
class _Context:
    """One document as the attribution rules read it."""

    doc: Doc
    text: str
    sents: _Sentences
    resolver: SpeakerResolver
    lex: CueLexicon


# -- quote index ---------------------------------------------------------------------------
class _QuoteIndex:
    def __init__(self, quotes: list[QuoteSpan], text_len: int) -> None:
        self.ranges = [(q.open_mark, q.close_mark if q.close_mark is not None else q.end) for q in quotes]
        self.starts = [r[0] for r in self.ranges]

    def inside(self, offset: int) -> bool:
        i = bisect.bisect_right(self.starts, offset) - 1
        return i >= 0 and self.ranges[i][0] < offset < self.ranges[i][1]


# -- cues ----------------------------------------------------------------------------------
def _find_cues(doc: Doc, lex: CueLexicon, qindex: _QuoteIndex, sents: _Sentences) -> list[Cue]:
    cues: list[Cue] = []
    for i in _cue_candidates(doc, lex):
        token = doc[i]
        if qindex.inside(token.idx):
            continue
        sent = sents.of(token)
        if sent.end_char - sent.start_char > MAX_CUE_SENTENCE_CHARS:
            continue
        cue = _verb_cue(token, lex) or _phrase_cue(doc, token, lex) or _colon_cue(token, sent) \
            or _noun_cue(token, lex) or _adverb_cue(token, lex) or _adjective_cue(token, lex)
        if cue is not None:
            cues.append(cue)
    return cues


def _cue_candidates(doc: Doc, lex: CueLexicon) -> list[int]:
    """Indices of the tokens that may be cues: a cheap pre-check over plain attribute values
    (a necessary condition of each `_*_cue` below), so Token objects are built only for these."""
    strings, names = doc.vocab.strings, {}

    def name(h: int) -> str:
        value = names.get(h)
        if value is None:
            value = names[h] = strings[h]
        return value

    out = []
    first_words = lex.phrases_by_first_word
    rows = doc.to_array([POS, LOWER, LEMMA]).reshape(len(doc), 3).tolist()
    for i, (pos_id, lower_id, lemma_id) in enumerate(rows):
        pos, lower = name(pos_id), name(lower_id)
        if lower in first_words or lower == ":":
            if pos in CUE_POS or lower in first_words:
                out.append(i)
            continue
        if pos == "VERB" or pos == "NOUN":
            lemma = lex.form_lemmas.get(lower) or name(lemma_id).lower()
            words = (lex.raising, lex.verbs, lex.as_clause_verbs) if pos == "VERB" else (lex.noun_cues,)
            if any(lemma in w for w in words):
                out.append(i)
        elif (pos == "ADV" and lower in lex.adverb_cues) or (pos == "ADJ" and lower in lex.adjective_cues):
            out.append(i)
    return out


def _adverb_cue(token: Token, lex: CueLexicon) -> Cue | None:
    if token.pos_ != "ADV" or token.lower_ not in lex.adverb_cues or token.head.i == token.i:
        return None
    return Cue(token, Span(token.text, token.idx, token.idx + len(token.text)), lex.adverb_id, "adverb")


def _adjective_cue(token: Token, lex: CueLexicon) -> Cue | None:
    """`is confident that …`, `is critical of …`: a predicate adjective with a complement."""
    if token.pos_ != "ADJ" or token.dep_ not in ("acomp", "ROOT", "conj") or token.lower_ not in lex.adjective_cues:
        return None
    return Cue(token, Span(token.text, token.idx, token.idx + len(token.text)), lex.adjective_id, "adjective")


def _noun_cue(token: Token, lex: CueLexicon) -> Cue | None:
    if token.pos_ != "NOUN" or lex.lemma(token) not in lex.noun_cues:
        return None
    return Cue(token, Span(token.text, token.idx, token.idx + len(token.text)), lex.noun_cue_id, "noun")


def _opens_paragraph(span: SpacySpan) -> bool:
    doc = span.doc
    return span.start == 0 or (doc[span.start - 1].is_space and "\n" in doc[span.start - 1].text)


def _colon_cue(token: Token, sent: SpacySpan | None = None) -> Cue | None:
    """`TAPPER: …` / `Graham: Trump's rhetoric …`: a name opening a sentence, then a colon
    (`sent`: the token's sentence, when the caller has it)."""
    if token.text != ":" or token.i == 0:
        return None
    sent_start = (sent if sent is not None else token.sent).start
    name = token.doc[sent_start:token.i]
    if not _opens_paragraph(name):
        return None  # a transcript or headline line: the name opens the paragraph
    if not 1 <= len(name) <= 4 or not all(t.pos_ == "PROPN" or t.is_upper for t in name):
        return None
    if any(t.is_punct or t.like_num for t in name):
        return None
    if len(name) > 1 and any(t.is_stop for t in name):
        return None  # a kicker ("FIX IS IN: …", "THE LATEST: …"), not a name
    return Cue(token, Span(":", token.idx, token.idx + 1), "cue.colon_speaker", "colon")


def _verb_cue(token: Token, lex: CueLexicon) -> Cue | None:
    if token.pos_ != "VERB":
        return None
    lemma = lex.lemma(token)
    if lemma in lex.raising and _raising_frame(token):
        return Cue(token, Span(token.text, token.idx, token.idx + len(token.text)), lex.raising_id, "raising")
    verb = lex.verbs.get(lemma)
    if verb is None:
        if lemma in lex.as_clause_verbs and _as_clause(token):  # "As the mayor put it, …"
            return Cue(token, Span(token.text, token.idx, token.idx + len(token.text)), lex.as_clause_id, "speech")
        return None
    return Cue(token, Span(token.text, token.idx, token.idx + len(token.text)), verb.id, verb.cls)


def _as_clause(token: Token) -> bool:
    """`as X put it`, `as police have said`: an adverbial as-clause of a clause it reports."""
    return token.dep_ == "advcl" and token.head.pos_ in ("VERB", "AUX") and any(
        c.dep_ == "mark" and c.lower_ == "as" for c in token.children)


def _raising_frame(token: Token) -> bool:
    """`seems likely`, `appears to be`, `seems like a fine idea`: a predicate follows."""
    return any(c.dep_ in ("xcomp", "acomp", "ccomp", "oprd", "attr") or
               (c.dep_ == "prep" and c.lower_ in ("like", "as")) for c in token.children)


def _phrase_cue(doc: Doc, token: Token, lex: CueLexicon) -> Cue | None:
    for words, rule in lex.phrases_by_first_word.get(token.lower_, ()):
        if token.i + len(words) > len(doc):
            continue
        if all(doc[token.i + k].lower_ == w for k, w in enumerate(words)):
            last = doc[token.i + len(words) - 1]
            return Cue(token, Span(doc[token.i:last.i + 1].text, token.idx, last.idx + len(last.text)),
                       rule, "phrase")
    return None


def _resolve_cue_speaker(cue: Cue, resolver: SpeakerResolver, qindex: _QuoteIndex) -> Speaker | None:
    lex = resolver.lex
    head = _speaker_token(cue, lex.carrier_nouns, lex.speaking_lemmas, lex.receiving_verbs)
    if head is not None and qindex.inside(head.idx):
        outside = [c for c in head.head.children if c.dep_ == head.dep_ and c.i > head.i and not qindex.inside(c.idx)]
        head = outside[0] if outside else _name_after_quote(cue, qindex)  # `“… the port,” Rep. X (D-Maine) said`
    return resolver.resolve(head) if head is not None else None


def _name_after_quote(cue: Cue, qindex: _QuoteIndex) -> Token | None:
    """`… Russia, “Braun said.`: the parser took a word inside the quote as the subject;
    the name between the quote and the cue is the speaker."""
    doc = cue.token.doc
    names: list[Token] = []
    for i in range(cue.token.i - 1, max(-1, cue.token.i - 6), -1):
        token = doc[i]
        if token.pos_ != "PROPN" or qindex.inside(token.idx):
            break
        names.append(token)
    return names[0] if names else None


def _speaker_token(cue: Cue, carriers: frozenset[str] = frozenset(), verbs: frozenset[str] = frozenset(),
                   receiving: frozenset[str] = frozenset()) -> Token | None:
    token = cue.token
    if cue.cls == "phrase":
        return _phrase_object(cue, carriers)
    if cue.cls == "colon":
        return token.doc[token.i - 1]
    if cue.cls == "raising":
        return _raised_subject(token, verbs)
    if cue.cls == "adverb":  # "He apparently believed the polls": the believer, as for a raising verb
        head = token.head
        subjects = [c for c in head.children if c.dep_ == "nsubj" and c.lower_ not in EXPLETIVES]
        return subjects[0] if subjects and head.lemma_.lower() in verbs else None
    if cue.cls == "noun":
        return _noun_owner(token, receiving)
    if token.tag_ == "VBN" and token.dep_ in ("advcl", "acl") and not any(
            c.dep_ in ("aux", "nsubj", "agent") for c in token.children):
        return None  # "Asked about the plan, she said …": the participle's subject is not the source
    for step in range(6):
        subjects = [c for c in token.children if c.dep_ in SUBJECT_DEPS]
        agent = [c for c in token.children if c.dep_ == "agent"]
        if agent and not (step > 0 and subjects):  # climbed: the main clause's subject, not its agent
            pobj = [c for c in agent[0].children if c.dep_ == "pobj"]
            if pobj:
                return pobj[0]
        if subjects:
            subject = subjects[0]
            if subject.dep_ == "expl" or (subject.dep_ == "nsubjpass" and step == 0):
                return None  # "was criticized", "there is …" (but "After saying …, she was taken": she said)
            if step > 0 and subject.lower_ in EXPLETIVES and token.lemma_ in NON_AGENT_VERBS:
                return None  # "It's hard to imagine …" (but "it is staying away from praising …": it does)
            if token.dep_ == "relcl" and subject.tag_ in ("WDT", "WP"):
                return _carrier_owner(token.head, carriers) or subject
            return _past_dateline(subject)
        if token.dep_ == "acl" and token.tag_ == "VBN":
            return None  # "ads announced Wednesday": the noun is what was announced
        if token.dep_ in ("acl", "relcl") and token.head.pos_ in ("NOUN", "PROPN", "NUM", "PRON"):
            return _carrier_owner(token.head, carriers) or token.head  # "the super PAC supporting Jeb Bush", "one saying …", "those arguing …"
        if token.dep_ not in CLIMB_DEPS or token.head.i == token.i:
            return _left_nominal(token)
        if step == 0 and token.dep_ == "conj" and _hung_subject(token) is not None:
            return _hung_subject(token)
        if token.dep_ == "pcomp" and token.head.lower_ == "from" and token.head.dep_ == "prep":
            objects = [c for c in token.head.head.children if c.dep_ == "dobj" and c.i < token.i]
            if objects:  # "… should not distract us from understanding that …", "barred her from saying": the object
                return objects[0]
        if step == 0 and token.dep_ == "conj" and _reported_clause(token.head, verbs):
            token = token.head.head  # "X wrote that Y was "a fraud" and urged …": X urged, not Y
            continue
        token = token.head
    return None


def _reported_clause(head: Token, speaking: frozenset[str]) -> bool:
    """Whether `head` is the content clause of a saying verb (`wrote that Y was …`). A cue the
    parser conjoined to it (`… and urged voters to …`) continues the report's frame: its
    subject is the writer, not the subject of what was written."""
    if head.dep_ not in ("ccomp", "advcl") or head.head.lemma_.lower() not in speaking or head.i < head.head.i:
        return False
    return head.dep_ == "ccomp" or head in _that_adverbial(head.head)


def _past_dateline(subject: Token) -> Token:
    """`BOSTON -- Mayor Ellen Park, …, said`: the parser makes the dateline the subject and
    the speaker its appositive."""
    if subject.is_upper and len(subject.text) > 1:
        after = [c for c in subject.children if c.dep_ == "appos" and c.i > subject.i]
        if after and any(c.text in DASHES for c in subject.doc[subject.i + 1:after[0].i]):
            return after[0]
    return subject


def _raised_subject(verb: Token, speaking: frozenset[str]) -> Token | None:
    """`The banker appeared to blame his staff`, `the coach seemed to think …`: a raising
    verb over a saying or thinking verb reports what its subject (apparently) said or thought;
    over anything else (`the mayor appeared tired`) nobody is the source."""
    holder = verb.head if verb.dep_ == "conj" and not any(c.dep_ == "nsubj" for c in verb.children) else verb
    subjects = [c for c in holder.children if c.dep_ == "nsubj" and c.lower_ not in EXPLETIVES]  # "X agreed and seemed to think"
    if not subjects:
        return None
    token = verb
    for _ in range(3):
        xcomps = [c for c in token.children if c.dep_ == "xcomp" and c.pos_ == "VERB"]
        if not xcomps:
            return None
        token = xcomps[0]
        if token.lemma_.lower() in speaking:
            return subjects[0]
    return None


def _carrier_owner(noun: Token, carriers: frozenset[str]) -> Token | None:
    """`The council issued a statement calling …`, `He released a letter that says …`: a
    statement, letter or ad put out by someone speaks for them (the subject of the verb the
    noun is the object of)."""
    if noun.lemma_.lower() not in carriers:
        return None
    owners = [c for c in noun.children if c.dep_ == "poss"]
    if owners:  # "the mayor's speech that called …"
        return owners[0]
    if noun.dep_ != "dobj":
        return None
    return _doer(noun.head)


def _doer(verb: Token) -> Token | None:
    """The subject of `verb`, or, for an infinitive with none, who is to do it: the object of
    the verb above (`prompted his wife to make a comment`), else that verb's subject (`she
    decided to issue a statement`)."""
    for _ in range(3):
        subjects = [c for c in verb.children if c.dep_ == "nsubj"]
        if subjects:
            return subjects[0]
        if verb.dep_ != "xcomp" or verb.head.i == verb.i:
            return None
        objects = [c for c in verb.head.children if c.dep_ == "dobj" and c.i < verb.i]
        if objects:
            return objects[0]
        verb = verb.head
    return None


def _noun_owner(noun: Token, receiving: frozenset[str] = frozenset()) -> Token | None:
    """Who holds a noun cue: `his claim`, `the Trump endorsement`, `criticism from X`, or the
    subject of the verb it is the object of (`X voiced concern that …`, `X made the decision`)."""
    owner = _plural_possessor(noun)
    if owner is not None:
        return owner
    for child in noun.children:
        if child.dep_ == "poss" and child.pos_ == "PRON" and noun.dep_ == "dobj":
            subjects = [c for c in noun.head.children if c.dep_ == "nsubj"]
            return subjects[0] if subjects else child  # "he reiterated his claim": the subject
        if child.dep_ == "poss" or (child.dep_ == "compound" and child.ent_type_ in ("PERSON", "ORG", "NORP")):
            return child
        if child.dep_ == "amod" and child.ent_type_ in ("NORP", "GPE", "ORG"):
            return child  # "Canadian opposition to …", "the French reluctance to …"
    for child in noun.rights:
        if child.dep_ == "prep" and child.lower_ in ("by", "from"):
            pobj = [c for c in child.children if c.dep_ == "pobj"]
            if pobj:
                return pobj[0]
    verb = None
    if noun.dep_ in ("dobj", "attr") and noun.head.pos_ in ("VERB", "AUX"):
        verb = noun.head
    elif noun.dep_ == "pobj" and noun.head.dep_ == "prep" and noun.head.lower_ not in ("by", "from", "under", "to") \
            and noun.head.head.pos_ in ("VERB", "AUX"):
        verb = noun.head.head  # "the governor responded with attacks on …", "bristled at claims that …"
    if verb is not None and verb.lemma_.lower() in receiving:
        return None  # "the mayor has faced questions about …", "came under criticism for …": others hold them
    if verb is not None:
        for _ in range(3):
            subjects = [c for c in verb.children if c.dep_ == "nsubj"]
            if subjects:
                return subjects[0]
            if verb.dep_ not in ("xcomp", "conj") or verb.head.i == verb.i:
                return None
            verb = verb.head
    return None


def _plural_possessor(noun: Token) -> Token | None:
    """`editorial boards’ disdain for …`, `the voters' anger`: a plural possessive the parser
    did not attach to the noun (it made the bare apostrophe a `case` or punctuation mark):
    the noun right before the apostrophe, over at most two modifiers of the cue, holds it."""
    doc, i = noun.doc, noun.i - 1
    while i >= 0 and noun.i - i <= 2 and doc[i].head.i == noun.i and doc[i].dep_ in ("amod", "compound"):
        i -= 1
    if i < 1 or doc[i].text not in ("'", "’") or doc[i].dep_ not in ("case", "punct") or doc[i - 1].whitespace_:
        return None
    owner = doc[i - 1]
    return owner if owner.pos_ in ("NOUN", "PROPN") and owner.tag_ in ("NNS", "NNPS") else None


def _left_nominal(verb: Token) -> Token | None:
    """A misparsed subject: the verb's nearest nominal left child ("About 4 in 10 say")."""
    for child in reversed(list(verb.lefts)):
        if child.pos_ in ("NOUN", "PROPN", "PRON", "NUM") and child.dep_ not in ("dobj", "pobj", "npadvmod"):
            return child
    return _hung_subject(verb)


def _hung_subject(verb: Token) -> Token | None:
    """`… mishandled the audit and Republicans accused the mayor`: the verb's subject,
    which the parser hung on the noun before it as a conjunct."""
    before = verb.doc[verb.i - 1] if verb.i > 0 else None
    if before is not None and before.dep_ == "conj" and before.pos_ in ("PROPN", "NOUN") \
            and before.head.i < before.i and before.head.pos_ in ("NOUN", "PROPN"):
        return before
    return None


def _phrase_object(cue: Cue, carriers: frozenset[str] = frozenset()) -> Token | None:
    """`according to X`: X; `according to a speech the mayor gave`, `according to a
    statement by the council`, `according to his letter`: who gave the speech, statement or letter."""
    doc = cue.token.doc
    last = doc[cue.token.i + len(cue.span.text.split()) - 1]
    objs = [c for c in last.children if c.dep_ in ("pobj", "dobj")]
    if not objs:
        objs = [_misparsed_noun(c) for c in last.children if c.dep_ == "pcomp"]
        objs = [o for o in objs if o is not None]
    if not objs:
        return None
    obj = objs[0]
    if obj.lemma_.lower() in carriers:
        for child in obj.children:
            if child.dep_ == "poss":
                return child
            if child.dep_ in ("relcl", "acl"):
                subjects = [c for c in child.children if c.dep_ == "nsubj" and c.tag_ not in ("WDT", "WP")]
                if subjects:
                    return subjects[0]
            if child.dep_ == "prep" and child.lower_ in ("by", "from"):
                pobjs = [c for c in child.children if c.dep_ == "pobj"]
                if pobjs:
                    return pobjs[0]
    return obj


def _misparsed_noun(pcomp: Token) -> Token | None:
    """`according to show insiders`, `according to poll workers`: the parser read the first
    noun as a verb and the second as its object; the object heads the noun phrase."""
    if pcomp.pos_ != "VERB" or pcomp.tag_ not in ("VB", "VBP", "NN"):
        return None
    objects = [c for c in pcomp.children if c.dep_ == "dobj" and c.i == pcomp.i + 1]
    return objects[0] if objects and len(list(pcomp.children)) == 1 else None


# -- indirect ------------------------------------------------------------------------------
def _indirect(cue: Cue, lex: CueLexicon, sents: _Sentences) -> Found | None:
    span = _content_tokens(cue, lex, sents)
    if span is None or not _plausible_content(span, cue):
        return None
    start, end = _trim(span)
    if end - start < 2 or len(span) < 2:
        return None
    return Found(start, end, False, cue.rule, cue, cue.speaker)


def _plausible_content(span: SpacySpan, cue: Cue) -> bool:
    """Reported content is a clause or a noun phrase, never a bare framing phrase
    ("In a statement released …")."""
    words = [t for t in span if not (t.is_punct or t.is_space)]
    if not words:
        return False
    first = words[0]
    bare_pp = first.dep_ == "prep" and first.right_edge.i >= words[-1].i
    return not (bare_pp and cue.cls != "phrase" and first.lower_ not in ("about", "for", "to", "on", "of"))


def _content_tokens(cue: Cue, lex: CueLexicon, sents: _Sentences) -> SpacySpan | None:
    token, doc = cue.token, cue.token.doc
    if cue.cls == "phrase":
        return _phrase_content(cue, sents.of(token))
    if cue.cls == "colon":
        return _after_colon(token, sents.of(token))
    if cue.cls == "noun":
        return _that_clause(token) or _noun_content(token, lex)
    if cue.cls == "raising":
        return _own_clause(token)
    if cue.cls == "adverb":
        return _own_clause(token.head)
    if cue.cls == "adjective":
        return _adjective_content(token)
    comps = [c for c in token.children if c.dep_ == "ccomp"] or _that_adverbial(token)
    if comps and _main_clause_hung(token):
        return None
    if comps:
        return _complement_span(token, comps[0], sents.of(token))
    if cue.cls in ("speech", "write") and _as_clause(token):
        return _clause_without(token.head, subtree(token))  # "As X noted, C." → C
    passive = _passive_content(token, lex)
    if passive is not None:
        return passive
    if cue.cls in ("evidence", "cognition") and lex.lemma(token) not in lex.xcomp_content \
            and not lex.object_is_content(lex.lemma(token)):
        return None
    if token.dep_ == "parataxis" and token.head.pos_ in ("VERB", "AUX"):
        return _clause_without(token.head, subtree(token))
    lemma = lex.lemma(token)
    xcomps = [c for c in token.children if c.dep_ == "xcomp" and c.pos_ in ("VERB", "AUX")]
    if xcomps and lemma in lex.xcomp_content:
        objs = [c for c in token.children if c.dep_ in ("dobj", "prep") and c.i < xcomps[0].i and c.i > token.i]
        first = objs[0].left_edge.i if objs else xcomps[0].left_edge.i
        return doc[first:xcomps[0].right_edge.i + 1]
    return _object_content(token, lex) or _colon_content(token, sents) or _head_noun_content(token) \
        or _tail_content(cue, sents.of(token))


def _main_clause_hung(verb: Token) -> bool:
    """`The lens through which voters view the candidates is sharply divided`: a relative
    clause on a noun the parser left as the root (no verb of its own) took the sentence's own
    predicate as its complement; that is what the writer says, not what the voters view."""
    head = verb.head
    return verb.dep_ == "relcl" and head.dep_ == "ROOT" and head.pos_ in ("NOUN", "PROPN", "PRON")


def _that_adverbial(verb: Token) -> list[Token]:
    """`She tweeted in the early hours that the mayor was "a fraud"`: after a modifier, the
    parser may hang the that-clause on the verb as an adverbial clause with `that` as an
    adverb; a clause after the verb that opens with `that` and has its own subject is the
    reported content all the same."""
    for child in verb.rights:
        if child.dep_ != "advcl" or not any(c.dep_ in ("nsubj", "nsubjpass") for c in child.children):
            continue
        first = child.left_edge
        if first.lower_ == "that" and first.dep_ in ("advmod", "mark") and first.head.i == child.i:
            return [child]
    return []


def _adjective_content(adj: Token) -> SpacySpan | None:
    """The adjective's clause, infinitive or prepositional complement (or, after an expletive
    `it is unclear whether …`, the copula's clause)."""
    doc = adj.doc
    for child in list(adj.rights) + [c for c in adj.head.rights if c.i > adj.i]:
        if child.dep_ in ("ccomp", "xcomp"):
            return doc[child.left_edge.i:child.right_edge.i + 1]
        if child.dep_ == "prep" and child.head.i == adj.i:
            pobjs = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
            if pobjs:
                return doc[pobjs[0].left_edge.i:pobjs[0].right_edge.i + 1]
    return None


def _own_clause(head: Token) -> SpacySpan:
    """`head` with its own dependents, without conjoined clauses or adverbial clauses."""
    lo = hi = head.i
    for child in head.children:
        if child.dep_ in CLAUSE_EDGE_DEPS and not (child.dep_ == "prep" and child.i > head.i):
            continue
        lo, hi = min(lo, child.left_edge.i), max(hi, child.right_edge.i)
    return head.doc[lo:hi + 1]


def _passive_content(token: Token, lex: CueLexicon) -> SpacySpan | None:
    """`Trump has been criticized by rivals for failing …`: the passive subject (and its
    `for`/`as` complement) is the content."""
    subj = [c for c in token.children if c.dep_ == "nsubjpass"]
    if not subj or any(c.dep_ in ("ccomp", "dobj") for c in token.children):
        return None
    preps = lex.prep_content.get(lex.lemma(token), frozenset())
    if any(c.dep_ == "prep" and c.lower_ in preps and c.lower_ not in lex.object_preps for c in token.children):
        return None  # "was asked about the donations": the prepositional object is the content
    lo, hi = subj[0].left_edge.i, subj[0].right_edge.i
    for child in token.rights:
        if child.dep_ in ("prep", "oprd", "xcomp", "acomp") and (child.dep_ != "prep" or child.lower_ in lex.object_preps):
            hi = max(hi, child.right_edge.i)
    return token.doc[lo:hi + 1]


def _head_noun_content(token: Token) -> SpacySpan | None:
    """`the things he said about Latinos`, `ads announced Wednesday`: the modified noun."""
    if token.dep_ not in ("relcl", "acl") or token.head.pos_ not in ("NOUN", "PROPN"):
        return None
    if token.dep_ == "relcl" and any(c.dep_ in ("nsubj",) and c.tag_ in ("WP", "WDT") for c in token.children):
        return None
    head = token.head
    return head.doc[head.left_edge.i:head.i + 1]


def _noun_content(noun: Token, lex: CueLexicon) -> SpacySpan | None:
    """`criticism of X`, `attacks on Y`, `his decision to run`: the noun's complement (or,
    when the parser hung it on the verb, the verb's: `had opposing views on X`; `the idea is
    that X`)."""
    doc = noun.doc
    if noun.dep_ in ("nsubj", "dobj") and noun.head.pos_ in ("VERB", "AUX"):
        verb = noun.head
        for child in verb.rights:
            if child.i <= noun.i:
                continue
            if noun.dep_ == "nsubj" and verb.lemma_ == "be" and child.dep_ == "ccomp":
                return doc[child.left_edge.i:child.right_edge.i + 1]
            if noun.dep_ == "dobj" and child.dep_ == "prep" and child.lower_ in lex.noun_content_preps \
                    and child.lower_ != "to" and not any(c.dep_ == "prep" for c in noun.rights):
                pobjs = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
                if pobjs:
                    return doc[pobjs[0].left_edge.i:pobjs[0].right_edge.i + 1]
    for child in noun.rights:
        if child.dep_ == "prep" and child.lower_ in lex.noun_content_preps:
            pobjs = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
            if pobjs:
                return doc[pobjs[0].left_edge.i:pobjs[0].right_edge.i + 1]
        if child.dep_ in ("acl", "relcl") and any(c.dep_ == "aux" and c.lower_ == "to" for c in child.children):
            return doc[child.left_edge.i:child.right_edge.i + 1]
    return None


def _that_clause(noun: Token) -> SpacySpan | None:
    """`his claim that X`: the that-clause attached to the noun."""
    for child in noun.rights:
        if child.dep_ in ("acl", "ccomp", "relcl") and any(
                m.dep_ == "mark" and m.lower_ == "that" for m in child.children):
            return noun.doc[child.left_edge.i:child.right_edge.i + 1]
    return None


def _complement_span(cue: Token, comp: Token, sent: SpacySpan) -> SpacySpan:
    """The complement clause; when it follows the cue, up to the sentence end (the parser
    often hangs later conjuncts on the cue), stopping at the cue's own later modifiers."""
    doc = cue.doc
    start, end = comp.left_edge.i, comp.right_edge.i + 1
    if comp.i < cue.i:
        return doc[start:end]
    stop = sent.end
    if cue.dep_ == "relcl" and cue.head.i < cue.i and cue.left_edge.i > 0 and doc[cue.left_edge.i - 1].text == "," \
            and cue.right_edge.i + 1 < sent.end and doc[cue.right_edge.i + 1].text == ",":
        stop = cue.right_edge.i + 1  # "Mr. Lee, who said the plan was reckless, resigned": not "resigned"
    for child in cue.rights:
        if child.i >= end and child.dep_ in STOP_DEPS and not _misattached_conjunct(child):
            stop = min(stop, child.left_edge.i)
    return doc[start:max(end, stop)]


def _misattached_conjunct(child: Token) -> bool:
    """`said money is needed to develop a vaccine, educate the public …`: a bare verb hung on
    the cue is a conjunct of the content, not the cue's own modifier (", adding …")."""
    return child.dep_ == "advcl" and child.tag_ in ("VB", "VBP") and not any(
        c.dep_ in ("mark", "nsubj", "advmod") for c in child.children)


def _object_content(token: Token, lex: CueLexicon) -> SpacySpan | None:
    lemma = lex.lemma(token)
    doc = token.doc
    if lex.object_is_content(lemma):
        preds = [c for c in token.children if c.dep_ in ("oprd", "ccomp", "xcomp") and c.i > token.i]
        framed = bool(preds) or any(c.dep_ == "prep" and c.lower_ in lex.object_preps for c in token.rights)
        objs = [c for c in token.children if c.dep_ == "dobj"  # a bare pronoun is an addressee,
                and (c.pos_ != "PRON" or framed or c.lower_.endswith(("self", "selves")))]  # "see him as …" is not
        if objs and preds:  # "called the talks a dead end"
            return doc[objs[0].left_edge.i:preds[-1].right_edge.i + 1]
        if objs:
            span = _without_appositive(objs[0])
            tail = [c for c in token.rights if c.dep_ == "prep" and c.i > objs[0].i
                    and (c.lower_ in lex.object_preps or c.lower_ in lex.object_tail_preps)]
            if tail and span.end >= objs[0].right_edge.i + 1:  # "blasted Republicans for being …"
                return doc[span.start:tail[-1].right_edge.i + 1]
            return span
        if preds and preds[-1].dep_ == "oprd":
            return doc[preds[-1].left_edge.i:preds[-1].right_edge.i + 1]
    preps = lex.prep_content.get(lemma)
    if preps:
        for prep in token.children:
            if prep.dep_ == "prep" and prep.lower_ in preps:
                pobjs = [c for c in prep.children if c.dep_ in ("pobj", "pcomp")]
                if pobjs:
                    return doc[pobjs[0].left_edge.i:pobjs[0].right_edge.i + 1]
    return None


def _without_appositive(head: Token) -> SpacySpan:
    """The noun phrase of `head` up to an appositive ("a guarantee … – a demand that …")."""
    doc = head.doc
    end = head.right_edge.i + 1
    for token in doc[head.i + 1:end]:
        if token.text in DASHES and (token.text != "-" or doc[token.i - 1].whitespace_):  # not "well-known"
            end = token.i
            break
    while end - 1 > head.i and doc[end - 1].is_punct:
        end -= 1
    return doc[head.left_edge.i:end]


def _colon_content(token: Token, sents: _Sentences) -> SpacySpan | None:
    """`X said: the content` when the parser left the content unattached."""
    doc = token.doc
    i = token.i + 1
    while i < len(doc) and doc[i].dep_ in ("advmod", "prep", "pobj", "det", "amod", "compound") and i - token.i < 6:
        i += 1
    if i < len(doc) - 3 and doc[i].text == ":":
        return doc[i + 1:sents.of(doc[i]).end]
    return None


def _after_colon(token: Token, sent: SpacySpan) -> SpacySpan | None:
    doc = token.doc
    end = sent.end
    while end < len(doc) and not (doc[end].is_space and "\n" in doc[end].text):
        end += 1
    return doc[token.i + 1:end] if end - token.i > 3 else None


def _tail_content(cue: Cue, sent: SpacySpan) -> SpacySpan | None:
    """`…, police said.` when the parser did not make the clause a complement."""
    token = cue.token
    if any(c.dep_ == "agent" for c in token.children):
        return None  # "…, blocked by senators from both parties": not a report of the clause
    if _words_after(token, sent.end, 5) > 5:
        return None
    subject = [c for c in token.children if c.dep_ in SUBJECT_DEPS]
    first = min([token.i] + [s.left_edge.i for s in subject if s.i < token.i])
    comma = first - 1
    if comma - sent.start < 3 or token.doc[comma].text not in (",", "—", "–"):
        return None
    return token.doc[sent.start:comma]


def _words_after(token: Token, end: int, limit: int) -> int:
    """Non-punctuation tokens between `token` and `end`, counted up to `limit` + 1 only (a
    cue in a long sentence must not cost the rest of the sentence)."""
    doc, n = token.doc, 0
    for i in range(token.i + 1, end):
        t = doc[i]
        if not t.is_punct and not t.is_space:
            n += 1
            if n > limit:
                break
    return n


def _phrase_content(cue: Cue, sent: SpacySpan) -> SpacySpan | None:
    """`According to X, C.` → C; `C, according to X …` → C."""
    token, doc = cue.token, cue.token.doc
    phrase = subtree(token)
    before = [t for t in doc[sent.start:phrase[0].i] if not (t.is_punct or t.is_space)]
    after = [t for t in doc[phrase[-1].i + 1:sent.end] if not (t.is_punct or t.is_space)]
    if not before:
        return doc[after[0].i:after[-1].i + 1] if after else None
    if len(before) < 4 and after:  # "Fundraising, according to the campaign, has surged"
        return doc[before[0].i:after[-1].i + 1]
    return doc[before[0].i:before[-1].i + 1]


def _clause_without(head: Token, removed: list[Token]) -> SpacySpan | None:
    """The clause of `head` minus the tokens of `removed` (the attribution), as one span."""
    doc = head.doc
    removed_ids = {t.i for t in removed}
    keep = [t.i for t in subtree(head) if t.i not in removed_ids and not t.is_punct]
    if not keep:
        return None
    lo, hi = min(keep), max(keep)
    if removed_ids and min(removed_ids) > lo and max(removed_ids) < hi:
        # attribution in the middle: keep the larger side
        left, right = min(removed_ids) - lo, hi - max(removed_ids)
        lo, hi = (lo, min(removed_ids) - 1) if left >= right else (max(removed_ids) + 1, hi)
    return doc[lo:hi + 1]


def _trim(span: SpacySpan) -> tuple[int, int]:
    text, base = span.text, span.start_char
    start, end = 0, len(text)
    while start < end and text[start] in EDGE_PUNCT:
        start += 1
    while end > start and text[end - 1] in EDGE_PUNCT:
        end -= 1
    return base + start, base + end


# -- direct --------------------------------------------------------------------------------
def _direct(ctx: _Context, quotes: list[QuoteSpan], cues: list[Cue], indirect: list[Found]) -> list[Found]:
    """One attribution per quote, in text order. The lookups over cues and attributions are
    indexed once, so thousands of quotes and cues cost n log n, not n²."""
    text = ctx.text
    out: list[Found] = []
    paras = paragraphs(text)
    para_starts = [p[0] for p in paras]
    enclosing = _Enclosing(indirect)
    frame_cues = _FrameCues(cues)
    phrases = _PhraseAttributions(indirect)
    earlier = _Earlier(indirect)
    for q in quotes:
        name_like = _title_like(text[q.start:q.end])
        found = enclosing.embedded(q) or (None if name_like else (
            _transcribed(ctx, q) or _signed(ctx, q) or _framed(ctx, q, frame_cues, phrases) or _colon_framed(ctx, q)
            or _continued(ctx.doc, q, earlier.last(q.open_mark), paras, para_starts)))
        if found is None:
            if name_like or len(text[q.start:q.end].split()) < ctx.lex.min_unattributed_words:
                continue
            found = Found(q.start, q.end, True, "quote.unattributed")
        out.append(found)
        earlier.add(found)
    return out


def _has_participant(f: Found) -> bool:
    return f.speaker is not None and f.speaker.participant is not None


class _Earlier:
    """The latest-ending attribution with a speaker that ends by an offset: of the
    attributions that end there, sorted by end (stable: direct quotes found so far, then
    the indirect ones in their order), the last."""

    def __init__(self, indirect: list[Found]) -> None:
        keyed = sorted((f.end, k) for k, f in enumerate(indirect) if _has_participant(f)
                       and f.cue is not None and f.cue.cls not in NO_FRAME_CLASSES)
        self.indirect = [indirect[k] for _, k in keyed]
        self.indirect_ends = [end for end, _ in keyed]
        self.direct: list[Found] = []
        self.direct_ends: list[int] = []

    def add(self, f: Found) -> None:
        """A direct quote's attribution (they come in text order)."""
        if _has_participant(f):
            k = bisect.bisect_right(self.direct_ends, f.end)
            self.direct.insert(k, f)
            self.direct_ends.insert(k, f.end)

    def last(self, offset: int) -> list[Found]:
        """[that attribution], or []."""
        d = bisect.bisect_right(self.direct_ends, offset) - 1
        i = bisect.bisect_right(self.indirect_ends, offset) - 1
        if i >= 0 and (d < 0 or self.indirect_ends[i] >= self.direct_ends[d]):
            return [self.indirect[i]]
        return [self.direct[d]] if d >= 0 else []


class _Enclosing:
    """Indirect attributions whose content holds each quote in turn: quotes come in text order
    with growing ends, so one sweep over the attributions sorted by start serves them all."""

    def __init__(self, indirect: list[Found]) -> None:
        self.indirect = indirect
        self.by_start = sorted(range(len(indirect)), key=lambda k: indirect[k].start)
        self.next = 0
        self.active: list[int] = []  # started by the last quote's start, not ended before its end

    def embedded(self, q: QuoteSpan) -> Found | None:
        """A partial quote inside reported content takes that attribution's speaker (the first
        such attribution in their order)."""
        indirect = self.indirect
        while self.next < len(self.by_start) and indirect[self.by_start[self.next]].start <= q.start:
            self.active.append(self.by_start[self.next])
            self.next += 1
        self.active = [k for k in self.active if q.end <= indirect[k].end + 1]
        best = None
        for k in self.active:
            f = indirect[k]
            if (q.end - q.start) < 0.8 * (f.end - f.start) and (
                    best is None or (f.speaker is not None, -k) > (indirect[best].speaker is not None, -best)):
                best = k  # the first with a speaker ("In the poll, voters said …" is the voters')
        if best is None:
            return None
        f = indirect[best]
        return Found(q.start, q.end, True, "quote.embedded", f.cue, f.speaker)


class _PhraseAttributions:
    """`According to X, …` attributions with a speaker, by where their content starts."""

    def __init__(self, indirect: list[Found]) -> None:
        found = [(f.start, k, f) for k, f in enumerate(indirect)
                 if f.cue is not None and f.cue.cls == "phrase" and f.speaker is not None]
        found.sort(key=lambda x: (x[0], x[1]))
        self.starts = [start for start, _, _ in found]
        self.found = [(k, f) for _, k, f in found]
        self.longest = max((f.end - f.start for _, _, f in found), default=0)

    def outer(self, cue: Cue) -> Found | None:
        """`According to US officials, Morgan agreed that “…”`: the quote is the officials'
        account (the first such attribution whose content holds the cue)."""
        offset = cue.span.start
        best: tuple[int, Found] | None = None
        i = bisect.bisect_right(self.starts, offset) - 1
        while i >= 0 and offset - self.starts[i] < self.longest:
            k, f = self.found[i]
            if offset < f.end and (best is None or k < best[0]):
                best = (k, f)
            i -= 1
        return best[1] if best is not None else None


class _FrameCues:
    """The cues that can frame a quote, by position, to find the nearest one in a range."""

    def __init__(self, cues: list[Cue]) -> None:
        self.cues = [c for c in cues if c.cls not in NO_FRAME_CLASSES]  # in text order
        self.starts = [c.span.start for c in self.cues]
        self.longest = max((c.span.end - c.span.start for c in self.cues), default=0)

    def nearest(self, lo: int, hi: int, open_mark: int, close: int) -> Cue | None:
        """The cue starting in [lo, hi) nearest to the quote [open_mark, close] and outside it;
        of equally near ones, the first."""
        best: Cue | None = None
        best_distance = 10 ** 9
        i = bisect.bisect_left(self.starts, open_mark) - 1  # cues before the quote, nearest first
        while i >= 0 and self.starts[i] >= lo and open_mark - self.starts[i] - self.longest <= best_distance:
            cue = self.cues[i]
            distance = open_mark - cue.span.end
            if 0 <= distance <= best_distance:  # an earlier cue as near wins
                best, best_distance = cue, distance
            i -= 1
        i = bisect.bisect_left(self.starts, max(close, lo))  # the first cue after the quote
        if i < len(self.cues) and self.starts[i] < hi and self.starts[i] - close < best_distance:
            best = self.cues[i]
        return best


def _title_like(quoted: str) -> bool:
    """A show, book or handle in quotation marks ("Meet the Press", "@user", a tweet id),
    not something said: short, and every longer word capitalised (or no letters at all)."""
    words = quoted.strip(" .,!?;:").split()
    if not words or len(words) > 10 or quoted.rstrip().endswith(("?", "!")):
        return False
    if len(words) == 1 and (words[0].startswith("@") or not any(ch.isalpha() for ch in words[0])):
        return True
    long_words = [w for w in words if len(w) > 3 and w[0].isalpha()]
    return bool(long_words) and all(w[0].isupper() for w in long_words) and len(words) > 1


def _framed(ctx: _Context, q: QuoteSpan, cues: _FrameCues, phrases: _PhraseAttributions) -> Found | None:
    lo, hi = _frame(ctx, q)
    close = q.close_mark if q.close_mark is not None else q.end
    best = cues.nearest(lo, hi, q.open_mark, close)
    if best is None:
        return None
    outer = phrases.outer(best)
    if outer is not None:
        return Found(q.start, q.end, True, "quote.framed.according", outer.cue, outer.speaker)
    speaker = best.speaker
    if speaker is not None and not ctx.resolver.known_actor(_speaker_head(best, speaker)):
        fragment = _fragment_speaker(ctx, best)
        speaker = fragment or speaker
    if speaker is None:
        speaker = _fragment_speaker(ctx, best)
    if speaker is None:
        return None  # a cue with no speaker ("the so-called “reform”") does not frame a quote
    return Found(q.start, q.end, True, "quote.framed", best, speaker)


TRANSCRIPT_NAME = re.compile(r"\s*([A-Z][A-Z'.\-]+(?: [A-Z][A-Z'.\-]+){0,3}):\s")


def _transcribed(ctx: _Context, q: QuoteSpan) -> Found | None:
    """`"PENCE: Well, look, …"`: a transcript line; the capitalised name before the colon speaks."""
    m = TRANSCRIPT_NAME.match(ctx.text, q.start, min(q.end, q.start + 60))
    if m is None:
        return None
    name = ctx.doc.char_span(m.start(1), m.end(1), alignment_mode="expand")
    if name is None:
        return None
    cue = Cue(name[0], Span(":", m.end(1), m.end(1) + 1), "cue.transcript", "speech")
    cue.speaker = ctx.resolver.from_span(name, "speaker.transcript")
    return Found(q.start, q.end, True, "quote.transcript", cue, cue.speaker)


SIGNATURE_CHARS = 80  # a signature is a name, read within this many characters of its dash


def _signed(ctx: _Context, q: QuoteSpan) -> Found | None:
    """`“…” ― Sonya Herridge`: a quote signed, on its own line, with a dash and a name
    (vox pops, epigraphs, letters): the name is the speaker."""
    doc, text = ctx.doc, ctx.text
    close = q.close_mark if q.close_mark is not None else q.end
    i = close + 1 if q.close_mark is not None else close
    while i < len(text) and text[i] in " \t\xa0":
        i += 1
    if i >= len(text) or text[i] not in ctx.lex.signature_dashes:
        return None
    while i < len(text) and text[i] in ctx.lex.signature_dashes:
        i += 1
    while i < len(text) and text[i] in " \t\xa0":
        i += 1
    line_end = text.find("\n", i, i + SIGNATURE_CHARS)
    line_end = min(len(text), i + SIGNATURE_CHARS) if line_end < 0 else line_end
    while line_end > i and text[line_end - 1].isspace():
        line_end -= 1
    span = doc.char_span(i, line_end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    names = []
    for token in span:  # the name: proper nouns and initials, up to the first other word
        if token.is_space:
            break
        if token.pos_ == "PROPN" or (token.is_title and token.is_alpha) or (len(token.text) <= 2 and token.text[:1].isupper()):
            names.append(token)
        else:
            break
    if not names or len(names) > 6:
        return None
    name = doc[names[0].i:names[-1].i + 1]
    cue = Cue(names[0], Span(text[close:i].strip() or "―", close, i), "cue.signature", "speech")
    cue.speaker = ctx.resolver.from_span(name, "speaker.signature")
    return Found(q.start, q.end, True, "quote.signed", cue, cue.speaker)


def _colon_framed(ctx: _Context, q: QuoteSpan) -> Found | None:
    """`And Mr. Christie gloated: “I told you …”`: a quote right after a colon belongs to the
    subject of the clause the colon ends, whatever its verb. So does a quote opening the
    paragraph after one that ends with a colon (`Caddell continued:`), when that subject
    names someone (a name or a pronoun: not "the transcript")."""
    doc, text = ctx.doc, ctx.text
    end = q.open_mark  # the text before the quote, without its trailing blanks, ends at `end`
    while end > 0 and text[end - 1] in " \t\xa0":
        end -= 1
    paragraph = False
    while end > 0 and text[end - 1] in " \t\xa0\n\r":
        paragraph = True
        end -= 1
    if end == 0 or text[end - 1] not in ":,":
        return None
    colon = doc.char_span(end - 1, end, alignment_mode="expand")
    if colon is None:
        return None
    if text[end - 1] == ",":  # `She continued, “…”`, `As Ms. Simonyan put it, “…”`: a saying verb just before
        verb = _introducing_verb(colon[0], ctx.lex.introducing_verbs)
        if verb is None or paragraph:
            return None
    else:
        verb = colon[0].head
    while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
        verb = verb.head
    if verb.pos_ not in ("VERB", "AUX") or ctx.sents.of(verb) != ctx.sents.of(colon[0]):
        return None
    subjects = [c for c in verb.children if c.dep_ == "nsubj"]
    if not subjects:
        return None
    if paragraph and not (subjects[0].pos_ == "PROPN" or subjects[0].lower_ in ctx.resolver.lex.person_pronouns):
        return None
    cue = Cue(verb, Span(verb.text, verb.idx, verb.idx + len(verb.text)), "cue.colon_frame", "speech")
    cue.speaker = ctx.resolver.resolve(subjects[0])
    return Found(q.start, q.end, True, "quote.framed", cue, cue.speaker)


def _introducing_verb(comma: Token, verbs: frozenset[str]) -> Token | None:
    """The saying verb a comma right before a quote ends the clause of (`She continued,`,
    `As Ms. Simonyan put it,`), if the verb is among the last three words before it."""
    doc = comma.doc
    for k in range(comma.i - 1, max(comma.i - 4, -1), -1):
        token = doc[k]
        if token.pos_ in ("VERB", "AUX"):
            return token if token.lemma_.lower() in verbs else None
    return None


def _speaker_head(cue: Cue, speaker: Speaker) -> Token:
    span = cue.token.doc.char_span(speaker.local.start, speaker.local.end, alignment_mode="expand")
    return span.root if span is not None else cue.token


def _frame(ctx: _Context, q: QuoteSpan) -> tuple[int, int]:
    """Character range searched for a quote's cue: its sentences plus adjacent fragments."""
    doc, text = ctx.doc, ctx.text
    close = q.close_mark if q.close_mark is not None else q.end
    first = doc.char_span(q.open_mark, q.open_mark + 1, alignment_mode="expand")
    last = doc.char_span(close, min(close + 1, len(text)), alignment_mode="expand")
    if first is None or last is None:
        return q.open_mark, close
    s_first, s_last = ctx.sents.of(first[0]), ctx.sents.of(last[-1])
    lo, hi = s_first.start_char, s_last.end_char
    if s_last.end < len(doc) and s_last.end_char - close <= FRAME_GAP:
        nxt = ctx.sents.of(doc[s_last.end])
        if "\n" not in text[close:nxt.start_char]:
            hi = nxt.end_char
    if s_first.start > 0 and q.open_mark - s_first.start_char <= FRAME_GAP:
        prev = ctx.sents.of(doc[s_first.start - 1])
        if prev.text.rstrip().endswith(":"):
            lo = prev.start_char
    return lo, hi


def _fragment_speaker(ctx: _Context, cue: Cue) -> Speaker | None:
    """`“…,” May wrote. Amber Bineau, a spokeswoman …, in a statement.`: the verb-less
    sentence after the cue names the speaker."""
    doc = ctx.doc
    sent = ctx.sents.of(cue.token)
    if sent.end >= len(doc):
        return None
    nxt = ctx.sents.of(doc[sent.end])
    tokens = [t for t in nxt if not t.is_space]
    if not tokens or any(t.pos_ in ("VERB", "AUX") for t in tokens):
        return None
    name_end = 0
    while name_end < len(tokens) and tokens[name_end].pos_ == "PROPN":
        name_end += 1
    if name_end == 0 or name_end >= len(tokens) or tokens[name_end].text != ",":
        return None
    span = doc[tokens[0].i:tokens[name_end - 1].i + 1]
    return ctx.resolver.from_span(span, "speaker.fragment")


def _continued(doc: Doc, q: QuoteSpan, previous: list[Found], paras: list[tuple[int, int]],
               para_starts: list[int]) -> Found | None:
    """A quote opening a paragraph (or a sentence) with no cue continues the last quote's speaker
    (`previous`: the latest-ending earlier attribution with a speaker, or none)."""
    if not previous:
        return None
    last = previous[-1]
    p = bisect.bisect_right(para_starts, q.open_mark) - 1
    opens_paragraph = p >= 0 and q.open_mark - paras[p][0] <= 1
    prev_para = bisect.bisect_right(para_starts, last.start) - 1
    if opens_paragraph and p - prev_para in (0, 1):
        return Found(q.start, q.end, True, "quote.continuation", last.cue, last.speaker)
    same_para = p == prev_para
    token = doc.char_span(q.open_mark, q.open_mark + 1, alignment_mode="expand")
    if same_para and token is not None and token[0].is_sent_start:
        return Found(q.start, q.end, True, "quote.continuation", last.cue, last.speaker)
    return None


class _Covered:
    """Direct quotes (in text order, not overlapping) by position."""

    def __init__(self, direct: list[Found]) -> None:
        self.direct = sorted(direct, key=lambda f: (f.start, f.end))
        self.starts = [f.start for f in self.direct]
        self.ends = [f.end for f in self.direct]
        self.ordered = all(a <= b for a, b in zip(self.ends, self.ends[1:]))

    def by_quote(self, f: Found) -> bool:
        """Whether a direct quote holds most (80 %) of an indirect attribution's content."""
        length = max(1, f.end - f.start)
        lo = bisect.bisect_right(self.ends, f.start) if self.ordered else 0
        hi = bisect.bisect_left(self.starts, f.end)
        for q in self.direct[lo:hi]:  # the quotes that overlap the content
            overlap = min(f.end, q.end) - max(f.start, q.start)
            if overlap > 0.8 * length:
                return True
        return False
