"""The GeoPackage store's catalog: versions, the served pointer, the audit log.

Plain SQLite tables beside the GeoPackage's own:

- `geoportale_versions`: one row per version (its table, status, origin, spec, report);
- `geoportale_layers`: the pointer, one row per served layer;
- `geoportale_audit`: every change, who and when;
- `geoportale_meta`: `generation`, bumped in the same transaction as every change.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3

import geopandas as gpd

from app.errors import DataError, LayerNotFound
from app.registry.spec import LayerSpec
from app.stores.base import FeatureStore, LayerInfo, VersionInfo
from app.stores.prepare import prepare_layer

#: Versions whose data is kept for rollback, besides the served one.
KEEP_VERSIONS = 5
_VERSION_TABLE = re.compile(r"^(?P<id>[a-z][a-z0-9_]*)__v(?P<n>\d+)$")
_VERSION_COLUMNS = (
    "layer_id, version, status, origin, source, user, created_at, feature_count, "
    "minx, miny, maxx, maxy, fingerprint, report, spec"
)


def create_catalog(conn: sqlite3.Connection) -> None:
    conn.executescript(
        """
        CREATE TABLE geoportale_versions (
            layer_id TEXT NOT NULL, version INTEGER NOT NULL, table_name TEXT NOT NULL,
            status TEXT NOT NULL, origin TEXT NOT NULL, source TEXT NOT NULL, user TEXT NOT NULL,
            created_at TEXT NOT NULL, feature_count INTEGER NOT NULL,
            minx REAL, miny REAL, maxx REAL, maxy REAL, fingerprint TEXT, report TEXT,
            spec TEXT NOT NULL, PRIMARY KEY (layer_id, version));
        CREATE TABLE geoportale_layers (
            id TEXT PRIMARY KEY, version INTEGER NOT NULL, published_at TEXT NOT NULL,
            published_by TEXT NOT NULL);
        CREATE TABLE geoportale_audit (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, user TEXT NOT NULL,
            action TEXT NOT NULL, layer_id TEXT, version INTEGER, detail TEXT);
        CREATE UNIQUE INDEX geoportale_meta_key ON geoportale_meta (key);
        INSERT INTO geoportale_meta (key, value) VALUES ('generation', '0');
        """
    )


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _version(row: tuple) -> VersionInfo:
    (
        lid,
        version,
        status,
        origin,
        source,
        user,
        created,
        count,
        minx,
        miny,
        maxx,
        maxy,
        fp,
        report,
        spec,
    ) = row
    return VersionInfo(
        lid,
        version,
        status,
        origin,
        source,
        user,
        created,
        count,
        None if minx is None else (minx, miny, maxx, maxy),
        fp,
        json.loads(report) if report else None,
        LayerSpec.model_validate_json(spec),
    )


class CatalogMixin(FeatureStore):
    """Versions and pointer moves; needs `_conn`, `_writer`, `_write_lock`, `_write_table`,
    `_drop_table` and `_table_names` from the concrete store."""

    # -- reads of the catalog --------------------------------------------------------

    def generation(self) -> int:
        row = (
            self._conn()
            .execute("SELECT value FROM geoportale_meta WHERE key = 'generation'")
            .fetchone()
        )
        return int(row[0])

    def published_specs(self) -> list[LayerSpec]:
        rows = (
            self._conn()
            .execute(
                "SELECT v.spec FROM geoportale_layers l JOIN geoportale_versions v "
                "ON v.layer_id = l.id AND v.version = l.version ORDER BY l.id"
            )
            .fetchall()
        )
        return [LayerSpec.model_validate_json(r[0]) for r in rows]

    def versions(self, layer_id: str) -> list[VersionInfo]:
        rows = (
            self._conn()
            .execute(
                f"SELECT {_VERSION_COLUMNS} FROM geoportale_versions WHERE layer_id = ? "
                "ORDER BY version DESC",
                (layer_id,),
            )
            .fetchall()
        )
        if not rows:
            raise LayerNotFound(f"no layer '{layer_id}' in the store")
        return [_version(r) for r in rows]

    def layer_ids(self) -> list[str]:
        rows = (
            self._conn()
            .execute("SELECT DISTINCT layer_id FROM geoportale_versions ORDER BY layer_id")
            .fetchall()
        )
        return [r[0] for r in rows]

    def shipped_fingerprints(self) -> dict[str, str]:
        """The fingerprint of the newest shipped version of each layer."""
        rows = (
            self._conn()
            .execute(
                "SELECT layer_id, fingerprint FROM geoportale_versions v WHERE origin = 'shipped' "
                "AND version = (SELECT max(version) FROM geoportale_versions w WHERE "
                "w.layer_id = v.layer_id AND w.origin = 'shipped')"
            )
            .fetchall()
        )
        return dict(rows)

    def audit_log(self, layer_id: str | None = None, limit: int = 200) -> list[dict]:
        sql = "SELECT at, user, action, layer_id, version, detail FROM geoportale_audit"
        params: list = []
        if layer_id:
            sql += " WHERE layer_id = ?"
            params.append(layer_id)
        rows = self._conn().execute(sql + " ORDER BY seq DESC LIMIT ?", [*params, limit])
        keys = ("at", "user", "action", "layer_id", "version", "detail")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    # -- changes -------------------------------------------------------------------

    @staticmethod
    def _changed(
        conn, user: str, action: str, layer_id: str, version: int | None, detail: str = ""
    ) -> None:
        conn.execute(
            "INSERT INTO geoportale_audit (at, user, action, layer_id, version, detail) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (_now(), user, action, layer_id, version, detail),
        )
        conn.execute(
            "UPDATE geoportale_meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'"
        )

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
        with self._write_lock():
            self._drop_orphans()
            with self._writer() as conn:
                row = conn.execute(
                    "SELECT max(version) FROM geoportale_versions WHERE layer_id = ?",
                    (spec.id,),
                ).fetchone()
            version = (row[0] or 0) + 1
            table = f"{spec.id}__v{version}"
            if report is not None:
                report = {**report, "version": version}
            # The table is complete before its row exists: a crash in between leaves an
            # orphan table that the next write removes, never a half-visible version.
            self._write_table(table, data, spec)
            with self._writer() as conn:
                conn.execute(
                    "INSERT INTO geoportale_versions (layer_id, version, table_name, status, "
                    "origin, source, user, created_at, feature_count, minx, miny, maxx, maxy, "
                    "fingerprint, report, spec) VALUES (?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, "
                    "?, ?, ?, ?, ?)",
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
                        json.dumps(report, ensure_ascii=False) if report else None,
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

    def publish(self, layer_id: str, version: int, user: str) -> LayerInfo:
        with self._write_lock(), self._writer() as conn:
            row = conn.execute(
                "SELECT status FROM geoportale_versions WHERE layer_id = ? AND version = ?",
                (layer_id, version),
            ).fetchone()
            if row is None or row[0] == "dropped":
                raise LayerNotFound(f"no version {version} of '{layer_id}' with data")
            self._point(conn, layer_id, version, user)
            self._changed(conn, user, "publish", layer_id, version)
            self._prune(conn, layer_id)
        return self.describe(layer_id)

    def _point(self, conn, layer_id: str, version: int, user: str) -> None:
        conn.execute(
            "UPDATE geoportale_versions SET status = 'retired' WHERE layer_id = ? "
            "AND status = 'published'",
            (layer_id,),
        )
        conn.execute(
            "UPDATE geoportale_versions SET status = 'published' WHERE layer_id = ? "
            "AND version = ?",
            (layer_id, version),
        )
        conn.execute(
            "INSERT OR REPLACE INTO geoportale_layers (id, version, published_at, published_by) "
            "VALUES (?, ?, ?, ?)",
            (layer_id, version, _now(), user),
        )

    def rollback(self, layer_id: str, user: str) -> LayerInfo:
        with self._write_lock(), self._writer() as conn:
            current = conn.execute(
                "SELECT version FROM geoportale_layers WHERE id = ?", (layer_id,)
            ).fetchone()
            if current is None:
                raise LayerNotFound(f"'{layer_id}' is not published: nothing to roll back")
            previous = conn.execute(
                "SELECT max(version) FROM geoportale_versions WHERE layer_id = ? AND "
                "version < ? AND status = 'retired'",
                (layer_id, current[0]),
            ).fetchone()[0]
            if previous is None:
                raise DataError(f"'{layer_id}' has no earlier published version to roll back to")
            self._point(conn, layer_id, previous, user)
            conn.execute(
                "UPDATE geoportale_versions SET status = 'draft' WHERE layer_id = ? AND "
                "version = ?",
                (layer_id, current[0]),
            )
            self._changed(conn, user, "rollback", layer_id, previous, f"from v{current[0]}")
        return self.describe(layer_id)

    def unpublish(self, layer_id: str, user: str) -> None:
        with self._write_lock(), self._writer() as conn:
            current = conn.execute(
                "SELECT version FROM geoportale_layers WHERE id = ?", (layer_id,)
            ).fetchone()
            if current is None:
                raise LayerNotFound(f"'{layer_id}' is not published")
            conn.execute("DELETE FROM geoportale_layers WHERE id = ?", (layer_id,))
            conn.execute(
                "UPDATE geoportale_versions SET status = 'retired' WHERE layer_id = ? "
                "AND version = ?",
                (layer_id, current[0]),
            )
            self._changed(conn, user, "unpublish", layer_id, current[0])

    def update_spec(self, layer_id: str, spec: LayerSpec, user: str) -> None:
        """Titles, labels, metadata, style of the served version; fields stay as they are."""
        info = self.describe(layer_id)
        served = self.versions(layer_id)
        old = next(v.spec for v in served if v.version == info.version)
        if (
            spec.id != layer_id
            or [(f.name, f.type) for f in spec.fields] != [(f.name, f.type) for f in old.fields]
            or spec.id_field != old.id_field
            or spec.geometry_type != old.geometry_type
        ):
            raise DataError("metadata and style edits cannot change the id, fields or geometry")
        with self._write_lock(), self._writer() as conn:
            conn.execute(
                "UPDATE geoportale_versions SET spec = ? WHERE layer_id = ? AND version = ?",
                (spec.model_dump_json(), layer_id, info.version),
            )
            self._changed(conn, user, "edit", layer_id, info.version, old.model_dump_json())

    # -- housekeeping ----------------------------------------------------------------

    def _prune(self, conn, layer_id: str) -> None:
        """Drop the data of versions beyond the newest KEEP_VERSIONS (rows stay as history)."""
        rows = conn.execute(
            "SELECT version, table_name FROM geoportale_versions WHERE layer_id = ? AND "
            "status NOT IN ('dropped', 'published') ORDER BY version DESC",
            (layer_id,),
        ).fetchall()
        for version, table in rows[KEEP_VERSIONS:]:
            self._drop_table(conn, table)
            conn.execute(
                "UPDATE geoportale_versions SET status = 'dropped' WHERE layer_id = ? AND "
                "version = ?",
                (layer_id, version),
            )

    def _drop_orphans(self) -> None:
        """Tables of versions that never got their catalog row (a crash mid-write)."""
        with self._writer() as conn:
            known = {r[0] for r in conn.execute("SELECT table_name FROM geoportale_versions")}
            for name in self._table_names(conn):
                if _VERSION_TABLE.match(name) and name not in known:
                    self._drop_table(conn, name)

    def orphan_tables(self) -> list[str]:
        """Feature tables the catalog does not know (should always be empty)."""
        conn = self._conn()
        known = {r[0] for r in conn.execute("SELECT table_name FROM geoportale_versions")}
        return sorted(
            n for n in self._table_names(conn) if _VERSION_TABLE.match(n) and n not in known
        )
