"""Run by Debian's python3 with QGIS (tests/qgis.py), never imported by pytest.

A GIS office's QGIS 3.22 in one process: for each entry of the job, add a layer as QGIS's
"Add layer" dialogs do (an OAPIF collection; a file, listed into its sublayers as the
dialog lists them, or opened as given), load a QML style into it where the entry names one,
and report what QGIS made of it: validity, feature count, the geometry types of the
features it reads, field names and aliases, the renderer and its colours. An entry with
`render` also draws the layers it names over one another into a PNG and reports the
colours at the probe points (map coordinates).
"""

import json
import os
import sys

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsPointXY,
    QgsProviderRegistry,
    QgsRectangle,
    QgsRenderContext,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor


def colours(renderer):
    """The fill colours of the renderer's symbols, as #rrggbb (rules or categories)."""
    if renderer is None:
        return []
    kind = renderer.type()
    if kind == "RuleRenderer":
        symbols = [r.symbol() for r in renderer.rootRule().descendants() if r.symbol()]
    elif kind == "categorizedSymbol":
        symbols = [c.symbol() for c in renderer.categories()]
    else:
        symbols = renderer.symbols(QgsRenderContext())
    return [s.color().name() for s in symbols if s is not None]


def describe(layer):
    renderer = layer.renderer()
    types = {}
    for feature in layer.getFeatures():
        geometry = feature.geometry()
        name = "None"
        if feature.hasGeometry() and not geometry.isEmpty():
            name = QgsWkbTypes.geometryDisplayString(geometry.type())
        types[name] = types.get(name, 0) + 1
    return {
        "valid": layer.isValid(),
        "error": layer.dataProvider().error().message() if layer.dataProvider() else "",
        "count": layer.featureCount(),
        "types": types,
        "layer_type": QgsWkbTypes.geometryDisplayString(layer.geometryType()),
        "fields": [f.name() for f in layer.fields()],
        "aliases": {f.name(): layer.attributeAlias(i) for i, f in enumerate(layer.fields())},
        "renderer": renderer.type() if renderer else None,
        "colours": colours(renderer),
    }


def open_layers(entry):
    """(name, layer) for the entry: a URI as given, or the sublayers QGIS lists for a file."""
    if entry.get("sublayers"):
        details = QgsProviderRegistry.instance().querySublayers(
            entry["uri"], Qgis.SublayerQueryFlag.ResolveGeometryType
        )
        return [
            (d.uri(), QgsVectorLayer(d.uri(), d.name(), d.providerKey()))
            for d in details
            if d.type() == 0  # vector
        ]
    return [(entry["uri"], QgsVectorLayer(entry["uri"], entry["name"], entry["provider"]))]


def render(layers, spec):
    settings = QgsMapSettings()
    settings.setLayers(layers)  # the first on top
    settings.setDestinationCrs(QgsCoordinateReferenceSystem(spec.get("crs", "EPSG:4326")))
    settings.setOutputSize(QSize(*spec["size"]))
    settings.setOutputDpi(96)
    settings.setBackgroundColor(QColor(255, 255, 255))
    settings.setExtent(QgsRectangle(*spec["extent"]))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    if spec.get("png"):
        image.save(spec["png"], "PNG")
    to_pixel = settings.mapToPixel()
    pixels = []
    for x, y in spec.get("probes", []):
        p = to_pixel.transform(QgsPointXY(x, y))
        c = QColor(image.pixel(int(p.x()), int(p.y())))
        pixels.append([c.red(), c.green(), c.blue()])
    return {"pixels": pixels, "render_errors": [e.message for e in job.errors()]}


def main():
    job = json.load(open(sys.argv[1], encoding="utf-8"))
    app = QgsApplication([], False)
    app.initQgis()
    results = []
    kept = {}  # name -> layer, for the renders
    for entry in job["layers"]:
        opened = []
        for uri, layer in open_layers(entry):
            report = {"uri": uri, "style_ok": None, "style_message": ""}
            if entry.get("qml"):
                message, ok = layer.loadNamedStyle(entry["qml"])
                report.update(style_ok=bool(ok), style_message=message)
            report.update(describe(layer))
            opened.append(report)
            kept[entry["name"]] = layer
        results.append({"name": entry["name"], "layers": opened})
    renders = []
    for spec in job.get("renders", []):
        renders.append(render([kept[name] for name in spec["layers"]], spec))
    print(json.dumps({"results": results, "renders": renders}), flush=True)
    # QGIS 3.22 may crash while tearing down (exitQgis with layers still referenced):
    # the answer is out, so leave without the teardown.
    os._exit(0)


main()
