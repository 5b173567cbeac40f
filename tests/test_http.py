"""Compression, validators and cache lifetimes (issue 8: the viewer compressed and cacheable)."""

import gzip
import json

BOTH_STORES = True  # every app test here runs on GeoPackage and on PostGIS


def test_api_is_compressed_and_validated(client):
    r = client.get("/api/collections/punti/items", headers={"Accept-Encoding": "gzip"})
    assert r.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(r.data))["numberReturned"] == 6
    assert r.headers["Cache-Control"] == "public, max-age=60"
    again = client.get(
        "/api/collections/punti/items",
        headers={"Accept-Encoding": "gzip", "If-None-Match": r.headers["ETag"]},
    )
    assert again.status_code == 304 and again.data == b""
    plain = client.get("/api/collections/punti/items")
    assert "Content-Encoding" not in plain.headers
    assert (
        client.get(
            "/api/collections/punti/items", headers={"If-None-Match": plain.headers["ETag"]}
        ).status_code
        == 304
    )


def test_new_version_changes_the_etag(client, app):
    first = client.get("/api/collections/punti/items").headers["ETag"]
    store = app.extensions["geoportale"].store
    spec = app.extensions["geoportale"].registry.get("punti")
    from app.stores.base import Query

    gdf = store.frame(spec, Query())
    store.write_layer(spec, gdf.iloc[:2], user="t")
    assert client.get("/api/collections/punti/items").headers["ETag"] != first


def test_static_and_pages(client):
    js = client.get("/static/geoportale.js")
    assert "max-age=3600" in js.headers["Cache-Control"]
    page = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert page.headers.get("Content-Encoding") == "gzip"
    assert "public" not in page.headers.get("Cache-Control", "")
    admin = client.get("/admin/login")
    assert "public" not in admin.headers.get("Cache-Control", "")


def _vary(response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("Vary", "").split(",") if v.strip()}


def test_vary_names_what_a_response_depends_on(client):
    """Shared caches (a proxy in front of the tiles, a CDN) key on Vary: data that reads
    the same in every language must not vary on language or cookies, and a resource whose
    format comes from the Accept header must vary on it."""
    negotiated = client.get("/api/collections/punti/items")
    assert "accept" in _vary(negotiated)
    assert not {"accept-language", "cookie"} & _vary(negotiated)
    chosen = client.get("/api/collections/punti/items?f=json")
    assert not {"accept", "accept-language", "cookie"} & _vary(chosen)
    tile = client.get("/api/collections/punti/tiles/WebMercatorQuad/0/0/0")
    assert tile.status_code in (200, 204)
    assert not {"accept-language", "cookie"} & _vary(tile)
    assert not {"accept-language", "cookie"} & _vary(client.get("/download/punti.geojson"))
    # Translated pages keep it: the same URL reads differently in Italian and English.
    html = client.get("/api/collections/punti/items?f=html")
    assert {"accept-language", "cookie"} <= _vary(html)
    assert {"accept-language", "cookie"} <= _vary(client.get("/"))
    assert "accept" in _vary(client.get("/api/collections", headers={"Accept": "text/html"}))
