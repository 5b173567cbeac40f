"""OGC API Features Part 2 (CRS) and Part 3 (CQL2 filtering, queryables) over HTTP."""

from urllib.parse import quote

import pyogrio
import pytest

BOTH_STORES = True  # every test here runs on GeoPackage and on PostGIS
READ_ONLY_STORE = True  # one PostGIS clone for the module (tests/conftest.py checks nothing writes)

EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


def test_collection_lists_crs(client):
    doc = client.get("/api/collections/punti").get_json()
    assert doc["storageCrs"] == CRS84
    for code in (4326, 3857, 3003, 6707, 7791, 32632):
        assert f"{EPSG}{code}" in doc["crs"]
    assert doc["crs"][0] == CRS84
    rels = {l["rel"] for l in doc["links"]}
    assert "http://www.opengis.net/def/rel/ogc/1.0/queryables" in rels


def test_conformance_lists_parts_2_and_3(client):
    classes = client.get("/api/conformance").get_json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in classes
    assert "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter" in classes
    assert "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json" in classes


@pytest.mark.parametrize(
    "code, expected",
    [
        (4326, (45.133, 10.02)),  # latitude first, as EPSG defines it
        (6707, (4998231.2, 580205.4)),  # RDN2008 UTM 32N (N-E): northing first
        (7791, (580205.4, 4998231.2)),  # RDN2008 UTM 32N (E-N)
        (32632, (580205.4, 4998231.2)),
        (3003, (1580234.5, 4998250.3)),  # Monte Mario / Gauss-Boaga, Helmert (a few metres)
    ],
)
def test_items_in_crs_with_axis_order(client, code, expected):
    r = client.get(f"/api/collections/punti/items?crs={EPSG}{code}&limit=1")
    assert r.status_code == 200
    assert r.headers["Content-Crs"] == f"<{EPSG}{code}>"
    coords = r.get_json()["features"][0]["geometry"]["coordinates"]
    assert tuple(coords) == pytest.approx(expected, abs=2.0 if code != 4326 else 1e-9)
    one = client.get(f"/api/collections/punti/items/p1?crs={EPSG}{code}")
    assert one.headers["Content-Crs"] == f"<{EPSG}{code}>"
    assert tuple(one.get_json()["geometry"]["coordinates"]) == pytest.approx(tuple(coords))


def test_default_is_crs84(client):
    r = client.get("/api/collections/punti/items?limit=1")
    assert r.headers["Content-Crs"] == f"<{CRS84}>"
    assert r.get_json()["features"][0]["geometry"]["coordinates"] == [10.02, 45.133]


def test_bbox_crs(client):
    url = f"/api/collections/punti/items?bbox=45.13,10.015,45.137,10.027&bbox-crs={EPSG}4326"
    assert [f["id"] for f in client.get(url).get_json()["features"]] == ["p1", "p2"]
    url = f"/api/collections/punti/items?bbox=580100,4998100,580300,4998300&bbox-crs={EPSG}7791"
    assert [f["id"] for f in client.get(url).get_json()["features"]] == ["p1"]


def test_filter_over_http(client):
    text = quote("tipo = 'museo' AND S_DWITHIN(geometry, POINT(10.02 45.133), 2000)")
    doc = client.get(f"/api/collections/punti/items?filter={text}").get_json()
    assert [f["id"] for f in doc["features"]] == ["p1", "p3"] and doc["numberMatched"] == 2
    nxt = client.get(f"/api/collections/punti/items?filter={text}&limit=1").get_json()
    next_link = next(l["href"] for l in nxt["links"] if l["rel"] == "next")
    assert "filter=" in next_link
    json_filter = quote('{"op": ">", "args": [{"property": "posti"}, 100]}')
    doc = client.get(
        f"/api/collections/punti/items?filter={json_filter}&filter-lang=cql2-json"
    ).get_json()
    assert [f["id"] for f in doc["features"]] == ["p1", "p5"]
    bbox = quote("S_INTERSECTS(geometry, BBOX(45.13, 10.015, 45.137, 10.027))")
    doc = client.get(f"/api/collections/punti/items?filter={bbox}&filter-crs={EPSG}4326").get_json()
    assert [f["id"] for f in doc["features"]] == ["p1", "p2"]


def test_queryables(client):
    r = client.get("/api/collections/punti/queryables")
    assert r.status_code == 200 and r.mimetype == "application/schema+json"
    doc = r.get_json()
    assert doc["type"] == "object" and doc["additionalProperties"] is False
    assert doc["properties"]["posti"]["type"] == "integer"
    assert doc["properties"]["data"]["format"] == "date"
    assert doc["properties"]["geometry"]["format"] == "geometry-point"  # punti: Point
    assert doc["properties"]["geometry"]["x-ogc-role"] == "primary-geometry"
    assert client.get("/api/collections/punti/queryables?f=html").status_code == 200
    assert client.get("/api/collections/ghost/queryables").status_code == 404


def test_gdal_reads_with_crs_and_filter(live_server):
    gdf = pyogrio.read_dataframe(f"OAPIF:{live_server}/api", layer="punti", where="tipo = 'museo'")
    assert sorted(gdf["nome"]) == ["Punto senza posizione", "Punto tre", "Punto uno"]
    via_crs = pyogrio.read_dataframe(f"OAPIF:{live_server}/api", layer="punti", CRS="EPSG:7791")
    assert via_crs.crs.to_epsg() == 7791
    p1 = via_crs[via_crs["nome"] == "Punto uno"].geometry.iloc[0]
    assert (p1.x, p1.y) == pytest.approx((580205.4, 4998231.2), abs=0.5)
