"""Every advertised download of every shipped layer opens in GDAL with every feature, and
the mixed-geometry layers are split per family (issue 19, items 3 and 4), on both stores."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pyogrio
import pytest

from app import create_app
from tests.conftest import close_app, pg_template_database, store_of_backend

BOTH_STORES = True  # every test here runs on GeoPackage and on PostGIS
READ_ONLY_STORE = True  # one PostGIS clone for the module (tests/conftest.py checks it)

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_REL = "http://www.opengis.net/def/rel/ogc/1.0/schema"
MIXED = "interventi"  # points, areas and rows without a position (see shipped_root)
KML = "{http://www.opengis.net/kml/2.2}"


@pytest.fixture(scope="session")
def shipped_root(tmp_path_factory) -> Path:
    """The shipped layers with the interventions made mixed, as an office's import may be:
    the shipped data places no intervention by an area any more (issue 17), so the ones
    placed only in a whole quartiere get that quartiere's polygon back here. Every other
    layer is the shipped one."""
    root = tmp_path_factory.mktemp("shipped-data")
    shutil.copytree(ROOT / "geodata", root / "geodata")
    cells = {
        f["properties"]["numero"]: f["geometry"]
        for f in json.loads((ROOT / "geodata" / "quartieri.geojson").read_text())["features"]
        if f["geometry"]
    }
    path = root / "geodata" / f"{MIXED}.geojson"
    doc = json.loads(path.read_text())
    for f in doc["features"]:
        p = f["properties"]
        if f["geometry"] is None and p["precisione"] == "quartiere" and p["quartiere"] in cells:
            f["geometry"] = cells[p["quartiere"]]
    path.write_text(json.dumps(doc))
    return root


@pytest.fixture(scope="session")
def shipped_store(tmp_path_factory, shipped_root) -> Path:
    """The shipped layers (layers/ + the data above) built once (the factory builds it)."""
    path = tmp_path_factory.mktemp("shipped") / "shipped.gpkg"
    close_app(_make_app(path, shipped_root))
    return path


@pytest.fixture(scope="session")
def shipped_pg_template(shipped_root):
    from app.registry import load_registry
    from app.stores.build import sync_shipped

    def fill(url):
        registry = load_registry(ROOT / "layers", shipped_root)
        sync_shipped(registry, shipped_root, ROOT / "layers", url)

    with pg_template_database("shipped-mixed", fill) as template:
        yield template


def _make_app(store, root):
    return create_app(
        {
            "STORE": str(store),
            "LAYERS_DIR": str(ROOT / "layers"),
            "DATA_ROOT": str(root),
            "BASEMAP": "none",
        }
    )


@pytest.fixture
def shipped(backend, shipped_store, shipped_root, tmp_path, request):
    """A test client of the shipped layers on the test's back end."""
    location = store_of_backend(backend, shipped_store, tmp_path, request, "shipped_pg_template")
    app = _make_app(location, shipped_root)
    yield app.test_client()
    close_app(app)


def download(client, href: str, folder: Path) -> Path:
    path_part = href.split("/download/", 1)[1]
    r = client.get("/download/" + path_part)
    assert r.status_code == 200, (href, r.data[:300])
    path = folder / path_part
    path.write_bytes(r.data)
    return path


def open_all(path: Path) -> dict[str, int]:
    """Layer name -> feature count, as GDAL reads the file (a zip: every file in it)."""
    source = f"/vsizip/{path}" if path.suffix == ".zip" else str(path)
    if path.suffix == ".csv":  # the WKT column is the geometry
        return {path.stem: len(pyogrio.read_dataframe(source, GEOM_POSSIBLE_NAMES="WKT"))}
    return {  # layer_styles: the default style QGIS applies (tested below), not features
        name: len(pyogrio.read_dataframe(source, layer=name))
        for name, _ in pyogrio.list_layers(source)
        if name != "layer_styles"
    }


def test_every_advertised_download_of_every_layer_opens_whole(shipped, tmp_path):
    """Each enclosure of each collection and each DCAT distribution downloads, and GDAL
    finds every feature of the layer in it (split files add up to the layer's count)."""
    collections = shipped.get("/api/collections").get_json()["collections"]
    assert len(collections) >= 12
    catalogue = shipped.get("/catalog.jsonld").get_json()
    distributions = {
        d["dcat:downloadURL"]["@id"]
        for ds in catalogue["dcat:dataset"]
        if not ds["dct:identifier"].endswith(":programma")  # its tables: tests/programma
        for d in ds["dcat:distribution"]
        if "dcat:downloadURL" in d
    }
    advertised = set()
    for c in collections:
        if c["geoportale"].get("kind") == "contributions":  # open data of its own: CSV, GeoJSON
            for href in (l["href"] for l in c["links"] if l["rel"] == "enclosure"):
                assert shipped.get(href.replace("http://localhost", "")).status_code == 200
                advertised.add(href)
            continue
        count = c["geoportale"]["numberOfFeatures"]
        links = [l["href"] for l in c["links"] if l["rel"] == "enclosure"]
        assert len(links) == 5, c["id"]
        for href in links:
            advertised.add(href)
            counts = open_all(download(shipped, href, tmp_path))
            assert sum(counts.values()) == count, (href, counts)
    assert distributions <= advertised


def _types_by_family(client) -> dict[str, int]:
    """How many features of the mixed layer are points, areas, or have no geometry."""
    doc = client.get(f"/download/{MIXED}.geojson").get_json()
    found = {"punti": 0, "poligoni": 0, "senza_geometria": 0}
    for f in doc["features"]:
        kind = (f["geometry"] or {}).get("type")
        found[{"Point": "punti", "MultiPolygon": "poligoni", None: "senza_geometria"}[kind]] += 1
    assert all(found.values()), found  # the layer still mixes all three
    return found


def test_mixed_geopackage_has_a_table_per_family_and_is_version_1_2(shipped, tmp_path):
    expected = _types_by_family(shipped)
    path = download(shipped, f"/download/{MIXED}.gpkg", tmp_path)
    tables = {name: kind for name, kind in pyogrio.list_layers(path) if name != "layer_styles"}
    assert tables == {
        f"{MIXED}_punti": "Point",
        f"{MIXED}_poligoni": "MultiPolygon",
        f"{MIXED}_senza_geometria": None,
    }
    for family, n in expected.items():
        assert pyogrio.read_info(path, layer=f"{MIXED}_{family}")["features"] == n
    with sqlite3.connect(path) as db:  # GeoPackage 1.2: 'GPKG' and 10200
        assert db.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47
        assert db.execute("PRAGMA user_version").fetchone()[0] == 10200


def test_mixed_shapefile_zip_has_a_shapefile_per_family_and_a_dbf(shipped, tmp_path):
    expected = _types_by_family(shipped)
    path = download(shipped, f"/download/{MIXED}.shp.zip", tmp_path)
    names = set(zipfile.ZipFile(path).namelist())
    for family in ("punti", "poligoni"):
        stem = f"{MIXED}_{family}"
        assert {f"{stem}.{ext}" for ext in ("shp", "shx", "dbf", "prj", "cpg")} <= names
    assert f"{MIXED}_senza_geometria.dbf" in names
    assert not any(n.startswith(f"{MIXED}_senza_geometria.sh") for n in names)
    counts = open_all(path)
    assert counts == {f"{MIXED}_{family}": n for family, n in expected.items()}


def test_leggimi_names_the_fields_as_the_dbf_has_them(shipped, tmp_path):
    """GDAL cuts names to 10 characters and numbers the clashes: obiettivo_strategico and
    obiettivo_operativo are `obiettivo_` and `obiettiv_1` in the .dbf, and LEGGIMI says so."""
    path = download(shipped, f"/download/{MIXED}.shp.zip", tmp_path)
    zf = zipfile.ZipFile(path)
    readme = zf.read("LEGGIMI.txt").decode()
    pattern = r"^(\S+)\s+(\S+)\s+(?:string|integer|number|boolean|date)\s"
    rows = {name: dbf for dbf, name in re.findall(pattern, readme, re.M)}
    dbf = tmp_path / "poligoni.dbf"
    dbf.write_bytes(zf.read(f"{MIXED}_poligoni.dbf"))
    written = list(pyogrio.read_info(dbf)["fields"])
    spec = shipped.get(f"/api/collections/{MIXED}").get_json()["geoportale"]["fields"]
    assert [rows[f["name"]] for f in spec] == written
    assert rows["obiettivo_strategico"] == "obiettivo_"
    assert rows["obiettivo_operativo"] == "obiettiv_1"


def test_csv_has_one_charset_and_the_documented_header(shipped):
    r = shipped.get(f"/download/{MIXED}.csv")
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8; header=present"
    header = r.get_data(as_text=True).splitlines()[0].split(",")
    fields = [
        f["name"]
        for f in shipped.get(f"/api/collections/{MIXED}").get_json()["geoportale"]["fields"]
    ]
    assert [h.strip('"') for h in header] == ["WKT", *fields]


def test_kml_placemarks_are_named_by_the_title_field(shipped):
    r = shipped.get(f"/download/{MIXED}.kml")
    root = ET.fromstring(r.data)
    marks = root.iter(f"{KML}Placemark")
    titles = {
        f["properties"]["id"]: f["properties"]["titolo"]
        for f in shipped.get(f"/download/{MIXED}.geojson").get_json()["features"]
    }
    names = []
    for mark in marks:
        data = {d.get("name"): d.text for d in mark.iter(f"{KML}SimpleData")}
        names.append(mark.findtext(f"{KML}name"))
        assert names[-1] == titles[data["id"]]
        assert data["titolo"] == names[-1]  # the field itself stays in the data
    assert len(names) == len(titles)


def test_storia_stato_is_the_same_text_in_the_api_and_the_downloads(shipped, tmp_path):
    api = shipped.get(f"/api/collections/{MIXED}/items?limit=1000").get_json()["features"]
    in_api = {f["id"]: f["properties"]["storia_stato"] for f in api}
    geojson = shipped.get(f"/download/{MIXED}.geojson").get_json()["features"]
    in_file = {f["properties"]["id"]: f["properties"]["storia_stato"] for f in geojson}
    assert in_file == in_api
    assert all(isinstance(v, str) for v in in_api.values() if v is not None)
    assert isinstance(json.loads(next(v for v in in_api.values() if v)), list)
    gpkg = download(shipped, f"/download/{MIXED}.gpkg", tmp_path)
    table = pyogrio.read_dataframe(gpkg, layer=f"{MIXED}_senza_geometria")
    assert {r["id"]: r["storia_stato"] for _, r in table.iterrows()} == {
        k: in_api[k] for k in table["id"]
    }


@pytest.mark.parametrize("resource", ["queryables", "schema"])
def test_mixed_layer_states_its_geometry_types(shipped, resource):
    """Part 5: the primary geometry is `geometry-any` with one alternative per family, so a
    client does not guess the type from a sample of features."""
    r = shipped.get(f"/api/collections/{MIXED}/{resource}")
    assert r.mimetype == "application/schema+json"
    geometry = r.get_json()["properties"]["geometry"]
    assert geometry["x-ogc-role"] == "primary-geometry"
    assert geometry["format"] == "geometry-any"
    assert [o["format"] for o in geometry["oneOf"]] == ["geometry-point", "geometry-multipolygon"]
    assert [o["properties"]["type"]["enum"] for o in geometry["oneOf"]] == [
        ["Point"],
        ["MultiPolygon"],
    ]
    assert "type" not in geometry  # QGIS would read a `type` as an attribute field


def test_single_family_layers_state_their_one_type(shipped):
    formats = {}
    for c in shipped.get("/api/collections").get_json()["collections"]:
        if c["geoportale"].get("kind") == "contributions":  # its queryables say it: points
            continue
        schema = shipped.get(f"/api/collections/{c['id']}/schema").get_json()
        formats[c["id"]] = schema["properties"]["geometry"]["format"]
        assert schema["properties"][c["geoportale"]["fields"][0]["name"]]
    assert formats["cultura"] == "geometry-point"
    assert formats["quartieri"] == "geometry-multipolygon"
    assert formats[MIXED] == "geometry-any"


def test_collection_links_its_schema_and_licence(shipped):
    doc = shipped.get(f"/api/collections/{MIXED}").get_json()
    assert doc["license"] == "ODbL-1.0"
    links = {l["rel"]: l for l in doc["links"]}
    assert links["license"]["href"] == "https://opendatacommons.org/licenses/odbl/1-0/"
    assert links[SCHEMA_REL]["href"].endswith(f"/api/collections/{MIXED}/schema")
    assert doc["geoportale"]["geometryTypes"] == ["MultiPolygon", "Point"]
    conformance = shipped.get("/api/conformance").get_json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/schemas" in conformance
    assert shipped.get(f"/api/collections/{MIXED}/schema?f=html").status_code == 200


def test_a_filtered_download_keeps_the_tables_of_the_layer(shipped, tmp_path):
    """Tables are the layer's families, not the subset's: a script gets the same names."""
    features = shipped.get(f"/download/{MIXED}.geojson").get_json()["features"]
    point = next(f for f in features if (f["geometry"] or {}).get("type") == "Point")
    r = shipped.get(
        f"/download/{MIXED}.gpkg", query_string={"filter": f"id = '{point['properties']['id']}'"}
    )
    assert r.status_code == 200, r.data[:300]
    path = tmp_path / "f.gpkg"
    path.write_bytes(r.data)
    tables = {n: pyogrio.read_info(path, layer=n)["features"] for n, _ in pyogrio.list_layers(path)
              if n != "layer_styles"}  # fmt: skip
    assert tables == {f"{MIXED}_punti": 1, f"{MIXED}_poligoni": 0, f"{MIXED}_senza_geometria": 0}


def test_downloads_carry_the_layer_style_qgis_applies(shipped, tmp_path):
    """Issue 19, item 1: each geometry table of a GeoPackage has its default style in
    `layer_styles` (the table's family's symbols), each .shp of a zip its .qml and .sld."""
    path = download(shipped, f"/download/{MIXED}.gpkg", tmp_path)
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT f_table_name, useAsDefault, styleQML, styleSLD FROM layer_styles"
        ).fetchall()
    styles = {name: (default, qml, sld) for name, default, qml, sld in rows}
    assert set(styles) == {f"{MIXED}_punti", f"{MIXED}_poligoni", f"{MIXED}_senza_geometria"}
    bare_qml = styles[f"{MIXED}_senza_geometria"][1]  # the attribute table: the labels alone
    assert "<renderer-v2" not in bare_qml and 'name="Obiettivo strategico"' in bare_qml
    assert all(default == 1 for default, _, _ in styles.values())
    assert 'type="marker"' in styles[f"{MIXED}_punti"][1]
    assert 'type="fill"' in styles[f"{MIXED}_poligoni"][1]
    assert "#33a02c" in styles[f"{MIXED}_punti"][2]  # concluso's colour, from the layer file
    zf = zipfile.ZipFile(download(shipped, f"/download/{MIXED}.shp.zip", tmp_path))
    names = set(zf.namelist())
    for family in ("punti", "poligoni"):
        assert {f"{MIXED}_{family}.qml", f"{MIXED}_{family}.sld"} <= names
    assert f"{MIXED}_senza_geometria.qml" in names  # its labels, beside the lone .dbf
    assert f"{MIXED}_senza_geometria.sld" not in names
    # the .qml names the fields as the .dbf has them (cut to 10 characters)
    assert "obiettiv_1" in zf.read(f"{MIXED}_punti.qml").decode()
    single = zipfile.ZipFile(download(shipped, "/download/cultura.shp.zip", tmp_path))
    assert {"cultura.qml", "cultura.sld"} <= set(single.namelist())
