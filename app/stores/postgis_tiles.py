"""The PostGIS store's vector tiles: one `ST_AsMVT` query per tile (see `tile`).

A version written with the hidden generalisation columns (`app/stores/generalise.py`) is
read below the base zoom through the index on (`gp_minzoom`, `gp_cell`), as the GeoPackage
store reads it (`gpkg_tiles.py`); anything else reads every feature in the tile through the
GiST index.
"""

from __future__ import annotations

from psycopg import sql

from app.geo.mvt import BUFFER, EXTENT
from app.geo.tilegrid import Tile
from app.registry.spec import LayerSpec
from app.stores.generalise import (
    BASE_ZOOM,
    CELL_COLUMN,
    HIDDEN_COLUMNS,
    MINZOOM_COLUMN,
    has_room,
    tile_cell_ranges,
)
from app.stores.limits import postgres_read_errors
from app.stores.postgis_catalog import SCHEMA


class PostgisTilesMixin:
    """`tile()` for PostgisStore (uses its `pool` and `_table`)."""

    def tile(self, spec: LayerSpec, tile: Tile, version: int | None = None) -> bytes:
        """A Mapbox Vector Tile made by ST_AsMVT (b'' when empty), of the served version
        unless `version` is given; extent and buffer as the GeoPackage's (app/geo/mvt.py).

        A version written with the generalisation columns (`app/stores/generalise.py`) is
        read below the base zoom as the GeoPackage store reads it: only the points of
        minzoom <= z, found by one (gp_minzoom, gp_cell) index range each for the tile and
        its buffer; lines and areas of a mixed layer through the GiST index. Anything else
        (older versions, zooms from the base zoom on) reads every feature in the tile.
        """
        z, x, y = tile.z, tile.x, tile.y
        extent, buffer = EXTENT, BUFFER
        cols = sql.SQL("").join(
            sql.SQL(", t.{}").format(sql.Identifier(f.name)) for f in spec.fields
        )
        with self.pool.connection() as conn, postgres_read_errors(self.query_timeout_ms):
            table, _ = self._table(conn, spec.id, version)
            ident = sql.Identifier(SCHEMA, table)
            in_tile = sql.SQL(
                "t.geom && ST_Transform(ST_Expand(b.env, (ST_XMax(b.env) - ST_XMin(b.env)) "
                "* {} / {}), 4326)"
            ).format(sql.Literal(buffer), sql.Literal(extent))
            geom = sql.SQL("ST_AsMVTGeom(ST_Transform(t.geom, 3857), b.env, {}, {}, true)").format(
                sql.Literal(extent), sql.Literal(buffer)
            )
            rows = sql.SQL("SELECT {} AS geom{} FROM {} t, b WHERE {}").format(
                geom, cols, ident, in_tile
            )
            params: list = [z, x, y]
            if z < BASE_ZOOM and self._generalised(conn, spec, table):
                cells = tile_cell_ranges(z, x, y)
                ranges = [(m, lo, hi) for m in range(z + 1) for lo, hi in cells]
                # One index scan per range (LATERAL, not flattened: OFFSET 0); a join the
                # planner picks itself walks the whole index (seconds at 1M points).
                rows = sql.SQL(
                    "SELECT {} AS geom{} FROM unnest(%s::smallint[], %s::bigint[], "
                    "%s::bigint[]) AS r(z, lo, hi) CROSS JOIN LATERAL (SELECT * FROM {} t "
                    "WHERE t.{} = r.z AND t.{} BETWEEN r.lo AND r.hi OFFSET 0) t, b"
                ).format(
                    geom, cols, ident, sql.Identifier(MINZOOM_COLUMN), sql.Identifier(CELL_COLUMN)
                )
                params += [list(col) for col in zip(*ranges, strict=True)]
                if spec.geometry_type != "Point":  # lines and areas of a mixed layer
                    rows = sql.SQL(
                        "{} UNION ALL SELECT {} AS geom{} FROM {} t, b WHERE {} AND t.{} IS NULL"
                    ).format(rows, geom, cols, ident, in_tile, sql.Identifier(CELL_COLUMN))
            # Row estimates of these plans are far too high, and JIT compiling them costs
            # 100+ ms per tile: more than the query.
            conn.execute("SET LOCAL jit = off")
            row = conn.execute(
                sql.SQL(
                    "WITH b AS (SELECT ST_TileEnvelope(%s, %s, %s) AS env), "
                    "m AS MATERIALIZED ({}) "
                    "SELECT ST_AsMVT(m.*, %s, %s, 'geom') FROM m WHERE m.geom IS NOT NULL"
                ).format(rows),
                [*params, spec.id, extent],
            ).fetchone()
        return bytes(row[0] or b"")

    @staticmethod
    def _generalised(conn, spec: LayerSpec, table: str) -> bool:
        """Whether the version's table has the hidden generalisation columns."""
        if not has_room(spec.field_names):
            return False
        found = conn.execute(
            "SELECT count(*) FROM pg_attribute WHERE attrelid = to_regclass(%s) "
            "AND attname = ANY(%s) AND NOT attisdropped",
            (sql.Identifier(SCHEMA, table).as_string(conn), list(HIDDEN_COLUMNS)),
        ).fetchone()[0]
        return found == len(HIDDEN_COLUMNS)
