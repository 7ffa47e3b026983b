"""Cleaner: Document → Article (boilerplate filter, title/section, credit, language, dates)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tidings.clean import NO_TEXT, Cleaner, load_rules
from tidings.clean.credits import find_credit
from tidings.clean.dates import normalise_date
from tidings.clean.lines import filter_lines, split_blocks
from tidings.clean.rules import ACTIONS, read_data
from tidings.clean.titles import host_name, leading_headline, split_title
from tidings.records import Document

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def cleaner_clean() -> Cleaner:
    return Cleaner()


@pytest.fixture(scope="session")
def rules_clean():
    return load_rules()


def text_doc(text: str, **kwargs) -> Document:
    return Document(id="t", origin="test", kind="text", raw=text.encode("utf-8"), **kwargs)


BODY = [
    "Foreign ministers from both countries agreed on Tuesday to hold a new round of talks on the "
    "disputed border, officials said.",
    "The talks will begin next month in Geneva and are expected to last several days, according to "
    "a statement released after the meeting.",
    "Analysts said the agreement was a modest but real step toward easing tensions that have "
    "simmered for years along the frontier.",
    "Opposition leaders criticised the plan, saying it offered few guarantees for residents of "
    "the border villages who have lived under shelling for months.",
]

WIRE_STORY = f"""Ministers agree on new border talks - Politics

{BODY[0]}

ADVERTISEMENT

{BODY[1]}

READ MORE:

Earlier talks collapsed after a week of shelling

{BODY[2]}

Story continues below advertisement

{BODY[3]}

Copyright 2021 The Associated Press. All rights reserved.

Share this article

Sign up for our daily newsletter
"""


# --- data files ---------------------------------------------------------------------------

def test_boilerplate_data_rules_have_ids_actions_and_descriptions():
    data = read_data("boilerplate.yaml")
    ids = [rule["id"] for rule in data["rules"]]
    assert len(ids) == len(set(ids))
    for rule in data["rules"]:
        assert rule["action"] in ACTIONS, rule["id"]
        assert rule.get("description"), rule["id"]


def test_all_data_files_load_and_compile(rules_clean):
    assert rules_clean.boilerplate.rules
    assert all("publisher" in r.pattern.groupindex for r in rules_clean.credits.rules)
    assert "national" in rules_clean.titles.sections


# --- the motivating example -----------------------------------------------------------------

@pytest.mark.skipif(not (SHARED / "seed" / "article.txt").exists(), reason="../shared not available")
def test_seed_article_is_cleaned(cleaner_clean):
    raw = (SHARED / "seed" / "article.txt").read_bytes()
    article = cleaner_clean.clean(Document(id="seed", origin="seed", kind="text", raw=raw), published="2022-01-18")
    assert article.status == "ok"
    assert article.title == "Canada is sending special forces to Ukraine amid rising tensions with Russia"
    assert article.section == "National"
    assert article.credited_publisher == "Global News"
    assert article.language == "en"
    assert article.published == "2022-01-18"
    assert article.text.startswith("Canadian special forces operators have been deployed")
    assert article.text.endswith("economic measures for the Russian Federation.”")
    teasers = [
        "Canada urges to avoid unnecessary travel to Ukraine",
        "Russia denies US allegations that it is preparing a pretext",
        "Russia could face more sanctions amid military build-up",
        "A massive cyber attack hits the Ukrainian government",
    ]
    for unwanted in ["Read more", "The story continues below the ad", "Follow us", "Disclaimers",
                     "Give a Comment", "©", *teasers]:
        assert unwanted not in article.text, unwanted
    assert "\n\n\n" not in article.text
    removed_rules = {r["rule"] for r in article.removed}
    assert len(removed_rules) >= 4


# --- plain text ------------------------------------------------------------------------------

def test_plain_text_title_section_and_boilerplate(cleaner_clean):
    article = cleaner_clean.clean(text_doc(WIRE_STORY))
    assert article.status == "ok"
    assert article.title == "Ministers agree on new border talks"
    assert article.section == "Politics"
    assert article.credited_publisher == "The Associated Press"
    assert article.text == "\n\n".join(BODY)
    dropped = {(r["rule"], r["text"]) for r in article.removed}
    assert ("teaser-label", "Earlier talks collapsed after a week of shelling") in dropped
    assert {r["rule"] for r in article.removed} >= {
        "ad-marker", "ad-story-continues", "teaser-label", "copyright-word", "share-share", "share-newsletter"}


def test_teaser_label_keeps_a_following_body_paragraph(cleaner_clean):
    text = f"Headline for a story\n\n{BODY[0]}\n\nRelated:\n\n{BODY[1]}\n\n{BODY[2]}\n"
    article = cleaner_clean.clean(text_doc(text))
    assert article.text == "\n\n".join(BODY[:3])
    assert [r["text"] for r in article.removed] == ["Related:"]


def test_inline_teaser_is_dropped(cleaner_clean):
    text = f"{BODY[0]}\n\nRead more: Earlier talks collapsed after a week of shelling\n\n{BODY[1]}\n"
    article = cleaner_clean.clean(text_doc(text))
    assert article.text == "\n\n".join(BODY[:2])


def test_drop_rest_ends_the_article_only_in_its_second_half(rules_clean):
    early = filter_lines(["Comments", *BODY], rules_clean.boilerplate)
    assert early.kept == BODY
    late = filter_lines([*BODY, "Leave a comment", "Great article!", "I disagree."], rules_clean.boilerplate)
    assert late.kept == BODY
    assert [r["action"] for r in late.removed] == ["drop_rest"] * 3


def test_lines_within_a_paragraph_are_joined_and_characters_kept(cleaner_clean):
    text = "Ottawa has provided about $ 700 million\nin assistance to “Ukraine” – since 2014,\r\nofficials said.\n\n\n\nSecond  paragraph keeps  its inner spacing and ends here, said the minister today.\n"
    article = cleaner_clean.clean(text_doc(text))
    assert article.text == (
        "Ottawa has provided about $ 700 million in assistance to “Ukraine” – since 2014, officials said."
        "\n\nSecond  paragraph keeps  its inner spacing and ends here, said the minister today.")
    assert article.title is None


def test_long_lines_inside_a_block_are_paragraphs_of_their_own():
    # one paragraph per line under a headline and a blank line: the lines are not a wrapped paragraph
    first = "“This is a disgusting day,” said Rep. G.K. Butterfield, head of the Congressional Black Caucus, on Friday."
    second = "Members of the caucus held a press conference shortly after Trump said he finally believes it."
    assert split_blocks(f"Headline\n\n{first}\n{second}\n") == ["Headline", first, second]
    wrapped = "Ottawa has provided about $700 million in assistance to Ukraine\nsince 2014, officials said on Monday."
    assert split_blocks(f"Headline\n\n{wrapped}") == ["Headline", wrapped.replace("\n", " ")]


def test_sentence_first_line_is_not_a_title(cleaner_clean):
    article = cleaner_clean.clean(text_doc("\n\n".join(BODY)))
    assert article.title is None
    assert article.text == "\n\n".join(BODY)


def test_given_title_wins_and_a_repeated_first_line_is_dropped(cleaner_clean):
    text = "Ministers agree on new border talks\n\n" + "\n\n".join(BODY)
    article = cleaner_clean.clean(text_doc(text, title="Ministers agree on new border talks"))
    assert article.title == "Ministers agree on new border talks"
    assert article.text == "\n\n".join(BODY)


def test_given_title_matches_a_headline_with_section_label(cleaner_clean):
    text = "Ministers agree on new border talks – World\n\n" + "\n\n".join(BODY)
    article = cleaner_clean.clean(text_doc(text, title="Ministers agree on new border talks"))
    assert article.text == "\n\n".join(BODY)


def test_reuters_dateline_credits_reuters_and_stays_in_text(cleaner_clean):
    first = "GENEVA, March 4 (Reuters) - " + BODY[0]
    article = cleaner_clean.clean(text_doc("\n\n".join([first, *BODY[1:]])))
    assert article.credited_publisher == "Reuters"
    assert article.text.startswith("GENEVA, March 4 (Reuters) - Foreign ministers")


@pytest.mark.parametrize(("line", "publisher"), [
    ("© 2022 Example News, a division of Example Media Inc.", "Example News"),
    ("Copyright 2021 The Associated Press. All rights reserved.", "The Associated Press"),
    ("Copyright © 2020 CNN. All rights reserved", "CNN"),
    ("(c) 2019 U.S. News & World Report L.P.", "U.S. News & World Report"),
    ("This article originally appeared on The Conversation.", "The Conversation"),
    ("KYIV, Ukraine (AP) — Troops moved closer to the border.", "The Associated Press"),
    ("The minister declined to comment. — Reuters", "Reuters"),
    ("© All rights reserved", None),
])
def test_credit_lines_name_the_publisher(rules_clean, line, publisher):
    credit = find_credit([line], rules_clean.credits)
    assert (credit.publisher if credit else None) == publisher


# --- titles ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "known", "title", "section"), [
    ("Troops move to the border – National", [], "Troops move to the border", "National"),
    ("Troops move to the border | World", [], "Troops move to the border", "World"),
    ("Troops move to the border - Politics - BBC News", ["BBC News"], "Troops move to the border", "Politics"),
    ("Troops move to the border - The Paradigm", ["The Paradigm"], "Troops move to the border", None),
    ("Troops move to the border - Daily Example Herald", [], "Troops move to the border", None),
    ("Rock - paper - scissors rules explained", [], "Rock - paper - scissors rules explained", None),
    ("Q&A - what the new rules mean for you", [], "Q&A - what the new rules mean for you", None),
    ("Talks resume | Examplepost", ["examplepost"], "Talks resume", None),
    ("Talks resume | Example", ["Example magazine"], "Talks resume", None),
    ("Talks resume - Retro 80/90 - Archive of things", ["Retro 80/90 - Archive of things"], "Talks resume", None),
    ("Site Name | A news platform: BREAKING: Talks resume", ["Site Name | A news platform"], "BREAKING: Talks resume", None),
])
def test_title_suffixes_are_split(rules_clean, raw, known, title, section):
    split = split_title(raw, rules_clean.titles, known)
    assert (split.title, split.section) == (title, section)


@pytest.mark.parametrize(("url", "host"), [
    ("https://www.example-news.co.uk/world/1", "example-news"),
    ("https://edition.example.com/", "example"),
    ("example.org", "example"),
    (None, None),
])
def test_host_name_is_the_distinctive_label(url, host):
    assert host_name(url) == host


def test_leading_headline_needs_a_blank_line_and_no_final_period():
    assert leading_headline("A headline here\n\nBody text.")[0] == "A headline here"
    assert leading_headline("A headline here\nBody text.")[0] is None
    assert leading_headline("This is a sentence.\n\nBody text.")[0] is None
    assert leading_headline("U.S. and allies meet in U.K.\n\nBody.")[0] == "U.S. and allies meet in U.K."


# --- language, errors, dates, hash ---------------------------------------------------------

def test_non_english_is_skipped(cleaner_clean):
    french = ("Les ministres des Affaires étrangères des deux pays ont convenu mardi d'organiser un "
              "nouveau cycle de négociations sur la frontière contestée, ont indiqué des responsables.\n\n"
              "Les discussions commenceront le mois prochain à Genève et devraient durer plusieurs jours.")
    article = cleaner_clean.clean(text_doc(french))
    assert article.status == "skipped"
    assert article.language == "fr"
    assert article.error == "language 'fr' is not supported (English only)"


def test_html_without_article_text_is_an_error(cleaner_clean):
    html = b"<html><head><title>Home</title></head><body><nav><a href='/'>Home</a></nav></body></html>"
    article = cleaner_clean.clean(Document(id="h", origin="t", kind="html", raw=html))
    assert (article.status, article.error) == ("error", NO_TEXT)


def test_document_error_passes_through(cleaner_clean):
    article = cleaner_clean.clean(Document(id="e", origin="x.txt", error="empty file"))
    assert (article.status, article.error, article.id) == ("error", "empty file", "e")


def test_content_hash_is_sha256_of_raw(cleaner_clean):
    document = text_doc(WIRE_STORY)
    assert cleaner_clean.clean(document).content_hash == hashlib.sha256(document.raw).hexdigest()


HTML_PAGE = """<!doctype html><html><head><title>Ministers agree on new border talks | Example Herald</title>
<meta property="og:site_name" content="Example Herald">
<meta property="article:published_time" content="2021-03-04T10:00:00Z">
</head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Ministers agree on new border talks</h1>
<p>{0}</p><p>Advertisement</p><p>{1}</p><p>Read more:</p><p>Earlier talks collapsed after a week of shelling</p>
<p>{2}</p><p>{3}</p><p>© 2021 Example Herald Ltd. All rights reserved.</p>
</article><footer>Contact us | Privacy</footer></body></html>"""


def html_doc(**kwargs) -> Document:
    return Document(id="h", origin="t", kind="html", raw=HTML_PAGE.format(*BODY).encode("utf-8"), **kwargs)


def test_html_article_text_and_metadata(cleaner_clean):
    article = cleaner_clean.clean(html_doc(), published="2020-01-01")
    assert article.status == "ok"
    assert article.text == "\n\n".join(BODY)
    assert article.title == "Ministers agree on new border talks"
    assert article.site_name == "Example Herald"
    assert article.credited_publisher == "Example Herald"
    assert article.published == "2021-03-04"


def test_document_date_beats_page_date(cleaner_clean):
    assert cleaner_clean.clean(html_doc(published="2021-03-05")).published == "2021-03-05"


def test_fallback_date_when_nothing_else(cleaner_clean):
    assert cleaner_clean.clean(text_doc(WIRE_STORY), published="2022-01-18").published == "2022-01-18"
    assert cleaner_clean.clean(text_doc(WIRE_STORY)).published is None


@pytest.mark.parametrize(("value", "expected"), [
    ("2022-01-18", "2022-01-18"),
    ("2022-01-18T10:00:00+02:00", "2022-01-18"),
    ("Tue, 18 Jan 2022 10:00:00 GMT", "2022-01-18"),
    ("January 18, 2022", "2022-01-18"),
    ("18 January 2022", "2022-01-18"),
    ("2022-02-30", None),
    ("soon", None),
    (None, None),
])
def test_dates_are_normalised(value, expected):
    assert normalise_date(value) == expected


# --- properties ------------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab c.\n\n\t\r—’")), max_size=200))
def test_paragraph_splitting_keeps_every_word_in_order(text):
    paragraphs = split_blocks(text)
    assert all(p and "\n" not in p and p == p.strip() for p in paragraphs)
    assert " ".join(paragraphs).split() == text.split()


@pytest.mark.parametrize("line", [
    "published " + "1" * 40 + " x",
    "November " + "1 " * 60 + "x",
    "a-" * 100 + "!",
    "x@" + "a." * 150,
    "Reporting by " + "x " * 200,
    "Sign up for " + "our " * 80 + "x",
    "(" * 200,
])
def test_rules_run_in_linear_time_on_adversarial_lines(rules_clean, line):
    import time

    start = time.perf_counter()
    filter_lines([line], rules_clean.boilerplate)
    find_credit([line], rules_clean.credits)
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize("sentence", [
    "Like many on Twitter, the minister said the policy would not survive the winter session.",
    "Sorry seems to be the hardest word for the government, the opposition leader said on Monday.",
    "Copyright infringement lawsuits rose sharply last year, the industry group said in a report.",
    "(c) the government shall publish the list of sanctioned entities within thirty days.",
    "Comments by the foreign minister drew a sharp rebuke from Moscow on Tuesday.",
    "Related talks in Vienna are expected to resume next week, diplomats said.",
    "Cases of the virus first appeared in West Michigan at the end of August, officials said.",
    "Follow-up talks on the ceasefire are planned for May 3, 2024 in Geneva, officials said.",
])
def test_body_sentences_that_resemble_boilerplate_are_kept(rules_clean, sentence):
    result = filter_lines([sentence], rules_clean.boilerplate)
    assert result.kept == [sentence], result.removed
    assert find_credit([sentence], rules_clean.credits) is None


def test_standing_editors_note_is_boilerplate_but_a_correction_is_not():
    from tidings.clean.lines import match_rule
    from tidings.clean.rules import load_rules

    rules = load_rules().boilerplate
    note = ("Editor’s note: Donald Trump regularly incites political violence and is a serial liar, rampant "
            "xenophobe, racist and birther who has repeatedly pledged to ban all Muslims from entering the U.S.")
    assert match_rule(rules, note).id == "editors-note-standing"
    assert match_rule(rules, "Editor's note: An earlier version of this story misstated the date.") is None
    assert match_rule(rules, "Trump is a liar and a racist, the senator said.") is None
