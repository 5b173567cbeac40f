"""Vector tiles: MVT content, empty and invalid tiles, caching headers, TileJSON, tilesets."""

from __future__ import annotations

import mapbox_vector_tile
import pytest

from app.geo.mvt import BUFFER, EXTENT
from app.geo.tilegrid import Tile, lonlat_to_tile, parse_tile

BOTH_STORES = True  # every test here runs on GeoPackage and on PostGIS

MVT = "application/vnd.mapbox-vector-tile"
P1 = (10.02, 45.133)  # fixture point p1 (tests/data/geodata/punti.geojson)


def tile_url(layer: str, z: int, x: int, y: int) -> str:
    return f"/api/collections/{layer}/tiles/WebMercatorQuad/{z}/{x}/{y}"


def p1_tile(z: int) -> Tile:
    x, y = lonlat_to_tile(*P1, z)
    return Tile(z, x, y)


def expected_position(tile: Tile, lon: float, lat: float) -> tuple[float, float]:
    """Where a lon/lat point falls in the tile's 0..4096 grid (y down), computed apart."""
    import math

    n = 2**tile.z
    fx = (lon + 180) / 360 * n
    fy = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return (fx - tile.x) * EXTENT, (fy - tile.y) * EXTENT


def decode(data: bytes) -> dict:
    return mapbox_vector_tile.decode(data, default_options={"y_coord_down": True})


def test_tile_has_the_point_with_every_attribute(client):
    tile = p1_tile(15)
    r = client.get(tile_url("punti", *vars(tile).values()))
    assert r.status_code == 200
    assert r.mimetype == MVT
    layer = decode(r.data)["punti"]
    assert layer["extent"] == EXTENT
    (p1,) = [f for f in layer["features"] if f["properties"]["id"] == "p1"]
    # Every field of the layer, typed; the popup reads them from here.
    assert p1["properties"] == {
        "id": "p1",
        "nome": "Punto uno",
        "tipo": "museo",
        "posti": 120,
        "punteggio": 3.5,
        "aperto": True,
        "data": "2024-05-01",
        "fonte": "synthetic test fixture",
    }
    assert p1["geometry"]["type"] == "Point"
    x, y = p1["geometry"]["coordinates"]
    ex, ey = expected_position(tile, *P1)
    assert abs(x - ex) <= 1 and abs(y - ey) <= 1


def test_nulls_are_left_out_of_the_tile(client):
    r = client.get(tile_url("punti", *vars(p1_tile(12)).values()))
    features = {f["properties"]["id"]: f for f in decode(r.data)["punti"]["features"]}
    assert features["p3"]["properties"] == {
        "id": "p3",
        "nome": "Punto tre",
        "tipo": "museo",
        "fonte": "synthetic test fixture",
    }
    assert "p6" not in features  # the fixture's point without a position


def test_polygons_are_clipped_to_the_buffered_tile(client):
    # The west edge of "Zona nord" (lon 10.00-10.02, lat 45.14-45.16): the square goes on
    # well past the tile's east, north and south sides, so it is cut at the buffer.
    x, y = lonlat_to_tile(10.0, 45.15, 15)
    r = client.get(tile_url("zone", 15, x, y))
    assert r.status_code == 200
    (f,) = decode(r.data)["zone"]["features"]
    assert f["properties"]["nome"] == "Zona nord"
    assert f["geometry"]["type"] == "Polygon"
    xs = [p[0] for ring in f["geometry"]["coordinates"] for p in ring]
    ys = [p[1] for ring in f["geometry"]["coordinates"] for p in ring]
    assert max(xs) == EXTENT + BUFFER
    assert min(ys) == -BUFFER and max(ys) == EXTENT + BUFFER
    west, _ = expected_position(Tile(15, x, y), 10.0, 45.15)
    assert abs(min(xs) - west) <= 2


def test_low_zoom_tile_holds_the_whole_layer_region(client):
    r = client.get(tile_url("zone", 8, *lonlat_to_tile(*P1, 8)))
    names = {f["properties"]["nome"] for f in decode(r.data)["zone"]["features"]}
    assert len(names) == 3


def test_empty_tile_is_204(client):
    r = client.get(tile_url("punti", 10, 0, 0))
    assert r.status_code == 204
    assert r.data == b""
    assert r.headers["ETag"]


@pytest.mark.parametrize(
    "path",
    ["1/2/0", "1/0/2", "25/0/0", "a/0/0", "3/-1/0", "3/1/1.5"],
)
def test_invalid_tile_address_is_400_problem(client, path):
    r = client.get(f"/api/collections/punti/tiles/WebMercatorQuad/{path}")
    assert r.status_code == 400
    assert r.mimetype == "application/problem+json"
    assert r.get_json()["parameter"] in ("z", "x", "y")


def test_unknown_collection_is_404(client):
    r = client.get(tile_url("nessuno", 0, 0, 0))
    assert r.status_code == 404
    assert r.get_json()["status"] == 404
    assert (
        client.get("/api/collections/nessuno/tiles/WebMercatorQuad/tilejson.json").status_code
        == 404
    )


def test_unknown_parameter_is_400(client):
    r = client.get(tile_url("punti", 0, 0, 0) + "?colore=rosso")
    assert r.status_code == 400
    assert r.get_json()["parameter"] == "colore"


def test_etag_and_304(client, app):
    url = tile_url("punti", *vars(p1_tile(14)).values())
    first = client.get(url)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"].startswith("public")
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    # Another tile, or another layer at the same address, has another tag.
    other = client.get(tile_url("zone", *vars(p1_tile(14)).values()))
    assert other.headers["ETag"] != etag
    assert client.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_etag_changes_with_the_store_version(client, app):
    from app.services import services

    url = tile_url("punti", *vars(p1_tile(14)).values())
    etag = client.get(url).headers["ETag"]
    with app.app_context():
        svc = services()
        spec = svc.layer("punti")
        staged = svc.store.versions("punti")[0]
        store = svc.store
        import geopandas as gpd
        from shapely.geometry import Point

        gdf = gpd.GeoDataFrame(
            {f.name: [None] for f in spec.fields} | {"id": ["q1"], "nome": ["Nuovo"]},
            geometry=[Point(*P1)],
            crs="EPSG:4326",
        )
        store.write_layer(spec, gdf, source="test")
        assert store.describe("punti").version != staged.version
    r = client.get(url, headers={"If-None-Match": etag})
    assert r.status_code == 200
    assert r.headers["ETag"] != etag
    ids = [f["properties"]["id"] for f in decode(r.data)["punti"]["features"]]
    assert ids == ["q1"]


def test_tilejson(client):
    r = client.get("/api/collections/punti/tiles/WebMercatorQuad/tilejson.json")
    assert r.status_code == 200
    doc = r.get_json()
    assert doc["tilejson"] == "3.0.0"
    (template,) = doc["tiles"]
    assert template.endswith("/api/collections/punti/tiles/WebMercatorQuad/{z}/{x}/{y}")
    assert template.startswith("http")
    assert doc["minzoom"] == 0 and doc["maxzoom"] >= 18
    assert doc["bounds"] == pytest.approx([9.96, 45.1, 10.1, 45.18])
    (layer,) = doc["vector_layers"]
    assert layer["id"] == "punti"
    assert layer["fields"]["posti"] == "Number"
    assert layer["fields"]["aperto"] == "Boolean"
    assert set(layer["fields"]) == {
        "id",
        "nome",
        "tipo",
        "posti",
        "punteggio",
        "aperto",
        "data",
        "fonte",
    }
    same = client.get("/api/collections/punti/tiles/WebMercatorQuad?f=tilejson").get_json()
    assert same == doc


def test_tilesets_and_tileset(client):
    doc = client.get("/api/collections/zone/tiles").get_json()
    (ts,) = doc["tilesets"]
    assert ts["dataType"] == "vector"
    assert ts["tileMatrixSetURI"].endswith("/WebMercatorQuad")
    self_link = next(lk["href"] for lk in ts["links"] if lk["rel"] == "self")
    tileset = client.get(self_link).get_json()
    item = next(lk for lk in tileset["links"] if lk["rel"] == "item")
    assert item["type"] == MVT and item["templated"] is True
    x, y = lonlat_to_tile(10.01, 45.15, 16)  # inside "Zona nord"
    href = item["href"].format(tileMatrix=16, tileCol=x, tileRow=y)
    assert client.get(href).status_code == 200
    assert tileset["layers"][0]["geometryDimension"] == 2
    assert client.get("/api/collections/zone/tiles?f=xml").status_code == 400


def test_parse_tile():
    assert parse_tile("3", "7", "0") == Tile(3, 7, 0)
    assert str(parse_tile("0", "0", "0")) == "0/0/0"


def test_tile_bounds_match_the_grid():
    t = Tile(1, 0, 0)
    minx, miny, maxx, maxy = t.bounds
    assert minx == pytest.approx(-20037508.342789244)
    assert maxy == pytest.approx(20037508.342789244)
    assert maxx == pytest.approx(0) and miny == pytest.approx(0)
    lon0, lat0, lon1, lat1 = t.lonlat_bounds()
    assert (lon0, lon1) == pytest.approx((-180, 0))
    assert lat0 == pytest.approx(0, abs=1e-9) and lat1 == pytest.approx(85.0511287798)


def test_openapi_paths_are_valid_openapi():
    from openapi_spec_validator import validate

    from app.ogcapi.tiles import openapi_paths

    doc = {
        "openapi": "3.0.3",
        "info": {"title": "tiles", "version": "1"},
        "paths": openapi_paths("punti", "Test points"),
        "components": {"responses": {"Problem": {"description": "A problem."}}},
    }
    validate(doc)
    assert "/collections/punti/tiles/WebMercatorQuad/{z}/{x}/{y}" in doc["paths"]
