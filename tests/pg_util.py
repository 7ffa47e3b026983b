"""A fresh PostgreSQL schema for a test, on the server named by TIDINGS_TEST_POSTGRES (skipped when unset)."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import pytest

PG_ENV = "TIDINGS_TEST_POSTGRES"


@contextmanager
def store_location(backend: str, tmp_path, name: str):
    """A database location for `open_store`: a DuckDB file `name`.duckdb in `tmp_path`, or a URL
    to a new PostgreSQL schema, dropped afterwards."""
    if backend == "duckdb":
        yield str(tmp_path / f"{name}.duckdb")
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"set {PG_ENV} to a postgresql:// URL to test PostgreSQL")
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as con:
        con.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(base, autocommit=True) as con:
            con.execute(f"DROP SCHEMA {schema} CASCADE")
