"""A small pool of store connections for the web server's worker threads.

A Store is one connection used by one thread at a time; the server borrows one per request.
DuckDB opens a file once per process and shares it between connections with the same
settings, so every connection of a pool sees what another one wrote.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from tidings.store import Store, StoreError, open_store

log = logging.getLogger(__name__)


class StorePool:
    """Up to `size` open Stores on `db`, created on first need, reused after."""

    def __init__(self, db: str, *, read_only: bool = True, size: int = 4, wait: float = 30.0) -> None:
        self.db = db
        self.read_only = read_only
        self.size = max(1, size)
        self.wait = wait
        self._idle: queue.LifoQueue[Store] = queue.LifoQueue()
        self._all: list[Store] = []
        self._lock = threading.Lock()

    @contextmanager
    def store(self) -> Iterator[Store]:
        """Borrow a Store for the duration of the block."""
        store = self._take()
        try:
            yield store
        finally:
            self._idle.put(store)

    def _take(self) -> Store:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            if len(self._all) < self.size:
                store = open_store(self.db, read_only=self.read_only, upgrade=not self.read_only)
                self._all.append(store)
                return store
        try:
            return self._idle.get(timeout=self.wait)
        except queue.Empty:
            raise StoreError(f"all {self.size} database connections are busy; try again") from None

    def close(self) -> None:
        with self._lock:
            for store in self._all:
                try:
                    store.close()
                except Exception:  # closing is best effort at shutdown
                    log.debug("closing a store failed", exc_info=True)
            self._all.clear()
            self._idle = queue.LifoQueue()
