"""The editor's pages and the queue on the server: who may open them, the form fields the
page carries, the queue's content and order (on both stores: the queue reads the draft).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.editing import queue as queue_module
from app.editing.fields import form_fields
from app.registry import load_registry
from app.services import KEY
from app.stores.edits import FeatureEdit
from tests.editing.conftest import logged_in

BOTH_STORES = True
ROOT = Path(__file__).resolve().parents[2]


def page_config(response) -> dict:
    html = response.get_data(as_text=True)
    found = re.search(
        r'<script type="application/json" id="editor-config">(.*?)</script>', html, re.S
    )
    return json.loads(found.group(1))


def queue_ids(client) -> list[str]:
    r = client.get("/admin/edit/interventi/queue")
    assert r.status_code == 200
    return [f["id"] for f in r.get_json()["features"]]


# -- who may open the editor ----------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/admin/edit/", "/admin/edit/interventi", "/admin/edit/interventi/queue"]
)
def test_anonymous_visitors_are_sent_to_the_login(client, path):
    r = client.get(path)
    assert r.status_code == 302 and "/admin/login" in r.headers["Location"]
    r = client.get(path, headers={"Accept": "application/json"})
    assert r.status_code == 401


def test_editors_and_admins_open_the_editor(editor, admin):
    for client in (editor, admin):
        assert client.get("/admin/edit/").status_code == 200
        r = client.get("/admin/edit/interventi")
        assert r.status_code == 200
        assert client.get("/admin/edit/interventi/queue").status_code == 200


def test_a_disabled_user_is_refused(app, accounts):
    client = logged_in(app, accounts, "sospeso", "una-password-lunga-3", "editor")
    accounts.set_disabled("sospeso")
    r = client.get("/admin/edit/interventi")
    assert r.status_code == 302 and "/admin/login" in r.headers["Location"]


def test_a_layer_not_editable_or_unknown_is_refused(editor):
    r = editor.get("/admin/edit/confine")  # editing.enabled: false
    assert r.status_code == 403
    assert editor.get("/admin/edit/nessuno").status_code == 404


def test_the_list_counts_features_unplaced_and_pending(editor):
    html = editor.get("/admin/edit/").get_data(as_text=True)
    row = re.search(r'<tr data-layer="interventi">(.*?)</tr>', html, re.S).group(1)
    counts = dict(re.findall(r'data-count="(\w+)">(\d+)<', row))
    assert counts == {"features": "8", "unplaced": "6", "pending": "0"}
    assert 'href="/admin/edit/interventi"' in row
    assert 'href="/admin/layers/interventi/draft"' in row
    assert 'data-layer="confine"' not in html  # not editable


# -- the page -------------------------------------------------------------------------


def test_the_page_carries_the_form_fields(editor):
    config = page_config(editor.get("/admin/edit/interventi"))
    fields = {f["name"]: f for f in config["fields"]}
    assert list(fields)[:3] == ["id", "titolo", "descrizione"]
    assert fields["titolo"]["required"] is True and fields["titolo"]["label"] == "Titolo"
    assert fields["descrizione"]["input"] == "textarea"
    assert fields["stato"]["input"] == "select"
    assert fields["stato"]["choices"] == [
        {"value": "pianificato", "label": "Pianificato"},
        {"value": "in_corso", "label": "In corso"},
        {"value": "concluso", "label": "Concluso"},
    ]
    assert (fields["anno_stato"]["input"], fields["anno_stato"]["step"]) == ("number", "1")
    assert (fields["importo_euro"]["input"], fields["importo_euro"]["step"]) == ("number", "any")
    assert fields["approvato"]["input"] == "checkbox"
    assert fields["data_delibera"]["input"] == "date"
    assert fields["id"]["managed"] == "id"
    assert fields["precisione"]["managed"] == fields["fonte_posizione"]["managed"] == "placement"
    assert [p["value"] for p in config["precisions"]] == [
        "edificio", "indirizzo", "via", "area", "quartiere",
    ]  # fmt: skip


def test_the_page_in_english(editor):
    config = page_config(editor.get("/admin/edit/interventi?lang=en"))
    fields = {f["name"]: f for f in config["fields"]}
    assert fields["titolo"]["label"] == "Title"
    assert fields["stato"]["choices"][1]["label"] == "In progress"
    html = editor.get("/admin/edit/interventi?lang=en").get_data(as_text=True)
    assert "To georeference" in html and "Da georeferenziare" not in html


def test_the_page_names_its_tools_and_endpoints(editor):
    r = editor.get("/admin/edit/interventi")
    config = page_config(r)
    layer = config["layer"]
    assert layer["geometryType"] == "Geometry" and layer["mode"] == "geojson"
    assert layer["itemsUrl"] == "/api/collections/interventi/items"
    assert layer["itemUrl"] == "/admin/api/collections/interventi/items/__ID__"
    assert layer["editsUrl"] == "/admin/api/collections/interventi/edits"
    assert layer["precisionField"] == "precisione"
    assert config["zones"]["itemsUrl"] == "/api/collections/quartieri/items"
    assert config["boundary"]["type"] in ("Polygon", "MultiPolygon")
    assert config["addressSearch"] == "/api/search"  # civici is an address layer
    assert {s["id"] for s in config["snapLayers"]} == {"quartieri", "confine", "civici"}
    # CSP: no inline script runs; the scripts come from our own origin, Leaflet too.
    html = r.get_data(as_text=True)
    assert (
        "unsafe-inline"
        not in r.headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    )
    assert not re.search(r"<script(?![^>]*\b(src|type=\"application/json\"))[^>]*>", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert "/vendor/leaflet/leaflet.js" in html


def test_the_editor_calls_the_part4_views_under_admin(editor, store):
    """The session cookie is for /admin only: the editor's reads of the draft and its writes
    go to the same Part 4 views mounted at /admin/api."""
    base = "/admin/api/collections/interventi"
    r = editor.get(base + "/items/e1?draft=true", headers=editor.csrf_headers)
    assert r.status_code == 200 and r.headers["ETag"]
    patch = {"properties": {"descrizione": "nuova"}, "placement": {"fonte_posizione": "x"}}
    # Under /admin an error is a page unless the client asks for JSON (as the editor does).
    accept = {"Accept": "application/geo+json, application/problem+json"}
    headers = {**editor.csrf_headers, **accept, "If-Match": r.headers["ETag"]}
    w = editor.patch(base + "/items/e1", json=patch, headers=headers)
    assert w.status_code == 200, w.get_data(as_text=True)
    stale = editor.patch(base + "/items/e1", json=patch, headers=headers)
    assert stale.status_code == 412 and stale.get_json()["currentETag"] == w.headers["ETag"]
    assert editor.get(base + "/edits", headers=editor.csrf_headers).get_json()["changes"]
    # Without the CSRF token the admin guard refuses the write.
    assert editor.patch(base + "/items/e1", json=patch).status_code == 400


# -- the queue ------------------------------------------------------------------------


def test_the_queue_lists_the_unplaced_by_importance(editor):
    r = editor.get("/admin/edit/interventi/queue")
    doc = r.get_json()
    # Amount first (largest first; the same amount by state), then state, then title.
    assert [f["id"] for f in doc["features"]] == ["e3", "e4", "e8", "e5", "e6", "e7"]
    first = doc["features"][0]
    assert first == {
        "id": "e3",
        "title": "Ponte nuovo di prova",
        "source": "doc-a.txt riga 9; doc-b.txt riga 3",  # fonti holds fonte: once
        # Shown instead: citations (these synthetic files are in no catalogue).
        "source_citation": "documento non in catalogo, riga 9; documento non in catalogo, riga 3",
        "place": "sul fiume",
        "street": None,
        "quartiere": None,
        "stato": "concluso",
        "stato_label": "Concluso",
        "importo": 1000000.0,
    }
    assert doc["features"][3]["quartiere"] == 16
    # the official street its text names (codice_via / via_ufficiale, issue 17 item 6)
    assert doc["features"][2]["street"] == "Viale Trento e Trieste"
    assert doc["features"][4]["source"] == "doc-c.txt riga 6"  # fonte only
    assert doc["features"][5]["source"] == "doc-c.txt riga 7"  # fonti only


def test_the_queue_follows_the_draft(editor, app, store):
    spec = app.extensions[KEY].layer("interventi")
    _, etag = store.draft_get(spec, "e3")
    point = {"type": "Point", "coordinates": [10.02, 45.13]}
    placed = FeatureEdit(op="update", feature_id="e3", geometry=point, properties={})
    store.edit(spec, placed, user="t", if_match=etag)
    _, etag = store.draft_get(spec, "e1")
    unplaced = FeatureEdit(op="update", feature_id="e1", geometry=None, properties={})
    store.edit(spec, unplaced, user="t", if_match=etag)
    new = FeatureEdit(
        op="create", geometry=None, properties={"titolo": "Zzz nuovo", "stato": "sospeso"}
    )
    created = store.edit(spec, new, user="t", if_match=None)
    ids = queue_ids(editor)
    assert "e3" not in ids
    # e1 (500,000, in corso) now leads after nothing bigger; the new one is last.
    assert ids == ["e1", "e4", "e8", "e5", "e6", "e7", str(created.feature.id)]


def test_the_queue_order_is_written_once():
    """The key the docs describe: amount first, then state, then title."""
    from app.registry.spec import LayerSpec

    spec = LayerSpec.model_validate(
        {
            "id": "x",
            "title": {"it": "x", "en": "x"},
            "group": {"it": "x", "en": "x"},
            "geometry_type": "Point",
            "source": {"path": "x.geojson"},
            "id_field": "id",
            "title_field": "t",
            "fields": [{"name": n, "label": {"it": n, "en": n}} for n in ("id", "t")],
            "metadata": {
                "abstract": {"it": "a", "en": "a"},
                "licence": "CC0-1.0",
                "lineage": {"it": "a", "en": "a"},
                "updated": "2026-01-01",
            },
        }
    )

    def f(i, **p):
        return {"id": i, "properties": {"t": i, **p}}

    features = [
        f("b", stato="concluso"),
        f("a", stato="concluso"),
        f("c", stato="in_corso"),
        f("d", importo_euro=5.0),
        f("e", importo_euro=float("nan")),
        f("g", importo_euro=10, stato="concluso"),
        f("h", importo_euro=10, stato="in_corso"),
    ]
    ordered = sorted(features, key=lambda x: queue_module.importance(spec, x))
    assert [x["id"] for x in ordered] == ["h", "g", "d", "c", "a", "b", "e"]


def test_form_fields_of_the_shipped_interventi():
    """The real layer file: stato's choices from its style, types to inputs."""
    spec = load_registry(ROOT / "layers", ROOT).get("interventi")
    fields = {f["name"]: f for f in form_fields(spec, "it")}
    assert [c["value"] for c in fields["stato"]["choices"]] == [
        "pianificato", "in_corso", "concluso", "sospeso", "sconosciuto",
    ]  # fmt: skip
    assert fields["importo_euro"]["step"] == "any" and fields["anno_fine"]["step"] == "1"
    assert fields["quartiere"]["type"] == "integer"
    assert fields["precisione"]["managed"] == "placement"
    assert fields["fonte_posizione"]["managed"] == "placement"
    assert fields["storia_stato"]["input"] == "textarea"
    assert sorted(n for n, f in fields.items() if f["required"]) == ["stato", "titolo"]
