"""Issue 20's "done when", in a real browser, as a citizen and as the council would try it.

A citizen on a phone-sized window comments on an intervention, reports a problem at a point
picked on the quartiere's map and proposes an idea for quartiere 16; none of it is public; a
moderator (in the admin, on a desktop window) approves two, rejects one with a reason and
answers one; the approved ones are then on the pages, in the map layer's collection, in the
quartiere's feed and in the API, and each private link shows the state and the answer.
The rules behind each step (both stores, bots, bursts, forget) are tested in
test_contributions.py and test_public_outputs.py; this is the whole story end to end.
"""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET

import pytest

from app.admin.accounts import AccountStore
from tests import chromium
from tests.quartieri.fixtures import CITIZEN, FONTI
from tests.quartieri.test_browser import PHONE, new_page

MODERATOR = ("moderatrice", "una-password-lunga-7")
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def story_server(tmp_path, citizen_store, request):
    """The citizen app on a real socket, with a moderator's account."""
    store = tmp_path / "story.gpkg"
    shutil.copy(citizen_store, store)
    accounts = tmp_path / "accounts.sqlite"
    AccountStore(accounts).create(*MODERATOR, "moderator")
    (tmp_path / "env").write_text(
        f"GEOPORTALE_STORE={store}\nGEOPORTALE_LAYERS_DIR={CITIZEN / 'layers'}\n"
        f"GEOPORTALE_DATA_ROOT={CITIZEN}\nGEOPORTALE_FONTI_CATALOGUE={FONTI / 'catalogo.yaml'}\n"
        f"GEOPORTALE_ACCOUNTS={accounts}\nGEOPORTALE_INSECURE_COOKIES=true\n"
        f"GEOPORTALE_SECRET_KEY={'k' * 48}\nGEOPORTALE_CONTRIBUTION_MIN_FILL_SECONDS=0\n"
    )
    return request.getfixturevalue("live_server")


def _send(page, kind: str, text: str) -> str:
    """Fill the page's form as a citizen (kind, text, consent), send it; the follow link."""
    form = page.locator("form[data-contribute]")
    form.locator(f"input[name=kind][value={kind}]").check()
    form.locator("#contributo-testo").fill(text)
    form.locator("input[name=consent]").check()
    form.get_by_role("button", name="Invia al Comune").click()
    page.wait_for_load_state("load")
    assert "moderazione" in page.locator("body").inner_text().lower()
    href = page.locator("a[href*='/partecipa/segui/']").first.get_attribute("href")
    assert href and re.search(r"/partecipa/segui/[\w-]{16,}", href), href
    return href


def _quartiere_page(page, server: str, numero: int) -> str:
    page.goto(server + "/quartieri")
    href = page.locator(f"a[href^='/quartieri/{numero}']").first.get_attribute("href")
    return server + href.split("?")[0]


def test_comment_report_and_proposal_moderated_and_answered(story_server, browser):
    server = story_server
    phone = new_page(browser, viewport=PHONE)

    # 1. A comment on an intervention.
    phone.goto(server + "/interventi/int-1")
    phone.wait_for_selector("html[data-citizen=ready]")
    # The honeypot is off the screen for a person (a bot filling it is refused).
    trap = phone.locator("#contributo-sito").bounding_box()
    assert trap is None or trap["x"] + trap["width"] <= 0, trap
    comment = _send(phone, "commento", "Il cantiere del teatro chiude il marciapiede da mesi.")

    # 2. A report at a point: tapped on the quartiere's map, which fills the coordinates.
    q16 = _quartiere_page(phone, server, 16)
    phone.goto(q16)
    phone.wait_for_selector("html[data-citizen=ready]")
    phone.locator("input[name=kind][value=segnalazione]").check()
    chromium.wait_for_js(phone, "document.querySelector('.leaflet-container') !== null")
    # Tapped where a feature is drawn: the popup opens and the point is still taken.
    phone.locator(".leaflet-container").first.click()
    lat = phone.locator("#contributo-lat").input_value()
    lon = phone.locator("#contributo-lon").input_value()
    assert lat and lon, "tapping the map fills the point"
    report = _send(phone, "segnalazione", "Un tombino rotto sul marciapiede, pericoloso di sera.")

    # 3. A proposal for quartiere 16.
    phone.goto(q16)
    phone.wait_for_selector("html[data-citizen=ready]")
    proposal = _send(phone, "proposta", "Delle panchine all'ombra nel giardino del quartiere.")
    assert phone.errors == []

    # None of it is public.
    api = phone.request.get(server + "/api/contributions").json()
    assert api["numberMatched"] == 0
    phone.goto(server + "/interventi/int-1")
    assert "marciapiede da mesi" not in phone.locator("section.contributions").inner_text()

    # 4. The moderator, on a desktop window: approve two, reject one, answer one.
    desk = new_page(browser)
    desk.goto(server + "/admin/login")
    desk.get_by_label("Nome utente").fill(MODERATOR[0])
    desk.get_by_label("Password").fill(MODERATOR[1])
    desk.get_by_role("button", name="Accedi").click()
    desk.goto(server + "/admin/contributions/")
    rows = {
        row.locator("a").first.get_attribute("href"): row.inner_text()
        for row in desk.locator("tr[data-contribution]").all()
    }
    assert len(rows) == 3, rows

    def open_one(word: str):
        href = next(h for h, text in rows.items() if word in text)
        desk.goto(server + href)

    open_one("commento")
    desk.get_by_role("button", name="Approva").click()
    assert "approvato" in desk.locator("[data-status]").inner_text()
    open_one("segnalazione")
    desk.get_by_role("button", name="Approva").click()
    desk.get_by_label(re.compile("Risposta pubblica")).fill(
        "Grazie: la squadra della manutenzione interviene entro la settimana."
    )
    desk.get_by_role("button", name="Rispondi").click()
    desk.get_by_label("Stato", exact=True).select_option("in_carico")
    desk.get_by_role("button", name="Cambia stato").click()
    open_one("proposta")
    desk.get_by_label("Motivo del rifiuto").fill("Riguarda un'area privata.")
    desk.get_by_role("button", name="Rifiuta").click()
    assert "rifiutato" in desk.locator("[data-status]").inner_text()
    assert desk.errors == []

    # 5. Public now: the pages, the API, the map layer's collection, the feed.
    phone.goto(server + "/interventi/int-1")
    assert "marciapiede da mesi" in phone.locator("section.contributions").inner_text()
    phone.goto(q16)
    section = phone.locator("section.contributions").inner_text()
    assert "tombino rotto" in section and "entro la settimana" in section
    assert "panchine" not in section
    api = phone.request.get(server + "/api/contributions").json()
    assert sorted(c["kind"] for c in api["contributions"]) == ["commento", "segnalazione"]
    collection = phone.request.get(server + "/api/collections/contributi/items").json()
    assert [f["properties"]["kind"] for f in collection["features"]] == ["segnalazione"]
    assert collection["features"][0]["properties"]["state_type"] == "open"
    feed = ET.fromstring(phone.request.get(q16 + ".atom").body())
    entries = " ".join(e.findtext(f"{ATOM}summary") or "" for e in feed.iter(f"{ATOM}entry"))
    entries += " ".join(e.findtext(f"{ATOM}title") or "" for e in feed.iter(f"{ATOM}entry"))
    assert "tombino" in entries, entries[:500]

    # 6. The private links: the state and the answer, or the reason of the refusal.
    phone.goto(server + report if report.startswith("/") else report)
    body = phone.locator("body").inner_text()
    assert "in carico" in body and "entro la settimana" in body
    phone.goto(server + proposal if proposal.startswith("/") else proposal)
    assert "area privata" in phone.locator("body").inner_text()
    phone.goto(server + comment if comment.startswith("/") else comment)
    assert "ricevuta" in phone.locator("body").inner_text()
    assert phone.errors == []
    phone.context.close()
    desk.context.close()


def test_a_tap_on_a_feature_page_map_sets_the_point(citizen_server, browser):
    """The feature pages of every layer take contributions too; their map gives the point."""
    phone = new_page(browser, viewport=PHONE)
    phone.goto(citizen_server + "/api/collections/luoghi/items/l1?f=html")
    chromium.wait_for_js(phone, "document.querySelector('#api-map .leaflet-interactive')")
    phone.locator("#api-map .leaflet-interactive").first.click()  # on the venue's own marker
    assert phone.locator("#contributo-lat").input_value().startswith("45.")
    assert phone.locator("#contributo-lon").input_value().startswith("10.")
    assert phone.errors == []
    phone.context.close()
