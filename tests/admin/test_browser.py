"""The admin login in a real browser (Debian's Chromium), under the strict admin CSP."""

from __future__ import annotations

import pytest

from app.admin.accounts import AccountStore
from tests import chromium

PW = "una-password-lunga-1"


@pytest.fixture
def admin_server(tmp_path):
    """Settings for `live_server`: a user database with one editor, plain-http cookies."""
    accounts = tmp_path / "accounts.sqlite"
    AccountStore(accounts).create("mario", PW, "editor")
    (tmp_path / "env").write_text(
        f"GEOPORTALE_ACCOUNTS={accounts}\n"
        "GEOPORTALE_INSECURE_COOKIES=true\n"
        f"GEOPORTALE_SECRET_KEY={'s' * 48}\n"
    )


@pytest.fixture
def page():
    sync_api = chromium.sync_api()
    with sync_api.sync_playwright() as p:
        browser = chromium.launch(p)
        pg = browser.new_page(locale="it-IT")  # the Italian UI (Accept-Language)
        pg.messages = []
        pg.on("console", lambda m: pg.messages.append(m.text))
        pg.on("pageerror", lambda e: pg.messages.append(str(e)))
        yield pg
        browser.close()


def test_login_and_logout_in_a_browser(admin_server, live_server, page):
    page.goto(live_server + "/admin/")
    assert page.url.startswith(live_server + "/admin/login")
    page.get_by_label("Nome utente").fill("mario")
    page.get_by_label("Password").fill("sbagliata-sbagliata")
    page.get_by_role("button", name="Accedi").click()
    assert page.get_by_role("alert").inner_text().startswith("Nome utente o password non validi")
    page.get_by_label("Password").fill(PW)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(live_server + "/admin/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Layer pubblicati")
    assert page.locator("tr[data-layer]").count() >= 1
    page.get_by_role("button", name="Esci").click()
    page.wait_for_url(live_server + "/admin/login")
    assert "Sei uscito" in page.get_by_role("status").inner_text()
    assert not [m for m in page.messages if "Content Security Policy" in m], page.messages
