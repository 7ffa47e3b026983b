"""Formatting for the CLI: tables, CSV, JSON Lines, and the annotated article view."""

from __future__ import annotations

import csv
import json
import re
from typing import Any, TextIO

from tidings.records import ArticleResult

QUAD = {  # PLOVER quad classes
    "AGREE": "verbal cooperation", "CONSULT": "verbal cooperation", "SUPPORT": "verbal cooperation",
    "CONCEDE": "verbal cooperation",
    "COOPERATE": "material cooperation", "AID": "material cooperation", "RETREAT": "material cooperation",
    "REQUEST": "verbal conflict", "ACCUSE": "verbal conflict", "REJECT": "verbal conflict",
    "THREATEN": "verbal conflict",
    "PROTEST": "material conflict", "SANCTION": "material conflict", "MOBILIZE": "material conflict",
    "COERCE": "material conflict", "ASSAULT": "material conflict",
}


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet runs a cell that starts so as a formula
# ANSI/VT escape sequences (CSI, OSC such as a window title, other ESC sequences), then any other C0/C1
# control character but newline and tab, and the bidirectional overrides that reorder a line on screen
TERMINAL_UNSAFE = re.compile(
    r"(?:\x1b\]|\x9d)[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"  # OSC … BEL or ST (window title, hyperlink)
    r"|(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c\n]*(?:\x1b\\|\x9c)?"  # DCS, SOS, PM, APC strings
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"  # CSI … final byte (clear screen, colours, cursor moves)
    r"|\x1b[ -/]*[0-~]?"  # any other escape sequence (or a lone ESC)
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def csv_safe(value: Any) -> Any:
    """A CSV cell a spreadsheet will not run as a formula: a string that starts with = + - @,
    a tab or a carriage return gets a leading apostrophe (text from articles is untrusted).
    Only strings: numbers (-3) stay numbers. Every CSV writer (CLI, export, web) uses this."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def terminal_safe(text: str) -> str:
    """`text` without terminal escape sequences and control characters (newline and tab are
    kept): article text printed to a terminal must not retitle or clear it, or hide lines."""
    return TERMINAL_UNSAFE.sub("", text)


class TerminalWriter:
    """A text stream that passes `terminal_safe` text on to `out`."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def write(self, text: str) -> int:
        return self.out.write(terminal_safe(text))

    def flush(self) -> None:
        self.out.flush()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def write_rows(rows: list[dict], fmt: str, out: TextIO, columns: list[str] | None = None) -> None:
    """Write rows as an aligned table, CSV (all columns) or JSON Lines (all fields). CSV cells
    are `csv_safe`; table cells are `terminal_safe` and never read as rich markup."""
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        return
    if not rows:
        if fmt == "table":
            out.write("(no rows)\n")
        return
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=list(rows[0].keys()), extrasaction="ignore")
        writer.writeheader()
        writer.writerows({k: _cell(csv_safe(v)) for k, v in row.items()} for row in rows)
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    cols = [c for c in (columns or list(rows[0].keys())) if c in rows[0]]
    table = Table(show_lines=False, header_style="bold")
    for col in cols:
        table.add_column(col, overflow="fold", max_width=60)
    for row in rows:
        table.add_row(*(Text(terminal_safe(_cell(row.get(c)))) for c in cols))  # Text: "[bold]" stays text
    width = None if out.isatty() else _piped_width()  # piped: 200, or COLUMNS when wider
    Console(file=out, width=width, soft_wrap=False).print(table)


def _piped_width() -> int:
    import os

    try:
        return max(200, int(os.environ.get("COLUMNS", "")))
    except ValueError:
        return 200


def _actor_label(country: str | None, sector: str | None, name: str | None = None) -> str:
    parts = [p for p in (country, sector) if p]
    label = " ".join(parts) or "?"
    if country == "IGO" and name:
        label = f"IGO {name}" + (f" {sector}" if sector and sector != "IGO" else "")
    return label


def render_article(result: ArticleResult, out: TextIO, color: bool = False) -> None:
    """The cleaned text with [actor]{CODE} marks, «triggers» and quote spans, then the codings
    (all `terminal_safe`)."""
    out = TerminalWriter(out)
    text = result.text
    marks: list[tuple[int, int, str]] = []  # (offset, order, string)
    for m in result.mentions:
        a = m.actor
        code = _actor_label(a.country, a.sector, a.name) if a else "?"
        how = f" {a.how}" if a and a.how else ""
        marks.append((m.start, 1, "["))
        marks.append((m.end, 0, f"]{{{code}{how}}}"))
    for i, e in enumerate(result.events, 1):
        marks.append((e.trigger.start, 2, "«"))
        marks.append((e.trigger.end, 0, f"»(E{i} {e.type})"))
    for i, q in enumerate(result.quotes, 1):
        marks.append((q.start, 0, f"⟨Q{i}:"))
        marks.append((q.end, 0, "⟩"))
    marks.sort(key=lambda m: (m[0], m[1]))
    pieces, last = [], 0
    for offset, _, s in marks:
        pieces.append(text[last:offset])
        pieces.append(s)
        last = offset
    pieces.append(text[last:])
    header = [f"# {result.title or '(untitled)'}", f"id: {result.id}   status: {result.status}"
              + (f" ({result.error})" if result.error else "")]
    meta = {"published": result.published, "section": result.section, "url": result.url,
            "credited publisher": result.credited_publisher, "site": result.site_name,
            "language": result.language, "origin": result.origin}
    header += [f"{k}: {v}" for k, v in meta.items() if v]
    out.write("\n".join(header) + "\n\n" + "".join(pieces) + "\n\n")
    if result.events:
        out.write("## Events\n")
        for i, e in enumerate(result.events, 1):
            src = ", ".join(f"{p.text} ({_actor_label(p.country, p.sector, p.name)})" for p in e.source) or "-"
            tgt = ", ".join(f"{p.text} ({_actor_label(p.country, p.sector, p.name)})" for p in e.target) or "-"
            att = e.attribution
            flags = [e.factuality] + (["background"] if e.background else []) + (["disputed"] if att.disputed else [])
            out.write(f"E{i} {e.type}{'/' + e.mode if e.mode else ''}: {src} → {tgt}"
                      f"  date={e.date or '-'}  loc={(e.location.country if e.location else None) or '-'}"
                      f"  [{', '.join(flags)}]  per={att.kind}{': ' + att.speaker if att.speaker else ''}"
                      f"{'' if att.confirmed is None else ' confirmed=' + str(att.confirmed).lower()}"
                      f"  confidence={'-' if e.confidence is None else f'{e.confidence:.2f}'}  rule={e.rule}\n")
        out.write("\n")
    if result.quotes:
        out.write("## Quotes\n")
        for i, q in enumerate(result.quotes, 1):
            who = q.speaker.name or q.speaker.text if q.speaker else "?"
            kind = "direct" if q.direct else "indirect"
            snippet = q.text if len(q.text) < 100 else q.text[:97] + "…"
            out.write(f"Q{i} ({kind}) {who}: {snippet}\n")


def render_stats(data: dict, out: TextIO) -> None:
    out = TerminalWriter(out)  # error messages quote input
    for key, value in data.items():
        if isinstance(value, dict):
            out.write(f"{key}:\n")
            for k, v in value.items():
                out.write(f"  {k:24s} {v}\n")
        elif isinstance(value, list):
            out.write(f"{key}: {len(value)}\n")
            for item in value[:50]:
                out.write(f"  {_cell(item)}\n")
        else:
            out.write(f"{key}: {value}\n")


def render_confusion(result: dict, out: TextIO) -> None:
    out = TerminalWriter(out)
    per_type = result.get("per_type", {})
    if per_type:
        out.write("\nper type:\n")
        for t, s in sorted(per_type.items()):
            out.write(f"  {t:10s} P={s.get('precision', 0):.3f} R={s.get('recall', 0):.3f} "
                      f"F1={s.get('f1', 0):.3f} n={s.get('support', s.get('n', ''))}\n")
    confusion = result.get("confusion", {})
    if confusion:
        labels = sorted({*confusion.keys(), *(p for row in confusion.values() for p in row)})
        out.write("\nconfusion (rows gold, columns predicted):\n")
        out.write(" " * 10 + "".join(f"{lab[:6]:>7s}" for lab in labels) + "\n")
        for gold in labels:
            row = confusion.get(gold, {})
            out.write(f"{gold[:10]:10s}" + "".join(f"{row.get(p, 0):7d}" for p in labels) + "\n")


def render_article_eval(result: dict, out: TextIO) -> None:
    """Per-type figures and the false, missed and wrong-dyad events of `tidings eval articles`."""
    out = TerminalWriter(out)

    def fmt(value) -> str:
        return "  -  " if value is None else f"{value:.3f}"

    out.write("\nper type:     emitted gold  type P  type R  dyad P  dyad R\n")
    for kind, s in result.get("per_type", {}).items():
        out.write(f"  {kind:10s} {s['emitted']:7d} {s['gold']:4d}  {fmt(s['type_precision'])}   {fmt(s['type_recall'])}"
                  f"   {fmt(s['dyad_precision'])}   {fmt(s['dyad_recall'])}\n")
    sections = (("false events (no gold event of that type in the sentence)", "false"),
                ("missed required gold events", "missed"),
                ("right type, wrong countries (emitted vs gold source → target)", "wrong_dyad"))
    for title, key in sections:
        rows = result.get(key, [])
        out.write(f"\n{title}: {len(rows)}\n")
        for row in rows:
            dyad = f"{'/'.join(row['source']) or '-'} → {'/'.join(row['target']) or '-'}"
            extra = f" [{row['rule']}]" if "rule" in row else ""
            gold = f" gold {row['gold']}" if "gold" in row else ""
            out.write(f"  {row['doc'][:32]:32s} {row['type']:9s} {row['trigger'][:28]!r:30s} {dyad}{gold}{extra}\n"
                      f"      {row['sentence'][:160]}\n")
