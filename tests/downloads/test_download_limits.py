"""Downloads hold at most MAX_DOWNLOAD_FEATURES; large ones share the heavy-request slots."""

from urllib.parse import quote

import pytest

from app import heavy
from tests.conftest import DATA

BOTH_STORES = True  # every test here runs on GeoPackage and on PostGIS


@pytest.fixture
def make_client(client_factory, store_location):
    """make_client(**settings): a client of the fixture layers' app with those settings."""
    base = {
        "STORE": store_location,
        "LAYERS_DIR": str(DATA / "layers"),
        "DATA_ROOT": str(DATA),
        "BASEMAP": "none",
    }
    return lambda **settings: client_factory(base, **settings)


def test_download_feature_limit(make_client):
    client = make_client(MAX_DOWNLOAD_FEATURES=5)
    r = client.get("/download/punti.geojson", headers={"Accept": "application/json"})
    assert r.status_code == 400 and r.mimetype == "application/problem+json"
    problem = r.get_json()
    assert problem["type"].endswith("#limit-exceeded") and problem["parameter"] == "filter"
    assert problem["limit"] == "GEOPORTALE_MAX_DOWNLOAD_FEATURES" and problem["maximum"] == 5
    assert "GEOPORTALE_MAX_DOWNLOAD_FEATURES=5" in problem["detail"] and "6" in problem["detail"]
    # narrowed by a filter it is within the limit
    narrowed = client.get("/download/punti.geojson?filter=" + quote("tipo = 'museo'"))
    assert narrowed.status_code == 200 and len(narrowed.get_json()["features"]) == 3
    assert client.get("/download/zone.csv").status_code == 200  # 3 features


def test_large_downloads_take_a_heavy_slot(make_client):
    client = make_client(HEAVY_SLOTS=1, HEAVY_DOWNLOAD_FEATURES=3, HEAVY_RETRY_AFTER=4)
    with client.application.extensions[heavy.KEY].hold():  # a print is running
        busy = client.get("/download/punti.gpkg", headers={"Accept": "application/json"})
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "4"
        assert busy.get_json()["limit"] == "GEOPORTALE_HEAVY_SLOTS"
        small = client.get("/download/zone.geojson")  # 3 features: not heavy, never waits
        assert small.status_code == 200 and len(small.get_json()["features"]) == 3
    assert client.get("/download/punti.gpkg").status_code == 200
