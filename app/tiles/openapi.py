"""OpenAPI 3.0 path items of one collection's vector tiles, for app/ogcapi/openapi.py to merge.

Self-contained except for `#/components/responses/Problem`, which the main document defines.
"""

from __future__ import annotations

from app.geo.mvt import MIME
from app.geo.tilegrid import MAX_ZOOM

_PROBLEM = {"$ref": "#/components/responses/Problem"}
_JSON = {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}
_CACHED = {
    "ETag": {"schema": {"type": "string"}, "description": "(layer, store version, z/x/y)"},
    "Cache-Control": {"schema": {"type": "string"}},
}


def _int(name: str, description: str, maximum: int | None = None) -> dict:
    schema = {"type": "integer", "minimum": 0}
    if maximum is not None:
        schema["maximum"] = maximum
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema,
    }


def _get(op_id: str, summary: str, params: list, responses: dict) -> dict:
    return {
        "get": {
            "operationId": op_id,
            "summary": summary,
            "parameters": params,
            "responses": {**responses, "400": _PROBLEM, "404": _PROBLEM},
        }
    }


def tile_paths(layer_id: str, title: str) -> dict:
    """The /collections/{id}/tiles... paths of one layer."""
    base = f"/collections/{layer_id}/tiles"
    fmt = {
        "name": "f",
        "in": "query",
        "required": False,
        "description": "json (OGC TileSet) or tilejson (TileJSON 3.0.0).",
        "schema": {"type": "string", "enum": ["json", "tilejson"]},
    }
    tile_ok = {
        "description": "A Mapbox Vector Tile (one layer named after the collection).",
        "headers": _CACHED,
        "content": {MIME: {"schema": {"type": "string", "format": "binary"}}},
    }
    return {
        base: _get(
            f"getTileSets_{layer_id}",
            f"{title}: tilesets",
            [{**fmt, "schema": {"type": "string", "enum": ["json"]}}],
            {"200": _JSON},
        ),
        f"{base}/WebMercatorQuad": _get(
            f"getTileSet_{layer_id}", f"{title}: WebMercatorQuad tileset", [fmt], {"200": _JSON}
        ),
        f"{base}/WebMercatorQuad/tilejson.json": _get(
            f"getTileJSON_{layer_id}", f"{title}: TileJSON", [], {"200": _JSON}
        ),
        f"{base}/WebMercatorQuad/{{z}}/{{x}}/{{y}}": _get(
            f"getTile_{layer_id}",
            f"{title}: one vector tile",
            [
                _int("z", "Zoom level (tile matrix).", MAX_ZOOM),
                _int("x", "Column from the west, 0 to 2^z - 1."),
                _int("y", "Row from the north, 0 to 2^z - 1."),
            ],
            {
                "200": tile_ok,
                "204": {"description": "No feature in this tile.", "headers": _CACHED},
                "304": {"description": "Not modified (If-None-Match).", "headers": _CACHED},
            },
        ),
    }
