"""The JSON documents of the vector tiles: OGC API - Tiles tileset list and tileset, TileJSON.

URLs are absolute and built from the `tiles` blueprint's endpoints. The tile path is
z/x/y (XYZ, as TileJSON and Leaflet use it); the OGC link template names its variables
(`{tileMatrix}/{tileCol}/{tileRow}`), so an OGC client substitutes them correctly too.
"""

from __future__ import annotations

from flask import url_for

from app.geo.mvt import MIME
from app.geo.tilegrid import EPSG_3857, TILE_MATRIX_SET, TILE_MATRIX_SET_URI
from app.registry.spec import LayerSpec
from app.stores.base import LayerInfo

JSON = "application/json"
TILEJSON = "application/json"  # TileJSON has no registered media type of its own
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
REL_TILESETS = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"
REL_SCHEME = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
]
# Zooms announced to clients; the server answers up to grid.MAX_ZOOM.
MIN_ZOOM, MAX_ZOOM_ADVERTISED = 0, 22
_FIELD_TYPES = {
    "string": "String",
    "date": "String",
    "integer": "Number",
    "number": "Number",
    "boolean": "Boolean",
}
_DIMENSION = {"Point": 0, "MultiPoint": 0, "LineString": 1, "MultiLineString": 1}


def _link(href: str, rel: str, type_: str, title: str | None = None, **extra) -> dict:
    out = {"href": href, "rel": rel, "type": type_, **extra}
    if title:
        out["title"] = title
    return out


def _url(endpoint: str, **values) -> str:
    return url_for(endpoint, _external=True, **values)


def tile_template(layer_id: str, names: tuple[str, str, str] = ("z", "x", "y")) -> str:
    """The absolute tile URL with `{z}`, `{x}`, `{y}` (or other names) left as placeholders."""
    base = _url("tiles.tile", collection_id=layer_id, z=0, x=0, y=0)
    return base[: -len("0/0/0")] + "/".join("{" + n + "}" for n in names)


def collection_links(layer_id: str) -> list[dict]:
    """Links to add to a collection document (OGC API - Tiles, Part 1 §7.2)."""
    return [
        _link(
            _url("tiles.tilesets", collection_id=layer_id),
            REL_TILESETS,
            JSON,
            "Vector tiles (Mapbox Vector Tiles)",
        ),
    ]


def _layer(spec: LayerSpec, lang: str) -> dict:
    layer = {
        "id": spec.id,
        "title": spec.title.get(lang),
        "dataType": "vector",
        "minTileMatrix": str(MIN_ZOOM),
        "maxTileMatrix": str(MAX_ZOOM_ADVERTISED),
        "propertiesSchema": {
            "type": "object",
            "properties": {
                f.name: {
                    "type": {"date": "string"}.get(f.type, f.type),
                    "title": f.label.get(lang),
                }
                for f in spec.fields
            },
        },
    }
    if spec.geometry_type != "Geometry":  # mixed layers have no single dimension
        layer["geometryDimension"] = _DIMENSION.get(spec.geometry_type, 2)
    return layer


def _tileset_summary(spec: LayerSpec, lang: str) -> dict:
    return {
        "title": spec.title.get(lang),
        "dataType": "vector",
        "crs": EPSG_3857,
        "tileMatrixSetURI": TILE_MATRIX_SET_URI,
        "links": [
            _link(
                _url("tiles.tileset", collection_id=spec.id),
                "self",
                JSON,
                f"{TILE_MATRIX_SET} tileset",
            ),
            _link(TILE_MATRIX_SET_URI, REL_SCHEME, JSON, "WebMercatorQuad"),
        ],
    }


def tilesets(spec: LayerSpec, lang: str = "it") -> dict:
    """`/collections/{id}/tiles`: the tilesets of a collection (one, WebMercatorQuad)."""
    return {
        "links": [
            _link(_url("tiles.tilesets", collection_id=spec.id), "self", JSON, "Tilesets"),
            _link(
                _url("ogcapi.collection", collection_id=spec.id), "collection", JSON, "Collection"
            ),
        ],
        "tilesets": [_tileset_summary(spec, lang)],
    }


def tileset(spec: LayerSpec, info: LayerInfo, lang: str = "it") -> dict:
    """`/collections/{id}/tiles/WebMercatorQuad`: the tileset metadata (OGC TileSet)."""
    doc = _tileset_summary(spec, lang)
    doc["links"] = [
        *doc["links"],
        _link(
            tile_template(spec.id, ("tileMatrix", "tileCol", "tileRow")),
            "item",
            MIME,
            "Mapbox Vector Tile",
            templated=True,
        ),
        _link(_url("tiles.tilejson", collection_id=spec.id), "describedby", TILEJSON, "TileJSON"),
        _link(_url("ogcapi.collection", collection_id=spec.id), "collection", JSON, "Collection"),
    ]
    doc["layers"] = [_layer(spec, lang)]
    if info.bbox:
        doc["boundingBox"] = {
            "lowerLeft": list(info.bbox[:2]),
            "upperRight": list(info.bbox[2:]),
            "crs": CRS84,
        }
    return doc


def tilejson(spec: LayerSpec, info: LayerInfo, lang: str = "it") -> dict:
    """The TileJSON 3.0.0 document of a layer's vector tiles."""
    bounds = list(info.bbox) if info.bbox else [-180.0, -85.0511287798066, 180.0, 85.0511287798066]
    center = [(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2, 13 if info.bbox else 0]
    doc = {
        "tilejson": "3.0.0",
        "name": spec.title.get(lang),
        "description": spec.metadata.abstract.get(lang),
        "version": f"1.0.{info.version}",
        "scheme": "xyz",
        "tiles": [tile_template(spec.id)],
        "minzoom": MIN_ZOOM,
        "maxzoom": MAX_ZOOM_ADVERTISED,
        "bounds": bounds,
        "center": center,
        "vector_layers": [
            {
                "id": spec.id,
                "description": spec.title.get(lang),
                "minzoom": MIN_ZOOM,
                "maxzoom": MAX_ZOOM_ADVERTISED,
                "fields": {f.name: _FIELD_TYPES[f.type] for f in spec.fields},
            }
        ],
    }
    if spec.metadata.attribution:
        doc["attribution"] = spec.metadata.attribution
    return doc
