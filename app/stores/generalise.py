"""Point generalisation, computed once when a layer version is written (as tippecanoe does).

Every point gets a `gp_minzoom`: the lowest zoom at which a tile shows it. At each zoom
below `BASE_ZOOM` the world is cut into cells of `CELL_PIXELS` x `CELL_PIXELS` screen
pixels, aligned with the tile grid, and only the first point of each cell (in the layer's
row order) is shown there. Cells nest from one zoom to the next, so a point shown at zoom z
is shown at every higher zoom; from `BASE_ZOOM` on every point is shown.

Why it does not change what a user sees: a dropped point is less than 4·√2 ≈ 5.7 px from
the point kept in its cell, so its centre is under that point's marker (radius 6 px by
default). Why tiles stay small and fast: a tile at zoom z < BASE_ZOOM holds at most one
point per cell of the tile and its 16-pixel buffer (`max_points_per_tile`), whatever the
size of the layer, and the stores read only those rows (`gp_minzoom <= z` beside the
spatial index).

A second hidden column, `gp_cell`, holds the point's cell at the finest thinned zoom as a
Morton (Z-order) code, so that a tile and its buffer are a few ranges of it: with an index
on (`gp_minzoom`, `gp_cell`) a tile at zoom z reads exactly its points of minzoom <= z,
however many points of higher zooms lie under it (an R-tree would return them all first,
and checking each one's minzoom costs a row read: 130,000 of them at z10 on 1M points).

Lines, polygons and multipoints get minzoom 0 and no cell (shown at every zoom, as before:
they are clipped and simplified per tile instead, and found through the R-tree); a layer
with no single points gets no hidden columns, and neither does a layer with a field of
that name.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from app.geo.tilegrid import TILE_PIXELS

#: The hidden per-feature columns; never one of a layer's fields (see `has_room`).
MINZOOM_COLUMN = "gp_minzoom"
CELL_COLUMN = "gp_cell"
HIDDEN_COLUMNS = (MINZOOM_COLUMN, CELL_COLUMN)
#: From this zoom on, every point of the layer is in its tile.
BASE_ZOOM = 16
#: Side of the thinning cell in screen pixels (a power of two dividing TILE_PIXELS).
CELL_PIXELS = 4
#: The tile buffer the encoder keeps, in pixels (encoder.BUFFER / 16).
BUFFER_PIXELS = 16
# Cell coordinates at the finest thinned zoom (BASE_ZOOM - 1): 2**_BITS cells per side.
_BITS = (BASE_ZOOM - 1) + int(np.log2(TILE_PIXELS // CELL_PIXELS))


def has_room(field_names) -> bool:
    """False when a layer field already uses a hidden column's name (then: no columns)."""
    return not set(HIDDEN_COLUMNS) & set(field_names)


def hidden_columns(field_names, geoms: np.ndarray) -> dict[str, np.ndarray] | None:
    """The hidden columns of a new layer version (None: not a point layer, or no room).

    `gp_minzoom` (int16, 0 for non-points) and `gp_cell` (Morton code, a nullable Int64
    array: NULL for non-points).
    """
    if not has_room(field_names):
        return None
    geoms = np.asarray(geoms, dtype=object)
    minzoom = point_minzoom(geoms)
    if minzoom is None:
        return None
    points = _located_points(geoms)
    cells = np.zeros(len(geoms), dtype=np.int64)
    cells[points] = _morton(*_cells(shapely.get_coordinates(geoms[points])))
    return {MINZOOM_COLUMN: minzoom, CELL_COLUMN: pd.arrays.IntegerArray(cells, ~points)}


def _located_points(geoms: np.ndarray) -> np.ndarray:
    """Points with coordinates: an empty point has none to place in a cell."""
    return (shapely.get_type_id(geoms) == 0) & ~shapely.is_empty(geoms)


def max_points_per_tile() -> int:
    """The most points a tile below BASE_ZOOM can hold: one per cell of the tile and its
    buffer (plus one row and column of cells for points exactly on the buffer's edge)."""
    side = (TILE_PIXELS + 2 * BUFFER_PIXELS) // CELL_PIXELS + 1
    return side * side


def point_minzoom(geoms: np.ndarray) -> np.ndarray | None:
    """The minzoom (int16) of each geometry (lon/lat, shapely array); None if none is a Point.

    Deterministic: the same geometries in the same order give the same zooms.
    """
    geoms = np.asarray(geoms, dtype=object)
    points = _located_points(geoms)
    if not points.any():
        return None
    minzoom = np.zeros(len(geoms), dtype=np.int16)
    ix, iy = _cells(shapely.get_coordinates(geoms[points]))
    zoom = np.full(len(ix), BASE_ZOOM, dtype=np.int16)
    keep = np.arange(len(ix))  # rows still shown, ascending (row order decides in a cell)
    finest = BASE_ZOOM - 1
    for z in range(finest, -1, -1):
        shift = finest - z
        key = ((ix[keep] >> shift) << 32) | (iy[keep] >> shift)
        _, first = np.unique(key, return_index=True)  # the first row of each cell
        keep = keep[np.sort(first)]
        zoom[keep] = z
    minzoom[points] = zoom
    return minzoom


def _cells(lonlat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lon/lat to integer cell column/row at the finest thinned zoom (Web Mercator)."""
    n = 1 << _BITS
    lon = lonlat[:, 0]
    lat = np.clip(lonlat[:, 1], -85.0511287798066, 85.0511287798066)
    fx = (lon + 180.0) / 360.0
    fy = (1.0 - np.arcsinh(np.tan(np.radians(lat))) / np.pi) / 2.0
    ix = np.clip(np.floor(fx * n), 0, n - 1).astype(np.int64)
    iy = np.clip(np.floor(fy * n), 0, n - 1).astype(np.int64)
    return ix, iy


def _spread(v: np.ndarray | int):
    """The bits of v (< 2**32) spread to the even bit positions."""
    v = v & 0xFFFFFFFF
    v = (v | (v << 16)) & 0x0000FFFF0000FFFF
    v = (v | (v << 8)) & 0x00FF00FF00FF00FF
    v = (v | (v << 4)) & 0x0F0F0F0F0F0F0F0F
    v = (v | (v << 2)) & 0x3333333333333333
    return (v | (v << 1)) & 0x5555555555555555


def _morton(ix, iy):
    """Z-order code of cell column/row (x on the even bits, y on the odd ones)."""
    return _spread(ix) | (_spread(iy) << 1)


def tile_cell_ranges(z: int, x: int, y: int) -> list[tuple[int, int]]:
    """Inclusive `gp_cell` ranges covering tile z/x/y and its buffer (z < BASE_ZOOM).

    The tile is one range of the Z-order; its 16-pixel buffer is the ring of sub-tiles of
    zoom z + 4 around it (each 1/16 of the tile), one range each, merged when adjacent.
    """
    if not 0 <= z < BASE_ZOOM:
        raise ValueError(f"cell ranges are for zooms below {BASE_ZOOM}, not {z}")
    ranges = [_range(z, x, y)]
    sub = TILE_PIXELS // BUFFER_PIXELS  # 16 sub-tiles a side: one is the buffer's width
    level = z + int(np.log2(sub))
    last = (1 << level) - 1
    x0, y0 = x * sub, y * sub
    for sy in range(y0 - 1, y0 + sub + 1):
        for sx in range(x0 - 1, x0 + sub + 1):
            inside = x0 <= sx < x0 + sub and y0 <= sy < y0 + sub
            if not inside and 0 <= sx <= last and 0 <= sy <= last:
                ranges.append(_range(level, sx, sy))
    ranges.sort()
    merged = [ranges[0]]
    for lo, hi in ranges[1:]:
        if lo == merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


def _range(level: int, x: int, y: int) -> tuple[int, int]:
    """The cells of the tile (or sub-tile) x/y of `level`, as an inclusive code range."""
    shift = 2 * (_BITS - level)
    code = int(_morton(x, y))
    return code << shift, ((code + 1) << shift) - 1


@dataclass(frozen=True)
class TileRows:
    """What a store reads for one tile: lon/lat geometries and their field values (in the
    order of the layer's fields); `generalised` when points came through `gp_minzoom`."""

    geoms: np.ndarray
    rows: list[tuple]
    generalised: bool
