"""Test-session settings shared by every test file."""

from __future__ import annotations

import os
import tempfile

# The actor resolver also loads knowledge a user imported (`tidings kb import`) from a user folder;
# tests must see the shipped knowledge base only, whatever this machine's user folder holds.
os.environ["TIDINGS_KB_DIR"] = tempfile.mkdtemp(prefix="tidings-test-kb-")
# Parsed knowledge files are cached (tidings.yamlcache); tests keep their cache to themselves.
os.environ["TIDINGS_CACHE_DIR"] = tempfile.mkdtemp(prefix="tidings-test-cache-")


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def places_db(tmp_path_factory) -> str:
    """The demo corpus's HTML and text articles ingested once (read by test_places and
    test_web_browser_places: events with places, quotes, merged reports)."""
    from pathlib import Path

    from tidings.ingest_run import IngestSettings, run_ingest

    examples = Path(__file__).resolve().parents[1] / "examples"
    db = str(tmp_path_factory.mktemp("places") / "places.duckdb")
    run_ingest([str(examples / "html"), str(examples / "text")], IngestSettings(db=db, workers=1))
    return db


@pytest.fixture(scope="session")
def chromium():
    """Debian's headless Chromium driven by Playwright, one for the whole session (Playwright's
    sync API cannot run twice at once, so every browser test file shares this one)."""
    from test_web_browser import CHROMIUM, CHROMIUM_ARGS, sync_api

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
