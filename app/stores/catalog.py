"""One version catalog for every store: versions, the served pointer, the audit log.

A layer is a sequence of versions, each a feature table `<id>__v<n>` and a row in the
catalog's `versions` table. Its states:

- `draft`: staged (its table complete before its row exists), not served;
- `published`: the `layers` pointer (one row per served layer) points at it;
- `retired`: served before; a rollback moves the pointer back to the newest retired
  version older than the served one (which becomes a draft again), an unpublish removes
  the pointer (the version it served is retired);
- `dropped`: its data pruned (the row stays as history): after each publish only the
  newest KEEP_VERSIONS versions not served keep their tables, for rollback.

Every change writes an entry in `audit` and bumps `generation` (in `meta`) in the same
transaction. The state machine is written here once; each back end supplies the adapter
below (table names and placeholder, transactions and locks, its feature tables).
"""

from __future__ import annotations

import functools
import json
import re
from abc import abstractmethod
from contextlib import AbstractContextManager

import geopandas as gpd
import shapely

from app.errors import DataError, LayerNotFound
from app.registry.spec import LayerSpec
from app.stores.base import LayerInfo, VersionInfo
from app.stores.catalog_consultations import ConsultationsMixin
from app.stores.catalog_edits import EditsMixin
from app.stores.edits import now
from app.stores.prepare import prepare_layer

#: Versions whose data is kept for rollback, besides the served one.
KEEP_VERSIONS = 5
VERSION_TABLE = re.compile(r"^(?P<id>[a-z][a-z0-9_]*)__v(?P<n>\d+)$")
_VERSION_COLUMNS = (
    'layer_id, version, status, origin, source, "user", created_at, feature_count, '
    "minx, miny, maxx, maxy, fingerprint, report, spec"
)
_AUDIT_KEYS = ("at", "user", "action", "layer_id", "version", "detail")


@functools.lru_cache(maxsize=512)
def _compile(template: str, placeholder: str, tables: tuple[str, ...]) -> str:
    """Catalog SQL written once: `{versions}`, `{layers}`, `{audit}`, `{meta}`, `{edits}`
    become the back end's table names, `?` its placeholder."""
    versions, layers, audit, meta, edits = tables
    text = template.format(versions=versions, layers=layers, audit=audit, meta=meta, edits=edits)
    return text.replace("?", placeholder)


def _spec(value) -> LayerSpec:
    """A stored spec: JSON text (SQLite) or already decoded (jsonb)."""
    if isinstance(value, str | bytes):
        return LayerSpec.model_validate_json(value)
    return LayerSpec.model_validate(value)


def _version(row: tuple) -> VersionInfo:
    *head, minx, miny, maxx, maxy, fp, report, spec = row  # head: layer_id .. feature_count
    bbox = None if minx is None else (minx, miny, maxx, maxy)
    if isinstance(report, str):  # JSON text (SQLite), else already decoded (jsonb)
        report = json.loads(report) if report else None
    return VersionInfo(*head, bbox, fp, report, _spec(spec))


def _json(report: dict | None) -> str | None:
    return json.dumps(report, ensure_ascii=False, default=str) if report else None


def _bounds(data: gpd.GeoDataFrame) -> list[float | None]:
    """The extent of the present (neither missing nor empty) geometries."""
    geoms = data.geometry.values
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not present.any():
        return [None] * 4
    return [float(b) for b in shapely.total_bounds(geoms[present])]


class VersionCatalog(EditsMixin, ConsultationsMixin):
    """The versions, the pointer and the audit log of a store, over its adapter."""

    # -- the adapter: what a back end supplies -----------------------------------------

    #: The names of the catalog tables in SQL: versions, layers (the pointer), audit, meta,
    #: edits (pending and past feature edits, `catalog_edits.py`).
    CATALOG_TABLES: tuple[str, str, str, str, str]
    #: The driver's parameter placeholder.
    PLACEHOLDER = "?"

    @abstractmethod
    def _catalog_reads(self) -> AbstractContextManager:
        """A connection for reads of the catalog (one statement each)."""

    @abstractmethod
    def _changing(self, layer_id: str) -> AbstractContextManager:
        """One write transaction holding the writer lock of `layer_id`: committed when the
        block ends, rolled back if it raises."""

    def _staging(self, layer_id: str) -> AbstractContextManager:
        """The transaction `stage` runs in (the same as any change unless the back end has
        housekeeping to do first)."""
        return self._changing(layer_id)

    @abstractmethod
    def _write_version_table(self, conn, table: str, data, spec: LayerSpec) -> None:
        """Write the complete feature table `table`: in `conn`'s transaction where DDL is
        transactional, else committed before the catalog row is written."""

    @abstractmethod
    def _drop_table(self, conn, table: str) -> None:
        """Remove a feature table (in `conn`'s transaction)."""

    @abstractmethod
    def _table_names(self, conn) -> set[str]:
        """Every table where feature tables live."""

    def _notify(self, conn) -> None:
        """Tell other processes of a change (in its transaction); nothing by default."""

    def _pointer_moved(self) -> None:
        """After a committed publish, rollback or unpublish; nothing by default."""

    # -- SQL -------------------------------------------------------------------------

    def _sql(self, template: str) -> str:
        return _compile(template, self.PLACEHOLDER, self.CATALOG_TABLES)

    def _one(self, conn, template: str, params: tuple = ()):
        return conn.execute(self._sql(template), params).fetchone()

    def _all(self, conn, template: str, params: tuple | list = ()) -> list:
        return conn.execute(self._sql(template), params).fetchall()

    # -- reads -----------------------------------------------------------------------

    def generation(self) -> int:
        with self._catalog_reads() as conn:
            return int(self._one(conn, "SELECT value FROM {meta} WHERE key = 'generation'")[0])

    def published_specs(self) -> list[LayerSpec]:
        with self._catalog_reads() as conn:
            rows = self._all(
                conn,
                "SELECT v.spec FROM {layers} l JOIN {versions} v "
                "ON v.layer_id = l.id AND v.version = l.version ORDER BY l.id",
            )
        return [_spec(r[0]) for r in rows]

    def describe(self, layer_id: str) -> LayerInfo:
        with self._catalog_reads() as conn:
            row = self._one(
                conn,
                "SELECT l.id, l.version, v.feature_count, v.minx, v.miny, v.maxx, v.maxy, "
                "l.published_at, v.origin FROM {layers} l JOIN {versions} v "
                "ON v.layer_id = l.id AND v.version = l.version WHERE l.id = ?",
                (layer_id,),
            )
        if row is None:
            raise LayerNotFound(f"no collection '{layer_id}' in the store")
        lid, version, count, minx, miny, maxx, maxy, published, origin = row
        bbox = None if minx is None else (minx, miny, maxx, maxy)
        return LayerInfo(lid, version, count, bbox, published, origin)

    def _table(self, conn, layer_id: str, version: int | None) -> tuple[str, int]:
        """The table holding `version` (or the served one) and its feature count."""
        if version is None:
            row = self._one(
                conn,
                "SELECT v.table_name, v.feature_count FROM {layers} l JOIN {versions} v "
                "ON v.layer_id = l.id AND v.version = l.version WHERE l.id = ?",
                (layer_id,),
            )
        else:
            row = self._one(
                conn,
                "SELECT table_name, feature_count FROM {versions} WHERE layer_id = ? "
                "AND version = ? AND status != 'dropped'",
                (layer_id, version),
            )
        if row is None:
            what = f"collection '{layer_id}'" + (f" version {version}" if version else "")
            raise LayerNotFound(f"no {what} in the store")
        return row

    def versions(self, layer_id: str) -> list[VersionInfo]:
        with self._catalog_reads() as conn:
            rows = self._all(
                conn,
                f"SELECT {_VERSION_COLUMNS} FROM {{versions}} WHERE layer_id = ? "
                "ORDER BY version DESC",
                (layer_id,),
            )
        if not rows:
            raise LayerNotFound(f"no layer '{layer_id}' in the store")
        return [_version(r) for r in rows]

    def layer_ids(self) -> list[str]:
        with self._catalog_reads() as conn:
            rows = self._all(conn, "SELECT DISTINCT layer_id FROM {versions} ORDER BY layer_id")
        return [r[0] for r in rows]

    def shipped_fingerprints(self) -> dict[str, str]:
        """The fingerprint of the newest shipped version of each layer."""
        with self._catalog_reads() as conn:
            rows = self._all(
                conn,
                "SELECT layer_id, fingerprint FROM {versions} v WHERE origin = 'shipped' "
                "AND version = (SELECT max(version) FROM {versions} w WHERE "
                "w.layer_id = v.layer_id AND w.origin = 'shipped')",
            )
        return dict(rows)

    def audit_log(self, layer_id: str | None = None, limit: int = 200) -> list[dict]:
        where, params = ("WHERE layer_id = ?", [layer_id]) if layer_id else ("", [])
        with self._catalog_reads() as conn:
            rows = self._all(
                conn,
                'SELECT at, "user", action, layer_id, version, detail FROM {audit} '
                f"{where} ORDER BY seq DESC LIMIT ?",
                [*params, limit],
            )
        return [dict(zip(_AUDIT_KEYS, r, strict=True)) for r in rows]

    def orphan_tables(self) -> list[str]:
        """Feature tables the catalog does not know (should always be empty)."""
        with self._catalog_reads() as conn:
            return sorted(self._orphans(conn))

    # -- changes -----------------------------------------------------------------------

    def _audit(self, conn, user, action, layer_id, version, detail="") -> None:
        """An audit entry, in the transaction of what it records."""
        conn.execute(
            self._sql(
                'INSERT INTO {audit} (at, "user", action, layer_id, version, detail) '
                "VALUES (?, ?, ?, ?, ?, ?)"
            ),
            (now(), user, action, layer_id, version, detail),
        )

    def _changed(self, conn, user, action, layer_id, version, detail="") -> None:
        """The audit entry and the generation bump of a change of what is served (edits to
        a draft change nothing served: `_audit` alone)."""
        self._audit(conn, user, action, layer_id, version, detail)
        conn.execute(
            self._sql(
                "UPDATE {meta} SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT) "
                "WHERE key = 'generation'"
            )
        )
        self._notify(conn)

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
        bounds = _bounds(data)
        with self._staging(spec.id) as conn:
            top = self._one(
                conn, "SELECT max(version) FROM {versions} WHERE layer_id = ?", (spec.id,)
            )
            version = (top[0] or 0) + 1
            table = f"{spec.id}__v{version}"
            if report is not None:
                report = {**report, "version": version}
            # The table is complete before its row exists, so no version is ever half
            # visible (see `_write_version_table`).
            self._write_version_table(conn, table, data, spec)
            conn.execute(
                self._sql(
                    "INSERT INTO {versions} (layer_id, version, table_name, status, origin, "
                    'source, "user", created_at, feature_count, minx, miny, maxx, maxy, '
                    "fingerprint, report, spec) VALUES (?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, "
                    "?, ?, ?, ?, ?)"
                ),
                (spec.id, version, table, origin, source, user, now(), len(data), *bounds)
                + (fingerprint, _json(report), spec.model_dump_json()),
            )
            detail = f"{len(data)} features from {source or 'data'}"
            self._changed(conn, user, "stage", spec.id, version, detail)
        return self.versions(spec.id)[0]

    def publish(self, layer_id: str, version: int, user: str) -> LayerInfo:
        with self._changing(layer_id) as conn:
            row = self._one(
                conn,
                "SELECT status FROM {versions} WHERE layer_id = ? AND version = ?",
                (layer_id, version),
            )
            if row is None or row[0] == "dropped":
                raise LayerNotFound(f"no version {version} of '{layer_id}' with data")
            self._publish_in(conn, layer_id, version, user)
        self._pointer_moved()
        return self.describe(layer_id)

    def _publish_in(self, conn, layer_id: str, version: int, user: str) -> None:
        """Serve `version` (in `conn`'s transaction): pointer, audit, pruning."""
        self._point(conn, layer_id, version, user)
        self._changed(conn, user, "publish", layer_id, version)
        self._prune(conn, layer_id)

    def _point(self, conn, layer_id: str, version: int, user: str) -> None:
        """Serve `version`: the served one is retired, the pointer moves."""
        self._set_status(conn, "retired", layer_id, status="published")
        self._set_status(conn, "published", layer_id, version=version)
        conn.execute(
            self._sql(
                "INSERT INTO {layers} (id, version, published_at, published_by) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET version = "
                "excluded.version, published_at = excluded.published_at, "
                "published_by = excluded.published_by"
            ),
            (layer_id, version, now(), user),
        )

    def _set_status(self, conn, new: str, layer_id: str, *, version=None, status=None) -> None:
        """The status of one version of a layer, or of its versions in `status`."""
        which, value = ("version", version) if status is None else ("status", status)
        conn.execute(
            self._sql(f"UPDATE {{versions}} SET status = ? WHERE layer_id = ? AND {which} = ?"),
            (new, layer_id, value),
        )

    def _served_version(self, conn, layer_id: str) -> int | None:
        row = self._one(conn, "SELECT version FROM {layers} WHERE id = ?", (layer_id,))
        return None if row is None else row[0]

    def rollback(self, layer_id: str, user: str) -> LayerInfo:
        with self._changing(layer_id) as conn:
            current = self._served_version(conn, layer_id)
            if current is None:
                raise LayerNotFound(f"'{layer_id}' is not published: nothing to roll back")
            previous = self._one(
                conn,
                "SELECT max(version) FROM {versions} WHERE layer_id = ? AND version < ? "
                "AND status = 'retired'",
                (layer_id, current),
            )[0]
            if previous is None:
                raise DataError(f"'{layer_id}' has no earlier published version to roll back to")
            self._point(conn, layer_id, previous, user)
            self._set_status(conn, "draft", layer_id, version=current)
            self._changed(conn, user, "rollback", layer_id, previous, f"from v{current}")
        self._pointer_moved()
        return self.describe(layer_id)

    def unpublish(self, layer_id: str, user: str) -> None:
        with self._changing(layer_id) as conn:
            current = self._served_version(conn, layer_id)
            if current is None:
                raise LayerNotFound(f"'{layer_id}' is not published")
            conn.execute(self._sql("DELETE FROM {layers} WHERE id = ?"), (layer_id,))
            self._set_status(conn, "retired", layer_id, version=current)
            self._changed(conn, user, "unpublish", layer_id, current)
        self._pointer_moved()

    def update_spec(self, layer_id: str, spec: LayerSpec, user: str) -> None:
        """Titles, labels, metadata, style of the served version; fields stay as they are."""
        info = self.describe(layer_id)
        old = next(v.spec for v in self.versions(layer_id) if v.version == info.version)
        if (
            spec.id != layer_id
            or [(f.name, f.type) for f in spec.fields] != [(f.name, f.type) for f in old.fields]
            or spec.id_field != old.id_field
            or spec.geometry_type != old.geometry_type
        ):
            raise DataError("metadata and style edits cannot change the id, fields or geometry")
        with self._changing(layer_id) as conn:
            conn.execute(
                self._sql("UPDATE {versions} SET spec = ? WHERE layer_id = ? AND version = ?"),
                (spec.model_dump_json(), layer_id, info.version),
            )
            self._changed(conn, user, "edit", layer_id, info.version, old.model_dump_json())

    # -- housekeeping ------------------------------------------------------------------

    def _prune(self, conn, layer_id: str) -> None:
        """Drop the data of versions beyond the newest KEEP_VERSIONS (rows stay as history)."""
        rows = self._all(
            conn,
            "SELECT version, table_name FROM {versions} WHERE layer_id = ? AND "
            "status NOT IN ('dropped', 'published') ORDER BY version DESC",
            (layer_id,),
        )
        for version, table in rows[KEEP_VERSIONS:]:
            self._drop_table(conn, table)
            self._set_status(conn, "dropped", layer_id, version=version)

    def _orphans(self, conn) -> set[str]:
        """Version tables without a catalog row (a crash between table and row, where the
        back end's DDL is not transactional)."""
        known = {r[0] for r in self._all(conn, "SELECT table_name FROM {versions}")}
        return {n for n in self._table_names(conn) if VERSION_TABLE.match(n) and n not in known}

    def _drop_orphans(self, conn) -> None:
        for name in self._orphans(conn):
            self._drop_table(conn, name)
