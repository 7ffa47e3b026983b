"""Test-session settings shared by every test file."""

from __future__ import annotations

import os
import tempfile

# The actor resolver also loads knowledge a user imported (`tidings kb import`) from a user folder;
# tests must see the shipped knowledge base only, whatever this machine's user folder holds.
os.environ["TIDINGS_KB_DIR"] = tempfile.mkdtemp(prefix="tidings-test-kb-")
# Parsed knowledge files are cached (tidings.yamlcache); tests keep their cache to themselves.
os.environ["TIDINGS_CACHE_DIR"] = tempfile.mkdtemp(prefix="tidings-test-cache-")
