"""The app on the synthetic planner store (answers known), and on the Cremona layers."""

from __future__ import annotations

import shutil

import pytest

from app import create_app
from tests.analysis.conftest import cremona_store, planner_store_file  # noqa: F401 (fixtures)


def _app(path):
    return create_app({"STORE": str(path), "AUTO_BUILD": False, "BASEMAP": "none"})


@pytest.fixture
def planner_client(planner_store_file, tmp_path):  # noqa: F811
    path = tmp_path / "planner.gpkg"
    shutil.copy(planner_store_file, path)
    return _app(path).test_client()


@pytest.fixture
def cremona_client(cremona_store, tmp_path):  # noqa: F811
    path = tmp_path / "cremona.gpkg"
    shutil.copy(cremona_store.path, path)
    return _app(path).test_client()
