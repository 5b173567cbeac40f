"""The health of the primary and the replicas, learned by polling (issue 21).

A standby refuses LISTEN and is not sent NOTIFY, so each worker polls every database every
REPLICA_POLL_MS in a daemon thread: `Health` is what it last learned of one, and
`ReplicaPolling` (mixed into `RoutedStore`, app/stores/replicas.py) is the poller: one
statement for a standby's recovery state, generation and lag, and when the generation moved
a `Snapshot` of that generation; a database that fails is marked down and leaves the
rotation until a poll finds it healthy again.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field

import psycopg

from app.errors import StoreError
from app.stores.postgis_catalog import SCHEMA
from app.stores.replica_snapshot import PostgisReplica, Snapshot

log = logging.getLogger(__name__)

# The poller's own connections: give up on an unreachable database quickly.
POLL_CONNECT_TIMEOUT = 2
POLL_STATEMENT_MS = 2000

_HEALTH = f"""
SELECT pg_is_in_recovery(),
       (SELECT value FROM {SCHEMA}.meta WHERE key = 'generation')::bigint,
       COALESCE(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)::float8,
       COALESCE(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), 0)::float8
"""


@dataclass
class Health:
    """What the poller last learned of one database."""

    up: bool = False
    recovering: bool = False  # a standby (pg_is_in_recovery)
    generation: int | None = None
    behind_since: float | None = None  # monotonic time it was first seen below the primary
    replay_lag: float = 0.0  # seconds since the last replayed commit (informational)
    backlog: float = 0.0  # WAL bytes received and not yet replayed
    error: str = ""
    checked: float = field(default_factory=time.monotonic)


class ReplicaPolling:
    """The poller of `RoutedStore`: its `health`, its own connections and its thread."""

    def _mark_down(self, name: str, exc: BaseException, polling: bool = False) -> None:
        """Out of the rotation until a poll finds it healthy again."""
        h = self.health[name]
        if h.up:
            log.warning("%s leaves the rotation: %s", name, _first_line(exc))
        h.up, h.error = False, _first_line(exc)
        conn = self._poll_conns.pop(name, None) if polling else None  # the poller's own
        if conn is not None:
            try:
                conn.close()
            except psycopg.Error:
                pass

    def _poll_conn(self, name: str, url: str) -> psycopg.Connection:
        conn = self._poll_conns.get(name)
        if conn is None or conn.closed:
            conn = self._poll_conns[name] = psycopg.connect(
                url,
                autocommit=True,
                connect_timeout=POLL_CONNECT_TIMEOUT,
                options=f"-c statement_timeout={POLL_STATEMENT_MS}",
            )
        return conn

    def poll(self) -> None:
        """Ask the primary and every replica how they are (one round of the poller)."""
        with self._poll_lock:
            primary_generation = self._poll_primary()
            for replica in self.replicas:
                self._poll_replica(replica, primary_generation)

    def _poll_primary(self) -> int | None:
        h = self.health["primary"]
        try:
            if self._primary is None:
                self._open_primary()
                if self._primary is None:
                    raise StoreError(self._primary_error)
            conn = self._poll_conn("primary", self.primary_url)
            row = conn.execute(
                f"SELECT value::bigint FROM {SCHEMA}.meta WHERE key = 'generation'"
            ).fetchone()
        except (psycopg.Error, StoreError) as exc:
            self._mark_down("primary", exc, polling=True)
            h.checked = time.monotonic()
            return None
        if not h.up and h.error:
            log.warning("primary is reachable again")
            old = self._primary
            self._open_primary()  # a fresh pool: the old one's connections died
            threading.Thread(target=old.close, daemon=True).start()
        h.up, h.error, h.generation, h.checked = True, "", int(row[0]), time.monotonic()
        if h.generation < self.high.get():  # a mark left by a store since rebuilt
            self.high.reset(h.generation)
        return h.generation

    def _poll_replica(self, replica: PostgisReplica, primary_generation: int | None) -> None:
        h = self.health[replica.name]
        try:
            conn = self._poll_conn(replica.name, replica.url)
            recovering, generation, lag, backlog = conn.execute(_HEALTH).fetchone()
            if replica.snapshot is None or replica.snapshot.generation != generation:
                replica.snapshot = Snapshot.read(conn)
        except psycopg.Error as exc:
            self._mark_down(replica.name, exc, polling=True)
            h.checked = time.monotonic()
            return
        now = time.monotonic()
        if not recovering and h.recovering:
            log.warning("%s is not in recovery (promoted?): out of the rotation", replica.name)
        if not h.up and h.error:
            replica.renew_pool()
            if recovering:
                log.warning("%s is back in the rotation", replica.name)
        h.up, h.recovering, h.error = True, bool(recovering), ""
        h.generation = replica.snapshot.generation
        h.replay_lag, h.backlog, h.checked = float(lag), float(backlog), now
        if primary_generation is None or h.generation >= primary_generation:
            h.behind_since = None  # caught up (or nothing newer to be had: primary down)
        elif h.behind_since is None:
            h.behind_since = now

    def _start_poller(self) -> None:
        self._thread = threading.Thread(target=self._run, name="geoportale-replicas", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._closed and not self._wake.wait(self.poll_interval):
            if os.getpid() != self._pid:  # a forked child: its parent's thread is not here
                return
            try:
                self.poll()
            except Exception:  # noqa: BLE001 (never let the poller die)
                log.exception("replica poll failed")

    def _stop_poller(self) -> None:
        self._closed = True
        self._wake.set()
        if self._thread is not None and os.getpid() == self._pid:
            self._thread.join(timeout=5)
        for conn in list(self._poll_conns.values()):
            try:
                conn.close()
            except psycopg.Error:
                pass
        self._poll_conns.clear()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines() or [type(exc).__name__])[0][:200] or type(exc).__name__
