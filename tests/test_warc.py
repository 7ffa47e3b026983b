"""WARC crawls → Documents, on WARC files written here with warcio from real news pages."""

from __future__ import annotations

import gzip
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tidings.ingest.warc import WarcStats, iter_warc

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus" / "zyte-dev"
N_PAGES = 5


@dataclass
class Page:
    url: str
    date: str
    body: bytes


@pytest.fixture(scope="module")
def warc_pages() -> list[Page]:
    files = sorted((CORPUS / "html").glob("*.html.gz"))[:N_PAGES]
    if len(files) < N_PAGES:
        pytest.skip("../shared/corpus/zyte-dev is not available")
    truth = json.loads((CORPUS / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for day, path in enumerate(files, start=1):
        key = path.name.split(".")[0]
        url = truth.get(key, {}).get("url") or f"https://news.example/{key}"
        pages.append(Page(url=url, date=f"2021-03-{day:02d}T05:06:07Z", body=gzip.decompress(path.read_bytes())))
    return pages


def _response(writer: WARCWriter, url: str, body: bytes, content_type: str, date: str,
              status: str = "200 OK", extra: list[tuple[str, str]] | None = None):
    headers = StatusAndHeaders(status, [("Content-Type", content_type), *(extra or [])], protocol="HTTP/1.1")
    return writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers,
                                     warc_headers_dict={"WARC-Date": date})


def write_warc(path: Path, pages: list[Page], gzipped: bool = True) -> None:
    """warcinfo, then per page a request + response, plus non-HTML, 404 and metadata records.

    The second page's body is sent gzip-compressed (Content-Encoding), as crawlers store it.
    """
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gzipped)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tidings-test"}))
        for i, page in enumerate(pages):
            request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "news.example")], is_http_request=True)
            writer.write_record(writer.create_warc_record(page.url, "request", http_headers=request,
                                                          warc_headers_dict={"WARC-Date": page.date}))
            if i == 1:
                record = _response(writer, page.url, gzip.compress(page.body), "text/html; charset=utf-8",
                                   page.date, extra=[("Content-Encoding", "gzip")])
            else:
                record = _response(writer, page.url, page.body, "text/html; charset=utf-8", page.date)
            writer.write_record(record)
            if i == 2:
                writer.write_record(_response(writer, "https://news.example/logo.png", b"\x89PNG\r\n\x1a\n" * 50,
                                              "image/png", page.date))
                writer.write_record(_response(writer, "https://news.example/gone", b"<html>gone</html>",
                                              "text/html", page.date, status="404 Not Found"))
                writer.write_record(writer.create_warc_record(
                    page.url, "metadata", payload=io.BytesIO(b"outlinks: https://news.example/a\n"),
                    warc_content_type="application/warc-fields"))


@pytest.fixture(scope="module")
def warc_gz(warc_pages, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("warc") / "crawl.warc.gz"
    write_warc(path, warc_pages)
    return path


def test_html_responses_become_documents_with_url_date_and_body(warc_gz, warc_pages):
    stats = WarcStats()
    docs = list(iter_warc(warc_gz, stats=stats))
    assert [d.url for d in docs] == [p.url for p in warc_pages]
    assert [d.fetched for d in docs] == [p.date[:10] for p in warc_pages]
    assert [d.raw for d in docs] == [p.body for p in warc_pages]  # incl. the gzip Content-Encoding one
    assert all(d.kind == "html" and d.error is None for d in docs)
    assert all(d.origin.startswith(f"{warc_gz}#") for d in docs)
    assert len({d.id for d in docs}) == N_PAGES


def test_other_records_are_skipped_and_counted(warc_gz):
    stats = WarcStats()
    list(iter_warc(warc_gz, stats=stats))
    assert stats.documents == N_PAGES
    assert dict(stats.skipped) == {"warcinfo": 1, "request": N_PAGES, "non-HTML response": 1,
                                   "non-2xx response": 1, "metadata": 1}
    assert stats.records == N_PAGES * 2 + 4
    assert stats.errors == 0 and stats.damage is None


def test_origin_offsets_point_at_the_records(warc_gz):
    from warcio.archiveiterator import ArchiveIterator

    docs = list(iter_warc(warc_gz))
    with warc_gz.open("rb") as handle:
        for doc in docs:
            handle.seek(int(doc.origin.rsplit("#", 1)[1]))
            record = next(iter(ArchiveIterator(handle)))
            assert record.rec_type == "response"
            assert record.rec_headers.get_header("WARC-Target-URI") == doc.url


def test_ids_are_stable_across_reads(warc_gz):
    assert [d.id for d in iter_warc(warc_gz)] == [d.id for d in iter_warc(warc_gz)]


def test_uncompressed_warc_reads_the_same(warc_pages, tmp_path):
    path = tmp_path / "crawl.warc"
    write_warc(path, warc_pages, gzipped=False)
    docs = list(iter_warc(path))
    assert [d.raw for d in docs] == [p.body for p in warc_pages]


@pytest.mark.parametrize("gzipped", [True, False])
def test_truncated_warc_yields_records_before_damage_and_an_error(warc_pages, tmp_path, gzipped):
    path = tmp_path / ("crawl.warc.gz" if gzipped else "crawl.warc")
    write_warc(path, warc_pages, gzipped=gzipped)
    offsets = [int(d.origin.rsplit("#", 1)[1]) for d in iter_warc(path)]
    cut = offsets[3] + 3000  # inside the fourth page's response
    path.write_bytes(path.read_bytes()[:cut])
    stats = WarcStats()
    docs = list(iter_warc(path, stats=stats))
    good, damage = docs[:-1], docs[-1]
    assert [d.url for d in good] == [p.url for p in warc_pages[:3]]
    assert all(d.error is None for d in good)
    assert damage.error.startswith(f"WARC file truncated/corrupt after {stats.records} records: ")
    assert damage.raw == b""
    assert stats.damage == damage.error and stats.documents == 3


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fraction=st.floats(0.0, 1.0), gzipped=st.booleans())
def test_a_cut_anywhere_never_yields_a_partial_page(warc_pages, tmp_path_factory, fraction, gzipped):
    path = tmp_path_factory.mktemp("cut") / ("crawl.warc.gz" if gzipped else "crawl.warc")
    write_warc(path, warc_pages, gzipped=gzipped)
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * fraction)])
    docs = list(iter_warc(path))
    good = [d for d in docs if d.error is None]
    assert [d.raw for d in good] == [p.body for p in warc_pages[:len(good)]]
    assert all(d.error for d in docs[len(good):]) and len(docs) - len(good) <= 1


def test_corrupt_bytes_in_the_middle_give_an_error_document(warc_pages, tmp_path):
    path = tmp_path / "crawl.warc"
    write_warc(path, warc_pages, gzipped=False)
    data = path.read_bytes()
    offsets = [int(d.origin.rsplit("#", 1)[1]) for d in iter_warc(path)]
    path.write_bytes(data[:offsets[2]] + b"GARBAGE\r\n\r\nthis is no WARC header\r\n" + data[offsets[2]:])
    docs = list(iter_warc(path))
    assert [d.url for d in docs[:-1]] == [p.url for p in warc_pages[:2]]
    assert "WARC file truncated/corrupt after" in docs[-1].error


def test_oversized_record_is_an_error_and_reading_goes_on(warc_gz, warc_pages):
    limit = sorted(len(p.body) for p in warc_pages)[-2]  # only the largest page is over
    docs = list(iter_warc(warc_gz, max_bytes=limit))
    errors = [d for d in docs if d.error]
    assert len(docs) == N_PAGES
    assert [d.error for d in errors] == [f"WARC record larger than {limit} bytes"]
    assert errors[0].url == max(warc_pages, key=lambda p: len(p.body)).url


def test_missing_file_is_one_error_document(tmp_path):
    [doc] = iter_warc(tmp_path / "nope.warc.gz")
    assert doc.error.startswith("cannot read WARC file")


def test_warc_documents_clean_into_article_text(warc_gz, warc_pages):
    from tidings.clean import Cleaner

    cleaner = Cleaner()
    articles = [cleaner.clean(doc) for doc in iter_warc(warc_gz)]
    ok = [a for a in articles if a.status == "ok"]
    assert len(ok) >= N_PAGES - 1
    assert all(len(a.text.split()) >= 50 for a in ok)
    assert [a.url for a in articles] == [p.url for p in warc_pages]
