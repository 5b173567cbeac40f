"""The OGC API - Features Part 1 contract, endpoint by endpoint, with every bad parameter."""

from urllib.parse import quote

import pytest

BOTH_STORES = True  # every test here runs on GeoPackage and on PostGIS

BASE = "http://localhost"


def get_json(client, url, status=200, **kw):
    r = client.get(url, **kw)
    assert r.status_code == status, r.data
    return r, r.get_json()


def rels(doc):
    return {(l["rel"], l["type"]) for l in doc["links"]}


def test_landing(client):
    r, doc = get_json(client, "/api")
    assert r.mimetype == "application/json"
    assert {
        ("service-desc", "application/vnd.oai.openapi+json;version=3.0"),
        ("conformance", "application/json"),
        ("data", "application/json"),
        ("self", "application/json"),
        ("alternate", "text/html"),
    } <= rels(doc)
    assert all(l["href"].startswith(BASE) for l in doc["links"])
    assert client.get("/api/").status_code == 200


def test_conformance(client):
    _, doc = get_json(client, "/api/conformance")
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in doc["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in doc["conformsTo"]


def test_collections(client):
    _, doc = get_json(client, "/api/collections")
    # the layers, then the citizens' contributions (not a layer: app/contributions)
    assert [c["id"] for c in doc["collections"]] == ["zone", "punti", "contributi"]
    punti = doc["collections"][1]
    assert punti["title"] == "Punti di prova"
    assert punti["extent"]["spatial"]["crs"].endswith("CRS84")
    assert ("items", "application/geo+json") in rels(punti)


def test_collection(client):
    _, doc = get_json(client, "/api/collections/zone")
    assert doc["id"] == "zone" and doc["itemType"] == "feature"
    [bbox] = doc["extent"]["spatial"]["bbox"]
    assert bbox == pytest.approx([10.0, 45.10, 10.08, 45.16], abs=1e-4)
    assert doc["geoportale"]["sourceCrs"] == "EPSG:3003"
    assert doc["geoportale"]["fields"][0] == {
        "name": "codice",
        "type": "integer",
        "label": "Codice",
    }


def test_items_default(client):
    r, doc = get_json(client, "/api/collections/punti/items")
    assert r.mimetype == "application/geo+json"
    assert doc["type"] == "FeatureCollection"
    assert doc["numberMatched"] == 6 and doc["numberReturned"] == 6
    assert doc["features"][0]["id"] == "p1"
    assert doc["features"][0]["geometry"] == {"type": "Point", "coordinates": [10.02, 45.133]}
    assert doc["features"][5]["geometry"] is None
    assert ("collection", "application/json") in rels(doc)
    assert not any(l["rel"] in ("next", "prev") for l in doc["links"])


def test_items_paging_links(client):
    _, doc = get_json(client, "/api/collections/punti/items?limit=2&offset=2&tipo=museo")
    assert [f["id"] for f in doc["features"]] == ["p6"]
    assert doc["numberMatched"] == 3
    links = {l["rel"]: l["href"] for l in doc["links"]}
    assert "next" not in links
    assert "offset=0" in links["prev"] and "tipo=museo" in links["prev"]
    _, first = get_json(client, "/api/collections/punti/items?limit=2")
    nxt = {l["rel"]: l["href"] for l in first["links"]}["next"]
    _, second = get_json(client, nxt.replace(BASE, ""))
    assert [f["id"] for f in second["features"]] == ["p3", "p4"]


def test_items_limit_above_max_is_capped(app, client):
    app.extensions["geoportale"].settings["MAX_LIMIT"] = 3
    _, doc = get_json(client, "/api/collections/punti/items?limit=99999")
    assert doc["numberReturned"] == 3


def test_items_bbox_and_filters(client):
    _, doc = get_json(client, "/api/collections/punti/items?bbox=10.015,45.13,10.027,45.137")
    assert [f["id"] for f in doc["features"]] == ["p1", "p2"]
    _, doc = get_json(client, "/api/collections/punti/items?bbox=9,44,0,11,46,100")
    assert doc["numberMatched"] == 5
    _, doc = get_json(client, "/api/collections/punti/items?aperto=true&posti=120")
    assert [f["id"] for f in doc["features"]] == ["p1"]
    _, doc = get_json(client, "/api/collections/zone/items?codice=2")
    assert doc["features"][0]["properties"]["nome"] == "Zona sud"
    _, doc = get_json(client, "/api/collections/punti/items?datetime=2024-01-01T00:00:00Z")
    assert doc["numberMatched"] == 6


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("bbox=1,2,3", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("bbox=10,46,11,45", "bbox"),
        ("bbox=10,45,11,95", "bbox"),
        ("bbox=nan,45,11,46", "bbox"),
        ("bbox=11,45,10,46", "bbox"),
        ("bbox=10,45,11,46&bbox-crs=EPSG:2000", "bbox-crs"),
        ("crs=EPSG:2000", "crs"),
        ("crs=http://www.opengis.net/def/crs/EPSG/0/9999", "crs"),
        ("filter=nome%20%3D", "filter"),
        ("filter=ghost%20%3D%201", "filter"),
        ("filter=posti%20%3D%20'many'", "filter"),
        ("filter=nome%20%3D%20'x'&filter-lang=ecql", "filter-lang"),
        ("filter=S_INTERSECTS(nome,%20POINT(1%202))", "filter"),
        ("filter=%7B%22op%22%3A%22nope%22%7D&filter-lang=cql2-json", "filter"),
        ("filter=S_DWITHIN(geometry,%20POINT(10%2045),%20-5)", "filter"),
        ("filter-crs=EPSG:1", "filter-crs"),
        ("limit=0", "limit"),
        ("limit=-5", "limit"),
        ("limit=ten", "limit"),
        ("offset=-1", "offset"),
        ("offset=1.5", "offset"),
        ("colour=red", "colour"),
        ("posti=many", "posti"),
        ("punteggio=inf", "punteggio"),
        ("aperto=maybe", "aperto"),
        ("tipo=museo&tipo=teatro", "tipo"),
        ("datetime=yesterday", "datetime"),
        ("f=xml", "f"),
    ],
)
def test_items_bad_parameters_are_400_problems(client, query, parameter):
    r = client.get(f"/api/collections/punti/items?{query}")
    assert r.status_code == 400
    assert r.mimetype == "application/problem+json"
    doc = r.get_json()
    assert doc["status"] == 400 and doc["title"] == "Invalid parameter"
    assert doc["parameter"] == parameter
    assert parameter in doc["detail"]


def test_huge_numbers_never_overflow(client):
    big = "169385197313645204216578502209568768"
    _, doc = get_json(client, f"/api/collections/punti/items?offset={big}")
    assert doc["features"] == [] and doc["numberMatched"] == 6
    _, doc = get_json(client, f"/api/collections/punti/items?posti={big}", status=400)
    assert doc["parameter"] == "posti"
    get_json(client, f"/api/collections/zone/items/{big}", status=404)
    _, doc = get_json(
        client, f"/api/collections/punti/items?filter=posti%20%3E%20{big}", status=400
    )
    assert "64-bit" in doc["detail"]
    crazy = "-1.7976931348623157e308,1.78e16,5.72e16,1.5e-187"
    _, doc = get_json(
        client,
        f"/api/collections/punti/items?bbox={crazy}"
        "&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/7791",
        status=400,
    )
    assert doc["parameter"] == "bbox"


def test_undeclared_property_lists_the_declared_ones(client):
    _, doc = get_json(client, "/api/collections/punti/items?secret=1", status=400)
    assert "filterable properties of 'punti'" in doc["detail"] and "posti" in doc["detail"]


def test_unknown_parameter_elsewhere_is_400(client):
    _, doc = get_json(client, "/api/collections?foo=1", status=400)
    assert doc["parameter"] == "foo"


def test_item(client):
    r, doc = get_json(client, "/api/collections/punti/items/p2")
    assert r.mimetype == "application/geo+json"
    assert doc["type"] == "Feature" and doc["id"] == "p2"
    assert doc["properties"]["tipo"] == "teatro"
    assert ("collection", "application/json") in rels(doc)


@pytest.mark.parametrize(
    "url, code",
    [
        ("/api/collections/ghost", "collection-not-found"),
        ("/api/collections/ghost/items", "collection-not-found"),
        ("/api/collections/ghost/items/1", "collection-not-found"),
        ("/api/collections/punti/items/ghost", "feature-not-found"),
        ("/api/collections/zone/items/abc", "feature-not-found"),
    ],
)
def test_not_found_is_404_problem(client, url, code):
    r, doc = get_json(client, url, status=404)
    assert r.mimetype == "application/problem+json"
    assert doc["type"].endswith(code)


def test_html_by_f_and_by_accept(client):
    for url in [
        "/api",
        "/api/conformance",
        "/api/collections",
        "/api/collections/punti",
        "/api/collections/punti/items",
        "/api/collections/punti/items/p1",
        "/api/openapi",
    ]:
        r = client.get(url, query_string={"f": "html"})
        assert r.status_code == 200 and r.mimetype == "text/html", url
        r = client.get(url, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
        assert r.status_code == 200 and r.mimetype == "text/html", url
    r = client.get("/api/collections/punti/items?f=html")
    assert "Punto uno" in r.text and "Punto senza posizione" in r.text


def test_html_errors_for_browsers(client):
    r = client.get("/api/collections/ghost", headers={"Accept": "text/html"})
    assert r.status_code == 404 and r.mimetype == "text/html"
    assert "no collection" in r.text and "Traceback" not in r.text
    r = client.get("/api/collections/punti/items?limit=x&f=html")
    assert r.status_code == 400 and r.mimetype == "text/html" and "limit" in r.text


def test_openapi(client):
    r, doc = get_json(client, "/api/openapi")
    assert r.mimetype == "application/vnd.oai.openapi+json"
    assert doc["openapi"].startswith("3.0")
    items = doc["paths"]["/collections/punti/items"]["get"]
    names = {p.get("name") or p["$ref"].rsplit("/", 1)[1] for p in items["parameters"]}
    assert {"bbox", "limit", "offset", "posti", "aperto"} <= names
    assert "/collections/zone/items/{featureId}" in doc["paths"]
    assert "served at 10000" in doc["components"]["parameters"]["limit"]["description"]


def test_openapi_is_valid_openapi_30(client):
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(client.get("/api/openapi").get_json())


def test_unexpected_error_is_a_clean_500(app, client, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("/secret/path/to/file.py exploded")

    monkeypatch.setattr(app.extensions["geoportale"].store, "query", boom)
    r, doc = get_json(client, "/api/collections/punti/items", status=500)
    assert doc["detail"] == "The server hit an error." and "secret" not in r.text


def test_geometries_keep_every_digit_and_empty_ones_are_null(app, client, spec):
    """The JSON responses splice the store's GeoJSON text of each geometry unparsed: it must
    still carry every digit of the coordinates, and an empty geometry must be null."""
    import shapely

    from tests.conftest import punti_frame

    lon, lat = 10.123456789012345, 45.12345678901234
    geoms = [shapely.Point(lon, lat), shapely.Point(), None]
    data = punti_frame(
        geoms,
        id=["a", "b", "c"],
        aperto=[True, None, False],
        data=["2024-02-29", None, "1999-12-31"],
    )
    app.extensions["geoportale"].store.write_layer(spec("punti"), data)
    _, doc = get_json(client, "/api/collections/punti/items")
    by_id = {f["id"]: f for f in doc["features"]}
    assert by_id["a"]["geometry"] == {"type": "Point", "coordinates": [lon, lat]}
    assert by_id["b"]["geometry"] is None and by_id["c"]["geometry"] is None
    assert by_id["a"]["properties"]["data"] == "2024-02-29"
    assert by_id["a"]["properties"]["aperto"] is True and by_id["b"]["properties"]["aperto"] is None
    _, one = get_json(client, "/api/collections/punti/items/a")
    assert one["geometry"]["coordinates"] == [lon, lat]
    _, moved = get_json(
        client, "/api/collections/punti/items/a?crs=http://www.opengis.net/def/crs/EPSG/0/3003"
    )
    assert moved["geometry"]["coordinates"][0] > 1_000_000  # Monte Mario / Italy 1, metres


@pytest.mark.parametrize(
    "endpoint, values",
    [
        ("ogcapi.items", {"collection_id": "punti", "f": "json", "filter": "a = 'b c' AND x<2"}),
        ("ogcapi.items", {"collection_id": "è /x", "bbox": "1,2,3,4", "q": "à&b=c#d", "n": None}),
        ("ogcapi.item", {"collection_id": "punti", "feature_id": "p 1", "f": "html"}),
        ("ogcapi.landing", {}),
    ],
)
def test_links_are_what_url_for_writes(app, endpoint, values):
    """links.url builds the path once per request and appends the query itself: the text
    must stay exactly url_for's (quoting, order, None dropped, script root kept)."""
    from flask import url_for

    from app.ogcapi.links import url

    with app.test_request_context("/api?x=1", base_url="http://example.org:8080/sub"):
        for _ in range(2):  # the second call comes from the per-request cache
            assert url(endpoint, **dict(values)) == url_for(endpoint, _external=True, **values)


@pytest.mark.parametrize(
    "value", ["50%", "50%s", "%s%s%s", "100%% sicuro", "l'ora", "a\\\\b", "%(x)s", "$1"]
)
def test_filter_values_are_only_values(client, value):
    """Every value of a filter goes to the database as a bound parameter: `%`, `%s`,
    quotes and backslashes in it are matched literally (they once made PostGIS fail)."""
    quoted = value.replace("'", "''")
    for text in (f"nome = '{quoted}'", f"nome = '{quoted}' OR tipo = 'teatro'"):
        r, doc = get_json(client, "/api/collections/punti/items?filter=" + quote(text))
        expected = [] if "OR" not in text else ["p2", "p5"]
        assert sorted(f["id"] for f in doc["features"]) == expected
        assert doc["numberMatched"] == len(expected)


def test_every_page_takes_the_language_of_the_header_links(client):
    """The header's English link adds `lang=en` to the address a person is on: every HTML
    page of the API (and its JSON twin) takes it, beside its own parameters; an unknown
    parameter is still a 400 naming it."""
    fid = get_json(client, "/api/collections/punti/items?limit=1")[1]["features"][0]["id"]
    for path in (
        "/api",
        "/api/conformance",
        "/api/collections",
        "/api/collections/punti",
        "/api/collections/punti/items",
        f"/api/collections/punti/items/{fid}",
        "/api/collections/punti/queryables",
        "/api/collections/contributi",
        "/api/collections/contributi/items",
    ):
        page = client.get(path, query_string={"f": "html", "lang": "en"})
        assert page.status_code == 200, (path, page.data[:300])
        assert '<html lang="en">' in page.get_data(as_text=True), path
        assert client.get(path, query_string={"lang": "en"}).status_code == 200, path
    assert client.get("/api/collections/punti/styles/default?f=sld&lang=en").status_code == 200
    assert client.get("/download/punti.csv?lang=en").status_code == 200
    wrong = client.get("/api/collections/punti?lang=en&colour=red")
    assert wrong.status_code == 400 and wrong.get_json()["parameter"] == "colour"
