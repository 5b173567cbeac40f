"""PostgisStore: the FeatureStore on PostgreSQL/PostGIS, for bigger deployments.

Same model as the GeoPackage store: each version of a layer is a table
`geoportale."<id>__v<n>"` (GiST index on `geom`, b-tree on the id field), a pointer table
says which version is served, and every change bumps `generation`. Here a version's table
and its catalog row are written in ONE transaction (PostgreSQL has transactional DDL): a
crash mid-import leaves nothing behind. Filters run entirely in SQL (`postgis_sql.py`).

One connection pool per process, built with the store (stateless app workers; read
replicas are a matter of pointing readers at them).
"""

from __future__ import annotations

import datetime as dt
import json

import geopandas as gpd
import numpy as np
import shapely
from psycopg import sql
from psycopg.errors import InvalidSchemaName, UndefinedTable
from psycopg_pool import ConnectionPool

from app.errors import DataError, FeatureNotFound, LayerNotFound, StoreError
from app.registry.spec import LayerSpec
from app.stores.base import Feature, FeaturePage, FeatureStore, LayerInfo, Query, VersionInfo
from app.stores.cql2 import conjunction
from app.stores.gpkg_catalog import KEEP_VERSIONS, _now
from app.stores.postgis_sql import to_sql
from app.stores.prepare import prepare_layer

SCHEMA = "geoportale"
_PG_TYPES = {
    "string": "text",
    "integer": "bigint",
    "number": "double precision",
    "boolean": "boolean",
    "date": "date",
}
_CATALOG = f"""
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {SCHEMA}.versions (
    layer_id text NOT NULL, version integer NOT NULL, table_name text NOT NULL,
    status text NOT NULL, origin text NOT NULL, source text NOT NULL, "user" text NOT NULL,
    created_at text NOT NULL, feature_count integer NOT NULL,
    minx double precision, miny double precision, maxx double precision,
    maxy double precision, fingerprint text, report jsonb, spec jsonb NOT NULL,
    PRIMARY KEY (layer_id, version));
CREATE TABLE IF NOT EXISTS {SCHEMA}.layers (
    id text PRIMARY KEY, version integer NOT NULL, published_at text NOT NULL,
    published_by text NOT NULL);
CREATE TABLE IF NOT EXISTS {SCHEMA}.audit (
    seq bigserial PRIMARY KEY, at text NOT NULL, "user" text NOT NULL, action text NOT NULL,
    layer_id text, version integer, detail text);
CREATE TABLE IF NOT EXISTS {SCHEMA}.meta (key text PRIMARY KEY, value text);
INSERT INTO {SCHEMA}.meta VALUES ('generation', '0') ON CONFLICT DO NOTHING;
"""
_VCOLS = (
    'layer_id, version, status, origin, source, "user", created_at, feature_count, '
    "minx, miny, maxx, maxy, fingerprint, report, spec"
)


def is_postgres_url(value: str) -> bool:
    return str(value).startswith(("postgresql://", "postgres://"))


class PostgisStore(FeatureStore):
    """Feature store in a PostGIS database (schema `geoportale`)."""

    def __init__(self, url: str, create: bool = False, max_size: int = 10):
        self.url = url
        try:
            self.pool = ConnectionPool(
                url,
                min_size=1,
                max_size=max_size,
                open=True,
                timeout=10,
                kwargs={"connect_timeout": 5},
            )
            self.pool.wait(timeout=10)
            with self.pool.connection() as conn:
                if create:
                    conn.execute(_CATALOG)
                conn.execute(f"SELECT value FROM {SCHEMA}.meta WHERE key = 'generation'")
        except (UndefinedTable, InvalidSchemaName):
            self.close()
            raise StoreError(
                "the PostGIS database has no geoportal store yet: run `flask geodata build`"
            ) from None
        except Exception as exc:  # noqa: BLE001 (connection errors of many kinds)
            self.close()
            raise StoreError(f"PostGIS store unreachable: {type(exc).__name__}") from None

    @classmethod
    def open_or_create(cls, url: str) -> PostgisStore:
        return cls(url, create=True)

    def close(self) -> None:
        pool = getattr(self, "pool", None)
        if pool is not None:
            pool.close()

    # -- reads -------------------------------------------------------------------

    def generation(self) -> int:
        with self.pool.connection() as conn:
            row = conn.execute(
                f"SELECT value FROM {SCHEMA}.meta WHERE key = 'generation'"
            ).fetchone()
        return int(row[0])

    def published_specs(self) -> list[LayerSpec]:
        with self.pool.connection() as conn:
            rows = conn.execute(
                f"SELECT v.spec FROM {SCHEMA}.layers l JOIN {SCHEMA}.versions v "
                "ON v.layer_id = l.id AND v.version = l.version ORDER BY l.id"
            ).fetchall()
        return [LayerSpec.model_validate(r[0]) for r in rows]

    def describe(self, layer_id: str) -> LayerInfo:
        with self.pool.connection() as conn:
            row = conn.execute(
                f"SELECT l.id, l.version, v.feature_count, v.minx, v.miny, v.maxx, v.maxy, "
                f"l.published_at, v.origin FROM {SCHEMA}.layers l JOIN {SCHEMA}.versions v "
                "ON v.layer_id = l.id AND v.version = l.version WHERE l.id = %s",
                (layer_id,),
            ).fetchone()
        if row is None:
            raise LayerNotFound(f"no collection '{layer_id}' in the store")
        lid, version, count, minx, miny, maxx, maxy, published, origin = row
        bbox = None if minx is None else (minx, miny, maxx, maxy)
        return LayerInfo(lid, version, count, bbox, published, origin)

    def _table(self, conn, layer_id: str, version: int | None) -> tuple[str, int]:
        if version is None:
            row = conn.execute(
                f"SELECT v.table_name, v.feature_count FROM {SCHEMA}.layers l JOIN "
                f"{SCHEMA}.versions v ON v.layer_id = l.id AND v.version = l.version "
                "WHERE l.id = %s",
                (layer_id,),
            ).fetchone()
        else:
            row = conn.execute(
                f"SELECT table_name, feature_count FROM {SCHEMA}.versions WHERE layer_id = %s "
                "AND version = %s AND status != 'dropped'",
                (layer_id, version),
            ).fetchone()
        if row is None:
            what = f"collection '{layer_id}'" + (f" version {version}" if version else "")
            raise LayerNotFound(f"no {what} in the store")
        return row

    @staticmethod
    def _columns(spec: LayerSpec) -> sql.Composable:
        return sql.SQL(", ").join(
            [sql.SQL("ST_AsGeoJSON(t.geom)")]
            + [sql.SQL("t.{}").format(sql.Identifier(f.name)) for f in spec.fields]
        )

    @staticmethod
    def _feature(spec: LayerSpec, row: tuple) -> Feature:
        props = {}
        for f, v in zip(spec.fields, row[1:], strict=True):
            props[f.name] = v.isoformat() if isinstance(v, dt.date) else v
        geometry = json.loads(row[0]) if row[0] else None
        return Feature(props[spec.id_field], geometry, props)

    def query(self, spec: LayerSpec, query: Query, version: int | None = None) -> FeaturePage:
        node = conjunction(
            ("spatial", "intersects", shapely.box(*query.bbox)) if query.bbox else None,
            *[("cmp", "=", name, value) for name, value in query.equals.items()],
            query.filter,
        )
        with self.pool.connection() as conn:
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            table, count = self._table(conn, spec.id, version)
            t = sql.Identifier(SCHEMA, table)
            where = sql.SQL("TRUE") if node is None else to_sql(node)
            if node is not None:  # the catalog count serves only the unfiltered layer
                count = conn.execute(
                    sql.SQL("SELECT count(*) FROM {} t WHERE {}").format(t, where)
                ).fetchone()[0]
            rows = conn.execute(
                sql.SQL("SELECT {} FROM {} t WHERE {} ORDER BY t.fid LIMIT %s OFFSET %s").format(
                    self._columns(spec), t, where
                ),
                (query.limit, query.offset),
            ).fetchall()
        return FeaturePage([self._feature(spec, r) for r in rows], count)

    def get(self, spec: LayerSpec, feature_id: str, version: int | None = None) -> Feature:
        field = spec.field(spec.id_field)
        value = _typed_id(feature_id, field.type)
        row = None
        with self.pool.connection() as conn:
            table, _ = self._table(conn, spec.id, version)
            if value is not None:
                row = conn.execute(
                    sql.SQL("SELECT {} FROM {} t WHERE t.{} = %s").format(
                        self._columns(spec),
                        sql.Identifier(SCHEMA, table),
                        sql.Identifier(spec.id_field),
                    ),
                    (value,),
                ).fetchone()
        if row is None:
            raise FeatureNotFound(f"no feature '{feature_id}' in collection '{spec.id}'")
        return self._feature(spec, row)

    def mvt(
        self,
        spec: LayerSpec,
        z: int,
        x: int,
        y: int,
        version: int | None = None,
        extent: int = 4096,
        buffer: int = 256,
    ) -> bytes:
        """A Mapbox Vector Tile made by ST_AsMVT (b'' when empty), of the served version
        unless `version` is given; `buffer` in tile units (256 = 16 px of a 256 px tile)."""
        cols = sql.SQL("").join(
            sql.SQL(", t.{}").format(sql.Identifier(f.name)) for f in spec.fields
        )
        with self.pool.connection() as conn:
            table, _ = self._table(conn, spec.id, version)
            row = conn.execute(
                sql.SQL(
                    "WITH b AS (SELECT ST_TileEnvelope(%s, %s, %s) AS env), "
                    "m AS (SELECT ST_AsMVTGeom(ST_Transform(t.geom, 3857), b.env, %s, %s, true) "
                    "AS geom{} FROM {} t, b WHERE t.geom && ST_Transform(ST_Expand(b.env, "
                    "(ST_XMax(b.env) - ST_XMin(b.env)) * %s / %s), 4326)) "
                    "SELECT ST_AsMVT(m.*, %s, %s, 'geom') FROM m WHERE m.geom IS NOT NULL"
                ).format(cols, sql.Identifier(SCHEMA, table)),
                (z, x, y, extent, buffer, buffer, extent, spec.id, extent),
            ).fetchone()
        return bytes(row[0] or b"")

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

    @staticmethod
    def _lock(conn, layer_id: str) -> None:
        """One writer per layer at a time (a transaction-scoped advisory lock)."""
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
            conn.execute(
                sql.SQL(
                    "CREATE TABLE {} (fid bigserial PRIMARY KEY, geom geometry(Geometry, 4326), {})"
                ).format(ident, sql.SQL(", ").join(columns))
            )
            names = sql.SQL(", ").join(sql.Identifier(f.name) for f in spec.fields)
            with conn.cursor().copy(
                sql.SQL("COPY {} (geom, {}) FROM STDIN").format(ident, names)
            ) as copy:
                for record in _records(spec, data):
                    copy.write_row(record)
            conn.execute(sql.SQL("CREATE INDEX ON {} USING gist (geom)").format(ident))
            conn.execute(
                sql.SQL("CREATE INDEX ON {} ({})").format(ident, sql.Identifier(spec.id_field))
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


def _records(spec: LayerSpec, data: gpd.GeoDataFrame):
    """Rows for COPY: EWKB hex geometry (SRID 4326), then the fields, NULLs as None."""
    geoms = shapely.set_srid(data.geometry.values, 4326)
    wkb = shapely.to_wkb(geoms, hex=True, include_srid=True)
    columns = [
        data[f.name].astype(object).where(data[f.name].notna(), None).tolist() for f in spec.fields
    ]
    for i, g in enumerate(wkb):
        yield (None if g is None else g, *(_plain(c[i]) for c in columns))


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _typed_id(raw: str, kind: str):
    try:
        if kind == "integer":
            value = int(raw)
            return value if abs(value) <= 2**63 - 1 else None
        if kind == "number":
            return float(raw)
    except ValueError:
        return None
    return raw
