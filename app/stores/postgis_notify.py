"""Hear the PostGIS store's changes as they commit (LISTEN/NOTIFY), instead of asking.

Every request starts by reading the store's generation (`Services.registry`), to notice a
publish made by another worker, another app host or the CLI. On PostGIS that was one round
trip per request. Instead, every change commits a `NOTIFY` on `CHANNEL` (see
`postgis_catalog._notify`), and one daemon thread per process keeps a connection that
LISTENs: the generation is read again only after a notification. Until that connection is
up, after it drops, and in a process forked from the one that started the thread, the
store reads the generation on every call as before, so nothing is ever missed: the watch
only saves round trips.
"""

from __future__ import annotations

import os
import select
import threading

import psycopg

CHANNEL = "geoportale_generation"
# With no notification for this long, a `SELECT 1` checks the server is still there.
KEEPALIVE_SECONDS = 30.0


class ChangeWatch:
    """A LISTEN connection in a daemon thread; `dirty` until the generation is re-read."""

    def __init__(self, url: str):
        self.url = url
        self.live = False  # listening now
        self.dirty = True  # something may have changed since the generation was last read
        self._pid = os.getpid()
        self._closed = False
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._run, name="geoportale-listen", daemon=True)
        self._thread.start()

    def trusted(self) -> bool:
        """True when the generation read last is still the store's (nothing heard since)."""
        return self.live and not self.dirty and os.getpid() == self._pid and self._thread.is_alive()

    def reading(self) -> None:
        """Called just before the generation is read: what is heard from now on counts."""
        self.dirty = False

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if os.getpid() == self._pid:
            os.write(self._wake_w, b"x")
            self._thread.join(timeout=5)
        for fd in (self._wake_r, self._wake_w):
            try:
                os.close(fd)
            except OSError:
                pass

    def _run(self) -> None:
        while not self._closed:
            try:
                with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.dirty = True  # whatever changed while nobody was listening
                    self.live = True
                    self._listen(conn)
            except Exception:  # noqa: BLE001 (server gone, network, shutdown: retry below)
                pass
            self.live = False
            self.dirty = True
            if not self._closed:
                self._sleep(1.0)

    def _listen(self, conn: psycopg.Connection) -> None:
        while not self._closed:
            ready, _, _ = select.select([conn.fileno(), self._wake_r], [], [], KEEPALIVE_SECONDS)
            if self._wake_r in ready:
                return
            if ready:  # notifications (or the server closing the connection: raises)
                for _ in conn.notifies(timeout=0):
                    self.dirty = True
            else:
                conn.execute("SELECT 1")

    def _sleep(self, seconds: float) -> None:
        try:
            select.select([self._wake_r], [], [], seconds)
        except (OSError, ValueError):  # closed meanwhile
            pass
