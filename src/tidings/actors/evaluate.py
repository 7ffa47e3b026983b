"""Score the resolver on a JSONL file of cases: {"text", "context", "date", "expect": {"country", "code_1"}}.

Country accuracy counts every case with an expected `country` key; sector accuracy counts only
cases with a `code_1` key. An empty expectation ("") matches a missing/empty prediction.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any


def _norm(value: Any) -> str:
    return "" if value is None else str(value)


def evaluate(path: str | Path, resolver=None, repeat: int = 1, progress=None) -> dict[str, Any]:
    """{"n", "country_accuracy", "sector_accuracy", "n_country", "n_sector", "per_second", "errors"}.
    `progress(done, total)` hears of each case resolved (first pass)."""
    if resolver is None:
        from tidings.actors import default_resolver

        resolver = default_resolver()
    cases = [json.loads(line) for line in Path(path).read_text("utf-8").splitlines() if line.strip()]
    started = time.perf_counter()
    for _ in range(max(1, repeat)):
        results = []
        for number, c in enumerate(cases, 1):
            results.append(resolver.resolve(c["text"], c.get("context") or "", c.get("date") or None))
            if progress and number % 50 == 0:
                progress(number, len(cases))
    elapsed = time.perf_counter() - started
    country_ok = sector_ok = n_country = n_sector = 0
    errors = []
    for case, got in zip(cases, results):
        expect = case.get("expect") or {}
        got = got or {}
        wrong = {}
        if "country" in expect:
            n_country += 1
            if _norm(got.get("country")) == _norm(expect["country"]):
                country_ok += 1
            else:
                wrong["country"] = got.get("country")
        if "code_1" in expect:
            n_sector += 1
            if _norm(got.get("sector")) == _norm(expect["code_1"]):
                sector_ok += 1
            else:
                wrong["sector"] = got.get("sector")
        if wrong:
            errors.append({"text": case["text"], "expect": expect, "got": wrong, "how": got.get("how")})
    return {
        "n": len(cases),
        "n_country": n_country,
        "n_sector": n_sector,
        "country_accuracy": country_ok / n_country if n_country else 0.0,
        "sector_accuracy": sector_ok / n_sector if n_sector else 0.0,
        "per_second": len(cases) * max(1, repeat) / elapsed if elapsed else 0.0,
        "errors": errors,
    }
