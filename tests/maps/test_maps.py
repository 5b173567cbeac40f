"""Published maps: compose in the admin, embed at /embed/<slug>, export one offline HTML file."""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
from html import unescape
from pathlib import Path

import pytest

from app.maps.definitions import MapDefinition, MapStore, slugify
from app.maps.render import script_safe
from tests import chromium

BOTH_STORES = True  # every app test here runs on GeoPackage and on PostGIS


ARTIFACTS = Path(__file__).resolve().parents[1] / ".artifacts"


def create_map(client, **fields):
    data = {"csrf_token": client.csrf, "title": "Cultura e zone", "layers": ["zone", "punti"]}
    return client.post("/admin/maps/new", data={**data, **fields})


@pytest.fixture
def made(admin_client_admin):
    r = create_map(admin_client_admin, basemap="none")
    assert r.status_code == 302, r.get_data(as_text=True)
    return "cultura-e-zone"


def test_map_store_round_trip(tmp_path):
    store = MapStore(tmp_path / "maps")
    assert store.list() == []
    store.save(MapDefinition(slug="a-b", title="Zeta", layers=("zone",)))
    store.save(MapDefinition(slug="c", title="alfa", layers=("punti", "zone"), basemap="none"))
    assert [m.slug for m in store.list()] == ["c", "a-b"]
    assert store.get("c").layers == ("punti", "zone")
    (tmp_path / "maps" / "rotta.json").write_text("{")
    assert len(store.list()) == 2  # a broken file is skipped by the list
    with pytest.raises(Exception, match="no such map"):
        store.get("../secret")
    assert slugify("Città: cantieri 2024!") == "citta-cantieri-2024"


def test_script_safe():
    assert (
        script_safe('{"a": "</script><script>alert(1)"}') == '{"a": "<\\/script><script>alert(1)"}'
    )
    assert "<!--" not in script_safe("x<!--y")


def test_managing_maps_is_for_admins_editors_see_and_export(admin_client, made):
    r = create_map(admin_client, title="Altra")
    assert r.status_code == 403
    page = admin_client.get("/admin/maps/").get_data(as_text=True)
    assert 'data-map="cultura-e-zone"' in page
    assert "&lt;iframe src=&#34;http://localhost/embed/cultura-e-zone&#34;" in page or (
        '&lt;iframe src="http://localhost/embed/cultura-e-zone"' in page
    )
    assert "Nuova mappa" not in page
    assert admin_client.get("/admin/maps/cultura-e-zone/export.html").status_code == 200


def test_invalid_maps_are_refused_with_messages(admin_client_admin, made, tmp_path):
    c = admin_client_admin
    for fields, field in [
        ({"layers": []}, "layers"),
        ({"layers": ["inesistente"]}, "layers"),
        ({"title": ""}, "title"),
        ({"slug": "Non Valido!"}, "slug"),
        ({"basemap": "google"}, "basemap"),
        ({}, "slug"),  # the slug of `made` is taken
    ]:
        r = create_map(c, **fields)
        html = r.get_data(as_text=True)
        assert r.status_code == 422 and f'id="err-{field}"' in html, (fields, html[-1500:])
    assert [p.name for p in (tmp_path / "maps").iterdir()] == ["cultura-e-zone.json"]


def test_embed_is_public_and_frameable_admin_is_not(app, admin_client_admin, made):
    anon = app.test_client()
    r = anon.get("/embed/cultura-e-zone")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "X-Frame-Options" not in r.headers
    csp = r.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in csp and "'unsafe-inline'" not in csp.split("script-src")[1][:60]
    assert_scripts_allowed_by_hashes(html, csp)
    assert "/api/collections/zone/items" in html and "Cultura e zone" in html
    assert anon.get("/maps-assets/maps.css").status_code == 200
    admin_page = admin_client_admin.get("/admin/maps/")
    assert admin_page.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in admin_page.headers["Content-Security-Policy"]
    assert anon.get("/embed/nessuna").status_code == 404
    assert anon.get("/embed/..%2Fsecret").status_code == 404


def assert_scripts_allowed_by_hashes(html: str, csp: str) -> None:
    """Every inline script of `html` is allowed by its hash in `csp`; scripts with a src
    come from our own origin; no 'unsafe-inline', no nonce."""
    import base64
    import hashlib

    script_src = csp.split("script-src ")[1].split(";")[0].split()
    assert script_src[0] == "'self'" and "'unsafe-inline'" not in script_src
    assert not any(s.startswith("'nonce-") for s in script_src)
    found = re.findall(r"<script\b(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", html, re.S)
    inline = [text for attrs, text in found if "application/json" not in attrs]  # data: not run
    assert inline
    for text in inline:
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in script_src, text[:200]
    for src in re.findall(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", html):
        assert src.startswith("/"), src


def test_embed_is_cacheable_because_it_carries_no_nonce(app, made):
    """A shared cache serves one /embed/ response to everyone: a nonce in it would be public
    and the same for all. Its inline scripts are allowed by hash instead, so the cached
    body and policy stay valid for every visitor."""
    anon = app.test_client()
    first, second = anon.get("/embed/cultura-e-zone"), anon.get("/embed/cultura-e-zone")
    for r in (first, second):
        assert r.headers["Cache-Control"] == "public, max-age=300"
        assert "nonce" not in r.headers["Content-Security-Policy"]
        assert "nonce=" not in r.get_data(as_text=True)
        assert_scripts_allowed_by_hashes(
            r.get_data(as_text=True), r.headers["Content-Security-Policy"]
        )


def test_embed_with_osm_allows_its_tiles_only(app, admin_client_admin):
    create_map(admin_client_admin, title="Con OSM", basemap="osm")
    r = app.test_client().get("/embed/con-osm")
    assert (
        "img-src 'self' data: https://tile.openstreetmap.org"
        in r.headers["Content-Security-Policy"]
    )


def test_embed_skips_layers_no_longer_published(app, admin_client_admin, made):
    admin_client_admin.post(
        "/admin/layers/zone/unpublish", data={"csrf_token": admin_client_admin.csrf}
    )
    html = app.test_client().get("/embed/cultura-e-zone").get_data(as_text=True)
    assert 'data-layer="punti"' in html and 'data-layer="zone"' not in html


def test_edit_keeps_the_address_and_delete_removes_it(app, admin_client_admin, made):
    c = admin_client_admin
    r = c.post(
        "/admin/maps/cultura-e-zone/edit",
        data={"csrf_token": c.csrf, "title": "Solo punti", "layers": ["punti"], "slug": "altro"},
    )
    assert r.status_code == 302
    html = app.test_client().get("/embed/cultura-e-zone").get_data(as_text=True)
    assert "Solo punti" in html and 'data-layer="zone"' not in html
    r = c.post("/admin/maps/cultura-e-zone/delete", data={"csrf_token": c.csrf})
    assert r.status_code == 302
    assert app.test_client().get("/embed/cultura-e-zone").status_code == 404


def exported(client, slug="cultura-e-zone") -> str:
    r = client.get(f"/admin/maps/{slug}/export.html")
    assert r.status_code == 200
    assert r.headers["Content-Disposition"] == f'attachment; filename="{slug}.html"'
    return r.get_data(as_text=True)


def test_standalone_export_has_everything_inside(admin_client, made):
    html = exported(admin_client)
    # No element loads anything: scripts and styles are inline, images are data: URIs.
    markup = re.sub(r"<script\b[^>]*>.*?</script>", "<script></script>", html, flags=re.S)
    loading = re.findall(r"<(?!a\b)[a-z]+\b[^>]*\b(?:src|href)\s*=[^>]*>", markup, re.I)
    assert loading == [], loading
    styles = " ".join(re.findall(r"<style\b[^>]*>(.*?)</style>", html, re.S))
    assert "@import" not in styles and not re.search(r"url\((?!data:|#default#VML)", styles)
    assert "L.Map" in html or "L.map" in html  # Leaflet itself is inside
    data = json.loads(re.search(r'id="gp-data">(.*?)</script>', html, re.S).group(1))
    assert len(data["zone"]["features"]) == 3 and len(data["punti"]["features"]) == 6
    assert "connect-src 'none'" in unescape(html) and "inline:zone" in html


def test_standalone_export_opens_offline_in_chromium(admin_client, made, tmp_path):
    sync_api = chromium.sync_api()
    path = tmp_path / "mappa.html"
    path.write_text(exported(admin_client), encoding="utf-8")
    data = json.loads(re.search(r'id="gp-data">(.*?)</script>', path.read_text(), re.S).group(1))
    drawn = {k: sum(1 for f in v["features"] if f["geometry"]) for k, v in data.items()}
    requested, problems = [], []
    with sync_api.sync_playwright() as p:
        browser = chromium.launch(p)
        context = browser.new_context(offline=True)
        page = context.new_page()
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))

        def refuse(route):
            requested.append(route.request.url)
            route.abort()

        page.route(re.compile(r"^(?!file:|data:).*"), refuse)
        page.goto(path.as_uri())
        page.wait_for_selector("input[name='layer'][value='punti']:not([disabled])")
        page.wait_for_selector("input[name='layer'][value='zone']:not([disabled])")
        counts = page.evaluate(
            "() => Object.fromEntries(Object.entries(Geoportale.layers)"
            ".map(([k, l]) => [k, l.getLayers().length]))"
        )
        assert counts == drawn and sum(counts.values()) == 8  # one punto has no geometry
        assert page.locator(".leaflet-interactive").count() == 8
        page.locator("details summary").first.click()
        ARTIFACTS.mkdir(exist_ok=True)
        page.set_viewport_size({"width": 1100, "height": 760})
        page.screenshot(path=str(ARTIFACTS / "maps-standalone-offline.png"))
        browser.close()
    assert requested == [] and problems == []


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def maps_env(tmp_path):
    """live_server's settings: maps in this test's directory."""
    (tmp_path / "env").write_text(f"GEOPORTALE_MAPS_DIR={tmp_path / 'maps'}\n")


def test_embed_shows_the_layers_inside_another_sites_iframe(maps_env, live_server, tmp_path):
    """A page on another origin frames /embed/<slug>; the map loads from our API in it."""
    sync_api = chromium.sync_api()
    MapStore(tmp_path / "maps").save(
        MapDefinition(
            slug="quartiere", title="Nel sito del Comune", layers=("zone",), basemap="none"
        )
    )
    # The council's page: another origin (localhost, not 127.0.0.1), served for real on
    # loopback (Chromium's local network checks stop a non-local page framing 127.0.0.1).
    site = tmp_path / "sito"
    site.mkdir()
    (site / "index.html").write_text(
        f'<h1>Comune</h1><iframe src="{live_server}/embed/quartiere" width="800" '
        'height="500" title="Mappa"></iframe>'
    )
    (site / "favicon.ico").write_bytes(b"")
    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    problems = []
    try:
        with sync_api.sync_playwright() as p:
            browser = chromium.launch(p)
            page = browser.new_page()
            page.on("console", lambda m: m.type == "error" and problems.append(m.text))
            page.goto(f"http://localhost:{server.server_address[1]}/index.html")
            frame = page.frame_locator("iframe")
            frame.locator("input[name='layer'][value='zone']:not([disabled])").wait_for()
            assert frame.locator(".leaflet-interactive").count() == 3
            assert frame.get_by_role("heading", level=1).inner_text() == "Nel sito del Comune"
            browser.close()
    finally:
        server.shutdown()
    assert problems == []


def test_embed_snippet_is_safe_html_with_any_title(admin_client_admin):
    """What the admin copies from the snippet box is HTML for another site: the title must
    sit inside its attribute, whatever it holds."""
    from html.parser import HTMLParser

    title = "Mappa \"><script>alert(1)</script> & <b>'x'"
    assert create_map(admin_client_admin, title=title, slug="ostile").status_code == 302
    page = admin_client_admin.get("/admin/maps/").get_data(as_text=True)
    shown = re.search(r'<textarea id="snippet-ostile"[^>]*>(.*?)</textarea>', page, re.S)
    snippet = unescape(shown.group(1))  # the text in the box, as the admin copies it

    class Tags(HTMLParser):
        def handle_starttag(self, tag, attrs):
            self.found.append((tag, dict(attrs)))

    parser = Tags()
    parser.found = []
    parser.feed(snippet)
    assert [tag for tag, _ in parser.found] == ["iframe"], snippet
    attrs = parser.found[0][1]
    assert attrs["title"] == title
    assert attrs["src"] == "http://localhost/embed/ostile"


#: Values that end or confuse a <script> element's text, and characters JSON allows but
#: old JavaScript did not (U+2028/2029).
SCRIPT_BREAKERS = [
    "<!-- commento",
    "</script><script>alert(1)</script>",
    "<script>x",
    "<!--<script>",
    "a & b > c < d",
    "riga\u2028paragrafo\u2029fine",
    "<\\!-- già escapato",
]


def _hostile_export(app, client, spec) -> tuple[str, list[str]]:
    import shapely

    from tests.conftest import punti_frame

    n = len(SCRIPT_BREAKERS)
    frame = punti_frame([shapely.Point(10.0 + i / 100, 45.1) for i in range(n)])
    frame["nome"] = SCRIPT_BREAKERS
    app.extensions["geoportale"].store.write_layer(spec("punti"), frame)
    return exported(client), [f"n{i + 1}" for i in range(n)]


def _script_texts(html: str) -> dict[str, str]:
    """The text of each <script id=...> as an HTML parser reads it."""
    from html.parser import HTMLParser

    class Scripts(HTMLParser):
        def handle_starttag(self, tag, attrs):
            self.current = dict(attrs).get("id") if tag == "script" else None

        def handle_data(self, data):
            if getattr(self, "current", None):
                self.found[self.current] = self.found.get(self.current, "") + data

        def handle_endtag(self, tag):
            self.current = None

    parser = Scripts()
    parser.found = {}
    parser.feed(html)
    return parser.found


def test_standalone_export_carries_any_text_exactly(app, admin_client, made, spec):
    html, ids = _hostile_export(app, admin_client, spec)
    raw = _script_texts(html)["gp-data"]
    # No character that can end the element or switch the HTML tokenizer's script state.
    assert not set(raw) & {"<", ">", "&", "\u2028", "\u2029"}
    names = {f["id"]: f["properties"]["nome"] for f in json.loads(raw)["punti"]["features"]}
    assert [names[i] for i in ids] == SCRIPT_BREAKERS


def test_standalone_export_with_any_text_works_in_chromium(app, admin_client, made, spec, tmp_path):
    sync_api = chromium.sync_api()
    html, ids = _hostile_export(app, admin_client, spec)
    path = tmp_path / "ostile.html"
    path.write_text(html, encoding="utf-8")
    problems = []
    with sync_api.sync_playwright() as p:
        browser = chromium.launch(p)
        page = browser.new_context(offline=True).new_page()
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(path.as_uri())
        page.wait_for_selector("input[name='layer'][value='punti']:not([disabled])")
        names = page.evaluate(
            "() => Object.fromEntries(JSON.parse(document.getElementById('gp-data').textContent)"
            ".punti.features.map(f => [f.id, f.properties.nome]))"
        )
        scripts = page.evaluate("() => document.scripts.length")
        browser.close()
    assert [names[i] for i in ids] == SCRIPT_BREAKERS and problems == []
    assert scripts == html.count("<script")
