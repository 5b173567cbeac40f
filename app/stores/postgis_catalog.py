"""The PostGIS store's catalog: versions, the served pointer, the audit log.

The same model as the GeoPackage catalog (`gpkg_catalog.py`), in PostgreSQL: every change
runs in one transaction with a per-layer advisory lock, so a version's table, its rows and
its catalog row appear together or not at all.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from psycopg import sql

from app.errors import DataError, LayerNotFound
from app.registry.spec import LayerSpec
from app.stores.base import FeatureStore, LayerInfo, VersionInfo
from app.stores.generalise import CELL_COLUMN, MINZOOM_COLUMN, hidden_columns
from app.stores.gpkg_catalog import KEEP_VERSIONS, _now
from app.stores.postgis_notify import CHANNEL
from app.stores.postgis_sql import field_indexes
from app.stores.prepare import prepare_layer

SCHEMA = "geoportale"
_PG_TYPES = {
    "string": "text",
    "integer": "bigint",
    "number": "double precision",
    "boolean": "boolean",
    "date": "date",
}
_VCOLS = (
    'layer_id, version, status, origin, source, "user", created_at, feature_count, '
    "minx, miny, maxx, maxy, fingerprint, report, spec"
)


class PostgisCatalogMixin(FeatureStore):
    """Versions and pointer moves; needs `pool` and `describe` from the concrete store."""

    # -- versions ------------------------------------------------------------------

    def versions(self, layer_id: str) -> list[VersionInfo]:
        with self.pool.connection() as conn:
            rows = conn.execute(
                f"SELECT {_VCOLS} FROM {SCHEMA}.versions WHERE layer_id = %s ORDER BY version DESC",
                (layer_id,),
            ).fetchall()
        if not rows:
            raise LayerNotFound(f"no layer '{layer_id}' in the store")
        return [
            VersionInfo(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                r[7],
                None if r[8] is None else (r[8], r[9], r[10], r[11]),
                r[12],
                r[13],
                LayerSpec.model_validate(r[14]),
            )
            for r in rows
        ]

    def layer_ids(self) -> list[str]:
        with self.pool.connection() as conn:
            rows = conn.execute(
                f"SELECT DISTINCT layer_id FROM {SCHEMA}.versions ORDER BY layer_id"
            ).fetchall()
        return [r[0] for r in rows]

    def shipped_fingerprints(self) -> dict[str, str]:
        with self.pool.connection() as conn:
            rows = conn.execute(
                f"SELECT DISTINCT ON (layer_id) layer_id, fingerprint FROM {SCHEMA}.versions "
                "WHERE origin = 'shipped' ORDER BY layer_id, version DESC"
            ).fetchall()
        return dict(rows)

    def audit_log(self, layer_id: str | None = None, limit: int = 200) -> list[dict]:
        where, params = ("WHERE layer_id = %s", [layer_id]) if layer_id else ("", [])
        with self.pool.connection() as conn:
            rows = conn.execute(
                f'SELECT at, "user", action, layer_id, version, detail FROM '
                f"{SCHEMA}.audit {where} ORDER BY seq DESC LIMIT %s",
                [*params, limit],
            ).fetchall()
        keys = ("at", "user", "action", "layer_id", "version", "detail")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    @staticmethod
    def _changed(conn, user, action, layer_id, version, detail="") -> None:
        conn.execute(
            f'INSERT INTO {SCHEMA}.audit (at, "user", action, layer_id, version, '
            "detail) VALUES (%s, %s, %s, %s, %s, %s)",
            (_now(), user, action, layer_id, version, detail),
        )
        conn.execute(
            f"UPDATE {SCHEMA}.meta SET value = (value::bigint + 1)::text WHERE key = 'generation'"
        )
        conn.execute(f"NOTIFY {CHANNEL}")  # delivered at commit (app/stores/postgis_notify.py)

    @staticmethod
    def _lock(conn, layer_id: str) -> None:
        """One writer per layer at a time (a transaction-scoped advisory lock). Every write
        transaction starts here, so here it also lifts the pool's statement_timeout (the
        limit of public reads, QUERY_TIMEOUT_MS) for itself: an import, a publish or a
        rollback is never cut by it. SET LOCAL ends with the transaction."""
        conn.execute("SET LOCAL statement_timeout = 0")
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"geoportale:{layer_id}",))

    def stage(
        self,
        spec: LayerSpec,
        gdf: gpd.GeoDataFrame,
        *,
        origin: str,
        source: str,
        user: str,
        report: dict | None = None,
        fingerprint: str | None = None,
    ) -> VersionInfo:
        data = prepare_layer(spec, gdf)
        present = data.geometry.notna() & ~data.geometry.is_empty
        bounds = data.geometry[present].total_bounds if present.any() else [None] * 4
        with self.pool.connection() as conn:  # one transaction: table, rows, index, row
            self._lock(conn, spec.id)
            row = conn.execute(
                f"SELECT max(version) FROM {SCHEMA}.versions WHERE layer_id = %s", (spec.id,)
            ).fetchone()
            version = (row[0] or 0) + 1
            table = f"{spec.id}__v{version}"
            if report is not None:
                report = {**report, "version": version}
            ident = sql.Identifier(SCHEMA, table)
            columns = [
                sql.SQL("{} {}").format(sql.Identifier(f.name), sql.SQL(_PG_TYPES[f.type]))
                for f in spec.fields
            ]
            # Point layers carry the hidden tile generalisation columns (app/stores/generalise.py).
            hidden = hidden_columns(spec.field_names, data.geometry.values)
            if hidden is not None:
                columns += [sql.SQL(f"{MINZOOM_COLUMN} smallint, {CELL_COLUMN} bigint")]
            conn.execute(
                sql.SQL(
                    "CREATE TABLE {} (fid bigserial PRIMARY KEY, geom geometry(Geometry, 4326), {})"
                ).format(ident, sql.SQL(", ").join(columns))
            )
            names = [sql.Identifier(f.name) for f in spec.fields]
            names += [sql.Identifier(n) for n in (hidden or {})]
            with conn.cursor().copy(
                sql.SQL("COPY {} (geom, {}) FROM STDIN").format(ident, sql.SQL(", ").join(names))
            ) as copy:
                for record in _records(spec, data, hidden):
                    copy.write_row(record)
            # Index builds sort in memory rather than in temporary files (this transaction only).
            conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
            conn.execute(sql.SQL("CREATE INDEX ON {} USING gist (geom)").format(ident))
            conn.execute(
                sql.SQL("CREATE INDEX ON {} ({})").format(ident, sql.Identifier(spec.id_field))
            )
            for statement in field_indexes(spec, ident, data):
                conn.execute(statement)
            if hidden is not None:
                conn.execute(
                    sql.SQL("CREATE INDEX ON {} ({}, {})").format(
                        ident, sql.Identifier(MINZOOM_COLUMN), sql.Identifier(CELL_COLUMN)
                    )
                )
            conn.execute(sql.SQL("ANALYZE {}").format(ident))
            conn.execute(
                f"INSERT INTO {SCHEMA}.versions (layer_id, version, table_name, status, origin, "
                'source, "user", created_at, feature_count, minx, miny, maxx, maxy, '
                "fingerprint, report, spec) VALUES (%s, %s, %s, 'draft', %s, %s, %s, %s, %s, %s, "
                "%s, %s, %s, %s, %s, %s)",
                (
                    spec.id,
                    version,
                    table,
                    origin,
                    source,
                    user,
                    _now(),
                    len(data),
                    *(None if b is None else float(b) for b in bounds),
                    fingerprint,
                    json.dumps(report, ensure_ascii=False, default=str) if report else None,
                    spec.model_dump_json(),
                ),
            )
            self._changed(
                conn,
                user,
                "stage",
                spec.id,
                version,
                f"{len(data)} features from {source or 'data'}",
            )
        return self.versions(spec.id)[0]

    def _point(self, conn, layer_id: str, version: int, user: str) -> None:
        conn.execute(
            f"UPDATE {SCHEMA}.versions SET status = 'retired' WHERE layer_id = %s "
            "AND status = 'published'",
            (layer_id,),
        )
        conn.execute(
            f"UPDATE {SCHEMA}.versions SET status = 'published' WHERE layer_id = %s "
            "AND version = %s",
            (layer_id, version),
        )
        conn.execute(
            f"INSERT INTO {SCHEMA}.layers VALUES (%s, %s, %s, %s) ON CONFLICT (id) DO "
            "UPDATE SET version = EXCLUDED.version, published_at = "
            "EXCLUDED.published_at, published_by = EXCLUDED.published_by",
            (layer_id, version, _now(), user),
        )

    def publish(self, layer_id: str, version: int, user: str) -> LayerInfo:
        with self.pool.connection() as conn:
            self._lock(conn, layer_id)
            row = conn.execute(
                f"SELECT status FROM {SCHEMA}.versions WHERE layer_id = %s AND version = %s",
                (layer_id, version),
            ).fetchone()
            if row is None or row[0] == "dropped":
                raise LayerNotFound(f"no version {version} of '{layer_id}' with data")
            self._point(conn, layer_id, version, user)
            self._changed(conn, user, "publish", layer_id, version)
            self._prune(conn, layer_id)
        self._forget_pointers()
        return self.describe(layer_id)

    def rollback(self, layer_id: str, user: str) -> LayerInfo:
        with self.pool.connection() as conn:
            self._lock(conn, layer_id)
            current = conn.execute(
                f"SELECT version FROM {SCHEMA}.layers WHERE id = %s", (layer_id,)
            ).fetchone()
            if current is None:
                raise LayerNotFound(f"'{layer_id}' is not published: nothing to roll back")
            previous = conn.execute(
                f"SELECT max(version) FROM {SCHEMA}.versions WHERE layer_id = %s AND "
                "version < %s AND status = 'retired'",
                (layer_id, current[0]),
            ).fetchone()[0]
            if previous is None:
                raise DataError(f"'{layer_id}' has no earlier published version to roll back to")
            self._point(conn, layer_id, previous, user)
            conn.execute(
                f"UPDATE {SCHEMA}.versions SET status = 'draft' WHERE layer_id = %s "
                "AND version = %s",
                (layer_id, current[0]),
            )
            self._changed(conn, user, "rollback", layer_id, previous, f"from v{current[0]}")
        self._forget_pointers()
        return self.describe(layer_id)

    def unpublish(self, layer_id: str, user: str) -> None:
        with self.pool.connection() as conn:
            self._lock(conn, layer_id)
            current = conn.execute(
                f"DELETE FROM {SCHEMA}.layers WHERE id = %s RETURNING version", (layer_id,)
            ).fetchone()
            if current is None:
                raise LayerNotFound(f"'{layer_id}' is not published")
            conn.execute(
                f"UPDATE {SCHEMA}.versions SET status = 'retired' WHERE layer_id = %s "
                "AND version = %s",
                (layer_id, current[0]),
            )
            self._changed(conn, user, "unpublish", layer_id, current[0])
        self._forget_pointers()

    def update_spec(self, layer_id: str, spec: LayerSpec, user: str) -> None:
        info = self.describe(layer_id)
        old = next(v.spec for v in self.versions(layer_id) if v.version == info.version)
        if (
            spec.id != layer_id
            or [(f.name, f.type) for f in spec.fields] != [(f.name, f.type) for f in old.fields]
            or spec.id_field != old.id_field
            or spec.geometry_type != old.geometry_type
        ):
            raise DataError("metadata and style edits cannot change the id, fields or geometry")
        with self.pool.connection() as conn:
            self._lock(conn, layer_id)
            conn.execute(
                f"UPDATE {SCHEMA}.versions SET spec = %s WHERE layer_id = %s AND version = %s",
                (spec.model_dump_json(), layer_id, info.version),
            )
            self._changed(conn, user, "edit", layer_id, info.version, old.model_dump_json())

    def _prune(self, conn, layer_id: str) -> None:
        rows = conn.execute(
            f"SELECT version, table_name FROM {SCHEMA}.versions WHERE layer_id = %s AND status "
            "NOT IN ('dropped', 'published') ORDER BY version DESC",
            (layer_id,),
        ).fetchall()
        for version, table in rows[KEEP_VERSIONS:]:
            conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(SCHEMA, table)))
            conn.execute(
                f"UPDATE {SCHEMA}.versions SET status = 'dropped' WHERE layer_id = %s "
                "AND version = %s",
                (layer_id, version),
            )

    def orphan_tables(self) -> list[str]:
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename LIKE "
                f"'%%\\_\\_v%%' AND tablename NOT IN (SELECT table_name FROM {SCHEMA}.versions)",
                (SCHEMA,),
            ).fetchall()
        return sorted(r[0] for r in rows)


def _records(spec: LayerSpec, data: gpd.GeoDataFrame, hidden: dict | None = None):
    """Rows for COPY: EWKB hex geometry (SRID 4326), then the fields (then the hidden
    columns, if any), NULLs as None."""
    geoms = shapely.set_srid(data.geometry.values, 4326)
    wkb = shapely.to_wkb(geoms, hex=True, include_srid=True)
    columns = [
        data[f.name].astype(object).where(data[f.name].notna(), None).tolist() for f in spec.fields
    ]
    for values in (hidden or {}).values():
        columns.append([None if v is pd.NA else int(v) for v in values])
    for i, g in enumerate(wkb):
        yield (None if g is None else g, *(_plain(c[i]) for c in columns))


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value
