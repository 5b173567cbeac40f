"""A GIS office's QGIS 3.22 against a live server of the shipped Cremona layers (issue 19,
item 5): every collection over OAPIF, every download of every layer, and a render.

One QGIS process per test (tests/qgis.py runs tests/clients/qgis_client.py with Debian's
python3; each test skips, saying why, where QGIS is absent).

What QGIS 3.22 does that these tests pin down (and docs/qgis.md tells the office):
- its OAPIF provider reads field names from the features, not the titles of our
  `/schema`: the Italian field aliases come with the collection's QML style
  (`/api/collections/{id}/styles/default?f=qml`), loaded into the layer;
- it applies a GeoPackage's default style (`layer_styles`) on open, and the `.qml` beside a
  `.shp` only when the `.shp` is a file on disk: a shapefile opened inside the zip
  (`/vsizip/`) gets QGIS's single default symbol, so the office unzips first;
- its "Add layer" dialog lists a KML or CSV file (no declared geometry type) as one
  sublayer per geometry type and, when some rows are placed, drops the ones without a
  position; opened as a single layer the file gives every row (the GeoPackage, shapefile
  zip and GeoJSON keep every row either way);
- a collection none of whose features is placed is a layer without geometries, and QGIS
  refuses any QML naming a geometry type (aliases included) for it.
"""

from __future__ import annotations

import json
import urllib.request
import zipfile
from pathlib import Path

import pytest

from app.registry import load_registry
from app.styles.model import POINT_FILL_OPACITY
from tests.conftest import serve_app
from tests.qgis import run_qgis

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("qgis_client.py")
FORMATS = ("gpkg", "shp.zip", "geojson", "csv", "kml")
FAMILY = {"Point": "point", "Line": "line", "Polygon": "polygon"}  # QGIS's name -> ours


@pytest.fixture(scope="module")
def registry():
    return {spec.id: spec for spec in load_registry(ROOT / "layers", ROOT).published}


@pytest.fixture(scope="module")
def shipped_server(tmp_path_factory):
    """The shipped layers (layers/ + geodata/) served by a real process on a new store."""
    folder = tmp_path_factory.mktemp("qgis-shipped")
    settings = {
        "GEOPORTALE_STORE": str(folder / "shipped.gpkg"),
        "GEOPORTALE_LAYERS_DIR": str(ROOT / "layers"),
        "GEOPORTALE_DATA_ROOT": str(ROOT),
    }
    with serve_app(settings, folder) as url:
        yield url


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:
        assert response.status == 200, url
        return response.read()


def get_json(url: str):
    return json.loads(get(url))


@pytest.fixture(scope="module")
def collections(shipped_server):
    """id -> {"count": numberMatched, "placed": features with a geometry, "links": [...]}"""
    found = {}
    for c in get_json(shipped_server + "/api/collections")["collections"]:
        if c["geoportale"].get("kind") == "contributions":  # not a layer (no layer file)
            continue
        items = get_json(f"{shipped_server}/api/collections/{c['id']}/items?limit=10000")
        found[c["id"]] = {
            "count": items["numberMatched"],
            "placed": sum(1 for f in items["features"] if f["geometry"]),
            "links": c["links"],
        }
        assert items["numberReturned"] == items["numberMatched"]
    return found


def qml_href(links: list[dict], family: str | None) -> str:
    """The collection's QML style for `family` (a collection of one family has one)."""
    hrefs = [x["href"] for x in links if x["rel"] == "stylesheet" and "f=qml" in x["href"]]
    for href in hrefs:
        if family and f"family={family}" in href:
            return href
    return hrefs[0]


def category_colours(spec) -> set[str]:
    return {c.color.lower() for c in spec.style.categories or []}


def blend(colour: str, alpha: float) -> tuple[int, int, int]:
    """`colour` at `alpha` over white, as the renderer composes it."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return tuple(round(c * alpha + 255 * (1 - alpha)) for c in rgb)


def close(got, expected, tolerance=8) -> bool:
    return all(abs(g - e) <= tolerance for g, e in zip(got, expected, strict=True))


# ---- services ----------------------------------------------------------------------------
# How QGIS adds a collection from each of the geoportal's services: (provider, data source).
# The WMS (/wms) is being built on another branch: its QGIS loading ("wms" provider,
# `url=<base>/wms&layers=<id>&format=image/png&crs=EPSG:4326&styles=`) goes here, with its
# own checks (a raster layer has no features) in the test below.


def oapif_source(base: str, collection: str) -> tuple[str, str]:
    return "OAPIF", f"url={base}/api typename={collection}"


SERVICES = {"oapif": oapif_source}


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_collection_loads_in_qgis_with_its_fields_and_italian_aliases(
    service, shipped_server, collections, registry, tmp_path
):
    """Each collection loads; QGIS counts every feature the API counts and reads every
    field; with the collection's QML style loaded, the fields carry the Italian labels of
    the layer file and the renderer the layer's category colours."""
    # First pass: the layers as QGIS adds them, to learn the geometry type it chose.
    entries = []
    for cid in collections:
        provider, uri = SERVICES[service](shipped_server, cid)
        entries.append({"name": cid, "provider": provider, "uri": uri})
    first = run_qgis(SCRIPT, {"layers": entries}, tmp_path)["results"]
    # Second pass: each with the QML of the family QGIS made of it.
    for entry, result in zip(entries, first, strict=True):
        (layer,) = result["layers"]
        family = FAMILY.get(layer["layer_type"])
        href = qml_href(collections[entry["name"]]["links"], family)
        if family is None:  # a layer without geometries: the field labels alone
            href = href.split("?")[0] + "?f=qml&family=none"
        qml = tmp_path / f"{entry['name']}.qml"
        qml.write_bytes(get(href))
        entry["qml"] = str(qml)
    styled = run_qgis(SCRIPT, {"layers": entries}, tmp_path)["results"]
    assert [r["name"] for r in styled] == list(collections)
    for before, after in zip(first, styled, strict=True):
        cid = after["name"]
        spec = registry[cid]
        (plain,), (layer,) = before["layers"], after["layers"]
        assert layer["valid"], (cid, layer["error"])
        assert layer["count"] == collections[cid]["count"], cid
        assert sum(layer["types"].values()) == collections[cid]["count"], (cid, layer["types"])
        assert layer["types"].get("None", 0) == layer["count"] - collections[cid]["placed"]
        names = [f.name for f in spec.fields]
        assert set(names) <= set(layer["fields"]), (cid, set(names) - set(layer["fields"]))
        # QGIS 3.22's OAPIF provider takes no alias from the service (not from /schema)
        assert not any(plain["aliases"].values()), (cid, plain["aliases"])
        assert layer["style_ok"], (cid, layer["style_message"])
        for f in spec.fields:
            assert layer["aliases"][f.name] == f.label.it, (cid, f.name)
        if layer["layer_type"] not in FAMILY:
            # A collection none of whose features is placed (ciclabili, shipped) is a
            # layer without geometries in QGIS, which refuses a QML naming a geometry type:
            # its style is the field labels alone (family=none).
            assert collections[cid]["placed"] == 0, cid
            continue
        assert layer["renderer"] == "RuleRenderer", cid
        assert category_colours(spec) <= set(layer["colours"]), cid


def test_every_download_of_every_layer_opens_in_qgis_with_its_style(
    shipped_server, collections, registry, tmp_path
):
    """Every advertised download opens in QGIS: the sublayers its "Add layer" dialog lists
    add up to the layer's features (KML and CSV: its placed features, see the module's
    docstring; opened whole, every row); the GeoPackage comes with its default style and
    the unzipped shapefile with the .qml beside it, each with the layer's colours."""
    entries, expected, unzipped = [], {}, []
    for cid, info in collections.items():
        hrefs = [x["href"] for x in info["links"] if x["rel"] == "enclosure"]
        assert sorted(h.rsplit("/", 1)[1] for h in hrefs) == sorted(
            f"{cid}.{fmt}" for fmt in FORMATS
        ), cid
        for href in hrefs:
            name = href.rsplit("/", 1)[1]
            path = tmp_path / "downloads" / name
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(get(href))
            fmt = name.split(".", 1)[1]
            uri = f"/vsizip/{path}" if fmt == "shp.zip" else str(path)
            entries.append({"name": name, "uri": uri, "sublayers": True})
            placed_only = fmt in ("kml", "csv") and 0 < info["placed"] < info["count"]
            expected[name] = (cid, fmt, info["placed"] if placed_only else info["count"])
            if fmt in ("kml", "csv"):  # opened as one layer: every row
                entries.append({"name": name + ":whole", "uri": str(path), "provider": "ogr"})
                expected[name + ":whole"] = (cid, fmt, info["count"])
            if fmt == "shp.zip":  # unzipped, as the office saves it
                folder = tmp_path / "unzipped" / cid
                with zipfile.ZipFile(path) as z:
                    z.extractall(folder)
                for shp in sorted(folder.glob("*.shp")):
                    entries.append(
                        {"name": f"{name}:{shp.name}", "uri": str(shp), "sublayers": True}
                    )
                    expected[f"{name}:{shp.name}"] = (cid, "shp", None)
                unzipped.append((name, cid, info["count"]))
    results = run_qgis(SCRIPT, {"layers": entries}, tmp_path)["results"]
    assert len(results) == len(entries)
    counts = {}
    for result in results:
        cid, fmt, count = expected[result["name"]]
        layers = result["layers"]
        assert layers and all(x["valid"] for x in layers), (result["name"], layers)
        counts[result["name"]] = sum(x["count"] for x in layers)
        assert sum(sum(x["types"].values()) for x in layers) == counts[result["name"]]
        if count is not None:
            assert counts[result["name"]] == count, (result["name"], layers)
        colours = category_colours(registry[cid])
        styled = fmt in ("gpkg", "shp")
        for x in layers:
            placed = set(x["types"]) - {"None"}
            if not styled or not placed:  # nothing to draw, no style (ciclabili, shipped)
                continue
            # the GeoPackage's layer_styles default, the .qml beside the .shp
            assert x["renderer"] == "RuleRenderer", (result["name"], x["uri"])
            assert colours <= set(x["colours"]), (result["name"], x["uri"])
            if fmt == "gpkg":  # the field labels come with the style
                assert x["aliases"]["id"] == registry[cid].fields[0].label.it
    for name, _cid, count in unzipped:  # the files of a split zip add up
        got = sum(n for key, n in counts.items() if key.startswith(name + ":"))
        assert got == count, (name, got, count)


# Venues of the shipped cultura layer each alone within 150 m, in their category colour
# (layers/cultura.yaml; coordinates from geodata/cultura.geojson).
VENUES = [
    ("Teatro Monteverdi", "teatro", (10.024739, 45.140314)),
    ("Archivio di Stato di Cremona", "archivio", (10.022539, 45.139302)),
    ("Chiesa di San Sigismondo", "chiesa", (10.054254, 45.125651)),
]
EXTENT = [9.985, 45.115, 10.065, 45.160]


def test_qgis_draws_venues_in_their_category_colours_over_oapif(
    shipped_server, collections, registry, tmp_path
):
    """cultura over OAPIF with its served QML, rendered to a PNG by QgsMapRendererParallelJob:
    the pixel at each venue is its category's colour (points: opacity 0.9 over white)."""
    qml = tmp_path / "cultura.qml"
    qml.write_bytes(get(qml_href(collections["cultura"]["links"], "point")))
    provider, uri = oapif_source(shipped_server, "cultura")
    png = tmp_path / "cultura.png"
    job = {
        "layers": [{"name": "cultura", "provider": provider, "uri": uri, "qml": str(qml)}],
        "renders": [
            {
                "layers": ["cultura"],
                "extent": EXTENT,
                "size": [800, 600],
                "probes": [xy for *_, xy in VENUES],
                "png": str(png),
            }
        ],
    }
    (render,) = run_qgis(SCRIPT, job, tmp_path)["renders"]
    assert not render["render_errors"], render["render_errors"]
    assert png.read_bytes().startswith(b"\x89PNG")
    colour_of = {c.value: c.color for c in registry["cultura"].style.categories}
    for (name, tipo, _), got in zip(VENUES, render["pixels"], strict=True):
        assert close(got, blend(colour_of[tipo], POINT_FILL_OPACITY)), (name, got)
