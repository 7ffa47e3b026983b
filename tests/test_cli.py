"""The command line, run for real: the installed `tidings` script on files in tmp_path."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from scored_util import scored_story
from tidings.cli import cli

# A 2022 story that recalls 2014 (a background event).
RECALLS_2014 = Path(__file__).resolve().parent / "data" / "2022-01-20-recalls-2014.txt"

ROOT = Path(__file__).resolve().parents[1]
TIDINGS = str(Path(sys.executable).parent / "tidings")

STORY = """Ministers meet in Vienna as talks stall – World

German Chancellor Olaf Scholz met French President Emmanuel Macron in Berlin on Monday to discuss the crisis.

“We will not accept any violation of the border,” Scholz said after the meeting.

Russia's Foreign Minister Sergei Lavrov accused NATO of ignoring Moscow's security demands.

Advertisement

© 2022 Meridian Wire
"""


def all_commands(group: click.Group, prefix: str = "tidings"):
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        yield path, command
        if isinstance(command, click.Group):
            yield from all_commands(command, path)


def run(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([TIDINGS, *args], input=stdin, capture_output=True, text=True, cwd=cwd, timeout=600)


def test_every_command_has_help():
    runner = CliRunner()
    for path, _command in all_commands(cli):
        result = runner.invoke(cli, [*path.split()[1:], "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage:" in result.output


def test_every_command_and_option_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = []
    for path, command in all_commands(cli):
        if path not in readme:
            missing.append(path)
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt not in ("--help",) and opt not in readme:
                    missing.append(f"{path} {opt}")
    assert not missing, f"not in README.md: {missing}"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    (folder / "story.txt").write_text(STORY, encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    return folder


def test_extract_prints_one_json_object_per_article(corpus):
    proc = run("extract", str(corpus / "story.txt"), "--published", "2022-02-08")
    assert proc.returncode == 0, proc.stderr
    (line,) = proc.stdout.strip().splitlines()
    result = json.loads(line)
    assert result["status"] == "ok"
    assert result["title"] == "Ministers meet in Vienna as talks stall"
    assert result["published"] == "2022-02-08"
    assert "Advertisement" not in result["text"]
    for key in ("mentions", "events", "quotes", "credited_publisher", "language"):
        assert key in result


def test_extract_reads_json_lines_from_stdin():
    records = [{"id": "a1", "text": STORY.split("\n", 2)[2], "title": "Talks", "published": "2022-02-08"},
               {"id": "a2", "text": ""}]
    proc = run("extract", "-", stdin="\n".join(json.dumps(r) for r in records) + "\n")
    results = [json.loads(x) for x in proc.stdout.splitlines()]
    assert [r["id"] for r in results] == ["a1", "a2"]
    assert results[0]["status"] == "ok" and results[1]["status"] == "error"
    assert proc.returncode == 1  # one document failed


def test_extract_rejects_a_malformed_date(corpus):
    proc = run("extract", str(corpus / "story.txt"), "--published", "08/02/2022")
    assert proc.returncode == 2
    assert "YYYY-MM-DD" in proc.stderr


def test_ingest_stores_once_reports_failures_and_answers_queries(corpus, tmp_path):
    db = tmp_path / "t.duckdb"
    first = run("ingest", str(corpus), "--db", str(db), "--published", "2022-02-08")
    assert first.returncode == 1, first.stderr  # empty.txt failed
    assert "1 ok" in first.stdout and "1 failed" in first.stdout
    assert "empty" in first.stdout

    second = run("ingest", str(corpus), "--db", str(db), "--published", "2022-02-08")
    assert "already in the database" in second.stdout
    assert "0 ok" in second.stdout

    stats = json.loads(run("stats", "--db", str(db), "--json").stdout)
    assert json.dumps(stats).count("empty") >= 1

    events = run("events", "--db", str(db), "--format", "jsonl")
    assert events.returncode == 0, events.stderr
    rows = [json.loads(x) for x in events.stdout.splitlines()]
    assert rows, "the story has events"
    article_id = rows[0]["article_id"]

    shown = run("show", article_id, "--db", str(db))
    assert shown.returncode == 0, shown.stderr
    assert "Ministers meet in Vienna" in shown.stdout
    assert "## Events" in shown.stdout

    csv_out = run("quotes", "--db", str(db), "--format", "csv")
    assert csv_out.returncode == 0
    assert "We will not accept" in csv_out.stdout


def test_query_on_a_missing_database_is_a_clear_error(tmp_path):
    proc = run("events", "--db", str(tmp_path / "nope.duckdb"))
    assert proc.returncode == 2
    assert "no database" in proc.stderr


@pytest.fixture(scope="module")
def stored(corpus, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("db") / "t.duckdb"
    run("ingest", str(corpus), "--db", str(db), "--published", "2022-02-08")
    return db


def test_export_takes_a_dyad_as_tidings_events_does(stored):
    listed = run("events", "--db", str(stored), "--format", "jsonl", "--raw", "--limit", "1000")
    rows = [json.loads(x) for x in listed.stdout.splitlines()]
    pair = next(r for r in rows if r["source"] not in (None, "", "?") and r["target"] not in (None, "", "?"))
    a, b = pair["source"].split("; ")[0].split()[0], pair["target"].split("; ")[0].split()[0]
    between = run("events", "--db", str(stored), "--format", "jsonl", "--raw", "--limit", "1000", "--a", a, "--b", b)
    expected = sorted((r["article_id"], r["event"]) for r in map(json.loads, between.stdout.splitlines()))
    exported = run("export", "events", "--format", "jsonl", "--raw", "--db", str(stored), "--a", a, "--b", b)
    assert exported.returncode == 0, exported.stderr
    got = sorted((r["article_id"], r["event"]) for r in map(json.loads, exported.stdout.splitlines()))
    assert got == expected and 0 < len(got) < len(rows)
    half = run("export", "events", "--db", str(stored), "--a", a)
    assert half.returncode == 2 and "needs" in half.stderr, half.stderr


def test_export_writes_every_format(stored, tmp_path):
    plover = run("export", "events", "--format", "plover", "--db", str(stored))
    assert plover.returncode == 0, plover.stderr
    records = [json.loads(x) for x in plover.stdout.splitlines()]
    assert records and all(r["Event Type"] and r["Event ID"] and "tidings_sentence" in r for r in records)
    assert {"Actor Country", "Recipient Country", "Quad Code", "Publication Date"} <= set(records[0])

    events_csv = run("export", "events", "--db", str(stored))
    assert events_csv.stdout.splitlines()[0].startswith("date,date_precision,type")
    quotes_jsonl = run("export", "quotes", "--format", "jsonl", "--db", str(stored))
    assert any("We will not accept" in line for line in quotes_jsonl.stdout.splitlines())

    import pyarrow.parquet as pq

    target = tmp_path / "articles.parquet"
    done = run("export", "articles", "--format", "parquet", "--output", str(target), "--db", str(stored))
    assert done.returncode == 0, done.stderr
    assert pq.read_table(target).num_rows == 2  # the story and the failed empty file

    refused = run("export", "events", "--format", "parquet", "--db", str(stored))
    assert refused.returncode == 2


def test_trends_counts_a_dyad_per_week_and_plots_it(stored, tmp_path):
    png = tmp_path / "dyad.png"
    proc = run("trends", "--dyad", "DEU:FRA", "--by", "week", "--format", "jsonl", "--plot", str(png),
               "--db", str(stored))
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(x) for x in proc.stdout.splitlines()]
    assert sum(r["total"] for r in rows) >= 1 and sum(r["CONSULT"] for r in rows) >= 1
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = run("trends", "--dyad", "DEU", "--db", str(stored))
    assert bad.returncode == 2


def test_events_background_option_keeps_or_drops_earlier_facts(tmp_path):
    db = str(tmp_path / "bg.duckdb")
    assert run("ingest", str(RECALLS_2014), "--db", db).returncode == 0

    def rows(*options):
        proc = run("events", "--db", db, "--raw", "--format", "jsonl", *options)
        assert proc.returncode == 0, proc.stderr
        return [json.loads(x) for x in proc.stdout.splitlines()]

    every, earlier, current = rows(), rows("--background"), rows("--no-background")
    assert earlier and current and len(earlier) + len(current) == len(every)
    assert all(r["background"] for r in earlier) and not any(r["background"] for r in current)

    def periods(*options):
        proc = run("trends", "--dyad", "RUS:UKR", "--by", "week", "--format", "jsonl", "--db", db, *options)
        assert proc.returncode == 0, proc.stderr
        return [json.loads(x) for x in proc.stdout.splitlines()]

    # background events are left out by default; asked for, they stretch the series back to 2014
    default, current = periods(), periods("--no-background")
    assert default == current and default[0]["period"] >= "2022"
    assert default[0]["total"] > 0 and default[-1]["total"] > 0  # no empty leading or trailing weeks
    assert periods("--with-background", "--full-range")[0]["period"] < "2015"
    assert periods("--background", "--full-range")[0]["period"] < "2015"
    both = run("trends", "--dyad", "RUS:UKR", "--with-background", "--background", "--db", db)
    assert both.returncode != 0 and "not both" in both.stderr


def test_trends_table_folds_a_gap_of_empty_weeks_into_one_line(tmp_path):
    db = str(tmp_path / "gap.duckdb")
    assert run("ingest", str(RECALLS_2014), "--db", db).returncode == 0
    every = run("trends", "--dyad", "RUS:UKR", "--by", "week", "--with-background", "--full-range",
                "--format", "jsonl", "--db", db)
    weeks = [json.loads(x) for x in every.stdout.splitlines()]
    assert len(weeks) > 300 and sum(w["total"] == 0 for w in weeks) > 300  # 2014 to 2022, week by week
    table = run("trends", "--dyad", "RUS:UKR", "--by", "week", "--with-background", "--full-range", "--db", db)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert len(lines) < 20 and any("empty weeks)" in line for line in lines), table.stdout


def test_extract_codes_a_single_sentence_from_stdin():
    runner = CliRunner()
    result = runner.invoke(cli, ["extract", "-"], input="Russia accused Ukraine of shelling Donetsk.\n")
    assert result.exit_code == 0, result.output
    record = json.loads(result.output.splitlines()[0])
    assert record["status"] == "ok"
    assert [(e["type"], e["source"][0]["country"], e["target"][0]["country"]) for e in record["events"]] == \
        [("ACCUSE", "RUS", "UKR")]


# --- confidence --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def scored_db(tmp_path_factory) -> str:
    from tidings.store import open_store

    db = str(tmp_path_factory.mktemp("scored") / "scored.duckdb")
    with open_store(db) as store:
        store.save([scored_story()])
    return db


def _invoke(*args: str):
    result = CliRunner().invoke(cli, list(args))
    return result


def _jsonl(*args: str) -> list[dict]:
    result = _invoke(*args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_events_min_confidence_keeps_only_events_scored_at_least_that(scored_db):
    def confidences(*options):
        return sorted((r["confidence"] for r in _jsonl("events", "--db", scored_db, "--raw", "--format", "jsonl",
                                                        *options)), key=lambda c: -1 if c is None else c)

    assert confidences() == [None, 0.3, 0.9]
    assert confidences("--min-confidence", "0.5") == [0.9]
    assert confidences("--min-confidence", "0.3") == [0.3, 0.9]
    assert confidences("--min-confidence", "0") == [0.3, 0.9]  # a threshold leaves out unscored events
    assert confidences("--min-confidence", "0.95") == []
    assert [r["confidence"] for r in _jsonl("events", "--db", scored_db, "--format", "jsonl",
                                            "--min-confidence", "0.5")] == [0.9]  # merged view too
    table = _invoke("events", "--db", scored_db, "--raw")
    assert table.exit_code == 0 and "confidence" in table.output and "0.9" in table.output
    refused = _invoke("events", "--db", scored_db, "--min-confidence", "1.5")
    assert refused.exit_code == 2 and "1.5" in refused.output


def test_export_writes_the_confidence_and_honours_min_confidence(scored_db, tmp_path):
    import csv
    import io

    import pyarrow.parquet as pq

    rows = list(csv.DictReader(io.StringIO(_invoke("export", "events", "--raw", "--db", scored_db).output)))
    assert sorted(r["confidence"] for r in rows) == ["", "0.3", "0.9"]
    confident = _jsonl("export", "events", "--raw", "--format", "jsonl", "--min-confidence", "0.5", "--db", scored_db)
    assert [(r["type"], r["confidence"]) for r in confident] == [("ASSAULT", 0.9)]
    plover = _jsonl("export", "events", "--format", "plover", "--db", scored_db)
    assert sorted(r["tidings_confidence"] or 0 for r in plover) == [0, 0.3, 0.9]
    plover = _jsonl("export", "events", "--format", "plover", "--min-confidence", "0.25", "--db", scored_db)
    assert sorted((r["Event Type"], r["tidings_confidence"]) for r in plover) == [("ACCUSE", 0.3), ("ASSAULT", 0.9)]
    assert {r["Event ID"] for r in plover} == {"scored-0", "scored-1"}  # ids stay the events' ordinals
    target = tmp_path / "events.parquet"
    done = _invoke("export", "events", "--raw", "--format", "parquet", "-o", str(target), "--min-confidence", "0.3",
                   "--db", scored_db)
    assert done.exit_code == 0, done.output
    assert sorted(pq.read_table(target).column("confidence").to_pylist()) == [0.3, 0.9]
    refused = _invoke("export", "quotes", "--min-confidence", "0.5", "--db", scored_db)
    assert refused.exit_code == 2 and "--min-confidence" in refused.output


def test_trends_and_show_read_the_confidence(scored_db):
    def total(*options):
        return sum(r["total"] for r in _jsonl("trends", "--dyad", "RUS:UKR", "--format", "jsonl", "--db", scored_db,
                                              *options))

    assert (total(), total("--min-confidence", "0.2"), total("--min-confidence", "0.5")) == (3, 2, 1)
    assert total("--raw", "--min-confidence", "0.5") == 1
    shown = _invoke("show", "scored", "--db", scored_db)
    assert shown.exit_code == 0, shown.output
    lines = [line for line in shown.output.splitlines() if line.startswith("E")]
    assert ["confidence=0.90" in lines[0], "confidence=0.30" in lines[1], "confidence=-" in lines[2]] == [True] * 3


@pytest.fixture
def accuse_verifier(monkeypatch):
    """A verifier that scores verbal-conflict candidates (here the ACCUSE) 0.8 and every other
    candidate 0.2, with a trained threshold of 0.5 (processes forked from this one, ingest workers, inherit it)."""
    import math

    from tidings.events.verifier import VerifierModel

    def logit(p: float) -> float:
        return math.log(p / (1 - p))

    model = VerifierModel(weights={"quad=verbal_conflict": logit(0.8) - logit(0.2)}, bias=logit(0.2), threshold=0.5)
    monkeypatch.setattr(VerifierModel, "load", classmethod(lambda cls: model))
    return model


def test_extract_min_confidence_sets_the_extraction_threshold(corpus, accuse_verifier):
    def events(*options):
        [record] = _jsonl("extract", str(corpus / "story.txt"), "--published", "2022-02-08", *options)
        return sorted((e["type"], e["confidence"]) for e in record["events"])

    assert events() == [("ACCUSE", 0.8)]  # the verifier's threshold (0.5) by default
    assert events("--min-confidence", "0") == [("ACCUSE", 0.8), ("CONSULT", 0.2)]  # every candidate
    assert events("--min-confidence", "0.2") == [("ACCUSE", 0.8), ("CONSULT", 0.2)]
    assert events("--min-confidence", "0.9") == []


def test_ingest_min_confidence_reaches_the_worker_processes(tmp_path, accuse_verifier):
    from tidings.ingest_run import SMALL_INPUT
    from tidings.store import EventFilter, open_store

    folder = tmp_path / "stories"
    folder.mkdir()
    for i in range(SMALL_INPUT):  # enough inputs to start worker processes
        (folder / f"story-{i:02d}.txt").write_text(STORY + f"\nUpdate {i}.\n", encoding="utf-8")
    stored = {}
    for label, options in (("default", []), ("every", ["--min-confidence", "0"])):
        db = str(tmp_path / f"{label}.duckdb")
        result = _invoke("ingest", str(folder), "--db", db, "--published", "2022-02-08", "--workers", "2", *options)
        assert result.exit_code == 0, result.output
        with open_store(db, read_only=True) as store:
            stored[label] = sorted({(r["type"], r["confidence"]) for r in store.events(EventFilter(limit=None))})
    assert stored == {"default": [("ACCUSE", 0.8)], "every": [("ACCUSE", 0.8), ("CONSULT", 0.2)]}


def test_every_engine_takes_the_extraction_threshold():
    from tidings.ingest_run import IngestSettings
    from tidings.scale import RaySettings

    assert IngestSettings(min_confidence=0.3).pipeline_settings().min_confidence == 0.3
    assert RaySettings(min_confidence=0.3).pipeline_settings().min_confidence == 0.3
    assert IngestSettings().pipeline_settings().min_confidence is None  # the verifier's own threshold


@pytest.mark.parametrize("args", [["events", "--limit", "-5"], ["events", "--offset", "-1"],
                                  ["quotes", "--limit", "0"], ["ingest", "x.txt", "--workers", "-3"],
                                  ["ingest", "x.txt", "--batch-size", "0"], ["ingest", "x.txt", "--max-bytes", "0"]])
def test_out_of_range_numbers_are_refused_with_a_usage_error_not_a_traceback(tmp_path, args):
    out = CliRunner().invoke(cli, [*args, "--db", str(tmp_path / "none.duckdb")])
    assert out.exit_code == 2, out.output
    assert "Invalid value" in out.output and "Traceback" not in out.output
    assert not (tmp_path / "none.duckdb").exists()


def test_db_upgrade_of_a_missing_file_says_so_and_creates_nothing(tmp_path):
    out = CliRunner().invoke(cli, ["db", "upgrade", "--db", str(tmp_path / "typo.duckdb")])
    assert out.exit_code != 0 and "no database at" in out.output and "nothing to upgrade" in out.output
    assert not (tmp_path / "typo.duckdb").exists()


@pytest.mark.parametrize("table", ["quotes", "actors"])
def test_quotes_and_actors_list_only_the_options_their_filter_takes(table):
    from dataclasses import fields

    from tidings.store import ActorFilter, QuoteFilter

    from tidings.vocabulary import BY_NAME

    cls = {"quotes": QuoteFilter, "actors": ActorFilter}[table]
    taken = {f.name for f in fields(cls)}  # every field of the filter is an option, under the vocabulary's name
    listed = {BY_NAME[p.name].field for p in cli.commands[table].params if p.name not in ("fmt", "db", "columns")}
    assert listed == taken
    assert "--type" not in CliRunner().invoke(cli, [table, "--help"]).output


def test_filter_options_are_the_api_parameters_with_the_same_checks(tmp_path):
    """The CLI reads its filters from the same vocabulary as the API: the same names, the same
    allowed values and 'did you mean', the same refusal of half a dyad and inverted ranges."""
    from tidings.vocabulary import fields_for

    for table in ("events", "quotes", "actors"):
        options = {o for p in cli.commands[table].params for o in getattr(p, "opts", [])}
        for field in fields_for(table):
            if field.name != "merged":  # the CLI's --raw (merged is its default)
                assert "--" + field.name.replace("_", "-") in options, (table, field.name)
    export_options = {o for p in cli.commands["export"].params for o in getattr(p, "opts", [])}
    for field in fields_for("events"):
        if field.name not in ("merged", "a", "b", "directed", "limit", "offset"):
            assert "--" + field.name.replace("_", "-") in export_options, field.name
    db = str(tmp_path / "empty.duckdb")
    from tidings.store import open_store

    open_store(db).close()
    runner = CliRunner()
    for args, words in ((["--type", "ACUSE"], "did you mean ACCUSE"), (["--country", "Russia"], "did you mean RUS"),
                        (["--actor", "RUZ"], "did you mean"), (["--a", "RUS"], "both a and b"),
                        (["--directed"], "needs a dyad"), (["--since", "2022-02-01", "--until", "2022-01-01"],
                                                           "after until"),
                        (["--quad-class", "verbal conflicts"], "verbal conflict"), (["--order", "newest"], "-date")):
        out = runner.invoke(cli, ["events", "--db", db, *args])
        assert out.exit_code == 2 and words in out.output, (args, out.output)
        assert "Traceback" not in out.output
    assert runner.invoke(cli, ["events", "--db", db, "--search", "Kyiv"]).exit_code == 0  # the old name still works
    out = runner.invoke(cli, ["export", "quotes", "--db", db, "--type", "ACCUSE"])
    assert out.exit_code != 0 and "--type" in out.output
    assert runner.invoke(cli, ["export", "quotes", "--db", db, "--order", "speaker"]).exit_code == 0  # the table's orders
    out = runner.invoke(cli, ["export", "actors", "--db", db, "--order", "speaker"])
    assert out.exit_code == 2 and "not an order of actors" in out.output
