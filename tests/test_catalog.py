"""Open-data metadata: per-layer records and the DCAT-AP_IT catalogue."""

BOTH_STORES = True  # every test here runs on GeoPackage and on PostGIS
READ_ONLY_STORE = True  # one PostGIS clone for the module (tests/conftest.py checks nothing writes)

EU = "http://publications.europa.eu/resource/authority/"


def test_metadata_record(client):
    r = client.get("/api/collections/punti/metadata")
    assert r.status_code == 200
    doc = r.get_json()
    assert doc["id"] == "punti" and doc["type"] == "Feature"
    props = doc["properties"]
    assert props["title"] == "Punti di prova" and props["license"] == "CC0-1.0"
    assert props["licenseUri"] == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert props["featureCount"] == 6
    enclosures = [l["href"] for l in doc["links"] if l["rel"] == "enclosure"]
    assert any(h.endswith("/download/punti.shp.zip") for h in enclosures)
    assert client.get("/api/collections/punti/metadata?f=html").status_code == 200
    links = client.get("/api/collections/punti").get_json()["links"]
    assert any(l["rel"] == "describedby" for l in links)


def test_dcat_ap_it_catalogue(client):
    r = client.get("/catalog.jsonld")
    assert r.status_code == 200 and r.mimetype == "application/ld+json"
    doc = r.get_json()
    assert "dcat:Catalog" in doc["@type"] and "dcatapit:Catalog" in doc["@type"]
    assert doc["dct:publisher"]["foaf:name"] == "Comune di Cremona"
    datasets = {d["dct:identifier"]: d for d in doc["dcat:dataset"]}
    # the layers, and the citizens' approved contributions (app/contributions/public_data.py)
    assert set(datasets) == {"c_d150:zone", "c_d150:punti", "c_d150:contributi"}
    punti = datasets["c_d150:punti"]
    assert punti["dct:title"][0] == {"@value": "Punti di prova", "@language": "it"}
    assert punti["dcat:theme"] == [{"@id": f"{EU}data-theme/REGI"}]
    formats = {d["dct:format"]["@id"].rsplit("/", 1)[1] for d in punti["dcat:distribution"]}
    assert {"GEOJSON", "GPKG", "SHP", "CSV", "KML"} <= formats
    for dist in punti["dcat:distribution"]:
        assert dist["dct:license"]["@id"] == "https://creativecommons.org/publicdomain/zero/1.0/"
        assert (
            client.get(dist["dcat:accessURL"]["@id"].replace("http://localhost", "")).status_code
            == 200
        )
    assert "POLYGON" in punti["dct:spatial"]["dcat:bbox"]["@value"]


def test_catalogue_is_valid_json_ld(client):
    import json

    doc = json.loads(client.get("/catalog.jsonld").data)
    # Every prefixed key is declared in the context.
    prefixes = set(doc["@context"])

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if ":" in key and not key.startswith("@"):
                    assert key.split(":")[0] in prefixes, key
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(doc)
