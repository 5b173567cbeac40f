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

import functools
import threading
import time
from contextlib import contextmanager

import psycopg
import shapely
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.errors import InvalidSchemaName, UndefinedTable
from psycopg_pool import ConnectionPool

from app.errors import FeatureNotFound, StoreError
from app.registry.spec import LayerSpec
from app.stores.base import Feature, FeaturePage, Query, typed_id
from app.stores.catalog_edits import edits_table_sql
from app.stores.consultations import consultation_tables_sql
from app.stores.contributions import contribution_tables_sql
from app.stores.counts import CountCache
from app.stores.cql2 import conjunction
from app.stores.filter_tree import Cmp, Spatial
from app.stores.limits import postgres_options, postgres_read_errors
from app.stores.mail import mail_table_sql
from app.stores.postgis_catalog import SCHEMA, PostgisCatalogMixin
from app.stores.postgis_notify import ChangeWatch
from app.stores.postgis_sql import to_sql
from app.stores.postgis_tiles import PostgisTilesMixin

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
# Feature edits (app/stores/catalog_edits.py): also added to stores made before them.
_EDITS = (
    edits_table_sql(f"{SCHEMA}.edits", "bigserial PRIMARY KEY")
    + f"; CREATE INDEX IF NOT EXISTS edits_feature ON {SCHEMA}.edits "
    "(layer_id, feature_id, status)"
)
# Citizens' contributions (app/stores/catalog_contributions.py): likewise.
_CONTRIBUTIONS = "; ".join(
    contribution_tables_sql(
        PostgisCatalogMixin.CONTRIBUTION_TABLES, "bigserial PRIMARY KEY", "bytea"
    )
    + consultation_tables_sql((f"{SCHEMA}.consultations", f"{SCHEMA}.consultation_comments"))
    # the mail outbox (app/stores/catalog_mail.py) and the citizen's language it writes in
    + [f"ALTER TABLE {SCHEMA}.contribution_private ADD COLUMN IF NOT EXISTS language text"]
    + mail_table_sql(PostgisCatalogMixin.MAIL_TABLE, "bigserial PRIMARY KEY")
)


# Filters known to match at most this many rows are paged by sorting their matches.
SELECTIVE_ROWS = 20_000
# How long a cached served-table pointer may be trusted after the last generation() read.
POINTER_SECONDS = 2.0


class PostgisStore(PostgisTilesMixin, PostgisCatalogMixin):
    """Feature store in a PostGIS database (schema `geoportale`)."""

    def __init__(
        self, url: str, create: bool = False, max_size: int = 10, query_timeout_ms: int = 0
    ):
        self.url = url
        # statement_timeout of every pooled session (QUERY_TIMEOUT_MS); 0 for the CLI.
        self.query_timeout_ms = int(query_timeout_ms or 0)
        # layer id -> (generation it was read under, (table, count)) of the served version;
        # trusted only under the generation this process saw last, and not for long.
        self._pointers: dict[str, tuple[int, tuple[str, int]]] = {}
        self._seen: tuple[int, float] | None = None
        self._generation: int | None = None  # as last read from the database
        self._watch: ChangeWatch | None = None
        self._watch_lock = threading.Lock()
        self._counts = CountCache()
        self._statements: dict = {}
        try:
            # One direct connection first: fails fast, with the server's own reason.
            psycopg.connect(url, connect_timeout=5).close()
        except psycopg.Error as exc:
            raise StoreError(
                f"PostGIS store unreachable at {_where(url)}: "
                f"{str(exc).strip().splitlines()[0][:200]}"
            ) from None
        try:
            self.pool = ConnectionPool(
                url,
                min_size=1,
                max_size=max_size,
                open=True,
                timeout=10,
                kwargs={"connect_timeout": 5, **postgres_options(self.query_timeout_ms)},
            )
            self.pool.wait(timeout=10)
            with self.pool.connection() as conn:
                if create:
                    conn.execute(_CATALOG)
                conn.execute(f"SELECT value FROM {SCHEMA}.meta WHERE key = 'generation'")
                known = conn.execute(
                    "SELECT to_regclass(%s), to_regclass(%s), to_regclass(%s), to_regclass(%s), "
                    "to_regclass(%s)",
                    (
                        f"{SCHEMA}.edits",
                        f"{SCHEMA}.contribution_flags",
                        f"{SCHEMA}.consultation_comments",
                        f"{SCHEMA}.contribution_photos",
                        f"{SCHEMA}.contribution_mail",
                    ),
                ).fetchone()
            if None in known:  # made before edits, contributions, consultations, photos, mail
                with self.pool.connection() as conn:
                    conn.execute("SET LOCAL statement_timeout = 0")
                    conn.execute("SELECT pg_advisory_xact_lock(hashtext('geoportale:edits'))")
                    conn.execute(_EDITS)
                    conn.execute(_CONTRIBUTIONS)
        except (UndefinedTable, InvalidSchemaName):
            self.close()
            raise StoreError(
                "the PostGIS database has no geoportal store yet: run `flask geodata build`"
            ) from None
        except Exception as exc:  # noqa: BLE001 (connection errors of many kinds)
            self.close()
            raise StoreError(
                f"PostGIS store unreachable at {_where(url)}: {type(exc).__name__}"
            ) from None

    @classmethod
    def open_or_create(cls, url: str) -> PostgisStore:
        return cls(url, create=True)

    def close(self) -> None:
        watch = getattr(self, "_watch", None)
        if watch is not None:
            watch.close()
        pool = getattr(self, "pool", None)
        if pool is not None:
            pool.close()

    # -- reads -------------------------------------------------------------------

    @contextmanager
    def _reading(self):
        """A pooled connection in autocommit: every read is one statement on immutable
        version tables (or the catalog), so no transaction, and no ROLLBACK round trip when
        the connection goes back to the pool."""
        with self.pool.connection() as conn, postgres_read_errors(self.query_timeout_ms):
            conn.autocommit = True
            try:
                yield conn
            finally:
                conn.autocommit = False

    def generation(self) -> int:
        """The store's generation; read from the database only when the change watch has
        heard a change since the last read, or cannot vouch (see `postgis_notify`)."""
        watch = self._watch
        if watch is None:  # started on first use: a CLI write never needs it
            with self._watch_lock:
                if self._watch is None:
                    self._watch = ChangeWatch(self.url)
            watch = self._watch
        known = self._generation
        if known is not None and watch.trusted():
            generation = known
        else:
            watch.reading()
            with self._reading() as conn:
                row = conn.execute(
                    f"SELECT value FROM {SCHEMA}.meta WHERE key = 'generation'"
                ).fetchone()
            generation = self._generation = int(row[0])
        self._seen = (generation, time.monotonic())
        return generation

    def _forget_pointers(self) -> None:
        """After a change made here: nothing cached is trusted until generation() is read
        from the database again."""
        self._seen = None
        self._generation = None
        self._pointers.clear()

    def _served(self, conn, layer_id: str, version: int | None) -> tuple[str, int]:
        """`_table`, with the served version's table remembered while the generation read at
        the start of the request (Services.registry) is the one it was found under. A
        version's table never changes once written; one pruned meanwhile is looked up
        again (see `_retrying`)."""
        if version is not None:
            return self._table(conn, layer_id, version)
        seen = self._seen
        fresh = seen is not None and time.monotonic() - seen[1] < POINTER_SECONDS
        hit = self._pointers.get(layer_id)
        if fresh and hit is not None and hit[0] == seen[0]:
            return hit[1]
        row = self._table(conn, layer_id, None)
        if fresh:
            self._pointers[layer_id] = (seen[0], tuple(row))
        return row

    @staticmethod
    def _columns(spec: LayerSpec) -> sql.Composable:
        """The geometry as GeoJSON text, then the fields; dates as ISO text whatever the
        server's DateStyle, so rows go to the API as they are."""
        return _select_list(tuple((f.name, f.type) for f in spec.fields))

    def _statement(self, conn, key, compose) -> str:
        """SQL text composed once per key (table names and columns never change in a
        version), so a repeated read skips psycopg's composition and quoting."""
        found = self._statements.get(key)
        if found is None:
            if len(self._statements) > 4096:
                self._statements.clear()
            found = self._statements[key] = compose().as_string(conn)
        return found

    @staticmethod
    def _features(spec: LayerSpec, rows: list[tuple]) -> list[Feature]:
        """Rows (geometry as GeoJSON text, then the fields) to features, as they are."""
        names = spec.field_names
        at = names.index(spec.id_field) + 1
        return [
            Feature(r[at], None, dict(zip(names, r[1:], strict=True)), geometry_json=r[0])
            for r in rows
        ]

    def query(self, spec: LayerSpec, query: Query, version: int | None = None) -> FeaturePage:
        node = conjunction(
            Spatial("intersects", shapely.box(*query.bbox)) if query.bbox else None,
            *[Cmp("=", name, value) for name, value in query.equals.items()],
            query.filter,
        )
        where, params = (sql.SQL("TRUE"), []) if node is None else to_sql(node)

        def read(conn, table: str, count: int) -> FeaturePage:
            t = sql.Identifier(SCHEMA, table)
            known = count_key = None
            if node is not None:  # the catalog's count serves only the unfiltered layer
                counting = sql.SQL("SELECT count(*) FROM {} t WHERE {}").format(t, where)
                count_key = (table, counting.as_string(conn), _hashable(params))
                known = self._counts.peek(count_key)
            if known is not None and known <= SELECTIVE_ROWS:
                # A filter known to match few rows: its own index finds them, then they are
                # sorted. Walking the fid order instead (what the planner picks for a LIMIT)
                # reads most of the table when the matches sit together far along it.
                statement = (
                    "SELECT {} FROM {} t JOIN (SELECT t.fid FROM {} t WHERE {} ORDER BY "
                    "t.fid + 0 LIMIT %s OFFSET %s) p ON p.fid = t.fid ORDER BY t.fid"
                )
            elif query.offset == 0:
                statement = "SELECT {} FROM {} t WHERE {} ORDER BY t.fid LIMIT %s OFFSET %s"
            else:  # the page's fids first: PostgreSQL would write GeoJSON for skipped rows too
                statement = (
                    "SELECT {} FROM {} t JOIN (SELECT t.fid FROM {} t WHERE {} ORDER BY t.fid "
                    "LIMIT %s OFFSET %s) p ON p.fid = t.fid ORDER BY t.fid"
                )
            parts = (
                (self._columns(spec), t, where)
                if statement.count("{}") == 3
                else (self._columns(spec), t, t, where)
            )
            if node is None:  # the same text for every plain page: composed once
                key = (statement, table, _fields_key(spec))
                composed = self._statement(conn, key, lambda: sql.SQL(statement).format(*parts))
            else:
                composed = sql.SQL(statement).format(*parts)
            rows = conn.execute(composed, (*params, query.limit, query.offset)).fetchall()
            if node is not None:
                if known is not None:
                    count = known
                elif len(rows) < query.limit and (rows or query.offset == 0):
                    count = query.offset + len(rows)  # the last page: counted by the page
                    self._counts.put(count_key, count)
                else:
                    count = self._counts.get_or_count(
                        count_key, lambda: conn.execute(counting, params).fetchone()[0]
                    )
            return FeaturePage(self._features(spec, rows), count)

        return self._with_table(spec.id, version, read)

    def get(self, spec: LayerSpec, feature_id: str, version: int | None = None) -> Feature:
        value = typed_id(feature_id, spec.field(spec.id_field).type)

        def read(conn, table: str, _count: int):
            if value is None:
                return None
            statement = self._statement(
                conn,
                ("get", table, _fields_key(spec), spec.id_field),
                lambda: sql.SQL("SELECT {} FROM {} t WHERE t.{} = %s").format(
                    self._columns(spec),
                    sql.Identifier(SCHEMA, table),
                    sql.Identifier(spec.id_field),
                ),
            )
            return conn.execute(statement, (value,)).fetchone()

        row = self._with_table(spec.id, version, read)
        if row is None:
            raise FeatureNotFound(f"no feature '{feature_id}' in collection '{spec.id}'")
        return self._features(spec, [row])[0]

    def _with_table(self, layer_id: str, version: int | None, read):
        """`read(conn, table, count)` on the version's table. A remembered table pruned by
        another process since is looked up again, once."""
        for _attempt in range(2):
            with self._reading() as conn:
                table, count = self._served(conn, layer_id, version)
                try:
                    return read(conn, table, count)
                except UndefinedTable:
                    self._forget_pointers()
        raise StoreError("the layer changed while it was being read; please try again")


def _hashable(params: list) -> tuple:
    """Filter parameters as a cache key: the value and its type (1 and 1.0 and True differ
    in SQL), lists (none today) as tuples."""
    return tuple((type(v).__name__, tuple(v) if isinstance(v, list) else v) for v in params)


def _fields_key(spec: LayerSpec) -> tuple:
    return tuple((f.name, f.type) for f in spec.fields)


@functools.lru_cache(maxsize=256)
def _select_list(fields: tuple[tuple[str, str], ...]) -> sql.Composable:
    # 15 decimals: every digit of a double in lon/lat (PostGIS writes 9 by default); an
    # empty geometry is no geometry (null), as in the GeoPackage store.
    cols = [sql.SQL("CASE WHEN NOT ST_IsEmpty(t.geom) THEN ST_AsGeoJSON(t.geom, 15) END")]
    for name, kind in fields:
        template = "to_char(t.{}, 'YYYY-MM-DD')" if kind == "date" else "t.{}"
        cols.append(sql.SQL(template).format(sql.Identifier(name)))
    return sql.SQL(", ").join(cols)


def _where(url: str) -> str:
    """host:port/dbname of a connection URL, never its password."""
    try:
        info = conninfo_to_dict(url)
    except psycopg.Error:
        return "the configured URL"
    return f"{info.get('host', 'localhost')}:{info.get('port', 5432)}/{info.get('dbname', '')}"
