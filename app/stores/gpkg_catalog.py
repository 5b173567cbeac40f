"""The GeoPackage store's catalog: versions, the served pointer, the audit log.

Plain SQLite tables beside the GeoPackage's own:

- `geoportale_versions`: one row per version (its table, status, origin, spec, report);
- `geoportale_layers`: the pointer, one row per served layer;
- `geoportale_audit`: every change, who and when;
- `geoportale_meta`: `generation`, bumped in the same transaction as every change;
- `geoportale_edits`: feature edits, pending in the draft and past (`catalog_edits.py`);
- `geoportale_contribution*`: citizens' contributions (`catalog_contributions.py`).

The state machine is `catalog.VersionCatalog`; this is its GeoPackage adapter. Feature
tables are written by GDAL, outside SQLite transactions of ours: a version's table is
committed before its catalog row, and a table left without its row by a crash in between
(an orphan) is dropped before the next stage.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager, nullcontext

from app.registry.spec import LayerSpec
from app.stores.catalog import KEEP_VERSIONS, VersionCatalog
from app.stores.catalog_edits import edits_table_sql
from app.stores.consultations import consultation_tables_sql
from app.stores.contributions import contribution_tables_sql
from app.stores.mail import mail_table_sql

__all__ = [
    "KEEP_VERSIONS",
    "CONTRIBUTION_TABLES",
    "CatalogMixin",
    "create_catalog",
    "create_contributions",
    "create_edits",
]
CONTRIBUTION_TABLES = (
    "geoportale_contributions",
    "geoportale_contribution_private",
    "geoportale_contribution_flags",
    "geoportale_contribution_photos",
)
CONSULTATION_TABLES = ("geoportale_consultations", "geoportale_consultation_comments")
MAIL_TABLE = "geoportale_contribution_mail"


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
    create_edits(conn)
    create_contributions(conn)


def create_edits(conn: sqlite3.Connection) -> None:
    """The edits table (`catalog_edits.py`), also added to stores made before it existed."""
    conn.execute(edits_table_sql("geoportale_edits", "INTEGER PRIMARY KEY AUTOINCREMENT"))
    conn.execute(
        "CREATE INDEX IF NOT EXISTS geoportale_edits_feature "
        "ON geoportale_edits (layer_id, feature_id, status)"
    )


def create_contributions(conn: sqlite3.Connection) -> None:
    """The citizens' contributions' tables (`catalog_contributions.py`), also added to
    stores made before them."""
    for statement in contribution_tables_sql(
        CONTRIBUTION_TABLES, "INTEGER PRIMARY KEY AUTOINCREMENT", "BLOB"
    ):
        conn.execute(statement)
    for statement in consultation_tables_sql(CONSULTATION_TABLES):
        conn.execute(statement)
    private = CONTRIBUTION_TABLES[1]
    columns = {r[1] for r in conn.execute(f"PRAGMA table_info({private})")}
    if "language" not in columns:  # a store made before the mail outbox
        conn.execute(f"ALTER TABLE {private} ADD COLUMN language TEXT")
    for statement in mail_table_sql(MAIL_TABLE, "INTEGER PRIMARY KEY AUTOINCREMENT"):
        conn.execute(statement)


class CatalogMixin(VersionCatalog):
    """The catalog's GeoPackage adapter; needs `_conn`, `_writer`, `_write_lock`,
    `_write_table`, `_drop_table` and `_table_names` from the concrete store."""

    CATALOG_TABLES = (
        "geoportale_versions",
        "geoportale_layers",
        "geoportale_audit",
        "geoportale_meta",
        "geoportale_edits",
    )
    CONTRIBUTION_TABLES = CONTRIBUTION_TABLES
    CONSULTATION_TABLES = CONSULTATION_TABLES
    MAIL_TABLE = MAIL_TABLE
    PLACEHOLDER = "?"
    CONTAINS_TEXT = "cql2_like(?, 1, {column})"

    def _catalog_reads(self):
        return nullcontext(self._conn())  # this thread's query_only connection

    @contextmanager
    def _changing(self, layer_id: str):
        # One writer at a time for the whole file (SQLite has one write lock anyway).
        with self._write_lock(), self._writer() as conn:
            yield conn

    @contextmanager
    def _staging(self, layer_id: str):
        with self._write_lock():
            with self._writer() as conn:
                self._drop_orphans(conn)
            # Reads and the catalog row only: GDAL writes the table through its own
            # connection meanwhile, so this one holds no transaction open until the row.
            with self._writer() as conn:
                yield conn

    def _write_version_table(self, conn, table: str, data, spec: LayerSpec) -> None:
        self._write_table(table, data, spec)  # committed before the row (GDAL)
