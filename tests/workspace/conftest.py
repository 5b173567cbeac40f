"""The workspace on the synthetic planner store (see tests/analysis/planner_data.py)."""

from __future__ import annotations

import shutil

import pytest

from tests.analysis.conftest import (  # noqa: F401 (fixtures)
    planner_location,
    planner_pg_template,
    planner_store_file,
)
from tests.viewer.test_browser import page  # noqa: F401 (fixture)


@pytest.fixture
def store_path(planner_store_file, tmp_path):  # noqa: F811
    """Overrides the suite's fixture store: `app`, `client` and `live_server` use this one."""
    path = tmp_path / "planner.gpkg"
    shutil.copy(planner_store_file, path)
    (tmp_path / "env").write_text(
        "GEOPORTALE_AUTO_BUILD=false\n"
        "GEOPORTALE_WORKSPACE_WMS_URL=http://127.0.0.1:9/wms\n"
        "GEOPORTALE_WORKSPACE_WMS_LAYERS=ortofoto\n"
    )
    return path


@pytest.fixture
def app(planner_location):  # noqa: F811 (the imported fixture)
    from app import create_app

    app = create_app(
        {
            "STORE": planner_location,
            "AUTO_BUILD": False,
            "BASEMAP": "none",
            "WORKSPACE_WMS_URL": "https://wms.example.org/ows",
            "WORKSPACE_WMS_LAYERS": "ortofoto",
        }
    )
    yield app
    store = getattr(app.extensions.get("geoportale"), "store", None)
    if hasattr(store, "close"):  # PostGIS: the app's pool and LISTEN connection
        store.close()
