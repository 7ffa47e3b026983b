"""The texts of the project's own event annotations, rebuilt from ../shared (never copied here).

`training/annotations/documents.txt` lists the 84 annotated articles:
- `zyte-<id>.txt`: the gold article body (`articleBody`) of the article-extraction-benchmark
  page whose key starts with <id> (shared/corpus/zyte-dev/ground-truth.json, MIT);
- other names: PolNeAR training texts (shared/eval/quotes/polnear/train/text/<name>).

    python training/texts.py OUT_DIR      # writes the 84 texts to OUT_DIR
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared"
ANNOTATIONS = HERE / "annotations"


def documents() -> list[str]:
    return [line.strip() for line in (ANNOTATIONS / "documents.txt").read_text("utf-8").splitlines() if line.strip()]


def texts(shared: Path = SHARED) -> dict[str, str]:
    """Document name → text, for every annotated document."""
    out: dict[str, str] = {}
    zyte = None
    for name in documents():
        if name.startswith("zyte-"):
            if zyte is None:
                zyte = json.loads((shared / "corpus" / "zyte-dev" / "ground-truth.json").read_text("utf-8"))
            key = name[len("zyte-"):-len(".txt")]
            match = [v for k, v in zyte.items() if k.startswith(key)]
            if len(match) != 1:
                raise KeyError(f"{name}: no single zyte-dev page with key {key}")
            out[name] = match[0]["articleBody"]
        else:
            out[name] = (shared / "eval" / "quotes" / "polnear" / "train" / "text" / name).read_text("utf-8")
    return out


def write(out_dir: Path, shared: Path = SHARED) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in texts(shared).items():
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python training/texts.py OUT_DIR")
    print(f"{len(write(Path(sys.argv[1])))} texts written to {sys.argv[1]}")
