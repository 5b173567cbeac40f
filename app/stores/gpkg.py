"""GpkgStore: the embedded GeoPackage back end.

Reads use Python's sqlite3 directly (this Python cannot load SpatiaLite): bbox queries go
through the GeoPackage R-tree table, geometries are decoded from GeoPackage blobs with
shapely. Writes of feature tables go through GDAL (pyogrio), whose triggers need GDAL's SQL
functions; the catalog tables are plain SQLite (see `gpkg_catalog.py`).

Each version of a layer is its own table `<id>__v<n>`; the pointer table says which one is
served, so a new version becomes visible in one transaction, and every read runs in one
read transaction (the pointer and the data it points to are read consistently).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import shapely

from app.errors import FeatureNotFound, LayerNotFound, StoreError
from app.geo import io
from app.registry.spec import LayerSpec
from app.stores.base import Feature, FeaturePage, LayerInfo, Query
from app.stores.cql2 import conjunction, fields_of, is_spatial
from app.stores.filter_eval import evaluate, regexp, to_sql
from app.stores.gpkg_catalog import CatalogMixin, create_catalog
from app.stores.gpkg_tiles import GpkgTilesMixin
from app.tiles.generalise import CELL_COLUMN, MINZOOM_COLUMN, hidden_columns

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


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class GpkgStore(GpkgTilesMixin, CatalogMixin):
    """Feature store on one GeoPackage file; safe for many reader threads, one writer."""

    def __init__(self, path: Path):
        self.path = Path(path)
        if not self.path.is_file():
            raise StoreError(f"GeoPackage store not found: {self.path.name}")
        self._local = threading.local()
        try:
            self.generation()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"GeoPackage store {self.path.name} is not usable: {exc}") from None

    @classmethod
    def create(cls, path: Path) -> GpkgStore:
        """A new, empty store: a valid GeoPackage (made by GDAL) holding the catalog tables."""
        path = Path(path)
        if path.exists():
            raise StoreError(f"refusing to overwrite an existing file: {path.name}")
        path.parent.mkdir(parents=True, exist_ok=True)
        io.write_gpkg_attributes(path, "geoportale_meta", {"key": ["format"], "value": ["2"]})
        with sqlite3.connect(path) as conn:
            create_catalog(conn)
        return cls(path)

    @classmethod
    def open_or_create(cls, path: Path) -> GpkgStore:
        return cls(path) if Path(path).is_file() else cls.create(path)

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
            # Read-write open, but query_only: a read-only (mode=ro) connection cannot roll
            # back the hot journal a writer killed mid-write leaves, and would fail.
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA query_only = ON")
            conn.create_function("regexp", 2, regexp, deterministic=True)
            self._local.conn, self._local.key = conn, key
        return conn

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
        try:
            lock = open(f"{self.path}.lock", "w")  # noqa: SIM115 (closed below)
        except OSError as exc:
            raise StoreError(f"the GeoPackage store cannot be written: {exc.strerror}") from None
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    @contextmanager
    def _writer(self):
        """A write transaction on the catalog (under the write lock)."""
        try:
            conn = sqlite3.connect(self.path, timeout=30)
        except sqlite3.Error as exc:
            raise StoreError(f"the GeoPackage store cannot be written: {exc}") from None
        try:
            with conn:
                yield conn
        except sqlite3.OperationalError as exc:  # disk full, read-only file or folder
            raise StoreError(f"the GeoPackage store cannot be written: {exc}") from None
        finally:
            conn.close()

    # -- reads -------------------------------------------------------------------

    def _table(self, conn, layer_id: str, version: int | None) -> tuple[str, int]:
        """The table holding `version` (or the served one) and its feature count."""
        if version is None:
            row = conn.execute(
                "SELECT v.table_name, v.feature_count FROM geoportale_layers l JOIN "
                "geoportale_versions v ON v.layer_id = l.id AND v.version = l.version "
                "WHERE l.id = ?",
                (layer_id,),
            ).fetchone()
        else:
            row = conn.execute(
                "SELECT table_name, feature_count FROM geoportale_versions WHERE layer_id = ? "
                "AND version = ? AND status != 'dropped'",
                (layer_id, version),
            ).fetchone()
        if row is None:
            what = f"collection '{layer_id}'" + (f" version {version}" if version else "")
            raise LayerNotFound(f"no {what} in the store")
        return row

    def describe(self, layer_id: str) -> LayerInfo:
        row = (
            self._conn()
            .execute(
                "SELECT l.id, l.version, v.feature_count, v.minx, v.miny, v.maxx, v.maxy, "
                "l.published_at, v.origin FROM geoportale_layers l JOIN geoportale_versions v "
                "ON v.layer_id = l.id AND v.version = l.version WHERE l.id = ?",
                (layer_id,),
            )
            .fetchone()
        )
        if row is None:
            raise LayerNotFound(f"no collection '{layer_id}' in the store")
        lid, version, count, minx, miny, maxx, maxy, published, origin = row
        bbox = None if minx is None else (minx, miny, maxx, maxy)
        return LayerInfo(lid, version, count, bbox, published, origin)

    def query(self, spec: LayerSpec, query: Query, version: int | None = None) -> FeaturePage:
        with self._snapshot() as conn:
            table, count = self._table(conn, spec.id, version)
            return self._query(conn, spec, table, count, query)

    def _query(self, conn, spec: LayerSpec, table: str, count: int, query: Query) -> FeaturePage:
        node = conjunction(
            ("spatial", "intersects", shapely.box(*query.bbox)) if query.bbox else None,
            *[("cmp", "=", name, value) for name, value in query.equals.items()],
            query.filter,
        )
        t = quote(table)
        if node is None:
            rows = conn.execute(
                f"SELECT {self._columns(spec)} FROM {t} t ORDER BY t.fid LIMIT ? OFFSET ?",
                [query.limit, query.offset],
            ).fetchall()
            return FeaturePage([self._feature(spec, r) for r in rows], count)
        where, params = to_sql(node, f"rtree_{table}_geom")
        if not is_spatial(node):  # exact in SQL
            count = conn.execute(f"SELECT count(*) FROM {t} t WHERE {where}", params).fetchone()[0]
            rows = conn.execute(
                f"SELECT {self._columns(spec)} FROM {t} t WHERE {where} ORDER BY t.fid "
                "LIMIT ? OFFSET ?",
                [*params, query.limit, query.offset],
            ).fetchall()
            return FeaturePage([self._feature(spec, r) for r in rows], count)
        # Spatial: SQL (R-tree) selects candidates, the filter is then exact on them only.
        names = sorted(fields_of(node))
        extra = "".join(f", t.{quote(n)}" for n in names)
        candidates = conn.execute(
            f"SELECT t.fid, t.geom{extra} FROM {t} t WHERE {where} ORDER BY t.fid", params
        ).fetchall()
        if not candidates:
            return FeaturePage([], 0)
        fids = np.array([c[0] for c in candidates])
        geoms = decode_geometries([c[1] for c in candidates])
        columns = {n: [c[2 + k] for c in candidates] for k, n in enumerate(names)}
        mask = evaluate(node, columns, geoms).fillna(False).to_numpy(dtype=bool)
        hit = fids[mask]
        page = hit[query.offset : query.offset + query.limit].tolist()
        if not page:
            return FeaturePage([], int(hit.size))
        marks = ",".join("?" * len(page))
        rows = conn.execute(
            f"SELECT {self._columns(spec)} FROM {t} t WHERE t.fid IN ({marks}) ORDER BY t.fid",
            page,
        ).fetchall()
        return FeaturePage([self._feature(spec, r) for r in rows], int(hit.size))

    def frame(self, spec: LayerSpec, query: Query, version: int | None = None):
        """Bulk read: WKB and columns straight into a GeoDataFrame (no per-feature dicts)."""
        import geopandas as gpd
        import pandas as pd

        node = conjunction(
            ("spatial", "intersects", shapely.box(*query.bbox)) if query.bbox else None,
            *[("cmp", "=", name, value) for name, value in query.equals.items()],
            query.filter,
        )
        names = list(spec.field_names)
        cols = "".join(f", t.{quote(n)}" for n in names)
        with self._snapshot() as conn:
            table, _ = self._table(conn, spec.id, version)
            where, params = ("1", []) if node is None else to_sql(node, f"rtree_{table}_geom")
            rows = conn.execute(
                f"SELECT t.geom{cols} FROM {quote(table)} t WHERE {where} ORDER BY t.fid", params
            ).fetchall()
        geoms = decode_geometries([r[0] for r in rows]) if rows else np.array([], dtype=object)
        data = pd.DataFrame([r[1:] for r in rows], columns=names)
        if node is not None and is_spatial(node) and rows:
            columns = {n: data[n].tolist() for n in fields_of(node)}
            keep = evaluate(node, columns, geoms).fillna(False).to_numpy(dtype=bool)
            data, geoms = data[keep].reset_index(drop=True), geoms[keep]
        for f in spec.fields:
            if f.type == "boolean":
                data[f.name] = data[f.name].map(lambda v: None if v is None else bool(v))
        return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geoms, crs="OGC:CRS84"))

    def get(self, spec: LayerSpec, feature_id: str, version: int | None = None) -> Feature:
        with self._snapshot() as conn:
            table, _ = self._table(conn, spec.id, version)
            value = _typed_id(feature_id, spec.field(spec.id_field).type)
            row = None
            if value is not None:
                row = conn.execute(
                    f"SELECT {self._columns(spec)} FROM {quote(table)} t "
                    f"WHERE t.{quote(spec.id_field)} = ?",
                    (value,),
                ).fetchone()
        if row is None:
            raise FeatureNotFound(f"no feature '{feature_id}' in collection '{spec.id}'")
        return self._feature(spec, row)

    @staticmethod
    def _columns(spec: LayerSpec) -> str:
        return ", ".join(["t.geom", *(f"t.{quote(f.name)}" for f in spec.fields)])

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

    # -- feature tables (GDAL) ------------------------------------------------------

    def _write_table(self, table: str, data, spec: LayerSpec) -> None:
        # Point layers carry the hidden tile generalisation columns (app/tiles/generalise.py).
        hidden = hidden_columns(spec.field_names, data.geometry.values)
        if hidden is not None:
            data = data.assign(**hidden)
        io.write_gpkg_table(self.path, table, data, spec.geometry_type)
        with self._writer() as conn:
            conn.execute(
                f"CREATE INDEX {quote(table + '_idx_' + spec.id_field)} "
                f"ON {quote(table)} ({quote(spec.id_field)})"
            )
            if hidden is not None:
                conn.execute(
                    f"CREATE INDEX {quote(table + '_idx_' + MINZOOM_COLUMN)} "
                    f"ON {quote(table)} ({quote(MINZOOM_COLUMN)}, {quote(CELL_COLUMN)})"
                )

    def _drop_table(self, conn: sqlite3.Connection, table: str) -> None:
        """Remove a table, its R-tree and its GeoPackage registrations (in `conn`'s tx)."""
        conn.execute(f"DROP TABLE IF EXISTS {quote('rtree_' + table + '_geom')}")
        conn.execute(f"DROP TABLE IF EXISTS {quote(table)}")
        for meta in (
            "gpkg_contents",
            "gpkg_geometry_columns",
            "gpkg_extensions",
            "gpkg_ogr_contents",
        ):
            if conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (meta,)).fetchone():
                conn.execute(f"DELETE FROM {meta} WHERE lower(table_name) = lower(?)", (table,))

    def _table_names(self, conn: sqlite3.Connection) -> set[str]:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _typed_id(raw: str, kind: str):
    """The featureId from the URL in the type of the id field; None if it cannot match."""
    if kind == "integer":
        try:
            value = int(raw)
        except ValueError:
            return None
        return value if abs(value) <= 2**63 - 1 else None
    if kind == "number":
        try:
            return float(raw)
        except ValueError:
            return None
    return raw
