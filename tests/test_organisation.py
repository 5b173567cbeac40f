"""The organisation file: its validation, and a second council adopting the geoportal.

`tests/data/alessandria/` is the Comune di Alessandria's configuration (an organisation
file and one layer of 50 real house numbers): an app started on it must not name Cremona
anywhere a visitor, a harvester or a downloader looks, on either store.
"""

from __future__ import annotations

import json
import re
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from app import create_app
from app.organisation import Organisation, OrganisationError, load_organisation
from app.publishing.importer import ImportOptions, import_file
from app.registry import load_registry
from app.settings import PROJECT_ROOT, load_settings
from app.stores.build import sync_shipped
from tests.conftest import DATA, pg_template_database, store_of_backend

ALESSANDRIA = DATA / "alessandria"
SHIPPED = PROJECT_ROOT / "organisation.yaml"
BOTH_STORES = True


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "org.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _valid_text() -> str:
    return (ALESSANDRIA / "organisation.yaml").read_text(encoding="utf-8")


# -- the file ------------------------------------------------------------------------------


def test_the_shipped_default_is_cremona():
    assert load_settings(environ={})["ORGANISATION"] == str(SHIPPED)
    org = load_organisation(SHIPPED)
    assert (org.name.it, org.ipa_code, org.istat_code) == ("Comune di Cremona", "c_d150", "019036")
    assert org.zones.layer == "quartieri" and org.interventions_layer == "interventi"
    assert org.area.boundary_layer == "confine"
    assert org.area.extent == (9.43, 44.90, 10.52, 45.65)
    assert set(org.process_examples) == {"cross-layer-query", "zone-statistics"}


def test_the_second_council_file():
    org = load_organisation(ALESSANDRIA / "organisation.yaml")
    assert org.name.it == "Comune di Alessandria" and org.slug == "alessandria"
    assert org.zones is None and org.interventions_layer is None
    assert org.area.boundary_layer is None and org.process_examples == {}


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda t: t + "colour: red\n", "colour"),
        (lambda t: t.replace("ipa_code: c_a182", "ipa_code: C A182"), "ipa_code"),
        (lambda t: t.replace('"006003"', "6003"), "istat_code"),
        (
            lambda t: t.replace("[8.10, 44.46, 9.22, 45.21]", "[9.22, 44.46, 8.10, 45.21]"),
            "area.extent",
        ),
        (lambda t: t.replace("zoom: 13", "zoom: 30"), "map.zoom"),
        (
            lambda t: t.replace("  extent_name:", "  population_field: pop\n  extent_name:"),
            "(file)",
        ),
        (lambda t: t + "zones: {layer: zone}\n", "zones.number_field"),
        (lambda t: t + "process_examples: {buffer: {}}\n", "process_examples.buffer"),
        (lambda t: re.sub(r"(?m)^short_name:.*\n", "", t), "short_name"),
    ],
)
def test_a_bad_file_is_refused_naming_file_and_field(tmp_path, change, where):
    path = _write(tmp_path, change(_valid_text()))
    with pytest.raises(OrganisationError) as err:
        load_organisation(path)
    assert err.value.detail.startswith(f"{path}: ")
    assert f"{where}: " in err.value.detail


def test_a_missing_or_unreadable_file(tmp_path):
    with pytest.raises(OrganisationError, match="organisation file not found"):
        load_organisation(tmp_path / "nope.yaml")
    with pytest.raises(OrganisationError, match="not a readable YAML file"):
        load_organisation(_write(tmp_path, "name: [unclosed\n"))
    with pytest.raises(OrganisationError, match="mapping of keys"):
        load_organisation(_write(tmp_path, "- a list\n"))


def test_the_app_does_not_start_on_a_bad_file(tmp_path):
    path = _write(tmp_path, _valid_text().replace("zoom: 13", "zoom: -1"))
    with pytest.raises(OrganisationError, match=r"org\.yaml: map\.zoom: "):
        create_app({"ORGANISATION": str(path), "AUTO_BUILD": False})


def test_the_code_names_no_council():
    """Cremona's name, codes and centre live in organisation.yaml only (the two modules
    that say so in their documentation excepted)."""
    said = re.compile(r"cremona|c_d150|019036|45\.13|10\.02", re.I)
    allowed = {"app/organisation.py", "app/settings.py"}
    found = [
        f"{path.relative_to(PROJECT_ROOT)}:{n}"
        for path in sorted((PROJECT_ROOT / "app").rglob("*"))
        if path.suffix in {".py", ".html", ".js"}
        and "vendor" not in path.parts
        and str(path.relative_to(PROJECT_ROOT)) not in allowed
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if said.search(line)
    ]
    assert not found, found


# -- a second council on both stores ------------------------------------------------------


@pytest.fixture(scope="session")
def alessandria_registry():
    return load_registry(ALESSANDRIA / "layers", ALESSANDRIA)


@pytest.fixture(scope="session")
def alessandria_gpkg(tmp_path_factory, alessandria_registry) -> Path:
    path = tmp_path_factory.mktemp("alessandria") / "alessandria.gpkg"
    sync_shipped(alessandria_registry, ALESSANDRIA, ALESSANDRIA / "layers", path)
    return path


@pytest.fixture(scope="session")
def alessandria_pg(alessandria_registry):
    def fill(url):
        sync_shipped(alessandria_registry, ALESSANDRIA, ALESSANDRIA / "layers", url)

    with pg_template_database("alessandria", fill) as template:
        yield template


@pytest.fixture
def al_app(backend, alessandria_gpkg, tmp_path, request):
    store = store_of_backend(backend, alessandria_gpkg, tmp_path, request, "alessandria_pg")
    app = create_app(
        {
            "ORGANISATION": str(ALESSANDRIA / "organisation.yaml"),
            "STORE": store,
            "LAYERS_DIR": str(ALESSANDRIA / "layers"),
            "DATA_ROOT": str(ALESSANDRIA),
            "BASEMAP": "none",
        }
    )
    yield app
    store = getattr(app.extensions.get("geoportale"), "store", None)
    if hasattr(store, "close"):
        store.close()


@pytest.fixture
def al(al_app):
    return al_app.test_client()


def _ok(client, path: str, **kw) -> str:
    r = client.get(path, **kw)
    assert r.status_code == 200, (path, r.status_code, r.text[:300])
    text = r.get_data(as_text=True)
    assert "cremona" not in text.lower(), path
    return text


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/?lang=en",
        "/api?f=html",
        "/api/collections?f=html",
        "/api/collections/civici_al?f=html",
        "/api/collections/civici_al/items?f=html",
        "/api/openapi?f=html",
        "/workspace",
        "/admin/login",
        "/cerca?q=palestro",
        "/api/processes/zone-statistics?f=html",
    ],
)
def test_pages_name_the_council_and_never_cremona(al, path):
    text = _ok(al, path)
    assert "Alessandria" in text


def test_api_documents_name_the_council(al):
    assert "Alessandria" in json.loads(_ok(al, "/api"))["description"]
    openapi = json.loads(_ok(al, "/api/openapi"))
    assert "Alessandria" in openapi["info"]["title"]
    assert "Alessandria" in openapi["info"]["description"]
    collection = json.loads(_ok(al, "/api/collections/civici_al"))
    assert collection["geoportale"]["owner"] == "Comune di Alessandria"  # the file names none
    assert json.loads(_ok(al, "/api/collections"))["collections"][0]["id"] == "civici_al"


def test_catalogue_is_the_councils(al):
    doc = json.loads(_ok(al, "/catalog.jsonld"))
    publisher = doc["dct:publisher"]
    assert publisher["foaf:name"] == "Comune di Alessandria"
    assert publisher["dct:identifier"] == "c_a182"
    assert publisher["foaf:homepage"] == {"@id": "https://www.comune.alessandria.it"}
    assert publisher["foaf:mbox"] == {"@id": "mailto:sit@example.org"}
    assert doc["dct:title"][0]["@value"] == "Geoportale del Comune di Alessandria"
    (dataset,) = doc["dcat:dataset"]
    assert dataset["dct:identifier"] == "c_a182:civici_al"
    assert dataset["dct:rightsHolder"]["foaf:name"] == "Comune di Alessandria"
    assert dataset["dct:spatial"]["locn:geographicName"] == "Alessandria"
    assert dataset["dct:spatial"]["dcatapit:geographicalIdentifier"] == "006003"


def test_the_maps_open_on_the_council(al):
    page = _ok(al, "/")
    assert "44.9131" in page and "8.6155" in page
    small = _ok(al, "/api/collections/civici_al/items?f=html")
    assert "[44.9131, 8.6155, 12]" in small.replace("&#34;", '"')


def test_without_zones_the_quartieri_degrade_to_a_clear_404(al):
    assert 'href="/quartieri"' not in _ok(al, "/")
    r = al.get("/quartieri")
    assert r.status_code == 404
    assert "quartiere" in r.text and "cremona" not in r.text.lower()
    r = al.get("/api/quartieri/punto?lon=8.6155&lat=44.9131")
    assert r.status_code == 404 and "Municipality of Alessandria" in r.text
    assert "cremona" not in r.text.lower()


def test_search_finds_the_councils_address(al):
    r = al.get("/api/search", query_string={"q": "via palestro 1"})
    assert r.status_code == 200
    top = r.get_json()["results"][0]
    assert "Palestro" in top["label"] and top.get("quartiere", {}).get("nome") == "Centro"
    assert "cremona" not in r.text.lower()


def test_zone_statistics_need_zones_and_have_no_cremona_example(al):
    doc = json.loads(_ok(al, "/api/processes/zone-statistics"))
    assert doc["inputs"]["zones"]["minOccurs"] == 1 and "default" not in doc["inputs"]["zones"]
    assert doc["example"] is None
    r = al.post(
        "/api/processes/zone-statistics/execution", json={"inputs": {"layers": ["civici_al"]}}
    )
    assert r.status_code == 400 and r.get_json()["parameter"] == "zones"


def test_print_is_the_councils(al):
    r = al.post(
        "/api/workspace/print",
        json={"bbox": [8.55, 44.88, 8.68, 44.95], "layers": ["civici_al"], "format": "pdf"},
    )
    assert r.status_code == 200, r.text[:300]
    assert "mappa-alessandria-A4-landscape.pdf" in r.headers["Content-Disposition"]
    assert b"Geoportale del Comune di Alessandria" in r.data  # the PDF's Title and Creator
    assert b"Cremona" not in r.data


def test_download_credits_the_council(al):
    r = al.get("/download/civici_al.shp.zip")
    assert r.status_code == 200
    with zipfile.ZipFile(BytesIO(r.data)) as zf:
        readme = zf.read("LEGGIMI.txt").decode("utf-8")
    assert "Geoportale del Comune di Alessandria" in readme
    assert "cremona" not in readme.lower()
    geojson = _ok(al, "/download/civici_al.geojson")
    assert len(json.loads(geojson)["features"]) == 50


def test_import_warns_outside_the_councils_area(al_app, tmp_path):
    path = tmp_path / "far.geojson"
    features = [
        {
            "type": "Feature",
            "properties": {"id": "in"},
            "geometry": {"type": "Point", "coordinates": [8.62, 44.91]},
        },
        {
            "type": "Feature",
            "properties": {"id": "cremona"},
            "geometry": {"type": "Point", "coordinates": [10.02, 45.13]},
        },
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    with al_app.app_context():
        store = al_app.extensions["geoportale"].store
        result = import_file(store, path, ImportOptions("nuovo", crs="EPSG:4326"), "tester")
    (far,) = [i for i in result.report.issues if i.code == "outside-province"]
    assert far.message == "1 features outside the province of Alessandria"
    assert "outside-comune" not in {i.code for i in result.report.issues}  # no boundary layer
    assert result.spec.metadata.owner == "Comune di Alessandria - SIT"


def test_two_apps_two_organisations(tmp_path):
    """Each app keeps the organisation it was started with: nothing is global."""
    common = {"STORE": str(tmp_path / "x.gpkg"), "AUTO_BUILD": False}
    cremona = create_app(common)
    alessandria = create_app({**common, "ORGANISATION": str(ALESSANDRIA / "organisation.yaml")})
    assert isinstance(cremona.extensions["organisation"], Organisation)
    assert cremona.config["GEOPORTALE"]["TITLE"] == "Geoportale del Comune di Cremona"
    assert alessandria.config["GEOPORTALE"]["TITLE"] == "Geoportale del Comune di Alessandria"
    titled = create_app({**common, "TITLE": "SIT"})
    assert titled.config["GEOPORTALE"]["TITLE"] == "SIT"  # the setting overrides the file
