"""The app on the synthetic planner store (answers known), and on the Cremona layers."""

from __future__ import annotations

import shutil

import pytest

from app import create_app
from tests.analysis.conftest import (  # noqa: F401 (fixtures)
    cremona_store,
    planner_location,
    planner_pg_template,
    planner_store_file,
)


def _app(path):
    return create_app({"STORE": str(path), "AUTO_BUILD": False, "BASEMAP": "none"})


@pytest.fixture
def planner_client(planner_location):  # noqa: F811 (the imported fixture)
    app = _app(planner_location)
    yield app.test_client()
    store = getattr(app.extensions.get("geoportale"), "store", None)
    if hasattr(store, "close"):  # PostGIS: the app's pool and LISTEN connection
        store.close()


@pytest.fixture
def cremona_client(cremona_store, tmp_path):  # noqa: F811
    path = tmp_path / "cremona.gpkg"
    shutil.copy(cremona_store.path, path)
    return _app(path).test_client()
