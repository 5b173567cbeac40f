"""What a write request of OGC API - Features Part 4 asks for, read from its headers and body.

Small named functions, no store and no HTTP response: `created`, `replaced`, `patched`
and `deleted` turn the request into the store's `FeatureEdit`; `if_match` and
`writer` give the precondition and the authenticated user. Geometries arrive in CRS84 or
in the CRS the `Content-Crs` header names (as Part 2 writes CRS URIs), and leave here in
CRS84, the only CRS the store sees.
"""

from __future__ import annotations

import re
from typing import Any

import orjson
from flask import request

from app.admin import auth
from app.admin.account_rules import User
from app.errors import InvalidFeature, InvalidParameter, UnsupportedMediaType
from app.geo.crs import crs_from_uri, geometry_from, supported_crs_uris
from app.ogcapi.links import GEOJSON, JSON
from app.registry.spec import LayerSpec
from app.stores.edits import PLACEMENT_KEYS, FeatureEdit

MERGE_PATCH = "application/merge-patch+json"
#: Media types of a body: a feature for POST and PUT, a merge patch for PATCH.
FEATURE_TYPES = (GEOJSON, JSON)
PATCH_TYPES = (MERGE_PATCH, GEOJSON, JSON)
_PATCH_KEYS = ("type", "id", "properties", "geometry", "placement")
_GEOMETRY_TYPES = frozenset(
    (
        "Point",
        "MultiPoint",
        "LineString",
        "MultiLineString",
        "Polygon",
        "MultiPolygon",
        "GeometryCollection",
    )
)


def writer() -> User:
    """The user making this write: a Bearer token, or the admin session with its CSRF
    token (app/admin/auth.py); 401 for anonymous, 403 below the editor role."""
    return auth.api_writer("editor")


_COMPRESSED_ETAG = re.compile(r':(?:gzip|br|deflate|zstd)"')


def if_match() -> str | None:
    """The ETag(s) the client read (the store compares them). A compressed response's ETag
    carries its coding (flask-compress writes `"tag:gzip"`): the feature's is the tag."""
    raw = request.headers.get("If-Match")
    return None if raw is None else _COMPRESSED_ETAG.sub('"', raw)


def content_crs() -> str:
    """The CRS of the body's geometry: `Content-Crs: <uri>`, CRS84 when absent."""
    raw = request.headers.get("Content-Crs")
    if raw is None:
        return "OGC:CRS84"
    try:
        return crs_from_uri(raw.strip().removeprefix("<").removesuffix(">"))
    except ValueError:
        raise InvalidParameter(
            f"Content-Crs {raw!r} is not supported; use one of: "
            + ", ".join(f"<{u}>" for u in supported_crs_uris()),
            "Content-Crs",
        ) from None


def _json_body(accepted: tuple[str, ...]) -> Any:
    if request.mimetype not in accepted:
        raise UnsupportedMediaType(
            f"the body must be {' or '.join(accepted)} (Content-Type was "
            f"{request.mimetype or 'missing'!r})",
            "Content-Type",
        )
    try:
        return orjson.loads(request.get_data(cache=True))
    except orjson.JSONDecodeError as exc:
        raise InvalidParameter(f"the body is not JSON: {exc}", "body") from None


def _geometry(value: Any, crs: str) -> dict | None:
    """A GeoJSON geometry object (or null: unplaced) moved to CRS84."""
    if value is None:
        return None
    if not isinstance(value, dict) or value.get("type") not in _GEOMETRY_TYPES:
        raise InvalidFeature("geometry must be a GeoJSON geometry object or null", "geometry")
    try:
        return geometry_from(value, crs)
    except ValueError as exc:
        raise InvalidFeature(f"geometry cannot be read in {crs}: {exc}", "geometry") from None


def _object(body: dict, key: str) -> dict:
    value = body.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidFeature(f"'{key}' must be a JSON object", key)
    return value


def _placement(body: dict) -> dict | None:
    placement = _object(body, "placement")
    unknown = sorted(set(placement) - set(PLACEMENT_KEYS))
    if unknown:  # the store says so too; here before any other check of the body
        raise InvalidFeature(
            f"unknown placement key '{unknown[0]}' (known: {', '.join(PLACEMENT_KEYS)})",
            f"placement.{unknown[0]}",
        )
    return placement or None


def _feature(spec: LayerSpec) -> tuple[dict, dict]:
    """The body as a GeoJSON Feature: (body, properties)."""
    body = _json_body(FEATURE_TYPES)
    if not isinstance(body, dict) or body.get("type") != "Feature":
        raise InvalidParameter('the body must be a GeoJSON Feature ("type": "Feature")', "body")
    if "geometry" not in body:
        raise InvalidFeature(
            "a GeoJSON Feature has a 'geometry' member (null for an unplaced feature)",
            "geometry",
        )
    return body, dict(_object(body, "properties"))


def created(spec: LayerSpec) -> FeatureEdit:
    """POST: the id is `properties[id_field]`, else the Feature's `id`, else the store's."""
    body, properties = _feature(spec)
    if properties.get(spec.id_field) in (None, "") and body.get("id") not in (None, ""):
        properties[spec.id_field] = body["id"]
    return FeatureEdit(
        "create",
        geometry=_geometry(body["geometry"], content_crs()),
        properties=properties,
        placement=_placement(body),
    )


def _same_id(body: dict, feature_id: str) -> None:
    given = body.get("id")
    if given not in (None, "") and str(given) != feature_id:
        raise InvalidFeature(
            f"the body's id ({given}) is not the feature's ({feature_id}): ids cannot change",
            "id",
        )


def replaced(spec: LayerSpec, feature_id: str) -> FeatureEdit:
    """PUT: the whole feature (fields left out become empty)."""
    body, properties = _feature(spec)
    _same_id(body, feature_id)
    return FeatureEdit(
        "replace",
        feature_id,
        geometry=_geometry(body["geometry"], content_crs()),
        properties=properties,
        placement=_placement(body),
    )


def patched(spec: LayerSpec, feature_id: str) -> FeatureEdit:
    """PATCH, a JSON merge patch (RFC 7396) of the feature: the properties given change
    (null removes a value); a `geometry` member replaces the geometry (null: unplaced)."""
    body = _json_body(PATCH_TYPES)
    if not isinstance(body, dict):
        raise InvalidParameter("the body must be a JSON object (a merge patch)", "body")
    unknown = sorted(set(body) - set(_PATCH_KEYS))
    if unknown:
        raise InvalidParameter(
            f"unknown member '{unknown[0]}' (a patch has {', '.join(_PATCH_KEYS[2:])})",
            unknown[0],
        )
    _same_id(body, feature_id)
    set_geometry = "geometry" in body
    return FeatureEdit(
        "update",
        feature_id,
        geometry=_geometry(body["geometry"], content_crs()) if set_geometry else None,
        properties=dict(_object(body, "properties")),
        set_geometry=set_geometry,
        placement=_placement(body),
    )


def deleted(feature_id: str) -> FeatureEdit:
    return FeatureEdit("delete", feature_id)
