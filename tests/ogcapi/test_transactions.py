"""OGC API - Features Part 4 on /api (app/ogcapi/transactions.py), on both stores: writes go
to the editors' draft with ETags against lost updates, the public reads the served version
until the edits are published."""

from __future__ import annotations

import pytest
import shapely.geometry

from app import create_app
from app.organisation import KEY as ORGANISATION_KEY
from tests.conftest import DATA, close_app
from tests.ogcapi.writers import bearer, make_token

BOTH_STORES = True
ITEMS = "/api/collections/punti/items"
POINT = {"type": "Point", "coordinates": [10.03, 45.14]}
BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[10.0, 45.1], [10.01, 45.11], [10.01, 45.1], [10.0, 45.11], [10.0, 45.1]]],
}


def feature(geometry=POINT, **properties):
    return {"type": "Feature", "geometry": geometry, "properties": properties}


@pytest.fixture
def app(store_location, tmp_path):
    made = create_app(
        {
            "STORE": store_location,
            "LAYERS_DIR": str(DATA / "layers"),
            "DATA_ROOT": str(DATA),
            "BASEMAP": "none",
            "ACCOUNTS": str(tmp_path / "accounts.sqlite"),
        }
    )
    yield made
    close_app(made)


@pytest.fixture
def auth(app):
    """Headers of an editor's requests: a real API token."""
    return bearer(make_token(app, "redattore", "editor"))


def create(client, auth, body=None, **headers):
    return client.post(ITEMS, json=body or feature(nome="Nuovo"), headers={**auth, **headers})


def test_create_answers_201_with_location_etag_and_the_stored_feature(client, auth):
    r = create(client, auth, feature(id="p9", nome="Nove", posti=3))
    assert r.status_code == 201, r.get_json()
    assert r.headers["Location"] == f"http://localhost{ITEMS}/p9"
    assert r.headers["ETag"].startswith('"') and r.headers["Cache-Control"] == "no-store"
    assert r.headers["Geoportale-Draft-Of"] == "1"
    assert "Geoportale-Published-Version" not in r.headers
    doc = r.get_json()
    assert doc["id"] == "p9" and doc["properties"]["posti"] == 3
    assert doc["geometry"] == POINT and any(link["rel"] == "self" for link in doc["links"])
    # The public reads the served version; the editors' draft has it.
    assert client.get(f"{ITEMS}/p9").status_code == 404
    draft = client.get(f"{ITEMS}/p9?draft=true", headers=auth)
    assert draft.status_code == 200 and draft.headers["ETag"] == r.headers["ETag"]
    assert draft.headers["Cache-Control"] == "no-store"
    assert create(client, auth, feature(id="p9")).status_code == 409


def test_the_id_comes_from_the_feature_or_the_store(client, auth):
    given = create(client, auth, {**feature(nome="A"), "id": "pz"})
    assert given.get_json()["id"] == "pz"
    made = create(client, auth).get_json()["id"]
    assert made and made != "pz"


def test_patch_with_a_stale_etag_is_refused_and_overwrites_nothing(client, auth):
    read = client.get(f"{ITEMS}/p2")
    tag = read.headers["ETag"]
    first = client.patch(
        f"{ITEMS}/p2",
        json={"properties": {"nome": "Primo"}},
        headers={**auth, "If-Match": tag, "Content-Type": "application/merge-patch+json"},
    )
    assert first.status_code == 200 and first.headers["ETag"] != tag
    assert first.get_json()["properties"]["nome"] == "Primo"
    stale = client.patch(f"{ITEMS}/p2", json={"properties": {"nome": "Secondo"}},
                         headers={**auth, "If-Match": tag})  # fmt: skip
    assert stale.status_code == 412
    assert stale.get_json()["currentETag"] == first.headers["ETag"]
    draft = client.get(f"{ITEMS}/p2?draft=true", headers=auth).get_json()
    assert draft["properties"]["nome"] == "Primo"


def test_changes_without_if_match_need_it(client, auth):
    assert client.patch(f"{ITEMS}/p2", json={"properties": {}}, headers=auth).status_code == 428
    assert client.put(f"{ITEMS}/p2", json=feature(nome="X"), headers=auth).status_code == 428
    r = client.delete(f"{ITEMS}/p2", headers=auth)
    assert r.status_code == 428 and r.get_json()["status"] == 428


def test_invalid_features_name_the_field(client, auth):
    bowtie = {"type": "MultiPolygon", "coordinates": [BOWTIE["coordinates"]]}
    zone = client.post("/api/collections/zone/items", json=feature(bowtie, codice=9),
                       headers=auth)  # fmt: skip
    assert zone.status_code == 400 and zone.get_json()["parameter"] == "geometry"
    typed = create(client, auth, feature(posti="molti"))
    assert typed.status_code == 400 and typed.get_json()["parameter"] == "posti"
    nothing = client.get("/api/collections/punti/edits", headers=auth).get_json()
    assert nothing["changes"] == []


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b'{"type": "Feature"', "application/geo+json", 400),
        (b'{"type": "FeatureCollection", "features": []}', "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b'{"type": "Feature", "properties": {}}', "application/json", 400),
        (b'{"type": "Feature", "geometry": {"type": "Cerchio"}}', "application/json", 400),
        (b"nome=X", "application/x-www-form-urlencoded", 415),
        (b'{"type": "Feature"}', "text/plain", 415),
    ],
)
def test_bodies_that_are_not_features(client, auth, body, content_type, status):
    r = client.post(ITEMS, data=body, headers={**auth, "Content-Type": content_type})
    assert r.status_code == status and r.get_json()["status"] == status


def test_content_crs_moves_the_geometry_to_crs84(client, auth):
    # Cremona's Piazza del Comune in Monte Mario / Italy zone 1 (EPSG:3003, easting first)
    gb = {"type": "Point", "coordinates": [1579400.0, 5000500.0]}
    r = create(client, auth, feature(gb, nome="GB"),
               **{"Content-Crs": "<http://www.opengis.net/def/crs/EPSG/0/3003>"})  # fmt: skip
    assert r.status_code == 201
    lon, lat = r.get_json()["geometry"]["coordinates"]
    assert 10.0 < lon < 10.1 and 45.1 < lat < 45.2
    assert r.headers["Content-Crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    bad = create(client, auth, feature(gb), **{"Content-Crs": "<urn:nowhere>"})
    assert bad.status_code == 400 and bad.get_json()["parameter"] == "Content-Crs"


def test_delete_then_the_draft_has_no_feature_but_the_public_still_has(client, auth):
    tag = client.get(f"{ITEMS}/p3").headers["ETag"]
    r = client.delete(f"{ITEMS}/p3", headers={**auth, "If-Match": tag})
    assert r.status_code == 204 and r.data == b"" and r.headers["Geoportale-Draft-Of"] == "1"
    assert client.get(f"{ITEMS}/p3?draft=true", headers=auth).status_code == 404
    assert client.get(f"{ITEMS}/p3").status_code == 200
    edits = client.get("/api/collections/punti/edits", headers=auth).get_json()
    assert edits["base"] == 1
    assert [(c["featureId"], c["kind"]) for c in edits["changes"]] == [("p3", "removed")]


def test_the_public_sees_an_edit_once_published(app, client, auth):
    tag = client.get(f"{ITEMS}/p6").headers["ETag"]  # p6 has no geometry: place it
    r = client.patch(
        f"{ITEMS}/p6",
        json={"geometry": POINT, "placement": {"precisione": "via", "metodo": "mappa"}},
        headers={**auth, "If-Match": tag},
    )
    assert r.status_code == 200 and r.get_json()["geometry"] == POINT
    assert client.get(f"{ITEMS}/p6").get_json()["geometry"] is None
    change = client.get("/api/collections/punti/edits", headers=auth).get_json()["changes"][0]
    assert change["kind"] == "changed" and change["moved"] and change["user"] == "redattore"
    with app.app_context():
        from app.services import services

        svc = services()
        svc.store.publish_edits(svc.layer("punti"), "capo")
    public = client.get(f"{ITEMS}/p6")
    assert public.get_json()["geometry"] == POINT and public.headers["ETag"] == r.headers["ETag"]
    assert (
        client.get(f"{ITEMS}/p6", headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    )


def test_replace_keeps_the_id(client, auth):
    tag = client.get(f"{ITEMS}/p4").headers["ETag"]
    r = client.put(f"{ITEMS}/p4", json=feature(nome="Quattro"), headers={**auth, "If-Match": tag})
    assert r.status_code == 200
    doc = r.get_json()
    assert doc["id"] == "p4" and doc["properties"]["nome"] == "Quattro"
    assert doc["properties"]["tipo"] is None  # a replace: fields left out are empty
    other = client.put(f"{ITEMS}/p4", json={**feature(), "id": "p5"},
                       headers={**auth, "If-Match": r.headers["ETag"]})  # fmt: skip
    assert other.status_code == 400 and other.get_json()["parameter"] == "id"


def test_writes_need_an_editor(client, auth):
    anonymous = client.post(ITEMS, json=feature())
    assert anonymous.status_code == 401 and "WWW-Authenticate" in anonymous.headers
    assert client.get(f"{ITEMS}/p1?draft=true").status_code == 401
    assert client.get("/api/collections/punti/edits").status_code == 401
    wrong = client.post(ITEMS, json=feature(), headers=bearer("not-a-token"))
    assert wrong.status_code == 401
    assert client.get(f"{ITEMS}/p1?draft=true", headers=auth).status_code == 200


def test_options_list_the_methods(client):
    r = client.options(ITEMS)
    assert r.status_code == 204 and r.headers["Allow"] == "GET, HEAD, OPTIONS, POST"
    r = client.options(f"{ITEMS}/p1")
    assert r.headers["Allow"] == "GET, HEAD, OPTIONS, PUT, PATCH, DELETE"
    assert client.options("/api/collections/nessuna/items").status_code == 404
    assert client.options("/api/collections/nessuna/items/x").status_code == 404


def _served_spec(app, **editing):
    """Change the served layer file's `editing` section of `punti` (as a publish would)."""
    with app.app_context():
        from app.services import services

        svc = services()
        spec = svc.layer("punti")
        changed = spec.model_copy(update={"editing": spec.editing.model_copy(update=editing)})
        svc.store.update_spec("punti", changed, "capo")


def test_a_layer_not_editable_refuses_writes(app, client, auth):
    _served_spec(app, enabled=False)
    assert client.options(ITEMS).headers["Allow"] == "GET, HEAD, OPTIONS"
    assert client.options(f"{ITEMS}/p1").headers["Allow"] == "GET, HEAD, OPTIONS"
    r = create(client, auth)
    assert r.status_code == 403 and r.get_json()["type"].endswith("editing-disabled")


def test_immediate_publishing_says_the_new_version(app, client, auth):
    _served_spec(app, publish="immediate")
    r = create(client, auth, feature(id="p8", nome="Otto"))
    assert r.status_code == 201 and r.headers["Geoportale-Draft-Of"] == "1"
    version = int(r.headers["Geoportale-Published-Version"])
    assert version > 1 and client.get(f"{ITEMS}/p8").status_code == 200


def test_outside_the_comune_is_kept_with_a_warning(app, client, auth):
    org = app.extensions[ORGANISATION_KEY]
    area = org.area.model_copy(update={"boundary_layer": "zone", "population_field": None})
    app.extensions[ORGANISATION_KEY] = org.model_copy(update={"area": area})
    zone = client.get("/api/collections/zone/items").get_json()["features"][0]["geometry"]
    inside = list(shapely.geometry.shape(zone).representative_point().coords[0])
    r = create(client, auth, feature({"type": "Point", "coordinates": [9.0, 44.0]}))
    assert r.status_code == 201 and r.headers["Geoportale-Warning"] == "outside-comune"
    r = create(client, auth, feature({"type": "Point", "coordinates": inside}))
    assert r.status_code == 201 and "Geoportale-Warning" not in r.headers


def test_owslib_creates_replaces_and_deletes(request, tmp_path):
    """A real client on a real socket: OWSLib's Part 4 calls with a token and If-Match."""
    features = pytest.importorskip("owslib.ogcapi.features")
    import json

    from app.admin.accounts import AccountStore

    accounts = AccountStore(tmp_path / "accounts.sqlite")
    accounts.create("redattore", "una-password-lunga-7", "editor")
    token = accounts.create_token("redattore").token
    (tmp_path / "env").write_text(f"GEOPORTALE_ACCOUNTS={tmp_path / 'accounts.sqlite'}\n")
    url = request.getfixturevalue("live_server")
    api = features.Features(
        f"{url}/api",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/geo+json"},
    )
    assert api.collection_item_create("punti", json.dumps(feature(id="p7", nome="Sette")))
    tag = api.response_headers["ETag"]
    assert api.response_headers["Location"].endswith("/api/collections/punti/items/p7")
    api.headers["If-Match"] = tag
    assert api.collection_item_update("punti", "p7", json.dumps(feature(nome="Sette bis")))
    api.headers["If-Match"] = api.response_headers["ETag"]
    assert api.collection_item_delete("punti", "p7")
    with pytest.raises(RuntimeError):  # the public never saw it
        api.collection_item("punti", "p7")
