"""Criticism and praise said in words: evaluative statements of one actor about another.

Much political conflict is verbal and carries no accusing verb: "Donald Trump is a disgusting
fraud," Rep. X said; Clinton says Trump's meltdown is "unhinged"; "He is making our country
less safe," Biden said. PLOVER codes these as ACCUSE (mode disapprove) by the speaker towards
the actor spoken of, and praise ("She is a tremendous leader") as SUPPORT.

For every quote or indirect quote (tidings.quotes) whose speaker is an actor, each evaluative
word of data/evaluation.yaml in its content is traced to the actor it is said of: the subject
of its clause ("Trump is a fraud", "He lied"), the owner of what it qualifies ("Trump's
comments are a disgrace", "his race-baiting"), or the object of a naming verb ("called her
actions careless"). The speaker must differ from that actor. Praise needs a direct predication
("X is a great leader"); criticism may also qualify what the actor did or said.

Criticism is often said of an act, not of a person: "the phone call was inappropriate", "the
White House called the inquiry a sham", "closing the border is madness". An act (a noun of
data/evaluation.yaml `acts`, or a clause) judged so accuses whoever did it — its owner ("the
governor's decision", "the decision by the governor"), else the owner of an earlier mention of
the same act or the subject of a recent clause doing it ("Hale vetoed the budget. … the veto was
reckless") — and, when the text names no one, it is still a criticism, with no target
(`_doer`; rule suffix "+act").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from tidings.records import Participant, Quote
from tidings.yamlcache import load_yaml

MAX_SENTENCE_CHARS = 2000  # a longer "sentence" is a run-on non-sentence (a list, a dump without full
# stops; the longest in 104 news articles measured has 506 characters): not coded (EventCoder.code),
# since each word of it would cost its whole length (time quadratic in it)
NEGATIONS = frozenset({"not", "n't", "never", "no"})
COPULAS = frozenset({"be", "become", "remain", "seem", "look", "sound", "appear", "prove"})
# "they’re corrupt", "it’s a disgrace": with a curly apostrophe the parser's lemma is the word itself
CONTRACTED_BE = frozenset({"'s", "’s", "'re", "’re", "'m", "’m"})
NAMING_VERBS = frozenset({"call", "describe", "label", "brand", "dub", "term", "characterize", "characterise",
                          "portray", "paint", "depict", "deem", "consider", "find", "declare", "pronounce"})
SEEMING_VERBS = frozenset({"strike"})  # "the remarks struck me as dishonest": said of the subject, not of "me"
SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj")
CLAUSE_DEPS = ("csubj", "advcl", "xcomp", "ccomp")  # a clause judged: the subject, or extraposed (`_extraposed`)
TIME_ENTS = frozenset({"DATE", "TIME"})
ACTOR_ENTS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
PERSONAL = frozenset({"he", "she", "they", "him", "her", "them", "his", "their"})
DOER_SENTENCES = 12  # how far back an owned mention of the same act is looked for ("Trump's call with Zelensky")
DOER_VERB_SENTENCES = 2  # how far back a clause doing it is ("Trump phoned Erdogan. … The call was …")
# the speaker ("I", "we"), the addressee ("you") and things ("it", "this") are no one spoken of
NOT_ABOUT = frozenset({"i", "me", "my", "mine", "we", "us", "our", "ours", "you", "your", "yours", "it", "its",
                       "this", "that", "these", "those", "which", "what", "there", "everyone", "everybody",
                       "anyone", "anybody", "someone", "somebody", "nobody", "people"})


@dataclass(frozen=True)
class Evaluation:
    """The evaluative lexicon: single lemmas by polarity, and multi-word phrases."""

    negative: frozenset[str]
    positive: frozenset[str]
    negative_verbs: frozenset[str]
    phrases: dict[str, dict[str, tuple[tuple[str, ...], ...]]]  # polarity → first word → phrases (word tuples)
    framing: frozenset[str]
    # act noun lemma → verb lemmas of doing it (see `_doer`)
    acts: dict[str, frozenset[str]] = field(default_factory=dict)
    admissions: frozenset[str] = frozenset()  # words a speaker also says of their own acts ("was a mistake")
    done_of: frozenset[str] = frozenset()  # acts whose "of X" names the doer ("the actions of X", not "the trial of X")
    kinds_of_acts: frozenset[str] = frozenset()  # adjectives naming a kind of act ("a criminal investigation")
    doing_verbs: frozenset[str] = frozenset()  # verbs whose subject does the act that is their object ("launched")

    @property
    def words(self) -> frozenset[str]:
        """Every single word that can start an evaluation (cached on first use)."""
        cached = self.__dict__.get("_words")
        if cached is None:
            cached = self.negative | self.positive | self.negative_verbs | frozenset(
                first for table in self.phrases.values() for first in table)
            object.__setattr__(self, "_words", cached)
        return cached

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls) -> "Evaluation":
        text = resources.files("tidings.events").joinpath("data/evaluation.yaml").read_text("utf-8")
        raw = load_yaml(text)

        def words(*keys, side):
            return frozenset(str(w).lower() for key in keys for w in raw[side].get(key, []) if " " not in str(w))

        def phrases(side):
            multi = [str(w).lower() for key in ("adjectives", "nouns", "verbs", "phrases")
                     for w in raw[side].get(key, []) if " " in str(w) or "-" in str(w).strip("-")]
            by_first: dict[str, list[tuple[str, ...]]] = {}
            for phrase in multi:
                # the parser splits some hyphenated words ("self - serving"): matched as three words too
                words = tuple(w for word in phrase.split() for w in word.replace("-", " - ").split())
                by_first.setdefault(words[0], []).append(words)
            return {first: tuple(found) for first, found in by_first.items()}

        return cls(negative=words("adjectives", "nouns", side="negative"),
                   positive=words("adjectives", "nouns", side="positive"),
                   negative_verbs=words("verbs", side="negative"),
                   phrases={"negative": phrases("negative"), "positive": phrases("positive")},
                   framing=frozenset(str(w).lower() for w in raw["negative"].get("framing", [])),
                   acts={str(noun).lower(): frozenset(str(v).lower() for v in verbs or [])
                         for noun, verbs in (raw.get("acts") or {}).items()},
                   admissions=frozenset(str(w).lower() for w in raw.get("admissions") or []),
                   done_of=frozenset(str(w).lower() for w in raw.get("done_of") or []),
                   kinds_of_acts=frozenset(str(w).lower() for w in raw.get("kinds_of_acts") or []),
                   doing_verbs=frozenset(str(w).lower() for w in raw.get("doing_verbs") or []))


@dataclass
class Statement:
    """One evaluative statement: the word, its polarity, the head token of the actor it is about,
    and how the two are linked ("said": through the parse; "near": only the nearest actor of the
    quoted sentence — a weaker link the verifier weighs; "act": said of an act, whose doer is
    found around it, or is None when the text does not name one)."""

    token: object
    polarity: str  # negative | positive
    about: object | None
    link: str = "said"


class Sentences:
    """Each token's sentence, found once per document (`Token.sent` walks the sentence: a call
    per token costs a run-on sentence's length squared), and which sentences are too long to code."""

    def __init__(self, doc) -> None:
        self.doc = doc
        self.starts: list[int] | None = None
        self.ends: list[int] = []
        self.too_long: set[int] = set()  # starts of the sentences over MAX_SENTENCE_CHARS
        hooked = "sent" in doc.user_token_hooks or "sent" in doc.user_span_hooks or "sents" in doc.user_hooks
        if hooked or not doc.has_annotation("SENT_START"):
            return
        self.starts, self.ends = [0] * len(doc), [0] * len(doc)
        for sent in doc.sents:
            self.starts[sent.start:sent.end] = [sent.start] * len(sent)
            self.ends[sent.start:sent.end] = [sent.end] * len(sent)
            if sent.end_char - sent.start_char > MAX_SENTENCE_CHARS:
                self.too_long.add(sent.start)

    def bounds(self, token) -> tuple[int, int]:
        """(start, end) token offsets of `token.sent`."""
        if self.starts is None:
            sent = token.sent
            if sent.end_char - sent.start_char > MAX_SENTENCE_CHARS:
                self.too_long.add(sent.start)
            return sent.start, sent.end
        return self.starts[token.i], self.ends[token.i]

    def start(self, token) -> int:
        return self.bounds(token)[0]

    def codable(self, token) -> bool:
        return self.bounds(token)[0] not in self.too_long


def evaluations(doc, quotes: list[Quote], lexicon: Evaluation,
                sents: Sentences | None = None) -> list[tuple[Quote, Statement]]:
    """(quote, statement) for every evaluative word in the content of a quote with a speaker
    (none in a sentence too long to code)."""
    sents = sents or Sentences(doc)
    found = []
    said_in: dict[int, set[int]] = {}  # id(quote) → sentence starts of its statements
    for quote in quotes:
        if quote.speaker is None or not (quote.speaker.country or quote.speaker.sector or quote.speaker.name):
            continue
        span = doc.char_span(quote.start, quote.end, alignment_mode="expand")
        if span is None:
            continue
        seen: set[int] = set()
        acts_seen: set[tuple[str, int]] = set()
        loose: dict[int, Statement] = {}  # sentence start → first loosely linked statement
        said = said_in.setdefault(id(quote), set())
        for token in span:
            if not sents.codable(token):
                continue
            polarity = _polarity(token, lexicon)
            if polarity is None:
                start = sents.start(token)
                if start not in loose and _loosely_negative(token, lexicon):
                    about = _nearest_actor(token, span, quote, sents.bounds(token))
                    if about is not None:
                        loose[start] = Statement(token, "negative", about, "near")
                continue
            if _negated(token):
                continue
            if not quote.direct and token.dep_ == "amod" and not _judging(token) and _qualifies_act(token, lexicon):
                continue  # "voiced enthusiasm for a dangerous proposal": in reported speech, maybe the writer's word
            token = _anchor(token, lexicon)  # a phrase's head word: "not credible" → credible
            about = _about(token, polarity, lexicon.acts)
            if polarity == "negative" and about is not None and about.lower_ == "it":
                about = _extraposed(about) or about  # "it is bizarre for X to claim …": the clause is judged
            if polarity == "negative" and about is not None and _is_act(about, lexicon):
                # "the phone call was inappropriate", "called the inquiry a sham": said of an act,
                # the criticism is of whoever did it (`_doer`), or of no one named
                doer, link = _doer(about, lexicon, sents, quote)
                if doer is None and token.lemma_.lower() in lexicon.admissions:
                    continue  # "using two accounts was a mistake": maybe the speaker's own
                if doer is None:
                    # "… critique Donald Trump, but that was an outrageous tweet": the actor the quoted
                    # sentence names, never one the act is done to ("the allegations against X")
                    excluded = {t.i for t in about.subtree}
                    verb = _verb_of(about) if about.dep_ in ("dobj", "pobj") else None
                    reactor = _clause_subject(verb) if verb is not None else None
                    if reactor is not None:  # "Hale criticised the reckless decision": Hale did not make it
                        excluded |= {t.i for t in reactor.subtree}
                    doer = _nearest_actor(token, span, quote, sents.bounds(token), things_ok=True,
                                          excluded=frozenset(excluded))
                    link = "near" if doer is not None else "act"
                if doer is not None and not quote.direct and doer.lower_ in PERSONAL:
                    continue  # "X said what she did was wrong": maybe the speaker's own
                if ("act", about.i) in acts_seen or doer is not None and (doer.i in seen or doer.lower_ in NOT_ABOUT):
                    continue
                acts_seen.add(("act", about.i))
                if doer is not None:
                    seen.add(doer.i)
                found.append((quote, Statement(token, polarity, doer, link)))
                said.add(sents.start(token))
                continue
            if polarity == "negative" and (about.lower_ in THINGS if about is not None
                                           else token.pos_ in ("ADJ", "NOUN") and token.dep_ in ("attr", "acomp")):
                # "I think that's shameful", "it's a bunch of malarkey": said of an act, the
                # criticism is of the actor the quoted sentence names (a weaker, "near" link)
                start = sents.start(token)
                if start not in loose:
                    near = _nearest_actor(token, span, quote, sents.bounds(token), things_ok=True)
                    if near is not None:
                        loose[start] = Statement(token, "negative", near, "near")
                continue
            if about is None or about.i in seen or about.lower_ in NOT_ABOUT:
                continue
            seen.add(about.i)
            found.append((quote, Statement(token, polarity, about)))
            said.add(sents.start(token))
        # "She's a disgrace and those comments are a disgrace": an act judged whose doer is not
        # named adds nothing to a criticism of someone named in the same sentence
        named = {sents.start(st.token) for q, st in found if q is quote and st.about is not None}
        found = [(q, st) for q, st in found if not (q is quote and st.about is None and sents.start(st.token) in named)]
        near = [(quote, st) for start, st in loose.items() if start not in said and st.about.i not in seen]
        found += near
        said.update(sents.start(st.token) for _, st in near)
    return found


# what an act is referred to by ("that's shameful"): a judgement of it judges whoever did it
THINGS = frozenset({"it", "this", "that", "these", "those", "which", "what"})
OBLIGATION_MODALS = frozenset({"should", "must", "ought", "needs", "need", "got"})


def obligations(doc, quotes: list[Quote], sents: Sentences | None = None) -> list[tuple[Quote, Statement]]:
    """'"Obama should look for ways to …," he said', 'the party must act now': what a speaker says
    another actor should do is a request to that actor (PLOVER REQUEST). The statement's token
    is the verb of the obligation, `about` its subject; the speaker's own side ("we must") and
    the addressee ("you should") are left out; so is a sentence too long to code."""
    sents = sents or Sentences(doc)
    found = []
    for quote in quotes:
        if quote.speaker is None or not (quote.speaker.country or quote.speaker.sector or quote.speaker.name):
            continue
        span = doc.char_span(quote.start, quote.end, alignment_mode="expand")
        if span is None:
            continue
        for verb in span:
            if verb.pos_ not in ("VERB", "AUX") or not sents.codable(verb) or not _obliged(verb):
                continue
            subject = _clause_subject(verb)
            if subject is None or subject.lower_ in NOT_ABOUT or subject.i < span.start:
                continue
            if any(c.dep_ == "aux" and c.lower_ == "have" for c in verb.children):
                # "should have known", "must have seen": blame for what was not done
                found.append((quote, Statement(verb, "negative", subject)))
            elif verb.lemma_ != "be" and not any(c.dep_ == "auxpass" for c in verb.children):
                found.append((quote, Statement(verb, "obligation", subject)))
    return found


def _obliged(verb) -> bool:
    """The verb is under an obligation modal: 'should act', 'must be shut down', 'ought to go',
    'needs to stop', 'has to stop' (not negated)."""
    for child in verb.children:
        if child.dep_ == "neg":
            return False
    if any(c.dep_ in ("aux", "auxpass") and c.lower_ in ("should", "must", "ought") for c in verb.children):
        return True
    if verb.dep_ == "xcomp" and verb.head.lemma_ in ("need", "have") and verb.head.pos_ in ("VERB", "AUX") \
            and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children) \
            and not any(c.dep_ == "neg" for c in verb.head.children):
        return verb.head.lemma_ == "need" or any(c.dep_ == "aux" for c in verb.head.children) or verb.head.tag_ in ("VBZ", "VBP")
    return False


def _loosely_negative(token, lexicon: Evaluation) -> bool:
    """A negative word the parse does not tie to anyone ("a culture of corruption", "immoral
    marketing"): it may still be said of the actor the quoted sentence names."""
    if token.tag_ in ("JJR", "JJS", "RBR") or _negated(token):
        return False
    lemma = token.lemma_.lower()
    if token.pos_ == "ADJ" and token.dep_ == "amod":
        return False  # "a false flag", "violent crime": a description, not a judgement
    if token.pos_ in ("ADJ", "NOUN"):
        return lemma in lexicon.negative or token.lower_ in lexicon.negative
    return token.pos_ == "VERB" and lemma in lexicon.negative_verbs


VICTIM_PREPS = frozenset({"against", "on", "to", "toward", "towards", "for", "at", "upon", "into"})


def _nearest_actor(token, span, quote: Quote, sentence: tuple[int, int], things_ok: bool = False,
                   excluded: frozenset[int] = frozenset()):
    """The actor-like word (a name, or he/she/they) of the token's sentence (`sentence`: its
    start and end) inside the quote that is closest to it and is not the speaker — the word's
    own owner first ("Russian aggression"), and never the one it is aimed at ("aggression
    against Ukraine") nor a word of `excluded`."""
    for child in token.children:
        if child.dep_ in ("amod", "compound", "poss") and child.ent_type_ in ("NORP", "GPE", "ORG", "PERSON"):
            return child
    subject = _clause_subject(token) if token.pos_ in ("VERB", "AUX") else _clause_subject(token.head)
    if subject is not None and subject.lower_ in NOT_ABOUT and not (things_ok and subject.lower_ in THINGS):
        return None  # "they may think I'm really radical": said of the speaker or of no one
    aimed = {t.i for prep in token.children if prep.dep_ == "prep" and prep.lower_ in VICTIM_PREPS
             for t in prep.subtree} | excluded
    doc = token.doc
    best, best_distance = None, None
    for i in range(max(span.start, sentence[0]), min(span.end, sentence[1])):  # the span's part in the sentence
        other = doc[i]
        if other.i == token.i or other.i in aimed:
            continue
        named = other.ent_type_ in ("PERSON", "ORG", "GPE", "NORP") and other.pos_ == "PROPN"
        pronoun = other.pos_ == "PRON" and other.lower_ in PERSONAL
        if not (named or pronoun):
            continue
        if quote.speaker is not None and quote.speaker.start <= other.idx < quote.speaker.end:
            continue
        distance = abs(other.i - token.i)
        if best_distance is None or distance < best_distance:
            best, best_distance = other, distance
    return best


def _polarity(token, lexicon: Evaluation) -> str | None:
    lemma, lower = token.lemma_.lower(), token.lower_
    if not ({lemma, lower} & lexicon.words):
        return None  # most words: no lookup of their children needed
    if token.tag_ in ("JJR", "JJS", "RBR") or any(c.lower_ in ("more", "less", "most", "least") for c in token.children):
        return None  # comparisons ("more effective", "less prepared") judge no one on their own
    if token.pos_ in ("ADJ", "NOUN") or token.tag_ in ("VBN", "VBG") and token.dep_ in ("amod", "acomp"):
        if (lemma in lexicon.negative or lower in lexicon.negative) and (
                _judging(token) or _qualifies_act(token, lexicon)):
            return "negative"
        if (lemma in lexicon.positive or lower in lexicon.positive) and _predicated(token):
            return "positive"
    if token.pos_ == "VERB" and lemma in lexicon.negative_verbs:
        return "negative"
    matched = _phrase(token, lexicon)
    return matched[0] if matched is not None else None


def _phrase(token, lexicon: Evaluation) -> tuple[str, tuple[str, ...]] | None:
    """(polarity, phrase) of the evaluative phrase starting at the token, if one does."""
    lemma, lower = token.lemma_.lower(), token.lower_
    for polarity in ("negative", "positive"):
        table = lexicon.phrases[polarity]
        for phrase in table.get(lower, ()) + (table.get(lemma, ()) if lemma != lower else ()):
            if _phrase_at(token, phrase):
                return polarity, phrase
    return None


def _anchor(token, lexicon: Evaluation):
    """The word that stands for an evaluation in the parse: the token itself, or for a phrase
    the word of it whose head lies outside it, a negation last ("not credible" → credible,
    "not in line with" → in, "self - serving" → serving)."""
    if {token.lemma_.lower(), token.lower_} & (lexicon.negative | lexicon.positive | lexicon.negative_verbs):
        return token
    matched = _phrase(token, lexicon)
    if matched is None:
        return token
    words = token.doc[token.i:token.i + len(matched[1])]
    outside = [t for t in words if not words.start <= t.head.i < words.end or t.head.i == t.i]
    outside.sort(key=lambda t: (t.dep_ == "neg", t.i))
    return outside[0] if outside else token


def _phrase_at(token, phrase: tuple[str, ...]) -> bool:
    doc = token.doc
    if token.i + len(phrase) > len(doc):
        return False
    return all(doc[token.i + k].lower_ == w or doc[token.i + k].lemma_.lower() == w for k, w in enumerate(phrase))


def _qualifies_act(token, lexicon: Evaluation) -> bool:
    """'the belligerent prosecution of …', 'a reckless decision': an adjective qualifying an act
    noun of data/evaluation.yaml `acts` judges the act (and whoever did it)."""
    return token.pos_ == "ADJ" and token.dep_ == "amod" and token.head.pos_ == "NOUN" and (
        token.head.lemma_.lower() in lexicon.acts) and token.lemma_.lower() not in lexicon.kinds_of_acts


def _judging(token) -> bool:
    """A word that judges someone: said of a subject ("X is corrupt"), of what someone owns
    ("his dangerous race-baiting", "Trump's lies"), or as what someone is called ("called it
    shameful"); not a word that only describes ("violent crime", "pleaded guilty")."""
    if _predicated(token):
        return True
    node = token.head if token.dep_ in ("amod", "compound") else token
    if any(c.dep_ == "poss" for c in node.children):
        return True
    if node.dep_ == "pobj" and node.head.lower_ == "of" and node.head.head.dep_ in ("attr", "acomp", "oprd", "dobj"):
        return any(c.dep_ == "poss" for c in node.children)  # "an example of his disrespect"
    return False


def _predicated(token) -> bool:
    """'X is a great leader', 'X is great': the word predicates of a subject (praise)."""
    node = token.head if token.dep_ == "amod" and token.head.lower_ != "as" else token  # not "described it as reckless"
    for _ in range(3):  # "was unusual and inappropriate": the first conjunct's role
        if node.dep_ == "conj" and node.head.i != node.i:
            node = node.head
    if node.dep_ in ("pobj", "amod") and node.head.lower_ == "as" and (
            node.head.head.lemma_ in NAMING_VERBS | SEEMING_VERBS):
        return True  # "described him as a liar", "struck me as dishonest"
    if _seeming(node):
        return True
    if node.dep_ in ("pobj", "amod") and node.head.lower_ == "as" and _named_as(node.head):
        return True
    return node.dep_ in ("attr", "acomp", "oprd") and (_copula(node.head) or node.head.lemma_ in NAMING_VERBS)


def _named_as(as_token) -> bool:
    """'described the move as …' as the parser often reads it: "as" a modifier of the object of a
    naming verb."""
    named = as_token.head
    return named.dep_ in ("dobj", "nsubjpass") and named.head.lemma_ in NAMING_VERBS


def _seeming(node) -> bool:
    """'… struck me as dishonest' as the parser often reads it: the word an adverbial clause of
    the verb, with "as" its modifier."""
    return node.dep_ == "advcl" and node.head.lemma_ in SEEMING_VERBS and any(
        c.lower_ == "as" for c in node.children)


def _copula(verb) -> bool:
    return verb.lemma_ in COPULAS or verb.pos_ in ("AUX", "VERB") and verb.lower_ in CONTRACTED_BE


def _negated(token) -> bool:
    nodes = [token, token.head] if token.dep_ in ("amod", "attr", "acomp") else [token]
    if token.dep_ == "amod":
        nodes.append(token.head.head)
    return any(c.dep_ == "neg" or (c.lower_ in NEGATIONS and c.dep_ in ("det", "advmod")) for n in nodes
               for c in n.children)


def _about(token, polarity: str, acts=frozenset()):
    """The head token of what the evaluative word is said of, climbing to its clause. An act
    noun of `acts` qualified by the word is what it is said of ("today's illegitimate
    proceedings") when it has no owner who is an actor."""
    node = token
    if node.dep_ in ("amod", "compound") and node.head.pos_ in ("NOUN", "PROPN"):
        owner = _owner(node.head)
        if owner is not None and polarity == "negative":
            return owner  # "his dangerous race-baiting", "Trump's disgraceful comments"
        if polarity == "negative" and node.head.pos_ == "NOUN" and node.head.lemma_.lower() in acts:
            return node.head
        node = node.head
    if node.pos_ == "VERB" and node.dep_ == "acl" and node.tag_ == "VBG" and node.head.pos_ in ("NOUN", "PROPN"):
        return _owner(node.head) or node.head  # "sick of the Sanders campaign lying about me"
    if node.pos_ == "VERB" and node.dep_ not in ("acomp", "attr", "oprd"):  # not "is self-serving"
        return _clause_subject(node)
    if node.dep_ in ("prep", "advmod", "neg") and _copula(node.head):
        return _clause_subject(node.head)  # "the decision was not in line with …", "he was out of line"
    for _ in range(4):
        if node.dep_ in ("attr", "acomp", "oprd") or node.dep_ in ("dobj",) and _copula(node.head):
            verb = node.head
            if verb.lemma_ in NAMING_VERBS:  # "called her actions careless", "described Trump as a liar"
                return _named_object(verb)
            return _clause_subject(verb)
        if node.dep_ in ("pobj", "amod") and node.head.lower_ == "as" and node.head.head.lemma_ in NAMING_VERBS:
            return _named_object(node.head.head)
        if node.dep_ in ("pobj", "amod") and node.head.lower_ == "as" and _named_as(node.head):
            named = node.head.head  # "described the move as a breach of trust", "as" read as the object's
            return _owner(named) or named
        if node.dep_ in ("pobj", "amod") and node.head.lower_ == "as" and node.head.head.lemma_ in SEEMING_VERBS:
            return _clause_subject(node.head.head)  # "the references struck me as political in nature"
        if _seeming(node):
            return _clause_subject(node.head)
        if node.dep_ in ("conj", "appos") and node.head.i != node.i:
            node = node.head
            continue
        if node.dep_ in SUBJECT_DEPS or node.dep_ == "ROOT":
            return _owner(node) if polarity == "negative" else None  # "Trump's meltdown is …" handled by the predicate
        if node.dep_ in ("dobj", "pobj") and polarity == "negative":
            owner = _owner(node)
            if owner is not None:
                return owner  # "… ignored his own party's corruption"
            verb = _verb_of(node)
            return _clause_subject(verb) if verb is not None else None
        return None
    return None


def _named_object(verb):
    """'called her actions careless', 'described Trump as a liar': the one named (or its owner)."""
    for child in verb.children:
        if child.dep_ in ("dobj", "nsubjpass"):
            owner = _owner(child)
            return owner if owner is not None else child
    return None


def _verb_of(node):
    for _ in range(4):
        if node.head.i == node.i:
            return None
        node = node.head
        if node.pos_ in ("VERB", "AUX"):
            return node
    return None


def _clause_subject(verb):
    for child in verb.children:
        if child.dep_ in SUBJECT_DEPS:
            owner = _owner(child)
            return owner if owner is not None else child
    if verb.dep_ in ("conj", "xcomp") and verb.head.i != verb.i:
        return _clause_subject(verb.head)
    return None


def _owner(noun):
    """Whose thing a noun is: the possessor ('Trump's comments', 'his record'), else the noun
    itself when it can name an actor (a proper name, a pronoun)."""
    for child in noun.children:
        if child.dep_ == "poss" and child.ent_type_ not in TIME_ENTS:  # not "today's proceedings"
            return child
    if noun.pos_ in ("PROPN", "PRON") or noun.ent_type_ in ("PERSON", "ORG", "GPE", "NORP"):
        return noun
    for child in noun.children:  # "the Trump campaign's", "the Clinton Foundation"
        if child.dep_ == "compound" and child.ent_type_ in ("PERSON", "ORG", "GPE", "NORP"):
            return child
    return None


def same_actor(a: Participant, b: Participant) -> bool:
    """Whether two participants name one actor (same name, or overlapping spans)."""
    if a.start < b.end and b.start < a.end:
        return True
    return bool(a.name and b.name and a.name == b.name)


def _extraposed(it):
    """The clause that 'it' stands for in 'it is outrageous to mislead voters', 'it's bizarre for
    Democrats to claim …', 'it is insulting that she refuses to debate', or None."""
    if it.dep_ != "nsubj" or not _copula(it.head):
        return None
    for clause in it.head.children:
        if clause.dep_ in ("advcl", "xcomp", "ccomp") and clause.pos_ in ("VERB", "AUX") and any(
                c.dep_ == "aux" and c.lower_ == "to" or c.dep_ == "mark" and c.lower_ == "that"
                for c in clause.children):
            return clause  # "it is outrageous to …", "it is a disgrace that the governor refused …"
    return None


def _is_act(token, lexicon: Evaluation) -> bool:
    """A noun for something done (data/evaluation.yaml `acts`): a call, a decision, an inquiry;
    or a clause as a subject ("closing the border is madness", "to call us liars is cynical")."""
    if token.dep_ == "csubj" and token.pos_ in ("VERB", "AUX"):  # an act done to something, not "walking is …"
        return any(c.dep_ in ("dobj", "ccomp", "nsubj") for c in token.children)
    if token.dep_ in CLAUSE_DEPS and token.pos_ in ("VERB", "AUX"):
        # extraposed: by someone named ("for X to claim"), or done to someone ("to misrepresent
        # Clinton's record"), not "it is dangerous to drive on icy roads"
        return any(c.dep_ == "nsubj" or c.dep_ == "dobj" and (_actor_like(c) or _owner(c) is not None)
                   for c in token.children)
    return token.pos_ == "NOUN" and token.ent_type_ not in ACTOR_ENTS and (
        token.lemma_.lower() in lexicon.acts or token.lower_ in lexicon.acts)


def _actor_like(token) -> bool:
    return token.ent_type_ in ACTOR_ENTS or token.pos_ == "PROPN" or (
        token.pos_ == "PRON" and token.lower_ in PERSONAL)


def _act_owner(noun, done_of: frozenset[str] = frozenset()):
    """Who did an act, as its noun phrase says: 'Trump's call', 'the governor's decision', 'a
    call by/from the minister', 'the Trump call', and for the acts of `done_of` 'the actions of
    the minister'; None when the phrase names no one (whether the one named is an actor the
    coder checks)."""
    preps = ("by", "from", "of") if noun.lemma_.lower() in done_of else ("by", "from")
    for child in noun.children:
        if child.dep_ == "prep" and child.lower_ in preps:
            for obj in child.children:
                if obj.dep_ == "pobj" and obj.pos_ in ("NOUN", "PROPN", "PRON") and obj.ent_type_ not in TIME_ENTS:
                    return _owner(obj) or obj
    return _owner(noun)


def _doer(act, lexicon: Evaluation, sents: Sentences, quote: Quote):
    """(who did the act, link) for a judgement of an act: its own owner ("the call by Trump":
    link "said"); else, looking back from the act, the owner of an earlier mention of the same
    act ("Trump's July 25 call with Zelensky … Williams said the call was inappropriate") or the
    subject of a recent clause doing it ("Trump phoned Erdogan on Monday. … the call was
    unusual") (link "act"); else (None, "act"): criticism of an act whose doer the text does
    not name near it. The speaker is never the doer found."""
    if act.pos_ in ("VERB", "AUX"):  # a clause: its own subject ("his closing the border"), else no one named
        doer = next((c for c in act.children if c.dep_ in ("nsubj", "poss") and c.lower_ not in NOT_ABOUT), None)
        return doer, "said" if doer is not None else "act"
    owner = _act_owner(act, lexicon.done_of)
    if owner is not None:
        return owner, "said"
    lemma = act.lemma_.lower()
    verbs = lexicon.acts.get(lemma) or lexicon.acts.get(act.lower_) or frozenset()
    if act.dep_ == "dobj" and (act.head.lemma_ in lexicon.doing_verbs or act.head.lemma_ in verbs):
        subject = _clause_subject(act.head)  # "Remington designed and executed an immoral campaign"
        if subject is not None and subject.lower_ not in NOT_ABOUT:
            return subject, "said"
    speaker = quote.speaker
    doc = act.doc
    start, end = sents.start(act), act.i
    for back in range(DOER_SENTENCES + 1):
        for i in range(end - 1, start - 1, -1):
            token = doc[i]
            found = None
            if token.pos_ == "NOUN" and token.lemma_.lower() == lemma:
                found = _act_owner(token, lexicon.done_of)
            elif back <= DOER_VERB_SENTENCES and token.pos_ == "VERB" and token.lemma_.lower() in verbs:
                found = _clause_subject(token)
                if found is not None and not _actor_like(found):
                    found = None
            if found is not None and found.lower_ not in NOT_ABOUT and not (
                    speaker is not None and speaker.start <= found.idx < speaker.end):
                return found, "act"
        if start == 0:
            break
        end = start
        start = sents.start(doc[start - 1])
    return None, "act"
