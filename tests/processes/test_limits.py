"""Process executions have bounded cost: pairs, result size, body size, concurrent runs.

Small limits on the synthetic planner store (tests/analysis/planner_data.py) make each one
observable: a problem naming the setting and its value, while requests within it still work.
"""

import io
import json

import pytest

from app import heavy
from tests.analysis.conftest import (  # noqa: F401 (fixtures)
    planner_location,
    planner_pg_template,
    planner_store_file,
)

BOTH_STORES = True  # every test here runs on GeoPackage and on PostGIS

CROSS = "/api/processes/cross-layer-query/execution"
#: z1 contains a and b, z2 contains c: 3 pairs.
CONTAINS = {"inputs": {"layer": "zone_p", "reference": "punti_p", "predicate": "contains"}}
#: every located point within 100 km of every other: 4 x 4 pairs, 4 features.
SELF_JOIN = {
    "inputs": {"layer": "punti_p", "reference": "punti_p", "predicate": "dwithin", "distance": 1e5}
}


@pytest.fixture
def make_client(client_factory, planner_location):  # noqa: F811 (the imported fixture)
    """make_client(**settings): a client of the planner layers' app with those settings."""
    base = {"STORE": planner_location, "AUTO_BUILD": False, "BASEMAP": "none"}
    return lambda **settings: client_factory(base, **settings)


def problem_of(response, status: int, limit: str, maximum: int) -> dict:
    assert response.status_code == status, response.data[:300]
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == status
    assert problem["limit"] == f"GEOPORTALE_{limit}" and problem["maximum"] == maximum
    assert f"GEOPORTALE_{limit}={maximum}" in problem["detail"]
    return problem


def test_pairs_limit(make_client):
    client = make_client(MAX_PAIRS=2)
    problem = problem_of(client.post(CROSS, json=CONTAINS), 400, "MAX_PAIRS", 2)
    assert problem["type"].endswith("#limit-exceeded") and problem["parameter"] == "filter"
    # the same query narrowed to two pairs answers
    narrowed = {"inputs": {**CONTAINS["inputs"], "reference_filter": "id <> 'c'"}}
    ok = client.post(CROSS, json=narrowed)
    assert ok.status_code == 200 and ok.get_json()["summary"]["matched"] == 1
    # a dwithin self-join far larger than the limit relates no pairs: it answers
    doc = client.post(CROSS, json=SELF_JOIN).get_json()
    assert sorted(f["id"] for f in doc["result"]["features"]) == ["a", "b", "c", "f"]


def test_result_size_limit(make_client):
    client = make_client(MAX_RESULT_FEATURES=3)
    problem = problem_of(client.post(CROSS, json=SELF_JOIN), 400, "MAX_RESULT_FEATURES", 3)
    assert problem["parameter"] == "outputs"
    as_csv = client.post(CROSS + "?f=csv", json=SELF_JOIN)
    problem_of(as_csv, 400, "MAX_RESULT_FEATURES", 3)
    # the summary alone is not bounded by the result size
    summary = client.post(CROSS, json={**SELF_JOIN, "outputs": {"summary": {}}})
    assert summary.status_code == 200 and summary.get_json()["matched"] == 4
    small = {"inputs": {**SELF_JOIN["inputs"], "reference": "linee_p", "distance": 100}}
    assert len(client.post(CROSS, json=small).get_json()["result"]["features"]) == 2  # b, c


def test_public_json_body_limit(make_client):
    client = make_client(MAX_PUBLIC_BODY_KB=1)
    padded = {"inputs": {**CONTAINS["inputs"], "filter": "id <> '" + "x" * 2048 + "'"}}
    response = client.post(CROSS, data=json.dumps(padded), content_type="application/json")
    problem = problem_of(response, 413, "MAX_PUBLIC_BODY_KB", 1)
    assert problem["parameter"] == "body"

    # a chunked body declares no length: cut off when read past the limit, same problem
    def chunked(body):
        return client.post(
            CROSS,
            input_stream=io.BytesIO(json.dumps(body).encode()),
            headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
            environ_overrides={"wsgi.input_terminated": True},
        )

    problem_of(chunked(padded), 413, "MAX_PUBLIC_BODY_KB", 1)
    assert chunked(CONTAINS).get_json()["summary"]["matched"] == 2
    assert client.post(CROSS, json=CONTAINS).status_code == 200


def test_busy_when_every_heavy_slot_is_taken(make_client):
    client = make_client(HEAVY_SLOTS=1, HEAVY_RETRY_AFTER=7)
    slots = client.application.extensions[heavy.KEY]
    with slots.hold():  # another request is running
        busy = client.post(CROSS, json=CONTAINS)
        problem = busy.get_json()
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "7"
        assert problem["type"].endswith("#server-busy") and problem["retryAfter"] == 7
        assert "GEOPORTALE_HEAVY_SLOTS=1" in problem["detail"]
        # a bad request is answered at once, without a slot
        assert client.post(CROSS, json={"inputs": {}}).status_code == 400
        # the map is never held back
        assert client.get("/api/collections/punti_p/items").status_code == 200
    assert client.post(CROSS, json=CONTAINS).status_code == 200


def test_description_states_the_limits(make_client):
    client = make_client(MAX_PAIRS=5, MAX_RESULT_FEATURES=9, MAX_PUBLIC_BODY_KB=64)
    doc = client.get("/api/processes/cross-layer-query").get_json()
    assert doc["limits"] == {
        "GEOPORTALE_MAX_PUBLIC_BODY_KB": 64,
        "GEOPORTALE_HEAVY_SLOTS": 2,
        "GEOPORTALE_MAX_PAIRS": 5,
        "GEOPORTALE_MAX_RESULT_FEATURES": 9,
    }
    assert "at most 5 related" in doc["description"] and "64 KB" in doc["description"]
    stats = client.get("/api/processes/zone-statistics").get_json()
    assert "GEOPORTALE_MAX_PAIRS" not in stats["limits"]


def test_openapi_states_the_limits(make_client):
    client = make_client(
        MAX_PAIRS=5, MAX_PUBLIC_BODY_KB=64, MAX_PRINT_FEATURES=7, MAX_DOWNLOAD_FEATURES=11
    )
    doc = client.get("/api/openapi?f=json").get_json()
    execute = doc["paths"]["/processes/{processId}/execution"]["post"]
    assert "at most 5 related" in execute["description"]
    assert "64 KB" in execute["requestBody"]["description"]
    assert {"400", "413", "503"} <= set(execute["responses"])
    assert "Retry-After" in execute["responses"]["503"]["headers"]
    printing = doc["paths"]["/workspace/print"]["post"]
    assert "at most 7 features drawn" in printing["description"]
    body = printing["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["layers"]["maxItems"] == 30
    download = doc["paths"]["/download/{file}"]
    assert "at most 11 features per download" in download["get"]["description"]
    assert not download["servers"][0]["url"].endswith("/api")
    assert {"limit", "maximum"} <= set(doc["components"]["schemas"]["problem"]["properties"])
