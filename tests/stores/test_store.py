"""The FeatureStore contract, on both back ends (the `store` fixture): bbox through the
spatial index, filters, paging, counts, by id, atomic versions, bad data refused."""

import sqlite3
import warnings

import geopandas as gpd
import pytest
import shapely

from app.errors import DataError, FeatureNotFound, LayerNotFound
from app.stores.base import Query
from app.stores.gpkg import GpkgStore
from tests.conftest import punti_frame


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
    assert p1.geometry["type"] == "Point" and list(p1.geometry["coordinates"]) == [10.02, 45.133]
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
    page = store.query(spec("punti"), Query(equals={"tipo": "museo", "aperto": True}))
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
    if not isinstance(store, GpkgStore):
        pytest.skip("GeoPackage-specific (PostGIS: test_postgis_plans_use_the_gist_index)")
    seen = []
    conn = store._conn()
    conn.set_trace_callback(seen.append)
    store.query(spec("punti"), Query(bbox=(10.015, 45.13, 10.027, 45.137)))
    conn.set_trace_callback(None)
    first = next(s for s in seen if s.startswith("SELECT r.id") and 'rtree_punti__v1_geom" r' in s)
    plan = conn.execute("EXPLAIN QUERY PLAN " + first).fetchall()
    assert any("VIRTUAL TABLE INDEX" in row[-1] for row in plan), plan


def test_bbox_edges_are_exact(store, spec):
    """Features whose index box crosses the bbox's edge are tested on their geometry: a
    triangle whose envelope reaches into the bbox but whose area does not is left out, a
    point on the edge is in, one a hair outside is out (the R-tree stores float32 boxes)."""
    triangle = shapely.Polygon([(10.0, 45.0), (10.1, 45.0), (10.0, 45.1)])  # lower-left half
    zones = gpd.GeoDataFrame(
        {"codice": [1, 2], "nome": ["triangolo", "quadrato"], "fonte": ["t", "t"]},
        geometry=[shapely.MultiPolygon([triangle]), shapely.box(10.2, 45.2, 10.3, 45.3)],
        crs="OGC:CRS84",
    )
    store.write_layer(spec("zone"), zones)
    upper_right = (10.08, 45.08, 10.15, 45.15)  # inside the triangle's envelope, not its area
    assert store.query(spec("zone"), Query(bbox=upper_right)).number_matched == 0
    assert ids(store.query(spec("zone"), Query(bbox=(10.04, 45.04, 10.25, 45.25)))) == [1, 2]
    assert ids(store.query(spec("zone"), Query(bbox=(10.21, 45.21, 10.29, 45.29)))) == [2]
    x = 10.123456789
    points = [shapely.Point(x, 45.1), shapely.Point(x + 1e-9, 45.1), shapely.Point(10.1, 45.1)]
    data = punti_frame(points, id=["on", "out", "in"], tipo=["museo", "museo", "teatro"])
    store.write_layer(spec("punti"), data)
    page = store.query(spec("punti"), Query(bbox=(10.0, 45.0, x, 45.2)))
    assert ids(page) == ["on", "in"] and page.number_matched == 2
    page = store.query(spec("punti"), Query(bbox=(10.0, 45.0, x, 45.2), equals={"tipo": "museo"}))
    assert ids(page) == ["on"] and page.number_matched == 1
    page = store.query(spec("punti"), Query(bbox=(10.0, 45.0, x, 45.2), limit=1, offset=1))
    assert ids(page) == ["in"] and page.number_matched == 2


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
    gdf = punti_frame([shapely.Point(10.0, 45.1)], crs="EPSG:4326", data=["2026-01-01"])
    staged = store.stage(s, gdf, origin="import", source="nuovo.geojson", user="sit")
    assert staged.status == "draft" and staged.version == 2
    # A draft is not served, but can be previewed.
    assert store.describe("punti").version == 1
    assert ids(store.query(s, Query(), version=2)) == ["n1"]
    generation = store.generation()
    info = store.publish("punti", 2, "sit")
    assert info.version == 2 and info.feature_count == 1 and info.origin == "import"
    assert store.generation() > generation
    assert ids(store.query(s, Query())) == ["n1"]
    assert [(v.version, v.status) for v in store.versions("punti")] == [
        (2, "published"),
        (1, "retired"),
    ]
    # Roll back: the old version serves again; the newer one stays as a draft.
    assert store.rollback("punti", "sit").version == 1
    assert store.query(s, Query()).number_matched == 6
    assert [(v.version, v.status) for v in store.versions("punti")] == [
        (2, "draft"),
        (1, "published"),
    ]
    with pytest.raises(DataError, match="no earlier published version"):
        store.rollback("punti", "sit")
    store.unpublish("punti", "sit")
    with pytest.raises(LayerNotFound):
        store.describe("punti")
    assert "punti" not in [sp.id for sp in store.published_specs()]
    store.publish("punti", 2, "sit")
    actions = [(a["action"], a["version"]) for a in store.audit_log("punti")]
    assert actions[:5] == [
        ("publish", 2),
        ("unpublish", 1),
        ("rollback", 1),
        ("publish", 2),
        ("stage", 2),
    ]


def test_stage_bounds_skip_missing_and_empty_geometries_quietly(store, spec):
    s = spec("zone")
    geoms = [
        shapely.box(10, 45, 10.01, 45.01),
        None,
        shapely.Polygon(),
        shapely.box(10, 45, 11, 46),
    ]
    gdf = gpd.GeoDataFrame(
        {"codice": [1, 2, 3, 4], "nome": ["x"] * 4, "fonte": ["t"] * 4},
        geometry=geoms,
        crs="EPSG:4326",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. geopandas' GeoSeries.notna() on empty geometries
        staged = store.stage(s, gdf, origin="import", source="x", user="sit")
    assert staged.feature_count == 4 and staged.bbox == pytest.approx((10, 45, 11, 46))


def test_old_versions_are_pruned(store, spec):
    from app.stores.catalog import KEEP_VERSIONS

    s = spec("zone")
    gdf = gpd.GeoDataFrame(
        {"codice": [1], "nome": ["x"], "fonte": ["t"]},
        geometry=[shapely.box(10, 45, 10.01, 45.01)],
        crs="EPSG:4326",
    )
    for _ in range(KEEP_VERSIONS + 2):
        store.write_layer(s, gdf, user="sit")
    statuses = [v.status for v in store.versions("zone")]
    assert statuses[0] == "published"
    assert statuses.count("retired") == KEEP_VERSIONS and statuses.count("dropped") == 2
    assert store.orphan_tables() == []
    if not isinstance(store, GpkgStore):
        return
    conn = sqlite3.connect(store.path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "zone__v1" not in tables and "rtree_zone__v1_geom" not in tables
    contents = {r[0] for r in conn.execute("SELECT table_name FROM gpkg_contents")}
    assert "zone__v1" not in contents and f"zone__v{KEEP_VERSIONS + 3}" in contents
    assert store.orphan_tables() == []


def test_orphan_table_from_a_crash_is_removed(store, spec):
    if not isinstance(store, GpkgStore):
        pytest.skip("PostGIS writes a version's table and its row in one transaction")
    from app.geo import io
    from app.stores.prepare import prepare_layer

    s = spec("zone")
    gdf = gpd.GeoDataFrame(
        {"codice": [9], "nome": ["x"], "fonte": ["t"]},
        geometry=[shapely.box(10, 45, 10.01, 45.01)],
        crs="EPSG:4326",
    )
    # What a kill -9 between the table write and the catalog row leaves behind:
    io.write_gpkg_table(store.path, "zone__v2", prepare_layer(s, gdf), "MultiPolygon")
    assert store.orphan_tables() == ["zone__v2"]
    assert store.describe("zone").version == 1
    assert store.write_layer(s, gdf).version == 2
    assert store.orphan_tables() == []
    assert store.get(s, "9").properties["nome"] == "x"


def test_metadata_edit_keeps_data(store, spec):
    s = spec("punti")
    edited = s.model_copy(update={"title": s.title.model_copy(update={"it": "Nuovo titolo"})})
    store.update_spec("punti", edited, "sit")
    titles = [sp.title.it for sp in store.published_specs() if sp.id == "punti"]
    assert titles == ["Nuovo titolo"]
    assert store.query(s, Query()).number_matched == 6
    fewer = s.model_copy(update={"fields": s.fields[:3], "popup": ()})
    with pytest.raises(DataError, match="cannot change the id, fields or geometry"):
        store.update_spec("punti", fewer, "sit")
    assert store.audit_log("punti")[0]["action"] == "edit"


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


def test_filter_counts_are_remembered_per_version(store, spec):
    """numberMatched of a filtered page is counted once per version table (tables never
    change); a new version is a new table, so its count is fresh."""
    s = spec("punti")
    q = Query(equals={"tipo": "museo"}, limit=1)  # a full page: the count is needed
    assert store.query(s, q).number_matched == 3
    assert len(store._counts) == 1
    assert store.query(s, q).number_matched == 3 and len(store._counts) == 1
    fewer = store.frame(s, Query())
    fewer = fewer[fewer["id"] != "p1"]
    store.write_layer(s, fewer)
    if hasattr(store, "generation"):
        store.generation()
    assert store.query(s, q).number_matched == 2
    assert len(store._counts) == 2
    store.rollback("punti", "test")
    assert store.query(s, q).number_matched == 3


def test_frame_keeps_missing_booleans_missing(store, spec):
    """A NULL boolean stays missing in the bulk frame (downloads, processes, rewrite): it
    once came out True on GeoPackage (pandas made it NaN, and bool(NaN) is True)."""
    frame = store.frame(spec("punti"), Query()).set_index("id")
    assert frame.loc["p1", "aperto"] == True  # noqa: E712 (a pandas boolean)
    assert frame.loc["p2", "aperto"] == False  # noqa: E712
    assert frame.loc["p3", "aperto"] is None or frame["aperto"].isna()["p3"]
