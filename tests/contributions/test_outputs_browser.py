"""Issue 20 in Chromium (Debian's, through Playwright; tests/chromium.py): a consultation on
a draft quartieri layer drawn on its Leaflet map, commented with the keyboard only in a
phone-sized window and kept in moderation; axe-core over the consultation page with its
map and over the `contributi` collection's HTML pages (items, one item). Screenshots go to
tests/.artifacts/."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from tests import chromium
from tests.conftest import close_app
from tests.contributions.test_consultations import stage_draft
from tests.quartieri.fixtures import (  # noqa: F401 (the session fixture)
    CITIZEN,
    FONTI,
    citizen_store,
    make_app,
)
from tests.quartieri.test_browser import ARTIFACTS, PHONE, axe_path, new_page

ENDS = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)
TEXT = "Con il nuovo confine la scuola resta fuori dal quartiere Ovest."


def _seed(store_file, tmp_path) -> dict:
    """A consultation on a staged quartieri draft, and one approved, answered segnalazione."""
    from app.consultations import service as consultations
    from app.contributions import service as contributions
    from app.services import services

    app = make_app(store_file, CITIZEN / "layers", CITIZEN, ACCOUNTS=str(tmp_path / "acc.sqlite"))
    try:
        with app.app_context():
            svc = services()
            version = stage_draft(svc.store)
            consultations.create(
                svc,
                "test",
                {
                    "id": "confini",
                    "title_it": "Nuovi confini dei quartieri",
                    "title_en": "New neighbourhood boundaries",
                    "description_it": "Due quartieri al posto del Centro: che ne pensate?",
                    "layer": "quartieri",
                    "version": version,
                    "ends": ENDS.isoformat(),
                },
            )
        sent = app.test_client().post(
            "/api/contributions",
            json={
                "target": {"quartiere": 16},
                "kind": "segnalazione",
                "text": "Marciapiede dissestato <b>davanti</b> alla scuola",
                "location": [10.024, 45.134],
                "consent": True,
            },
        )
        assert sent.status_code == 202, sent.get_json()
        cid = sent.get_json()["id"]
        with app.app_context():
            contributions.approve(services(), cid, "test")
            contributions.answer(services(), cid, "test", "Segnalata all'ufficio strade.")
        return {"contribution": cid}
    finally:
        close_app(app)


@pytest.fixture
def seeded_server(tmp_path, citizen_store, request):  # noqa: F811 (the imported fixture)
    store = tmp_path / "outputs-live.gpkg"
    shutil.copy(citizen_store, store)
    seeded = _seed(store, tmp_path)
    (tmp_path / "env").write_text(
        f"GEOPORTALE_STORE={store}\nGEOPORTALE_LAYERS_DIR={CITIZEN / 'layers'}\n"
        f"GEOPORTALE_DATA_ROOT={CITIZEN}\nGEOPORTALE_FONTI_CATALOGUE={FONTI / 'catalogo.yaml'}\n"
    )
    url = request.getfixturevalue("live_server")
    return url, store, seeded


def _in_moderation(store_file, tmp_path) -> list:
    from app.services import services
    from app.stores.consultations import TARGET_LAYER

    app = make_app(store_file, CITIZEN / "layers", CITIZEN, ACCOUNTS=str(tmp_path / "acc.sqlite"))
    try:
        with app.app_context():
            page = services().store.contributions(
                status="in_moderazione", target_layer=TARGET_LAYER, target_id="confini"
            )
            return page.items
    finally:
        close_app(app)


def test_a_consultation_on_a_map_commented_from_a_phone_with_the_keyboard(
    browser, seeded_server, tmp_path
):
    url, store, _ = seeded_server
    page = new_page(browser, viewport=PHONE)
    try:
        page.goto(url + "/consultazioni/confini")
        page.wait_for_selector("html[data-citizen=ready]")
        # The draft's two polygons on the Leaflet map, with their legend and the map's name.
        chromium.wait_for_js(
            page,
            "document.querySelectorAll('#mappa-consultazione path.leaflet-interactive').length",
        )
        paths = page.locator("#mappa-consultazione path.leaflet-interactive")
        assert paths.count() == 2
        region = page.locator("#mappa-consultazione")
        assert region.get_attribute("aria-label") == "Mappa della bozza in consultazione"
        legend = page.locator(".map-legend").inner_text()
        assert "Aree proposte nella bozza" in legend and "(2)" in legend
        items = page.locator("#bozza-elementi + ul").inner_text()
        assert "Quartiere Ovest (proposta)" in items and "Quartiere Est (proposta)" in items
        # The window's end: the last day, included.
        window = page.locator(".consultation-window").inner_text()
        assert f"al {ENDS.isoformat()} compreso" in window and "aperta" in window
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "consultation-phone.png"), full_page=True)

        # A comment with the keyboard only.
        page.locator("#contributo-testo").focus()
        page.keyboard.type(TEXT)
        for _ in range(30):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.name") == "consent":
                break
        assert page.evaluate("document.activeElement.name") == "consent"
        page.keyboard.press("Space")
        assert page.locator("input[name=consent]").is_checked()
        page.wait_for_timeout(3100)  # the form's minimum fill time
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent").strip() == "Invia il commento"
        page.keyboard.press("Enter")
        page.wait_for_load_state("load")
        assert "moderazione" in page.locator("body").inner_text().lower()
        assert page.errors == []
        assert all(u.startswith(url) for u in page.requests), page.requests

        # Stored, in moderation, not public.
        stored = _in_moderation(store, tmp_path)
        assert [c.text for c in stored] == [TEXT]
        page.goto(url + "/consultazioni/confini")
        assert "la scuola resta fuori" not in page.locator(".contributions").inner_text()
        api = page.request.get(url + "/api/contributions?layer=consultazione&id=confini").json()
        assert api["numberMatched"] == 0
    finally:
        page.context.close()


def _axe(page, name: str) -> list:
    page.add_script_tag(path=str(axe_path()))
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"axe-{name}.png"), full_page=True)
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_axe_on_the_consultation_and_the_collection_pages(browser, seeded_server):
    if axe_path() is None:
        pytest.skip(
            "axe-core is not installed (npm install --prefix ~/.cache/geoportale/node axe-core)"
        )
    url, _, seeded = seeded_server
    page = new_page(browser)
    try:
        pages = {
            "consultazione": "/consultazioni/confini",
            "contributi-items": "/api/collections/contributi/items?f=html",
            "contributi-item": f"/api/collections/contributi/items/{seeded['contribution']}",
        }
        for name, path in pages.items():
            page.goto(url + path)  # the item by the browser's Accept, not f=html
            if name == "consultazione":
                page.wait_for_selector("#mappa-consultazione path.leaflet-interactive")
            else:
                page.wait_for_selector("#api-map .leaflet-interactive")
            assert _axe(page, name) == [], name
        text = page.locator("main").inner_text()
        assert "Marciapiede dissestato <b>davanti</b> alla scuola" in text  # escaped, shown
        assert "Segnalata all'ufficio strade." in text
        assert page.errors == []
    finally:
        page.context.close()
