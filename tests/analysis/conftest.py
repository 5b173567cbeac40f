"""Fixtures: the synthetic planner store, and a store built from the shipped Cremona layers."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.registry import load_registry
from app.stores.build import sync_shipped
from app.stores.gpkg import GpkgStore
from tests.analysis.planner_data import build_planner_store
from tests.conftest import pg_template_database, store_of_backend

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def planner_store_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("planner") / "planner.gpkg"
    build_planner_store(path)
    return path


@pytest.fixture(scope="session")
def planner_pg_template():
    """The synthetic planner layers in a PostGIS template database (cloned for each test)."""
    from app.stores.postgis import PostgisStore
    from tests.analysis.planner_data import frames

    def fill(url):
        store = PostgisStore(url, create=True)
        try:
            for spec, frame in frames().values():
                store.write_layer(spec, frame, source="tests/analysis/planner_data.py")
        finally:
            store.close()

    with pg_template_database("planner", fill) as template:
        yield template


@pytest.fixture
def planner_location(backend, planner_store_file, tmp_path, request) -> str:  # noqa: F811
    """A fresh planner store of the test's back end (BOTH_STORES modules: PostGIS too)."""
    return store_of_backend(backend, planner_store_file, tmp_path, request, "planner_pg_template")


@pytest.fixture
def planner_store(planner_location):
    from app.stores import open_store

    store = open_store(planner_location)
    yield store
    store.close()


@pytest.fixture(scope="session")
def cremona_store(tmp_path_factory) -> GpkgStore:
    """The shipped layers (layers/ + geodata/) in a throw-away store."""
    path = tmp_path_factory.mktemp("cremona") / "cremona.gpkg"
    sync_shipped(load_registry(ROOT / "layers", ROOT), ROOT, ROOT / "layers", path)
    return GpkgStore(path)


def lookup(store: GpkgStore):
    """layer id -> published spec, LayerNotFound otherwise (as Services.layer)."""
    from app.errors import LayerNotFound

    specs = {s.id: s for s in store.published_specs()}

    def get(layer_id: str):
        if layer_id not in specs:
            raise LayerNotFound(f"no collection '{layer_id}'")
        return specs[layer_id]

    return get
