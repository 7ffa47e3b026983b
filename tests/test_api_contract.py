"""The HTTP API keeps the promises of its OpenAPI document, checked over EVERY operation of it.

A real DuckDB file (synthetic articles, plus one failed input from a private path) served by the
real app: each operation is called with valid parameters (200, the documented fields present,
the body valid against the documented schema) and with broken ones (never a 5xx; every 4xx in
the one error shape, naming the parameter, with a status the document lists). Then schemathesis
generates requests from the document itself: 0 server errors, 0 undocumented statuses, bodies
matching their schemas.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402

from tidings.records import ArticleResult  # noqa: E402
from tidings.store import open_store  # noqa: E402
from tidings.store.synthetic import SyntheticSettings, synthetic_results  # noqa: E402
from tidings.vocabulary import FIELDS, allowed  # noqa: E402
from tidings.web import create_app  # noqa: E402

PRIVATE_DIR = "/home/analyst/private-corpus"


@pytest.fixture(scope="module")
def contract_db(tmp_path_factory) -> str:
    db = str(tmp_path_factory.mktemp("contract") / "contract.duckdb")
    failed = ArticleResult(id="broken-1", origin=f"{PRIVATE_DIR}/broken.html", status="error",
                           error=f"[Errno 13] Permission denied: '{PRIVATE_DIR}/broken.html'", content_hash="broken-1")
    with open_store(db) as store:
        store.save([*synthetic_results(SyntheticSettings(articles=40, events_per_article=4, seed=7)), failed])
    return db


@pytest.fixture(scope="module")
def client(contract_db):
    with TestClient(create_app(contract_db)) as c:
        yield c


@pytest.fixture(scope="module")
def schema(client) -> dict[str, Any]:
    return client.get("/api/openapi.json").json()


def _operations(schema) -> list[tuple[str, str, dict]]:
    return [(path, method, op) for path, ops in schema["paths"].items() for method, op in ops.items()]


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _validator(schema: dict, node: dict):
    from jsonschema import Draft202012Validator

    return Draft202012Validator({**node, "components": schema["components"]})


def _valid_url(path: str, client) -> str:
    if "{article_id}" in path:
        article = client.get("/api/articles", params={"limit": 1}).json()["items"][0]["id"]
        return path.replace("{article_id}", article)
    return path


_GROUP: list[str] = []  # a stored merged event's id, found on first use


def _required_params(op: dict, client=None) -> dict[str, str]:
    """Valid values for the required query parameters (actors for a/b, text for q, a stored
    merged event for group)."""
    if client is not None and not _GROUP:
        first = client.get("/api/events", params={"merged": "true", "limit": 1}).json()["items"][0]
        _GROUP.append(first.get("group_id") or f"{first['article_id']}:{first['event']}")  # never grouped: its own
    values = {"a": "RUS", "b": "UKR", "q": "actor", "group": _GROUP[0] if _GROUP else "no-such-group"}
    return {p["name"]: values[p["name"]] for p in op.get("parameters", []) if p.get("required") and p["in"] == "query"}


def _assert_error_shape(response, op: dict, where: str) -> dict:
    assert response.status_code < 500, (where, response.status_code, response.text[:300])
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"}, (where, body)
        assert set(body["error"]) == {"code", "message", "param"}, (where, body)
        assert body["error"]["code"] and body["error"]["message"], (where, body)
        assert str(response.status_code) in op["responses"], (where, response.status_code, list(op["responses"]))
        return body["error"]
    return {}


def test_every_operation_answers_valid_parameters_with_its_documented_fields(client, schema):
    gets = [(p, op) for p, m, op in _operations(schema) if m == "get"]
    assert len(gets) >= 15
    for path, op in gets:
        response = client.get(_valid_url(path, client), params=_required_params(op, client))
        assert response.status_code == 200, (path, response.text[:300])
        assert "200" in op["responses"], path
        content = op["responses"]["200"].get("content", {})
        if not response.headers["content-type"].startswith("application/json"):
            assert response.headers["content-type"].split(";")[0] in content, path
            continue
        documented = _resolve(schema, content["application/json"]["schema"])
        body = response.json()
        assert set(documented.get("required", [])) <= set(body), (path, documented.get("required"), list(body))
        assert set(documented.get("properties", {})) >= set(documented.get("required", []))
        errors = sorted(_validator(schema, documented).iter_errors(body), key=str)
        assert not errors, (path, str(errors[0])[:500])
        if "items" in documented.get("properties", {}) and body["items"]:
            row_schema = _resolve(schema, documented["properties"]["items"]["items"])
            assert row_schema.get("properties"), f"{path}: its rows have no documented fields"
            assert set(row_schema.get("required", [])) <= set(body["items"][0]), path


def test_every_response_model_names_its_fields(schema):
    """OpenAPI types the responses: no operation answers an untyped object."""
    for path, method, op in _operations(schema):
        content = op["responses"].get("200", op["responses"].get("201", {})).get("content", {})
        documented = content.get("application/json", {}).get("schema")
        if documented is None:
            continue
        node = _resolve(schema, documented)
        assert node.get("properties"), f"{method.upper()} {path} answers an untyped object: {node}"


BAD_VALUES = ["\x00", "x" * 3000, "not-a-real-value", "-1", "2022-13-45", "ÿ" * 10, "1e309", " "]


def test_broken_parameters_give_400s_in_the_one_shape_never_a_5xx(client, schema):
    calls = 0
    for path, method, op in _operations(schema):
        if method != "get":
            continue
        url = _valid_url(path, client)
        base = _required_params(op, client)
        for parameter in op.get("parameters", []):
            if parameter["in"] != "query":
                continue
            for bad in BAD_VALUES:
                response = client.get(url, params={**base, parameter["name"]: bad})
                calls += 1
                error = _assert_error_shape(response, op, f"{path}?{parameter['name']}={bad[:20]!r}")
                if response.status_code == 400 and error.get("code") == "invalid_parameter":
                    assert error["param"] is not None, (path, parameter["name"], error)
                assert "SECRET" not in response.text and "x" * 300 not in response.text
    assert calls > 500


@pytest.mark.parametrize("name", [f.name for f in FIELDS if f.kind == "choice" and f.name != "order"])
def test_every_enumerated_filter_refuses_an_unknown_value_listing_the_allowed_ones(client, name):
    field = next(f for f in FIELDS if f.name == name)
    table = field.tables[0]
    url = {"events": "/api/events", "quotes": "/api/quotes", "actors": "/api/actors", "articles": "/api/articles"}[table]
    good = field.choices_for(table)[0]
    assert client.get(url, params={name: good}).status_code == 200
    near = good[:-1] + ("Z" if good[-1] != "Z" else "Y")  # one letter off: a near miss
    response = client.get(url, params={name: near})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["param"] == name and "Allowed:" in error["message"]
    assert field.choices_for(table)[0] in error["message"]


@pytest.mark.parametrize("params, param, words", [
    ({"type": "ATTACK"}, "type", "ASSAULT"),               # not a PLOVER type
    ({"type": "ACUSE"}, "type", "did you mean ACCUSE"),
    ({"country": "Russia"}, "country", "did you mean RUS"),  # a name where a code goes
    ({"country": "RUZ"}, "country", "RUS"),
    ({"sector": "GOVT"}, "sector", "GOV"),
    ({"mode": "troop"}, "mode", "did you mean troops"),
    ({"factuality": "asserted!"}, "factuality", "asserted"),
    ({"quad_class": "verbal conflicts"}, "quad_class", "verbal conflict"),
    ({"order": "newest"}, "order", "-date"),
    ({"actor": "RUZ"}, "actor", "did you mean"),
    ({"a": "RUS"}, "b", "both a and b"),                   # half a dyad
    ({"b": "RUS"}, "a", "both a and b"),
    ({"directed": "true"}, "directed", "needs a dyad"),
    ({"since": "2022-02-01", "until": "2022-01-01"}, "since", "after until"),
    ({"background": "maybe"}, "background", "true or false"),
    ({"limit": "0"}, "limit", "greater than or equal to 1"),
])
def test_events_api_refuses_what_used_to_be_a_silent_wrong_answer(client, params, param, words):
    response = client.get("/api/events", params=params)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["param"] == param and words in error["message"], error


def test_articles_status_is_checked_and_lists_the_statuses(client):
    error = client.get("/api/articles", params={"status": "weird"}).json()["error"]
    assert error["param"] == "status" and all(s in error["message"] for s in allowed("statuses"))


def test_lists_carry_total_and_a_next_link_that_walks_every_row(client):
    for path in ("/api/events", "/api/quotes", "/api/actors", "/api/articles", "/api/errors", "/api/dyads"):
        whole = client.get(path, params={"limit": 1000}).json()
        assert whole["total"] == len(whole["items"]) and whole["next"] is None, path
        seen, url, pages = [], f"{path}?limit=7", 0
        while url:
            page = client.get(url).json()
            assert page["total"] == whole["total"], path
            seen += page["items"]
            url, pages = page["next"], pages + 1
        assert seen == whole["items"], path
        assert pages == max(1, -(-whole["total"] // 7)), path
    timeline = client.get("/api/timeline").json()
    assert timeline["total"] == len(timeline["items"]) > 0 and timeline["next"] is None


def test_downloads_stream_every_row_or_exactly_limit_rows(client):
    total = client.get("/api/events").json()["total"]
    assert total > 100
    rows = list(csv.DictReader(io.StringIO(client.get("/api/events.csv").text)))
    assert len(rows) == total
    assert len(list(csv.DictReader(io.StringIO(client.get("/api/events.csv", params={"limit": 5}).text)))) == 5
    lines = client.get("/api/events", params={"format": "jsonl", "limit": 9, "offset": 3}).text.splitlines()
    assert len(lines) == 9 and json.loads(lines[0])["article_id"] == rows[3]["article_id"]
    quotes = client.get("/api/quotes", params={"format": "jsonl"}).text.splitlines()
    assert len(quotes) == client.get("/api/quotes").json()["total"]


def test_read_endpoints_send_an_etag_and_answer_304_until_the_database_changes(contract_db, tmp_path):
    import shutil

    db = shutil.copy(contract_db, tmp_path / "copy.duckdb")  # (the module's client holds the file read-only)
    with TestClient(create_app(str(db), token="t0ken")) as writer:  # a token makes the pool writable
        first = writer.get("/api/events", params={"limit": 3})
        assert first.status_code == 200, first.text
        etag = first.headers["etag"]
        assert first.headers["cache-control"] == "no-cache"
        again = writer.get("/api/events", params={"limit": 3}, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert writer.get("/api/events", params={"limit": 4}).headers["etag"] != etag  # per URL
        with writer.app.state.tidings.pool.store() as store:
            store.save([ArticleResult(id="late-1", text="Later.", content_hash="late-1", status="skipped",
                                      error="language: de")])
        changed = writer.get("/api/events", params={"limit": 3}, headers={"If-None-Match": etag})
        assert changed.status_code == 200 and changed.headers["etag"] != etag


def test_head_and_options_are_answered_on_every_path(client, schema):
    for path, method, op in _operations(schema):
        url = _valid_url(path, client)
        options = client.options(url)
        assert options.status_code == 204, (path, options.status_code)
        assert method.upper() in options.headers["allow"] and "HEAD" in options.headers["allow"]
        if method == "get":
            head = client.head(url, params=_required_params(op, client))
            assert head.status_code == 200 and head.content == b"", path
    assert client.head("/events").status_code == 200
    missing = client.options("/api/no-such-thing")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_cors_is_off_by_default_and_on_for_the_given_origin(contract_db, client):
    origin = "https://dashboard.example.org"
    assert "access-control-allow-origin" not in client.get("/api/stats", headers={"Origin": origin}).headers
    with TestClient(create_app(contract_db, cors_origins=[origin])) as cors:
        response = cors.get("/api/stats", headers={"Origin": origin})
        assert response.headers["access-control-allow-origin"] == origin
        preflight = cors.options("/api/events", headers={"Origin": origin, "Access-Control-Request-Method": "GET"})
        assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == origin
        other = cors.get("/api/stats", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_no_response_shows_a_filesystem_path(client, contract_db, schema):
    for path, method, op in _operations(schema):
        if method != "get":
            continue
        text = client.get(_valid_url(path, client), params=_required_params(op, client)).text
        assert PRIVATE_DIR not in text and contract_db not in text, path
    errors = client.get("/api/errors").json()["items"]
    assert [(e["origin"], e["error"]) for e in errors] == [("broken.html", "[Errno 13] Permission denied: 'broken.html'")]
    assert client.get("/api/articles/broken-1").json()["origin"] == "broken.html"
    assert "database" not in client.get("/api/stats").json()
    for page in ("/", "/articles", "/articles?status=error", "/articles/broken-1"):
        assert PRIVATE_DIR not in client.get(page).text, page


def test_docs_api_index_and_html_404(client):
    docs = client.get("/docs")
    assert docs.status_code == 200 and 'src="/static/swagger-ui/swagger-ui-bundle.js"' in docs.text
    assert not re.search(r'(src|href)="https?://', docs.text)  # offline: nothing from a CDN
    index = client.get("/api/")
    assert index.status_code == 200 and index.json()["docs"] == "/docs"
    assert {e["path"] for e in index.json()["endpoints"]} >= {"/api/events", "/api/quotes", "/api/actors/suggest"}
    assert client.get("/api", follow_redirects=False).status_code == 308
    page = client.get("/no/such/page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "<html" in page.text and 'href="/docs"' in page.text
    api = client.get("/api/no/such/endpoint")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"


def test_actor_suggestions_come_from_the_stored_actors(client):
    items = client.get("/api/actors/suggest", params={"q": "RUS actor"}).json()["items"]
    assert items and all("RUS actor" in item["name"] for item in items)
    stored = {a["name"] for a in client.get("/api/actors", params={"limit": 1000}).json()["items"]}
    assert {item["value"] for item in items} <= stored
    mentions = [item["mentions"] for item in items]
    assert mentions == sorted(mentions, reverse=True)


def test_schemathesis_finds_no_server_error_and_no_undocumented_status(client):
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import (
        content_type_conformance, not_a_server_error, response_schema_conformance, status_code_conformance,
    )

    schema = schemathesis.openapi.from_asgi("/api/openapi.json", client.app)
    failures, calls = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() != "GET":
            continue

        @settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
        @given(operation.as_strategy())
        def check(case):
            nonlocal calls
            response = case.call()
            calls += 1
            try:
                case.validate_response(response, checks=[not_a_server_error, status_code_conformance,
                                                         content_type_conformance, response_schema_conformance])
            except Exception as exc:  # a failed check: collect them all, report a few
                failures.append((operation.path, case.query, response.status_code, str(exc)[:300]))

        check()
    assert calls > 200
    assert not failures, failures[:3]


def test_allowed_values_are_read_from_the_project_data():
    """The vocabulary copies no list by hand: its values are the data files' (a new PLOVER type,
    country or sector added there is accepted at once)."""
    import yaml
    from importlib import resources

    from tidings.records import FACTUALITY_VALUES, PLOVER_TYPES
    from tidings.store.codes import load_codes

    codes = load_codes()
    assert set(allowed("types")) == set(codes.quad_classes) == set(PLOVER_TYPES)
    assert set(allowed("quad_classes")) == set(codes.quad_classes.values())
    assert set(allowed("sectors")) >= codes.sectors | {"IGO"}
    geonames = yaml.safe_load(resources.files("tidings.actors").joinpath("data/countries_geonames.yaml").read_text())
    assert set(allowed("countries")) == {e["iso3"] for e in geonames} | {"IGO"} == set(codes.countries)
    triggers = yaml.safe_load(resources.files("tidings.events").joinpath("data/triggers.yaml").read_text())
    modes = {e["mode"] for key in ("verbs", "nouns", "adjectives") for e in triggers.get(key) or [] if e.get("mode")}
    assert set(allowed("modes")) == modes and "troops" in modes
    assert allowed("factuality") == FACTUALITY_VALUES
    assert set(allowed("statuses")) == {"ok", "skipped", "error"}
