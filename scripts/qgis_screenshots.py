"""Screenshots of QGIS rendering the geoportal's layers, for the README and docs/qgis.md.

Run with the Python that has QGIS (Debian: apt-get install python3-qgis), against a
geoportal already running (this script starts nothing):

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 scripts/qgis_screenshots.py http://127.0.0.1:5000

Each map adds the collections as a GIS office does (OAPIF, `url=<base>/api
typename=<id>`), loads each one's QML style as the geoportal serves it
(`/api/collections/{id}/styles/default?f=qml&family=...`, Italian labels), lays out the map
with a legend of what it shows and writes docs/screenshots/qgis-<name>.png.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import urllib.request
from pathlib import Path

from qgis.core import (
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsLayoutExporter,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsPrintLayout,
    QgsProject,
    QgsRectangle,
    QgsUnitTypes,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QRectF
from qgis.PyQt.QtGui import QColor, QFont

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
CRS = "EPSG:32632"  # WGS 84 / UTM 32N: true shapes at Cremona's latitude
FAMILY = {
    QgsWkbTypes.PointGeometry: "point",
    QgsWkbTypes.LineGeometry: "line",
    QgsWkbTypes.PolygonGeometry: "polygon",
}

# name -> (caption, collections top first, extent as lon/lat or None for the whole
# municipal boundary, the last collection); the boundary and quartieri under every map
MAPS = {
    "cultura": (
        "I luoghi della cultura intorno al centro storico, dal servizio OAPIF",
        ["cultura", "quartieri", "confine"],
        (9.998, 45.121, 10.058, 45.155),
    ),
    "interventi": (
        "Interventi del Comune per stato, dal servizio OAPIF",
        ["interventi", "quartieri", "confine"],
        None,
    ),
}


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read()


def add_collection(base: str, collection: dict, folder: Path) -> QgsVectorLayer:
    cid = collection["id"]
    layer = QgsVectorLayer(f"url={base}/api typename={cid}", collection["title"], "OAPIF")
    if not layer.isValid():
        raise SystemExit(f"QGIS could not load {cid} from {base}/api")
    family = FAMILY.get(layer.geometryType())
    if family is not None:
        qml = folder / f"{cid}.qml"
        query = f"f=qml&family={family}&lang=it"
        qml.write_bytes(fetch(f"{base}/api/collections/{cid}/styles/default?{query}"))
        message, ok = layer.loadNamedStyle(str(qml))
        if not ok:
            raise SystemExit(f"the style of {cid} did not load: {message}")
    return layer


def render(name: str, caption: str, layers: list[QgsVectorLayer], extent) -> Path:
    project = QgsProject.instance()
    project.clear()
    project.setCrs(QgsCoordinateReferenceSystem(CRS))
    for layer in layers:  # the layer tree in drawing order, top first
        project.addMapLayer(layer, False)
        project.layerTreeRoot().addLayer(layer)
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    page = layout.pageCollection().page(0)
    page.setPageSize(QgsLayoutSize(260, 170, QgsUnitTypes.LayoutMillimeters))
    title = QgsLayoutItemLabel(layout)
    title.setText(caption)
    title.setFont(QFont("DejaVu Sans", 13))
    layout.addLayoutItem(title)
    title.attemptMove(QgsLayoutPoint(6, 4))
    title.attemptResize(QgsLayoutSize(248, 9))
    item = QgsLayoutItemMap(layout)
    item.attemptSetSceneRect(QRectF(6, 14, 170, 150))
    item.setCrs(QgsCoordinateReferenceSystem(CRS))
    item.setLayers(layers)
    item.setKeepLayerSet(True)
    item.setFrameEnabled(True)
    item.setBackgroundColor(QColor(255, 255, 255))
    layout.addLayoutItem(item)
    item.zoomToExtent(extent)
    legend = QgsLayoutItemLegend(layout)
    legend.setTitle("Legenda")
    legend.setLinkedMap(item)
    legend.setLegendFilterByMapEnabled(True)  # only the categories on the map
    legend.setColumnCount(1)
    layout.addLayoutItem(legend)
    legend.attemptMove(QgsLayoutPoint(180, 14))
    exporter = QgsLayoutExporter(layout)
    settings = QgsLayoutExporter.ImageExportSettings()
    settings.dpi = 110
    path = OUT / f"qgis-{name}.png"
    result = exporter.exportToImage(str(path), settings)
    if result != QgsLayoutExporter.Success:
        raise SystemExit(f"QGIS could not export {path}: {exporter.errorMessage()}")
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", help="the running geoportal, e.g. http://127.0.0.1:5000")
    args = parser.parse_args(argv)
    base = args.base.rstrip("/")
    app = QgsApplication([], False)
    app.initQgis()
    titles = {c["id"]: c for c in json.loads(fetch(f"{base}/api/collections"))["collections"]}
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        for name, (caption, ids, lonlat) in MAPS.items():
            layers = [add_collection(base, titles[cid], Path(folder)) for cid in ids]
            boundary = layers[-1]  # the municipal boundary, its extent with a margin
            to_map = QgsCoordinateTransform(
                boundary.crs(), QgsCoordinateReferenceSystem(CRS), QgsProject.instance()
            )
            if lonlat is None:
                extent = to_map.transformBoundingBox(boundary.extent())
                extent.grow(600)
            else:
                extent = to_map.transformBoundingBox(QgsRectangle(*lonlat))
            print(render(name, caption, layers, extent), flush=True)
    sys.stdout.flush()
    # QGIS 3.22 may crash while tearing down with layers still referenced: the files are
    # written, so leave without the teardown.
    os._exit(0)


if __name__ == "__main__":
    main()
