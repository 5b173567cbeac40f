"""The WMS at /wms on both stores: capabilities, GetMap, GetFeatureInfo, legends, errors."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from app.wms.params import CRS_CODES
from tests.wms.helpers import (
    BIBLIOTECA,
    MUSEO,
    P1,
    P2,
    P4,
    POINT_OPACITY,
    TEATRO,
    bbox_around,
    close,
    colours,
    image,
    over_white,
    pixel,
    rgb,
    xy,
)

BOTH_STORES = True  # every app test here runs on GeoPackage and on PostGIS
WMS = "{http://www.opengis.net/wms}"
OGC = "{http://www.opengis.net/ogc}"
NORTH_FIRST = {"EPSG:4326", "EPSG:6707"}


def _box_param(code: str, box) -> str:
    if code in NORTH_FIRST:  # WMS 1.3.0: the CRS's own axis order
        box = (box[1], box[0], box[3], box[2])
    return ",".join(f"{v:.10f}" for v in box)


def getmap(client, code="EPSG:3857", layers="punti", size=(256, 256), fmt="image/png", **extra):
    box = extra.pop("box", None) or bbox_around(code, *P1)
    params = {
        "SERVICE": "WMS",
        "VERSION": "1.3.0",
        "REQUEST": "GetMap",
        "LAYERS": layers,
        "STYLES": "",
        "CRS": code,
        "BBOX": _box_param(code, box),
        "WIDTH": size[0],
        "HEIGHT": size[1],
        "FORMAT": fmt,
        **extra,
    }
    return client.get("/wms", query_string=params), box


def exception(response) -> tuple[str | None, str]:
    assert response.status_code == 400, response.data
    assert response.mimetype == "text/xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{OGC}ServiceExceptionReport"
    found = root.find(f"{OGC}ServiceException")
    return found.get("code"), found.text


# -- GetCapabilities ---------------------------------------------------------------------------


def test_capabilities_list_every_layer_and_crs(client):
    r = client.get("/wms?SERVICE=WMS&REQUEST=GetCapabilities")
    assert r.status_code == 200
    assert r.mimetype == "text/xml"
    root = ET.fromstring(r.data)
    assert root.tag == f"{WMS}WMS_Capabilities" and root.get("version") == "1.3.0"
    top = root.find(f"{WMS}Capability/{WMS}Layer")
    assert [c.text for c in top.findall(f"{WMS}CRS")] == list(CRS_CODES)
    for code in ("EPSG:3003", "EPSG:6707", "EPSG:7791", "EPSG:3857", "EPSG:4326"):
        assert code in CRS_CODES
    named = {layer.find(f"{WMS}Name").text: layer for layer in top.findall(f"{WMS}Layer")}
    assert set(named) == {"punti", "zone"}
    punti = named["punti"]
    assert punti.get("queryable") == "1"
    assert punti.find(f"{WMS}Title").text == "Punti di prova"
    assert punti.find(f"{WMS}Abstract").text == "Punti sintetici per i test."
    boxes = {b.get("CRS"): b for b in punti.findall(f"{WMS}BoundingBox")}
    assert set(boxes) == set(CRS_CODES)
    geo = punti.find(f"{WMS}EX_GeographicBoundingBox")
    west = float(geo.find(f"{WMS}westBoundLongitude").text)
    south = float(geo.find(f"{WMS}southBoundLatitude").text)
    # EPSG:4326 is latitude first in 1.3.0: minx is the southern latitude
    assert float(boxes["EPSG:4326"].get("minx")) == pytest.approx(south)
    assert float(boxes["CRS:84"].get("minx")) == pytest.approx(west)
    legend = punti.find(f"{WMS}Style/{WMS}LegendURL/{WMS}OnlineResource")
    assert "GetLegendGraphic" in legend.get("{http://www.w3.org/1999/xlink}href")
    service = root.find(f"{WMS}Service")
    contact = service.find(f"{WMS}ContactInformation/{WMS}ContactPersonPrimary")
    assert contact.find(f"{WMS}ContactOrganization").text
    assert "CC0-1.0" in service.find(f"{WMS}AccessConstraints").text
    assert service.find(f"{WMS}MaxWidth").text == "4096"
    formats = [f.text for f in root.find(f"{WMS}Capability/{WMS}Request/{WMS}GetMap")]
    assert {"image/png", "image/jpeg"} <= set(formats)


def test_capabilities_in_english(client):
    r = client.get("/wms?SERVICE=WMS&REQUEST=GetCapabilities&LANGUAGE=eng")
    root = ET.fromstring(r.data)
    titles = [t.text for t in root.iter(f"{WMS}Title")]
    assert "Test points" in titles


# -- GetMap ------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", CRS_CODES)
def test_getmap_in_each_crs_draws_the_feature_in_its_category_colour(client, code):
    r, box = getmap(client, code, size=(300, 200))
    assert r.status_code == 200, r.data
    assert r.mimetype == "image/png"
    img = image(r.data).convert("RGB")
    assert img.size == (300, 200)
    at = pixel(box, img.size, xy(code, *P1))
    assert close(img.getpixel(at), over_white(MUSEO, POINT_OPACITY)), (code, img.getpixel(at))


def test_getmap_jpeg(client):
    r, box = getmap(client, fmt="image/jpeg", size=(256, 256))
    assert r.status_code == 200 and r.mimetype == "image/jpeg"
    img = image(r.data)
    assert img.format == "JPEG" and img.size == (256, 256)
    at = pixel(box, img.size, xy("EPSG:3857", *P1))
    found = img.convert("RGB").getpixel(at)
    # JPEG is lossy: the nearest of the category colours is the museo's
    expected = {c: over_white(c, POINT_OPACITY) for c in (MUSEO, TEATRO, BIBLIOTECA)}
    nearest = min(
        expected, key=lambda c: sum((a - b) ** 2 for a, b in zip(expected[c], found, strict=True))
    )
    assert nearest == MUSEO and close(found, expected[MUSEO], 40), found
    assert close(img.convert("RGB").getpixel((2, 2)), (255, 255, 255), 4)


def test_getmap_transparent_and_bgcolor(client):
    r, box = getmap(client, TRANSPARENT="TRUE")
    img = image(r.data).convert("RGBA")
    assert img.getpixel((2, 2))[3] == 0  # nothing drawn: see-through
    at = pixel(box, img.size, xy("EPSG:3857", *P1))
    found = img.getpixel(at)
    assert close(found[:3], rgb(MUSEO)) and found[3] == round(255 * POINT_OPACITY)
    r, _ = getmap(client, BGCOLOR="0x00FF00")
    assert image(r.data).convert("RGB").getpixel((2, 2)) == (0, 255, 0)


def test_getmap_several_layers_draws_each_in_order(client):
    box = bbox_around("EPSG:3857", 9.99, 45.12, 0.05)
    r, _ = getmap(client, layers="zone,punti", box=box, size=(512, 512))
    img = image(r.data).convert("RGB")
    for point, colour in ((P1, MUSEO), (P2, TEATRO), (P4, BIBLIOTECA)):
        at = pixel(box, img.size, xy("EPSG:3857", *point))
        assert close(img.getpixel(at), over_white(colour, POINT_OPACITY)), (point, colour)
    # a zone's fill (the layer colour at fill opacity 0.25) is drawn under the points
    r2, _ = getmap(client, layers="zone", box=box, size=(512, 512))
    pixels = colours(image(r2.data).convert("RGB"))
    assert any(close(p, over_white(TEATRO, 0.25), 3) for p in pixels)


def test_getmap_axis_order_of_epsg_4326_is_latitude_first(client):
    box = bbox_around("EPSG:4326", *P1)  # lon, lat order
    lonlat = ",".join(str(v) for v in box)
    r = client.get(
        "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=punti&STYLES=&CRS=EPSG:4326"
        f"&BBOX={lonlat}&WIDTH=64&HEIGHT=64&FORMAT=image/png"
    )
    # lon,lat read as lat,lon is a valid but empty area far from the points: no museo pixel
    pixels = colours(image(r.data).convert("RGB"))
    assert not any(close(p, over_white(MUSEO, POINT_OPACITY)) for p in pixels)
    r, box = getmap(client, "EPSG:4326", size=(64, 64))
    pixels = colours(image(r.data).convert("RGB"))
    assert any(close(p, over_white(MUSEO, POINT_OPACITY)) for p in pixels)


def test_getmap_cache_follows_the_layer_version(client, app):
    """A publish makes a new version: the cached image of the old one is not served."""
    from app.services import services
    from app.stores.base import Query
    from app.wms.views import renderer

    first, box = getmap(client)
    again, _ = getmap(client)
    assert again.data == first.data
    with app.app_context():
        assert len(renderer().cache) == 1
        store = services().store
        spec = services().layer("punti")
        version = store.describe("punti").version
        frame = store.frame(spec, Query())
        frame.loc[frame["id"] == "p1", "tipo"] = "teatro"
        store.write_layer(spec, frame[frame.geometry.notna()], user="test")
        assert store.describe("punti").version != version
    second, _ = getmap(client)
    at = pixel(box, (256, 256), xy("EPSG:3857", *P1))
    assert close(image(second.data).convert("RGB").getpixel(at), over_white(TEATRO, POINT_OPACITY))
    assert close(image(first.data).convert("RGB").getpixel(at), over_white(MUSEO, POINT_OPACITY))


# -- errors ------------------------------------------------------------------------------------


def test_unknown_layer(client):
    r, _ = getmap(client, layers="punti,nessuno")
    code, text = exception(r)
    assert code == "LayerNotDefined" and "nessuno" in text


def test_unknown_crs(client):
    r = client.get(
        "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=punti&STYLES=&CRS=EPSG:2154"
        "&BBOX=0,0,1,1&WIDTH=64&HEIGHT=64&FORMAT=image/png"
    )
    assert exception(r)[0] == "InvalidCRS"


def test_unknown_format(client):
    r, _ = getmap(client, fmt="image/gif")
    assert exception(r)[0] == "InvalidFormat"


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "10,10,5,20", "10,10,20,10"])
def test_bad_bbox(client, bbox):
    r = client.get(
        "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=punti&STYLES=&CRS=EPSG:3857"
        f"&BBOX={bbox}&WIDTH=64&HEIGHT=64&FORMAT=image/png"
    )
    code, text = exception(r)
    assert code == "InvalidParameterValue" and "BBOX" in text


def test_inverted_4326_box_names_the_axis_order(client):
    r = client.get(
        "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=punti&STYLES=&CRS=EPSG:4326"
        "&BBOX=45.2,10.1,45.1,10.0&WIDTH=64&HEIGHT=64&FORMAT=image/png"
    )
    assert "lat,lon" in exception(r)[1]


def test_unknown_style_and_size_and_request(client):
    r, _ = getmap(client, STYLES="fancy")
    assert exception(r)[0] == "StyleNotDefined"
    r, _ = getmap(client, size=(5000, 10))
    assert exception(r)[0] == "InvalidParameterValue"
    r = client.get("/wms?SERVICE=WMS&REQUEST=GetStyles")
    assert exception(r)[0] == "OperationNotSupported"
    r = client.get("/wms?SERVICE=WMS")
    assert exception(r)[0] == "MissingParameterValue"


# -- GetFeatureInfo ----------------------------------------------------------------------------


def featureinfo(client, fmt, point=P1, code="EPSG:3857", size=(256, 256), **extra):
    box = bbox_around(code, *P1)
    i, j = pixel(box, size, xy(code, *point))
    params = {
        "SERVICE": "WMS",
        "VERSION": "1.3.0",
        "REQUEST": "GetFeatureInfo",
        "LAYERS": "zone,punti",
        "QUERY_LAYERS": "punti",
        "STYLES": "",
        "CRS": code,
        "BBOX": _box_param(code, box),
        "WIDTH": size[0],
        "HEIGHT": size[1],
        "INFO_FORMAT": fmt,
        "I": i,
        "J": j,
        **extra,
    }
    return client.get("/wms", query_string=params)


@pytest.mark.parametrize("code", ["EPSG:3857", "EPSG:4326", "EPSG:3003"])
def test_featureinfo_json_finds_the_feature_at_its_pixel(client, code):
    r = featureinfo(client, "application/json", code=code)
    assert r.status_code == 200, r.data
    doc = json.loads(r.data)
    assert [f["id"] for f in doc["features"]] == ["p1"]
    assert doc["features"][0]["layer"] == "punti"
    assert doc["features"][0]["properties"]["tipo"] == "museo"


def test_featureinfo_html_is_escaped(client, app):
    r = featureinfo(client, "text/html")
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert "Punto uno" in r.text and "Punti di prova" in r.text
    from app.wms.featureinfo import Hit, as_html

    with app.app_context():
        from app.services import services

        spec = services().layer("punti")
    page = as_html([Hit(spec, "x", {"nome": "<script>alert(1)</script>"}, None)])
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_featureinfo_gml(client):
    r = featureinfo(client, "application/vnd.ogc.gml")
    assert r.status_code == 200
    root = ET.fromstring(r.data)
    gml = "{http://www.opengis.net/gml}"
    members = root.findall(f"{gml}featureMember")
    assert len(members) == 1
    feature = members[0][0]
    assert feature.get(f"{gml}id") == "punti.p1"
    assert [c.text for c in feature if c.tag.endswith("}nome")] == ["Punto uno"]
    pos = feature.find(f".//{gml}pos").text.split()
    assert [float(v) for v in pos] == pytest.approx(list(P1))


def test_featureinfo_away_from_features_is_empty(client):
    r = featureinfo(client, "application/json", point=(P1[0] + 0.012, P1[1] - 0.012))
    assert json.loads(r.data)["features"] == []


def test_featureinfo_errors(client):
    r = featureinfo(client, "application/pdf")
    assert exception(r)[0] == "InvalidFormat"
    r = featureinfo(client, "text/html", I=999)
    assert exception(r)[0] == "InvalidPoint"
    r = featureinfo(client, "text/html", QUERY_LAYERS="nessuno")
    assert exception(r)[0] == "LayerNotDefined"
    r = featureinfo(client, "text/html", LAYERS="zone")
    assert exception(r)[0] == "LayerNotQueryable"


# -- GetLegendGraphic --------------------------------------------------------------------------


def test_legend_has_a_swatch_per_category(client):
    r = client.get("/wms?SERVICE=WMS&REQUEST=GetLegendGraphic&LAYER=punti&FORMAT=image/png")
    assert r.status_code == 200 and r.mimetype == "image/png"
    img = image(r.data).convert("RGBA")
    drawn = {c[:3] for c in colours(img) if c[3] >= 200}
    for colour in (MUSEO, TEATRO, BIBLIOTECA):
        assert any(close(c, rgb(colour), 12) for c in drawn), colour
    from app.wms.legend import ROW

    assert img.height >= 4 * ROW  # three categories and "other values"


def test_legend_size_matches_the_capabilities(client):
    caps = ET.fromstring(client.get("/wms?SERVICE=WMS&REQUEST=GetCapabilities").data)
    for layer in caps.iter(f"{WMS}Layer"):
        url = layer.find(f"{WMS}Style/{WMS}LegendURL")
        if url is None:
            continue
        href = url.find(f"{WMS}OnlineResource").get("{http://www.w3.org/1999/xlink}href")
        img = image(client.get(href.replace("http://localhost", "")).data)
        assert img.size == (int(url.get("width")), int(url.get("height")))


def test_legend_errors(client):
    r = client.get("/wms?SERVICE=WMS&REQUEST=GetLegendGraphic&LAYER=nessuno&FORMAT=image/png")
    assert exception(r)[0] == "LayerNotDefined"
    r = client.get("/wms?SERVICE=WMS&REQUEST=GetLegendGraphic&LAYER=punti&FORMAT=image/gif")
    assert exception(r)[0] == "InvalidFormat"
