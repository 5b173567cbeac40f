"""Bulk placement in the browser, on both stores: upload, report, write to the draft
(app/admin/publishing/placement.py)."""

import io
import re

from app.services import services

BOTH_STORES = True

GOOD = b"id,lon,lat,precisione\np1,10.021,45.134,edificio\np6,10.029,45.139,indirizzo\n"


def upload(client, content: bytes, filename="posizioni.csv", layer="punti", **fields):
    data = {"csrf_token": client.csrf, "file": (io.BytesIO(content), filename), **fields}
    return client.post(f"/admin/layers/{layer}/place", data=data)


def pending(app, layer="punti"):
    with app.app_context():
        return services().store.edits(layer)


def test_upload_report_then_write_to_the_draft(app, admin_client):
    assert admin_client.get("/admin/layers/punti/place").status_code == 200
    r = upload(admin_client, GOOD)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'data-code="will-move"' in html
    assert pending(app) == []  # the report writes nothing
    action = re.search(r'action="(/admin/layers/punti/place/[^"]+)"', html).group(1)
    r = admin_client.post(action, data={"csrf_token": admin_client.csrf})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'href="/admin/layers/punti/draft"' in html
    edits = pending(app)
    assert [e.feature_id for e in edits] == ["p1", "p6"] and edits[0].user == "redattore"
    assert edits[1].placement == {"metodo": "file", "precisione": "indirizzo"}
    r = admin_client.post(action, data={"csrf_token": admin_client.csrf})  # used up
    assert r.status_code == 410 and len(pending(app)) == 2


def test_errors_show_the_report_and_write_nothing(app, admin_client):
    r = upload(admin_client, GOOD + b"p99,10.02,45.13,via\n")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'data-code="unknown-id"' in html
    assert 'id="place-apply"' not in html and pending(app) == []
    r = upload(admin_client, b"id;x;y\np1;1580000;5000000\n")  # projected, no CRS given
    assert r.status_code == 422 and "EPSG:3003" in r.get_data(as_text=True)
    r = upload(admin_client, b"id;x;y\np1;1580000;5000000\n", crs="EPSG:3003")
    assert r.status_code == 200 and 'id="place-apply"' in r.get_data(as_text=True)


def test_a_token_is_the_uploaders_and_needs_csrf(app, admin_client, admin_client_admin):
    html = upload(admin_client, GOOD).get_data(as_text=True)
    action = re.search(r'action="(/admin/layers/punti/place/[^"]+)"', html).group(1)
    r = admin_client.post(action, data={"csrf_token": "wrong"})
    assert r.status_code == 400
    r = admin_client_admin.post(action, data={"csrf_token": admin_client_admin.csrf})
    assert r.status_code == 410  # another session cannot write it
    r = app.test_client().post(action, data={})
    assert r.status_code == 302 and "/admin/login" in r.headers["Location"]
    assert pending(app) == []


def test_unknown_layer_is_404(admin_client):
    assert admin_client.get("/admin/layers/nessuno/place").status_code == 404
