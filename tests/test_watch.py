"""`tidings watch` against a real HTTP server on localhost: new items only, bad feeds survive."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from pathlib import Path

from httpserver_util import NewsServer, SlowLorisServer, rss_feed

from tidings.ingest_run import IngestSettings
from tidings.store import open_store
from tidings.watch import WatchSettings, parse_interval, watch

TIDINGS = str(Path(sys.executable).parent / "tidings")


def test_intervals_read_like_a_person_writes_them():
    assert parse_interval("15m") == 900 and parse_interval("30s") == 30 and parse_interval("2h") == 7200
    assert parse_interval("1d") == 86400 and parse_interval("45") == 45


def test_watch_ingests_new_items_once_and_survives_broken_feeds(tmp_path):
    db = str(tmp_path / "w.duckdb")
    with NewsServer() as server:
        feeds = tmp_path / "feeds.txt"
        feeds.write_text(f"# watched\n{server.url('/feed.xml')}\n{server.url('/broken.xml')}\n"
                         f"{server.url('/no-such-feed.xml')}\n", encoding="utf-8")
        settings = WatchSettings(feeds, interval=0.1, max_polls=2, ingest=IngestSettings(db=db))
        first, second = list(watch(settings))
    assert first.ok >= 2  # the feed's pages
    assert any("malformed feed" in error or "not a feed" in error for _, error in first.errors)
    assert any("404" in error for _, error in first.errors)
    assert (first.feeds, first.feeds_failed) == (3, 2)
    # Nothing new the second time, but the two bad feeds failed again: failures, not "already stored".
    assert second.ok == 0 and second.failed == 2 and second.already_present == 0
    assert sorted(error.split(":")[0] for _, error in second.errors) == ["HTTP 404", "malformed feed"]
    assert second.describe().splitlines()[:2] == [
        "articles: 0 ok, 0 skipped, 2 failed (0 already in the database)", "feeds: 3 polled, 0 not modified, 2 failed"]
    with open_store(db, read_only=True) as store:
        rows = store.backend.rows("SELECT url, count(*) AS n FROM articles WHERE status = 'ok' GROUP BY url")
    assert rows and all(r["n"] == 1 for r in rows)


def test_watch_stops_between_polls_when_asked(tmp_path):
    db = str(tmp_path / "w.duckdb")
    stop = threading.Event()
    with NewsServer() as server:
        feeds = tmp_path / "feeds.txt"
        feeds.write_text(server.url("/feed.xml") + "\n", encoding="utf-8")
        settings = WatchSettings(feeds, interval=3600, ingest=IngestSettings(db=db))
        polls = []
        for summary in watch(settings, stop=stop):
            polls.append(summary)
            stop.set()  # as Ctrl-C would, between polls
    assert len(polls) == 1
    with open_store(db) as store:  # the database is closed, consistent and writable again
        assert store.stats()


def test_the_watch_command_polls_and_reports(tmp_path):
    with NewsServer() as server:
        feeds = tmp_path / "feeds.txt"
        feeds.write_text(server.url("/feed.xml") + "\n", encoding="utf-8")
        proc = subprocess.run([TIDINGS, "watch", str(feeds), "--polls", "1", "--interval", "1s",
                               "--db", str(tmp_path / "w.duckdb"), "--create"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("poll 1: articles:")


def test_the_watch_command_cuts_off_a_dribbling_feed_and_reports_it_failed_every_poll(tmp_path):
    # One byte every 0.5 s, padded to minutes: only the --fetch-timeout budget ends the fetch.
    routes = {"/robots.txt": (200, "text/plain", b"User-agent: *\nDisallow:\n"),
              "/feed.xml": (200, "application/rss+xml", rss_feed())}
    with NewsServer() as good, SlowLorisServer(routes, slow={"/feed.xml"}) as slow:
        feeds = tmp_path / "feeds.txt"
        feeds.write_text(f"{slow.url('/feed.xml')}\n{good.url('/atom.xml')}\n", encoding="utf-8")
        proc = subprocess.run([TIDINGS, "watch", str(feeds), "--polls", "2", "--interval", "1s", "--fetch-timeout", "2",
                               "--db", str(tmp_path / "w.duckdb"), "--create"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    first, second = proc.stdout.split("poll ")[1:]
    assert first.startswith("1: articles: 2 ok, 0 skipped, 1 failed (0 already in the database)"), first
    assert second.startswith("2: articles: 0 ok, 0 skipped, 1 failed (0 already in the database)"), second
    for poll in (first, second):
        assert "feeds: 2 polled, 0 not modified, 1 failed" in poll
        assert f"failed: {slow.url('/feed.xml')}: timeout: no complete response within 2s" in poll
    seconds = float(re.search(r"time: ([\d.]+)s", second).group(1))
    assert seconds < 5  # the 2 s budget, not the minutes the feed takes to dribble
