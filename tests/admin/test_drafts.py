"""Reviewing and publishing a layer's draft (/admin/layers/<id>/draft), the pending counts on
the admin pages, and each feature's public history (/api/.../items/<id>/history)."""

from __future__ import annotations

import json
import re

import pytest

from app.stores.base import Query
from app.stores.edits import FeatureEdit

BOTH_STORES = True  # every app test here runs on GeoPackage and on PostGIS

POINT = {"type": "Point", "coordinates": [10.03, 45.14]}
MOVED = {"type": "Point", "coordinates": [10.021, 45.134]}


def store_of(app):
    return app.extensions["geoportale"].store


def punti(app):
    return next(v.spec for v in store_of(app).versions("punti") if v.status == "published")


def edit(app, change: FeatureEdit, user="redattore"):
    store, spec = store_of(app), punti(app)
    tag = "*" if change.op != "create" else None
    return store.edit(spec, change, user=user, if_match=tag)


def some_edits(app):
    """p6 placed (with its placement) and renamed, p7 added, p1 removed, p2 moved."""
    edit(
        app,
        FeatureEdit(
            "update",
            "p6",
            geometry=POINT,
            properties={"nome": "Sei"},
            placement={"precisione": "via", "fonte_posizione": "Tavola 3", "via": "Via Dante"},
        ),
    )
    edit(app, FeatureEdit("update", "p6", properties={"posti": 9}, set_geometry=False), "capo")
    edit(app, FeatureEdit("create", geometry=POINT, properties={"id": "p7", "nome": "Sette"}))
    edit(app, FeatureEdit("delete", "p1"))
    edit(app, FeatureEdit("update", "p2", geometry=MOVED))


def rows(html: str) -> dict[str, str]:
    """feature id -> the text of its row."""
    found = re.findall(r'<tr data-fid="([^"]+)" data-kind="([^"]+)">(.*?)</tr>', html, re.S)
    return {fid: f"{kind} {body}" for fid, kind, body in found}


def test_the_diff_lists_exactly_what_was_edited(app, admin_client):
    some_edits(app)
    html = admin_client.get("/admin/layers/punti/draft").get_data(as_text=True)
    found = rows(html)
    assert set(found) == {"p6", "p7", "p1", "p2"}
    assert found["p7"].startswith("added") and found["p1"].startswith("removed")
    p6 = found["p6"]
    assert p6.startswith("changed") and "spostato" in p6  # placed: the geometry changed
    assert re.search(
        r"<strong>Nome</strong>: <del>Punto senza posizione</del> → <ins>Sei</ins>", p6
    )
    assert re.search(r"<strong>Posti</strong>: <del>5</del> → <ins>9</ins>", p6)
    assert "Tavola 3" in p6 and "Via Dante" in p6 and ">via<" in p6
    assert "redattore, capo" in p6 and "2 modifiche" in p6
    p2 = found["p2"]
    assert "spostato" in p2 and "<del>" not in p2  # moved only, no field changed
    assert "4 elementi cambiati con 5 modifiche" in html
    blob = json.loads(re.search(r'id="draft-geometries">(.*?)</script>', html, re.S).group(1))
    geoms = {g["id"]: g for g in blob["features"]}
    assert geoms["p6"]["before"] is None and geoms["p6"]["after"]["coordinates"] == [10.03, 45.14]
    assert geoms["p1"]["after"] is None and geoms["p2"]["before"]["coordinates"] == [10.025, 45.136]
    assert "/vendor/leaflet/leaflet.js" in html and "draft.js" in html


def test_publish_makes_a_version_the_api_serves_and_rollback_removes_it(app, admin_client):
    some_edits(app)
    before = store_of(app).describe("punti").version
    r = admin_client.post(
        "/admin/layers/punti/draft/publish", data={"csrf_token": admin_client.csrf}
    )
    assert r.status_code == 302 and f"published={before + 1}" in r.headers["Location"]
    page = admin_client.get(r.headers["Location"]).get_data(as_text=True)
    assert 'id="published"' in page and f"/admin/layers/punti/versions/{before + 1}/preview" in page
    assert 'id="draft-empty"' in page
    item = admin_client.get("/api/collections/punti/items/p6?f=json").get_json()
    assert item["geometry"]["coordinates"] == [10.03, 45.14] and item["properties"]["nome"] == "Sei"
    assert admin_client.get("/api/collections/punti/items/p1?f=json").status_code == 404
    versions = admin_client.get("/admin/layers/punti/versions").get_data(as_text=True)
    assert f"1 aggiunti, 2 modificati, 1 eliminati su v{before}" in versions
    r = admin_client.post("/admin/layers/punti/rollback", data={"csrf_token": admin_client.csrf})
    assert r.status_code == 302
    item = admin_client.get("/api/collections/punti/items/p6?f=json").get_json()
    assert item["geometry"] is None
    assert admin_client.get("/api/collections/punti/items/p1?f=json").status_code == 200


def test_discard_one_feature_then_all(app, admin_client):
    some_edits(app)
    token = admin_client.csrf
    r = admin_client.post("/admin/layers/punti/draft/discard", data={"csrf_token": token})
    assert r.status_code == 302  # neither a feature nor all: nothing discarded
    assert len(store_of(app).edits("punti")) == 5
    admin_client.post(
        "/admin/layers/punti/draft/discard", data={"csrf_token": token, "feature": "p6"}
    )
    assert {r.feature_id for r in store_of(app).edits("punti")} == {"p7", "p1", "p2"}
    html = admin_client.get("/admin/layers/punti/draft").get_data(as_text=True)
    assert set(rows(html)) == {"p7", "p1", "p2"} and "2 modifiche scartate." in html
    admin_client.post("/admin/layers/punti/draft/discard", data={"csrf_token": token, "all": "1"})
    assert store_of(app).edits("punti") == []
    assert [a["action"] for a in store_of(app).audit_log("punti", 2)] == ["edits-discard"] * 2


def test_a_conflict_is_shown_with_its_features_and_can_be_discarded(app, admin_client):
    edit(app, FeatureEdit("update", "p2", properties={"posti": 7}, set_geometry=False))
    edit(app, FeatureEdit("update", "p3", properties={"posti": 8}, set_geometry=False))
    store, spec = store_of(app), punti(app)
    frame = store.frame(spec, Query())
    frame.loc[frame["id"] == "p3", "nome"] = "Cambiato da un import"
    store.write_layer(spec, frame, origin="import", source="import.gpkg", user="altro")
    served = store.describe("punti").version
    r = admin_client.post(
        "/admin/layers/punti/draft/publish", data={"csrf_token": admin_client.csrf}
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and 'id="conflict"' in html
    assert '<li data-conflict="p3">' in html and 'data-conflict="p2"' not in html
    assert store.describe("punti").version == served  # nothing published
    form = re.search(
        r'<form method="post" action="([^"]+)">(?:(?!</form>).)*discard-conflicts', html, re.S
    )
    assert form and '<input type="hidden" name="feature" value="p3">' in form.group(0)
    admin_client.post(form.group(1), data={"csrf_token": admin_client.csrf, "feature": "p3"})
    r = admin_client.post(
        "/admin/layers/punti/draft/publish", data={"csrf_token": admin_client.csrf}
    )
    assert r.status_code == 302
    assert store.get(spec, "p2").properties["posti"] == 7
    assert store.get(spec, "p3").properties["nome"] == "Cambiato da un import"


def test_nothing_pending_publishes_nothing(app, admin_client):
    r = admin_client.post(
        "/admin/layers/punti/draft/publish", data={"csrf_token": admin_client.csrf}
    )
    assert r.status_code == 302
    page = admin_client.get(r.headers["Location"]).get_data(as_text=True)
    assert "no pending edits to publish" in page and 'id="draft-empty"' in page


@pytest.mark.parametrize(
    "path", ["/admin/layers/punti/draft/publish", "/admin/layers/punti/draft/discard"]
)
def test_posts_need_a_login_and_the_csrf_token(app, admin_client, path):
    some_edits(app)
    r = app.test_client().post(path, data={"all": "1"})
    assert r.status_code == 302 and "/admin/login" in r.headers["Location"]
    r = admin_client.post(path, data={"csrf_token": "wrong", "all": "1"})
    assert r.status_code == 400
    assert len(store_of(app).edits("punti")) == 5


@pytest.mark.parametrize("path", ["/admin/layers/punti/draft", "/admin/drafts"])
def test_pages_need_a_login(app, path):
    r = app.test_client().get(path)
    assert r.status_code == 302 and "/admin/login" in r.headers["Location"]


def test_pending_counts_on_the_admin_pages(app, admin_client):
    some_edits(app)
    link = 'href="/admin/layers/punti/draft"'
    layers = admin_client.get("/admin/layers").get_data(as_text=True)
    assert link in layers and 'data-pending="5"' in layers
    assert link in admin_client.get("/admin/layers/punti/versions").get_data(as_text=True)
    drafts = admin_client.get("/admin/drafts").get_data(as_text=True)
    assert link in drafts and "5 modifiche da rivedere" in drafts
    assert 'href="/admin/drafts"' in drafts  # the nav entry
    dashboard = admin_client.get("/admin/").get_data(as_text=True)
    assert link in dashboard
    assert admin_client.get("/admin/layers/nessuno/draft").status_code == 404


def test_history_shows_published_edits_only_and_no_user_names(app, admin_client):
    some_edits(app)
    client = app.test_client()
    assert client.get("/api/collections/punti/items/p6/history").get_json()["history"] == []
    admin_client.post("/admin/layers/punti/draft/publish", data={"csrf_token": admin_client.csrf})
    version = store_of(app).describe("punti").version
    edit(app, FeatureEdit("update", "p6", properties={"nome": "Ancora"}, set_geometry=False))
    edit(app, FeatureEdit("update", "p2", properties={"nome": "Scartato"}, set_geometry=False))
    store_of(app).discard_edits("punti", "redattore", ["p2"])
    r = client.get("/api/collections/punti/items/p6/history")
    doc = r.get_json()
    assert r.status_code == 200 and r.mimetype == "application/json"
    entries = doc["history"]  # the pending rename "Ancora" is not history yet
    assert [(e["version"], e["op"]) for e in entries] == [(version, "update")] * 2
    assert entries[0]["moved"] and entries[0]["fields"] == ["nome"]
    assert entries[0]["placement"] == {"precisione": "via", "fonte_posizione": "Tavola 3"}
    assert entries[1]["fields"] == ["posti"] and not entries[1]["moved"]
    text = r.get_data(as_text=True)
    assert "redattore" not in text and "capo" not in text and "Ancora" not in text
    p2 = client.get("/api/collections/punti/items/p2/history").get_json()["history"]
    assert [e["op"] for e in p2] == ["update"] and p2[0]["moved"]  # the discard is not shown
    deleted = client.get("/api/collections/punti/items/p1/history").get_json()["history"]
    assert [e["op"] for e in deleted] == ["delete"]
    page = client.get("/api/collections/punti/items/p6?f=html").get_data(as_text=True)
    assert 'id="storia"' in page and f'data-version="{version}"' in page and "Tavola 3" in page
    assert "redattore" not in page
    assert client.get("/api/collections/punti/items/nessuno/history").status_code == 404
    assert client.get("/api/collections/punti/items/p6/history?f=html").status_code == 400
    # A rollback takes the edits out of the history again.
    store_of(app).rollback("punti", "capo")
    assert client.get("/api/collections/punti/items/p6/history").get_json()["history"] == []
    assert client.get("/api/collections/punti/items/p1/history").status_code == 200
    openapi = client.get("/api/openapi?f=json").get_json()
    assert "/collections/punti/items/{featureId}/history" in openapi["paths"]


def test_a_long_draft_is_paged_and_the_map_gets_every_change(app, admin_client):
    store, spec = store_of(app), punti(app)
    batch = [
        (FeatureEdit("create", geometry=POINT, properties={"id": f"n{i}", "nome": f"N{i}"}), None)
        for i in range(130)
    ]
    store.edit_many(spec, batch, user="redattore")
    first = admin_client.get("/admin/layers/punti/draft").get_data(as_text=True)
    second = admin_client.get("/admin/layers/punti/draft?page=2").get_data(as_text=True)
    assert len(rows(first)) == 100 and len(rows(second)) == 30
    assert "Pagina 1 di 2" in first and 'aria-current="page">2<' in second
    blob = json.loads(re.search(r'id="draft-geometries">(.*?)</script>', second, re.S).group(1))
    assert len(blob["features"]) == 130
    far = admin_client.get("/admin/layers/punti/draft?page=99").get_data(as_text=True)
    assert len(rows(far)) == 30  # past the end: the last page
