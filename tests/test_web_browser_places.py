"""The map, the phone layout and the keyboard path in a real browser (headless Chromium driven by
Playwright, as tests/test_web_browser.py), over the demo corpus (examples/), whose events happen
in several cities and countries. Screenshots go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from test_web_browser import Watched  # noqa: E402  (skips without Chromium)

from httpserver_util import LiveApp  # noqa: E402
from tidings.store import EventFilter, open_store  # noqa: E402
from tidings.web import create_app  # noqa: E402

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def server(places_db):
    live = LiveApp(create_app(places_db))
    yield f"http://127.0.0.1:{live.port}"
    live.stop()


@pytest.fixture
def browser(chromium):  # the session's Chromium (tests/conftest.py)
    return chromium


@pytest.fixture
def desktop(browser):
    watched = Watched(browser)
    yield watched
    watched.close()


@pytest.fixture
def phone(browser):
    watched = Watched(browser)
    watched.context.close()
    watched.context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    watched.page = watched.context.new_page()
    watched.page.on("console", lambda msg: watched.errors.append(msg.text) if msg.type == "error" else None)
    watched.page.on("pageerror", lambda exc: watched.errors.append(str(exc)))
    watched.page.on("dialog", watched._dialog)
    yield watched
    watched.close()


def _visible_point(link) -> dict | None:
    """A point (relative to the element) where a map element is on top, not under a dot; None if none is."""
    return link.evaluate("""a => {
        const r = a.getBoundingClientRect();
        for (let i = 1; i < 20; i++) for (let j = 1; j < 20; j++) {
            const x = r.left + r.width * i / 20, y = r.top + r.height * j / 20;
            const on = (dx, dy) => { const hit = a.ownerDocument.elementFromPoint(x + dx, y + dy);
                                     return hit && hit.closest('a') === a; };
            if (on(0, 0) && on(-3, -3) && on(3, 3) && on(-3, 3) && on(3, -3)) { return {x: x - r.left, y: y - r.top}; }
        }
        return null; }""")


def _map(page):
    """The map the page shows (an SVG document in a frame)."""
    return page.frame_locator("iframe.map")


def _tooltip_count(link) -> int:
    title = link.locator("title").first.text_content()
    return int(re.search(r": (\d+) events?$", title).group(1))


def test_map_dots_and_countries_open_their_events(server, desktop, places_db):
    page = desktop.page
    desktop.goto(server + "/events")
    assert page.locator("iframe.map").is_visible()
    _map(page).locator("svg.map").wait_for()
    dots, countries = _map(page).locator("a.place"), _map(page).locator("a.country")
    assert dots.count() >= 3 and countries.count() >= 5
    desktop.shot("map-events")
    # the biggest dot: a city; its events page lists exactly the events the tooltip counts
    sizes = [_tooltip_count(dots.nth(i)) for i in range(dots.count())]
    dot = dots.nth(sizes.index(max(sizes)))
    expected, geonameid = max(sizes), dot.get_attribute("data-geonameid")
    with page.expect_navigation():
        dot.click()
    assert parse_qs(urlsplit(page.url).query)["place"] == [geonameid]
    locations = page.locator("table.events td.location").all_inner_texts()
    assert len(locations) == expected
    with open_store(places_db, read_only=True) as store:
        place = store.events(EventFilter(place=geonameid, limit=1))[0]["place"]
    assert all(text.startswith(place) for text in locations)
    desktop.shot("map-place-events")
    # a country: the events that happened there
    desktop.goto(server + "/events?type=CONSULT")
    page.locator("iframe.map").scroll_into_view_if_needed()
    countries = sorted(_map(page).locator("a.country").all(),  # the largest first: easy to hit
                       key=lambda c: -c.bounding_box()["width"] * c.bounding_box()["height"])
    country = next(c for c in countries if _visible_point(c))  # a small country can hide under its city's dot
    iso3, expected = country.get_attribute("data-country"), _tooltip_count(country)
    with page.expect_navigation():
        country.click(position=_visible_point(country))  # where no dot covers it, as a user would
    query = parse_qs(urlsplit(page.url).query)
    assert query["place_country"] == [iso3] and query["type"] == ["CONSULT"]
    assert page.locator("table.events tbody tr").count() == expected
    assert f"of {expected}" in page.locator(".pager .range").first.inner_text()
    desktop.assert_clean()


@pytest.mark.parametrize("path", ["/", "/actor?a=RUS", "/dyad?a=RUS&b=UKR"])
def test_map_is_drawn_on_the_overview_actor_and_dyad_pages(server, desktop, path):
    desktop.goto(server + path)
    box = desktop.page.locator("iframe.map").bounding_box()
    assert box and box["width"] > 500 and 0.35 < box["height"] / box["width"] < 0.45  # the map's proportions
    _map(desktop.page).locator("svg.map").wait_for()
    assert _map(desktop.page).locator("a.country").count() >= 1
    # the legend's countries are links too (a small country can hide under its city's dot)
    legend = _map(desktop.page).locator("a.top-country").first
    with desktop.page.expect_navigation():
        legend.click()
    assert "place_country=" in desktop.page.url
    desktop.page.go_back()
    desktop.shot("map-" + (re.sub(r"\W+", "-", path).strip("-") or "overview"))
    desktop.assert_clean()


@pytest.mark.parametrize("path", ["/", "/events", "/articles", "/actors", "/quotes", "/network", "/actor?a=RUS",
                                  "/dyad?a=RUS&b=UKR"])
def test_pages_fit_a_phone_screen_and_wide_tables_scroll_inside(server, phone, path):
    page = phone.page
    phone.goto(server + path)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (path, width)
    for table in page.locator("table").all():
        box = table.bounding_box()
        assert box is None or box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1, path
    if path == "/events":  # the event table is wider than the phone: it scrolls sideways in itself
        scroll = page.evaluate("() => { const t = document.querySelector('table.events');"
                               " return [t.scrollWidth, t.clientWidth]; }")
        assert scroll[0] > scroll[1]
    phone.shot("phone-" + (re.sub(r"\W+", "-", path).strip("-") or "overview"))
    phone.assert_clean()


def _event_with_a_quote_before_its_trigger(db: str) -> tuple[str, int, dict]:
    """An event whose sentence holds a quote that starts before the trigger (where the reader
    used to show the quote's coding instead of the event's), else any event."""
    with open_store(db, read_only=True) as store:
        ids = [r[0] for r in store.backend.query("SELECT id FROM articles WHERE status = 'ok' ORDER BY id")[1]]
        fallback = None
        for article_id in ids:
            result = store.article(article_id)
            for n, event in enumerate(result.events):
                fallback = fallback or (article_id, n, event)
                if any(q.start < event.trigger.start and q.end > event.sentence.start for q in result.quotes):
                    return article_id, n, event
    return fallback


def test_evidence_link_shows_its_event_in_the_panel_on_a_phone(server, phone, places_db):
    article_id, number, event = _event_with_a_quote_before_its_trigger(places_db)
    page = phone.page
    phone.goto(server + f"/articles/{quote(article_id)}#ev-{number}")
    panel = page.locator("#panel")
    assert panel.get_attribute("data-event") == str(number)
    assert panel.locator("h3").first.inner_text().startswith(event.type)
    assert event.rule in panel.inner_text()
    box = panel.bounding_box()  # a sheet at the bottom of the screen, on screen
    assert box["y"] >= PHONE["height"] * 0.5 and box["y"] + box["height"] <= PHONE["height"] + 1
    assert box["width"] >= PHONE["width"] - 1
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    focused = page.locator("#article-text .t.focus").first
    focused_box = focused.bounding_box()
    assert focused_box["y"] + focused_box["height"] <= box["y"]  # the sentence is above the sheet
    phone.shot("phone-reader-event")
    phone.assert_clean()


def test_keyboard_reaches_highlights_and_enter_or_space_shows_their_coding(server, desktop, places_db):
    article_id, number, event = _event_with_a_quote_before_its_trigger(places_db)
    page = desktop.page
    desktop.goto(server + f"/articles/{quote(article_id)}")
    inside = "() => !!document.activeElement.closest('#article-text [data-a]')"
    for _ in range(60):  # past the navigation and the links above the text
        page.keyboard.press("Tab")
        if page.evaluate(inside):
            break
    assert page.evaluate(inside), "Tab never reaches a highlight"
    assert page.evaluate("() => document.activeElement.tabIndex") == 0
    first = page.locator("#panel").inner_text()
    assert "Point at a highlight" not in first  # focusing shows the coding
    # Tab on to the event's trigger, then Enter: its coding; Space on the next highlight: that one's
    for _ in range(300):
        if page.evaluate(f"() => {{ const a = JSON.parse(document.getElementById('annotations').textContent);"
                         f" return document.activeElement.dataset.a.split(' ').some(i => a[+i].kind === 'trigger'"
                         f" && a[+i].event === {number}); }}"):
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.locator("#panel").get_attribute("data-event") == str(number)
    assert event.rule in page.locator("#panel").inner_text()
    desktop.shot("keyboard-trigger")
    page.keyboard.press("Tab")
    before = page.evaluate("() => [window.scrollY, document.activeElement.dataset.a]")
    page.keyboard.press(" ")
    after = page.evaluate("() => [window.scrollY, document.activeElement.dataset.a]")
    assert after == before  # Space shows the coding; it does not scroll the page
    assert page.locator("#panel section.coding").count() >= 1
    desktop.assert_clean()
