"""How inputs of every kind reach the pipeline: dates in file names, glued footer lines, WARC, URL lists."""

from __future__ import annotations

import io

import pytest

from tidings.clean import Cleaner
from tidings.ingest import iter_documents, iter_url_list
from tidings.ingest.files import date_in_name


def test_a_leading_iso_date_in_a_file_name_is_the_publication_date(tmp_path):
    path = tmp_path / "2022-02-03-nato-talks.txt"
    path.write_text("NATO talks open\n\nNATO envoys met in Brussels on Thursday to discuss the crisis.\n")
    (doc,) = iter_documents([str(path)])
    assert doc.published == "2022-02-03"
    assert date_in_name("2022-13-40-nonsense") is None


@pytest.mark.parametrize("stem, published", [
    ("nyt_2016-09-19_old-hands-help-russia", "2016-09-19"),  # PolNeAR's names
    ("notes-2022-02-03", "2022-02-03"),
    ("report.2021-12-31", "2021-12-31"),
    ("draft-2022-13-40-then-2022-02-03", "2022-02-03"),  # the first real date
    ("id12022-02-03", None),  # part of a longer number: no date
    ("2022-02-031", None),
    ("no-date-here", None),
])
def test_an_iso_date_anywhere_in_a_file_name_is_the_publication_date(stem, published):
    assert date_in_name(stem) == published


def test_a_copyright_line_glued_to_a_share_prompt_is_still_found_and_removed(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text(
        "Envoys meet in Geneva\n\n"
        "Diplomats from both countries met in Geneva on Monday and agreed to meet again next month.\n\n"
        "© 2022 Harbour Post\nShare: Twitter · Facebook · Copy link\n", encoding="utf-8")
    (doc,) = iter_documents([str(path)])
    article = Cleaner().clean(doc)
    assert article.credited_publisher == "Harbour Post"
    assert "Share" not in article.text and "©" not in article.text
    assert {r["rule"] for r in article.removed} >= {"share-share"}


def test_warc_files_in_a_folder_are_read_as_warc(tmp_path):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    body = (b"<html><head><title>Talks resume</title></head><body><article><p>"
            + b"Negotiators from both sides resumed talks in Vienna on Monday, officials said. " * 5
            + b"</p></article></body></html>")
    with open(tmp_path / "crawl.warc.gz", "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("https://news.example/talks", "response",
                                                     payload=io.BytesIO(body), http_headers=headers))
    (doc,) = iter_documents([str(tmp_path)])
    assert doc.error is None and doc.url == "https://news.example/talks" and doc.kind == "html"


def test_a_url_list_with_a_bad_line_reports_that_line(tmp_path):
    path = tmp_path / "urls.txt"
    path.write_text("# feeds\nnot a url\n\n", encoding="utf-8")
    (doc,) = iter_url_list([str(path)])
    assert doc.error.startswith("not an http(s) URL") and doc.origin.endswith(":2")
