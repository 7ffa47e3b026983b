"""Ingest: files, folders, gzip, JSON Lines and stdin → Documents; bad input → error Documents."""

from __future__ import annotations

import gzip
import io
import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tidings.ingest import decode_text, iter_documents

ARTICLE = "Ministers meet in Geneva\n\nForeign ministers met on Tuesday to discuss the border.\n"


def docs(*paths, **kwargs):
    return list(iter_documents([str(p) for p in paths], **kwargs))


def only(*paths, **kwargs):
    found = docs(*paths, **kwargs)
    assert len(found) == 1, found
    return found[0]


# --- good input ------------------------------------------------------------------------------

def test_text_file_becomes_text_document_with_raw_bytes_and_stable_id(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    first, second = only(path), only(path)
    assert first.kind == "text"
    assert first.raw == ARTICLE.encode("utf-8")
    assert first.error is None
    assert first.id == second.id
    assert first.id.startswith("story-") and len(first.id) == len("story-") + 8
    assert first.origin == str(path)


def test_id_changes_with_content(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    before = only(path).id
    path.write_text(ARTICLE + "More.\n", encoding="utf-8")
    assert only(path).id != before


def test_html_and_htm_are_html(tmp_path):
    (tmp_path / "a.html").write_text("<p>hello there</p>", encoding="utf-8")
    (tmp_path / "b.HTM").write_text("<p>hello again</p>", encoding="utf-8")
    assert [d.kind for d in docs(tmp_path)] == ["html", "html"]


def test_gzipped_files_are_decompressed_into_raw(tmp_path):
    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress(b"<p>compressed page</p>"))
    document = only(path)
    assert document.kind == "html"
    assert document.raw == b"<p>compressed page</p>"
    assert document.id.startswith("page-")


def test_folder_walk_is_recursive_sorted_and_skips_hidden(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("two words here", encoding="utf-8")
    (tmp_path / "a.txt").write_text("one word here", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("secret text", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("not news", encoding="utf-8")
    origins = [Path(d.origin).relative_to(tmp_path).as_posix() for d in docs(tmp_path)]
    assert origins == ["a.txt", "b/2.txt"]


def test_jsonl_records_keep_their_ids_and_metadata(tmp_path):
    path = tmp_path / "feed.jsonl"
    records = [
        {"id": "r1", "text": "Plain text body.", "url": "https://example.org/1", "title": "One",
         "published": "2022-01-18"},
        {"id": 7, "html": "<p>Markup body</p>"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    first, second = docs(path)
    assert (first.id, first.kind, first.url, first.title, first.published) == (
        "r1", "text", "https://example.org/1", "One", "2022-01-18")
    assert first.raw == b"Plain text body."
    assert (second.id, second.kind, second.raw) == ("7", "html", b"<p>Markup body</p>")
    assert first.origin == f"{path}:1" and second.origin == f"{path}:2"


def test_gzipped_jsonl(tmp_path):
    path = tmp_path / "feed.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"id": "g1", "text": "zipped"}\n'))
    assert [d.id for d in docs(path)] == ["g1"]


def test_dash_reads_jsonl_from_stdin():
    stream = io.StringIO('{"id": "s1", "text": "from stdin"}\n\n{"id": "s2", "html": "<p>x</p>"}\n')
    found = docs("-", stdin=stream)
    assert [(d.id, d.kind, d.origin) for d in found] == [("s1", "text", "stdin:1"), ("s2", "html", "stdin:3")]


def test_legacy_encoding_is_detected(tmp_path):
    path = tmp_path / "cyrillic.txt"
    text = "Министр иностранных дел заявил во вторник, что переговоры продолжатся на следующей неделе."
    path.write_bytes(text.encode("cp1251"))
    document = only(path)
    assert document.error is None
    assert decode_text(document.raw, document.meta["encoding"]).text == text


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfHello world, a text with a byte order mark.")
    document = only(path)
    assert document.error is None
    assert decode_text(document.raw, document.meta["encoding"]).text.startswith("Hello")


# --- bad input: every case is created for real and yields a specific error -----------------

def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert only(path).error == "empty file"


def test_whitespace_only_file(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_text("  \n\n \t\n", encoding="utf-8")
    assert only(path).error == "empty file (only whitespace)"


def test_binary_file_with_nul_bytes(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    document = only(path)
    assert document.error == "binary file (contains NUL bytes), not text"
    assert document.raw == b""


def test_undecodable_bytes(tmp_path):
    path = tmp_path / "noise.txt"
    path.write_bytes(bytes(range(128, 256)) * 4)
    assert only(path).error == "undecodable bytes: not UTF-8 and no known text encoding fits"


def test_truncated_gzip(tmp_path):
    whole = gzip.compress(("All the news that fits. " * 400).encode())
    path = tmp_path / "cut.txt.gz"
    path.write_bytes(whole[: len(whole) // 2])
    assert only(path).error == "truncated gzip file: the compressed data ends early"


def test_corrupt_gzip(tmp_path):
    path = tmp_path / "fake.html.gz"
    path.write_bytes(b"this is not gzip data at all")
    assert only(path).error.startswith("corrupt gzip file: ")


def test_file_over_size_limit(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("word " * 300, encoding="utf-8")
    assert only(path, max_bytes=1000).error == "file too large: 1,500 bytes exceeds the 1,000 bytes limit"
    assert only(path, max_bytes=2000).error is None


def test_gzip_that_inflates_over_the_limit(tmp_path):
    path = tmp_path / "bomb.txt.gz"
    path.write_bytes(gzip.compress(b"a" * 100_000))
    assert only(path, max_bytes=10_000).error == "file too large: decompressed size exceeds the 10,000 bytes limit"


def test_real_50_mb_file_is_refused_by_default_limit(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # a real 50 MB file (sparse on disk)
    assert only(path).error == ("file too large: 52,428,800 bytes (52.4 MB) exceeds the 20,000,000 bytes (20.0 MB)"
                                " limit")


def test_unknown_extension_given_explicitly(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4")
    assert only(path).error.startswith("unsupported file type (.pdf)")


def test_unknown_extension_in_folder_is_an_error_document_not_skipped(tmp_path):
    (tmp_path / "a.txt").write_text("some news text", encoding="utf-8")
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    found = docs(tmp_path)
    assert [d.error is None for d in found] == [True, False]
    assert found[1].error.startswith("unsupported file type (.docx)")


def test_missing_path(tmp_path):
    document = only(tmp_path / "nowhere.txt")
    assert document.error == "no such file or directory"
    assert document.id.startswith("nowhere-")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path):
    path = tmp_path / "locked.txt"
    path.write_text("secret", encoding="utf-8")
    path.chmod(0)
    try:
        assert only(path).error == "cannot read file: permission denied"
    finally:
        path.chmod(0o644)


def test_broken_symlink_is_missing(tmp_path):
    link = tmp_path / "dangling.txt"
    link.symlink_to(tmp_path / "gone.txt")
    assert only(link).error == "no such file or directory"


def test_malformed_jsonl_line_does_not_stop_the_rest(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text('{"id": "ok1", "text": "first"}\n{"id": "bad", "text": \n{"id": "ok2", "text": "third"}\n',
                    encoding="utf-8")
    first, bad, third = docs(path)
    assert (first.id, third.id) == ("ok1", "ok2")
    assert first.error is None and third.error is None
    assert bad.error.startswith("malformed JSON on line 2: ")
    assert bad.origin == f"{path}:2"


def test_jsonl_record_without_text_or_html(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text('{"id": "n1", "url": "https://example.org"}\n{"id": "n2", "text": ""}\n[1, 2]\n',
                    encoding="utf-8")
    missing, empty, array = docs(path)
    assert (missing.id, missing.error) == ("n1", "JSONL record has neither 'text' nor 'html'")
    assert empty.error == "JSONL record has an empty or non-string 'text'/'html'"
    assert array.error == "JSONL record is a list, expected an object"


def test_one_bad_file_never_stops_the_batch(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"")
    (tmp_path / "b.txt.gz").write_bytes(b"\x1f\x8b broken")
    (tmp_path / "c.txt").write_text("good news text", encoding="utf-8")
    found = docs(tmp_path, tmp_path / "missing.html")
    assert [d.error is None for d in found] == [False, False, True, False]


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=300).filter(lambda s: s.strip() and "\x00" not in s))
def test_any_utf8_text_round_trips_through_decode(text):
    decoded = decode_text(text.encode("utf-8"))
    if decoded.error is None:
        assert decoded.text == text
    else:
        assert decoded.error.startswith("binary file")


def test_html_meta_charset_is_honoured(tmp_path):
    path = tmp_path / "legacy.html"
    page = '<html><head><meta charset="windows-1252"></head><body><p>Caf\xe9 \u201cquoted\u201d</p></body></html>'
    path.write_bytes(page.encode("cp1252"))
    document = only(path)
    assert decode_text(document.raw, document.meta["encoding"]).text == page


def test_short_latin1_text_prefers_western_encoding(tmp_path):
    path = tmp_path / "latin.txt"
    text = "Caf\xe9 na\xefve text about the minister who spoke on Tuesday in Paris."
    path.write_bytes(text.encode("latin-1"))
    document = only(path)
    assert decode_text(document.raw, document.meta["encoding"]).text == text


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
def test_file_that_fails_to_read_even_for_root(tmp_path):
    link = tmp_path / "memory.txt"
    link.symlink_to("/proc/self/mem")  # opening works, reading offset 0 fails with EIO
    document = only(link)
    assert document.error is not None and document.error.startswith("cannot read file: ")


def test_empty_path_is_an_error_not_the_current_folder():
    assert [d.error for d in docs("")] == ["empty path"]


def test_path_too_long_for_the_file_system(tmp_path):
    document = only(tmp_path / ("x" * 5000 + ".txt"))
    assert document.error == "cannot read path: File name too long"
    assert len(document.id) < 100


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.text(min_size=1, max_size=20), st.text(min_size=1, max_size=200).filter(str.strip)),
                max_size=8))
def test_jsonl_records_round_trip(records):
    from tidings.ingest import iter_jsonl

    lines = [json.dumps({"id": i, "text": t}) for i, t in records]
    found = list(iter_jsonl(lines, "mem", "mem"))
    assert [(d.id, d.raw.decode("utf-8", "surrogatepass")) for d in found] == records
    assert all(d.error is None and d.kind == "text" for d in found)


def test_dash_reads_plain_text_from_stdin_as_one_article():
    docs = list(iter_documents(["-"], stdin=io.StringIO("Russia accused Ukraine\nof shelling Donetsk.\n")))
    assert len(docs) == 1 and docs[0].kind == "text" and docs[0].error is None
    assert docs[0].raw.decode() == "Russia accused Ukraine\nof shelling Donetsk.\n"


def test_one_sentence_is_an_article():
    from tidings.clean import Cleaner
    from tidings.records import Document

    cleaner = Cleaner()
    for raw in ("Russia invaded Ukraine.", "Merkel criticised Putin."):
        article = cleaner.clean(Document(id="x", origin="x", kind="text", raw=raw.encode()))
        assert article.status == "ok", article.error
        assert article.text == raw and article.language == "en"
    empty = cleaner.clean(Document(id="y", origin="y", kind="text", raw=b"  \n "))
    assert empty.status == "error" and empty.error == "no article text found"
    german = cleaner.clean(Document(id="z", origin="z", kind="text",
                                    raw="Die Bundesregierung hat am Montag neue Sanktionen gegen Russland beschlossen.".encode()))
    assert german.status == "skipped"
