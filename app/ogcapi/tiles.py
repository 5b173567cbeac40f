"""Thin views of the vector tiles under /api (OGC API - Tiles style, plus TileJSON).

    /collections/{id}/tiles                                   tilesets of the collection
    /collections/{id}/tiles/WebMercatorQuad                   the tileset (?f=tilejson)
    /collections/{id}/tiles/WebMercatorQuad/tilejson.json     TileJSON 3.0.0
    /collections/{id}/tiles/WebMercatorQuad/{z}/{x}/{y}       a Mapbox Vector Tile

A tile answers 200 with MVT bytes, 204 when empty, 304 when the client's ETag still holds
(checked before any rendering), 400 for an address off the grid, 404 for an unknown layer.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, json, request

from app.errors import InvalidParameter
from app.query import check_known
from app.services import services
from app.tiles import MIME, TileService, parse_tile, tile_etag
from app.tiles import documents as docs
from app.tiles.openapi import tile_paths

bp = Blueprint("tiles", __name__)
# For the collection document, the conformance list and the OpenAPI document:
collection_links = docs.collection_links
CONFORMANCE = docs.CONFORMANCE
openapi_paths = tile_paths
# Revalidate after a minute: a publish must show within a minute even without the ETag.
CACHE_CONTROL = "public, max-age=60"
_EXT = "geoportale.tiles"


def _tile_service() -> TileService:
    """The app's TileService (one tile cache per app), made on first use for this store."""
    store = services().store
    found = current_app.extensions.get(_EXT)
    if found is None or found.store is not store:
        found = current_app.extensions[_EXT] = TileService(store)
    return found


def _check_params(allowed: set[str]) -> None:
    check_known(request.args, allowed)


def _json(doc: dict) -> Response:
    return Response(json.dumps(doc), mimetype="application/json")


@bp.get("/collections/<collection_id>/tiles")
def tilesets(collection_id: str):
    _check_params({"f"})
    _json_only()
    return _json(docs.tilesets(services().layer(collection_id)))


@bp.get("/collections/<collection_id>/tiles/WebMercatorQuad")
def tileset(collection_id: str):
    _check_params({"f"})
    svc = services()
    spec = svc.layer(collection_id)
    info = svc.store.describe(spec.id)
    if request.args.get("f") == "tilejson":
        return _json(docs.tilejson(spec, info))
    _json_only("json or f=tilejson")
    return _json(docs.tileset(spec, info))


@bp.get("/collections/<collection_id>/tiles/WebMercatorQuad/tilejson.json")
def tilejson(collection_id: str):
    _check_params(set())
    svc = services()
    spec = svc.layer(collection_id)
    return _json(docs.tilejson(spec, svc.store.describe(spec.id)))


@bp.get("/collections/<collection_id>/tiles/WebMercatorQuad/<z>/<x>/<y>")
def tile(collection_id: str, z: str, x: str, y: str):
    _check_params(set())
    svc = services()
    spec = svc.layer(collection_id)
    address = parse_tile(z, x, y)
    version = svc.store.describe(spec.id).version
    etag = tile_etag(spec.id, version, address)
    if request.if_none_match.contains(etag):
        return _tile_response(None, etag, 304)
    data = _tile_service().render(spec, version, address)
    return _tile_response(data, etag, 200 if data else 204)


def _tile_response(data: bytes | None, etag: str, status: int) -> Response:
    response = Response(data or b"", status=status, mimetype=MIME)
    if not data:  # 204 and 304 carry no body, so no type
        del response.headers["Content-Type"]
    response.set_etag(etag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def _json_only(accepted: str = "json") -> None:
    fmt = request.args.get("f")
    if fmt not in (None, "json"):
        raise InvalidParameter(f"f={fmt!r} is not available here; use f={accepted}", "f")
