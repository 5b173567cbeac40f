"""Geometry families: how a layer of several geometry types is described and split.

A layer file may declare `geometry_type: Geometry` (any type). Clients such as QGIS need
one type per layer, so such a layer is described by the types it really holds (OGC API
Features Part 5: `x-ogc-role: primary-geometry` with a `format` per family) and its
GeoPackage and shapefile downloads hold one table per family (points, lines, areas) plus
one of the rows without a geometry.
"""

from __future__ import annotations

#: GeoJSON geometry type -> family (the suffix of its download table, in Italian).
FAMILY_OF = {
    "Point": "punti",
    "MultiPoint": "punti",
    "LineString": "linee",
    "MultiLineString": "linee",
    "Polygon": "poligoni",
    "MultiPolygon": "poligoni",
}
#: Family -> (single type, multi type), in the order tables are written.
FAMILIES = {
    "punti": ("Point", "MultiPoint"),
    "linee": ("LineString", "MultiLineString"),
    "poligoni": ("Polygon", "MultiPolygon"),
}
#: Suffix of the table of the rows without a geometry.
NO_GEOMETRY = "senza_geometria"
_FORMAT_NAMES = {"punti": "point", "linee": "linestring", "poligoni": "polygon"}


def families(types) -> list[str]:
    """The families of the GeoJSON geometry `types`, in FAMILIES order (others ignored)."""
    found = {FAMILY_OF[t] for t in types if t in FAMILY_OF}
    return [f for f in FAMILIES if f in found]


def family_type(family: str, types) -> str:
    """The one geometry type a table of `family` is written with: the single type when
    only it occurs in `types`, else the multi type (single geometries are promoted)."""
    single, multi = FAMILIES[family]
    present = set(types) & {single, multi}
    return single if present == {single} else multi


def geometry_format(family: str, types) -> str:
    """Part 5's `format` of a geometry of `family`, given the exact `types` present."""
    single, multi = FAMILIES[family]
    name = _FORMAT_NAMES[family]
    present = set(types) & {single, multi}
    if present == {single}:
        return f"geometry-{name}"
    if present == {multi}:
        return f"geometry-multi{name}"
    return f"geometry-{name}-or-multi{name}"


def geometry_property(types, title: str) -> dict:
    """The JSON Schema of a layer's primary geometry holding `types` (Part 5).

    One family: its `format` (geometry-point, geometry-polygon-or-multipolygon, ...). Several:
    `geometry-any` with a `oneOf` naming each family's format and GeoJSON types, so a
    client sees every type the layer holds instead of guessing from a sample. None known:
    `geometry-any`.
    """
    found = families(types)
    prop: dict = {"title": title, "x-ogc-role": "primary-geometry"}
    if len(found) == 1:
        prop["format"] = geometry_format(found[0], types)
        return prop
    prop["format"] = "geometry-any"
    if found:
        prop["oneOf"] = [
            {
                "format": geometry_format(f, types),
                # disjoint GeoJSON types keep the alternatives exclusive, as oneOf needs
                "properties": {"type": {"enum": [t for t in FAMILIES[f] if t in set(types)]}},
            }
            for f in found
        ]
    return prop
