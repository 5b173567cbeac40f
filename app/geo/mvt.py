"""Geometries of one tile to a Mapbox Vector Tile: project, clip, simplify, thin, encode.

All geometry work is vectorised with shapely 2 on the whole tile at once; only the final
protobuf encoding (mapbox-vector-tile) goes feature by feature.
"""

from __future__ import annotations

from collections.abc import Iterable

import mapbox_vector_tile
import numpy as np
import shapely
from mapbox_vector_tile.encoder import on_invalid_geometry_make_valid

from app.geo.tilegrid import TILE_PIXELS, Tile, lonlat_to_mercator

EXTENT = 4096  # tile coordinate units per tile side (the MVT default)
UNITS_PER_PIXEL = EXTENT // TILE_PIXELS  # 16
# Features are kept up to this far outside the tile (1/16 of a tile, 16 pixels) so that
# point symbols and strokes crossing an edge are drawn whole by both neighbours.
BUFFER = 256
MARGIN = BUFFER / EXTENT  # the same, as a fraction of the tile (for the store's bbox query)
SIMPLIFY_PIXELS = 1.0  # simplification tolerance: about one screen pixel at the tile's zoom
# Points closer than this draw as one symbol (markers are 12 px wide by default): one is kept
# per cell of THIN_PIXELS x THIN_PIXELS screen pixels.
THIN_PIXELS = 2
MIME = "application/vnd.mapbox-vector-tile"

_ENCODE_OPTIONS = {
    "extents": EXTENT,
    "y_coord_down": True,
    "on_invalid_geometry": on_invalid_geometry_make_valid,
}


def to_tile_units(geoms: np.ndarray, tile: Tile) -> np.ndarray:
    """Lon/lat geometries to the tile's own grid: 0..EXTENT from its top-left corner."""
    minx, _, _, maxy = tile.bounds
    scale = EXTENT / tile.size

    def project(coords: np.ndarray) -> np.ndarray:
        x, y = lonlat_to_mercator(coords[:, 0], coords[:, 1])
        return np.column_stack([(x - minx) * scale, (maxy - y) * scale])

    return shapely.transform(geoms, project)


def thin_points(geoms: np.ndarray) -> np.ndarray:
    """Indices of the points to keep: the first one (in store order) in each grid cell.

    Points a pixel or two apart draw as one symbol, so a dense layer at a low zoom stays
    small without a visible change; zooming in brings every point back.
    """
    xy = shapely.get_coordinates(geoms)
    cells = np.floor(xy / (THIN_PIXELS * UNITS_PER_PIXEL)).astype(np.int64)
    _, first = np.unique(cells, axis=0, return_index=True)
    return np.sort(first)


def prepare(geoms: np.ndarray) -> np.ndarray:
    """Clip lines and areas to the buffered tile and simplify them to about one pixel."""
    lo, hi = -BUFFER, EXTENT + BUFFER
    out = geoms.copy()
    kinds = shapely.get_type_id(geoms)
    shaped = (kinds != 0) & (kinds != 4) & (kinds >= 0)  # not Point / MultiPoint / missing
    if shaped.any():
        clipped = shapely.clip_by_rect(geoms[shaped], lo, lo, hi, hi)
        out[shaped] = shapely.simplify(
            clipped, SIMPLIFY_PIXELS * UNITS_PER_PIXEL, preserve_topology=True
        )
    points = ~shaped & (kinds >= 0)
    if points.any():
        # A multipoint straddling tiles keeps only its parts inside the buffered tile.
        out[points] = shapely.intersection(geoms[points], shapely.box(lo, lo, hi, hi))
    return out


def _properties(props: dict, fields: Iterable[str]) -> dict:
    """Every layer attribute MVT can carry (null has no MVT value: it is left out)."""
    out = {}
    for name in fields:
        value = props.get(name)
        if value is None:
            continue
        out[name] = value if isinstance(value, (str, bool, int, float)) else str(value)
    return out


def encode_rows(
    layer: str,
    fields: list[str],
    geoms: np.ndarray,
    rows: list[tuple],
    tile: Tile,
    thin: bool = True,
) -> bytes | None:
    """One MVT layer from lon/lat geometries and their values (in `fields` order).

    `thin`: keep one point per THIN_PIXELS cell of the tile (layers without generalisation;
    a generalised read is thinned already, and from its base zoom shows every point).
    None when nothing is left.
    """
    geoms = np.asarray(geoms, dtype=object)
    located = np.flatnonzero(~(shapely.is_missing(geoms) | shapely.is_empty(geoms)))
    if located.size == 0:
        return None
    geoms = prepare(to_tile_units(geoms[located], tile))
    keep = np.flatnonzero(~(shapely.is_missing(geoms) | shapely.is_empty(geoms)))
    if (shapely.get_type_id(geoms[keep]) == 0).all():
        if thin:
            keep = keep[thin_points(geoms[keep])]
        if keep.size == 0:
            return None
        return encode_points(layer, fields, geoms[keep], [rows[located[i]] for i in keep])
    features = [
        {
            "geometry": geoms[i],
            "properties": _properties(dict(zip(fields, rows[located[i]], strict=True)), fields),
        }
        for i in keep.tolist()
    ]
    if not features:
        return None
    data = mapbox_vector_tile.encode(
        [{"name": layer, "features": features}], default_options=_ENCODE_OPTIONS
    )
    # Everything may still vanish when rounded to the grid (slivers thinner than the unit).
    decoded_empty = all(len(lyr.features) == 0 for lyr in _layers(data))
    return None if decoded_empty else data


def encode_points(layer: str, fields: list[str], points: np.ndarray, rows: list[tuple]) -> bytes:
    """A tile of single points (tile units), written straight to the protobuf.

    The same MVT that mapbox-vector-tile makes for points (layer version 2, values typed as
    it types them, coordinates rounded half to even), several times faster: a generalised
    tile holds up to ~5,000 points, and the generic encoder spends most of its time on
    per-point geometry handling.
    """
    from mapbox_vector_tile.Mapbox import vector_tile_pb2

    xy = np.rint(shapely.get_coordinates(points)).astype(np.int64)
    zigzag = ((xy << 1) ^ (xy >> 63)).tolist()
    tile = vector_tile_pb2.tile()
    out = tile.layers.add()
    out.name, out.version, out.extent = layer, 2, EXTENT
    keys: dict[int, int] = {}
    values: dict = {}
    flags: dict = {}  # booleans apart: True == 1 in a dict
    for (zx, zy), row in zip(zigzag, rows, strict=True):
        tags = []
        for k, v in enumerate(row):
            if v is None:
                continue
            if not isinstance(v, (str, bool, int, float)):
                v = str(v)
            key = keys.get(k)
            if key is None:
                key = keys[k] = len(keys)
                out.keys.append(fields[k])
            seen = flags if isinstance(v, bool) else values
            index = seen.get(v)
            if index is None:
                index = seen[v] = len(values) + len(flags)
                _add_value(out.values.add(), v)
            tags += (key, index)
        feature = out.features.add()
        feature.tags.extend(tags)
        feature.type = 1  # POINT
        feature.geometry.extend((9, zx, zy))  # MoveTo(1) then the zigzag x, y
    return tile.SerializeToString()


def _add_value(value, v) -> None:
    if isinstance(v, bool):
        value.bool_value = v
    elif isinstance(v, str):
        value.string_value = v
    elif isinstance(v, int):
        value.int_value = v
    else:
        value.double_value = v


def _layers(data: bytes):
    from mapbox_vector_tile.Mapbox import vector_tile_pb2

    tile = vector_tile_pb2.tile()
    tile.ParseFromString(data)
    return tile.layers
