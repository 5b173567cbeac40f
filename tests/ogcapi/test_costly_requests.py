"""Hostile and costly read requests (issue 14): a clear problem naming the parameter, or a
503 when a read runs past QUERY_TIMEOUT_MS, never a 500 nor a held worker."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from app import create_app
from tests.conftest import DATA
from tests.stores.slow import slow_where

BOTH_STORES = True  # every test here runs on GeoPackage and on PostGIS

ITEMS = "/api/collections/punti/items"


def _not_nested(depth: int) -> str:
    node = {"op": "=", "args": [{"property": "posti"}, 120]}
    for _ in range(depth):
        node = {"op": "not", "args": [node]}
    return quote(json.dumps(node))


def _text(cql: str) -> str:
    return f"{ITEMS}?filter={quote(cql)}"


def _json(node) -> str:
    return f"{ITEMS}?filter-lang=cql2-json&filter={quote(json.dumps(node))}"


def _prop(name: str, value, op: str = "=") -> dict:
    return {"op": op, "args": [{"property": name}, value]}


@pytest.mark.parametrize(
    "url, parameter",
    [
        (_text("nome = 'a\x00b'"), "filter"),
        (_text("nome LIKE '%\x00%'"), "filter"),
        (_json(_prop("nome", "a\x00b")), "filter"),  # JSON's \u0000, not a raw NUL
        (f"{ITEMS}?nome=a%00b", "nome"),
        (f"{ITEMS}/p1%00", "featureId"),
        (f"{ITEMS}?data=2024-13-45", "data"),
        (f"{ITEMS}?data=2024-02-30", "data"),
        (_text("data = '2024-13-45'"), "filter"),
        (_text("data BETWEEN '2024-01-01' AND '2024-02-30'"), "filter"),
        (_text("data IN ('2024-01-01', 'ieri')"), "filter"),
        (_json(_prop("data", {"date": "2024-13-45"})), "filter"),
        (_json(_prop("data", "2024-13-45")), "filter"),
        (_text(" AND ".join(["posti = 120"] * 1300)), "filter"),
        (_text(" OR ".join(["posti = 120"] * 1300)), "filter"),
        (_text("NOT (" * 400 + "posti = 120" + ")" * 400), "filter"),
        (f"{ITEMS}?filter-lang=cql2-json&filter={_not_nested(400)}", "filter"),
    ],
)
def test_hostile_values_are_a_400_naming_the_parameter(client, url, parameter):
    r = client.get(url)
    assert r.status_code == 400, r.get_data(as_text=True)
    problem = r.get_json()
    assert problem["parameter"] == parameter
    assert "Traceback" not in problem["detail"]


def test_alternating_nesting_is_answered_or_refused_never_a_500(client):
    """NOT/AND alternating 45 deep is within MAX_DEPTH but beyond what SQLite's parser
    holds: the GeoPackage store refuses it with a 400, PostgreSQL answers it."""
    cql = "posti = 120"
    for _ in range(45):
        cql = f"NOT (posti = 1 AND {cql})"
    r = client.get(_text(cql))
    assert r.status_code in (200, 400), r.get_data(as_text=True)
    if r.status_code == 400:
        assert r.get_json()["parameter"] == "filter"
    else:  # 45 NOTs of (posti <> 1 OR ...): every feature with posti, but p1
        assert [f["id"] for f in r.get_json()["features"]] == ["p2", "p4", "p5", "p6"]


def test_deep_but_allowed_filters_are_answered(client):
    """Just inside the nesting limit, every walk of the tree (SQL, evaluation, psycopg's
    composition) still has the stack it needs, on both stores."""
    chain = " OR ".join(["posti = 120"] * 95)
    r = client.get(f"{ITEMS}?filter={quote(chain)}")
    assert r.status_code == 200, r.get_data(as_text=True)
    assert [f["id"] for f in r.get_json()["features"]] == ["p1"]
    r = client.get(f"{ITEMS}?filter-lang=cql2-json&filter={_not_nested(96)}")
    assert r.status_code == 200, r.get_data(as_text=True)
    assert [f["id"] for f in r.get_json()["features"]] == ["p1"]  # an even number of NOTs


def test_a_read_past_the_time_limit_is_a_503_and_the_next_request_is_served(
    store_location, backend, monkeypatch
):
    app = create_app(
        {
            "STORE": store_location,
            "LAYERS_DIR": str(DATA / "layers"),
            "DATA_ROOT": str(DATA),
            "BASEMAP": "none",
            "QUERY_TIMEOUT_MS": 50,
        }
    )
    client = app.test_client()
    try:
        with monkeypatch.context() as m:
            slow_where(m, backend)
            r = client.get(f"{ITEMS}?filter=tipo%20%3D%20%27museo%27")
        assert r.status_code == 503
        assert r.mimetype == "application/problem+json"
        assert r.headers["Retry-After"] == "10"
        problem = r.get_json()
        assert problem["type"].endswith("#query-timeout")
        assert "50 ms" in problem["detail"]
        r = client.get(f"{ITEMS}?filter=tipo%20%3D%20%27museo%27")
        assert r.status_code == 200
        assert [f["id"] for f in r.get_json()["features"]] == ["p1", "p3", "p6"]
    finally:
        app.extensions["geoportale"].store.close() if backend == "postgis" else None
