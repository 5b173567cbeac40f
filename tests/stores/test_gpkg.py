import sqlite3

import geopandas as gpd
import pytest
import shapely

from app.errors import DataError, FeatureNotFound, LayerNotFound
from app.stores.base import Query
from app.stores.gpkg import GpkgStore


def ids(page):
    return [f.id for f in page.features]


def test_describe(store):
    info = store.describe("punti")
    assert info.feature_count == 6 and info.version == 1
    minx, miny, maxx, maxy = info.bbox
    assert (minx, miny, maxx, maxy) == pytest.approx((9.96, 45.10, 10.10, 45.18))
    with pytest.raises(LayerNotFound):
        store.describe("ghost")


def test_query_all_is_stable_and_typed(store, spec):
    page = store.query(spec("punti"), Query(limit=100))
    assert page.number_matched == 6
    assert ids(page) == ["p1", "p2", "p3", "p4", "p5", "p6"]
    p1 = page.features[0]
    assert p1.properties == {
        "id": "p1",
        "nome": "Punto uno",
        "tipo": "museo",
        "posti": 120,
        "punteggio": 3.5,
        "aperto": True,
        "data": "2024-05-01",
        "fonte": "synthetic test fixture",
    }
    assert p1.geometry == {"type": "Point", "coordinates": (10.02, 45.133)}
    assert page.features[1].properties["aperto"] is False
    assert page.features[5].geometry is None


def test_paging(store, spec):
    first = store.query(spec("punti"), Query(limit=2, offset=0))
    second = store.query(spec("punti"), Query(limit=2, offset=2))
    last = store.query(spec("punti"), Query(limit=2, offset=5))
    beyond = store.query(spec("punti"), Query(limit=2, offset=50))
    assert ids(first) == ["p1", "p2"] and ids(second) == ["p3", "p4"] and ids(last) == ["p6"]
    assert beyond.features == [] and beyond.number_matched == 6


def test_equality_filters_count(store, spec):
    page = store.query(spec("punti"), Query(equals={"tipo": "museo"}))
    assert ids(page) == ["p1", "p3", "p6"] and page.number_matched == 3
    page = store.query(spec("punti"), Query(equals={"tipo": "museo", "aperto": 1}))
    assert ids(page) == ["p1", "p6"]
    assert store.query(spec("punti"), Query(equals={"posti": 80})).number_matched == 1


def test_bbox_is_exact_and_skips_unlocated(store, spec):
    page = store.query(spec("punti"), Query(bbox=(10.015, 45.13, 10.027, 45.137)))
    assert ids(page) == ["p1", "p2"] and page.number_matched == 2
    page = store.query(spec("punti"), Query(bbox=(9.0, 44.0, 11.0, 46.0), limit=3, offset=1))
    assert ids(page) == ["p2", "p3", "p4"] and page.number_matched == 5
    both = store.query(
        spec("punti"), Query(bbox=(9.0, 44.0, 11.0, 46.0), equals={"tipo": "teatro"})
    )
    assert ids(both) == ["p2", "p5"]
    assert store.query(spec("punti"), Query(bbox=(0, 0, 1, 1))).number_matched == 0


def test_bbox_exact_test_drops_envelope_false_positives(store, spec):
    # A thin box that touches zone z1's envelope corner region but not a diagonal... squares
    # fill their envelope, so use a box just outside the square's edge instead.
    page = store.query(spec("zone"), Query(bbox=(10.0205, 45.1405, 10.03, 45.15)))
    assert page.number_matched == 0


def test_bbox_uses_the_rtree(store, spec, monkeypatch):
    seen = []
    conn = store._conn()
    conn.set_trace_callback(seen.append)
    store.query(spec("punti"), Query(bbox=(10.015, 45.13, 10.027, 45.137)))
    conn.set_trace_callback(None)
    first = next(s for s in seen if "SELECT t.fid, t.geom" in s)
    assert "rtree_punti__v1_geom" in first
    plan = conn.execute("EXPLAIN QUERY PLAN " + first).fetchall()
    assert any("VIRTUAL TABLE INDEX" in row[-1] for row in plan), plan


def test_reprojected_from_3003(store, spec):
    z1 = store.get(spec("zone"), "1")
    geom = shapely.geometry.shape(z1.geometry)
    assert geom.geom_type == "MultiPolygon"
    minx, miny, maxx, maxy = geom.bounds
    # Monte Mario to WGS84 without grids: a few metres (1e-4 degrees is about 8-11 m).
    assert (minx, miny, maxx, maxy) == pytest.approx((10.00, 45.14, 10.02, 45.16), abs=1e-4)


def test_get_by_id(store, spec):
    assert store.get(spec("punti"), "p4").properties["nome"] == "Punto quattro"
    assert store.get(spec("zone"), "2").properties["nome"] == "Zona sud"
    for bad in ["ghost", "", "p1' OR '1'='1"]:
        with pytest.raises(FeatureNotFound):
            store.get(spec("punti"), bad)
    with pytest.raises(FeatureNotFound):
        store.get(spec("zone"), "not-a-number")


def test_write_layer_replaces_version_atomically(store, spec):
    s = spec("punti")
    gdf = gpd.GeoDataFrame(
        {
            "id": ["n1"],
            "nome": ["Nuovo"],
            "tipo": ["museo"],
            "posti": [1],
            "punteggio": [1.0],
            "aperto": [True],
            "data": ["2026-01-01"],
            "fonte": ["test"],
        },
        geometry=[shapely.Point(10.0, 45.1)],
        crs="EPSG:4326",
    )
    info = store.write_layer(s, gdf)
    assert info.version == 2 and info.feature_count == 1
    assert ids(store.query(s, Query())) == ["n1"]
    tables = {
        r[0]
        for r in sqlite3.connect(store.path).execute(
            "SELECT name FROM sqlite_master WHERE type='table'"
        )
    }
    assert "punti__v2" in tables and "punti__v1" not in tables
    assert "rtree_punti__v1_geom" not in tables
    contents = {
        r[0] for r in sqlite3.connect(store.path).execute("SELECT table_name FROM gpkg_contents")
    }
    assert "punti__v1" not in contents and "punti__v2" in contents


def test_write_layer_rejects_bad_data_and_keeps_old(store, spec):
    s = spec("punti")
    bad = gpd.GeoDataFrame(
        {"id": ["a", "a"], "nome": ["x", "y"]}, geometry=[shapely.Point(1, 1)] * 2, crs="EPSG:4326"
    )
    with pytest.raises(DataError, match="source lacks declared fields: tipo"):
        store.write_layer(s, bad)
    dup = gpd.GeoDataFrame(
        {
            "id": ["a", "a"],
            "nome": ["x", "y"],
            "tipo": ["m", "m"],
            "posti": [1, 2],
            "punteggio": [1, 2],
            "aperto": [True, True],
            "data": ["2020-01-01"] * 2,
            "fonte": ["t", "t"],
        },
        geometry=[shapely.Point(1, 1)] * 2,
        crs="EPSG:4326",
    )
    with pytest.raises(DataError, match="'id' repeats: \\['a'\\]"):
        store.write_layer(s, dup)
    line = dup.assign(id=["a", "b"]).set_geometry([shapely.LineString([(0, 0), (1, 1)])] * 2)
    with pytest.raises(DataError, match="geometry_type is Point"):
        store.write_layer(s, line)
    notint = dup.assign(id=["a", "b"], posti=["uno", "due"])
    with pytest.raises(DataError, match="field 'posti': values are not of type integer"):
        store.write_layer(s, notint)
    bowtie = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])
    with pytest.raises(DataError, match="invalid geometries in features \\[1\\]"):
        store.write_layer(
            spec("zone"),
            gpd.GeoDataFrame(
                {"codice": [1], "nome": ["x"], "fonte": ["t"]}, geometry=[bowtie], crs="EPSG:4326"
            ),
        )
    assert store.describe("punti").version == 1
    assert store.query(s, Query()).number_matched == 6


def test_missing_or_corrupt_store(tmp_path):
    from app.errors import StoreError

    with pytest.raises(StoreError, match="not found"):
        GpkgStore(tmp_path / "none.gpkg")
    junk = tmp_path / "junk.gpkg"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="not usable"):
        GpkgStore(junk)
