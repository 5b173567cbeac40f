"""/api/programma and the intervention pages on the shipped Cremona data (geodata/), on the
GeoPackage and the PostGIS store: the data repairs of issue 18 (item 6) reach the totals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app import create_app
from tests.conftest import _pg_url, close_app, pg_template_database

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", params=["gpkg", "postgis"])
def real_client(request, tmp_path_factory):
    """The app on the shipped layers, its store built from geodata/ by the factory."""
    if request.param == "gpkg":
        app = create_app({"STORE": str(tmp_path_factory.mktemp("real") / "c.gpkg"),
                          "BASEMAP": "none"})  # fmt: skip
        yield app.test_client()
        close_app(app)
        return

    def fill(url):
        close_app(create_app({"STORE": url, "BASEMAP": "none"}))

    with pg_template_database("real", fill) as (_conn, name):
        app = create_app({"STORE": _pg_url(name), "BASEMAP": "none"})
        yield app.test_client()
        close_app(app)


def _shipped() -> list[dict]:
    path = ROOT / "geodata" / "interventi.geojson"
    return [f["properties"] for f in json.loads(path.read_text(encoding="utf-8"))["features"]]


def _listed(node: dict):
    yield from node.get("interventi_elenco", [])
    for child in node.get("figli", []):
        yield from _listed(child)


def test_the_800000_euro_item_is_counted_once_in_the_mission_totals(real_client):
    """002 riga 1957 was two interventions (int-0062, int-0230): Missione 1 counted it twice."""
    body = real_client.get("/api/programma").get_json()
    missione = next(m for m in body["missioni"] if m["codice"] == "1")
    listed = [i for i in _listed(missione) if i["id"] in ("int-0062", "int-0230")]
    assert [(i["id"], i["importo_euro"]) for i in listed] == [("int-0062", 800000)]
    props = [p for p in _shipped() if (p["missione"] or "").startswith("1 - ")]
    assert missione["interventi"] == len(props) == len(list(_listed(missione)))
    known = sum(p["importo_euro"] for p in props if p["importo_euro"] is not None)
    assert missione["importo_noto_euro"] == known
    everything = sum(p["importo_euro"] for p in _shipped() if p["importo_euro"] is not None)
    assert body["totali"]["importo_noto_euro"] == everything


def test_a_retired_code_leads_to_the_intervention_it_was_merged_into(real_client):
    r = real_client.get("/interventi/int-0230")
    assert r.status_code == 301
    assert r.headers["Location"].endswith("/interventi/int-0062")
    assert real_client.get("/interventi/int-9998").status_code == 404


def test_a_computed_amount_says_so_where_the_amount_is_shown(real_client):
    page = real_client.get("/interventi/int-0051").get_data(as_text=True)
    assert "210.000" in page and "importo calcolato" in page
    # the note's sources read as citations linking their passage, never as file names
    assert "somma calcolata di 30.000 € (" in page and "riga=2373" in page
    assert "001_93d3045a65cd4397.txt" not in page
    stated = real_client.get("/interventi/int-0052").get_data(as_text=True)
    assert "importo calcolato" not in stated
