"""Fixtures of the citizen flow (imported by tests/quartieri and tests/search conftests).

`citizen_app`: the app on tests/data/citizen (quartieri, interventi, civici in EPSG:3003,
luoghi), built once per session. `alessandria_app`: the same quartieri plus the real
Alessandria house numbers (26,160 points, EPSG:3003) as an address layer.
`citizen_server`: the citizen app on a real socket (for the browser tests).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app import create_app
from tests.conftest import DATA, close_app, pg_template_database, shared_path, store_of_backend

CITIZEN = DATA / "citizen"

ALESSANDRIA_LAYER = """\
id: civici_al
title: {it: "Numeri civici di Alessandria", en: "Alessandria house numbers"}
group: {it: "Stradario", en: "Streets"}
geometry_type: Point
visible: false
source: {path: civici_al.gpkg, layer: civici}
id_field: codice
fields:
  - {name: codice, type: integer, label: {it: Codice, en: Code}}
  - {name: DUG, type: string, label: {it: Tipo di via, en: Street type}}
  - {name: DUF, type: string, label: {it: Nome della via, en: Street name}}
  - {name: Civico, type: integer, label: {it: Civico, en: House number}}
  - {name: Esponente, type: string, label: {it: Esponente, en: Suffix}}
  - {name: QuartiereSobborgo, type: string, label: {it: Quartiere o sobborgo, en: District}}
search:
  address: {street_type: DUG, street_name: DUF, house_number: Civico,
            house_number_suffix: Esponente, quartiere: QuartiereSobborgo}
metadata:
  abstract: {it: "Numeri civici del Comune di Alessandria (solo test).", en: "Test only."}
  owner: Comune di Alessandria
  licence: CC-BY-4.0
  attribution: Comune di Alessandria
  lineage: {it: "ComunediAlessandria/open-data, numeri-civici.gpkg.", en: "As delivered."}
  updated: 2026-02-03
"""


FONTI = DATA / "fonti"  # a synthetic catalogue of sources and one document's text


def make_app(store: Path, layers: Path, root: Path, **settings):
    return create_app(
        {
            "STORE": str(store),
            "LAYERS_DIR": str(layers),
            "DATA_ROOT": str(root),
            "BASEMAP": "none",
            "FONTI_CATALOGUE": str(FONTI / "catalogo.yaml"),
            "DOCUMENTS_DIR": str(FONTI / "testi"),
            **settings,
        }
    )


@pytest.fixture(scope="session")
def citizen_store(tmp_path_factory) -> Path:
    """The citizen fixture layers built once (the factory builds a missing store)."""
    path = tmp_path_factory.mktemp("citizen") / "citizen.gpkg"
    make_app(path, CITIZEN / "layers", CITIZEN)
    return path


@pytest.fixture(scope="session")
def citizen_pg_template():
    """The citizen fixture layers in a PostGIS template database (cloned for each test)."""
    from app.registry import load_registry
    from app.stores.build import sync_shipped

    def fill(url):
        registry = load_registry(CITIZEN / "layers", CITIZEN)
        sync_shipped(registry, CITIZEN, CITIZEN / "layers", url)

    with pg_template_database("citizen", fill) as template:
        yield template


@pytest.fixture
def citizen_location(backend, citizen_store, tmp_path, request) -> str:
    """A fresh citizen store of the test's back end (modules with BOTH_STORES = True run
    on PostGIS too)."""
    return store_of_backend(backend, citizen_store, tmp_path, request, "citizen_pg_template")


@pytest.fixture
def citizen_app(citizen_location):
    app = make_app(citizen_location, CITIZEN / "layers", CITIZEN)
    yield app
    close_app(app)


@pytest.fixture
def citizen_client(citizen_app):
    return citizen_app.test_client()


@pytest.fixture(scope="session")
def alessandria_app(tmp_path_factory):
    """Cremona test quartieri + the real Alessandria house numbers, in a test-only registry.

    The GeoPackage has no id column (only GDAL's fid): a copy gets one, keeping EPSG:3003.
    """
    source = shared_path("reference-geodata", "comune-alessandria-opendata", "numeri-civici.gpkg")
    import pyogrio

    root = tmp_path_factory.mktemp("alessandria")
    gdf = pyogrio.read_dataframe(source, fid_as_index=True)
    gdf["codice"] = gdf.index.astype("int64")
    pyogrio.write_dataframe(gdf.reset_index(drop=True), root / "civici_al.gpkg", layer="civici")
    (root / "layers").mkdir()
    (root / "geodata").mkdir()
    shutil.copy(CITIZEN / "layers" / "quartieri.yaml", root / "layers")
    shutil.copy(CITIZEN / "geodata" / "quartieri.geojson", root / "geodata")
    (root / "layers" / "civici_al.yaml").write_text(ALESSANDRIA_LAYER)
    return make_app(root / "store.gpkg", root / "layers", root)


@pytest.fixture
def citizen_server(tmp_path, citizen_store, request):
    """The citizen app served by a real process (settings via tests/conftest.py's env file)."""
    store = tmp_path / "citizen-live.gpkg"
    shutil.copy(citizen_store, store)
    (tmp_path / "env").write_text(
        f"GEOPORTALE_STORE={store}\nGEOPORTALE_LAYERS_DIR={CITIZEN / 'layers'}\n"
        f"GEOPORTALE_DATA_ROOT={CITIZEN}\nGEOPORTALE_FONTI_CATALOGUE={FONTI / 'catalogo.yaml'}\n"
    )
    return request.getfixturevalue("live_server")
