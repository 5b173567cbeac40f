"""The map with its layers as vector tiles (threshold 0), in Debian's Chromium, offline."""

from __future__ import annotations

import pytest

from tests.chromium import wait_for_js
from tests.viewer.test_browser import ARTIFACTS, page  # noqa: F401 (fixtures)

P1 = (45.133, 10.02)  # fixture point p1, a "museo" (#8a0a2e)
ZONA_NORD = (45.155, 10.005)  # inside the "Zona nord" square, away from every point


@pytest.fixture
def tiled_server(tmp_path, request):
    """The live server with every layer above the tiles threshold."""
    (tmp_path / "env").write_text("GEOPORTALE_TILES_THRESHOLD=0\n")
    return request.getfixturevalue("live_server")


# The tile of layer `id` under `ll` at the map's zoom: its canvas, decoded data and the
# point's position in it (canvas pixels).
TILE_AT = """([id, ll]) => {
  const layer = Geoportale.layers[id], map = Geoportale.map, z = map.getZoom();
  const px = map.project(ll, z), size = layer.getTileSize();
  const c = px.unscaleBy(size).floor(); c.z = z;
  const key = layer._tileCoordsToKey(c), tile = layer._tiles[key];
  if (!tile || !layer._data[key]) return null;
  const r = tile.el.width / size.x;
  return {canvas: tile.el, data: layer._data[key],
          x: Math.round((px.x - c.x * size.x) * r), y: Math.round((px.y - c.y * size.y) * r)};
}"""


def open_map(page, url):  # noqa: F811
    page.goto(url + "/")
    page.wait_for_selector("html[data-geoportale=ready]")
    wait_for_js(page, "document.querySelectorAll('input[name=layer]:disabled').length === 0")
    # The tiles under p1 and inside Zona nord fetched, decoded and drawn.
    wait_for_js(page, f"() => ({TILE_AT})(['punti', {list(P1)}]) !== null")
    wait_for_js(page, f"() => ({TILE_AT})(['zone', {list(ZONA_NORD)}]) !== null")


def screen_point(page, latlng) -> tuple[float, float]:  # noqa: F811
    """Page coordinates of a lat/lon on the map."""
    box = page.locator(".folium-map").bounding_box()
    pt = page.evaluate("ll => Geoportale.map.latLngToContainerPoint(ll)", list(latlng))
    return box["x"] + pt["x"], box["y"] + pt["y"]


def test_layers_drawn_from_vector_tiles(page, tiled_server):  # noqa: F811
    open_map(page, tiled_server)
    # No GeoJSON: nothing drawn as SVG, only tile canvases, and every tile came from us.
    assert page.locator(".leaflet-map-pane path.leaflet-interactive").count() == 0
    assert page.locator("canvas.gp-vector-tile").count() > 0
    # the layers come as tiles; the citizens' contributions (a few approved points, not a
    # layer) are read as features
    assert not [u for u in page.requests if "/items" in u and "/collections/contributi/" not in u]
    assert any("/tiles/WebMercatorQuad/" in u for u in page.requests)
    assert all(u.startswith(tiled_server) for u in page.requests), page.requests
    # p1 is painted in its category colour (museo, #8a0a2e) under its position.
    rgba = page.evaluate(
        f"""ll => {{
          const t = ({TILE_AT})(['punti', ll]);
          return Array.from(t.canvas.getContext('2d').getImageData(t.x, t.y, 1, 1).data);
        }}""",
        list(P1),
    )
    assert abs(rgba[0] - 0x8A) < 12 and abs(rgba[1] - 0x0A) < 12 and abs(rgba[2] - 0x2E) < 12
    assert rgba[3] > 200
    assert page.errors == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "viewer-tiles.png"))


def test_click_on_tiled_feature_opens_its_popup(page, tiled_server):  # noqa: F811
    open_map(page, tiled_server)
    page.mouse.click(*screen_point(page, P1))
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "Punto uno" in text and "Punti di prova" in text
    assert "120" in text and "museo" in text  # attributes read from the tile
    link = popup.get_by_role("link", name="Scheda completa")
    assert "/collections/punti/items/p1" in link.get_attribute("href")
    # A click inside an area (no point there) opens the area's popup.
    page.locator(".leaflet-popup-close-button").click()
    page.locator(".leaflet-popup").wait_for(state="detached")  # it fades out over the zone
    page.mouse.click(*screen_point(page, ZONA_NORD))
    wait_for_js(
        page,
        "() => document.querySelector('.leaflet-popup-content')?.innerText.includes('Zona nord')",
    )
    assert page.errors == []


def test_unchecking_a_tiled_layer_hides_it(page, tiled_server):  # noqa: F811
    open_map(page, tiled_server)
    page.get_by_label("Punti di prova").uncheck()
    assert page.locator(".leaflet-gp-punti-pane canvas").count() == 0
    page.mouse.click(*screen_point(page, P1))  # p1 lies inside no zone: nothing opens
    page.wait_for_timeout(200)
    assert page.locator(".leaflet-popup-content").count() == 0
