"""The citizen services without HTTP: membership, filters, totals, distances, history."""

import pytest

from app.quartieri.service import (
    Filters,
    Near,
    apply,
    distance,
    load_interventi,
    nearby,
    parse_history,
    split_sources,
    totals,
)
from app.services import services

BOTH_STORES = True  # every app test here runs on GeoPackage and on PostGIS


@pytest.fixture
def data(citizen_app):
    with citizen_app.test_request_context():
        yield load_interventi(services())


def ids(items):
    return sorted(i.id for i in items)


def test_membership(data):
    centro = data.areas.by_slug("16-centro")
    assert ids(data.in_quartiere(centro)) == ["int-1", "int-2", "int-6"]
    # No quartiere field, a polygon inside Q5: found by point in polygon.
    assert ids(data.in_quartiere(data.areas.by_numero(5))) == ["int-3"]
    # No geometry, quartiere from the text of the sources: listed in Q3 (which has no area).
    q3 = data.areas.by_numero(3)
    assert not q3.has_area and ids(data.in_quartiere(q3)) == ["int-4"]
    assert ids(data.unattributed()) == ["int-5"]


def test_slugs_and_lookup(data):
    assert [q.slug for q in data.areas.items] == [
        "3-cavatigozzi-picenengo-san-predengo",
        "5-borgo-loreto-san-bernardo",
        "8",
        "16-centro",
    ]
    assert data.areas.by_slug("16").slug == "16-centro"
    assert data.areas.by_slug("nessuno") is None
    assert data.areas.at(10.02, 45.135).numero == 16
    assert data.areas.at(9.0, 45.0) is None


def test_filters(data):
    centro = data.in_quartiere(data.areas.by_numero(16))
    assert ids(apply(centro, Filters(stato="in_corso"))) == ["int-1"]
    assert ids(apply(centro, Filters(tema="servizi"))) == ["int-6"]
    assert ids(apply(centro, Filters(missione="10 - Trasporti e diritto alla mobilità"))) == [
        "int-2"
    ]
    # Years: the status year, the span start-end, and every year of the history.
    assert ids(apply(centro, Filters(anno=2020))) == ["int-1"]
    assert ids(apply(centro, Filters(anno=2016))) == ["int-1", "int-6"]
    # Ordered by status (in progress, planned, completed).
    assert [i.id for i in apply(centro, Filters())] == ["int-1", "int-2", "int-6"]


def test_near_in_metres(data):
    point = Near(10.0200, 45.1350, 500)
    centro = data.in_quartiere(data.areas.by_numero(16))
    assert ids(apply(centro, Filters(near=point, entro=True))) == ["int-1", "int-2"]
    d = distance(data.get("int-2"), point)
    assert d == pytest.approx(198, abs=3)  # 0.0025° of longitude at 45° N, in EPSG:7791
    assert distance(data.get("int-4"), point) is None
    assert [i.id for i, _ in nearby(data, Near(10.0360, 45.1340, 500))] == ["int-3"]


def test_totals(data):
    sums = totals(data.in_quartiere(data.areas.by_numero(16)))
    assert sums["count"] == 3
    assert sums["amount"] == pytest.approx(1_595_000.5)
    rows = {r["stato"]: r for r in sums["rows"]}
    assert rows["in_corso"]["amount"] == 1_200_000 and rows["concluso"]["count"] == 1


def test_history_and_sources():
    assert (
        parse_history('[{"anno": 2019, "stato": "b"}, {"anno": 2016, "stato": "a"}]')[0]["anno"]
        == 2016
    )
    assert parse_history("not json") == ()
    assert parse_history(None) == ()
    assert split_sources({"fonti": "a; b; a"}) == ("a", "b")
    assert split_sources({"fonte": "x"}) == ("x",)


def test_absent_layers_are_tolerated(tmp_path):
    """A registry without quartieri or interventi: empty pages, no errors."""
    import shutil

    from tests.quartieri.fixtures import CITIZEN, make_app

    (tmp_path / "layers").mkdir()
    (tmp_path / "geodata").mkdir()
    shutil.copy(CITIZEN / "layers" / "luoghi.yaml", tmp_path / "layers")
    shutil.copy(CITIZEN / "geodata" / "luoghi.geojson", tmp_path / "geodata")
    app = make_app(tmp_path / "s.gpkg", tmp_path / "layers", tmp_path)
    client = app.test_client()
    assert client.get("/quartieri").status_code == 200
    assert client.get("/quartieri/16").status_code == 404
    assert client.get("/interventi/int-1").status_code == 404
    r = client.get("/api/search?q=museo")
    assert r.status_code == 200 and r.get_json()["results"][0]["quartiere"] is None
