"""The editor in a real browser: place from the queue, move a point, draw a polygon, and a
conflict with someone else's edit. Debian's Chromium under Playwright, on a live server with
the editing fixture layers; the checks read the store's draft directly.

Screenshots go to tests/.artifacts/ (docs/screenshots/editor-queue.png is the same page on the
shipped Cremona data).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.registry import load_registry
from app.stores.edits import FeatureEdit
from app.stores.gpkg import GpkgStore
from tests import chromium
from tests.conftest import DATA
from tests.editing.conftest import EDITOR, LAYERS

ARTIFACTS = Path(__file__).resolve().parents[1] / ".artifacts"
READY = "document.querySelector('[data-editor]').dataset.ready === 'true'"


@pytest.fixture
def page(browser):
    pg = browser.new_page(viewport={"width": 1280, "height": 900}, locale="it-IT")
    pg.messages = []
    pg.dialogs = []
    pg.on("console", lambda m: pg.messages.append(m.text))
    pg.on("pageerror", lambda e: pg.messages.append("error: " + str(e)))
    yield pg
    pg.close()


def spec(layer_id: str):
    return load_registry(LAYERS, DATA).get(layer_id)


def pending(store_path, layer_id: str) -> dict:
    """feature id -> its newest pending edit in the store's draft."""
    store = GpkgStore(store_path)
    try:
        return {r.feature_id: r for r in store.edits(layer_id)}
    finally:
        store.close()


def open_editor(page, server, layer_id: str):
    base = server["url"]
    page.goto(f"{base}/admin/edit/{layer_id}")
    page.get_by_label("Nome utente").fill(EDITOR[0])
    page.get_by_label("Password").fill(EDITOR[1])
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(f"{base}/admin/edit/{layer_id}")
    chromium.wait_for_js(page, READY)


def opened(page, title: str):
    """Wait until the feature `title` is open (it is read from the draft first)."""
    chromium.wait_for_js(
        page,
        f"document.querySelector('[data-feature-heading]').textContent === {title!r}"
        " && document.activeElement.id === 'feature-heading'",
    )


def view(page, lon: float, lat: float, zoom: int = 16):
    page.evaluate(
        "([lat, lon, z]) => geoportaleEditor.map.map.setView([lat, lon], z, {animate: false})",
        [lat, lon, zoom],
    )


def screen_point(page, lon: float, lat: float) -> tuple[float, float]:
    """Where (lon, lat) is on the page, in CSS pixels."""
    x, y = page.evaluate(
        "([lat, lon]) => { const m = geoportaleEditor.map.map;"
        " const p = m.latLngToContainerPoint([lat, lon]);"
        " const r = m.getContainer().getBoundingClientRect(); return [r.left + p.x, r.top + p.y]; }",
        [lat, lon],
    )
    return x, y


def click_map(page, lon: float, lat: float):
    """A click at (lon, lat), the pointer moved there first (Geoman places the vertex where
    its hint marker follows the pointer)."""
    x, y = screen_point(page, lon, lat)
    page.mouse.move(x, y, steps=4)
    page.mouse.click(x, y)


def shot(page, name: str):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"editor-{name}.png"))


def docs_shot(page):
    """The picture of docs/editing.md: the queue, the placed point, the placement form."""
    page.set_viewport_size({"width": 1280, "height": 1180})
    view(page, 10.03, 45.136, 15)
    page.evaluate("document.querySelector('.editor-panel').scrollTop = 0")
    page.wait_for_timeout(200)
    shot(page, "docs-queue")
    page.set_viewport_size({"width": 1280, "height": 900})
    view(page, 10.025, 45.133)


def geoman(page) -> bool:
    return page.evaluate("!!geoportaleEditor.map.geoman")


def test_place_unplaced_features_one_after_another(editing_server, page):
    open_editor(page, editing_server, "interventi")
    page.get_by_role("tab", name="Da georeferenziare").click()
    titles = page.locator("[data-queue] li button").all_inner_texts()
    assert titles[:3] == [
        "Ponte nuovo di prova",
        "Piazza del mercato di prova",
        "Pista ciclabile di prova",
    ]
    page.get_by_role("button", name="Ponte nuovo di prova").click()
    chromium.wait_for_js(page, "document.activeElement.id === 'feature-heading'")
    view(page, 10.025, 45.133)
    page.get_by_role("button", name="Clicca un punto").click()
    click_map(page, 10.025, 45.133)
    # The method sets the default precisione; the source is required before saving.
    assert page.get_by_label("Precisione", exact=True).input_value() == "edificio"
    page.get_by_role("button", name="Salva e passa al successivo").click()
    assert page.locator("#error-placement\\.fonte_posizione").is_visible()
    assert pending(editing_server["store"], "interventi") == {}
    page.get_by_label("Precisione", exact=True).select_option("indirizzo")
    page.get_by_label("Fonte della posizione").first.fill("Delibera GC 12/2024, allegato B")
    shot(page, "queue")
    docs_shot(page)
    page.get_by_role("button", name="Salva e passa al successivo").click()
    # The next one opens, focused; the saved one left the queue.
    chromium.wait_for_js(
        page,
        "document.querySelector('[data-feature-heading]').textContent === 'Piazza del mercato di prova'",
    )
    chromium.wait_for_js(page, "document.activeElement.id === 'feature-heading'")
    assert "Salvato nella bozza" in page.locator("#editor-status").inner_text()
    assert page.locator("[data-queue-id='e3']").count() == 0

    edit = pending(editing_server["store"], "interventi")["e3"]
    assert edit.after["geometry"]["type"] == "Point"
    lon, lat = edit.after["geometry"]["coordinates"]
    assert abs(lon - 10.025) < 1e-4 and abs(lat - 45.133) < 1e-4
    assert edit.placement == {
        "precisione": "indirizzo",
        "fonte_posizione": "Delibera GC 12/2024, allegato B",
        "metodo": "punto",
    }
    assert edit.after["properties"]["precisione"] == "indirizzo"  # the layer's editing fields
    assert edit.after["properties"]["fonte_posizione"] == "Delibera GC 12/2024, allegato B"

    # The whole quartiere: its polygon, precisione quartiere.
    page.get_by_label("Tutto il quartiere").select_option("16")
    page.get_by_role("button", name="Usa il quartiere").click()
    assert page.get_by_label("Precisione", exact=True).input_value() == "quartiere"
    page.get_by_label("Fonte della posizione").first.fill("DUP 2019, riga 4")
    page.get_by_role("button", name="Salva e passa al successivo").click()
    chromium.wait_for_js(
        page,
        "document.querySelector('[data-feature-heading]').textContent === 'Pista ciclabile di prova'",
    )
    edit = pending(editing_server["store"], "interventi")["e4"]
    # no copy of the cell's polygon (issue 17): no geometry, the quartiere's number
    assert edit.after["geometry"] is None
    assert edit.after["properties"]["quartiere"] == 16
    assert edit.placement["precisione"] == "quartiere" and edit.placement["metodo"] == "quartiere"

    # Skipping sends the feature to the end of the queue and opens the next one.
    page.get_by_role("button", name="Salta").click()
    chromium.wait_for_js(
        page,
        "document.querySelector('[data-feature-heading]').textContent === 'Centro civico di prova'",
    )
    assert (
        page.locator("[data-queue] li button").all_inner_texts()[-1] == "Pista ciclabile di prova"
    )
    assert [m for m in page.messages if m.startswith("error")] == []


def test_move_a_point_and_change_its_fields(editing_server, page):
    open_editor(page, editing_server, "interventi")
    page.get_by_label("Cerca un elemento").fill("torre")
    page.get_by_role("button", name="Restauro della torre di prova").click()
    chromium.wait_for_js(page, "document.activeElement.id === 'feature-heading'")
    view(page, 10.022, 45.135, 17)
    handle = page.locator(".editor-handle")
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 30, y + 10, steps=5)
    page.mouse.move(x + 60, y + 20, steps=5)
    page.mouse.up()
    # Keyboard too: the handle takes focus and moves with the arrows.
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.get_by_label("Descrizione").fill("Consolidamento e restauro")
    page.get_by_label("Importo (€)").fill("650000")
    page.get_by_label("Approvato").check()
    page.get_by_label("Fonte della posizione").first.fill("Sopralluogo 2026-11-30")
    page.get_by_role("button", name="Salva", exact=True).click()
    chromium.wait_for_js(page, "document.activeElement.id === 'editor-status'")
    assert "Salvato nella bozza" in page.locator("#editor-status").inner_text()
    shot(page, "moved")

    edit = pending(editing_server["store"], "interventi")["e1"]
    lon, lat = edit.after["geometry"]["coordinates"]
    assert lon > 10.0221 and lat < 45.135  # dragged right and down
    props = edit.after["properties"]
    assert props["descrizione"] == "Consolidamento e restauro"
    assert props["importo_euro"] == 650000 and props["approvato"] is True
    assert edit.placement["fonte_posizione"] == "Sopralluogo 2026-11-30"
    assert edit.placement["precisione"] == "edificio"  # as it was: the user did not change it


def test_draw_a_polygon_on_a_polygon_layer(editing_server, page):
    open_editor(page, editing_server, "quartieri")
    assert geoman(page), "Leaflet-Geoman is not loaded (/vendor/leaflet-geoman/)"
    page.get_by_role("button", name="Nuovo elemento").click()
    view(page, 10.05, 45.145, 15)  # away from the other quartieri: nothing to snap to
    page.get_by_role("button", name="Disegna l’area").click()
    corners = [(10.045, 45.142), (10.053, 45.142), (10.053, 45.147), (10.045, 45.147)]
    for lon, lat in corners:
        click_map(page, lon, lat)
        page.wait_for_timeout(100)
    page.wait_for_timeout(300)
    click_map(page, *corners[0])  # the first vertex again closes the area
    chromium.wait_for_js(page, "geoportaleEditor.map.hasGeometry()")
    page.get_by_label("Nome", exact=True).fill("Quartiere disegnato")
    page.get_by_label("Numero").fill("21")
    page.get_by_label("Fonte della posizione").first.fill("Tavola 3 del PGT")
    page.get_by_role("button", name="Salva", exact=True).click()
    chromium.wait_for_js(page, "document.activeElement.id === 'editor-status'")
    shot(page, "polygon")
    created = [
        r for r in pending(editing_server["store"], "quartieri").values() if r.op == "create"
    ]
    assert len(created) == 1
    geometry = created[0].after["geometry"]
    assert geometry["type"] == "MultiPolygon"
    assert len(geometry["coordinates"][0][0]) == 5
    assert created[0].after["properties"]["nome"] == "Quartiere disegnato"
    assert created[0].placement["metodo"] == "area"


def test_a_concurrent_edit_is_shown_not_overwritten(editing_server, page):
    open_editor(page, editing_server, "interventi")
    page.get_by_label("Cerca un elemento").fill("parco")
    page.get_by_role("button", name="Parco di prova").click()
    chromium.wait_for_js(page, "document.activeElement.id === 'feature-heading'")
    page.get_by_label("Descrizione").fill("La mia descrizione")

    # Someone else changes the feature meanwhile (through the store, as the API would).
    store = GpkgStore(editing_server["store"])
    try:
        _, etag = store.draft_get(spec("interventi"), "e2")
        change = FeatureEdit(op="update", feature_id="e2", properties={"descrizione": "La loro"})
        store.edit(spec("interventi"), change, user="collega", if_match=etag)
    finally:
        store.close()

    page.get_by_role("button", name="Salva", exact=True).click()
    conflict = page.locator("[data-conflict]")
    conflict.wait_for(state="visible")
    assert "Qualcun altro ha modificato questo elemento" in conflict.inner_text()
    chromium.wait_for_js(page, "!!document.querySelector('[data-conflict] table')")
    assert "La loro" in conflict.inner_text()  # their version, field by field
    shot(page, "conflict")
    edit = pending(editing_server["store"], "interventi")["e2"]
    assert edit.user == "collega" and edit.after["properties"]["descrizione"] == "La loro"

    page.get_by_role("button", name="Ricarica la versione attuale").click()
    chromium.wait_for_js(page, "document.getElementById('field-descrizione').value === 'La loro'")
    assert conflict.is_hidden()


def test_outside_the_comune_asks_first(editing_server, page):
    open_editor(page, editing_server, "interventi")
    page.get_by_role("tab", name="Da georeferenziare").click()
    page.get_by_role("button", name="Biblioteca di prova").click()
    opened(page, "Biblioteca di prova")
    view(page, 10.07, 45.135, 14)  # the fixture boundary ends at 10.06
    page.get_by_role("button", name="Clicca un punto").click()
    click_map(page, 10.07, 45.135)
    page.get_by_label("Fonte della posizione").first.fill("prova")
    page.once("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.get_by_role("button", name="Salva", exact=True).click()
    chromium.wait_for_js(
        page, "document.getElementById('editor-status').textContent === 'Non salvato.'"
    )
    assert "fuori dal confine" in page.dialogs[0]
    assert "e7" not in pending(editing_server["store"], "interventi")


def test_typing_an_address_places_the_point(editing_server, page):
    open_editor(page, editing_server, "interventi")
    page.get_by_role("tab", name="Da georeferenziare").click()
    page.get_by_role("button", name="Centro civico di prova").click()
    page.get_by_label("Indirizzo", exact=True).fill("via Dante 12")
    page.get_by_role("button", name="Trova").click()
    result = page.locator("[data-address-results] button").first
    result.wait_for()
    assert "12" in result.inner_text()
    result.click()
    assert page.get_by_label("Precisione", exact=True).input_value() == "indirizzo"
    page.get_by_label("Fonte della posizione").fill("Stradario, numeri civici")
    # The street from the official list (ANNCSU): suggestions as one types, its code kept.
    street = page.get_by_label("Via (stradario ufficiale)")
    street.press_sequentially("Dante", delay=20)
    chromium.wait_for_js(
        page, "!!document.querySelector('#street-options option[value=\"Via Dante\"]')"
    )
    street.fill("Via Dante")
    assert page.locator("[data-placement-field='codice_via']").input_value() == "254448"
    page.get_by_role("button", name="Salva", exact=True).click()
    chromium.wait_for_js(page, "document.activeElement.id === 'editor-status'")
    edit = pending(editing_server["store"], "interventi")["e5"]
    assert edit.after["geometry"]["type"] == "Point"
    assert edit.placement["metodo"] == "indirizzo" and edit.placement["precisione"] == "indirizzo"
    assert edit.placement["via"] == "Via Dante" and edit.placement["codice_via"] == "254448"


def test_a_big_layer_is_tiles_then_features_from_a_zoom(editing_server_tiles, page):
    open_editor(page, editing_server_tiles, "interventi")
    hint = page.locator("[data-list-hint]")
    assert "Avvicinati" in hint.inner_text()
    assert page.evaluate("geoportaleEditor.map.map.hasLayer(geoportaleEditor.map.tiles)")
    assert page.locator("[data-feature-list] button").count() == 0
    view(page, 10.022, 45.135, 16)
    chromium.wait_for_js(page, "!!document.querySelector(\"[data-feature-id='e1']\")")
    assert not page.evaluate("geoportaleEditor.map.map.hasLayer(geoportaleEditor.map.tiles)")
    # A feature loaded by bbox is edited as any other.
    page.get_by_role("button", name="Restauro della torre di prova").click()
    page.get_by_label("Descrizione").fill("Dal livello grande")
    page.get_by_role("button", name="Salva", exact=True).click()
    chromium.wait_for_js(page, "document.activeElement.id === 'editor-status'")
    assert (
        pending(editing_server_tiles["store"], "interventi")["e1"].after["properties"][
            "descrizione"
        ]
        == "Dal livello grande"
    )


def test_draw_a_street_stretch(editing_server, page):
    open_editor(page, editing_server, "interventi")
    page.get_by_role("tab", name="Da georeferenziare").click()
    page.get_by_role("button", name="Pista ciclabile di prova").click()
    opened(page, "Pista ciclabile di prova")  # it opens on its quartiere: move the map after
    # the official street its text names is offered as the street it is placed on
    assert page.get_by_label("Via (stradario ufficiale)").input_value() == "Viale Trento e Trieste"
    view(page, 10.05, 45.145, 15)
    page.get_by_role("button", name="Disegna il tratto di via").click()
    stretch = [(10.044, 45.143), (10.049, 45.1435), (10.054, 45.146)]
    for lon, lat in stretch:
        click_map(page, lon, lat)
        page.wait_for_timeout(100)
    page.wait_for_timeout(600)  # two quick clicks would be a double click
    click_map(page, *stretch[-1])  # the last point again ends the line
    chromium.wait_for_js(page, "geoportaleEditor.map.hasGeometry()")
    assert page.get_by_label("Precisione", exact=True).input_value() == "via"
    page.get_by_label("Fonte della posizione").fill("Progetto esecutivo, tav. 2")
    page.get_by_role("button", name="Salva", exact=True).click()
    chromium.wait_for_js(page, "document.activeElement.id === 'editor-status'")
    edit = pending(editing_server["store"], "interventi")["e8"]
    assert edit.after["geometry"]["type"] == "LineString"
    assert len(edit.after["geometry"]["coordinates"]) == 3
    assert edit.placement["metodo"] == "tratto" and edit.placement["precisione"] == "via"
    assert edit.placement["via"] == "Viale Trento e Trieste"
    assert edit.placement["codice_via"] == "255007"


def test_a_refused_value_is_shown_next_to_its_field(editing_server, page):
    open_editor(page, editing_server, "interventi")
    page.get_by_label("Cerca un elemento").fill("parco")
    page.get_by_role("button", name="Parco di prova").click()
    descrizione = page.get_by_label("Descrizione")
    descrizione.fill("x" * 20_001)  # longer than an edited field may hold
    page.get_by_role("button", name="Salva", exact=True).click()
    error = page.locator("#error-descrizione")
    error.wait_for(state="visible")
    assert "20000" in error.inner_text()
    assert descrizione.get_attribute("aria-invalid") == "true"
    chromium.wait_for_js(page, "document.activeElement.id === 'field-descrizione'")
    assert pending(editing_server["store"], "interventi") == {}


def test_delete_asks_and_waits_in_the_draft(editing_server, page):
    open_editor(page, editing_server, "interventi")
    page.get_by_label("Cerca un elemento").fill("parco")
    page.get_by_role("button", name="Parco di prova").click()
    page.once("dialog", lambda d: (page.dialogs.append(d.message), d.accept()))
    page.get_by_role("button", name="Elimina").click()
    chromium.wait_for_js(page, "document.activeElement.id === 'editor-status'")
    assert "Parco di prova" in page.dialogs[0]
    assert "Eliminato nella bozza" in page.locator("#editor-status").inner_text()
    edit = pending(editing_server["store"], "interventi")["e2"]
    assert edit.op == "delete" and edit.after is None


def test_by_keyboard_alone_in_english(editing_server, page):
    open_editor(page, editing_server, "interventi")
    page.goto(editing_server["url"] + "/admin/edit/interventi?lang=en")
    chromium.wait_for_js(page, READY)
    queue_tab = page.get_by_role("tab", name="Features")
    queue_tab.focus()
    page.keyboard.press("ArrowRight")  # the tabs move with the arrows
    assert page.evaluate("document.activeElement.id") == "tab-queue"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the first of the queue: Ponte nuovo di prova
    opened(page, "Ponte nuovo di prova")
    before = page.evaluate("geoportaleEditor.map.map.getCenter()")
    page.locator("#editor-map").focus()
    for _ in range(3):
        page.keyboard.press("ArrowLeft")  # Leaflet pans the focused map
    page.wait_for_timeout(400)
    centre = page.evaluate("geoportaleEditor.map.map.getCenter()")
    assert centre["lng"] < before["lng"]
    point = page.get_by_role("button", name="Point at the map's centre")
    point.focus()
    page.keyboard.press("Enter")
    page.get_by_label("Location source").first.focus()
    page.keyboard.type("Site visit")
    page.get_by_role("button", name="Save", exact=True).focus()
    page.keyboard.press("Enter")
    chromium.wait_for_js(page, "document.activeElement.id === 'editor-status'")
    assert "Saved in the draft" in page.locator("#editor-status").inner_text()
    edit = pending(editing_server["store"], "interventi")["e3"]
    lon, lat = edit.after["geometry"]["coordinates"]
    assert abs(lon - centre["lng"]) < 1e-6 and abs(lat - centre["lat"]) < 1e-6
