"""The checks of one edited feature, before it is recorded (see `catalog_edits.py`).

`validated` checks a feature against its layer file and returns it as GeoJSON with typed
properties: its fields known, typed and within MAX_TEXT, the required ones present, its id
unchanged, its geometry valid, of the layer's type and in lon/lat range. `checked_placement`
checks an edit's placement record and copies it into the layer's fields; `if_match_etags`
reads the ETags of an If-Match header. Each refusal is an `InvalidFeature` naming the field.
"""

from __future__ import annotations

import pandas as pd
import shapely
import shapely.geometry

from app.errors import DataError, InvalidFeature
from app.registry.precision import PRECISION
from app.registry.spec import LayerSpec
from app.stores.edits import PLACEMENT_KEYS, FeatureEdit
from app.stores.prepare import cast_value

_MULTI = {"Point": "MultiPoint", "LineString": "MultiLineString", "Polygon": "MultiPolygon"}
#: Longest text a field of an edited feature may hold (a paragraph of a council document
#: fits many times over; a pasted file does not).
MAX_TEXT = 20_000


def _geometry(spec: LayerSpec, geometry) -> dict | None:
    """The geometry checked against the layer: valid, of its type (single parts promoted to
    multi where the layer is multi), in lon/lat range; as GeoJSON. None stays None."""
    if geometry is None:
        return None
    if not isinstance(geometry, dict):
        raise InvalidFeature("the geometry must be a GeoJSON geometry object", "geometry")
    try:
        shape = shapely.geometry.shape(geometry)
    except Exception as exc:  # noqa: BLE001 (shapely raises many kinds on bad GeoJSON)
        raise InvalidFeature(f"the geometry is not valid GeoJSON: {exc}", "geometry") from None
    if shape.is_empty:
        return None
    if not shapely.is_valid(shape):
        reason = shapely.is_valid_reason(shape)
        raise InvalidFeature(
            f"the geometry is not valid ({reason}): redraw it without crossing edges",
            "geometry",
        )
    minx, miny, maxx, maxy = shape.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise InvalidFeature(
            "coordinates outside longitude/latitude range: send CRS84 (lon, lat) or name the "
            "CRS in Content-Crs",
            "geometry",
        )
    want = spec.geometry_type
    kind = shape.geom_type
    if want != "Geometry" and kind != want:
        if _MULTI.get(kind) == want:
            shape = {
                "MultiPoint": shapely.multipoints,
                "MultiLineString": shapely.multilinestrings,
                "MultiPolygon": shapely.multipolygons,
            }[want]([shape])
        else:
            raise InvalidFeature(
                f"layer '{spec.id}' holds {want} geometries, not {kind}", "geometry"
            )
    return _lists(shapely.geometry.mapping(shape))


def _lists(value):
    """shapely's mapping (tuples) as plain GeoJSON (lists)."""
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    return value


def _plain(value):
    """A pandas/numpy scalar as plain JSON-able Python."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def validated(spec: LayerSpec, feature_id, geometry, properties: dict) -> dict:
    """A feature to store, as GeoJSON with typed properties; InvalidFeature names the field."""
    unknown = sorted(set(properties) - set(spec.field_names))
    if unknown:
        raise InvalidFeature(
            f"layer '{spec.id}' has no field '{unknown[0]}' (fields: "
            f"{', '.join(spec.field_names)})",
            unknown[0],
        )
    props = {}
    for f in spec.fields:
        raw = properties.get(f.name)
        if isinstance(raw, dict | list):
            raise InvalidFeature(f"field '{f.name}' takes a single {f.type} value", f.name)
        if isinstance(raw, str) and len(raw) > MAX_TEXT:
            raise InvalidFeature(f"field '{f.name}' is longer than {MAX_TEXT} characters", f.name)
        try:
            value = _plain(cast_value(raw, f.type))
        except DataError as exc:
            raise InvalidFeature(f"field '{f.name}': {exc.detail}", f.name) from None
        if isinstance(value, str) and not value.strip() and f.type == "string":
            value = None
        if value is None and (f.required or f.name == spec.id_field):
            raise InvalidFeature(f"field '{f.name}' is required", f.name)
        props[f.name] = value
    if str(props[spec.id_field]) != str(feature_id):
        raise InvalidFeature(
            f"'{spec.id_field}' is the feature's id ({feature_id}) and cannot change",
            spec.id_field,
        )
    return {
        "type": "Feature",
        "id": props[spec.id_field],
        "geometry": _geometry(spec, geometry),
        "properties": props,
    }


def checked_placement(spec: LayerSpec, change: FeatureEdit, properties: dict) -> dict | None:
    """The placement record, its precisione and fonte_posizione copied into the layer's
    fields named by `editing` (where the layer has them)."""
    if not change.placement:
        return None
    unknown = sorted(set(change.placement) - set(PLACEMENT_KEYS))
    if unknown:
        raise InvalidFeature(
            f"unknown placement key '{unknown[0]}' (known: {', '.join(PLACEMENT_KEYS)})",
            f"placement.{unknown[0]}",
        )
    placement = {k: v for k, v in change.placement.items() if v not in (None, "")}
    if "precisione" in placement and placement["precisione"] not in PRECISION:
        raise InvalidFeature(
            f"precisione '{placement['precisione']}' is not one of {', '.join(PRECISION)}",
            "placement.precisione",
        )
    for key, name in (
        ("precisione", spec.editing.precision_field),
        ("fonte_posizione", spec.editing.position_source_field),
    ):
        if name and key in placement:
            properties[name] = placement[key]
    return placement or None


def if_match_etags(header: str) -> set[str]:
    """The ETags of an If-Match header (weak ones compare by their strong value)."""
    out = set()
    for part in header.split(","):
        tag = part.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag and not tag.startswith('"'):
            tag = f'"{tag}"'
        out.add(tag)
    return out
