"""Dyad series, timelines, top dyads, networks and counterparts over a real store (DuckDB in
tmp_path; PostgreSQL too when TIDINGS_TEST_POSTGRES holds a URL), filled with articles whose
events are written out here so every count can be checked by hand."""

from __future__ import annotations

import pytest

from tidings.analysis import (
    counterparts, dyad_events, dyad_series, network, plot_series, series_figure, series_title, timeline, top_dyads,
)
from tidings.records import ArticleResult, Event, Participant, Span
from tidings.store import EventFilter, open_store

from pg_util import store_location


RUS = ("Russia", "RUS", None)
RUS_GOV = ("Sergei Lavrov", "RUS", "GOV")
UKR = ("Ukraine", "UKR", None)
UKR_MIL = ("Ukrainian army", "UKR", "MIL")
USA = ("United States", "USA", "GOV")
NATO = ("NATO", "IGO", None)

# (article, published, [(type, source, target, event date, location country, factuality)]);
# every event's confidence is 0.9 but those listed in CONFIDENCE.
ARTICLES = [
    ("a1", "2022-01-03", [("ASSAULT", RUS, UKR, "2022-01-03", "UKR", "asserted"),
                          ("ACCUSE", UKR, RUS, "2022-01-04", None, "asserted"),
                          ("SANCTION", USA, RUS, "2022-01-04", None, "asserted")]),
    # another outlet's report of the same attack, a day later: merges with a1's ASSAULT
    ("a2", "2022-01-04", [("ASSAULT", RUS, UKR, "2022-01-04", "UKR", "asserted")]),
    ("a3", "2022-01-12", [("CONSULT", RUS_GOV, UKR, "2022-01-12", None, "asserted"),
                          ("AGREE", RUS_GOV, UKR_MIL, None, None, "asserted")]),  # dated by the article
    ("a4", "2022-02-15", [("AID", USA, UKR, "2022-02-14", None, "asserted"),
                          ("REJECT", UKR_MIL, RUS_GOV, "2022-02-16", None, "reported"),
                          ("THREATEN", NATO, RUS, "2022-02-16", None, "asserted")]),
    ("a5", None, [("ASSAULT", RUS, UKR, None, None, "asserted")]),  # no date at all: not in a series
]


CONFIDENCE = {("a2", 0): 0.3, ("a4", 1): 0.45}  # a2's report of a1's attack, the REJECT


def _participant(actor: tuple, text: str, position: int) -> Participant:
    name, country, sector = actor
    return Participant(text=name, start=position, end=position + len(name), country=country, sector=sector,
                       name=name)


def _result(article_id: str, published: str | None, events: list[tuple]) -> ArticleResult:
    sentences, coded = [], []
    offset = 0
    for type_, source, target, day, place, factuality in events:
        sentence = f"{source[0]} did {type_.lower()} to {target[0]}."
        trigger_start = offset + len(source[0]) + 1
        from tidings.records import Location

        coded.append(Event(
            type=type_, rule=f"test.{type_.lower()}",
            trigger=Span(text="did", start=trigger_start, end=trigger_start + 3),
            sentence=Span(text=sentence, start=offset, end=offset + len(sentence)),
            source=[_participant(source, sentence, offset)],
            target=[_participant(target, sentence, offset + sentence.index(target[0]))],
            date=day, factuality=factuality, confidence=CONFIDENCE.get((article_id, len(coded)), 0.9),
            location=Location(text=place, country=place) if place else None))
        sentences.append(sentence)
        offset += len(sentence) + 1
    return ArticleResult(id=article_id, text=" ".join(sentences), published=published, title=article_id,
                         content_hash=f"hash-{article_id}", status="ok", events=coded)


@pytest.fixture(params=["duckdb", "postgresql"])
def analysis_store(request, tmp_path):
    with store_location(request.param, tmp_path, "analysis") as db, open_store(db) as store:
        store.save([_result(*article) for article in ARTICLES])
        yield store


def _by_period(rows: list[dict]) -> dict[str, dict]:
    return {row["period"]: row for row in rows}


def test_weekly_series_counts_both_directions_by_quad_class_and_type(analysis_store):
    rows = dyad_series(analysis_store, "RUS", "UKR", by="week")
    weeks = _by_period(rows)
    assert list(weeks) == ["2022-01-03", "2022-01-10", "2022-01-17", "2022-01-24", "2022-01-31",
                           "2022-02-07", "2022-02-14"]  # Mondays, empty weeks filled in
    first = weeks["2022-01-03"]
    assert (first["total"], first["a_to_b"], first["b_to_a"]) == (3, 2, 1)
    assert first["ASSAULT"] == 2 and first["ACCUSE"] == 1
    assert first["material_conflict"] == 2 and first["verbal_conflict"] == 1 and first["conflict"] == 3
    second = weeks["2022-01-10"]
    assert (second["CONSULT"], second["AGREE"], second["verbal_cooperation"], second["cooperation"]) == (1, 1, 2, 2)
    assert weeks["2022-01-17"]["total"] == 0
    last = weeks["2022-02-14"]
    assert (last["total"], last["REJECT"], last["b_to_a"]) == (1, 1, 1)  # AID is USA → UKR: not in the dyad
    assert sum(r["total"] for r in rows) == 6  # the undated a5 event is left out


def test_directed_series_keeps_only_a_acting_on_b(analysis_store):
    rows = dyad_series(analysis_store, "RUS", "UKR", by="month", directed=True)
    assert [(r["period"], r["total"]) for r in rows] == [("2022-01-01", 4)]
    assert all(r["b_to_a"] == 0 for r in rows)
    reverse = dyad_series(analysis_store, "UKR", "RUS", by="month", directed=True)
    assert [(r["period"], r["total"]) for r in reverse] == [("2022-01-01", 1), ("2022-02-01", 1)]


def test_actor_codes_select_sectors_names_and_organisations(analysis_store):
    gov = dyad_series(analysis_store, "RUS:GOV", "UKR", by="month")
    assert sum(r["total"] for r in gov) == 3  # CONSULT, AGREE (Lavrov → UKR), REJECT (UKR MIL → Lavrov)
    mil = dyad_series(analysis_store, "RUSGOV", "UKR MIL", by="month")
    assert sum(r["total"] for r in mil) == 2
    # a country's known name is that country (the "Ukrainian army" is Ukraine's too)
    assert sum(r["total"] for r in dyad_series(analysis_store, "Lavrov", "Ukraine", by="month")) == 3
    # free text matches whole words of names: "Ukrainian army", not a part of a word
    assert sum(r["total"] for r in dyad_series(analysis_store, "Lavrov", "ukrainian army", by="month")) == 2
    assert sum(r["total"] for r in dyad_series(analysis_store, "Lavrov", "ukrain", by="month")) == 0
    nato = dyad_series(analysis_store, "IGO NATO", "RUS", by="month")
    assert [(r["period"], r["THREATEN"]) for r in nato] == [("2022-02-01", 1)]
    assert dyad_series(analysis_store, "CHN", "RUS") == []


def test_date_range_bounds_and_fills_the_series(analysis_store):
    rows = dyad_series(analysis_store, "RUS", "UKR", by="day", since="2022-01-02", until="2022-01-06")
    assert [r["period"] for r in rows] == ["2022-01-02", "2022-01-03", "2022-01-04", "2022-01-05", "2022-01-06"]
    assert [r["total"] for r in rows] == [0, 1, 2, 0, 0]
    months = dyad_series(analysis_store, "RUS", "UKR", by="month", since="2021-12-15", until="2022-03-31")
    assert [r["period"] for r in months] == ["2021-12-01", "2022-01-01", "2022-02-01", "2022-03-01"]
    with pytest.raises(ValueError):
        dyad_series(analysis_store, "RUS", "UKR", by="fortnight")
    with pytest.raises(ValueError):
        dyad_series(analysis_store, "RUS", "UKR", since="last tuesday")


def test_merged_series_counts_one_event_reported_twice_once(analysis_store):
    plain = _by_period(dyad_series(analysis_store, "RUS", "UKR", by="week"))
    merged = _by_period(dyad_series(analysis_store, "RUS", "UKR", by="week", merged=True))
    assert plain["2022-01-03"]["ASSAULT"] == 2
    assert merged["2022-01-03"]["ASSAULT"] == 1
    assert merged["2022-01-03"]["ACCUSE"] == 1  # a different event type never merges
    assert merged["2022-01-10"]["total"] == plain["2022-01-10"]["total"]


def test_series_with_a_confidence_threshold_counts_only_confident_events(analysis_store):
    every = _by_period(dyad_series(analysis_store, "RUS", "UKR", by="week"))
    confident = _by_period(dyad_series(analysis_store, "RUS", "UKR", by="week", min_confidence=0.5))
    assert every["2022-01-03"]["ASSAULT"] == 2 and confident["2022-01-03"]["ASSAULT"] == 1  # a2's report: 0.3
    assert every["2022-02-14"]["REJECT"] == 1 and "2022-02-14" not in confident  # 0.45: the series ends earlier
    assert sum(r["total"] for r in confident.values()) == sum(r["total"] for r in every.values()) - 2
    merged = _by_period(dyad_series(analysis_store, "RUS", "UKR", by="week", merged=True, min_confidence=0.5))
    assert merged["2022-01-03"]["ASSAULT"] == 1
    assert all(r["total"] == 0 for r in dyad_series(analysis_store, "RUS", "UKR", min_confidence=0.95))
    rows = dyad_events(analysis_store, "RUS", "UKR", EventFilter(min_confidence=0.5, limit=None))
    assert rows and all(r["confidence"] == 0.9 for r in rows)
    assert len(rows) == len(dyad_events(analysis_store, "RUS", "UKR", EventFilter(limit=None))) - 2


def test_series_agrees_with_the_event_list_behind_it(analysis_store):
    rows = dyad_events(analysis_store, "RUS", "UKR", EventFilter(limit=None))
    assert len(rows) == 7  # including the undated one
    assert {r["article_id"] for r in rows} == {"a1", "a2", "a3", "a4", "a5"}
    week = dyad_events(analysis_store, "RUS", "UKR",
                       EventFilter(since="2022-01-03", until="2022-01-09", quad_class="material conflict",
                                   limit=None))
    assert [r["type"] for r in week] == ["ASSAULT", "ASSAULT"]


def test_timeline_top_dyads_network_and_counterparts(analysis_store):
    months = _by_period(timeline(analysis_store, EventFilter(limit=None), by="month"))
    assert months["2022-01-01"]["total"] == 6 and months["2022-02-01"]["total"] == 3
    assert months["2022-01-01"]["material_conflict"] == 3  # 2 ASSAULT + SANCTION
    assert months["2022-01-01"]["verbal_cooperation"] == 2  # CONSULT, AGREE
    dyads = top_dyads(analysis_store, limit=3)
    assert (dyads[0]["source"], dyads[0]["target"], dyads[0]["events"]) == ("RUS", "UKR", 5)
    net = network(analysis_store)
    assert {n["id"] for n in net["nodes"]} == {"RUS", "UKR", "USA", "IGO NATO"}
    rus = next(n for n in net["nodes"] if n["id"] == "RUS")
    assert (rus["out"], rus["in"]) == (5, 4)
    partners = {c["actor"]: c for c in counterparts(analysis_store, "RUS")}
    assert (partners["UKR"]["to"], partners["UKR"]["from"]) == (5, 2)
    assert partners["USA"]["from"] == 1 and partners["IGO NATO"]["from"] == 1


def test_plot_series_draws_cooperation_and_conflict(analysis_store, tmp_path):
    from PIL import Image

    rows = dyad_series(analysis_store, "RUS", "UKR", by="week")
    path = plot_series(rows, tmp_path / "dyad.png", title="RUS – UKR")
    image = Image.open(path).convert("RGB")
    assert image.size[0] >= 600
    colours = {image.getpixel((x, y)) for x in range(0, image.size[0], 2) for y in range(0, image.size[1], 2)}
    assert (0xC0, 0x39, 0x2B) in colours  # material conflict bars
    assert (0x7F, 0xB8, 0xE0) in colours  # verbal cooperation bars
    empty = plot_series([], tmp_path / "empty.png")
    assert Image.open(empty).size == image.size


def test_series_title_says_whether_the_dyad_is_directed():
    assert series_title("USA", "RUS", "week", directed=True) == "USA → RUS: events per week"
    assert series_title("USA", "RUS", "month", directed=False, merged=False) == \
        "USA ↔ RUS (both directions): reports per month"


def test_series_plot_keeps_the_legend_off_the_bars_and_counts_in_whole_numbers(analysis_store):
    rows = dyad_series(analysis_store, "RUS", "UKR", by="week")
    assert any(r["total"] for r in rows)
    figure = series_figure(rows, title="RUS → UKR: events per week")
    renderer = figure.canvas.get_renderer()
    axes = figure.axes[0]
    assert axes.get_title() == "RUS → UKR: events per week"
    legend = axes.get_legend().get_window_extent(renderer)
    plot_area = axes.get_window_extent(renderer)
    assert legend.x0 >= plot_area.x1  # right of the plot area, covering no bar
    assert legend.x1 <= figure.bbox.x1  # and inside the image
    ticks = [t for t in axes.get_yticks() if axes.get_ylim()[0] <= t <= axes.get_ylim()[1]]
    assert ticks and all(float(t).is_integer() for t in ticks)
    labels = [label.get_text() for label in axes.get_yticklabels()]
    assert not any(label.startswith(("-", "−")) for label in labels)  # conflict counts read as counts


# -- reciprocal events: all parties are sources, no target ("Germany and Poland signed an agreement") --

DEU = ("Germany", "DEU", None)
POL = ("Poland", "POL", None)
FRA = ("France", "FRA", None)
MACRON = ("Emmanuel Macron", "FRA", "GOV")
PUTIN = ("Vladimir Putin", "RUS", "GOV")
MERKEL = ("Angela Merkel", "DEU", "GOV")
SCHOLZ = ("Olaf Scholz", "DEU", "GOV")
THEM = (None, None, None)  # a pronoun with no antecedent: stored as no participant

# (article, published, [(type, sources, targets, event date)])
RECIPROCAL_ARTICLES = [
    ("r1", "2022-03-07", [("AGREE", [DEU, POL], [], "2022-03-07"),          # reciprocal: DEU ↔ POL
                          ("CONSULT", [MACRON, PUTIN], [], "2022-03-08"),   # reciprocal: FRA:GOV ↔ RUS:GOV
                          ("PROTEST", [DEU], [], "2022-03-08"),             # one party, no target: no pair
                          ("CONSULT", [DEU, DEU], [], "2022-03-09"),        # one actor twice: no pair
                          ("CONSULT", [MERKEL, SCHOLZ], [], "2022-03-09")]),  # two German actors: a pair
    ("r2", "2022-03-14", [("ACCUSE", [DEU], [POL], "2022-03-14"),           # directed: DEU → POL
                          ("SANCTION", [DEU, FRA], [PUTIN], "2022-03-15"),  # a joint act on a target: no DEU-FRA pair
                          ("THREATEN", [DEU, POL], [THEM], "2022-03-15"),  # a target naming no actor: not reciprocal
                          ("REJECT", [DEU, POL], [], "2022-03-16")]),       # a joint act of a type not reciprocal: no pair
]


def _party(actor: tuple, position: int) -> Participant:
    name, country, sector = actor
    text = name or "them"
    return Participant(text=text, start=position, end=position + len(text), country=country, sector=sector,
                       name=name)


def _reciprocal_result(article_id: str, published: str, events: list[tuple]) -> ArticleResult:
    sentences, coded, offset = [], [], 0
    for type_, sources, targets, day in events:
        sentence = f"{' and '.join(s[0] or 'them' for s in sources)} did {type_.lower()}" \
                   f"{' to ' + ' and '.join(t[0] or 'them' for t in targets) if targets else ''}."
        coded.append(Event(
            type=type_, rule=f"test.{type_.lower()}",
            trigger=Span(text="did", start=offset + sentence.index(" did ") + 1,
                         end=offset + sentence.index(" did ") + 4),
            sentence=Span(text=sentence, start=offset, end=offset + len(sentence)),
            source=[_party(s, offset) for s in sources], target=[_party(t, offset) for t in targets],
            date=day, factuality="asserted", confidence=0.9))
        sentences.append(sentence)
        offset += len(sentence) + 1
    return ArticleResult(id=article_id, text=" ".join(sentences), published=published, title=article_id,
                         content_hash=f"hash-{article_id}", status="ok", events=coded)


@pytest.fixture(params=["duckdb", "postgresql"])
def reciprocal_store(request, tmp_path):
    with store_location(request.param, tmp_path, "reciprocal") as db, open_store(db) as store:
        store.save([_reciprocal_result(*article) for article in RECIPROCAL_ARTICLES])
        yield store


def _types(rows: list[dict]) -> list[str]:
    return sorted(r["type"] for r in rows)


def test_a_reciprocal_event_is_between_its_parties_either_way(reciprocal_store):
    every = EventFilter(limit=None)
    assert _types(dyad_events(reciprocal_store, "DEU", "POL", every)) == ["ACCUSE", "AGREE"]
    assert _types(dyad_events(reciprocal_store, "POL", "DEU", every)) == ["ACCUSE", "AGREE"]
    # directed: either party of an agreement acts on the other
    assert _types(dyad_events(reciprocal_store, "DEU", "POL", every, directed=True)) == ["ACCUSE", "AGREE"]
    assert _types(dyad_events(reciprocal_store, "POL", "DEU", every, directed=True)) == ["AGREE"]
    # names and sectors read the participants: talks between Macron and Putin
    assert _types(dyad_events(reciprocal_store, "Macron", "Putin", every)) == ["CONSULT"]
    assert _types(dyad_events(reciprocal_store, "Putin", "Macron", every, directed=True)) == ["CONSULT"]
    assert _types(dyad_events(reciprocal_store, "FRA:GOV", "RUS:GOV", every)) == ["CONSULT"]
    assert _types(dyad_events(reciprocal_store, "Merkel", "Scholz", every)) == ["CONSULT"]
    # co-sources of an act on a target are no pair; a target that names no actor is still a target;
    # a joint rejection ("Germany and Poland rejected the plan") is no act of one on the other
    assert dyad_events(reciprocal_store, "DEU", "FRA", every) == []
    assert "REJECT" not in _types(dyad_events(reciprocal_store, "DEU", "POL", every))
    assert _types(dyad_events(reciprocal_store, "FRA", "RUS", every, directed=True)) == ["CONSULT", "SANCTION"]
    assert _types(dyad_events(reciprocal_store, "RUS", "FRA", every, directed=True)) == ["CONSULT"]


def test_the_code_columns_and_the_participants_find_the_same_reciprocal_events(reciprocal_store):
    from tidings.analysis import count_dyad_events, place_counts
    from tidings.analysis.queries import dyad_codes_condition

    assert dyad_codes_condition(reciprocal_store, "DEU", "POL") is not None  # the fast path is taken
    pairs = [("DEU", "POL"), ("POL", "DEU"), ("DEU", "FRA"), ("FRA", "RUS"), ("RUS", "FRA"), ("FRA:GOV", "RUS:GOV"),
             ("DEU", "DEU"), ("DEU:GOV", "DEU:GOV"), ("GOV", "DEU"), ("DEU", "GOV"), ("GOV", "GOV"), ("POL", "RUS")]
    for a, b in pairs:
        for directed in (False, True):
            listed = dyad_events(reciprocal_store, a, b, EventFilter(limit=None), directed=directed)
            assert count_dyad_events(reciprocal_store, a, b, EventFilter(), directed=directed) == len(listed), (a, b)
            places = place_counts(reciprocal_store, EventFilter(), dyad=(a, b), directed=directed)
            assert places["placed"] + places["unplaced"] == len(listed), (a, b, directed)
    # one German actor twice is no pair; two German leaders are
    assert _types(dyad_events(reciprocal_store, "DEU", "DEU", EventFilter(limit=None))) == ["CONSULT"]
    assert count_dyad_events(reciprocal_store, "DEU", "POL", EventFilter(type="AGREE")) == 1


def test_series_counts_reciprocal_events_apart_from_either_direction(reciprocal_store):
    for merged in (False, True):
        weeks = _by_period(dyad_series(reciprocal_store, "DEU", "POL", by="week", merged=merged))
        first, second = weeks["2022-03-07"], weeks["2022-03-14"]
        assert (first["total"], first["a_to_b"], first["b_to_a"], first["reciprocal"], first["AGREE"]) == (1, 0, 0, 1, 1)
        assert (second["total"], second["a_to_b"], second["b_to_a"], second["reciprocal"]) == (1, 1, 0, 0)
        back = _by_period(dyad_series(reciprocal_store, "POL", "DEU", by="week", merged=merged, directed=True))
        assert (back["2022-03-07"]["total"], back["2022-03-07"]["reciprocal"]) == (1, 1)
        assert sum(r["total"] for r in back.values()) == 1
    assert sum(r["reciprocal"] for r in dyad_series(reciprocal_store, "Macron", "Putin")) == 1


def test_top_dyads_network_and_counterparts_count_reciprocal_events_both_ways(reciprocal_store):
    dyads = {(d["source"], d["target"]): d for d in top_dyads(reciprocal_store, limit=20)}
    assert (dyads["DEU", "POL"]["events"], dyads["DEU", "POL"]["reciprocal"]) == (2, 1)  # ACCUSE, AGREE
    assert (dyads["POL", "DEU"]["events"], dyads["POL", "DEU"]["reciprocal"]) == (1, 1)  # AGREE
    assert (dyads["FRA", "RUS"]["events"], dyads["FRA", "RUS"]["reciprocal"]) == (2, 1)  # SANCTION, CONSULT
    assert dyads["RUS", "FRA"]["events"] == 1 and dyads["DEU", "RUS"]["events"] == 1
    assert ("DEU", "FRA") not in dyads and ("FRA", "DEU") not in dyads  # co-sources of a sanction
    assert ("DEU", "DEU") not in dyads  # self-pairs are left out, as ever
    assert set(dyads) == {("DEU", "POL"), ("POL", "DEU"), ("FRA", "RUS"), ("RUS", "FRA"), ("DEU", "RUS")}
    net = network(reciprocal_store)
    pol = next(n for n in net["nodes"] if n["id"] == "POL")
    assert (pol["out"], pol["in"]) == (1, 2)
    partners = {c["actor"]: c for c in counterparts(reciprocal_store, "POL")}
    assert set(partners) == {"DEU"}
    assert (partners["DEU"]["to"], partners["DEU"]["from"], partners["DEU"]["reciprocal"],
            partners["DEU"]["events"]) == (0, 1, 1, 2)
    deu = {c["actor"]: c for c in counterparts(reciprocal_store, "DEU")}
    assert (deu["POL"]["to"], deu["POL"]["reciprocal"]) == (1, 1) and "FRA" not in deu
    assert deu["DEU"]["reciprocal"] == 1  # Merkel and Scholz


def test_an_event_whose_targets_name_no_actor_keeps_a_target_code(reciprocal_store):
    codes = reciprocal_store.backend.rows(
        "SELECT type, target_codes FROM events WHERE article_id = 'r2' ORDER BY ordinal")
    assert [(r["type"], r["target_codes"]) for r in codes] == [
        ("ACCUSE", "/POL:/"), ("SANCTION", "/RUS:GOV/"), ("THREATEN", ""), ("REJECT", None)]
    agreement = reciprocal_store.backend.scalar(
        "SELECT target_codes FROM events WHERE article_id = 'r1' AND ordinal = 0")
    assert agreement is None
