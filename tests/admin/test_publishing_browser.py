"""The SIT office's whole path in a real browser: upload, report, preview, publish, roll back.

Debian's Chromium under Playwright, on a live server with no basemap; screenshots go to
tests/.artifacts/ (docs/screenshots' come from here).
"""

from __future__ import annotations

import re
from pathlib import Path

import pyogrio
import pytest

from app.admin.accounts import AccountStore
from tests import chromium
from tests.publishing.conftest import zip_dir, zone_gdf

PW = "una-password-lunga-1"
ARTIFACTS = Path(__file__).resolve().parents[1] / ".artifacts"


@pytest.fixture
def office_server(tmp_path):
    """Settings for `live_server`: one editor, plain-http cookies, maps in tmp."""
    accounts = tmp_path / "accounts.sqlite"
    AccountStore(accounts).create("mario", PW, "editor")
    (tmp_path / "env").write_text(
        f"GEOPORTALE_ACCOUNTS={accounts}\n"
        "GEOPORTALE_INSECURE_COOKIES=true\n"
        f"GEOPORTALE_SECRET_KEY={'s' * 48}\n"
        f"GEOPORTALE_MAPS_DIR={tmp_path / 'maps'}\n"
    )


@pytest.fixture
def page():
    sync_api = chromium.sync_api()
    with sync_api.sync_playwright() as p:
        browser = chromium.launch(p)
        pg = browser.new_page(viewport={"width": 1200, "height": 860}, locale="it-IT")
        pg.messages = []
        pg.on("console", lambda m: pg.messages.append(m.text))
        pg.on("pageerror", lambda e: pg.messages.append(str(e)))
        yield pg
        browser.close()


def zipped(tmp_path: Path, gdf, name: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    pyogrio.write_dataframe(gdf, folder / f"{name}.shp")
    return zip_dir(folder, tmp_path / f"{name}.zip")


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"publishing-{name}.png"), full_page=True)


def items(page, base: str, layer_id: str) -> list[str]:
    r = page.request.get(f"{base}/api/collections/{layer_id}/items?f=json&limit=100")
    return [f["properties"]["nome"] for f in r.json()["features"]] if r.ok else []


def test_upload_preview_publish_and_roll_back_by_clicking(
    office_server, live_server, page, tmp_path
):
    base = live_server
    page.goto(base + "/admin/import")
    page.get_by_label("Nome utente").fill("mario")
    page.get_by_label("Password").fill(PW)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(base + "/admin/import")

    # 1. A new layer from a zipped shapefile in Gauss-Boaga, staged as a draft.
    page.set_input_files("#file", str(zipped(tmp_path, zone_gdf("EPSG:3003"), "zone_sit")))
    page.get_by_label("Id del layer").fill("zone_sit")
    page.get_by_label("Titolo").fill("Zone del SIT")
    page.get_by_label("Licenza").fill("CC-BY-4.0")
    page.get_by_role("button", name="Importa e verifica").click()
    page.wait_for_url(re.compile(r".*/admin/layers/zone_sit/versions/1/report$"))
    assert page.locator("#count-features").inner_text() == "3"
    assert "EPSG:3003" in page.locator(".facts").inner_text()
    assert page.locator("[data-level=error] li").count() == 0
    shot(page, "1-report")
    assert items(page, base, "zone_sit") == []  # a draft is not public

    # 2. Preview the draft on the map, with its style and popups.
    page.get_by_role("link", name="Anteprima").click()
    page.wait_for_selector("input[name='layer'][value='zone_sit']:not([disabled])")
    assert page.locator(".leaflet-interactive").count() == 3
    page.locator(".leaflet-interactive").nth(1).click(force=True)
    page.wait_for_selector(".leaflet-popup-content .popup")
    page.wait_for_timeout(400)  # the popup's pan animation, for the screenshot
    assert "Zone del SIT" in page.locator(".leaflet-popup-content").inner_text()
    shot(page, "2-preview")

    # 3. Publish it: the public API serves it.
    page.get_by_role("button", name="Pubblica la versione 1").click()
    page.wait_for_url(re.compile(r".*/admin/layers/zone_sit/versions$"))
    assert page.locator("#served-version").inner_text() == "1"
    assert items(page, base, "zone_sit") == ["Zona nord", "Zona sud", "Città est"]
    shot(page, "3-versions")

    # 4. Replace the shipped 'zone' layer, published at once, then roll it back.
    before = items(page, base, "zone")
    page.goto(base + "/admin/import?layer=zone")
    assert page.get_by_label("Id del layer").input_value() == "zone"
    page.set_input_files("#file", str(zipped(tmp_path, zone_gdf("EPSG:3003").iloc[:1], "z1")))
    page.get_by_label("Pubblica subito").check()
    page.get_by_role("button", name="Importa e verifica").click()
    page.wait_for_url(re.compile(r".*/admin/layers/zone/versions/\d+/report$"))
    assert "pubblicata" in page.locator(".admin-messages").inner_text()
    assert items(page, base, "zone") == ["Zona nord"]
    page.get_by_role("link", name="Tutte le versioni").click()
    page.get_by_role("button", name="Ripristina la versione precedente").click()
    page.wait_for_url(re.compile(r".*/admin/layers/zone/versions$"))
    assert "ripristinata" in page.locator(".admin-messages").inner_text()
    assert items(page, base, "zone") == before
    shot(page, "4-rolled-back")

    # 5. A refused file: the form again, with the reason.
    page.goto(base + "/admin/import")
    bad = tmp_path / "rotto.zip"
    bad.write_bytes(b"PK\x03\x04 not a zip")
    page.set_input_files("#file", str(bad))
    page.get_by_label("Id del layer").fill("zone")
    page.get_by_role("button", name="Importa e verifica").click()
    assert "not a readable zip" in page.get_by_role("alert").inner_text()
    assert items(page, base, "zone") == before
    shot(page, "5-refused")
    assert not [m for m in page.messages if "Content Security Policy" in m], page.messages
