"""Fixtures: the synthetic planner store, and a store built from the shipped Cremona layers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.registry import load_registry
from app.stores.build import sync_shipped
from app.stores.gpkg import GpkgStore
from tests.analysis.planner_data import build_planner_store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def planner_store_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("planner") / "planner.gpkg"
    build_planner_store(path)
    return path


@pytest.fixture
def planner_store(planner_store_file, tmp_path) -> GpkgStore:
    path = tmp_path / "planner.gpkg"
    shutil.copy(planner_store_file, path)
    return GpkgStore(path)


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
