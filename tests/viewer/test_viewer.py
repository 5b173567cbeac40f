"""The map page: every published layer listed, every asset served by the app itself."""

import re

import pytest

from app import create_app
from tests.conftest import DATA

BOTH_STORES = True  # every app test here runs on GeoPackage and on PostGIS
READ_ONLY_STORE = True  # one PostGIS clone for the module (tests/conftest.py checks nothing writes)


def test_map_page_lists_layers_grouped(client):
    r = client.get("/")
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.text
    assert '<html lang="it">' in html
    assert "<legend>Prove</legend>" in html
    for title in ["Punti di prova", "Zone di prova"]:
        assert title in html
    assert 'value="punti"' in html and 'value="zone"' in html
    # Legend entries of the categorised style, and the list alternative of each layer.
    assert "Museo" in html and "Teatro" in html and "Biblioteca" in html
    assert "/api/collections/punti/items?f=html" in html
    assert '"itemsUrl": "/api/collections/punti/items"' in html


def test_no_third_party_assets(client):
    html = client.get("/").text
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert external == []
    scripts = re.findall(r'<script\b[^>]*\bsrc="([^"]+)"', html)
    assert "/vendor/leaflet/leaflet.js" in scripts
    for url in scripts + re.findall(r'<link rel="stylesheet" href="([^"]+)"', html):
        assert client.get(url).status_code == 200, url
    assert "cdn" not in html.lower()


def test_basemap_settings(store_path):
    def page(**settings):
        app = create_app(
            {
                "STORE": str(store_path),
                "LAYERS_DIR": str(DATA / "layers"),
                "DATA_ROOT": str(DATA),
                **settings,
            }
        )
        return app.test_client().get("/").text

    osm = page()
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in osm
    assert "OpenStreetMap" in osm
    none = page(BASEMAP="none")
    assert "tile.openstreetmap.org" not in none and "L.tileLayer" not in none
    wms = page(
        BASEMAP="wms",
        BASEMAP_URL="https://wms.example.org/ows",
        BASEMAP_WMS_LAYERS="ortofoto",
        BASEMAP_ATTRIBUTION="Regione Lombardia",
    )
    assert "L.tileLayer.wms" in wms and "ortofoto" in wms and "Regione Lombardia" in wms


def test_vendor_route(client):
    r = client.get("/vendor/leaflet/leaflet.css")
    assert r.status_code == 200 and "leaflet-container" in r.text
    assert client.get("/vendor/leaflet/../../../etc/passwd").status_code == 404
    assert client.get("/vendor/jquery/jquery.js").status_code == 404


def test_html_error_page(client):
    r = client.get("/no/such/page")
    assert r.status_code == 404 and r.mimetype == "text/html"
    assert "Torna alla mappa" in r.text


@pytest.mark.parametrize("bad", ["BASEMAP=satellite", "AUTO_BUILD=maybe", "MAX_LIMIT=lots"])
def test_bad_setting_is_a_clear_error(bad, monkeypatch):
    from app.settings import SettingsError

    name, value = bad.split("=")
    monkeypatch.setenv(f"GEOPORTALE_{name}", value)
    with pytest.raises(SettingsError, match=f"GEOPORTALE_{name}="):
        create_app()


def test_layer_titles_follow_the_language(client):
    assert "Test points" in client.get("/?lang=en").text
    assert "Punti di prova" in client.get("/?lang=it").text
