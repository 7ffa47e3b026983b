"""Connections to DuckDB and PostgreSQL behind one small interface.

SQL in the store is written once, with `?` placeholders, in the subset of SQL both engines
understand (`unnest(?::text[])` bulk inserts, `strpos`, `date_trunc`, `IS NOT DISTINCT FROM`,
`FILTER (WHERE …)`). The PostgreSQL backend rewrites `?` to psycopg's `%s`.

Text is sorted by code point on both (as Python's `sorted` does): every text sort key goes
through `Backend.codepoint`, which adds `COLLATE "C"` on PostgreSQL (whose database collation
may be a locale's, e.g. ICU en-US: "al-Assad" before "ALBA") and nothing on DuckDB (binary by
default). Every ORDER BY ends with a unique key, so a listing is the same on both, page by page.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_PID = re.compile(r"PID (\d+)")


class StoreError(Exception):
    """A problem with the database that the user can act on (message says how)."""


class StoreLockedError(StoreError):
    """The DuckDB file is open for writing by another process."""


class SchemaVersionError(StoreError):
    """The database's schema version is not the one this code reads."""


def is_postgres_url(db: str) -> bool:
    return db.startswith(("postgresql://", "postgres://"))


class Backend:
    """One open connection. Subclasses set `name` and implement the primitives."""

    name = ""
    location = ""
    binary_collation = ""  # what makes a text expression compare by code point

    def codepoint(self, expr: str) -> str:
        """`expr` (text) as a sort or comparison key compared by code point."""
        return f"{expr}{self.binary_collation}"

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        raise NotImplementedError

    def query(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple]]:
        """Run a SELECT: (column names, rows)."""
        raise NotImplementedError

    @contextmanager
    def transaction(self) -> Iterator[None]:
        raise NotImplementedError

    def lock_writers(self) -> None:
        """Inside a transaction: wait for other writers of the same database (no-op if there are none)."""

    def close(self) -> None:
        raise NotImplementedError

    # -- shared helpers --------------------------------------------------------------------
    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run a SELECT: one plain dict per row (dates as ISO strings)."""
        names, rows = self.query(sql, params)
        return [{n: _plain(v) for n, v in zip(names, row)} for row in rows]

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        _, rows = self.query(sql, params)
        return rows[0][0] if rows else None


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def lock_holder(pid: int | None) -> str | None:
    """What the process `pid` runs, read from /proc ("tidings serve --db x.duckdb"), if it can be read."""
    if pid is None:
        return None
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return None
    words = [Path(w.decode("utf-8", "replace")).name if i == 0 else w.decode("utf-8", "replace")
             for i, w in enumerate(argv) if w]
    if len(words) > 2 and words[0].startswith("python") and words[1] == "-m":
        words = words[2:]
    elif words and words[0].startswith("python") and len(words) > 1 and words[1].endswith("tidings"):
        words = words[1:]
    if words and words[0].endswith("tidings"):
        words[0] = "tidings"
    return " ".join(words)[:120] or None


def lock_message(path: str, pid: int | None) -> str:
    """Why DuckDB refused `path`, who holds it and the ways out. A server holds the file for as
    long as it runs (it never "finishes"), so the way out is to stop it, or to use PostgreSQL."""
    holder = lock_holder(pid)
    who = f"`{holder}`" if holder else "another process"
    ident = f" (pid {pid})" if pid else ""
    if holder and holder.startswith("tidings serve"):
        way_out = (f"stop the server (Ctrl-C in its terminal, or `kill {pid}`) and run this again, or keep the"
                   " data in PostgreSQL (--db postgresql://…), which a server and writers can share")
    else:
        way_out = (f"wait for it to end or stop it{f' (`kill {pid}`)' if pid else ''}; to let several processes"
                   " use one database at once, keep the data in PostgreSQL (--db postgresql://…)")
    return f"database {path} is in use by {who}{ident}: a DuckDB file has one writer at a time; {way_out}"


class DuckDBBackend(Backend):
    name = "duckdb"

    def __init__(self, path: str, read_only: bool) -> None:
        import duckdb

        self.location = path
        if read_only and not Path(path).exists():
            raise StoreError(f"no database at {path}")
        try:
            self.con = duckdb.connect(path, read_only=read_only)
        except duckdb.IOException as exc:
            message = str(exc)
            if "lock" in message.lower():
                pid = _PID.search(message)
                raise StoreLockedError(lock_message(path, int(pid.group(1)) if pid else None)) from exc
            raise StoreError(f"cannot open {path}: {message}") from exc
        except duckdb.Error as exc:
            raise StoreError(f"cannot open {path}: {exc}") from exc

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.con.execute(sql, list(params))

    def query(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple]]:
        cursor = self.con.execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        return names, cursor.fetchall()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    def close(self) -> None:
        self.con.close()


class PostgresBackend(Backend):
    name = "postgresql"
    binary_collation = ' COLLATE "C"'  # byte order of UTF-8: code point order

    def __init__(self, url: str, read_only: bool) -> None:
        try:
            import psycopg
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise StoreError('PostgreSQL needs psycopg 3: pip install "psycopg[binary]"') from exc
        self.location = _redact(url)
        try:
            self.con = psycopg.connect(url, autocommit=True)
        except psycopg.Error as exc:
            raise StoreError(f"cannot connect to {self.location}: {exc}") from exc
        if read_only:
            self.con.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("%", "%%").replace("?", "%s")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.con.execute(self._sql(sql), list(params))

    def query(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple]]:
        cursor = self.con.execute(self._sql(sql), list(params))
        names = [d.name for d in cursor.description]
        return names, cursor.fetchall()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.con.transaction():
            yield

    def lock_writers(self) -> None:
        # One writer at a time per database: a batch's check-then-insert cannot race.
        self.con.execute("SELECT pg_advisory_xact_lock(7164616)")  # arbitrary constant: "tidings"

    def close(self) -> None:
        self.con.close()


def _redact(url: str) -> str:
    """The URL without its password (for messages)."""
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", url)


def connect(db: str, read_only: bool = False) -> Backend:
    """Open a DuckDB file (a path) or a PostgreSQL database (a postgresql:// URL)."""
    if is_postgres_url(db):
        return PostgresBackend(db, read_only)
    return DuckDBBackend(db, read_only)
