"""Vector tiles of dense point layers: generalisation at write time (gp_minzoom), on both stores.

A synthetic layer of 12,000 points fills one z12 tile over Cremona: without the
generalisation that tile would hold ~9,000 (GeoPackage, 2 px thinning) to 12,000 points
(PostGIS); with it, at most one point per 4 px cell (`max_points_per_tile`).
"""

from __future__ import annotations

import geopandas as gpd
import mapbox_vector_tile
import numpy as np
import pytest
import shapely

from app.geo.mvt import EXTENT
from app.geo.tilegrid import Tile, lonlat_to_tile, tiles_covering
from app.registry.spec import LayerSpec
from app.stores.generalise import BASE_ZOOM, HIDDEN_COLUMNS, max_points_per_tile

BOTH_STORES = True  # every test here runs on GeoPackage and on PostGIS

N = 12000
T12 = Tile(12, *lonlat_to_tile(10.02, 45.13, 12))


def spec_of(layer_id: str, geometry_type: str = "Point") -> LayerSpec:
    return LayerSpec.model_validate(
        {
            "id": layer_id,
            "title": "Punti fitti",
            "group": "Test",
            "geometry_type": geometry_type,
            "source": {"path": "synthetic"},
            "id_field": "id",
            "title_field": "nome",
            "fields": [
                {"name": "id", "type": "string", "label": "Codice"},
                {"name": "nome", "type": "string", "label": "Nome"},
                {"name": "n", "type": "integer", "label": "Numero"},
                {"name": "ok", "type": "boolean", "label": "Valido"},
            ],
            "metadata": {
                "abstract": "Punti casuali per i test dei tile.",
                "licence": "CC0-1.0",
                "lineage": "Generati dai test.",
                "updated": "2026-01-01",
            },
        }
    )


def dense_points(n: int = N, tile: Tile = T12) -> gpd.GeoDataFrame:
    """n seeded random points spread over one tile."""
    minx, miny, maxx, maxy = tile.lonlat_bounds()
    rng = np.random.default_rng(8)
    lon, lat = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)
    return gpd.GeoDataFrame(
        {
            "id": [f"d{i}" for i in range(n)],
            "nome": [f"Punto {i}" for i in range(n)],
            "n": np.arange(n),
            "ok": np.arange(n) % 2 == 0,
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )


def write(app, spec: LayerSpec, gdf: gpd.GeoDataFrame) -> None:
    from app.services import services

    with app.app_context():
        services().store.write_layer(spec, gdf, source="test")


def table_columns(app, layer_id: str) -> set[str]:
    """The columns of the served version's table, read from the database itself."""
    import sqlite3

    from app.services import services

    with app.app_context():
        store = services().store
        table = f"{layer_id}__v{store.describe(layer_id).version}"
        if hasattr(store, "pool"):
            with store.pool.connection() as conn:
                rows = conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE "
                    "table_schema = 'geoportale' AND table_name = %s",
                    (table,),
                ).fetchall()
            return {r[0] for r in rows}
        with sqlite3.connect(store.path) as conn:
            return {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}


def tile_features(client, layer: str, tile: Tile, inside_only: bool = False) -> list[dict]:
    r = client.get(f"/api/collections/{layer}/tiles/WebMercatorQuad/{tile.z}/{tile.x}/{tile.y}")
    assert r.status_code in (200, 204)
    if r.status_code == 204:
        return []
    features = mapbox_vector_tile.decode(r.data, default_options={"y_coord_down": True})[layer][
        "features"
    ]
    if inside_only:  # not the ones in the buffer around the tile
        features = [
            f for f in features if all(0 <= c < EXTENT for c in f["geometry"]["coordinates"][:2])
        ]
    return features


def ids(features: list[dict]) -> set[str]:
    return {f["properties"]["id"] for f in features}


@pytest.fixture
def dense(app):
    gdf = dense_points()
    write(app, spec_of("fitti"), gdf)
    return gdf


def test_a_version_of_points_gets_the_hidden_columns(app, dense):
    assert set(HIDDEN_COLUMNS) <= table_columns(app, "fitti")


def test_a_dense_tile_never_holds_more_than_the_bound(client, dense):
    bound = max_points_per_tile()
    for z in (8, 10, 11, 12):
        features = tile_features(client, "fitti", Tile(z, *lonlat_to_tile(10.02, 45.13, z)))
        assert 0 < len(features) <= bound, z
    # The z12 tile is full of points: thinned to about one per cell, not emptied.
    assert len(tile_features(client, "fitti", T12)) > 3000
    # Attributes travel with the points, typed.
    (one,) = [f for f in tile_features(client, "fitti", T12) if f["properties"]["id"] == "d0"]
    assert one["properties"] == {"id": "d0", "nome": "Punto 0", "n": 0, "ok": True}


def test_every_point_is_in_its_tile_at_the_base_zoom(client, dense):
    seen: set[str] = set()
    for tile in tiles_covering(T12.lonlat_bounds(), BASE_ZOOM):
        seen |= ids(tile_features(client, "fitti", tile, inside_only=True))
    assert seen == set(dense["id"])


def test_a_point_shown_at_a_zoom_is_shown_at_the_next(client, dense):
    for z in (12, 13):
        parent = Tile(z, *lonlat_to_tile(10.02, 45.13, z))
        shown = ids(tile_features(client, "fitti", parent, inside_only=True))
        children = [
            Tile(z + 1, 2 * parent.x + dx, 2 * parent.y + dy) for dx in (0, 1) for dy in (0, 1)
        ]
        below = set().union(*(ids(tile_features(client, "fitti", c)) for c in children))
        assert shown and shown <= below, z
        assert len(below) > len(shown)  # and more come in


def test_generalisation_is_deterministic(app, client, dense):
    def content() -> set:
        features = tile_features(client, "fitti", T12)
        return {(f["properties"]["id"], *f["geometry"]["coordinates"]) for f in features}

    first = content()
    write(app, spec_of("fitti"), dense)  # the same data again: a new version
    assert content() == first


def test_tables_written_without_the_columns_still_tile(app, client, monkeypatch):
    """Versions written before the generalisation (no hidden columns) keep the old path."""
    import app.stores.gpkg as gpkg_store
    import app.stores.postgis_catalog as postgis_catalog

    monkeypatch.setattr(gpkg_store, "hidden_columns", lambda *a: None)
    monkeypatch.setattr(postgis_catalog, "hidden_columns", lambda *a: None)
    gdf = dense_points()
    write(app, spec_of("vecchi"), gdf)
    assert not set(HIDDEN_COLUMNS) & table_columns(app, "vecchi")
    features = tile_features(client, "vecchi", T12)
    # Every point read, as before: far more than a generalised tile may hold.
    assert len(features) > max_points_per_tile()
    assert ids(features) <= set(gdf["id"])
    x, y = lonlat_to_tile(*gdf.geometry.iloc[0].coords[0], 16)
    assert "d0" in ids(tile_features(client, "vecchi", Tile(16, x, y)))


def test_mixed_layer_keeps_its_areas_and_thins_its_points(app, client):
    gdf = dense_points()
    area = gpd.GeoDataFrame(
        {"id": ["area"], "nome": ["Area"], "n": [None], "ok": [None]},
        geometry=[shapely.box(*T12.lonlat_bounds())],
        crs="EPSG:4326",
    )
    mixed = gpd.GeoDataFrame(
        gpd.pd.concat([area, gdf], ignore_index=True), geometry="geometry", crs="EPSG:4326"
    )
    write(app, spec_of("misti", "Geometry"), mixed)
    assert set(HIDDEN_COLUMNS) <= table_columns(app, "misti")
    for z in (10, 12):
        features = tile_features(client, "misti", Tile(z, *lonlat_to_tile(10.02, 45.13, z)))
        kinds = [f["geometry"]["type"] for f in features]
        assert kinds.count("Polygon") == 1, z
        assert 0 < kinds.count("Point") <= max_points_per_tile(), z
    x, y = lonlat_to_tile(*gdf.geometry.iloc[5].coords[0], 16)
    assert {"area", "d5"} <= ids(tile_features(client, "misti", Tile(16, x, y)))


def test_hidden_columns_never_leave_the_store(app, client, tmp_path):
    """The fixture point layer has them in its table, and nowhere else."""
    assert set(HIDDEN_COLUMNS) <= table_columns(app, "punti")
    fields = {"id", "nome", "tipo", "posti", "punteggio", "aperto", "data", "fonte"}

    page = client.get("/api/collections/punti/items?f=json&limit=100").get_json()
    assert page["features"]
    for f in page["features"]:
        assert set(f["properties"]) <= fields
    one = client.get("/api/collections/punti/items/p1?f=json").get_json()
    assert set(one["properties"]) <= fields
    queryables = client.get("/api/collections/punti/queryables?f=json").get_json()
    assert not set(HIDDEN_COLUMNS) & set(queryables["properties"])
    assert client.get("/api/collections/punti/items?filter=gp_minzoom%20%3D%200").status_code == 400

    for fmt in ("geojson", "csv", "gpkg"):
        r = client.get(f"/download/punti.{fmt}")
        assert r.status_code == 200, fmt
        body = r.data
        for name in HIDDEN_COLUMNS:
            assert name.encode() not in body, (fmt, name)

    from app.services import services
    from app.stores.base import Query

    with app.app_context():
        svc = services()
        frame = svc.store.frame(svc.layer("punti"), Query())
    assert not set(HIDDEN_COLUMNS) & set(frame.columns)
