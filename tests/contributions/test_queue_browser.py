"""The moderators' queue in Chromium (Debian's, through Playwright; tests/chromium.py): a
moderator filters the queue, chooses every row of the page with the keyboard and approves
them in one go, under the strict admin CSP; axe-core over the queue and a contribution's
page (WCAG 2.1 AA, serious and critical). Screenshots go to tests/.artifacts/."""

from __future__ import annotations

import shutil

import pytest

from app.admin.accounts import AccountStore
from tests.conftest import close_app
from tests.contributions.test_outputs_browser import _axe
from tests.quartieri.fixtures import (  # noqa: F401 (the session fixture)
    CITIZEN,
    FONTI,
    citizen_store,
    make_app,
)
from tests.quartieri.test_browser import axe_path, new_page

MODERATOR = ("moderatrice", "una-password-lunga-9")
TEXTS = (
    "Il lampione di via Dante è spento da una settimana.",
    "Una buca profonda davanti alla scuola del quartiere.",
    "Proposta: più rastrelliere per le biciclette in piazza.",
)


def _seed(store_file, tmp_path) -> list[str]:
    """Three contributions in moderation on quartiere 16, from three addresses."""
    app = make_app(store_file, CITIZEN / "layers", CITIZEN, ACCOUNTS=str(tmp_path / "acc.sqlite"))
    try:
        client = app.test_client()
        ids = []
        for n, text in enumerate(TEXTS):
            sent = client.post(
                "/api/contributions",
                json={
                    "target": {"quartiere": 16},
                    "kind": "proposta",
                    "text": text,
                    "consent": True,
                },
                environ_base={"REMOTE_ADDR": f"192.0.2.{n + 1}"},
            )
            assert sent.status_code == 202, sent.get_json()
            ids.append(sent.get_json()["id"])
        return ids
    finally:
        close_app(app)


@pytest.fixture
def queue_server(tmp_path, citizen_store, request):  # noqa: F811 (the imported fixture)
    store = tmp_path / "queue-live.gpkg"
    shutil.copy(citizen_store, store)
    ids = _seed(store, tmp_path)
    accounts = tmp_path / "accounts.sqlite"
    AccountStore(accounts).create(*MODERATOR, "moderator")
    (tmp_path / "env").write_text(
        f"GEOPORTALE_STORE={store}\nGEOPORTALE_LAYERS_DIR={CITIZEN / 'layers'}\n"
        f"GEOPORTALE_DATA_ROOT={CITIZEN}\nGEOPORTALE_FONTI_CATALOGUE={FONTI / 'catalogo.yaml'}\n"
        f"GEOPORTALE_ACCOUNTS={accounts}\nGEOPORTALE_INSECURE_COOKIES=true\n"
        f"GEOPORTALE_SECRET_KEY={'q' * 48}\n"
    )
    return request.getfixturevalue("live_server"), ids


def _logged_in(page, server: str) -> None:
    page.goto(server + "/admin/login")
    page.get_by_label("Nome utente").fill(MODERATOR[0])
    page.get_by_label("Password").fill(MODERATOR[1])
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(server + "/admin/contributions/")


def test_a_page_of_the_queue_chosen_and_approved_with_the_keyboard(browser, queue_server):
    server, ids = queue_server
    # Under the admin's strict CSP (no bypass): the "choose all" script runs by its nonce.
    context = browser.new_context(locale="it-IT", viewport={"width": 1280, "height": 860})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        _logged_in(page, server)
        assert page.get_by_role("link", name="in moderazione (3)").count() == 1
        # A filter: the text search narrows the page to one row.
        page.get_by_label("Cerca nel testo").fill("BUCA")
        page.get_by_label("Cerca nel testo").press("Enter")
        page.wait_for_url("**q=BUCA**")
        assert page.locator("tr[data-contribution]").count() == 1
        page.get_by_role("link", name="Togli i filtri").click()
        page.wait_for_load_state("load")
        assert page.locator("tr[data-contribution]").count() == 3

        # Choose all on the page with the keyboard, leave one out, approve the others.
        everything = page.get_by_label("Scegli tutti in questa pagina")
        everything.focus()
        page.keyboard.press("Space")
        boxes = page.locator("input[name=ids]")
        assert [boxes.nth(i).is_checked() for i in range(3)] == [True, True, True]
        page.get_by_label(f"Scegli {ids[1]}").focus()
        page.keyboard.press("Space")
        assert not everything.is_checked()
        assert page.evaluate("document.getElementById('scegli-tutti').indeterminate")
        page.get_by_label("Azione", exact=True).select_option("approve")
        page.get_by_role("button", name="Applica ai contributi scelti").focus()
        page.keyboard.press("Enter")
        page.wait_for_load_state("load")
        assert "Approvati: 2." in page.get_by_role("status").inner_text()
        assert page.get_by_role("link", name="in moderazione (1)").count() == 1
        assert page.get_by_role("link", name="approvato (2)").count() == 1
        assert page.locator("tr[data-contribution]").all_inner_texts()[0].find("buca") >= 0
        assert errors == []
    finally:
        context.close()


def test_axe_on_the_queue_and_a_contribution(browser, queue_server):
    if axe_path() is None:
        pytest.skip(
            "axe-core is not installed (npm install --prefix ~/.cache/geoportale/node axe-core)"
        )
    server, ids = queue_server
    page = new_page(browser)
    try:
        _logged_in(page, server)
        assert _axe(page, "coda-moderazione") == []
        page.goto(f"{server}/admin/contributions/{ids[0]}?status=in_moderazione")
        assert page.locator("[data-next]").count() == 1
        assert _axe(page, "contributo-moderazione") == []
        assert page.errors == []
    finally:
        page.context.close()
