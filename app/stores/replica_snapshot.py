"""A hot standby seen through one pinned snapshot, and the high-water mark (issue 21).

`Snapshot` is what a replica served at one generation (the served pointers and specs, read
in one statement); `PostgisReplica` is a read-only `PostgisStore` over a standby that serves
each request from the snapshot pinned when it started; `HighWater` is the highest generation
served on this machine, shared by the workers in LOCK_DIR, below which no replica is used.
The routing store that uses them is in app/stores/replicas.py, the poller that reads the
snapshots in app/stores/replica_health.py.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from psycopg_pool import ConnectionPool

from app.errors import LayerNotFound, StoreError
from app.registry.spec import LayerSpec
from app.stores.base import LayerInfo
from app.stores.catalog import _spec
from app.stores.counts import CountCache
from app.stores.limits import postgres_options
from app.stores.postgis import PostgisStore
from app.stores.postgis_catalog import SCHEMA

log = logging.getLogger(__name__)

# A request waits at most this long for a pooled connection to a replica (a stopped standby
# must not hold requests for the pool's usual 10 s before they go elsewhere).
REPLICA_POOL_TIMEOUT = 2.0

# One statement, so one snapshot of the standby: generation, pointers and specs agree.
_SNAPSHOT = f"""
SELECT m.value::bigint, l.id, l.version, v.feature_count, v.minx, v.miny, v.maxx, v.maxy,
       l.published_at, v.origin, v.table_name, v.spec
FROM {SCHEMA}.meta m
LEFT JOIN ({SCHEMA}.layers l JOIN {SCHEMA}.versions v
           ON v.layer_id = l.id AND v.version = l.version) ON TRUE
WHERE m.key = 'generation'
ORDER BY l.id
"""


@dataclass(frozen=True)
class Snapshot:
    """What a replica served at one generation: the served layers' specs and pointers."""

    generation: int
    specs: tuple[LayerSpec, ...]
    infos: dict[str, LayerInfo]
    tables: dict[str, tuple[str, int]]

    @classmethod
    def read(cls, conn) -> Snapshot:
        rows = conn.execute(_SNAPSHOT).fetchall()
        generation = int(rows[0][0])
        specs, infos, tables = [], {}, {}
        for _g, lid, version, count, minx, miny, maxx, maxy, published, origin, table, spec in rows:
            if lid is None:  # no layer served
                continue
            bbox = None if minx is None else (minx, miny, maxx, maxy)
            infos[lid] = LayerInfo(lid, version, count, bbox, published, origin)
            tables[lid] = (table, count)
            specs.append(_spec(spec))
        return cls(generation, tuple(specs), infos, tables)


class PostgisReplica(PostgisStore):
    """A hot standby, read-only. Its served state is the snapshot pinned for the request
    (`pin`), never the pointer table read live, so a request sees one generation whatever
    the standby replays meanwhile. Opened without touching it: a standby may be down when
    the app starts (it joins the rotation when it comes up)."""

    def __init__(self, url: str, name: str, query_timeout_ms: int = 0, max_size: int = 10):
        self.url = url
        self.name = name
        self.query_timeout_ms = int(query_timeout_ms or 0)
        self._pointers: dict = {}
        self._seen = None
        self._generation = None
        self._watch = None
        self._watch_lock = threading.Lock()
        self._counts = CountCache()
        self._statements: dict = {}
        self.snapshot: Snapshot | None = None  # replaced whole by the poller
        self._local = threading.local()
        self._max_size = max_size
        self.pool = self._new_pool()

    def _new_pool(self) -> ConnectionPool:
        return ConnectionPool(
            self.url,
            min_size=1,
            max_size=self._max_size,
            open=True,
            timeout=REPLICA_POOL_TIMEOUT,
            kwargs={"connect_timeout": 5, **postgres_options(self.query_timeout_ms)},
        )

    def renew_pool(self) -> None:
        """A fresh pool after the standby came back: the old one's connections died with
        it, and its reconnection backs off for minutes."""
        old, self.pool = self.pool, self._new_pool()
        threading.Thread(target=old.close, kwargs={"timeout": 1}, daemon=True).start()

    def pin(self) -> Snapshot:
        """Serve this thread from the current snapshot until `unpin`."""
        snap = self._local.snapshot = self.snapshot
        if snap is None:
            raise StoreError(f"{self.name} has not been read yet")
        return snap

    def unpin(self) -> None:
        self._local.snapshot = None

    def _snap(self) -> Snapshot:
        snap = getattr(self._local, "snapshot", None) or self.snapshot
        if snap is None:
            raise StoreError(f"{self.name} has not been read yet")
        return snap

    def generation(self) -> int:
        return self._snap().generation

    def published_specs(self) -> list[LayerSpec]:
        return list(self._snap().specs)

    def describe(self, layer_id: str) -> LayerInfo:
        info = self._snap().infos.get(layer_id)
        if info is None:
            raise LayerNotFound(f"no collection '{layer_id}' in the store")
        return info

    def _served(self, conn, layer_id: str, version: int | None) -> tuple[str, int]:
        if version is not None:
            return self._table(conn, layer_id, version)
        found = self._snap().tables.get(layer_id)
        if found is None:
            raise LayerNotFound(f"no collection '{layer_id}' in the store")
        return found

    def _table(self, conn, layer_id: str, version: int | None) -> tuple[str, int]:
        if version is None:
            return self._served(conn, layer_id, None)
        return super()._table(conn, layer_id, version)

    def _forget_pointers(self) -> None:  # the snapshot is the pointer
        return None


class HighWater:
    """The highest generation served by any worker process of this machine: 8 bytes in a
    file in LOCK_DIR (per primary), read with one pread per request. Workers poll the
    replicas at different moments; with a shared mark, a client whose requests land on
    different workers never gets an older version after a newer one either. Without a
    directory (tests, the CLI), the mark is this process's."""

    def __init__(self, path: Path | None = None):
        self._local = 0
        self._fd: int | None = None
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError as exc:  # a read-only disk: this worker's own mark only
                log.warning("replica generation mark not shared (%s): per worker", exc)

    def get(self) -> int:
        if self._fd is not None:
            data = os.pread(self._fd, 8, 0)
            return int.from_bytes(data, "big") if len(data) == 8 else 0
        return self._local

    def raise_to(self, generation: int) -> None:
        if generation <= self.get():
            return
        self._local = generation
        self._write(lambda current: generation > current)

    def reset(self, generation: int) -> None:
        """Lower the mark (a store rebuilt with lower generations, a primary lost)."""
        self._local = generation
        self._write(lambda current: True)

    def _write(self, wanted) -> None:
        if self._fd is None:
            return
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            data = os.pread(self._fd, 8, 0)
            current = int.from_bytes(data, "big") if len(data) == 8 else 0
            if wanted(current):
                os.pwrite(self._fd, self._local.to_bytes(8, "big"), 0)
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
