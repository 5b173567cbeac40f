"""Real WMS clients against a live server: OWSLib's WebMapService and QGIS's WMS provider."""

from __future__ import annotations

from pathlib import Path

from tests.qgis import run_qgis
from tests.wms.helpers import (
    MUSEO,
    P1,
    P2,
    POINT_OPACITY,
    TEATRO,
    bbox_around,
    close,
    image,
    over_white,
    pixel,
    xy,
)

BOTH_STORES = True  # every app test here runs on GeoPackage and on PostGIS


def test_owslib_reads_the_capabilities_and_gets_a_map(live_server):
    from owslib.wms import WebMapService

    wms = WebMapService(f"{live_server}/wms", version="1.3.0")
    assert wms.identification.type == "WMS" and wms.identification.version == "1.3.0"
    assert set(wms.contents) == {"punti", "zone"}
    punti = wms["punti"]
    assert punti.title == "Punti di prova"
    assert "EPSG:3003" in punti.crsOptions and "EPSG:6707" in punti.crsOptions
    assert punti.queryable
    assert punti.styles["default"]["legend"].startswith(live_server)
    assert "image/jpeg" in wms.getOperationByName("GetMap").formatOptions
    box = bbox_around("EPSG:3857", *P1)
    got = wms.getmap(
        layers=["zone", "punti"],
        styles=["", ""],
        srs="EPSG:3857",
        bbox=box,
        size=(256, 256),
        format="image/png",
        transparent=True,
    )
    img = image(got.read()).convert("RGBA")
    assert img.size == (256, 256)
    found = img.getpixel(pixel(box, img.size, xy("EPSG:3857", *P1)))
    assert close(found[:3], over_white(MUSEO, 1.0))
    info = wms.getfeatureinfo(
        layers=["punti"],
        srs="EPSG:3857",
        bbox=box,
        size=(256, 256),
        format="image/png",
        query_layers=["punti"],
        info_format="application/json",
        xy=pixel(box, (256, 256), xy("EPSG:3857", *P1)),
    )
    assert b'"p1"' in info.read()


def test_qgis_wms_provider_draws_the_layer(live_server, tmp_path):
    box = bbox_around("EPSG:3857", *P1)
    uri = (
        f"contextualWMSLegend=0&crs=EPSG:3857&dpiMode=7&featureCount=10&format=image/png"
        f"&layers=punti&styles=&url={live_server}/wms"
    )
    job = {
        "uri": uri,
        "crs": "EPSG:3857",
        "extent": list(box),
        "size": [256, 256],
        "png": str(tmp_path / "qgis.png"),
        "probes": [xy("EPSG:3857", *P1), xy("EPSG:3857", *P2)],
    }
    out = run_qgis(Path(__file__).with_name("qgis_wms.py"), job, tmp_path)
    assert out["valid"], out["error"]
    assert out["crs"] == "EPSG:3857"
    assert not out["errors"], out["errors"]
    museo, teatro = out["pixels"]
    assert close(museo, over_white(MUSEO, POINT_OPACITY), 12), museo
    assert close(teatro, over_white(TEATRO, POINT_OPACITY), 12), teatro
