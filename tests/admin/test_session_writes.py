"""The web editor writes through the Part 4 views under /admin/api with its session (the
cookie is scoped to /admin) and CSRF token; the same views as /api with a token."""

import json

BOTH_STORES = True
POINT = {"type": "Point", "coordinates": [10.03, 45.14]}


def test_the_session_writes_under_admin_api_with_its_csrf_token(admin_client, app):
    base = "/admin/api/collections/punti/items"
    read = admin_client.get(f"{base}/p6", headers={"Accept": "application/json"})
    assert read.status_code == 200 and read.headers["Geoportale-Draft-Of"]
    patch = {"geometry": POINT, "placement": {"precisione": "via", "fonte_posizione": "Tav. 3"}}
    refused = admin_client.patch(
        f"{base}/p6",
        data=json.dumps(patch),
        headers={"Content-Type": "application/merge-patch+json", "If-Match": read.headers["ETag"]},
    )
    assert refused.status_code == 400  # no CSRF token: a cross-site page cannot write
    done = admin_client.patch(
        f"{base}/p6",
        data=json.dumps(patch),
        headers={
            "Content-Type": "application/merge-patch+json",
            "If-Match": read.headers["ETag"],
            "Accept": "application/json",
            **admin_client.csrf_headers,
        },
    )
    assert done.status_code == 200, done.get_data(as_text=True)
    assert done.get_json()["geometry"]["coordinates"] == [10.03, 45.14]
    stale = admin_client.patch(
        f"{base}/p6",
        data=json.dumps({"properties": {"nome": "x"}}),
        headers={
            "Content-Type": "application/merge-patch+json",
            "If-Match": read.headers["ETag"],
            "Accept": "application/json",
            **admin_client.csrf_headers,
        },
    )
    assert stale.status_code == 412
    assert stale.headers["Content-Type"] == "application/problem+json"
    assert stale.get_json()["currentETag"] == done.headers["ETag"]
    edits = admin_client.get(
        "/admin/api/collections/punti/edits", headers=admin_client.csrf_headers
    )
    assert [c["featureId"] for c in edits.get_json()["changes"]] == ["p6"]


def test_anonymous_gets_401_under_admin_api(app):
    client = app.test_client()
    r = client.delete(
        "/admin/api/collections/punti/items/p1",
        headers={"If-Match": "*", "Accept": "application/json"},
    )
    assert r.status_code == 401
