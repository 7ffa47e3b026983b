"""Exports typed for analysis (issue #17, item 6): every export (CSV, JSON Lines, Parquet, PLOVER
JSON) loaded in pandas and in DuckDB, with the types a data team expects: dates as DATE, times as
TIMESTAMP, flags as (nullable) BOOLEAN, counts as integers, an event's sources and targets as lists
(joined strings in CSV), one date column; and the README's data dictionary lists every column."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner

from tidings.cli import cli
from tidings.export import COLUMNS, columns_for, story_people_and_orgs
from tidings.records import (
    Actor, ArticleResult, Attribution, Event, Mention, Participant, Quote, Span,
)
from tidings.store import EventFilter, open_store

ROOT = Path(__file__).resolve().parents[1]
TEXT = "Russia accused Ukraine. NATO warned Moscow. Police arrested a man. Lavrov said Politico lied."


def _who(name: str, country: str | None, sector: str | None, start: int = 0) -> Participant:
    return Participant(name, start, start + len(name), country, sector, name)


def _event(kind: str, source: list[Participant], target: list[Participant], confirmed: bool | None,
           date: str | None, background: bool = False) -> Event:
    return Event(type=kind, trigger=Span("accused", 7, 14), sentence=Span(TEXT[:23], 0, 23), rule="test",
                 source=source, target=target, date=date, background=background, confidence=0.8,
                 attribution=Attribution(kind="named", speaker="Lavrov", confirmed=confirmed))


def _article(article_id: str, published: str) -> ArticleResult:
    events = [
        _event("ACCUSE", [_who("Russia", "RUS", None)], [_who("Ukraine", "UKR", "GOV")], True, "2022-01-17"),
        _event("THREATEN", [_who("NATO", "IGO", "IGO"), _who("the alliance", None, None)],
               [_who("Moscow", "RUS", "GOV")], False, None),
        _event("COERCE", [_who("Police", None, "COP")], [], None, "2014-03-01", background=True),
    ]
    return ArticleResult(
        id=article_id, text=TEXT, title=f"title {article_id}", published=published, language="en", status="ok",
        origin=f"{article_id}.txt", content_hash=f"h-{article_id}", events=events,
        mentions=[Mention("Lavrov", 67, 73, Actor("Sergei Lavrov", "RUS", "GOV", how="kb",
                                                  kb_id="person.sergei_lavrov"), entity=0, label="PERSON")],
        quotes=[Quote("Politico lied", 79, 92, False, _who("Lavrov", "RUS", "GOV", 67), Span("said", 74, 78))])


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("export") / "t.duckdb")
    with open_store(path) as store:
        store.save([_article("a1", "2022-01-18"), _article("a2", "2022-01-19")])
    return path


@pytest.fixture(scope="module")
def exported(db, tmp_path_factory) -> dict[tuple[str, str], Path]:
    folder = tmp_path_factory.mktemp("out")
    files = {}
    for table in ("events", "quotes", "actors", "articles"):
        for fmt, suffix in (("csv", "csv"), ("jsonl", "jsonl"), ("parquet", "parquet")):
            files[table, fmt] = folder / f"{table}.{suffix}"
            _export(db, table, "--format", fmt, "-o", str(files[table, fmt]))
    files["events", "plover"] = folder / "plover.jsonl"
    _export(db, "events", "--format", "plover", "-o", str(files["events", "plover"]))
    files["events", "raw"] = folder / "raw.parquet"
    _export(db, "events", "--raw", "--format", "parquet", "-o", str(files["events", "raw"]))
    return files


def _export(db: str, *args: str) -> None:
    result = CliRunner().invoke(cli, ["export", *args, "--db", db])
    assert result.exit_code == 0, result.output


def _duck_types(path: Path) -> dict[str, str]:
    reader = {".csv": "read_csv", ".jsonl": "read_json", ".parquet": "read_parquet"}[path.suffix]
    rows = duckdb.sql(f"DESCRIBE SELECT * FROM {reader}('{path}')").fetchall()
    return {name: kind for name, kind, *_ in rows}


# -- Parquet -------------------------------------------------------------------------------------

def test_parquet_events_have_dates_booleans_integers_and_lists_in_duckdb(exported):
    types = _duck_types(exported["events", "parquet"])
    assert [name for name in types] == [c.name for c in columns_for("events", EventFilter(merged=True))]
    assert {types[c] for c in ("date", "published", "first_day", "last_day")} == {"DATE"}
    assert {types[c] for c in ("background", "attribution_confirmed", "attribution_disputed")} == {"BOOLEAN"}
    assert {types[c] for c in ("num_mentions", "num_articles", "num_sources", "event")} == {"BIGINT"}
    assert types["confidence"] == "DOUBLE"
    for side in ("source", "target"):
        for suffix in ("", "_names", "_country", "_sector"):
            assert types[side + suffix] == "VARCHAR[]", side + suffix
    assert "event_date" not in types  # one date column


def test_parquet_events_in_pandas_keep_nullable_booleans_and_integer_counts(exported):
    frame = pd.read_parquet(exported["events", "parquet"])
    assert str(frame["attribution_confirmed"].dtype) == "boolean"
    assert set(frame["attribution_confirmed"].dropna()) == {True, False}
    assert frame["attribution_confirmed"].isna().sum() == 2  # the unsaid one of each article
    assert str(frame["background"].dtype) == "boolean" and frame["background"].sum() == 2
    assert str(frame["num_sources"].dtype) == "Int64"
    assert frame["confidence"].dtype == "float64"
    assert all(isinstance(v, dt.date) for v in frame["date"])
    assert pd.to_datetime(frame["date"]).dt.year.tolist()  # converts without a format
    threat = frame[frame["type"] == "THREATEN"].sort_values("date").iloc[0]  # the export is newest first
    assert list(threat["source"]) == ["IGO NATO", "?"]
    assert list(threat["source_names"]) == ["NATO", "the alliance"]
    assert list(threat["source_country"]) == ["IGO", None]
    assert list(threat["target_sector"]) == ["GOV"]
    assert threat["date"] == dt.date(2022, 1, 18)  # no date in the text: the publication date


def test_parquet_articles_have_timestamps(exported):
    types = _duck_types(exported["articles", "parquet"])
    assert types["ingested_at"] == "TIMESTAMP" and types["processed_at"] == "TIMESTAMP"
    assert types["published"] == "DATE" and types["n_events"] == "BIGINT"
    frame = pd.read_parquet(exported["articles", "parquet"])
    assert str(frame["ingested_at"].dtype).startswith("datetime64")


def test_raw_event_export_has_no_merged_columns(exported):
    types = _duck_types(exported["events", "raw"])
    assert "group_id" not in types and "num_sources" not in types and types["date"] == "DATE"


def test_quotes_and_actors_are_typed(exported):
    quotes = _duck_types(exported["quotes", "parquet"])
    assert quotes["direct"] == "BOOLEAN" and quotes["published"] == "DATE" and quotes["quote"] == "BIGINT"
    actors = _duck_types(exported["actors", "parquet"])
    assert {actors[c] for c in ("mentions", "articles", "as_source", "as_target")} == {"BIGINT"}


# -- JSON Lines ----------------------------------------------------------------------------------

def test_jsonl_events_carry_lists_and_json_booleans(exported):
    records = [json.loads(line) for line in exported["events", "jsonl"].read_text().splitlines()]
    threat = next(r for r in records if r["type"] == "THREATEN")
    assert threat["source_country"] == ["IGO", None] and threat["target"] == ["RUS GOV"]
    assert {r["attribution_confirmed"] for r in records} == {True, False, None}
    types = _duck_types(exported["events", "jsonl"])
    assert types["date"] == "DATE" and types["first_day"] == "DATE"
    assert types["attribution_confirmed"] == "BOOLEAN" and types["num_sources"] == "BIGINT"
    assert types["source_country"] == "VARCHAR[]"
    frame = pd.read_json(exported["events", "jsonl"], lines=True, dtype_backend="pyarrow")
    assert str(frame["attribution_confirmed"].dtype) == "bool[pyarrow]"
    assert str(frame["num_sources"].dtype) == "int64[pyarrow]"
    assert frame["source_names"].map(list).tolist()[0]


# -- CSV -----------------------------------------------------------------------------------------

def test_csv_keeps_joined_strings_and_loads_typed_in_duckdb(exported):
    frame = pd.read_csv(exported["events", "csv"], keep_default_na=False)
    threat = frame[frame["type"] == "THREATEN"].sort_values("date").iloc[0]  # the export is newest first
    assert threat["source"] == "IGO NATO; ?" and threat["source_names"] == "NATO; the alliance"
    assert threat["source_country"] == "IGO; "
    assert frame["num_sources"].dtype == "int64" and frame["confidence"].dtype == "float64"
    types = _duck_types(exported["events", "csv"])
    assert types["date"] == "DATE" and types["attribution_confirmed"] == "BOOLEAN"
    assert types["background"] == "BOOLEAN" and types["source"] == "VARCHAR"
    assert duckdb.sql(f"SELECT count(*) FROM read_csv('{exported['events', 'csv']}')"
                      " WHERE attribution_confirmed IS NULL").fetchall()[0][0] == 2


def test_an_empty_csv_export_still_has_its_header(db, tmp_path):
    target = tmp_path / "none.csv"
    _export(db, "events", "--type", "AID", "-o", str(target))
    assert target.read_text().splitlines()[0].startswith("date,date_precision,type,mode,quad_class,source,")


# -- PLOVER JSON ---------------------------------------------------------------------------------

def test_plover_records_load_in_pandas_and_duckdb(exported):
    path = exported["events", "plover"]
    types = _duck_types(path)
    assert types["Event Date"] == "DATE" and types["Publication Date"] == "DATE"
    assert types["Quad Code"] == "BIGINT" and types["tidings_confirmed"] == "BOOLEAN"
    frame = pd.read_json(path, lines=True, dtype_backend="pyarrow")
    assert str(frame["tidings_background"].dtype) == "bool[pyarrow]"
    assert frame["Story People"].tolist()[0] == "Sergei Lavrov"


# -- story lists -----------------------------------------------------------------------------------

def test_story_lists_follow_the_knowledge_base_and_the_entity_over_one_ner_tag():
    mentions = [
        Mention("Politico", 0, 8, Actor("Politico"), entity=1, label="PERSON"),
        Mention("Politico", 20, 28, Actor("Politico"), entity=1, label="ORG"),
        Mention("Politico", 40, 48, Actor("Politico"), entity=1, label="ORG"),
        Mention("Eisenhower", 60, 70, Actor("Dwight D. Eisenhower", "USA", "ELI", how="kb",
                                            kb_id="person.dwight_d._eisenhower"), entity=2, label="ORG"),
        Mention("John F. Kennedy", 110, 125, Actor("John F. Kennedy"), entity=3, label="ORG"),
        Mention("Josep Borrell", 160, 173, Actor("European Union", "IGO", "IGO", how="kb",
                                                 kb_id="person.josep_borrell"), entity=6, label="PERSON"),
        Mention("Borrell", 180, 187, Actor("European Union", "IGO", "IGO", how="coref",
                                           kb_id="person.josep_borrell"), entity=6, label="PERSON"),
        Mention("Breitbart", 150, 159, Actor("Breitbart News", "USA", "MED", how="kb", kb_id="usa.breitbart"),
                entity=5, label="PERSON"),
        Mention("USS Harry S. Truman", 130, 149, Actor("USS Harry S. Truman"), entity=4, label="ORG"),
        Mention("Moscow", 80, 86, Actor("Russia", "RUS", "GOV", how="kb", kb_id="capital.RUS"), label="GPE"),
        Mention("the ministry", 90, 102, Actor("State Department", "USA", "GOV", how="kb",
                                                  kb_id="usa.state_dept"), label="NOUN"),
    ]
    people, orgs = story_people_and_orgs(ArticleResult(id="x", text="", mentions=mentions))
    assert people == ["Dwight D. Eisenhower", "John F. Kennedy", "Josep Borrell"]
    assert orgs == ["Breitbart News", "Politico", "State Department", "USS Harry S. Truman"]


# -- the data dictionary ---------------------------------------------------------------------------

def test_the_readme_data_dictionary_lists_every_exported_column():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Data dictionary", 1)[1].split("\n## ", 1)[0]
    missing = [f"{table}.{c.name}" for table, columns in COLUMNS.items() for c in columns
               if f"`{c.name}`" not in section]
    assert not missing, missing


def test_every_column_the_store_returns_is_in_the_column_table(db):
    with open_store(db, read_only=True) as store:
        from tidings.export import table_rows

        for table in COLUMNS:
            query = EventFilter(merged=True) if table == "events" else None
            row = next(iter(table_rows(store, table, query)))
            assert set(row) <= {c.name for c in COLUMNS[table]}, (table, set(row) - {c.name for c in COLUMNS[table]})
