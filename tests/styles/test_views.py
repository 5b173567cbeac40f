"""The styles as OGC API - Styles: list, documents by f= and Accept, errors, links."""

from __future__ import annotations

import xml.etree.ElementTree as ET

BOTH_STORES = True  # every app test here runs on GeoPackage and on PostGIS

SLD = "application/vnd.ogc.sld+xml;version=1.0"
QML = "application/vnd.qgis.qml"
GL = "application/vnd.mapbox.style+json"
BASE = "/api/collections/punti/styles"


def test_the_styles_list_links_each_encoding(client):
    r = client.get(BASE)
    assert r.status_code == 200 and r.mimetype == "application/json"
    doc = r.get_json()
    assert doc["default"] == "default"
    (style,) = doc["styles"]
    assert style["id"] == "default" and style["title"] == "Punti di prova"
    types = {link["type"]: link["href"] for link in style["links"]}
    assert set(types) == {SLD, QML, GL}
    assert types[SLD].endswith("/api/collections/punti/styles/default?f=sld")
    assert all(link["rel"] == "stylesheet" for link in style["links"])
    en = client.get(f"{BASE}?lang=en").get_json()
    assert en["styles"][0]["title"] == "Test points"
    assert all("lang=en" in link["href"] for link in en["styles"][0]["links"])


def test_sld_of_the_fixture_layer(client):
    r = client.get(f"{BASE}/default?f=sld")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == f"{SLD}; charset=utf-8"
    root = ET.fromstring(r.data)
    titles = [t.text for t in root.iter("{http://www.opengis.net/sld}Title")]
    assert titles[:4] == ["Punti di prova", "Museo", "Teatro", "Biblioteca"]
    assert "#8a0a2e" in r.text
    assert r.headers["ETag"] and "max-age" in r.headers["Cache-Control"]
    again = client.get(f"{BASE}/default?f=sld", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304


def test_qml_and_the_tiles_style(client):
    r = client.get(f"{BASE}/default?f=qml&lang=en")
    assert r.status_code == 200 and r.mimetype == QML
    root = ET.fromstring(r.data)
    assert {a.get("field"): a.get("name") for a in root.iter("alias")}["nome"] == "Name"
    assert [rule.get("label") for rule in root.iter("rule")][:3] == [
        "Museum",
        "Theatre",
        "Library",
    ]
    r = client.get(f"{BASE}/default?f=mapbox")
    assert r.status_code == 200 and r.mimetype == GL
    doc = r.get_json()
    tiles = doc["sources"]["punti"]["tiles"][0]
    assert tiles.endswith("/api/collections/punti/tiles/WebMercatorQuad/{z}/{x}/{y}")
    assert [layer["type"] for layer in doc["layers"]] == ["circle"]
    # the template is a real tile address once filled in
    assert client.get(tiles.split("localhost")[1].format(z=0, x=0, y=0)).status_code == 200


def test_the_encoding_follows_accept_without_f(client):
    r = client.get(f"{BASE}/default", headers={"Accept": QML})
    assert r.mimetype == QML and "Accept" in r.headers["Vary"]
    assert client.get(f"{BASE}/default", headers={"Accept": GL}).mimetype == GL
    assert client.get(f"{BASE}/default").mimetype == "application/vnd.ogc.sld+xml"


def test_errors_are_problems(client):
    r = client.get(f"{BASE}/bello?f=sld")
    assert r.status_code == 404 and r.get_json()["type"] == "about:blank#style-not-found"
    for query in ("f=svg", "family=area", "lang=fr", "colour=red"):
        r = client.get(f"{BASE}/default?{query}")
        assert r.status_code == 400, query
        assert r.mimetype == "application/problem+json"
    assert client.get("/api/collections/nessuno/styles").status_code == 404
    assert client.get(f"{BASE}?f=html").status_code == 400


def test_the_collection_links_its_styles_and_the_openapi_lists_them(client):
    doc = client.get("/api/collections/zone").get_json()
    rels = {(link["rel"], link["type"]) for link in doc["links"]}
    assert ("styles", "application/json") in rels
    assert {("stylesheet", SLD), ("stylesheet", QML), ("stylesheet", GL)} <= rels
    zone = client.get("/api/collections/zone/styles/default?f=sld").text
    assert "<PolygonSymbolizer>" in zone and "PointSymbolizer" not in zone
    paths = client.get("/api/openapi").get_json()["paths"]
    assert "/collections/zone/styles/{styleId}" in paths
    assert "/collections/zone/styles" in paths


def test_the_field_labels_alone_for_a_layer_without_geometries(client):
    """family=none: a QML of the aliases only, which QGIS accepts on a layer (or table)
    without geometries; no SLD or MapLibre style of it."""
    import re

    links = client.get("/api/collections/punti").get_json()["links"]
    href = next(x["href"] for x in links if x["rel"] == "stylesheet" and "f=qml" in x["href"])
    path = re.sub(r"^https?://[^/]+", "", href).split("?")[0]
    r = client.get(path + "?f=qml&family=none")
    assert r.status_code == 200
    assert "<aliases>" in r.text and "<renderer-v2" not in r.text
    assert "layerGeometryType" not in r.text
    for fmt in ("sld", "mapbox"):
        bad = client.get(path + f"?f={fmt}&family=none")
        assert bad.status_code == 400 and bad.get_json()["parameter"] == "family"
