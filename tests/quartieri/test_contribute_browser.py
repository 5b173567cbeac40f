"""Issue 20 in a real browser: a citizen on a phone-sized window writes to the council from
an intervention page with the keyboard only; nothing is public until a moderator approves
it; the private follow link shows its state. axe-core over the page with the form runs in
tests/quartieri/test_browser.py (PAGES["intervento"])."""

from __future__ import annotations

import re

import pytest

from tests import chromium
from tests.quartieri.test_browser import PHONE, new_page


@pytest.fixture
def phone(browser):
    page = new_page(browser, viewport=PHONE)
    yield page
    page.context.close()


def test_a_comment_from_a_phone_with_the_keyboard_only(phone, citizen_server):
    page = phone
    page.goto(citizen_server + "/interventi/int-1")
    page.wait_for_selector("html[data-citizen=ready]")
    text = page.locator("#contributo-testo")
    text.focus()  # as a screen reader's "jump to form field" would
    page.keyboard.type("Il cantiere del teatro lascia il marciapiede chiuso da settimane.")
    # Tab through position, name and e-mail to the consent box; Space ticks it.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "consent":
            break
    assert page.evaluate("document.activeElement.name") == "consent"
    page.keyboard.press("Space")
    assert page.locator("input[name=consent]").is_checked()
    page.wait_for_timeout(3100)  # the form's minimum fill time (CONTRIBUTION_MIN_FILL_SECONDS)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Invia al Comune"
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    body = page.locator("body").inner_text()
    assert "moderazione" in body.lower(), body[:500]
    follow = page.locator("a[href*='/partecipa/segui/']").first.get_attribute("href")
    assert follow and re.search(r"/partecipa/segui/[\w-]{16,}", follow)
    assert page.errors == []
    # Not public before a moderator approves it.
    page.goto(citizen_server + "/interventi/int-1")
    assert (
        "marciapiede chiuso"
        not in page.locator(".contribution-list, .contributions").first.inner_text()
    )
    api = page.request.get(citizen_server + "/api/contributions?layer=interventi&id=int-1").json()
    assert all(
        "marciapiede" not in c["text"] for c in api.get("contributions", api.get("items", []))
    )
    # The private link shows it waiting for moderation.
    page.goto(follow if follow.startswith("http") else citizen_server + follow)
    assert "moderazione" in page.locator("body").inner_text().lower()
    chromium.wait_for_js(page, "document.readyState === 'complete'")


def test_a_segnalazione_with_a_photo(phone, citizen_server, tmp_path):
    """The photo field is a segnalazione's only: hidden (and emptied) for the other kinds;
    the photo sent comes back re-encoded on the private follow page."""
    import io

    from PIL import Image

    picture = tmp_path / "buca.jpg"
    image = Image.new("RGB", (900, 600), (200, 40, 40))
    out = io.BytesIO()
    image.save(out, "JPEG")
    picture.write_bytes(out.getvalue())
    page = phone
    page.goto(citizen_server + "/interventi/int-1")
    page.wait_for_selector("html[data-citizen=ready]")
    field = page.locator("[data-photo-field]")
    assert not field.is_visible()  # the first kind, commento, takes no photo
    page.locator("input[name=kind][value=segnalazione]").check()
    assert field.is_visible()
    page.set_input_files("#contributo-foto", str(picture))
    page.locator("input[name=kind][value=proposta]").check()
    assert not field.is_visible()
    assert page.evaluate("document.getElementById('contributo-foto').files.length") == 0
    page.locator("input[name=kind][value=segnalazione]").check()
    page.set_input_files("#contributo-foto", str(picture))
    page.fill("#contributo-testo", "Una buca profonda davanti all'ingresso del cantiere.")
    page.fill("#contributo-lat", "45.1335")
    page.fill("#contributo-lon", "10.0227")
    page.locator("input[name=consent]").check()
    page.wait_for_timeout(3100)  # the form's minimum fill time (CONTRIBUTION_MIN_FILL_SECONDS)
    page.locator("form.contribute button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "moderazione" in page.locator("body").inner_text().lower()
    follow = page.locator("a[href*='/partecipa/segui/']").first.get_attribute("href")
    page.goto(follow if follow.startswith("http") else citizen_server + follow)
    shown = page.locator(".contribution-photo img")
    chromium.wait_for_js(page, "document.querySelector('.contribution-photo img').complete")
    assert shown.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [900, 600]
    assert page.errors == []
