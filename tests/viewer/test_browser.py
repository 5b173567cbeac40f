"""The map in a real browser (Debian's Chromium driven by Playwright), fully offline."""

from pathlib import Path

import pytest

from tests.chromium import wait_for_js

ARTIFACTS = Path(__file__).resolve().parents[1] / ".artifacts"


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="it-IT")
    pg = context.new_page()
    pg.requests = []
    pg.errors = []
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    context.close()


def test_map_shows_layers_offline(page, live_server):
    page.goto(live_server + "/")
    page.wait_for_selector("html[data-geoportale=ready]")
    wait_for_js(page, "document.querySelectorAll('input[name=layer]:disabled').length === 0")
    # 5 located points as circle markers and 3 squares as paths, all in the overlay pane.
    assert page.locator(".leaflet-map-pane path.leaflet-interactive").count() == 8
    assert page.locator("[data-layer-status=punti]").inner_text() == "1 senza posizione sulla mappa"
    assert page.errors == []
    assert all(u.startswith(live_server) for u in page.requests), page.requests
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "viewer.png"))


def test_toggle_layer_and_popup(page, live_server):
    page.goto(live_server + "/")
    wait_for_js(page, "document.querySelectorAll('input[name=layer]:disabled').length === 0")
    page.get_by_label("Zone di prova").uncheck()
    assert page.locator(".leaflet-map-pane path.leaflet-interactive").count() == 5
    page.get_by_label("Zone di prova").check()
    assert page.locator(".leaflet-map-pane path.leaflet-interactive").count() == 8
    page.get_by_label("Zone di prova").uncheck()
    page.wait_for_timeout(300)  # let the map settle (zoom animation) before clicking
    popup = page.locator(".leaflet-popup-content")
    for _ in range(3):
        page.locator(".leaflet-map-pane path.leaflet-interactive").first.click(force=True)
        try:
            popup.wait_for(timeout=3000)
            break
        except Exception:  # noqa: BLE001 (a click during an animation can miss)
            continue
    assert "Punti di prova" in popup.inner_text()
    assert "Posti" in popup.inner_text() or "Fonte" in popup.inner_text()
    assert popup.get_by_role("link", name="Scheda completa").count() == 1


def test_layer_panel_by_keyboard(page, live_server):
    page.goto(live_server + "/")
    wait_for_js(page, "document.querySelectorAll('input[name=layer]:disabled').length === 0")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    box = page.get_by_label("Punti di prova")
    box.focus()
    page.keyboard.press("Space")
    assert not box.is_checked()
    assert page.locator(".leaflet-map-pane path.leaflet-interactive").count() == 3
