"""The map pages in Chromium under their strict policy: layers drawn, no CSP violation."""

import pytest

from tests.chromium import wait_for_js

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    context.add_init_script(WATCH)  # runs before the page's scripts, outside its CSP
    pg = context.new_page()
    pg.console_errors = []
    pg.errors = []
    pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    context.close()


def _drawn(page, url):
    page.goto(url)
    page.wait_for_selector("html[data-geoportale=ready]")
    wait_for_js(page, "document.querySelectorAll('input[name=layer]:disabled').length === 0")
    return page.locator(".leaflet-map-pane path.leaflet-interactive").count()


def test_map_draws_in_english_with_no_csp_violation(page, live_server):
    assert _drawn(page, live_server + "/?lang=en") == 8
    status = page.locator("[data-layer-status=punti]").inner_text()
    assert status == "1 without a location on the map"  # the scripts speak the page's language
    assert page.evaluate("window.__csp") == []
    assert page.console_errors == [] and page.errors == []


def test_workspace_draws_with_no_csp_violation(page, live_server):
    assert _drawn(page, live_server + "/workspace?lang=it") == 8
    page.get_by_role("button", name="Identifica").click()
    hint = page.locator("[data-hint]").inner_text()
    assert hint == "Clicca sulla mappa per identificare gli elementi dei layer visibili."
    assert page.evaluate("window.__csp") == []
    assert page.console_errors == [] and page.errors == []
