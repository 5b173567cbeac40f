"""Publishing from the browser (HTTP level): import, report, preview, publish, rollback, edit."""

from __future__ import annotations

import io
import re
import zipfile

import pyogrio
import pytest

from app.admin.publishing.uploads import safe_filename
from app.publishing.readers import ImportRefused
from tests.publishing.conftest import zip_dir, zone_gdf

BOTH_STORES = True  # every app test here runs on GeoPackage and on PostGIS


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "MAPS_DIR": str(tmp_path / "maps")}


@pytest.fixture
def shapefile_zip(tmp_path):
    """Bytes of a zipped shapefile of the three test squares (EPSG:3003 unless told)."""

    def make(gdf=None, skip=(), name="zone"):
        folder = tmp_path / f"shp-{len(list(tmp_path.iterdir()))}"
        folder.mkdir()
        pyogrio.write_dataframe(
            gdf if gdf is not None else zone_gdf("EPSG:3003"), folder / f"{name}.shp"
        )
        return zip_dir(folder, tmp_path / f"{folder.name}.zip", skip).read_bytes()

    return make


def upload(client, content: bytes, filename="zone.zip", **fields):
    data = {"csrf_token": client.csrf, "file": (io.BytesIO(content), filename), **fields}
    return client.post("/admin/import", data=data, content_type="multipart/form-data")


def api_items(client, layer_id):
    r = client.get(f"/api/collections/{layer_id}/items?f=json&limit=100")
    return r.status_code, (r.get_json() or {}).get("features", [])


def state(app):
    """What a refused upload must not change: the store's generation and audit log."""
    store = app.extensions["geoportale"].store
    return store.generation(), len(store.audit_log(None, 10000))


PAGES = [
    "/admin/import",
    "/admin/layers",
    "/admin/layers/zone/versions",
    "/admin/layers/zone/versions/1/report",
    "/admin/layers/zone/versions/1/preview",
    "/admin/layers/zone/versions/1/items",
    "/admin/layers/zone/edit",
    "/admin/audit",
    "/admin/layers/zone/audit",
    "/admin/maps/",
    "/admin/maps/new",
]
POSTS = [
    "/admin/import",
    "/admin/layers/zone/versions/1/publish",
    "/admin/layers/zone/rollback",
    "/admin/layers/zone/unpublish",
    "/admin/layers/zone/edit",
    "/admin/maps/new",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_needs_a_login(app, path):
    r = app.test_client().get(path)
    assert r.status_code == 302 and "/admin/login" in r.headers["Location"]
    r = app.test_client().get(path, headers={"Accept": "application/json"})
    assert r.status_code == 401


@pytest.mark.parametrize("path", POSTS)
def test_every_post_needs_a_login_and_the_csrf_token(app, admin_client_admin, path):
    before = state(app)
    r = app.test_client().post(path, data={})
    assert r.status_code == 302 and "/admin/login" in r.headers["Location"]
    r = admin_client_admin.post(path, data={"csrf_token": "wrong"})
    assert r.status_code == 400 and "modulo è scaduto" in r.get_data(as_text=True)
    assert state(app) == before


def test_every_page_renders_for_an_editor(admin_client):
    for path in PAGES[:-1]:
        assert admin_client.get(path).status_code == 200, path
    assert admin_client.get("/admin/maps/new").status_code == 403  # maps: admins


def test_upload_report_preview_publish_rollback(app, admin_client, shapefile_zip):
    code, shipped = api_items(admin_client, "zone")
    assert code == 200 and shipped
    two = zone_gdf("EPSG:3003").iloc[:2]
    r = upload(admin_client, shapefile_zip(two), layer_id="zone", licence="CC-BY-4.0")
    assert r.status_code == 302
    report_url = r.headers["Location"]
    version = int(re.search(r"/versions/(\d+)/report", report_url).group(1))
    html = admin_client.get(report_url).get_data(as_text=True)
    assert "Rapporto di verifica" in html and "EPSG:3003" in html
    assert re.search(r'id="count-features">2<', html) and "Polygon: 2" in html
    assert '<table id="fields">' in html and "<code>nome</code>" in html
    assert f"/admin/layers/zone/versions/{version}/preview" in html
    assert "Pubblica la versione" in html
    # A draft: the public API still serves the shipped version; the preview shows the new.
    assert api_items(admin_client, "zone")[1] == shipped
    page = admin_client.get(f"/admin/layers/zone/versions/{version}/preview")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and f"/admin/layers/zone/versions/{version}/items" in text
    assert (
        "Content-Security-Policy" in page.headers
        and "nonce-" in page.headers["Content-Security-Policy"]
    )
    items = admin_client.get(f"/admin/layers/zone/versions/{version}/items?f=json&limit=1")
    doc = items.get_json()
    assert items.mimetype == "application/geo+json" and doc["numberMatched"] == 2
    assert [link["rel"] for link in doc["links"]] == ["next"]
    feature = admin_client.get(f"/admin/layers/zone/versions/{version}/items/1")
    assert "Zona nord" in feature.get_data(as_text=True)
    # Publish: the API serves the new version.
    r = admin_client.post(
        f"/admin/layers/zone/versions/{version}/publish", data={"csrf_token": admin_client.csrf}
    )
    assert r.status_code == 302
    code, served = api_items(admin_client, "zone")
    assert [f["properties"]["nome"] for f in served] == ["Zona nord", "Zona sud"]
    versions = admin_client.get("/admin/layers/zone/versions").get_data(as_text=True)
    assert f'id="served-version">{version}<' in versions and "redattore" in versions
    # Roll back: the shipped version again.
    r = admin_client.post("/admin/layers/zone/rollback", data={"csrf_token": admin_client.csrf})
    assert r.status_code == 302
    assert api_items(admin_client, "zone")[1] == shipped
    audit = admin_client.get("/admin/layers/zone/audit").get_data(as_text=True)
    for action in ("stage", "publish", "rollback"):
        assert f'data-action="{action}"' in audit


def test_new_layer_published_at_once(admin_client, shapefile_zip):
    assert api_items(admin_client, "sit_zone")[0] == 404
    r = upload(admin_client, shapefile_zip(), layer_id="sit_zone", title="Zone SIT", publish="1")
    assert r.status_code == 302
    assert len(api_items(admin_client, "sit_zone")[1]) == 3
    layers = admin_client.get("/admin/layers").get_data(as_text=True)
    assert 'data-layer="sit_zone"' in layers and "Zone SIT" in layers


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in entries.items():
            zf.writestr(name, content)
    return buf.getvalue()


REFUSED = {
    "garbage zip": (b"PK\x03\x04 this is not really a zip", "dati.zip", {}, "not a readable zip"),
    "path traversal": (_zip({"../../evil.shp": b"x"}), "evil.zip", {}, "unsafe path"),
    "unsupported": (b"MZ\x90\x00", "virus.exe", {}, "tipo di file non supportato"),
    "bad layer id": (b"{}", "a.geojson", {"layer_id": "Zone!"}, "Id del layer"),
    "bad crs": (b"{}", "a.geojson", {"crs_other": "EPSG:99999999"}, "sconosciuto"),
    "bad rename": (b"{}", "a.geojson", {"renames": "nome"}, "SOURCE=FIELD"),
    "empty": (b"", "a.geojson", {}, "vuoto"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_refused_uploads_show_the_reason_and_change_nothing(app, admin_client, case):
    content, filename, fields, message = REFUSED[case]
    before = state(app)
    r = upload(admin_client, content, filename, **{"layer_id": "zone", **fields})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="import-error"' in html
    assert message in html, html[html.find("import-error") :][:600]
    assert "nulla è cambiato" in html and 'enctype="multipart/form-data"' in html
    assert state(app) == before


def test_shapefile_without_shx_or_crs_is_refused(app, admin_client, shapefile_zip):
    before = state(app)
    r = upload(admin_client, shapefile_zip(skip=(".shx",)), layer_id="zone")
    assert r.status_code == 422 and "lacks its .shx" in r.get_data(as_text=True)
    r = upload(admin_client, shapefile_zip(skip=(".prj",)), layer_id="zone")
    assert r.status_code == 422 and "declares no CRS" in r.get_data(as_text=True)
    assert state(app) == before
    # The form keeps what was typed.
    r = upload(admin_client, shapefile_zip(skip=(".prj",)), layer_id="zone", title="Prova")
    assert 'value="Prova"' in r.get_data(as_text=True)
    # Given the CRS, the same file imports.
    r = upload(admin_client, shapefile_zip(skip=(".prj",)), layer_id="zone", crs="EPSG:3003")
    assert r.status_code == 302


def test_blocking_errors_show_the_report_and_stage_nothing(app, admin_client, shapefile_zip):
    before = state(app)
    r = upload(admin_client, shapefile_zip(skip=(".prj",)), layer_id="zone", crs="EPSG:32632")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="report-blocked"' in html
    assert 'data-code="crs-implausible"' in html and "they look like EPSG:3003" in html
    assert "Pubblica la versione" not in html
    assert state(app) == before


def test_safe_filename():
    assert safe_filename("../../etc/passwd.zip") == "passwd.zip"
    assert safe_filename("C:\\dati\\Città sud.GPKG") == "Citta_sud.gpkg"
    assert safe_filename(".zip") == "dati.zip"
    with pytest.raises(ImportRefused):
        safe_filename("zone.shp")


def test_unpublish_is_for_admins(app, admin_client, admin_client_admin):
    r = admin_client.post("/admin/layers/zone/unpublish", data={"csrf_token": admin_client.csrf})
    assert r.status_code == 403
    assert api_items(admin_client, "zone")[0] == 200
    r = admin_client_admin.post(
        "/admin/layers/zone/unpublish", data={"csrf_token": admin_client_admin.csrf}
    )
    assert r.status_code == 302
    assert api_items(admin_client, "zone")[0] == 404
    page = admin_client_admin.get("/admin/layers/zone/versions").get_data(as_text=True)
    assert 'id="served-version">non pubblicato' in page
    # A refused action is a message, not an error page.
    r = admin_client_admin.post(
        "/admin/layers/zone/rollback",
        data={"csrf_token": admin_client_admin.csrf},
        follow_redirects=True,
    )
    assert "Operazione non eseguita" in r.get_data(as_text=True)


def edit_form(client, layer_id="punti", **changes):
    """The edit form as the page fills it, with `changes`."""
    html = client.get(f"/admin/layers/{layer_id}/edit").get_data(as_text=True)
    data = {"csrf_token": client.csrf}
    for name in (
        "title_it",
        "title_en",
        "owner",
        "licence",
        "attribution",
        "lineage_it",
        "lineage_en",
        "keywords",
        "updated",
        "source_crs",
        "color",
        "fill_color",
        "opacity",
        "fill_opacity",
        "weight",
        "radius",
    ):
        m = re.search(rf'name="{name}" type="[a-z]+" value="([^"]*)"', html)
        data[name] = m.group(1) if m else ""
    data["abstract_it"] = re.search(r'name="abstract_it"[^>]*>([^<]*)<', html).group(1)
    data["fill_same"] = "1"  # checked on the page: the layer has no fill colour of its own
    data["property"] = "tipo"
    data["popup"] = ["nome", "tipo"]
    data["title_field"] = "nome"
    data["cat_value"] = ["museo", "teatro"]
    data["cat_color"] = ["#8a0a2e", "#1f5fa8"]
    data["cat_label_it"] = ["Museo", "Teatro"]
    data["cat_label_en"] = ["Museum", ""]
    data.update(changes)
    return data


def collection(client, layer_id="punti"):
    return client.get(f"/api/collections/{layer_id}?f=json").get_json()


def test_metadata_edit_invalid_values_are_shown_and_nothing_saved(app, admin_client):
    before = state(app)
    form = edit_form(
        admin_client,
        color="rosso",
        opacity="2",
        licence="",
        title_it="",
        cat_color=["#8a0a2e", "blu"],
    )
    r = admin_client.post("/admin/layers/punti/edit", data=form)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="edit-errors"' in html
    for field in ("color", "opacity", "licence", "title_it", "cat_1"):
        assert f'id="err-{field}"' in html, field
    assert 'aria-describedby="err-color"' in html and 'value="rosso"' in html
    # Cross-field checks (run once the fields are valid) also land next to their field.
    r = admin_client.post(
        "/admin/layers/punti/edit", data=edit_form(admin_client, popup=["nome", "inesistente"])
    )
    assert r.status_code == 422 and 'id="err-popup"' in r.get_data(as_text=True)
    assert state(app) == before and collection(admin_client)["title"] == "Punti di prova"


def test_metadata_edit_saves_a_valid_spec(app, admin_client):
    form = edit_form(
        admin_client,
        title_it="Luoghi della cultura",
        title_en="Cultural venues",
        keywords="cultura, musei",
        color="#123456",
        radius="9",
        property="tipo",
        cat_value=["museo", "teatro", ""],
        cat_color=["#000000", "#ffffff", "#1f5fa8"],
        cat_label_it=["Musei", "Teatri", ""],
        cat_label_en=["", "", ""],
    )
    r = admin_client.post("/admin/layers/punti/edit", data=form)
    assert r.status_code == 302, r.get_data(as_text=True)
    doc = collection(admin_client)
    assert doc["title"] == "Luoghi della cultura"
    spec = app.extensions["geoportale"].registry.get("punti")
    assert spec.title.en == "Cultural venues" and spec.metadata.keywords == ("cultura", "musei")
    assert spec.style.color == "#123456" and spec.style.radius == 9
    assert [(c.value, c.color, c.label.it) for c in spec.style.categories] == [
        ("museo", "#000000", "Musei"),
        ("teatro", "#ffffff", "Teatri"),
    ]
    assert spec.popup == ("nome", "tipo") and spec.style.fill_color is None
    audit = admin_client.get("/admin/layers/punti/audit").get_data(as_text=True)
    assert 'data-action="edit"' in audit


def test_metadata_edit_of_an_unpublished_layer_is_refused(admin_client_admin):
    admin_client_admin.post(
        "/admin/layers/punti/unpublish", data={"csrf_token": admin_client_admin.csrf}
    )
    r = admin_client_admin.get("/admin/layers/punti/edit")
    assert r.status_code == 404 and "non è pubblicato" in r.get_data(as_text=True)


def _gpkg(tmp_path):
    path = tmp_path / "due.gpkg"
    pyogrio.write_dataframe(zone_gdf("EPSG:7791"), path, layer="zone")
    pyogrio.write_dataframe(
        zone_gdf().assign(geometry=lambda d: d.representative_point()), path, layer="centri"
    )
    return path.read_bytes()


CSV = "id;nome;x;y\n1;Torrazzo;1578500,5;5000100,2\n2;Duomo;1578480;5000150\n"
GEOJSON = zone_gdf().to_json()


@pytest.mark.parametrize(
    "filename, content, fields, count",
    [
        ("punti.csv", CSV.encode(), {"crs": "EPSG:3003"}, 2),
        ("zone.geojson", GEOJSON.encode(), {}, 3),
        ("due.gpkg", None, {"layer": "centri"}, 3),
    ],
)
def test_other_inputs_publish_at_once(admin_client, tmp_path, filename, content, fields, count):
    content = content if content is not None else _gpkg(tmp_path)
    r = upload(admin_client, content, filename, layer_id="prova", publish="1", **fields)
    assert r.status_code == 302, r.get_data(as_text=True)[-800:]
    assert len(api_items(admin_client, "prova")[1]) == count


def test_gpkg_with_several_layers_asks_which(app, admin_client, tmp_path):
    r = upload(admin_client, _gpkg(tmp_path), "due.gpkg", layer_id="prova")
    assert r.status_code == 422 and "2 layers (zone, centri)" in r.get_data(as_text=True)


def test_uploads_beyond_the_size_limit_get_413(app, admin_client):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    before = state(app)
    r = upload(admin_client, b"x" * (128 * 1024), "big.geojson", layer_id="zone")
    assert r.status_code == 413 and "limite" in r.get_data(as_text=True)
    assert state(app) == before
