"""CLI hygiene (issue #17, item 5): bad arguments end in a clear error, never a traceback; commands
that write create no database by accident; the DuckDB lock message names its holder and the way out;
a folder's README/LICENSE files are not read as articles; --reprocess says what it re-did; every
eval command prints its headline figures; the table format takes --columns; progress is reported."""

from __future__ import annotations

import gzip
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from tidings.cli import cli
from tidings.records import Actor, ArticleResult, Attribution, Event, Mention, Participant, Span
from tidings.store import open_store

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
TIDINGS = str(Path(sys.executable).parent / "tidings")

STORY = """Ministers meet in Vienna as talks stall

Russia's Foreign Minister Sergei Lavrov accused NATO of ignoring Moscow's security demands on Monday.

German Chancellor Olaf Scholz met French President Emmanuel Macron in Berlin to discuss the crisis.
"""


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=True)


def run(*args: str, cwd: Path | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([TIDINGS, *args], capture_output=True, text=True, cwd=cwd, timeout=timeout)


def _event(text: str, source: list[Participant], target: list[Participant]) -> Event:
    return Event(type="ACCUSE", trigger=Span("accused", 0, 7), sentence=Span(text, 0, len(text)), rule="test",
                 source=source, target=target, date="2022-01-17", confidence=0.9,
                 attribution=Attribution(kind="named", speaker="Sergei Lavrov"))


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    """A real DuckDB file with one article: an event whose target is an uncoded actor."""
    path = str(tmp_path_factory.mktemp("db") / "t.duckdb")
    text = "Lavrov accused the protesters of ignoring security demands."
    event = _event(text, [Participant("Lavrov", 0, 6, "RUS", "GOV", "Sergei Lavrov")],
                   [Participant("the protesters", 15, 29, None, None, "the protesters")])
    result = ArticleResult(id="a1", text=text, title="t", published="2022-01-18", language="en", status="ok",
                           origin="a1.txt", content_hash="h-a1", events=[event],
                           mentions=[Mention("Lavrov", 0, 6, Actor("Sergei Lavrov", "RUS", "GOV"), label="PERSON")])
    with open_store(path) as store:
        store.save([result])
    return path


# -- no traceback for a bad argument ----------------------------------------------------------------

BAD_ARGUMENTS = """
extract nope.txt
extract --published 2022-13-01 x
extract --max-chars 5 x
ingest nope.txt --db {new}
ingest {here} --db {text}
ingest {here} --db /nonexistent-folder/x.duckdb
ingest {here} --db /
ingest --reprocess --db {new}
ingest --workers -1 x
ingest --batch-size 0 x
watch nope.txt
watch {text} --interval soon
watch {text} --polls 0
watch {text} --db {new}
events --db {new}
events --db {text}
events --db {good} --since 2022-02-30
events --db {good} --limit 0
events --db {good} --limit 99999999999999999999
events --db {good} --offset 99999999999999999999
events --db {good} --min-confidence 2
events --db {good} --format bogus
events --db {good} --columns nope
events --db {good} --columns sentence --format csv
quotes --db {good} --columns nope
actors --db {good} --offset -1
show nope --db {good}
show x --db {text}
stats --db {text}
stats --db /
export bogus --db {good}
export --format bogus --db {good}
export --format parquet --db {good}
export -o /nonexistent-folder/x.csv --db {good}
export -o /nonexistent-folder/x.parquet --format parquet --db {good}
export articles --min-confidence 0.5 --db {good}
trends --dyad RUS --db {good}
trends --dyad RUS:UKR --by year --db {good}
trends --dyad RUS:UKR --plot /nonexistent-folder/x.png --db {good}
trends --dyad RUS:UKR --db {text}
serve --port -1 --db {good}
serve --port 99999 --db {good}
serve --db {new}
db upgrade --db {text}
db upgrade --db {new}
eval plover nope.tsv
eval plover {text}
eval articles {text} {here}
eval quotes {here}
eval actors {text}
eval extraction {here}
kb import nope.json
kb import {text} --limit 0
""".strip().splitlines()


@pytest.mark.parametrize("line", BAD_ARGUMENTS)
def test_a_bad_argument_is_a_clear_error_not_a_traceback(line, db, tmp_path):
    text = tmp_path / "text.duckdb"
    text.write_text("not a database\n")
    new = tmp_path / "new.duckdb"
    args = shlex.split(line.format(good=db, text=text, new=new, here=tmp_path))
    result = invoke(*args)
    assert isinstance(result.exception, SystemExit), (line, result.exception, result.output)
    assert result.exit_code == 2, (line, result.output)
    assert "Traceback" not in result.output
    message = [x for x in result.output.splitlines() if x.lower().startswith("error")]
    assert message and len(message[-1]) > len("error: ") + 10, result.output
    assert not new.exists(), f"{line}: created {new}"


# -- databases are not created by accident -----------------------------------------------------------

def test_ingest_of_a_missing_file_creates_no_database(tmp_path):
    proc = run("ingest", "missing.txt", "--db", "new.duckdb", cwd=tmp_path)
    assert proc.returncode == 2
    assert "no such file or directory: missing.txt" in proc.stderr and "no database created" in proc.stderr
    assert not (tmp_path / "new.duckdb").exists()


def test_watch_needs_create_for_a_new_database(tmp_path):
    feeds = tmp_path / "feeds.txt"
    feeds.write_text("# none yet\n")
    refused = invoke("watch", str(feeds), "--polls", "1", "--db", str(tmp_path / "w.duckdb"))
    assert refused.exit_code == 2 and "--create" in refused.output
    assert not (tmp_path / "w.duckdb").exists()
    made = invoke("watch", str(feeds), "--polls", "1", "--interval", "1s", "--db", str(tmp_path / "w.duckdb"),
                  "--create")
    assert made.exit_code == 0, made.output
    assert f"creating new database {tmp_path / 'w.duckdb'}" in made.output
    assert (tmp_path / "w.duckdb").exists()


# -- a folder of news with a README; creating; reprocessing --------------------------------------------

@pytest.fixture(scope="module")
def news(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("news")
    (folder / "2022-01-17-lavrov.txt").write_text(STORY, encoding="utf-8")
    (folder / "README.md").write_text("# My corpus\n\nNews I collected.\n")
    (folder / "LICENSE").write_text("CC BY 4.0\n")
    (folder / "notes").mkdir()
    (folder / "notes" / "CHANGELOG.txt").write_text("2022-01-18: added Lavrov\n")
    (folder / "notes" / "sources.json").write_text("{}\n")
    (folder / "odd.pdf").write_bytes(b"%PDF-1.4")  # not known to be no article: still an error
    return folder


def test_a_folder_of_news_is_read_without_its_readme_license_and_notes(news, tmp_path):
    db = tmp_path / "n.duckdb"
    with open_store(str(db)) as store:  # an older tidings stored the README as a failure
        store.save([ArticleResult(id="README-0", origin=str(news / "README.md"), status="error",
                                  error="unsupported file type (.md)")])
    proc = run("ingest", str(news), "--db", str(db), "--workers", "1")
    assert "creating new database" not in proc.stderr  # it exists
    assert proc.returncode == 1, proc.stdout + proc.stderr  # odd.pdf
    assert proc.stdout.startswith("articles: 1 ok, 0 skipped, 1 failed (0 already in the database)"), proc.stdout
    for name in ("README.md", "LICENSE", os.path.join("notes", "CHANGELOG.txt"), os.path.join("notes", "sources.json")):
        assert f"not read: {news / name}: " in proc.stdout, name
    assert f"forgot the stored error of {news / 'README.md'}" in proc.stdout
    assert f"failed: {news / 'odd.pdf'}: unsupported file type (.pdf)" in proc.stdout
    con = duckdb.connect(str(db), read_only=True)
    origins = sorted(row[0] for row in con.sql("SELECT origin FROM articles").fetchall())
    con.close()
    assert origins == sorted([str(news / "2022-01-17-lavrov.txt"), str(news / "odd.pdf")])


def test_ingest_says_it_creates_a_database_and_reprocess_says_what_it_redid(news, tmp_path):
    db = tmp_path / "r.duckdb"
    story = str(news / "2022-01-17-lavrov.txt")
    first = run("ingest", story, "--db", str(db))
    assert first.returncode == 0, first.stderr
    assert f"creating new database {db}" in first.stderr
    with open_store(str(db)) as store:  # a failure stored earlier, whose file could not be read
        store.save([ArticleResult(id="gone-1", origin="gone.txt", status="error", error="empty file")])
    again = run("ingest", "--reprocess", "--db", str(db))
    assert again.returncode == 0, again.stdout + again.stderr  # the old failure is not this run's
    assert "creating new database" not in again.stderr
    assert again.stdout.startswith("articles: 1 ok, 0 skipped, 0 failed (1 stored articles re-processed"), again.stdout
    assert "1 stored failures kept no input to re-process" in again.stdout
    named = run("ingest", story, "--reprocess", "--db", str(db))
    assert named.returncode == 0 and "(1 stored articles re-processed with the current rules)" in named.stdout


def test_count_documents_knows_a_folder_of_files_and_plain_json_lines(news, tmp_path):
    from tidings.ingest.files import count_documents

    assert count_documents([str(news)]) == 2  # the story and odd.pdf (an error document)
    lines = tmp_path / "more.jsonl"
    lines.write_text('{"id": "1", "text": "a"}\n\n{"id": "2", "text": "b"}\n')
    assert count_documents([str(news), str(lines)]) == 4
    assert count_documents([str(news), "-"]) is None
    assert count_documents(["https://example.org/feed.xml"]) is None


# -- the lock ---------------------------------------------------------------------------------------

def test_the_lock_message_names_the_server_that_holds_the_file_and_the_ways_out(db, tmp_path):
    locked = tmp_path / "locked.duckdb"
    locked.write_bytes(Path(db).read_bytes())
    # a process that runs as `tidings serve --db FILE` and holds the DuckDB file open for writing
    fake = tmp_path / "bin" / "tidings"
    fake.parent.mkdir()
    fake.write_text("import sys, time, duckdb\ncon = duckdb.connect(sys.argv[3])\nprint('ready', flush=True)\n"
                    "time.sleep(60)\n")
    holder = subprocess.Popen([sys.executable, str(fake), "serve", "--db", str(locked)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        (tmp_path / "a.txt").write_text(STORY)
        result = invoke("ingest", str(tmp_path / "a.txt"), "--db", str(locked))
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 2, result.output
    assert f"is in use by `tidings serve --db {locked}` (pid {holder.pid})" in result.output
    assert "stop the server" in result.output and f"kill {holder.pid}" in result.output
    assert "PostgreSQL" in result.output and "wait for it to finish" not in result.output


def test_the_lock_message_for_another_program_says_to_wait_or_stop_it():
    from tidings.store.backends import lock_message

    message = lock_message("x.duckdb", os.getpid())
    assert f"(pid {os.getpid()})" in message and "wait for it to end or stop it" in message
    assert "another process" in lock_message("x.duckdb", None)


# -- eval prints its headline figures ---------------------------------------------------------------

def _figures(output: str) -> dict[str, str]:
    return dict(line.split(None, 1) for line in output.splitlines() if line.strip())


@pytest.mark.skipif(not (SHARED / "eval" / "actors").exists(), reason="../shared/eval absent")
def test_eval_actors_prints_cases_accuracy_and_speed():
    result = invoke("eval", "actors", str(SHARED / "eval" / "actors" / "actor_cases_dev.jsonl"))
    assert result.exit_code == 0, result.output
    figures = _figures(result.output)
    assert int(figures["cases"]) > 50 and 0.5 < float(figures["country_accuracy"]) <= 1
    assert float(figures["sector_accuracy"]) > 0 and float(figures["resolutions_per_second"]) > 0


@pytest.mark.skipif(not (SHARED / "eval" / "plover").exists(), reason="../shared/eval absent")
def test_eval_plover_prints_recall_accuracy_and_f1(tmp_path):
    lines = (SHARED / "eval" / "plover" / "PLV_train.tsv").read_text(encoding="utf-8").splitlines()[:31]
    small = tmp_path / "small.tsv"
    small.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = invoke("eval", "plover", str(small))
    assert result.exit_code == 0, result.output
    figures = _figures(result.output)
    assert figures["rows"] == "30" and 0 < float(figures["typed_pair_recall"]) <= 1
    assert {"type_accuracy", "macro_f1", "events_per_sentence", "sentences_per_second"} <= set(figures)


def test_eval_articles_prints_precision_recall_and_f1(tmp_path):
    texts = tmp_path / "texts"
    texts.mkdir()
    doc = "wire_2022-01-18_lavrov.txt"
    (texts / doc).write_text(STORY, encoding="utf-8")
    gold = {"doc": doc, "sentence": "Russia's Foreign Minister Sergei Lavrov accused NATO of ignoring Moscow's"
            " security demands on Monday.", "trigger": "accused", "type": "ACCUSE", "alt_types": [], "mode": None,
            "source": [{"text": "Sergei Lavrov", "country": "RUS", "sector": "GOV"}],
            "target": [{"text": "NATO", "country": "IGO", "sector": "IGO"}], "factuality": "asserted",
            "background": False, "required": True}
    (tmp_path / "gold.jsonl").write_text(json.dumps(gold) + "\n")
    result = invoke("eval", "articles", str(tmp_path / "gold.jsonl"), str(texts))
    assert result.exit_code == 0, result.output
    figures = _figures(result.output)
    assert figures["documents"] == "1" and figures["gold_required"] == "1"
    assert float(figures["type_recall"]) == 1.0 and 0 < float(figures["type_precision"]) <= 1
    assert {"type_f1", "dyad_precision", "dyad_recall", "dyad_f1", "articles_per_second"} <= set(figures)


def test_eval_extraction_prints_precision_recall_and_f1(tmp_path):
    html = "<html><body><article><h1>Talks</h1><p>" + STORY.replace("\n\n", "</p><p>") + "</p></article></body></html>"
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "p1.html.gz").write_bytes(gzip.compress(html.encode()))
    (tmp_path / "ground-truth.json").write_text(json.dumps({"p1": {"articleBody": STORY, "url": None}}))
    result = invoke("eval", "extraction", str(tmp_path))
    assert result.exit_code == 0, result.output
    figures = _figures(result.output)
    assert figures["pages"] == "1" and float(figures["recall"]) > 0.5
    assert {"precision", "f1"} <= set(figures)


def test_eval_reports_its_progress_through_the_library_hook():
    from tidings.actors import evaluate

    seen: list[tuple[int, int]] = []
    evaluate(SHARED / "eval" / "actors" / "actor_cases_dev.jsonl", progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] <= seen[-1][1] and [d for d, _ in seen] == sorted(d for d, _ in seen)


# -- the table: --columns and uncoded actors -----------------------------------------------------------

def test_the_events_table_adds_columns_and_names_uncoded_actors(db):
    result = CliRunner(env={"COLUMNS": "400"}).invoke(cli, ["events", "--db", db, "--columns", "sentence,speaker"])
    assert result.exit_code == 0, result.output
    header = "".join(line for line in result.output.splitlines()[:4])  # rich folds long names
    assert "sentence" in header and "attribution_speake" in header
    assert "Lavrov accused the" in result.output and "Sergei Lavrov" in result.output
    assert "uncoded: the" in result.output and "│ ?" not in result.output
    plain = invoke("events", "--db", db, "--format", "jsonl")
    assert json.loads(plain.output.splitlines()[0])["target"] == "?"  # the data keeps its code


# -- progress of an export -------------------------------------------------------------------------

def test_export_reports_its_progress(db, tmp_path):
    from tidings.export import ExportSettings, export

    seen: list[int] = []
    with open_store(db, read_only=True) as store:
        count = export(store, ExportSettings("events", "parquet", str(tmp_path / "e.parquet")), progress=seen.append)
    assert count == 1 and seen[-1] == 1


def test_kb_import_of_a_file_with_no_entity_keeps_the_earlier_import(tmp_path):
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "people_wikidata.yaml").write_text("# earlier import\n")
    dump = tmp_path / "dump.json"
    dump.write_text("this is not a dump\n")
    result = invoke("kb", "import", str(dump), "--kb-dir", str(kb))
    assert result.exit_code == 1
    assert "nothing written, earlier imports kept" in result.output
    assert (kb / "people_wikidata.yaml").read_text() == "# earlier import\n"


# -- progress bars: on a terminal only ---------------------------------------------------------------

def _in_a_terminal(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run `tidings ARGS` with stderr on a pseudo-terminal; returns (exit code, terminal text, stdout)."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen([TIDINGS, *args], stdin=slave, stdout=subprocess.PIPE, stderr=slave, cwd=cwd,
                            close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the terminal closed: the process is gone
            break
        if not data:
            break
        chunks.append(data)
    out = proc.stdout.read().decode()
    proc.wait(timeout=300)
    os.close(master)
    return proc.returncode, b"".join(chunks).decode("utf-8", "replace"), out


def test_progress_bars_show_on_a_terminal_and_nowhere_else(news, tmp_path):
    folder = tmp_path / "two"
    folder.mkdir()
    (folder / "a.txt").write_text(STORY)
    (folder / "b.txt").write_text(STORY.replace("Monday", "Tuesday"))
    (folder / "README").write_text("not news\n")
    code, terminal, out = _in_a_terminal(["ingest", str(folder), "--db", "p.duckdb", "--workers", "1"], tmp_path)
    assert code == 0, terminal
    assert "creating new database p.duckdb" in terminal
    assert "loading model" in terminal and "ingesting" in terminal and "2/2" in terminal  # determinate
    assert "/?" not in terminal and out.startswith("articles: 2 ok")
    code, terminal, _ = _in_a_terminal(["export", "events", "--db", "p.duckdb", "-o", "e.csv"], tmp_path)
    assert code == 0 and "exporting events" in terminal
    piped = run("export", "events", "--db", "p.duckdb", "-o", "e2.csv", cwd=tmp_path)
    assert piped.returncode == 0 and "exporting" not in piped.stderr and "\x1b" not in piped.stderr


def test_the_list_of_files_that_are_no_articles_is_well_formed():
    from tidings.ingest.files import KINDS, not_an_article, not_articles

    rules = not_articles()
    assert rules.names and rules.extensions
    assert all(name == name.lower() and "." not in name for name in rules.names)
    assert all(e.startswith(".") and e == e.lower() for e in rules.extensions)
    assert not rules.extensions & set(KINDS), "a readable article type is listed as no article"
    assert not_an_article(Path("x/README.txt"), rules) and not_an_article(Path("LICENSE"), rules)
    assert not_an_article(Path("x/data.json.gz"), rules)
    assert not_an_article(Path("2022-01-18-readme-is-a-newspaper.txt"), rules) is None
    assert not_an_article(Path("readme.jsonl"), rules) is None  # JSON Lines of articles
