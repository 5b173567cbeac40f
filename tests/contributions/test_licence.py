"""The licence of the contributions' open data (`participation.licence`, the council's
choice) on both stores: in the collection (`license`, a `rel=license` link), the DCAT
dataset, both downloads (`Link` header, GeoJSON `license`), the form and the privacy
notice; and, with no licence configured, every output still works and says it is not
stated. The other organisation of the tests (Alessandria) collects no contributions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.conftest import close_app
from tests.contributions.test_public_outputs import (  # noqa: F401 (the `sent` fixture)
    assert_private,
    sent,
)
from tests.editing.conftest import settings

BOTH_STORES = True
ROOT = Path(__file__).resolve().parents[2]
ODBL = "https://opendatacommons.org/licenses/odbl/1-0/"


def test_the_shipped_licence_is_the_open_layers_one_for_the_council_to_confirm():
    from app.organisation import load_organisation

    org = load_organisation(ROOT / "organisation.yaml")
    layers = [
        yaml.safe_load(p.read_text())["metadata"]["licence"] for p in ROOT.glob("layers/*.yaml")
    ]
    assert org.participation.licence == max(set(layers), key=layers.count) == "ODbL-1.0"
    text = (ROOT / "organisation.yaml").read_text()
    assert "licence: ODbL-1.0" in text and "choice to confirm" in text
    alessandria = load_organisation(ROOT / "tests/data/alessandria/organisation.yaml")
    assert alessandria.participation is None  # no contributions there: nothing to license


def test_every_output_carries_the_licence(client, sent):  # noqa: F811 (the imported fixture)
    doc = client.get("/api/collections/contributi").get_json()
    assert doc["license"] == "ODbL-1.0"
    assert [link["href"] for link in doc["links"] if link["rel"] == "license"] == [ODBL]
    listed = client.get("/api/collections?f=json").get_json()["collections"]
    assert next(c for c in listed if c["id"] == "contributi")["license"] == "ODbL-1.0"
    catalogue = client.get("/catalog.jsonld").get_json()
    text = json.dumps(catalogue)
    assert "/api/collections/contributi" in text
    ours = next(d for d in _datasets(catalogue) if d["@id"].endswith("/api/collections/contributi"))
    assert {d["dct:license"]["@id"] for d in ours["dcat:distribution"]} == {ODBL}
    for fmt in ("csv", "geojson"):
        r = client.get(f"/partecipa/contributi.{fmt}")
        assert r.headers["Link"] == f'<{ODBL}>; rel="license"', fmt
    assert json.loads(client.get("/partecipa/contributi.geojson").data)["license"] == "ODbL-1.0"
    for page in ("/partecipa/privacy", "/interventi/e1", "/api/collections/contributi?f=html"):
        html = client.get(page).get_data(as_text=True)
        if page != "/api/collections/contributi?f=html":
            assert "pubblicati anche come dati aperti" in html, page
        assert f'href="{ODBL}"' in html, page
    english = client.get("/partecipa/privacy", headers={"Accept-Language": "en"})
    assert "published as open data" in english.get_data(as_text=True)


def _datasets(catalogue) -> list[dict]:
    found = []

    def walk(node):
        if isinstance(node, dict):
            if "dcat:distribution" in node and "@id" in node:
                found.append(node)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(catalogue)
    return found


@pytest.fixture
def unlicensed(editing_location, tmp_path):
    """The app with the shipped organisation minus its licence."""
    from app import create_app

    org = yaml.safe_load((ROOT / "organisation.yaml").read_text())
    del org["participation"]["licence"]
    for key in ("streets", "programme"):  # its paths are relative to its folder
        org[key]["path"] = str(ROOT / org[key]["path"])
    path = tmp_path / "organisation.yaml"
    path.write_text(yaml.safe_dump(org, allow_unicode=True))
    made = create_app(
        settings(editing_location, tmp_path)
        | {"CONTRIBUTION_MIN_FILL_SECONDS": 0, "ORGANISATION": str(path)}
    )
    yield made
    close_app(made)


def test_without_a_licence_the_outputs_work_and_say_it_is_not_stated(unlicensed):
    client = unlicensed.test_client()
    r = client.post(
        "/api/contributions",
        json={
            "target": {"quartiere": 16},
            "kind": "proposta",
            "text": "Una panchina all'ombra nel parco",
            "location": [10.03, 45.14],
            "consent": True,
        },
    )
    assert r.status_code == 202
    doc = client.get("/api/collections/contributi").get_json()
    assert "license" not in doc and not [x for x in doc["links"] if x["rel"] == "license"]
    for fmt in ("csv", "geojson"):
        r = client.get(f"/partecipa/contributi.{fmt}")
        assert r.status_code == 200 and "Link" not in r.headers, fmt
    assert json.loads(client.get("/partecipa/contributi.geojson").data)["license"] is None
    catalogue = client.get("/catalog.jsonld").get_json()
    ours = next(d for d in _datasets(catalogue) if d["@id"].endswith("/api/collections/contributi"))
    assert all("dct:license" not in d for d in ours["dcat:distribution"])
    privacy = client.get("/partecipa/privacy").get_data(as_text=True)
    assert "licenza non ancora indicata dal Comune." in privacy
    form = client.get("/interventi/e1").get_data(as_text=True)
    assert "licenza non ancora indicata dal Comune." in form
    english = client.get("/partecipa/privacy", headers={"Accept-Language": "en"})
    assert "licence not yet stated by the council." in english.get_data(as_text=True)
