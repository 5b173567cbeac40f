"""The year control in a real browser (Debian's Chromium via Playwright), with axe-core.

On the citizen fixture (six interventions with a state history, four of them located):
the year comes from the permalink (#anno=2016), the map shows what the programme page's
rule (`state_in`) says stood at the end of that year, in the style's colours, and moving
the slider by keyboard or going back to today rewrites the address.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from app.programma.tree import state_in
from app.registry import load_layer_file
from tests.chromium import wait_for_js
from tests.quartieri.fixtures import CITIZEN
from tests.quartieri.test_browser import ARTIFACTS, axe_path, new_page
from tests.viewer.test_time import intervento

PANE = ".leaflet-gp-interventi-pane path.leaflet-interactive"
TODAY = dt.date.today().year

# Each feature the interventions layer draws: its id and fill colour (from Leaflet itself).
DRAWN = """() => {
  var out = {};
  Geoportale.layers.interventi.eachLayer(function (l) { out[l.feature.id] = l.options.fillColor; });
  return out;
}"""


def expected(year: int | None) -> dict[str, str]:
    """What the map must draw at the end of `year` (None: today): id -> colour, from the
    programme page's rule and the layer file's categories."""
    spec = load_layer_file(CITIZEN / "layers" / "interventi.yaml")
    colours = {str(c.value): c.color for c in spec.style.categories}
    doc = json.loads((CITIZEN / "geodata" / "interventi.geojson").read_text(encoding="utf-8"))
    out = {}
    for f in doc["features"]:
        if not f["geometry"]:
            continue
        item = intervento(f["properties"])
        state = item.status if year is None else state_in(item, year)
        if state is not None:
            out[item.id] = colours[state]
    return out


@pytest.fixture
def page(browser):
    # The app's own Content Security Policy applies (no bypass): the control must live with it.
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="it-IT")
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    context.close()


def control_ready(page) -> None:
    page.wait_for_selector("html[data-geoportale=ready]")
    page.wait_for_selector("[data-time-control]:not([hidden])")


def hash_params(page) -> dict[str, str]:
    return dict(page.evaluate("() => Array.from(new URLSearchParams(location.hash.slice(1)))"))


def test_expected_states_differ():
    # The fixture is worth testing on: 2016 and today differ in count and in colour.
    then, now = expected(2016), expected(None)
    assert len(then) == 3 and len(now) == 4
    assert then["int-1"] == "#1f78b4" and now["int-1"] == "#ff7f00"  # pianificato -> in corso


def test_viewer_year_from_permalink_slider_and_today(page, citizen_server):
    page.goto(citizen_server + "/#anno=2016")
    control_ready(page)
    slider = page.get_by_role("slider", name="Anno")
    assert slider.input_value() == "2016"
    assert slider.get_attribute("min") == "2016"  # no first_year: the data's first year
    assert slider.get_attribute("max") == str(TODAY)
    assert page.evaluate(DRAWN) == expected(2016)
    assert page.locator(PANE).count() == 3
    summary = page.locator("[data-time-summary]")
    assert summary.inner_text() == "Il programma alla fine del 2016: 3 elementi sulla mappa"
    assert page.locator("[data-time-value]").inner_text() == "2016"
    legend = page.locator("[data-layer-legend=interventi]")
    assert legend.locator("li[data-value=pianificato]").inner_text().endswith("(1)")
    assert legend.locator("li[data-value=in_corso]").inner_text().endswith("(0)")
    popup = page.evaluate(
        "() => Geoportale.layers.interventi.getLayers()[0].getPopup().getContent()"
    )
    assert "Stato alla fine del 2016" in popup

    slider.focus()  # the keyboard moves it: End is today, Home the first year
    page.keyboard.press("End")
    assert "anno" not in hash_params(page)
    assert page.evaluate(DRAWN) == expected(None)
    assert page.locator(PANE).count() == 4
    assert summary.inner_text() == "Il programma oggi: 4 elementi sulla mappa"
    assert legend.locator("li[data-value=in_corso]").inner_text().endswith("(1)")

    page.keyboard.press("Home")
    assert hash_params(page) == {"anno": "2016"}
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert hash_params(page) == {"anno": "2019"}
    assert page.evaluate(DRAWN) == expected(2019)
    assert slider.get_attribute("aria-valuetext") == "2019"

    page.get_by_role("button", name="Oggi").click()
    assert page.evaluate("location.hash") == ""
    assert page.evaluate(DRAWN) == expected(None)

    # Only while a layer with a history is on the map.
    page.get_by_label("Interventi di prova").uncheck()
    assert page.locator("[data-time-control]").is_hidden()
    page.get_by_label("Interventi di prova").check()
    assert page.locator("[data-time-control]").is_visible()
    assert page.errors == []


def test_viewer_opening_a_link_restores_the_year_and_bad_years_are_today(page, citizen_server):
    page.goto(citizen_server + "/#anno=2019")
    control_ready(page)
    assert page.evaluate(DRAWN) == expected(2019)
    page.goto(citizen_server + "/#anno=1990")  # before the data: its first year
    page.reload()
    control_ready(page)
    assert page.get_by_role("slider", name="Anno").input_value() == "2016"
    wait_for_js(page, "location.hash === '#anno=2016'")
    page.goto(citizen_server + "/#anno=abc")
    page.reload()
    control_ready(page)
    assert page.evaluate(DRAWN) == expected(None)
    assert page.errors == []


def test_workspace_keeps_the_year_with_its_state(page, citizen_server):
    page.goto(citizen_server + "/workspace#anno=2016")
    page.wait_for_selector("html[data-workspace=ready]")
    control_ready(page)
    assert page.evaluate(DRAWN) == expected(2016)
    params = hash_params(page)
    assert params["anno"] == "2016" and "c" in params and "z" in params
    page.get_by_role("slider", name="Anno").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert hash_params(page)["anno"] == "2019"
    page.evaluate("Geoportale.map.panBy([40, 0], {animate: false})")  # the workspace saves
    wait_for_js(page, "new URLSearchParams(location.hash.slice(1)).get('anno') === '2019'")
    link = page.url
    page.goto("about:blank")
    page.goto(link)
    control_ready(page)
    assert page.get_by_role("slider", name="Anno").input_value() == "2019"
    assert page.evaluate(DRAWN) == expected(2019)
    page.get_by_role("button", name="Oggi").click()
    params = hash_params(page)
    assert "anno" not in params and "c" in params
    assert page.errors == []


@pytest.mark.parametrize("url", ["/#anno=2016", "/workspace#anno=2016"])
def test_axe_on_the_year_control(browser, citizen_server, url):
    axe = axe_path()
    if axe is None:
        pytest.skip(
            "axe-core is not installed: npm install --prefix ~/.cache/geoportale/node axe-core "
            "(.ci/run does it), or set AXE_CORE_JS"
        )
    page = new_page(browser)
    try:
        page.goto(citizen_server + url)
        control_ready(page)
        page.add_script_tag(path=str(axe))
        result = page.evaluate(
            "() => axe.run(document, {runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        )
    finally:
        page.context.close()
    ARTIFACTS.mkdir(exist_ok=True)
    name = "viewer" if url.startswith("/#") else "workspace"
    (ARTIFACTS / f"axe-time-{name}.json").write_text(json.dumps(result["violations"], indent=1))
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == []
