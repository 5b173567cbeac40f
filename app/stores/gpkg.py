"""GpkgStore: the embedded GeoPackage back end.

Reads use Python's sqlite3 directly (this Python cannot load SpatiaLite): bbox queries go
through the GeoPackage R-tree table, geometries are decoded from GeoPackage blobs with
shapely. Writes go through GDAL (pyogrio), whose triggers need GDAL's SQL functions.

Each layer lives in a versioned table `<id>__v<n>`; the catalog table `geoportale_layers`
says which version is current, so a new version becomes visible in one transaction.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from app.errors import FeatureNotFound, LayerNotFound, StoreError
from app.geo import io
from app.registry.spec import LayerSpec
from app.stores.base import Feature, FeaturePage, FeatureStore, LayerInfo, Query
from app.stores.prepare import prepare_layer

CATALOG = "geoportale_layers"
META = "geoportale_meta"
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def gpkg_blob_to_wkb(blob: bytes) -> bytes:
    """Strip the GeoPackage header (magic, flags, srs id, envelope) from a geometry blob."""
    if blob[:2] != b"GP":
        raise StoreError("the store holds a geometry that is not a GeoPackage blob")
    envelope = (blob[3] >> 1) & 0x07
    return blob[8 + _ENVELOPE_BYTES[envelope] :]


def decode_geometries(blobs: list[bytes | None]) -> np.ndarray:
    """GeoPackage blobs to an array of shapely geometries (None stays None)."""
    wkb = [None if b is None else gpkg_blob_to_wkb(b) for b in blobs]
    return shapely.from_wkb(wkb)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class GpkgStore(FeatureStore):
    """Feature store on one GeoPackage file; safe for many reader threads, one writer."""

    def __init__(self, path: Path):
        self.path = Path(path)
        if not self.path.is_file():
            raise StoreError(f"GeoPackage store not found: {self.path.name}")
        self._local = threading.local()
        self._check()

    # -- connections -------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        """This thread's read-only connection, reopened if the file was replaced."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise StoreError("the GeoPackage store has disappeared") from None
        key = (st.st_dev, st.st_ino)
        conn = getattr(self._local, "conn", None)
        if conn is None or self._local.key != key:
            if conn is not None:
                conn.close()
            conn = sqlite3.connect(
                f"file:{self.path}?mode=ro", uri=True, timeout=30, isolation_level=None
            )
            self._local.conn, self._local.key = conn, key
        return conn

    def _check(self) -> None:
        try:
            conn = self._conn()
            conn.execute(f"SELECT count(*) FROM {CATALOG}").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"GeoPackage store {self.path.name} is not usable: {exc}") from None

    @contextmanager
    def _snapshot(self):
        """A read transaction: the catalog and the data it points to are read consistently."""
        conn = self._conn()
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    @contextmanager
    def _write_lock(self):
        """One writer at a time across processes (a lock file beside the store)."""
        with open(f"{self.path}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    # -- catalog -----------------------------------------------------------------

    @classmethod
    def create(cls, path: Path) -> GpkgStore:
        """A new, empty store: a valid GeoPackage (made by GDAL) holding the catalog tables."""
        path = Path(path)
        if path.exists():
            raise StoreError(f"refusing to overwrite an existing file: {path.name}")
        io.write_gpkg_attributes(path, META, {"key": ["format"], "value": ["geoportale-1"]})
        with sqlite3.connect(path) as conn:
            conn.execute(
                f"CREATE TABLE {CATALOG} (id TEXT PRIMARY KEY, table_name TEXT NOT NULL, "
                "version INTEGER NOT NULL, feature_count INTEGER NOT NULL, minx REAL, miny REAL, "
                "maxx REAL, maxy REAL, published_at TEXT NOT NULL)"
            )
            conn.execute(f"CREATE UNIQUE INDEX {META}_key ON {META} (key)")
        return cls(path)

    def _row(self, layer_id: str, conn: sqlite3.Connection | None = None) -> tuple:
        row = (
            (conn or self._conn())
            .execute(
                f"SELECT id, table_name, version, feature_count, minx, miny, maxx, maxy, "
                f"published_at FROM {CATALOG} WHERE id = ?",
                (layer_id,),
            )
            .fetchone()
        )
        if row is None:
            raise LayerNotFound(f"no collection '{layer_id}' in the store")
        return row

    def describe(self, layer_id: str) -> LayerInfo:
        lid, _, version, count, minx, miny, maxx, maxy, published = self._row(layer_id)
        bbox = None if minx is None else (minx, miny, maxx, maxy)
        return LayerInfo(lid, version, count, bbox, published)

    def layer_ids(self) -> list[str]:
        return [r[0] for r in self._conn().execute(f"SELECT id FROM {CATALOG} ORDER BY id")]

    def meta(self, key: str) -> str | None:
        row = self._conn().execute(f"SELECT value FROM {META} WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    # -- reads -------------------------------------------------------------------

    def _where(self, spec: LayerSpec, query: Query) -> tuple[str, list]:
        clauses, params = [], []
        for name, value in query.equals.items():
            clauses.append(f"t.{_quote(name)} = ?")
            params.append(value)
        return (" AND ".join(clauses) or "1"), params

    def query(self, spec: LayerSpec, query: Query) -> FeaturePage:
        with self._snapshot() as conn:
            return self._query(conn, spec, query)

    def _query(self, conn: sqlite3.Connection, spec: LayerSpec, query: Query) -> FeaturePage:
        _, table, _, count, *_ = self._row(spec.id, conn)
        where, params = self._where(spec, query)
        t = _quote(table)
        if query.bbox is None:
            if query.equals:
                count = conn.execute(
                    f"SELECT count(*) FROM {t} t WHERE {where}", params
                ).fetchone()[0]
            rows = conn.execute(
                f"SELECT {self._columns(spec)} FROM {t} t WHERE {where} ORDER BY t.fid "
                "LIMIT ? OFFSET ?",
                [*params, query.limit, query.offset],
            ).fetchall()
            return FeaturePage([self._feature(spec, r) for r in rows], count)
        # Spatial index prefilter, then exact intersection on the candidates only.
        minx, miny, maxx, maxy = query.bbox
        candidates = conn.execute(
            f"SELECT t.fid, t.geom FROM {t} t JOIN {_quote('rtree_' + table + '_geom')} r "
            f"ON t.fid = r.id WHERE r.maxx >= ? AND r.minx <= ? AND r.maxy >= ? AND r.miny <= ? "
            f"AND {where} ORDER BY t.fid",
            [minx, maxx, miny, maxy, *params],
        ).fetchall()
        if not candidates:
            return FeaturePage([], 0)
        fids = np.array([c[0] for c in candidates])
        geoms = decode_geometries([c[1] for c in candidates])
        hit = fids[shapely.intersects(geoms, shapely.box(minx, miny, maxx, maxy))]
        page = hit[query.offset : query.offset + query.limit].tolist()
        if not page:
            return FeaturePage([], int(hit.size))
        marks = ",".join("?" * len(page))
        rows = conn.execute(
            f"SELECT {self._columns(spec)} FROM {t} t WHERE t.fid IN ({marks}) ORDER BY t.fid",
            page,
        ).fetchall()
        return FeaturePage([self._feature(spec, r) for r in rows], int(hit.size))

    def get(self, spec: LayerSpec, feature_id: str) -> Feature:
        with self._snapshot() as conn:
            _, table, *_ = self._row(spec.id, conn)
            value = _typed_id(feature_id, spec.field(spec.id_field).type)
            row = None
            if value is not None:
                row = conn.execute(
                    f"SELECT {self._columns(spec)} FROM {_quote(table)} t "
                    f"WHERE t.{_quote(spec.id_field)} = ?",
                    (value,),
                ).fetchone()
        if row is None:
            raise FeatureNotFound(f"no feature '{feature_id}' in collection '{spec.id}'")
        return self._feature(spec, row)

    @staticmethod
    def _columns(spec: LayerSpec) -> str:
        return ", ".join(["t.geom", *(f"t.{_quote(f.name)}" for f in spec.fields)])

    @staticmethod
    def _feature(spec: LayerSpec, row: tuple) -> Feature:
        blob, values = row[0], row[1:]
        props = {}
        for f, v in zip(spec.fields, values, strict=True):
            props[f.name] = bool(v) if (f.type == "boolean" and v is not None) else v
        geometry = None
        if blob is not None:
            geom = shapely.from_wkb(gpkg_blob_to_wkb(blob))
            if not geom.is_empty:
                geometry = shapely.geometry.mapping(geom)
        return Feature(props[spec.id_field], geometry, props)

    # -- writes ------------------------------------------------------------------

    def write_layer(self, spec: LayerSpec, gdf: gpd.GeoDataFrame) -> LayerInfo:
        data = prepare_layer(spec, gdf)
        with self._write_lock():
            with sqlite3.connect(self.path, timeout=30) as conn:
                row = conn.execute(
                    f"SELECT table_name, version FROM {CATALOG} WHERE id = ?", (spec.id,)
                ).fetchone()
            old_table, version = (row[0], row[1] + 1) if row else (None, 1)
            table = f"{spec.id}__v{version}"
            io.write_gpkg_table(self.path, table, data, spec.geometry_type)
            present = data.geometry.notna() & ~data.geometry.is_empty
            bounds = data.geometry[present].total_bounds if present.any() else [None] * 4
            published = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            with sqlite3.connect(self.path, timeout=30) as conn:
                conn.execute(
                    f"CREATE INDEX {_quote(table + '_idx_' + spec.id_field)} "
                    f"ON {_quote(table)} ({_quote(spec.id_field)})"
                )
                conn.execute(
                    f"INSERT OR REPLACE INTO {CATALOG} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (spec.id, table, version, len(data), *map(_float, bounds), published),
                )
            if old_table:
                self._drop_table(old_table)
        return self.describe(spec.id)

    def _drop_table(self, table: str) -> None:
        """Remove an old version: its table, R-tree and GeoPackage registrations, at once."""
        with sqlite3.connect(self.path, timeout=30) as conn:
            conn.execute(f"DROP TABLE IF EXISTS {_quote('rtree_' + table + '_geom')}")
            conn.execute(f"DROP TABLE IF EXISTS {_quote(table)}")
            for meta in (
                "gpkg_contents",
                "gpkg_geometry_columns",
                "gpkg_extensions",
                "gpkg_ogr_contents",
            ):
                if conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (meta,)).fetchone():
                    conn.execute(f"DELETE FROM {meta} WHERE lower(table_name) = lower(?)", (table,))

    def set_meta(self, key: str, value: str) -> None:
        with self._write_lock(), sqlite3.connect(self.path, timeout=30) as conn:
            conn.execute(f"INSERT OR REPLACE INTO {META} (key, value) VALUES (?, ?)", (key, value))


def _float(v):
    return None if v is None else float(v)


def _typed_id(raw: str, kind: str):
    """The featureId from the URL in the type of the id field; None if it cannot match."""
    if kind == "integer":
        try:
            return int(raw)
        except ValueError:
            return None
    if kind == "number":
        try:
            return float(raw)
        except ValueError:
            return None
    return raw
