"""Point generalisation (app/stores/generalise.py) and the fast point encoder, without a store."""

from __future__ import annotations

import mapbox_vector_tile
import numpy as np
import shapely

from app.geo.mvt import (
    _ENCODE_OPTIONS,
    BUFFER,
    MARGIN,
    UNITS_PER_PIXEL,
    _properties,
    encode_points,
)
from app.geo.tilegrid import Tile, lonlat_to_tile
from app.stores.generalise import (
    BASE_ZOOM,
    BUFFER_PIXELS,
    CELL_PIXELS,
    _cells,
    _morton,
    has_room,
    hidden_columns,
    max_points_per_tile,
    point_minzoom,
    tile_cell_ranges,
)


def scatter(n: int, seed: int = 7, extent=(9.9, 45.05, 10.2, 45.25)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    lon = rng.uniform(extent[0], extent[2], n)
    lat = rng.uniform(extent[1], extent[3], n)
    return shapely.points(np.column_stack([lon, lat]))


def pixel_cells(geoms: np.ndarray, z: int) -> np.ndarray:
    """The CELL_PIXELS cell of each point at zoom z, computed apart (float Web Mercator)."""
    lonlat = shapely.get_coordinates(geoms)
    n = 256 * 2**z / CELL_PIXELS
    fx = (lonlat[:, 0] + 180) / 360
    fy = (
        1 - np.log(np.tan(np.radians(lonlat[:, 1])) + 1 / np.cos(np.radians(lonlat[:, 1]))) / np.pi
    ) / 2
    return np.column_stack([np.floor(fx * n), np.floor(fy * n)]).astype(np.int64)


def test_minzoom_is_deterministic_and_thins():
    geoms = scatter(20000)
    first, again = point_minzoom(geoms), point_minzoom(geoms.copy())
    assert first.dtype == np.int16
    assert np.array_equal(first, again)
    assert first.min() >= 0 and first.max() == BASE_ZOOM  # some wait for the base zoom
    assert (first <= 9).sum() < 1000  # the region is ~27 x 19 cells at z9


def test_one_point_per_cell_and_no_occupied_cell_left_empty():
    geoms = scatter(20000)
    minzoom = point_minzoom(geoms)
    for z in range(0, BASE_ZOOM):
        cells = pixel_cells(geoms, z)
        shown = minzoom <= z
        shown_cells = {tuple(c) for c in cells[shown]}
        # At most one point drawn per cell (the bound on a tile comes from this) ...
        assert len(shown_cells) == shown.sum(), z
        # ... and every cell holding points still draws one of them (nothing disappears).
        assert shown_cells == {tuple(c) for c in cells}, z


def test_zooms_nest_and_every_point_shows_by_the_base_zoom():
    geoms = scatter(5000)
    minzoom = point_minzoom(geoms)
    assert (minzoom <= BASE_ZOOM).all()
    # Shown at z means the first of its cell at every higher zoom too (row order decides).
    for z in range(BASE_ZOOM):
        cells = pixel_cells(geoms, z + 1)
        shown = np.flatnonzero(minzoom <= z)
        first = {}
        for i, c in enumerate(map(tuple, cells)):
            first.setdefault(c, i)
        assert all(first[tuple(cells[i])] == i for i in shown), z


def test_non_points_always_show_and_layers_without_points_get_no_columns():
    line = shapely.linestrings([[10, 45], [10.1, 45.1]])
    mixed = np.array([line, shapely.Point(10, 45), None, shapely.box(10, 45, 10.1, 45.1)])
    cols = hidden_columns(["id"], mixed)
    assert cols["gp_minzoom"].tolist() == [0, 0, 0, 0]  # the only point is alone: shown from 0
    assert cols["gp_cell"].isna().tolist() == [True, False, True, True]
    assert hidden_columns(["id"], np.array([line, None])) is None
    assert hidden_columns(["id", "gp_minzoom"], mixed) is None
    assert not has_room(["gp_cell"]) and has_room(["id"])


def test_an_empty_point_gets_no_cell():
    """POINT EMPTY is a point without coordinates: no cell, no error (it failed staging)."""
    geoms = np.array([shapely.Point(10, 45), shapely.from_wkt("POINT EMPTY"), None])
    cols = hidden_columns(["id"], geoms)
    assert cols["gp_cell"].isna().tolist() == [False, True, True]
    assert cols["gp_minzoom"].tolist() == [0, 0, 0]


def test_cell_ranges_cover_exactly_the_tile_and_its_buffer():
    geoms = scatter(50000, seed=3, extent=(9.8, 45.0, 10.3, 45.3))
    codes = _morton(*_cells(shapely.get_coordinates(geoms)))
    lonlat = shapely.get_coordinates(geoms)
    for z in (11, 12, 14):
        tile = Tile(z, *lonlat_to_tile(10.02, 45.13, z))
        ranges = tile_cell_ranges(tile.z, tile.x, tile.y)
        inside_ranges = np.zeros(len(codes), dtype=bool)
        for lo, hi in ranges:
            inside_ranges |= (codes >= lo) & (codes <= hi)
        minx, miny, maxx, maxy = tile.lonlat_bounds(MARGIN)
        eps = 1e-9
        strictly_in = (
            (lonlat[:, 0] > minx + eps)
            & (lonlat[:, 0] < maxx - eps)
            & (lonlat[:, 1] > miny + eps)
            & (lonlat[:, 1] < maxy - eps)
        )
        strictly_out = (
            (lonlat[:, 0] < minx - eps)
            | (lonlat[:, 0] > maxx + eps)
            | (lonlat[:, 1] < miny - eps)
            | (lonlat[:, 1] > maxy + eps)
        )
        assert strictly_in.any() and strictly_out.any()
        assert inside_ranges[strictly_in].all(), z
        assert not inside_ranges[strictly_out].any(), z


def test_bound_per_tile():
    # 64 cells of 4 px across a 256 px tile, 4 more each side for the 16 px buffer.
    assert max_points_per_tile() == 73 * 73
    # The cell ranges cover the buffer the encoder keeps.
    assert BUFFER_PIXELS * UNITS_PER_PIXEL == BUFFER


def test_fast_point_encoder_makes_the_same_bytes_as_mapbox_vector_tile():
    rng = np.random.default_rng(1)
    points = shapely.points(rng.uniform(-256, 4352, (500, 2)))
    fields = ["id", "nome", "n", "ok", "v", "d"]
    rows = [
        (f"b{i}", "x" if i % 3 else None, i % 7, bool(i % 2), i / 3, "2024-01-01")
        for i in range(500)
    ]
    fast = encode_points("layer", fields, points, rows)
    features = [
        {
            "geometry": points[i],
            "properties": _properties(dict(zip(fields, rows[i], strict=True)), fields),
        }
        for i in range(500)
    ]
    reference = mapbox_vector_tile.encode(
        [{"name": "layer", "features": features}], default_options=_ENCODE_OPTIONS
    )
    assert fast == reference
