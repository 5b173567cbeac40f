"""A feature placed only in a whole quartiere has no geometry of its own (issue 17): the map
draws the quartiere's outline for it, faint and dashed, with the note, in Chromium."""

import json
import shutil

import pytest

from tests.chromium import wait_for_js
from tests.quartieri.fixtures import CITIZEN, make_app

ORTO = {
    "id": "int-7",
    "titolo": "Orto didattico di prova",
    "stato": "pianificato",
    "quartiere": 5,
    "quartiere_origine": "testo",
    "fonte": "doc-a.txt riga 70",
    "precisione": "quartiere",
}


@pytest.fixture
def outline_server(tmp_path, request):
    root = tmp_path / "root"
    (root / "layers").mkdir(parents=True)
    (root / "geodata").mkdir()
    for name in ("quartieri", "interventi"):
        shutil.copy(CITIZEN / "layers" / f"{name}.yaml", root / "layers")
        shutil.copy(CITIZEN / "geodata" / f"{name}.geojson", root / "geodata")
    path = root / "geodata" / "interventi.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    template = doc["features"][0]["properties"]
    props = {**dict.fromkeys(template), **ORTO}
    doc["features"].append({"type": "Feature", "properties": props, "geometry": None})
    path.write_text(json.dumps(doc), encoding="utf-8")
    store = tmp_path / "outline.gpkg"
    make_app(store, root / "layers", root)  # builds the store
    (tmp_path / "env").write_text(
        f"GEOPORTALE_STORE={store}\nGEOPORTALE_LAYERS_DIR={root / 'layers'}\n"
        f"GEOPORTALE_DATA_ROOT={root}\n"
    )
    return request.getfixturevalue("live_server")


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="it-IT")
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    context.close()


def test_quartiere_placement_is_drawn_as_the_quartiere_outline(page, outline_server):
    page.goto(outline_server + "/")
    page.wait_for_selector("html[data-geoportale=ready]")
    wait_for_js(page, "document.querySelectorAll('input[name=layer]:disabled').length === 0")
    page.get_by_label("Interventi di prova").check()
    page.get_by_label("Quartieri di prova (indicativi)").uncheck()
    # int-4 and int-5 have no geometry and no quartiere outline; int-7 is drawn
    status = page.locator("[data-layer-status=interventi]").inner_text()
    assert status == "2 senza posizione sulla mappa"
    dashed = page.locator(".leaflet-map-pane path.leaflet-interactive[stroke-dasharray='2 6']")
    assert dashed.count() == 1
    assert float(dashed.first.get_attribute("fill-opacity")) < 0.1  # faint
    dashed.first.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    assert "Orto didattico di prova" in popup.inner_text()
    assert "Posizione indicativa: l'intero quartiere" in popup.inner_text()
    assert page.errors == []
