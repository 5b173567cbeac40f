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

from app.errors import FeatureNotFound, StoreError
from app.geo import io
from app.registry.spec import LayerSpec
from app.stores.base import Feature, FeaturePage, Query, typed_id
from app.stores.counts import CountCache
from app.stores.cql2 import conjunction, fields_of, is_spatial
from app.stores.filter_eval import evaluate, to_sql
from app.stores.filter_tree import Cmp, Spatial
from app.stores.generalise import CELL_COLUMN, MINZOOM_COLUMN, hidden_columns
from app.stores.gpkg_catalog import (
    CatalogMixin,
    create_catalog,
    create_contributions,
    create_edits,
)
from app.stores.gpkg_tiles import GpkgTilesMixin
from app.stores.like import like
from app.stores.limits import SqliteDeadline

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

    def __init__(self, path: Path, query_timeout_ms: int = 0):
        self.path = Path(path)
        # The time limit of a read snapshot (QUERY_TIMEOUT_MS); 0 for the CLI and builds.
        self._deadline = SqliteDeadline(query_timeout_ms)
        if not self.path.is_file():
            raise StoreError(f"GeoPackage store not found: {self.path.name}")
        self._local = threading.local()
        self._counts = CountCache()  # numberMatched of filters per version table (counts.py)
        try:
            self.generation()
            known = {
                r[0]
                for r in self._conn().execute(
                    "SELECT name FROM sqlite_master WHERE name IN "
                    "('geoportale_edits', 'geoportale_contribution_flags', "
                    "'geoportale_consultation_comments', 'geoportale_contribution_photos', "
                    "'geoportale_contribution_mail')"
                )
            }
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"GeoPackage store {self.path.name} is not usable: {exc}") from None
        if len(known) < 5:  # made before edits, contributions, consultations, photos, mail
            with self._write_lock(), self._writer() as conn:
                create_edits(conn)
                create_contributions(conn)

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
            conn.create_function("cql2_like", 3, like, deterministic=True)
            self._deadline.install(conn)
            self._local.conn, self._local.key = conn, key
        return conn

    @contextmanager
    def _snapshot(self):
        """A read transaction: the catalog and the data it points to are read consistently."""
        conn = self._conn()
        conn.execute("BEGIN")
        try:
            with self._deadline.armed():
                yield conn
        finally:
            if conn.in_transaction:  # an interrupted statement may have ended it
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

    def query(self, spec: LayerSpec, query: Query, version: int | None = None) -> FeaturePage:
        with self._snapshot() as conn:
            table, count = self._table(conn, spec.id, version)
            return self._query(conn, spec, table, count, query)

    def _query(self, conn, spec: LayerSpec, table: str, count: int, query: Query) -> FeaturePage:
        node = conjunction(
            Spatial("intersects", shapely.box(*query.bbox)) if query.bbox else None,
            *[Cmp("=", name, value) for name, value in query.equals.items()],
            query.filter,
        )
        t = quote(table)
        if node is None:
            rows = conn.execute(
                f"SELECT {self._columns(spec)} FROM {t} t ORDER BY t.fid LIMIT ? OFFSET ?",
                [query.limit, query.offset],
            ).fetchall()
            return FeaturePage(self._features(spec, rows), count)
        rest = conjunction(
            *[Cmp("=", name, value) for name, value in query.equals.items()], query.filter
        )
        if query.bbox and (rest is None or not is_spatial(rest)):
            hit = self._bbox_hits(conn, table, query.bbox, rest)
            return self._page(conn, spec, table, hit, query)
        where, params = to_sql(node, f"rtree_{table}_geom")
        if not is_spatial(node):  # exact in SQL
            rows = conn.execute(
                f"SELECT {self._columns(spec)} FROM {t} t WHERE {where} ORDER BY t.fid "
                "LIMIT ? OFFSET ?",
                [*params, query.limit, query.offset],
            ).fetchall()
            if len(rows) < query.limit and (rows or query.offset == 0):
                count = query.offset + len(rows)  # the last page: no count needed
            else:
                statement = f"SELECT count(*) FROM {t} t WHERE {where}"
                count = self._counts.get_or_count(
                    (self._local.key, table, statement, tuple(params)),  # file, table, filter
                    lambda: conn.execute(statement, params).fetchone()[0],
                )
            return FeaturePage(self._features(spec, rows), count)
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
        return self._page(conn, spec, table, fids[mask], query)

    def _page(self, conn, spec: LayerSpec, table: str, hit: np.ndarray, query: Query):
        """The page `query` asks for out of `hit`, every matching fid in fid order."""
        page = hit[query.offset : query.offset + query.limit].tolist()
        if not page:
            return FeaturePage([], int(hit.size))
        marks = ",".join("?" * len(page))
        rows = conn.execute(
            f"SELECT {self._columns(spec)} FROM {quote(table)} t WHERE t.fid IN ({marks}) "
            "ORDER BY t.fid",
            page,
        ).fetchall()
        return FeaturePage(self._features(spec, rows), int(hit.size))

    def _bbox_hits(self, conn, table: str, bbox, rest) -> np.ndarray:
        """Every fid whose geometry intersects `bbox` (and matches the non-spatial `rest`),
        in fid order, reading the R-tree's boxes only. A feature whose R-tree box lies
        inside the bbox intersects it (its geometry lies in its box); only the features on
        the bbox's edge have their geometry decoded and tested exactly."""
        minx, miny, maxx, maxy = bbox
        rtree = quote(f"rtree_{table}_geom")
        box_where = "r.maxx >= ? AND r.minx <= ? AND r.maxy >= ? AND r.miny <= ?"
        params: list = [minx, maxx, miny, maxy]
        if rest is None:
            statement = (
                f"SELECT r.id, r.minx, r.miny, r.maxx, r.maxy FROM {rtree} r WHERE {box_where}"
            )
        else:
            where, extra = to_sql(rest, f"rtree_{table}_geom")
            statement = (
                f"SELECT r.id, r.minx, r.miny, r.maxx, r.maxy FROM {rtree} r "
                f"JOIN {quote(table)} t ON t.fid = r.id WHERE {box_where} AND {where}"
            )
            params += extra
        rows = conn.execute(statement, params).fetchall()
        if not rows:
            return np.empty(0, dtype=np.int64)
        arr = np.array(rows, dtype=np.float64)
        fids = arr[:, 0].astype(np.int64)
        inside = (
            (arr[:, 1] >= minx) & (arr[:, 2] >= miny) & (arr[:, 3] <= maxx) & (arr[:, 4] <= maxy)
        )
        edge = fids[~inside]
        keep = inside.copy()
        if edge.size:
            exact = set()
            area = shapely.box(minx, miny, maxx, maxy)
            for start in range(0, edge.size, 30000):  # under SQLite's bound-variable limit
                chunk = edge[start : start + 30000].tolist()
                marks = ",".join("?" * len(chunk))
                found = conn.execute(
                    f"SELECT fid, geom FROM {quote(table)} WHERE fid IN ({marks})", chunk
                ).fetchall()
                geoms = decode_geometries([g for _, g in found])
                hits = shapely.intersects(geoms, area)
                exact.update(fid for (fid, _), h in zip(found, hits, strict=True) if h)
            keep[~inside] = [int(f) in exact for f in edge]
        return np.sort(fids[keep])

    def frame(self, spec: LayerSpec, query: Query, version: int | None = None):
        """Bulk read: WKB and columns straight into a GeoDataFrame (no per-feature dicts)."""
        import geopandas as gpd
        import pandas as pd

        node = conjunction(
            Spatial("intersects", shapely.box(*query.bbox)) if query.bbox else None,
            *[Cmp("=", name, value) for name, value in query.equals.items()],
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
                # SQLite's 0/1/NULL: pandas has made the NULLs NaN, and bool(NaN) is True.
                data[f.name] = pd.array(
                    [None if pd.isna(v) else bool(v) for v in data[f.name]], dtype="boolean"
                )
        return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geoms, crs="OGC:CRS84"))

    def get(self, spec: LayerSpec, feature_id: str, version: int | None = None) -> Feature:
        with self._snapshot() as conn:
            table, _ = self._table(conn, spec.id, version)
            value = typed_id(feature_id, spec.field(spec.id_field).type)
            row = None
            if value is not None:
                row = conn.execute(
                    f"SELECT {self._columns(spec)} FROM {quote(table)} t "
                    f"WHERE t.{quote(spec.id_field)} = ?",
                    (value,),
                ).fetchone()
        if row is None:
            raise FeatureNotFound(f"no feature '{feature_id}' in collection '{spec.id}'")
        return self._features(spec, [row])[0]

    @staticmethod
    def _columns(spec: LayerSpec) -> str:
        return ", ".join(["t.geom", *(f"t.{quote(f.name)}" for f in spec.fields)])

    @staticmethod
    def _features(spec: LayerSpec, rows: list[tuple]) -> list[Feature]:
        """Rows (geometry blob, then the fields) to features, the geometries written as
        GeoJSON text by GEOS in one vectorised call (no per-feature mapping)."""
        if not rows:
            return []
        geoms = decode_geometries([r[0] for r in rows])
        present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        texts = np.full(len(rows), None, dtype=object)
        if present.any():
            texts[present] = shapely.to_geojson(geoms[present])
        names = spec.field_names
        id_index = names.index(spec.id_field)
        booleans = [i for i, f in enumerate(spec.fields) if f.type == "boolean"]
        out = []
        for row, text in zip(rows, texts.tolist(), strict=True):
            values = row[1:]
            if booleans:
                values = list(values)
                for i in booleans:
                    if values[i] is not None:
                        values[i] = bool(values[i])
            out.append(
                Feature(
                    values[id_index],
                    None,
                    dict(zip(names, values, strict=True)),
                    geometry_json=text,
                )
            )
        return out

    # -- feature tables (GDAL) ------------------------------------------------------

    def _write_table(self, table: str, data, spec: LayerSpec) -> None:
        # Point layers carry the hidden tile generalisation columns (app/stores/generalise.py).
        hidden = hidden_columns(spec.field_names, data.geometry.values)
        if hidden is not None:
            data = data.assign(**hidden)
        io.write_gpkg_table(self.path, table, data, spec.geometry_type)
        with self._writer() as conn:
            conn.execute(
                f"CREATE INDEX {quote(table + '_idx_' + spec.id_field)} "
                f"ON {quote(table)} ({quote(spec.id_field)})"
            )
            # Every field a filter may test (booleans are left to the scan), and the
            # statistics that let SQLite choose between them and the fid order.
            for f in spec.fields:
                if f.name != spec.id_field and f.type != "boolean":
                    conn.execute(
                        f"CREATE INDEX {quote(table + '_idx_' + f.name)} "
                        f"ON {quote(table)} ({quote(f.name)})"
                    )
            if hidden is not None:
                conn.execute(
                    f"CREATE INDEX {quote(table + '_idx_' + MINZOOM_COLUMN)} "
                    f"ON {quote(table)} ({quote(MINZOOM_COLUMN)}, {quote(CELL_COLUMN)})"
                )
            conn.execute(f"ANALYZE {quote(table)}")

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
