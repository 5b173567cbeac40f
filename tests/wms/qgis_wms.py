"""Run by Debian's python3 with QGIS (tests/qgis.py), never imported by pytest.

Loads the geoportal's WMS as a QGIS 'wms' provider layer (the URI QGIS's own WMS dialog
writes), renders the requested extent and reports validity, the layer's CRS and the colours
of the pixels at the probe points (map coordinates).
"""

import json
import sys

from qgis.core import (
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsPointXY,
    QgsRasterLayer,
    QgsRectangle,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor


def main():
    job = json.load(open(sys.argv[1], encoding="utf-8"))
    app = QgsApplication([], False)
    app.initQgis()
    layer = QgsRasterLayer(job["uri"], "wms", "wms")
    out = {"valid": layer.isValid(), "error": layer.error().message() if layer.error() else ""}
    if layer.isValid():
        settings = QgsMapSettings()
        settings.setLayers([layer])
        settings.setDestinationCrs(QgsCoordinateReferenceSystem(job["crs"]))
        settings.setOutputSize(QSize(*job["size"]))
        settings.setOutputDpi(96)
        settings.setBackgroundColor(QColor(255, 255, 255))
        settings.setExtent(QgsRectangle(*job["extent"]))
        render = QgsMapRendererParallelJob(settings)
        render.start()
        render.waitForFinished()
        image = render.renderedImage()
        image.save(job["png"], "PNG")
        to_pixel = settings.mapToPixel()
        pixels = []
        for x, y in job["probes"]:
            p = to_pixel.transform(QgsPointXY(x, y))
            c = QColor(image.pixel(int(p.x()), int(p.y())))
            pixels.append([c.red(), c.green(), c.blue()])
        out["pixels"] = pixels
        out["errors"] = [e.message for e in render.errors()]
        out["crs"] = layer.crs().authid()
    app.exitQgis()
    print(json.dumps(out))


main()
