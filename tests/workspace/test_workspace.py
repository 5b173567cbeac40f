"""The workspace page, coordinate conversion and print, through HTTP (no browser)."""

import pytest
from pyproj import Transformer

BOTH_STORES = True  # every app test here runs on GeoPackage and on PostGIS
READ_ONLY_STORE = True  # one PostGIS clone for the module (tests/conftest.py checks nothing writes)


def test_page_lists_layers_tools_and_basemaps(client):
    r = client.get("/workspace")
    assert r.status_code == 200
    html = r.data.decode()
    for text in (
        'value="punti_p"',
        "data-opacity",
        'value="wms"',
        'value="none"',
        'data-tool="polygon"',
        "data-query",
        "data-stats",
        "data-print",
        "workspace.js",
    ):
        assert text in html
    assert "https://wms.example.org" in r.headers["Content-Security-Policy"]
    assert "cdn" not in html.lower()


def test_transform_matches_pyproj(client):
    doc = client.get("/api/workspace/transform?x=10.0227&y=45.1335").get_json()
    e, n = Transformer.from_crs("EPSG:4326", "EPSG:7791", always_xy=True).transform(
        10.0227, 45.1335
    )
    assert doc["coordinates"]["EPSG:7791"] == pytest.approx([e, n], abs=0.01)
    assert 1_580_000 < doc["coordinates"]["EPSG:3003"][0] < 1_581_000
    back = client.get(
        "/api/workspace/transform?x={}&y={}&crs=EPSG:7791".format(*doc["coordinates"]["EPSG:7791"])
    ).get_json()
    assert back["coordinates"]["EPSG:4326"] == pytest.approx([10.0227, 45.1335], abs=1e-6)
    gb = client.get("/api/workspace/transform?x=1580446&y=4998308&crs=EPSG:3003").get_json()
    assert gb["coordinates"]["EPSG:4326"] == pytest.approx([10.0227, 45.1335], abs=1e-4)


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("x=a&y=1", "x"),
        ("x=1&y=nan", "y"),
        ("x=1&y=1&crs=EPSG:9999", "crs"),
        ("x=1&y=1&zoom=3", "zoom"),
        ("y=1", "x"),
    ],
)
def test_transform_bad_input(client, query, parameter):
    r = client.get("/api/workspace/transform?" + query)
    assert r.status_code == 400 and r.get_json()["parameter"] == parameter


BODY = {
    "title": "Commissione urbanistica",
    "bbox": [9.99, 45.095, 10.05, 45.125],
    "layers": [{"id": "zone_p", "opacity": 0.5}, "linee_p", "punti_p"],
}


@pytest.mark.parametrize("paper, orientation", [("A4", "landscape"), ("A3", "portrait")])
def test_print_pdf(client, paper, orientation):
    hl = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [10.01, 45.11]},
                "properties": {},
            }
        ],
    }
    r = client.post(
        "/api/workspace/print",
        json={**BODY, "paper": paper, "orientation": orientation, "highlight": hl},
    )
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.data.startswith(b"%PDF") and b"Commissione urbanistica" in r.data


def test_print_png_page_size(client, tmp_path):
    from PIL import Image

    r = client.post("/api/workspace/print", json={**BODY, "format": "png"})
    assert r.mimetype == "image/png"
    path = tmp_path / "print.png"
    path.write_bytes(r.data)
    with Image.open(path) as img:  # A4 landscape at 150 dpi
        assert img.size == pytest.approx((1754, 1240), abs=2)


@pytest.mark.parametrize(
    "change, parameter",
    [
        ({"bbox": [1, 2, 3]}, "bbox"),
        ({"bbox": [10, 45, 9, 46]}, "bbox"),
        ({"paper": "A0"}, "paper"),
        ({"orientation": "sideways"}, "orientation"),
        ({"format": "svgz"}, "format"),
        ({"layers": [{"id": "punti_p", "opacity": 3}]}, "layers"),
        ({"colour": 1}, "colour"),
        ({"highlight": "x"}, "highlight"),
    ],
)
def test_print_bad_input(client, change, parameter):
    r = client.post("/api/workspace/print", json={**BODY, **change})
    assert r.status_code == 400 and r.get_json()["parameter"] == parameter


def test_print_unknown_layer_is_404(client):
    r = client.post("/api/workspace/print", json={**BODY, "layers": ["nope"]})
    assert r.status_code == 404
