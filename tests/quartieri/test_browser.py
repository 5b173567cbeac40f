"""The citizen flow in a real browser (Debian's Chromium via Playwright), with axe-core.

From "via Dante 12" to the quartiere's list in two steps, by mouse and by keyboard, on a
desktop and a phone-sized window, in Italian and English. axe-core (npm package, installed
by .ci/run outside the repo) checks the home, search, quartiere and intervention pages:
no serious or critical WCAG 2.1 A/AA violation. Screenshots go to tests/.artifacts/.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[1] / ".artifacts"
AXE_DEFAULT = Path.home() / ".cache" / "geoportale" / "node" / "node_modules" / "axe-core"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


def axe_path() -> Path | None:
    configured = os.environ.get("AXE_CORE_JS")
    path = Path(configured) if configured else AXE_DEFAULT / "axe.min.js"
    return path if path.is_file() else None


def new_page(browser, viewport=DESKTOP, **options):
    # bypass_csp: axe-core is injected as an inline script by the test, not by the app.
    options.setdefault("locale", "it-IT")  # Accept-Language: Italian first, as most citizens
    context = browser.new_context(viewport=viewport, bypass_csp=True, **options)
    page = context.new_page()
    page.errors = []
    page.requests = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("request", lambda r: page.requests.append(r.url))
    return page


@pytest.fixture
def page(browser):
    pg = new_page(browser)
    yield pg
    pg.context.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"citizen-{name}.png"), full_page=True)


def ready(page) -> None:
    page.wait_for_selector("html[data-citizen=ready]")


def suggest(page, text: str) -> None:
    box = page.locator("#cerca-q")
    box.fill("")
    box.press_sequentially(text, delay=20)
    page.wait_for_selector("#cerca-suggerimenti [role=option]")


def test_address_to_quartiere_filter_intervention_feed(page, citizen_server):
    page.goto(citizen_server + "/")
    ready(page)
    suggest(page, "via Dante 12")
    assert page.locator("#cerca-q").get_attribute("aria-expanded") == "true"
    first = page.locator("#cerca-suggerimenti [role=option]").first
    assert "Via Dante Alighieri 12" in first.inner_text()
    shot(page, "1-suggestions")
    first.click()  # step 2: the quartiere page
    page.wait_for_url("**/quartieri/16-centro?lon=*")
    ready(page)
    assert page.locator("h1").inner_text() == "Quartiere 16 Centro"
    assert "Restauro del Teatro di prova" in page.locator("ol.items").inner_text()
    page.wait_for_selector("#mappa-quartiere .leaflet-interactive")
    shot(page, "2-quartiere")

    page.get_by_label("Stato").select_option("in_corso")
    page.get_by_label("Entro 500 m dal punto scelto").check()
    page.get_by_role("button", name="Applica i filtri").click()
    page.wait_for_url("**stato=in_corso**")
    assert "entro=500" in page.url
    assert page.locator("ol.items > li").count() == 1
    shot(page, "3-filtered")

    page.get_by_role("link", name="Restauro del Teatro di prova").click()
    page.wait_for_url("**/interventi/int-1")
    ready(page)
    assert "Storia dello stato" in page.content()
    shot(page, "4-intervento")

    page.go_back()
    href = page.get_by_role("link", name="Segui questo quartiere (Atom)").get_attribute("href")
    feed = page.request.get(citizen_server + href)
    assert feed.status == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    assert "<entry>" in feed.text() or "<entry" in feed.text()

    page.get_by_role("link", name="English").click()
    page.wait_for_url("**lang=en**")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("button", name="Apply filters").count() == 1
    assert page.get_by_label("Status").input_value() == "in_corso"  # the state is kept
    shot(page, "5-english")
    assert page.errors == []
    assert all(u.startswith(citizen_server) for u in page.requests), page.requests


def test_keyboard_only(page, citizen_server):
    page.goto(citizen_server + "/quartieri")
    ready(page)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#cerca-q"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "cerca-q"
    page.keyboard.type("v. dante 12", delay=20)
    page.wait_for_selector("#cerca-suggerimenti [role=option]")
    page.keyboard.press("ArrowDown")
    active = page.evaluate("document.activeElement.getAttribute('aria-activedescendant')")
    assert active == "cerca-opzione-0"
    page.keyboard.press("Enter")
    page.wait_for_url("**/quartieri/16-centro?lon=*")
    ready(page)
    # Tab to the first intervention of the list and open it.
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('ol.items') !== null"):
            break
    else:
        pytest.fail("the list of interventions is not reachable by Tab")
    focused = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focused != "none"  # visible focus
    page.keyboard.press("Enter")
    page.wait_for_url("**/interventi/*")
    assert page.locator("h1").count() == 1


def test_phone_tap_map_and_geolocation(browser, citizen_server):
    page = new_page(
        browser,
        PHONE,
        is_mobile=True,
        has_touch=True,
        geolocation={"longitude": 10.0355, "latitude": 45.1355},
        permissions=["geolocation"],
    )
    try:
        page.goto(citizen_server + "/quartieri")
        ready(page)
        shot(page, "6-phone-quartieri")
        page.get_by_role("button", name="Usa la mia posizione").click()
        page.wait_for_url("**/quartieri/5-borgo-loreto-san-bernardo?lon=*")
        assert "Riqualificazione piazza del Mercato" in page.content()
        shot(page, "7-phone-position")
        page.goto(citizen_server + "/quartieri")
        ready(page)
        page.wait_for_selector("#mappa-q .leaflet-interactive")
        page.locator("#mappa-q").click(position={"x": 60, "y": 150})
        page.wait_for_url("**/quartieri/**")
        assert page.errors == []
    finally:
        page.context.close()


PAGES = {
    "home": "/",
    "search": "/cerca?q=via+dante",
    "quartiere": "/quartieri/16-centro?lon=10.02&lat=45.135",
    "quartieri": "/quartieri",
    "intervento": "/interventi/int-1",
    "quartiere-en": "/quartieri/16-centro?lang=en",
    "programma": "/programma",  # issue 18: the tree, the chart and its tables
    "programma-en": "/programma?lang=en&al=2019",
    "fonti": "/fonti",
    "consultazioni": "/consultazioni",  # issue 20: the consultations (none open here)
    "privacy": "/partecipa/privacy",
    "elemento": "/api/collections/luoghi/items/l1?f=html",  # a feature page, with the form
}


@pytest.mark.parametrize("name", list(PAGES))
def test_axe_no_serious_violations(page, citizen_server, name):
    axe = axe_path()
    if axe is None:
        pytest.skip(
            "axe-core is not installed: npm install --prefix ~/.cache/geoportale/node axe-core "
            "(.ci/run does it), or set AXE_CORE_JS"
        )
    page.goto(citizen_server + PAGES[name])
    ready(page)
    page.wait_for_timeout(300)
    page.add_script_tag(path=str(axe))
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(result["violations"], indent=1))
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == []


def test_popup_says_where_the_quartiere_comes_from(page, citizen_server):
    """Issue 17, item 3: the map's popup shows the origin of the quartiere in words."""
    page.goto(citizen_server + "/")
    page.wait_for_selector("html[data-geoportale=ready]")
    page.wait_for_function(
        "document.querySelector(\"input[name='layer'][value='interventi']\")"
        " && !document.querySelector(\"input[name='layer'][value='interventi']\").disabled"
    )
    page.evaluate(
        """() => Geoportale.layers.interventi.eachLayer(function (l) {
             if (l.feature && l.feature.id === 'int-1') l.openPopup(); })"""
    )
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    assert "dalla posizione sul poligono indicativo" in popup.inner_text()
    assert "geometria" not in popup.inner_text()
    assert page.errors == []
