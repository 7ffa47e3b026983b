"""The web UI in a real browser: uvicorn on a free localhost port, headless Chromium (Debian's
/usr/bin/chromium) driven by Playwright. Screenshots go to test-artifacts/ (gitignored).

Skips when Chromium or Playwright is missing.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("needs Debian's chromium at /usr/bin/chromium", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
uvicorn = pytest.importorskip("uvicorn")

from httpserver_util import LiveApp  # noqa: E402
from test_web import build_db  # noqa: E402  (the corpus with untrusted markup, shared with test_web)

from tidings.store import EventFilter, open_store  # noqa: E402
from tidings.web import create_app  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser_db(tmp_path_factory) -> str:
    return build_db(tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="session")
def live_server(browser_db):
    """The app served by uvicorn on 127.0.0.1 in a thread; yields its base URL."""
    live = LiveApp(create_app(browser_db))
    yield f"http://127.0.0.1:{live.port}"
    live.stop()


# `chromium`: the session's browser, from tests/conftest.py (shared with test_web_browser_places.py)


class Watched:
    """A page with its console errors, uncaught exceptions and dialogs recorded."""

    def __init__(self, browser) -> None:
        self.context = browser.new_context(viewport={"width": 1360, "height": 900})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def goto(self, url: str) -> None:
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.status == 200, (url, response and response.status)

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def assert_clean(self) -> None:
        assert not self.errors, self.errors
        assert not self.dialogs, self.dialogs
        assert self.page.evaluate("() => window.__pwned") is None
        assert self.page.title() != "pwned"  # what the injected scripts would set

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def browser_page(chromium):
    watched = Watched(chromium)
    yield watched
    watched.close()


@pytest.mark.parametrize("name,path", [
    ("overview", "/"), ("events", "/events"), ("articles", "/articles"), ("actors", "/actors"),
    ("quotes", "/quotes"), ("network", "/network"), ("actor", "/actor?a=Russia"),
    ("dyad", "/dyad?a=Russia&b=Ukraine&by=day"),
])
def test_page_loads_in_chromium_without_console_errors(live_server, browser_page, name, path):
    browser_page.goto(live_server + path)
    assert browser_page.page.locator("header.top nav a").count() >= 7
    assert browser_page.page.locator("h1").count() == 1
    browser_page.shot(f"page-{name}")
    browser_page.assert_clean()


def test_events_filter_form_narrows_the_table(live_server, browser_page, browser_db):
    with open_store(browser_db, read_only=True) as store:
        event_type = store.events(EventFilter(limit=1))[0]["type"]
        expected = len(store.events(EventFilter(type=event_type, limit=None)))
    page = browser_page.page
    browser_page.goto(live_server + "/events")
    page.select_option("select[name=type]", event_type)  # the stored types, as a select box
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("load")
    assert f"type={event_type}" in page.url
    assert "actor=" not in page.url  # empty fields are left out of the URL
    types = page.locator("table.events tbody span.type").all_inner_texts()
    assert types and set(types) == {event_type}
    assert len(types) == min(expected, 50)
    browser_page.shot("events-filtered")
    browser_page.assert_clean()


def test_evidence_link_opens_the_reader_at_the_highlighted_sentence(live_server, browser_page):
    page = browser_page.page
    browser_page.goto(live_server + "/events?order=date")
    link = page.locator("a.evidence-link").first
    href = link.get_attribute("href")
    event = int(href.rsplit("#ev-", 1)[1])
    link.click()
    page.wait_for_load_state("load")
    assert page.url.endswith(href)
    focused = page.locator("#article-text .focus")
    assert focused.count() >= 1
    assert page.locator(f"#ev-{event}").count() == 1
    # the event's trigger is marked, and pointing at it shows the coding with its rule
    trigger = page.locator("#article-text .t.focus").first
    trigger.hover()
    assert "rule" in page.locator("#panel").inner_text()
    for cls in ("t", "m"):
        assert page.locator(f"#article-text span.{cls}").count() >= 1, cls
    browser_page.shot("reader-evidence")
    browser_page.assert_clean()


def test_hovering_a_highlight_shows_its_coding(live_server, browser_page, browser_db):
    with open_store(browser_db, read_only=True) as store:
        row = store.events(EventFilter(limit=1, order="article"))[0]
        result = store.article(row["article_id"])
    page = browser_page.page
    browser_page.goto(live_server + f"/articles/{quote(result.id)}")
    page.locator("#article-text span.t").first.hover()
    panel = page.locator("#panel").inner_text()
    assert any(event.type in panel for event in result.events)
    assert any(event.rule in panel for event in result.events)
    if result.mentions:
        page.locator("#article-text span.m").first.click()
        assert "actor" in page.locator("#panel").inner_text()
    browser_page.assert_clean()


def test_untrusted_markup_in_articles_never_runs(live_server, browser_page, browser_db):
    with open_store(browser_db, read_only=True) as store:
        probes = [r["id"] for r in store.backend.rows(
            "SELECT id FROM articles WHERE text LIKE '%__pwned%' OR title LIKE '%__pwned%' ORDER BY id")]
    assert len(probes) >= 2
    page = browser_page.page
    pages = [f"/articles/{quote(i)}" for i in probes] + [
        "/", "/articles", "/events?limit=1000", "/quotes?limit=1000", "/actors?limit=1000", "/network"]
    for path in pages:
        browser_page.goto(live_server + path)
        # click and hover everything the untrusted text could have turned into
        for span in page.locator("#article-text [data-a]").all()[:80]:
            span.hover()
            span.click()
        assert page.locator("#article-text img, #article-text script, #article-text svg, #article-text a").count() == 0
        browser_page.assert_clean()
    browser_page.goto(live_server + f"/articles/{quote(probes[0])}")
    assert "<script>" in page.locator("#article-text").inner_text()  # shown as text
    browser_page.shot("xss-probe-reader")
    browser_page.assert_clean()


@pytest.fixture(scope="module")
def copies_server(tmp_path_factory):
    """The app over two copies of one story (tests/test_web.py: build_copies_db)."""
    from test_web import build_copies_db

    live = LiveApp(create_app(build_copies_db(tmp_path_factory.mktemp("copies"))))
    yield f"http://127.0.0.1:{live.port}"
    live.stop()


def test_report_counts_open_the_list_of_every_report(copies_server, browser_page):
    """From the merged events table, the '2 reports · 2 articles' line opens the page of every
    report (article, publisher, date, sentence, attribution), whose evidence opens the reader."""
    page = browser_page.page
    browser_page.goto(copies_server + "/events?merged=true")
    counts = page.locator("a.reports", has_text="2 articles").first
    counts.wait_for()
    expected = int(counts.inner_text().split(" report")[0])
    counts.click()
    page.wait_for_load_state("load")
    assert "/reports?group=" in page.url
    rows = page.locator("table.reports-list tbody tr.report")
    assert rows.count() == expected >= 2
    assert "2 articles" in page.locator("#report-counts").inner_text()
    published = sorted(rows.nth(i).locator("td").nth(2).inner_text() for i in range(rows.count()))
    assert published[0] == "2022-01-10" and published[-1] == "2022-01-11"
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td")
        assert cells.nth(5).inner_text().strip()  # the sentence
        assert cells.nth(6).inner_text().strip()  # the attribution
    browser_page.shot("page-reports")
    rows.first.locator("a.evidence-link").click()
    page.wait_for_load_state("load")
    assert "/articles/" in page.url and "#ev-" in page.url
    browser_page.assert_clean()


def test_date_presets_narrow_the_events_to_the_data_latest_days(live_server, browser_page):
    page = browser_page.page
    browser_page.goto(live_server + "/events")
    preset = page.locator('.date-presets a[data-preset="7d"]')
    preset.click()
    page.wait_for_load_state("load")
    assert "since=" in page.url and "until=" in page.url
    assert page.locator('.date-presets a[data-preset="7d"].active').count() == 1
    since, until = page.input_value("input[name=since]"), page.input_value("input[name=until]")
    dates = [d for d in page.locator("table.events tbody tr td:first-child").all_inner_texts() if d.strip() != "—"]
    assert dates and all(since <= d[:10] <= until for d in dates)
    browser_page.shot("page-events-last-7-days")
    page.locator('.date-presets a[data-preset="all"]').click()
    page.wait_for_load_state("load")
    assert "since=" not in page.url
    browser_page.assert_clean()


def test_docs_render_the_api_offline_in_chromium(live_server, browser_page):
    """/docs is Swagger UI from the package: it draws every operation, fetching nothing from elsewhere."""
    page = browser_page.page
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server) else None)
    browser_page.goto(live_server + "/docs")
    page.wait_for_selector(".opblock", timeout=15000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/events" in p for p in paths) and len(paths) >= 15
    assert not outside, outside
    browser_page.shot("docs")
    browser_page.assert_clean()


def test_actor_field_suggests_stored_actors(live_server, browser_page, browser_db):
    with open_store(browser_db, read_only=True) as store:
        names = [a["name"] for a in store.actors() if "Russia" in a["name"] or "Ukrain" in a["name"]]
    assert names
    page = browser_page.page
    browser_page.goto(live_server + "/events")
    page.locator("input[name=actor]").press_sequentially(names[0][:4], delay=30)
    page.wait_for_function("() => document.querySelectorAll('#actor-suggestions option').length > 0", timeout=5000)
    options = page.eval_on_selector_all("#actor-suggestions option", "els => els.map(e => e.value)")
    assert names[0] in options and all(names[0][:4].lower() in o.lower() for o in options)
    browser_page.assert_clean()


def test_an_unknown_page_is_an_html_404_with_the_navigation(live_server, browser_page):
    response = browser_page.page.goto(live_server + "/no/such/page")
    assert response.status == 404
    assert browser_page.page.locator("header.top nav a[href='/docs']").count() == 1


def test_who_did_what_to_whom_last_month_and_who_says_so_in_three_clicks(live_server, browser_page):
    """The analyst's question ("what did A do to B lately, and who says so?") from the overview:
    1. the most active pair's count opens its dyad page, 2. a date preset narrows it to the data's
    last 30 days, 3. "All events" lists those events with their attribution."""
    page = browser_page.page
    browser_page.goto(live_server + "/")
    pair = page.locator("table a[href^='/dyad?']").first
    pair.click()  # 1
    page.wait_for_load_state("load")
    assert "/dyad?" in page.url
    page.locator('.date-presets a[data-preset="30d"]').click()  # 2
    page.wait_for_load_state("load")
    assert "since=" in page.url and "until=" in page.url
    since, until = (page.url.split(key + "=")[1].split("&")[0] for key in ("since", "until"))
    page.locator("a.all-events").click()  # 3
    page.wait_for_load_state("load")
    assert "/events?" in page.url and "a=" in page.url and "b=" in page.url and f"since={since}" in page.url
    rows = page.locator("table.events tbody tr")
    assert rows.count() > 0
    headers = page.locator("table.events thead th").all_inner_texts()
    attribution = headers.index("Attribution")
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td")
        day = cells.nth(0).inner_text().strip()
        assert day == "—" or since <= day[:10] <= until, (day, since, until)
        assert cells.nth(attribution).inner_text().strip()  # who says so
    browser_page.shot("question-in-three-clicks")
    browser_page.assert_clean()
