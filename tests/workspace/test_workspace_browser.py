"""The workspace in a real browser (Debian's Chromium via Playwright), offline, no basemap."""

import json
from urllib.parse import parse_qs

import pytest

from tests.chromium import wait_for_js
from tests.viewer.test_browser import ARTIFACTS


def ready(page, url):
    page.goto(url)
    wait_for_js(page, "() => document.documentElement.dataset.workspace === 'ready'")
    wait_for_js(page, "() => document.querySelectorAll('input[name=layer]:disabled').length === 0")


def click_at(page, lon, lat):
    x, y = page.evaluate(
        "([lat, lon]) => { const m = Geoportale.map, p = m.latLngToContainerPoint([lat, lon]);"
        " const r = m.getContainer().getBoundingClientRect(); return [r.left + p.x, r.top + p.y]; }",
        [lat, lon],
    )
    page.mouse.click(x, y)
    page.wait_for_timeout(120)


def state(page):
    return parse_qs(page.evaluate("() => location.hash.slice(1)"))


def test_toggle_opacity_order_and_url_round_trip(page, live_server):
    ready(page, live_server + "/workspace")
    paths = page.locator(".leaflet-map-pane path.leaflet-interactive")
    before = paths.count()
    page.locator("input[name=layer][value=punti_p]").uncheck()
    assert paths.count() == before - 4  # the 4 located points
    page.locator("[data-opacity=zone_p]").fill("40")
    assert page.evaluate("() => Geoportale.map.getPane('gp-zone_p').style.opacity") == "0.4"
    page.locator("[data-move=up][data-id=aree_p]").click()
    s = state(page)
    assert "punti_p" not in s["l"][0].split(",") and "zone_p:0.4" in s["op"][0]
    url = page.url
    page.goto("about:blank")
    ready(page, url)
    assert not page.locator("input[name=layer][value=punti_p]").is_checked()
    assert page.locator("[data-opacity=zone_p]").input_value() == "40"
    assert page.evaluate("() => Geoportale.map.getPane('gp-zone_p').style.opacity") == "0.4"
    assert state(page)["o"] == s["o"]
    assert page.errors == []
    assert all(u.startswith(live_server) for u in page.requests), page.requests


def test_cross_layer_query_highlights_and_lists(page, live_server):
    ready(page, live_server + "/workspace")
    form = page.locator("form[data-query]")
    form.locator("select[name=layer]").select_option("punti_p")
    form.locator("select[name=predicate]").select_option("dwithin")
    form.locator("input[name=distance]").fill("100")
    form.locator("select[name=reference]").select_option("linee_p")
    form.get_by_role("button", name="Esegui").click()
    page.wait_for_selector("table[data-results] tbody tr")
    rows = page.locator("table[data-results] tbody tr")
    assert rows.count() == 2
    assert "2 elementi di punti_p" in page.locator("[data-result-summary]").inner_text()
    assert page.evaluate("() => GeoportaleWorkspace.last.result.features.length") == 2
    assert page.locator("[data-downloads] a[download='risultato.csv']").count() == 1
    q = json.loads(state(page)["q"][0])
    assert q == {
        "layer": "punti_p",
        "reference": "linee_p",
        "predicate": "dwithin",
        "distance": 100,
    }
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "workspace-query.png"), full_page=True)
    # the query is part of the URL: a fresh page re-runs it
    url = page.url
    page.goto("about:blank")
    ready(page, url)
    page.wait_for_selector("table[data-results] tbody tr")
    assert page.locator("table[data-results] tbody tr").count() == 2


def test_draw_polygon_select_identify_and_measure(page, live_server):
    ready(page, live_server + "/workspace")
    page.locator("[data-tool=distance]").click()
    click_at(page, 10.00, 45.11)
    click_at(page, 10.02, 45.11)
    text = page.locator("[data-measure]").inner_text()
    metres = float(text.split(":")[1].split()[0])
    assert text.endswith("km") and 1.55 < metres < 1.59  # 0.02° of longitude at 45.11°N
    page.locator("[data-tool=distance]").click()  # off
    page.locator("[data-tool=polygon]").click()
    for lon, lat in [(9.999, 45.099), (10.021, 45.099), (10.021, 45.121), (9.999, 45.121)]:
        click_at(page, lon, lat)
    page.locator("[data-finish]").click()
    wait_for_js(
        page,
        "() => document.querySelector('[data-result-summary]').textContent.startsWith('Selezione')",
    )
    ids = page.evaluate("() => GeoportaleWorkspace.last.result.features.map(f => f.id)")
    # zone 1 itself, the points in it, the line and the area reaching into it
    assert {"a", "b", "z1", "l1", "r1"} <= set(ids) and "c" not in ids
    assert "sel" in state(page)
    page.wait_for_timeout(600)  # the map zooms to the selection
    page.locator("[data-tool=identify]").click()
    click_at(page, 10.03, 45.11)
    popup = page.locator(".ws-identify")
    popup.wait_for()
    assert "C" in popup.inner_text()
    page.mouse.move(400, 300)
    page.wait_for_selector("[data-coords][data-projected]")
    assert "EPSG:7791" in page.locator("[data-coords]").inner_text()
    assert page.errors == []


def test_statistics_choropleth_and_chart(page, live_server):
    ready(page, live_server + "/workspace")
    page.locator("details:has(form[data-stats]) summary").click()
    form = page.locator("form[data-stats]")
    form.locator("select[name=zones]").select_option("zone_p")
    form.locator("select[name=layer]").select_option("punti_p")
    form.locator("input[name=category]").fill("stato")
    form.locator("input[name=k]").fill("2")
    form.get_by_role("button", name="Calcola").click()
    page.wait_for_selector("table[data-stats-table]")
    assert page.locator("[data-choropleth-legend] li").count() >= 2
    assert page.locator("[data-chart] img").count() == 1
    assert page.locator("[data-downloads] a[download='statistiche.csv']").count() == 1
    page.screenshot(path=str(ARTIFACTS / "workspace-stats.png"), full_page=True)


@pytest.mark.parametrize("fmt, magic", [("pdf", b"%PDF"), ("png", b"\x89PNG")])
def test_print_with_no_basemap(page, live_server, fmt, magic, tmp_path):
    ready(page, live_server + "/workspace")
    form = page.locator("form[data-print]")
    form.locator("input[name=title]").fill("Prova di stampa")
    form.locator("select[name=format]").select_option(fmt)
    # A PDF print subsets its fonts on first use: on a loaded two-core CI machine that once
    # took longer than Playwright's default 30 s (a refused print never downloads at all).
    with page.expect_download(timeout=90_000) as info:
        form.get_by_role("button", name="Stampa").click()
    path = tmp_path / f"print.{fmt}"
    info.value.save_as(path)
    assert path.read_bytes().startswith(magic)
    if fmt == "png":
        (ARTIFACTS / "workspace-print.png").write_bytes(path.read_bytes())


def test_basemap_switcher_wms_and_none(page, live_server):
    ready(page, live_server + "/workspace")
    page.locator("input[name=basemap][value=wms]").check()
    wait_for_js(page, "() => document.querySelectorAll('img.leaflet-tile').length > 0")
    src = page.locator("img.leaflet-tile").first.get_attribute("src")
    assert "service=wms" in src.lower() and "layers=ortofoto" in src
    page.locator("input[name=basemap][value=none]").check()
    assert page.locator("img.leaflet-tile").count() == 0
    assert state(page)["b"] == ["none"]
