"""`/api/search` and `/cerca` on the citizen fixture layers; bad input gets a clear 400."""

import pytest

BOTH_STORES = True  # every app test here runs on GeoPackage and on PostGIS


def results(client, q, **kw):
    r = client.get("/api/search", query_string={"q": q, **kw})
    assert r.status_code == 200, r.text
    return r.get_json()["results"]


def test_address_with_house_number_and_quartiere(citizen_client):
    first = results(citizen_client, "via Dante 12")[0]
    assert first["label"] == "Via Dante Alighieri 12"
    assert first["kind"] == "address" and first["layer"] == "civici"
    assert first["precisione"] == "indirizzo"
    # EPSG:3003 source, served in WGS84: back where the fixture put it (10.0212, 45.1346).
    assert first["location"]["lon"] == pytest.approx(10.0212, abs=2e-5)
    assert first["location"]["lat"] == pytest.approx(45.1346, abs=2e-5)
    assert first["quartiere"]["slug"] == "16-centro"
    assert first["link"].startswith("/quartieri/16-centro?lon=")


@pytest.mark.parametrize(
    "q, label",
    [
        ("v. Dante", "Via Dante Alighieri"),
        ("corso Garibaldi", "Corso Garibaldi"),
        ("Museo del Violino", "Museo del Violino"),
        ("museo del violno", "Museo del Violino"),
        ("Sant'Agata", "Chiesa di Sant'Agata"),
        ("p.za Stradivari", "Piazza Antonio Stradivari"),
        ("Cavatigozzi", "Quartiere 3 Cavatigozzi - Picenengo - San Predengo"),
        ("teatro di prova", "Restauro del Teatro di prova"),
        ("CENTRO", "Quartiere 16 Centro"),
    ],
)
def test_finds(citizen_client, q, label):
    assert results(citizen_client, q)[0]["label"] == label


def test_result_shape(citizen_client):
    r = results(citizen_client, "teatro di prova")[0]
    assert set(r) >= {"label", "kind", "layer", "id", "location", "precisione", "quartiere", "link"}
    assert r["kind"] == "intervento" and r["link"] == "/interventi/int-1"
    assert r["quartiere"]["numero"] == 16


def test_feature_without_geometry_has_null_location_and_own_quartiere(citizen_client):
    r = results(citizen_client, "cascina senza posizione")[0]
    assert r["location"] is None
    assert r["quartiere"]["numero"] == 3


def test_layer_titles_follow_language(citizen_client):
    it = results(citizen_client, "museo violino")[0]["layer_title"]
    en = results(citizen_client, "museo violino", lang="en")[0]["layer_title"]
    assert (it, en) == ("Luoghi di prova", "Test places")


def test_limit(citizen_client):
    assert len(results(citizen_client, "dante", limit=1)) == 1


@pytest.mark.parametrize(
    "query, parameter",
    [
        ({"q": ""}, "q"),
        ({"q": " "}, "q"),
        ({}, "q"),
        ({"q": "x" * 10_000}, "q"),
        ({"q": "dante", "limit": "0"}, "limit"),
        ({"q": "dante", "limit": "many"}, "limit"),
    ],
)
def test_bad_input_is_a_problem(citizen_client, query, parameter):
    r = citizen_client.get("/api/search", query_string=query)
    assert r.status_code == 400
    assert r.mimetype == "application/problem+json"
    assert r.get_json()["parameter"] == parameter


def test_script_laden_query_is_harmless(citizen_client):
    q = '<script>alert("x")</script> via Dante'
    r = citizen_client.get("/api/search", query_string={"q": q})
    assert r.status_code == 200
    page = citizen_client.get("/cerca", query_string={"q": q})
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text


def test_search_page(citizen_client):
    r = citizen_client.get("/cerca", query_string={"q": "via dante 12"})
    assert r.status_code == 200
    assert "Via Dante Alighieri 12" in r.text and 'href="/quartieri/16-centro?lon=' in r.text
    empty = citizen_client.get("/cerca?q=")
    assert empty.status_code == 200 and "Scrivi almeno 2 caratteri" in empty.text
    none = citizen_client.get("/cerca?q=qwertyuiop")
    assert none.status_code == 200 and "Nessun risultato" in none.text
    long = citizen_client.get("/cerca", query_string={"q": "x" * 10_000})
    assert long.status_code == 400 and long.mimetype == "text/html"


def test_index_follows_store_versions(citizen_app):
    """A new version of a layer (here: a spec change publishing the same data) rebuilds."""
    from app.search.service import search_index

    with citizen_app.test_request_context():
        from app.services import services

        svc = services()
        first = search_index(svc)
        assert search_index(svc) is first
        spec = svc.registry.get("luoghi")
        import geopandas as gpd

        from tests.quartieri.fixtures import CITIZEN

        gdf = gpd.read_file(CITIZEN / "geodata" / "luoghi.geojson")
        gdf.loc[gdf["id"] == "l1", "nome"] = "Museo Nuovo di Zecca"
        svc.store.write_layer(spec, gdf)
        second = search_index(svc)
        assert second is not first
        assert search_index(svc) is second
        assert [r["label"] for r in second.search("museo nuovo zecca")][0] == "Museo Nuovo di Zecca"


def test_a_warm_search_asks_the_store_for_its_generation_only(citizen_app, citizen_client):
    """Search-as-you-type: once the index is built, a request costs no per-layer lookups
    (each a round trip on PostGIS); the cache key is the store's generation alone."""
    from app.services import services

    assert citizen_client.get("/api/search?q=museo").status_code == 200  # builds the index
    with citizen_app.app_context():
        store = services().store
    calls = []
    for name in ("describe", "query", "published_specs", "versions"):
        real = getattr(store, name)

        def counted(*args, _real=real, _name=name, **kwargs):
            calls.append(_name)
            return _real(*args, **kwargs)

        setattr(store, name, counted)
    try:
        for q in ("mus", "muse", "museo", "museo c"):
            assert citizen_client.get("/api/search", query_string={"q": q}).status_code == 200
    finally:
        for name in ("describe", "query", "published_specs", "versions"):
            delattr(store, name)
    assert calls == []
