"""The GeoPackage store's tile reader: the rows of one vector tile, in bulk.

A version written with the hidden generalisation columns (`app/stores/generalise.py`) is
read below the base zoom through the index on (`gp_minzoom`, `gp_cell`): one index range
per minzoom level and Z-order range of the tile and its buffer, so only the points the
tile shows are read. Any other read (versions written before those columns, lines and
polygons, zooms from the base zoom on) goes through the GeoPackage R-tree as before.
"""

from __future__ import annotations

import numpy as np

from app.geo.mvt import MARGIN, encode_rows
from app.geo.tilegrid import Tile
from app.registry.spec import LayerSpec
from app.stores.generalise import (
    BASE_ZOOM,
    CELL_COLUMN,
    HIDDEN_COLUMNS,
    MINZOOM_COLUMN,
    TileRows,
    has_room,
    tile_cell_ranges,
)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class GpkgTilesMixin:
    """`tile()` for GpkgStore (needs its `_snapshot`, `_table`)."""

    def tile(self, spec: LayerSpec, tile: Tile, version: int | None = None) -> bytes:
        """The MVT of `tile`: its rows read in bulk, encoded here (app/geo/mvt.py)."""
        got = self.tile_rows(spec, tile, version)
        fields = list(spec.field_names)
        thin = not got.generalised  # a generalised read is thinned for the zoom already
        return encode_rows(spec.id, fields, got.geoms, got.rows, tile, thin) or b""

    def tile_rows(self, spec: LayerSpec, tile: Tile, version: int | None = None) -> TileRows:
        """Geometries (lon/lat) and field values of the features of `tile` and its buffer.

        `generalised` says whether points were read through `gp_minzoom` (already thinned
        for the tile's zoom) or all of them (to be thinned by the encoder, as before).
        """
        from app.stores.gpkg import decode_geometries

        cols = ", ".join(["t.geom", *(f"t.{_quote(f.name)}" for f in spec.fields)])
        with self._snapshot() as conn:
            table, _ = self._table(conn, spec.id, version)
            t = _quote(table)
            present = {r[1] for r in conn.execute(f"PRAGMA table_info({t})")}
            generalised = has_room(spec.field_names) and set(HIDDEN_COLUMNS) <= present
            if generalised and tile.z < BASE_ZOOM:
                rows = self._thinned_points(conn, t, cols, tile)
                if spec.geometry_type != "Point":  # lines and areas of a mixed layer
                    rows += self._in_rtree(conn, table, cols, tile, f"t.{CELL_COLUMN} IS NULL")
            else:
                rows = self._in_rtree(conn, table, cols, tile)
        geoms = decode_geometries([r[0] for r in rows]) if rows else np.array([], dtype=object)
        booleans = [k for k, f in enumerate(spec.fields) if f.type == "boolean"]
        values = [r[1:] for r in rows]
        if booleans:
            values = [
                tuple(bool(v) if k in booleans and v is not None else v for k, v in enumerate(r))
                for r in values
            ]
        return TileRows(geoms, values, generalised)

    @staticmethod
    def _thinned_points(conn, t: str, cols: str, tile: Tile) -> list[tuple]:
        """Points with minzoom <= z in the tile and its buffer: (minzoom, cell range) seeks."""
        cells = tile_cell_ranges(tile.z, tile.x, tile.y)
        ranges = [(z, lo, hi) for z in range(tile.z + 1) for lo, hi in cells]
        values = ", ".join(["(?, ?, ?)"] * len(ranges))
        params = [v for r in ranges for v in r]
        # CROSS JOIN keeps the small list of ranges outside: one index seek per range.
        return conn.execute(
            f"WITH r(z, lo, hi) AS (VALUES {values}) SELECT {cols} FROM r CROSS JOIN {t} t "
            f"WHERE t.{MINZOOM_COLUMN} = r.z AND t.{CELL_COLUMN} BETWEEN r.lo AND r.hi",
            params,
        ).fetchall()

    @staticmethod
    def _in_rtree(conn, table: str, cols: str, tile: Tile, extra: str = "1") -> list[tuple]:
        """Every feature whose R-tree box meets the tile and its buffer, in store order."""
        minx, miny, maxx, maxy = tile.lonlat_bounds(MARGIN)
        return conn.execute(
            f"SELECT {cols} FROM {_quote(table)} t WHERE t.fid IN (SELECT id FROM "
            f"{_quote('rtree_' + table + '_geom')} WHERE minx <= ? AND maxx >= ? AND "
            f"miny <= ? AND maxy >= ?) AND {extra} ORDER BY t.fid",
            (maxx, minx, maxy, miny),
        ).fetchall()
