"""The time limit of reads (QUERY_TIMEOUT_MS, issue 14): a slow read is stopped with a typed
error on both stores, the connection serves the next read, and writes are not limited."""

from __future__ import annotations

import pytest
import shapely

from app.errors import QueryTimeout
from app.stores import open_store
from app.stores.base import Query
from app.stores.filter_tree import Cmp
from tests.conftest import punti_frame
from tests.stores.slow import slow_where


@pytest.fixture(params=["gpkg", "postgis"])
def limited(request, store_path):
    """(backend, store) with a 50 ms read limit."""
    location = str(store_path) if request.param == "gpkg" else request.getfixturevalue("pg_url")
    store = open_store(location, query_timeout_ms=50)
    yield request.param, store
    if hasattr(store, "close"):
        store.close()


def test_a_slow_read_is_stopped_and_the_store_still_serves(limited, spec, monkeypatch):
    backend, store = limited
    s = spec("punti")
    with monkeypatch.context() as m:
        slow_where(m, backend)
        with pytest.raises(QueryTimeout, match="50 ms"):
            store.query(s, Query(filter=Cmp("=", "tipo", "museo")))
    # The same thread's connection (GeoPackage) or the pool's (PostGIS) is usable at once.
    page = store.query(s, Query(filter=Cmp("=", "tipo", "museo"), limit=10))
    assert [f.id for f in page.features] == ["p1", "p3", "p6"]
    assert store.get(s, "p2").id == "p2"


def test_writes_are_not_cut_by_the_read_limit(store_path, spec, request):
    """An import and a publish on a store whose reads stop after 20 ms: PostgreSQL's
    statement_timeout applies to every pooled session, so each write lifts it for itself.
    (The GeoPackage store writes through other connections and GDAL: never limited.)"""
    store = open_store(request.getfixturevalue("pg_url"), query_timeout_ms=20)
    try:
        s = spec("punti")
        points = shapely.points([(10.0 + i * 1e-5, 45.1) for i in range(40000)])
        data = punti_frame(list(points), id=[f"n{i}" for i in range(40000)])
        staged = store.stage(s, data, origin="upload", source="test", user="t")
        store.publish(s.id, staged.version, "t")
        assert store.describe(s.id).feature_count == 40000
    finally:
        store.close()
