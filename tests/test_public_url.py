"""GEOPORTALE_BASE_URL: absolute links on the configured base, never on a hostile Host."""

from __future__ import annotations

import re

import pytest

from app import create_app
from app.settings import SettingsError, load_settings
from tests.conftest import DATA

BOTH_STORES = True  # every app test here runs on GeoPackage and on PostGIS

BASE = "https://sit.comune.example/geoportale"
HOSTILE = "evil.example:666"
#: Responses with absolute links: OGC API documents (JSON and HTML), tiles, OpenAPI
#: servers, the DCAT catalogue, the processes.
PATHS = [
    "/api/",
    "/api/collections",
    "/api/collections/punti",
    "/api/collections/punti/items?limit=2",
    "/api/collections/punti/items?limit=2&offset=2&f=html",
    "/api/collections/punti/items/p1",
    "/api/collections/punti/queryables",
    "/api/collections/punti/tiles",
    "/api/collections/punti/tiles/WebMercatorQuad/tilejson.json",
    "/api/openapi",
    "/catalog.jsonld",
    "/api/processes",
]
_URL = re.compile(r"https?://[^\s\"'<>\\]+")


def _app(store_location, **settings):
    return create_app(
        {
            "STORE": store_location,
            "LAYERS_DIR": str(DATA / "layers"),
            "DATA_ROOT": str(DATA),
            "BASEMAP": "none",
            **settings,
        }
    )


def _get(client, path, host):
    return client.get(
        path,
        base_url=f"http://{host}",
        headers={"Host": host, "X-Forwarded-Host": host, "X-Forwarded-Proto": "http"},
    )


@pytest.mark.parametrize("prefix", ["", "/geoportale"])
def test_links_use_the_base_url_whatever_the_host(store_location, prefix):
    """A client naming another Host (or X-Forwarded-Host) gets links on BASE only; the
    proxy may pass the path prefix on or strip it."""
    app = _app(store_location, BASE_URL=BASE + "/")  # a trailing slash is normalised away
    client = app.test_client()
    for path in PATHS:
        r = _get(client, prefix + path, HOSTILE)
        assert r.status_code == 200, (path, r.data[:200])
        text = r.get_data(as_text=True) + str(r.headers)
        assert "evil" not in text, path
        ours = [u for u in _URL.findall(text) if "comune.example" in u]
        assert ours and all(u == BASE or u.startswith(BASE + "/") for u in ours), (path, ours)


def test_without_base_url_links_follow_the_host_and_say_vary_host(store_location):
    """Unset (development): today's links on the request's host, and every response names
    Host in Vary, so a shared cache keeps a copy per host instead of serving one to all."""
    client = _app(store_location).test_client()
    for path in PATHS + ["/static/geoportale.js"]:
        r = _get(client, path, "alias.example")
        assert r.status_code == 200, path
        assert "Host" in r.vary, (path, r.headers.get("Vary"))
    doc = _get(client, "/api/", "alias.example").get_json()
    assert {link["href"].split("/api")[0] for link in doc["links"]} == {"http://alias.example"}


@pytest.mark.parametrize(
    "value",
    [
        "ftp://sit.example/",
        "sit.example/geoportale",
        "https://",
        "https://sit.example/?a=1",
        "https://sit.example/geo#x",
        "https://sit.example/?",
        "https://user:pw@sit.example/",
        "https://sit.example:99999/",
        "https://sit.example/geo portale",
        "https://sit.example/geo\r\nX: y",
    ],
)
def test_bad_base_urls_are_refused(value, tmp_path):
    with pytest.raises(SettingsError, match="BASE_URL"):
        load_settings(environ={"GEOPORTALE_BASE_URL": value})
    with pytest.raises(SettingsError, match="BASE_URL"):
        create_app({"BASE_URL": value, "STORE": str(tmp_path / "x.gpkg"), "AUTO_BUILD": False})


@pytest.mark.parametrize(
    "value, normalised",
    [
        ("", ""),
        (" https://sit.example/geoportale/ ", "https://sit.example/geoportale"),
        ("http://localhost:8080", "http://localhost:8080"),
    ],
)
def test_base_url_is_normalised(value, normalised):
    assert load_settings(environ={"GEOPORTALE_BASE_URL": value})["BASE_URL"] == normalised


def test_link_cache_keeps_the_script_root_apart(store_location):
    """links.url remembers paths per scheme, host *and* script root: one app mounted under
    two prefixes (two proxies) must not hand one prefix's links to the other."""
    client = _app(store_location).test_client()
    for root in ("/uno", "/due", "/uno"):
        doc = client.get("/api/collections", environ_overrides={"SCRIPT_NAME": root}).get_json()
        hrefs = {link["href"] for c in doc["collections"] for link in c["links"]}
        ours = [h for h in hrefs if h.startswith("http://localhost/")]
        assert ours and all(h.startswith(f"http://localhost{root}/") for h in ours), root
