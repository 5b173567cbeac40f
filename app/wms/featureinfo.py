"""GetFeatureInfo: the features of the queried layers at a pixel, as HTML, GeoJSON or GML.

The pixel's centre becomes a point of the map's CRS; features within TOLERANCE pixels of
it (a point's marker radius if larger) are read from the store at the version drawn, the
nearest first, at most FEATURE_COUNT per layer. Values in HTML are escaped; GML is GML 3.1.1
with geometries in CRS84 (longitude first, said by their srsName).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import shapely
from shapely.geometry import mapping, shape

from app.geo.crs import transformer
from app.i18n import translate
from app.registry.spec import LayerSpec
from app.stores.base import FeatureStore, Query
from app.wms.params import WmsCrs
from app.wms.render import crs84_bounds

TOLERANCE = 5  # px
MAX_FEATURE_COUNT = 50
FORMATS = {
    "text/html": "html",
    "application/json": "json",
    "application/geo+json": "json",
    "application/vnd.ogc.gml": "gml",
    "application/vnd.ogc.gml/3.1.1": "gml",
    "text/xml": "gml",
}
#: The formats the capabilities list, the first the default.
ADVERTISED = ("text/html", "application/json", "application/vnd.ogc.gml", "text/xml")
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


@dataclass(frozen=True)
class Hit:
    spec: LayerSpec
    id: object
    properties: dict
    geometry: dict | None


def pixel_point(bbox, width: int, height: int, i: int, j: int) -> tuple[float, float]:
    """The map coordinates (easting first) of the centre of pixel (i, j), j from the top."""
    x = bbox[0] + (i + 0.5) * (bbox[2] - bbox[0]) / width
    y = bbox[3] - (j + 0.5) * (bbox[3] - bbox[1]) / height
    return x, y


def query(
    store: FeatureStore,
    layers: list[tuple[LayerSpec, int]],
    crs: WmsCrs,
    bbox,
    size: tuple[int, int],
    pixel: tuple[int, int],
    feature_count: int,
) -> list[Hit]:
    width, height = size
    x, y = pixel_point(bbox, width, height, *pixel)
    unit = max((bbox[2] - bbox[0]) / width, (bbox[3] - bbox[1]) / height)
    to_map = transformer("OGC:CRS84", crs.pyproj)
    hits: list[Hit] = []
    for spec, version in layers:
        tolerance = unit * max(TOLERANCE, spec.style.radius + 1)
        area = crs84_bounds(crs, (x - tolerance, y - tolerance, x + tolerance, y + tolerance))
        if area is None:
            continue
        page = store.query(spec, Query(bbox=area, limit=MAX_FEATURE_COUNT * 4), version)
        click = shapely.Point(x, y)
        ranked = []
        for feature in page.features:
            if feature.geometry is None:
                continue
            geom = shapely.transform(
                shape(feature.geometry),
                lambda xy: _stack(to_map.transform(xy[:, 0], xy[:, 1])),
            )
            distance = geom.distance(click)
            if distance <= tolerance:
                ranked.append((distance, feature))
        ranked.sort(key=lambda pair: pair[0])
        for _, feature in ranked[:feature_count]:
            hits.append(Hit(spec, feature.id, feature.properties, feature.geometry))
    return hits


def _stack(xy):
    import numpy as np

    return np.column_stack(xy)


# -- encodings ---------------------------------------------------------------------------------


def as_json(hits: list[Hit]) -> str:
    features = [
        {
            "type": "Feature",
            "id": h.id,
            "layer": h.spec.id,
            "geometry": h.geometry,
            "properties": h.properties,
        }
        for h in hits
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def as_html(hits: list[Hit], lang: str = "it") -> str:
    out = [
        '<!DOCTYPE html>\n<html lang="',
        lang,
        '"><head><meta charset="utf-8"><title>GetFeatureInfo</title></head><body>\n',
    ]
    if not hits:
        out.append(f"<p>{escape(translate('Nessun elemento qui.', lang))}</p>")
    by_layer: dict[str, list[Hit]] = {}
    for h in hits:
        by_layer.setdefault(h.spec.id, []).append(h)
    for found in by_layer.values():
        spec = found[0].spec
        out.append(f"<h2>{escape(spec.title.get(lang))}</h2>\n")
        for h in found:
            out.append('<table class="featureinfo">')
            for field in spec.fields:
                out.append(
                    f"<tr><th>{escape(field.label.get(lang))}</th>"
                    f"<td>{escape(_text(h.properties.get(field.name)))}</td></tr>"
                )
            out.append("</table>\n")
    out.append("</body></html>\n")
    return "".join(out)


def _pos(coords) -> str:
    return " ".join(f"{c[0]:.8g} {c[1]:.8g}" for c in coords)


def _ring(coords, tag: str) -> str:
    return f"<gml:{tag}><gml:LinearRing><gml:posList>{_pos(coords)}</gml:posList></gml:LinearRing></gml:{tag}>"


def gml_geometry(geometry: dict) -> str:
    kind, c = geometry["type"], geometry.get("coordinates")
    srs = f' srsName="{CRS84}"'
    if kind == "Point":
        return f"<gml:Point{srs}><gml:pos>{_pos([c])}</gml:pos></gml:Point>"
    if kind == "LineString":
        return f"<gml:LineString{srs}><gml:posList>{_pos(c)}</gml:posList></gml:LineString>"
    if kind == "Polygon":
        inner = "".join(_ring(r, "interior") for r in c[1:])
        return f"<gml:Polygon{srs}>{_ring(c[0], 'exterior')}{inner}</gml:Polygon>"
    if kind == "MultiPoint":
        parts = "".join(
            f"<gml:pointMember>{gml_geometry({'type': 'Point', 'coordinates': p})}</gml:pointMember>"
            for p in c
        )
        return f"<gml:MultiPoint{srs}>{parts}</gml:MultiPoint>"
    if kind == "MultiLineString":
        parts = "".join(
            "<gml:curveMember>"
            + gml_geometry({"type": "LineString", "coordinates": p})
            + "</gml:curveMember>"
            for p in c
        )
        return f"<gml:MultiCurve{srs}>{parts}</gml:MultiCurve>"
    if kind == "MultiPolygon":
        parts = "".join(
            "<gml:surfaceMember>"
            + gml_geometry({"type": "Polygon", "coordinates": p})
            + "</gml:surfaceMember>"
            for p in c
        )
        return f"<gml:MultiSurface{srs}>{parts}</gml:MultiSurface>"
    return gml_geometry(mapping(shapely.geometry.shape(geometry).envelope))


def as_gml(hits: list[Hit], namespace: str) -> str:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<gml:FeatureCollection xmlns:gml="http://www.opengis.net/gml" ',
        f"xmlns:gp={quoteattr(namespace)}>\n",
    ]
    for h in hits:
        gid = quoteattr(f"{h.spec.id}.{h.id}")
        out.append(f"<gml:featureMember><gp:{h.spec.id} gml:id={gid}>")
        if h.geometry:
            out.append(f"<gp:geometry>{gml_geometry(h.geometry)}</gp:geometry>")
        for field in h.spec.fields:
            value = h.properties.get(field.name)
            if value is not None:
                out.append(f"<gp:{field.name}>{escape(_text(value))}</gp:{field.name}>")
        out.append(f"</gp:{h.spec.id}></gml:featureMember>\n")
    out.append("</gml:FeatureCollection>\n")
    return "".join(out)
