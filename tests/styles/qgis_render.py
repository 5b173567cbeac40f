"""Run by Debian's python3 with QGIS (tests/qgis.py), never imported by pytest.

For each layer of the job: open it (QGIS applies a GeoPackage's default style from its
`layer_styles` table on open), or load a QML / SLD file into it, render the extent to an
image and report what QGIS made of the style (errors, rules, aliases) and the colours of
the pixels at the probe points (map coordinates).
"""

import json
import os
import sys

from qgis.core import (
    QgsApplication,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsPointXY,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor


def describe(layer):
    renderer = layer.renderer()
    out = {"renderer": renderer.type() if renderer else None, "rules": []}
    if renderer is not None and renderer.type() == "RuleRenderer":
        out["rules"] = [r.label() for r in renderer.rootRule().children()]
    out["aliases"] = {f.name(): layer.attributeAlias(i) for i, f in enumerate(layer.fields())}
    return out


def render(layer, extent, size, probes):
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(layer.crs())
    settings.setOutputSize(QSize(*size))
    settings.setOutputDpi(96)
    settings.setBackgroundColor(QColor(255, 255, 255))
    settings.setExtent(QgsRectangle(*extent))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    to_pixel = settings.mapToPixel()
    pixels = []
    for x, y in probes:
        p = to_pixel.transform(QgsPointXY(x, y))
        c = QColor(image.pixel(int(p.x()), int(p.y())))
        pixels.append([c.red(), c.green(), c.blue()])
    return pixels, [e.message for e in job.errors()]


def main():
    job = json.load(open(sys.argv[1], encoding="utf-8"))
    app = QgsApplication([], False)
    app.initQgis()
    results = []
    for spec in job["layers"]:
        layer = QgsVectorLayer(spec["uri"], spec["name"], "ogr")
        result = {"name": spec["name"], "valid": layer.isValid(), "ok": True, "message": ""}
        kind = spec["style"]
        if kind == "qml":
            message, ok = layer.loadNamedStyle(spec["style_path"])
            result.update(ok=bool(ok), message=message)
        elif kind == "sld":
            message, ok = layer.loadSldStyle(spec["style_path"])
            result.update(ok=bool(ok), message=message)
        result.update(describe(layer))
        result["pixels"], result["render_errors"] = render(
            layer, spec["extent"], spec["size"], spec["probes"]
        )
        results.append(result)
    print(json.dumps({"results": results}), flush=True)
    # QGIS 3.22 may crash while tearing down (exitQgis with layers still referenced):
    # the answer is out, so leave without the teardown.
    os._exit(0)


main()
