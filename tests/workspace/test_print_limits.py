"""Prints draw at most MAX_PRINT_FEATURES, take a heavy slot, and have a small body limit."""

import pytest

from app import heavy
from tests.analysis.conftest import (  # noqa: F401 (fixtures)
    planner_location,
    planner_pg_template,
    planner_store_file,
)

BOTH_STORES = True  # every test here runs on GeoPackage and on PostGIS

PRINT = "/api/workspace/print"
#: zone_p z1, z2 + linee_p l1 + punti_p a, b, c: 6 features in the view (f is 8 km away)
BODY = {"bbox": [9.99, 45.095, 10.05, 45.125], "layers": ["zone_p", "linee_p", "punti_p"]}
POINT = {
    "type": "Feature",
    "geometry": {"type": "Point", "coordinates": [10.01, 45.11]},
    "properties": {},
}


@pytest.fixture
def make_client(client_factory, planner_location):  # noqa: F811 (the imported fixture)
    """make_client(**settings): a client of the planner layers' app with those settings."""
    base = {"STORE": planner_location, "AUTO_BUILD": False, "BASEMAP": "none"}
    return lambda **settings: client_factory(base, **settings)


def test_print_feature_limit(make_client):
    client = make_client(MAX_PRINT_FEATURES=6)
    assert client.post(PRINT, json=BODY).status_code == 200  # exactly the limit
    highlight = {"type": "FeatureCollection", "features": [POINT]}
    r = client.post(PRINT, json={**BODY, "highlight": highlight})  # 7 features
    assert r.status_code == 400 and r.mimetype == "application/problem+json"
    problem = r.get_json()
    assert problem["type"].endswith("#limit-exceeded") and problem["parameter"] == "layers"
    assert problem["limit"] == "GEOPORTALE_MAX_PRINT_FEATURES" and problem["maximum"] == 6
    assert "GEOPORTALE_MAX_PRINT_FEATURES=6" in problem["detail"] and "7" in problem["detail"]
    fewer = {**BODY, "layers": ["punti_p"], "highlight": highlight}
    assert client.post(PRINT, json=fewer).status_code == 200


def test_print_waits_for_no_slot(make_client):
    client = make_client(HEAVY_SLOTS=1, HEAVY_RETRY_AFTER=3)
    with client.application.extensions[heavy.KEY].hold():
        busy = client.post(PRINT, json=BODY)
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "3"
        assert busy.get_json()["type"].endswith("#server-busy")
        assert client.post(PRINT, json={**BODY, "paper": "A0"}).status_code == 400
    assert client.post(PRINT, json=BODY).status_code == 200


def test_print_body_limit(make_client):
    client = make_client(MAX_PUBLIC_BODY_KB=4)
    big = {"type": "FeatureCollection", "features": [POINT] * 100}  # ~8 KB of JSON
    r = client.post(PRINT, json={**BODY, "highlight": big})
    assert r.status_code == 413 and r.get_json()["limit"] == "GEOPORTALE_MAX_PUBLIC_BODY_KB"
    small = {"type": "FeatureCollection", "features": [POINT] * 10}
    assert client.post(PRINT, json={**BODY, "highlight": small}).status_code == 200
