"""Reading the knowledge files fast: libyaml, plus a cache of the parsed data keyed by the text's hash.

Building Python objects from YAML costs ~1 s for the people lists alone, paid by every worker
process at start-up. The parsed data of texts of `MIN_CACHED` characters or more is pickled to
the cache folder ($TIDINGS_CACHE_DIR, else $XDG_CACHE_HOME/tidings, else ~/.cache/tidings;
TIDINGS_CACHE_DIR=off disables it) under the hash of the text, so an edited file is simply
parsed again. Results are the same with or without the cache; a cache that cannot be read or
written is ignored.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger(__name__)

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~10x faster parsing
MIN_CACHED = 20_000  # characters; smaller files parse in a few ms
FORMAT = 1  # bump when the cached representation changes


def cache_dir() -> Path | None:
    """Where parsed data is cached, or None when caching is off."""
    configured = os.environ.get("TIDINGS_CACHE_DIR", "").strip()
    if configured.lower() in ("off", "none", "0"):
        return None
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tidings"


def load_yaml(text: str) -> Any:
    """`yaml.safe_load(text)`, from the cache when this exact text was parsed before."""
    folder = cache_dir() if len(text) >= MIN_CACHED else None
    if folder is None:
        return yaml.load(text, Loader=LOADER)
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    path = folder / f"yaml-{FORMAT}-{yaml.__version__}-{digest}.pickle"
    try:
        return pickle.loads(path.read_bytes())
    except FileNotFoundError:
        pass
    except Exception as exc:  # truncated or foreign file: parse again and overwrite it
        log.debug("ignoring unreadable cache file %s: %s", path, exc)
    data = yaml.load(text, Loader=LOADER)
    _write(path, data)
    return data


def _write(path: Path, data: Any) -> None:
    """Write atomically (other processes may be reading or writing the same entry)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump(data, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:  # read-only home, full disk: run without the cache
        log.debug("cannot write cache file %s: %s", path, exc)
