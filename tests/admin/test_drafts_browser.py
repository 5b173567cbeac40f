"""The draft review in a real browser: the list and the before/after map, a click on a row
zooms, Publish makes the change public. Debian's Chromium under Playwright, no basemap;
screenshots go to tests/.artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.admin.accounts import AccountStore
from app.registry import load_registry
from app.stores.edits import FeatureEdit
from app.stores.gpkg import GpkgStore
from tests import chromium
from tests.admin.test_drafts import MOVED, POINT
from tests.conftest import DATA

PW = "una-password-lunga-1"
ARTIFACTS = Path(__file__).resolve().parents[1] / ".artifacts"


@pytest.fixture
def edited_server(store_location, tmp_path, request):
    """A live server on a store whose `punti` has four pending edits, and one editor."""
    accounts = tmp_path / "accounts.sqlite"
    AccountStore(accounts).create("mario", PW, "editor")
    (tmp_path / "env").write_text(
        f"GEOPORTALE_ACCOUNTS={accounts}\n"
        "GEOPORTALE_INSECURE_COOKIES=true\n"
        f"GEOPORTALE_SECRET_KEY={'s' * 48}\n"
    )
    store = GpkgStore(Path(store_location))
    spec = load_registry(DATA / "layers", DATA).get("punti")
    placement = {"precisione": "via", "fonte_posizione": "Tavola 3 del PGT", "via": "Via Dante"}
    for change in (
        FeatureEdit(
            "update", "p6", geometry=POINT, properties={"nome": "Sei"}, placement=placement
        ),
        FeatureEdit(
            "create",
            geometry={"type": "Point", "coordinates": [10.035, 45.128]},
            properties={"id": "p7", "nome": "Sette"},
        ),
        FeatureEdit("delete", "p4"),
        FeatureEdit("update", "p2", geometry=MOVED),
    ):
        store.edit(spec, change, user="mario", if_match=None if change.op == "create" else "*")
    store.close()
    return request.getfixturevalue("live_server")


@pytest.fixture
def page():
    sync_api = chromium.sync_api()
    with sync_api.sync_playwright() as p:
        browser = chromium.launch(p)
        pg = browser.new_page(viewport={"width": 1280, "height": 900}, locale="it-IT")
        pg.messages = []
        pg.on("pageerror", lambda e: pg.messages.append(str(e)))
        yield pg
        browser.close()


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"drafts-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_review_the_draft_on_the_map_and_publish_it(edited_server, page):
    base = edited_server
    page.goto(base + "/admin/layers/punti/draft")
    page.get_by_label("Nome utente").fill("mario")
    page.get_by_label("Password").fill(PW)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(base + "/admin/layers/punti/draft")
    rows = page.locator("#draft-rows tbody tr")
    assert rows.count() == 4
    assert page.locator('tr[data-fid="p4"]').get_attribute("data-kind") == "removed"
    assert "Tavola 3 del PGT" in page.locator('tr[data-fid="p6"]').inner_text()
    page.wait_for_selector("#draft-map[data-drawn='4']")
    paths = page.locator("#draft-map path.leaflet-interactive")
    assert paths.count() == 5  # p6 after, p7 after, p4 before, p2 before and after
    dashed = page.locator("#draft-map path.leaflet-interactive[stroke-dasharray]")
    assert dashed.count() == 2 and dashed.first.get_attribute("stroke") == "#6b6b6b"
    shot(page, "review")
    page.locator('tr[data-fid="p2"] td').first.click()  # a click on the row zooms to it
    page.wait_for_selector("#draft-map[data-zoomed='p2']")
    assert "selected" in page.locator('tr[data-fid="p2"]').get_attribute("class")
    shot(page, "zoomed")

    page.locator("#publish-draft").click()
    page.wait_for_selector("#published")
    assert page.locator("#draft-empty").is_visible()
    shot(page, "published")
    r = page.request.get(f"{base}/api/collections/punti/items/p6?f=json")
    assert r.json()["geometry"]["coordinates"] == [10.03, 45.14]
    assert page.request.get(f"{base}/api/collections/punti/items/p4?f=json").status == 404
    page.goto(base + "/api/collections/punti/items/p6?f=html")
    page.wait_for_selector("#api-map path.leaflet-interactive")
    assert "Tavola 3 del PGT" in page.locator("#storia").inner_text()
    assert "mario" not in page.locator("#storia").inner_text()
    shot(page, "public-feature")
    assert page.messages == []
