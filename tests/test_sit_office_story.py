"""Issue 16's "done when", on the shipped Cremona data and both stores, through the Part 4
API with tokens (as curl or a program would): ten unplaced interventions placed by point,
by area, by the whole quartiere and by a street stretch, each with precisione and
fonte_posizione; a second editor's stale write refused; the draft's diff shows the ten;
publishing puts them on the public API, the quartiere pages and feeds; a rollback removes
them again."""

from __future__ import annotations

import json
import os

import pytest
import shapely
import shapely.geometry

from app import create_app
from tests.conftest import _pg_admin, _pg_url, close_app
from tests.ogcapi.writers import bearer, make_token

ITEMS = "/api/collections/interventi/items"


@pytest.fixture(params=["gpkg", "postgis"])
def cremona(request, tmp_path):
    """An app on the shipped Cremona layers, built into a new store of each kind."""
    if request.param == "gpkg":
        location = str(tmp_path / "cremona.gpkg")
        admin = None
    else:
        admin = _pg_admin()
        name = f"gp_test_story_{os.getpid()}"
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        location = _pg_url(name)
    app = create_app(
        {"STORE": location, "BASEMAP": "none", "ACCOUNTS": str(tmp_path / "accounts.sqlite")}
    )
    yield app
    close_app(app)
    if admin is not None:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _json(response):
    assert response.status_code < 300, response.get_data(as_text=True)
    return response.get_json()


def _patch(client, token, fid, etag, body):
    return client.patch(
        f"{ITEMS}/{fid}",
        data=json.dumps(body),
        headers={"Content-Type": "application/merge-patch+json", "If-Match": etag, **bearer(token)},
    )


def test_the_sit_office_places_ten_interventions(cremona):
    client = cremona.test_client()
    mario, lucia = make_token(cremona, "mario"), make_token(cremona, "lucia")
    every = _json(client.get(ITEMS, query_string={"limit": 1000, "f": "json"}))["features"]
    unplaced = [f for f in every if f["geometry"] is None and f["properties"]["quartiere"]][:10]
    assert len(unplaced) == 10
    quartieri = _json(client.get("/api/collections/quartieri/items", query_string={"f": "json"}))
    by_number = {int(q["id"].lstrip("q")): q for q in quartieri["features"]}  # q01 -> 1

    placed = {}
    for n, feature in enumerate(unplaced):
        fid = feature["id"]
        area = by_number.get(int(feature["properties"]["quartiere"]))
        cell = shapely.geometry.shape(area["geometry"]) if area and area["geometry"] else None
        inside = cell.representative_point() if cell is not None else shapely.Point(10.02, 45.135)
        x, y = inside.x, inside.y
        if n < 4:  # a point: the building
            geometry, placement = shapely.geometry.mapping(inside), {"precisione": "edificio"}
        elif n < 6:  # the project's area
            box = shapely.box(x - 0.0008, y - 0.0005, x + 0.0008, y + 0.0005)
            geometry, placement = shapely.geometry.mapping(box), {"precisione": "area"}
        elif n < 8 and cell is not None:  # the whole quartiere
            geometry, placement = area["geometry"], {"precisione": "quartiere"}
        else:  # a street stretch, with its ANNCSU code
            line = shapely.LineString([(x - 0.001, y), (x + 0.001, y + 0.0004)])
            geometry = shapely.geometry.mapping(line)
            placement = {"precisione": "via", "via": "Via di prova", "codice_via": "999"}
        placement["fonte_posizione"] = f"Tavola {n + 1} del progetto esecutivo"
        read = client.get(f"{ITEMS}/{fid}", query_string={"draft": "true"}, headers=bearer(mario))
        body = {"geometry": json.loads(json.dumps(geometry)), "placement": placement}
        if n == 0:  # Lucia read the same feature before Mario saved it
            lucia_etag = read.headers["ETag"]
        done = _patch(client, mario, fid, read.headers["ETag"], body)
        assert done.status_code == 200, done.get_data(as_text=True)
        assert done.headers["Geoportale-Draft-Of"]
        placed[fid] = placement

    first = unplaced[0]["id"]
    conflict = _patch(client, lucia, first, lucia_etag, {"properties": {"luogo": "altrove"}})
    assert conflict.status_code == 412
    assert "changed" in conflict.get_json()["detail"]
    assert _json(client.get(f"{ITEMS}/{first}", query_string={"draft": "true"},
                            headers=bearer(mario)))["properties"].get("luogo") != "altrove"  # fmt: skip

    diff = _json(client.get("/api/collections/interventi/edits", headers=bearer(mario)))
    assert sorted(c["featureId"] for c in diff["changes"]) == sorted(placed)
    assert all(c["kind"] == "changed" and c["moved"] for c in diff["changes"])
    assert _json(client.get(f"{ITEMS}/{first}", query_string={"f": "json"}))["geometry"] is None

    runner = cremona.test_cli_runner()
    published = runner.invoke(args=["layers", "publish-edits", "interventi", "--user", "mario"])
    assert published.exit_code == 0, published.output
    for fid, placement in placed.items():
        item = _json(client.get(f"{ITEMS}/{fid}", query_string={"f": "json"}))
        assert item["geometry"] is not None
        assert item["properties"]["precisione"] == placement["precisione"]
        assert item["properties"]["fonte_posizione"] == placement["fonte_posizione"]
    page = _quartiere_page(client, unplaced[0]["properties"]["titolo"])
    assert "Tavola 1 del progetto esecutivo" in page
    history = _json(client.get(f"{ITEMS}/{first}/history"))
    assert json.dumps(history).count("Tavola 1 del progetto esecutivo") >= 1
    assert "mario" not in json.dumps(history)

    rolled = runner.invoke(args=["layers", "rollback", "interventi"])
    assert rolled.exit_code == 0, rolled.output
    for fid in placed:
        assert _json(client.get(f"{ITEMS}/{fid}", query_string={"f": "json"}))["geometry"] is None


def _quartiere_page(client, title: str) -> str:
    """The quartiere page holding `title`, found through the quartieri index's links."""
    import re

    index = client.get("/quartieri").get_data(as_text=True)
    for slug in sorted(set(re.findall(r'href="/quartieri/([a-z0-9-]+)"', index))):
        page = client.get(f"/quartieri/{slug}").get_data(as_text=True)
        if title in page:
            feed = client.get(f"/quartieri/{slug}.atom").get_data(as_text=True)
            assert title.split()[0] in feed
            return page
    raise AssertionError(f"no quartiere page lists {title!r}")
