"""The PostGIS store's catalog: versions, the served pointer, the audit log.

The state machine is `catalog.VersionCatalog`; this is its PostgreSQL adapter. Every change
runs in one transaction with a per-layer advisory lock, and PostgreSQL's DDL is
transactional: a version's table, its rows and its catalog row appear together or not at
all. The change is announced by NOTIFY at commit (`postgis_notify.py`).
"""

from __future__ import annotations

from contextlib import contextmanager

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from psycopg import sql

from app.registry.spec import LayerSpec
from app.stores.catalog import VersionCatalog
from app.stores.generalise import CELL_COLUMN, MINZOOM_COLUMN, hidden_columns
from app.stores.postgis_notify import CHANNEL
from app.stores.postgis_sql import field_indexes

SCHEMA = "geoportale"
_PG_TYPES = {
    "string": "text",
    "integer": "bigint",
    "number": "double precision",
    "boolean": "boolean",
    "date": "date",
}


class PostgisCatalogMixin(VersionCatalog):
    """The catalog's PostgreSQL adapter; needs `pool`, `_reading` and `_forget_pointers`
    from the concrete store."""

    CATALOG_TABLES = (
        f"{SCHEMA}.versions",
        f"{SCHEMA}.layers",
        f"{SCHEMA}.audit",
        f"{SCHEMA}.meta",
        f"{SCHEMA}.edits",
    )
    CONTRIBUTION_TABLES = (
        f"{SCHEMA}.contributions",
        f"{SCHEMA}.contribution_private",
        f"{SCHEMA}.contribution_flags",
        f"{SCHEMA}.contribution_photos",
    )
    CONSULTATION_TABLES = (f"{SCHEMA}.consultations", f"{SCHEMA}.consultation_comments")
    MAIL_TABLE = f"{SCHEMA}.contribution_mail"
    PLACEHOLDER = "%s"
    CONTAINS_TEXT = "{column} ILIKE ? ESCAPE '\\'"

    def _catalog_reads(self):
        return self._reading()

    @contextmanager
    def _changing(self, layer_id: str):
        with self.pool.connection() as conn:  # one transaction, committed at the end
            self._lock(conn, layer_id)
            yield conn
        # Committed: this process sees its own change at once, not when its NOTIFY comes
        # back through the change watch (a metadata edit, an immediate publish of an edit).
        self._forget_pointers()

    @staticmethod
    def _lock(conn, layer_id: str) -> None:
        """One writer per layer at a time (a transaction-scoped advisory lock). Every write
        transaction starts here, so here it also lifts the pool's statement_timeout (the
        limit of public reads, QUERY_TIMEOUT_MS) for itself: an import, a publish or a
        rollback is never cut by it. SET LOCAL ends with the transaction."""
        conn.execute("SET LOCAL statement_timeout = 0")
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"geoportale:{layer_id}",))

    def _notify(self, conn) -> None:
        conn.execute(f"NOTIFY {CHANNEL}")  # delivered at commit (app/stores/postgis_notify.py)

    def _pointer_moved(self) -> None:
        self._forget_pointers()

    def _drop_table(self, conn, table: str) -> None:
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(SCHEMA, table)))

    def _table_names(self, conn) -> set[str]:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", (SCHEMA,))
        return {r[0] for r in rows}

    def _write_version_table(self, conn, table: str, data, spec: LayerSpec) -> None:
        """Table, rows (COPY) and indexes, in the staging transaction."""
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
