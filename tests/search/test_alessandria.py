"""House-number search on a real municipal address layer: Alessandria's 26,160 civici.

The layer is in EPSG:3003 and marked as an address layer by its `search` block only; the
points are outside Cremona, so each result's quartiere is the layer's own field.
"""

import pyogrio
import pytest
from pyproj import Transformer

from tests.conftest import shared_path


def first(client, q):
    r = client.get("/api/search", query_string={"q": q, "limit": 5})
    assert r.status_code == 200, r.text
    return r.get_json()["results"]


@pytest.fixture(scope="module")
def civici():
    path = shared_path("reference-geodata", "comune-alessandria-opendata", "numeri-civici.gpkg")
    return pyogrio.read_dataframe(path)


def expected(civici, dug, duf, number):
    rows = civici[
        (civici.DUG == dug)
        & (civici.DUF == duf)
        & (civici.Civico == number)
        & civici.Esponente.isna()
    ]
    assert len(rows) == 1, rows
    row = rows.iloc[0]
    lon, lat = Transformer.from_crs("EPSG:3003", "EPSG:4326", always_xy=True).transform(
        row.geometry.x, row.geometry.y
    )
    return lon, lat, row.QuartiereSobborgo


@pytest.mark.parametrize(
    "query, dug, duf, number",
    [
        ("via Dante 12", "Via", "Dante Alighieri", 12),
        ("v. dante alighieri 90", "Via", "Dante Alighieri", 90),
        ("VIA MODENA 8", "Via", "Modena", 8),
        ("via san lorenzo 46", "Via", "San Lorenzo", 46),
    ],
)
def test_house_number(alessandria_app, civici, query, dug, duf, number):
    lon, lat, quartiere = expected(civici, dug, duf, number)
    r = first(alessandria_app.test_client(), query)[0]
    assert r["label"] == f"{dug} {duf} {number}"
    assert r["kind"] == "address" and r["precisione"] == "indirizzo"
    # Same point within a few metres (the store and pyproj may pick different pipelines).
    assert r["location"]["lon"] == pytest.approx(lon, abs=5e-5)
    assert r["location"]["lat"] == pytest.approx(lat, abs=5e-5)
    assert r["quartiere"]["label"] == quartiere and r["quartiere"]["slug"] is None


def test_street_and_typo(alessandria_app):
    client = alessandria_app.test_client()
    assert first(client, "via dante")[0]["label"] == "Via Dante Alighieri"
    assert first(client, "via dnate alighieri")[0]["label"] == "Via Dante Alighieri"
    assert first(client, "c.so roma")[0]["label"].startswith("Corso Roma")


def test_index_size(alessandria_app):
    from app.search.service import search_index
    from app.services import services

    with alessandria_app.test_request_context():
        ix = search_index(services())
    houses = sum(len(d.houses) for d in ix.docs)
    assert houses > 25_000  # every house number, less exact repeats
