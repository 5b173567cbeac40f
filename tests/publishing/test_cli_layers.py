"""The SIT office's commands: import, versions, publish, rollback, unpublish, audit."""

import json

from tests.conftest import shared_path
from tests.publishing.conftest import zone_gdf

BOTH_STORES = True  # every test here runs on GeoPackage and on PostGIS


def invoke(runner, *args):
    return runner.invoke(args=list(args))


def test_import_publish_rollback_unpublish(runner, client, tmp_path, make_shapefile):
    path = make_shapefile(zone_gdf("EPSG:3003"))
    report = tmp_path / "report.json"
    r = invoke(
        runner,
        "layers",
        "import",
        str(path),
        "--id",
        "zone",
        "--report",
        str(report),
        "--user",
        "sit",
    )
    assert r.exit_code == 0, r.output
    assert "staged as a draft" in r.output
    doc = json.loads(report.read_text())
    assert doc["ok"] and doc["version"] == 2 and doc["source_crs"] == "EPSG:3003"
    # Still the old version for readers until published.
    assert client.get("/api/collections/zone").get_json()["geoportale"]["version"] == 1
    r = invoke(runner, "layers", "publish", "zone", "--user", "sit")
    assert r.exit_code == 0 and "version 2 served" in r.output
    items = client.get("/api/collections/zone/items").get_json()
    assert [f["properties"]["nome"] for f in items["features"]][2] == "Città est"
    r = invoke(runner, "layers", "versions", "zone")
    assert "v2" in r.output and "published" in r.output and "retired" in r.output
    r = invoke(runner, "layers", "rollback", "zone", "--user", "sit")
    assert r.exit_code == 0 and "version 1 served" in r.output
    assert client.get("/api/collections/zone").get_json()["geoportale"]["version"] == 1
    assert '"id": "zone"' in client.get("/").text  # on the map while published
    r = invoke(runner, "layers", "unpublish", "zone", "--user", "sit")
    assert r.exit_code == 0
    assert client.get("/api/collections/zone").status_code == 404
    viewer = client.get("/").text  # neither in the layer list nor in the map's layers
    assert 'value="zone"' not in viewer and '"id": "zone"' not in viewer
    r = invoke(runner, "layers", "audit", "zone")
    assert [line.split()[2] for line in r.output.splitlines()[:4]] == [
        "unpublish",
        "rollback",
        "publish",
        "stage",
    ]


def test_import_with_errors_exits_2_and_changes_nothing(runner, client, make_shapefile):
    path = make_shapefile(zone_gdf("EPSG:3003"), skip=(".prj",))
    r = invoke(runner, "layers", "import", str(path), "--id", "zone", "--crs", "EPSG:4326")
    assert r.exit_code == 2
    assert "crs-implausible" in r.output and "they look like EPSG:3003" in r.output
    r = invoke(runner, "layers", "import", str(path), "--id", "zone")
    assert r.exit_code == 1 and "declares no CRS" in r.output
    assert client.get("/api/collections/zone").get_json()["geoportale"]["version"] == 1


def test_import_publish_new_layer_in_one_step(runner, client, make_shapefile):
    path = make_shapefile(zone_gdf())
    r = invoke(
        runner,
        "layers",
        "import",
        str(path),
        "--id",
        "zone_sit",
        "--title",
        "Zone del SIT",
        "--publish",
        "--licence",
        "CC-BY-4.0",
    )
    assert r.exit_code == 0, r.output
    doc = client.get("/api/collections/zone_sit").get_json()
    assert doc["title"] == "Zone del SIT" and doc["geoportale"]["license"] == "CC-BY-4.0"
    assert "Zone del SIT" in client.get("/").text


def test_a_new_layer_gets_a_title_field_from_a_name_like_column(app, runner, make_shapefile):
    """Popups, lists and search head each feature with its name (`nome`), not its id."""
    from app.services import services

    r = invoke(runner, "layers", "import", str(make_shapefile(zone_gdf())), "--id", "zone_sit")
    assert r.exit_code == 0, r.output
    with app.app_context():
        staged = services().store.versions("zone_sit")[0].spec
    assert staged.title_field == "nome"


def test_real_cremona_shapefile_3003(runner, client):
    path = shared_path(
        "reference-geodata", "derived-cremona-projected", "cremona_comune_epsg3003_shp.zip"
    )
    r = invoke(runner, "layers", "import", str(path), "--id", "confine_sit", "--publish")
    assert r.exit_code == 0, r.output
    doc = client.get("/api/collections/confine_sit").get_json()
    minx, miny, maxx, maxy = doc["extent"]["spatial"]["bbox"][0]
    # ISTAT boundary: 9.943-10.110 E, 45.089-45.184 N (a few metres of datum shift).
    assert (minx, miny, maxx, maxy) == __import__("pytest").approx(
        (9.943, 45.089, 10.110, 45.184), abs=2e-3
    )


def test_real_reference_files(runner, client):
    shared = ("reference-geodata",)
    cases = [
        (("derived-cremona-projected", "cremona_comune_epsg7791.gpkg"), "confine7791", 1),
        (("comune-alessandria-opendata", "numeri-civici.gpkg"), "civici", 26160),
        (("daf-mappa-quartieri-milano-roma", "milano_NILZone.EPSG4326.geojson"), "nil", 88),
        (("iltempe-opendataprato", "prato_ciclabili_osm.geojson"), "ciclabili_prato", 224),
    ]
    for parts, layer_id, count in cases:
        path = shared_path(*shared, *parts)
        r = invoke(runner, "layers", "import", str(path), "--id", layer_id, "--publish")
        assert r.exit_code == 0, r.output
        doc = client.get(f"/api/collections/{layer_id}").get_json()
        assert doc["geoportale"]["numberOfFeatures"] == count, layer_id
    civico = client.get("/api/collections/civici/items?limit=1").get_json()["features"][0]
    assert {"DUG", "DUF", "Civico"} <= set(civico["properties"])
    lon, lat = civico["geometry"]["coordinates"]
    assert 8.5 < lon < 8.8 and 44.8 < lat < 45.0  # Alessandria, from EPSG:3003
    prato = client.get("/api/collections/ciclabili_prato").get_json()["geoportale"]["fields"]
    assert "highway" in {f["name"] for f in prato}


def test_rewrite_serves_the_same_layer_as_a_new_version(runner, client):
    """`flask layers rewrite` (the upgrade path for versions written by older releases):
    a new version with the same features, metadata and order, served; rollback undoes it."""
    before = client.get("/api/collections/punti/items?limit=100").get_json()
    r = invoke(runner, "layers", "rewrite", "punti", "--user", "sit")
    assert r.exit_code == 0, r.output
    assert "v1 written again as v2" in r.output
    after = client.get("/api/collections/punti/items?limit=100").get_json()
    assert after["features"] == before["features"]
    assert client.get("/api/collections/punti").get_json()["geoportale"]["version"] == 2
    log = invoke(runner, "layers", "audit", "punti").output
    assert "stage" in log and "rewrite of v1" in log
    assert invoke(runner, "layers", "rollback", "punti").exit_code == 0
    assert client.get("/api/collections/punti").get_json()["geoportale"]["version"] == 1
    missing = invoke(runner, "layers", "rewrite", "ghost")
    assert missing.exit_code == 1 and "ghost" in missing.output
