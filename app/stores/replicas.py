"""Reads from PostgreSQL streaming replicas, writes to the primary (issue 21).

`RoutedStore` is the store the app holds when GEOPORTALE_STORE_READ names replicas: one
`FeatureStore` over the primary (`PostgisStore`, GEOPORTALE_STORE) and its hot standbys
(`PostgisReplica`). What goes where:

- Every write (stage, publish, rollback, unpublish, metadata, feature edits) goes to the
  primary. When the primary cannot be reached it fails at once with `PrimaryUnavailable`
  (a 503 naming the cause), and public reads go on from the replicas.
- Reads go to the one database the request is routed to (`route_reads`, called once per
  request by the app): a writer (an admin session, a change, an /admin page) reads from
  the primary and sees its own writes; anyone else reads from a replica in rotation, or
  from the primary when none is. A request never reads two databases, so it never mixes
  two versions.

A standby refuses LISTEN and is not sent NOTIFY, so each worker learns a replica's state by
polling it (`ReplicaPolling`, every REPLICA_POLL_MS, in a daemon thread): one statement
gives its recovery state and generation, and when the generation moved a second one reads
the served pointers and specs of that generation together (`Snapshot`). A request routed to
a replica is pinned to the snapshot current when it started: the registry, every describe
and the served table all come from that one generation. Nothing goes back: a replica whose
generation is below the highest served on this machine (a publish made here, a request
served by the primary, another worker that polled sooner: `HighWater`, in LOCK_DIR) is not
used until it has replayed that far; the primary serves meanwhile.

A replica leaves the rotation while it refuses connections, when it is no longer in
recovery (promoted: its data may now diverge from the primary's), or when it has not
reached the primary's generation REPLICA_MAX_LAG_MS after the primary did; it comes back at
the first poll that finds it healthy. A read that fails on a replica mid-request (the
standby stopped under it) is made again on the next database, provided that one serves
the same generation; otherwise the request gets a 503 asking to retry.

This module holds the routing store; the replica's pinned snapshot and the high-water mark
are in app/stores/replica_snapshot.py, the health polling in app/stores/replica_health.py.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import threading
import time
from pathlib import Path

import psycopg

from app.errors import PrimaryUnavailable, StoreError
from app.stores.base import FeatureStore
from app.stores.postgis import PostgisStore, _where
from app.stores.replica_health import Health, ReplicaPolling, _first_line
from app.stores.replica_snapshot import HighWater, PostgisReplica

log = logging.getLogger(__name__)


class RoutedStore(ReplicaPolling, FeatureStore):
    """The primary for writes, the replicas for public reads (see the module's text)."""

    def __init__(
        self,
        primary_url: str,
        replica_urls: tuple[str, ...] | list[str],
        *,
        query_timeout_ms: int = 0,
        max_lag_ms: int = 10_000,
        poll_ms: int = 500,
        max_size: int = 10,
        shared_dir: str | Path | None = None,
    ):
        self.primary_url = primary_url
        self.query_timeout_ms = query_timeout_ms
        self.max_lag = max_lag_ms / 1000
        self.poll_interval = poll_ms / 1000
        self._max_size = max_size
        self._primary: PostgisStore | None = None
        self._primary_error = ""
        self._open_primary()
        self.replicas = [
            PostgisReplica(url, f"replica {i}", query_timeout_ms, max_size)
            for i, url in enumerate(replica_urls, 1)
        ]
        self.health: dict[str, Health] = {"primary": Health(up=self._primary is not None)}
        self.health.update({r.name: Health() for r in self.replicas})
        mark = None
        if shared_dir is not None:
            digest = hashlib.sha256(primary_url.encode()).hexdigest()[:12]
            mark = Path(shared_dir) / f"served-generation-{digest}"
        self.high = HighWater(mark)  # the highest generation served (on this machine)
        self._turn = itertools.count()
        self._local = threading.local()
        self._poll_conns: dict[str, psycopg.Connection] = {}
        self._poll_lock = threading.Lock()
        self._closed = False
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()
        self.poll()  # the first requests already know the replicas
        self._start_poller()

    # -- the primary -------------------------------------------------------------------

    def _open_primary(self) -> None:
        try:
            self._primary = PostgisStore(
                self.primary_url, max_size=self._max_size, query_timeout_ms=self.query_timeout_ms
            )
            self._primary_error = ""
        except StoreError as exc:  # down at start: reads from the replicas, retried by poll
            self._primary = None
            self._primary_error = exc.detail
            log.error("%s; reads go to the replicas", exc.detail)

    def _primary_down(self, reason: str) -> PrimaryUnavailable:
        return PrimaryUnavailable(
            f"the primary database ({_where(self.primary_url)}) cannot be reached: {reason}. "
            "Publishing, imports and edits wait for it; public reads go on from the replicas."
        )

    def _write(self, name: str, *args, **kwargs):
        primary, health = self._primary, self.health["primary"]
        if primary is None or not health.up:
            raise self._primary_down(health.error or self._primary_error or "not reachable")
        try:
            result = getattr(primary, name)(*args, **kwargs)
        except psycopg.OperationalError as exc:
            self._mark_down("primary", exc)
            raise self._primary_down(_first_line(exc)) from None
        try:  # this worker serves the new generation from now on (never an older one)
            self._saw(primary.generation())
        except (psycopg.Error, StoreError):
            pass
        return result

    # -- routing -----------------------------------------------------------------------

    def route_reads(self, writer: bool) -> None:
        self.end_reads()
        self._local.writer = writer

    def end_reads(self) -> None:
        backend = getattr(self._local, "backend", None)
        if isinstance(backend, PostgisReplica):
            backend.unpin()
        self._local.backend = None
        self._local.generation = None
        self._local.writer = True  # outside a request (CLI, threads): the primary

    def read_source(self) -> str | None:
        backend = getattr(self._local, "backend", None)
        if backend is None:
            return None
        return "primary" if backend is self._primary else backend.name

    def in_rotation(self, replica: PostgisReplica) -> bool:
        h = self.health[replica.name]
        if not (h.up and h.recovering and replica.snapshot is not None):
            return False
        return h.behind_since is None or time.monotonic() - h.behind_since <= self.max_lag

    def _pick(self, writer: bool, exclude=()):
        if os.getpid() != self._pid:  # a forked worker: its own poller
            self._pid = os.getpid()
            self._poll_conns = {}
            self._start_poller()
        primary_ok = self._primary is not None and self.health["primary"].up
        if writer and primary_ok and self._primary not in exclude:
            return self._primary
        rotation = [r for r in self.replicas if r not in exclude and self.in_rotation(r)]
        served = self.high.get()
        fresh = [r for r in rotation if r.snapshot.generation >= served]
        if fresh:
            return fresh[next(self._turn) % len(fresh)]
        if primary_ok and self._primary not in exclude:
            return self._primary
        if rotation:
            # The primary went down before these replicas replayed what this worker served:
            # that version is out of reach now; serve the newest there is, and say so.
            best = max(rotation, key=lambda r: r.snapshot.generation)
            log.warning(
                "primary unreachable and no replica has generation %s: serving %s from %s",
                served,
                best.snapshot.generation,
                best.name,
            )
            self.high.reset(best.snapshot.generation)
            return best
        raise StoreError(
            "no database can serve this read: the primary "
            f"({_where(self.primary_url)}) and every read replica are unreachable"
        )

    def _reader(self, exclude=()):
        backend = getattr(self._local, "backend", None)
        if backend is None:
            backend = self._pick(getattr(self._local, "writer", True), exclude)
            if isinstance(backend, PostgisReplica):
                backend.pin()
            self._local.backend = backend
        return backend

    def _saw(self, generation: int) -> None:
        self.high.raise_to(generation)

    def _read(self, name: str, *args, **kwargs):
        backend = self._reader()
        try:
            return getattr(backend, name)(*args, **kwargs)
        except psycopg.OperationalError as exc:
            failed = backend
            self._mark_down("primary" if failed is self._primary else failed.name, exc)
        # Once more on the next database, if it serves what this request started on.
        pinned = getattr(self._local, "generation", None)
        if isinstance(failed, PostgisReplica):
            failed.unpin()
        self._local.backend = None
        backend = self._reader(exclude=(failed,))
        if pinned is not None and backend.generation() != pinned:
            raise StoreError(
                "the database serving this request went away while a publish was being "
                "replicated; please try again"
            )
        return getattr(backend, name)(*args, **kwargs)

    # -- reads ---------------------------------------------------------------------------

    def generation(self) -> int:
        generation = self._read("generation")
        self._local.generation = generation
        self._saw(generation)
        return generation

    def describe(self, layer_id):
        return self._read("describe", layer_id)

    def query(self, spec, query, version=None):
        return self._read("query", spec, query, version)

    def get(self, spec, feature_id, version=None):
        return self._read("get", spec, feature_id, version)

    def frame(self, spec, query, version=None):
        return self._read("frame", spec, query, version)

    def published_specs(self):
        return self._read("published_specs")

    def tile(self, spec, tile, version=None):
        return self._read("tile", spec, tile, version)

    def shipped_fingerprints(self):
        return self._read("shipped_fingerprints")

    def orphan_tables(self):
        return self._read("orphan_tables")

    def layer_ids(self):
        return self._read("layer_ids")

    def versions(self, layer_id):
        return self._read("versions", layer_id)

    def audit_log(self, layer_id=None, limit=200):
        return self._read("audit_log", layer_id, limit)

    def draft_get(self, spec, feature_id):
        return self._read("draft_get", spec, feature_id)

    def edits(self, layer_id, *, status="pending", feature_id=None, limit=None):
        return self._read("edits", layer_id, status=status, feature_id=feature_id, limit=limit)

    def pending_counts(self):
        return self._read("pending_counts")

    # -- writes: the primary ------------------------------------------------------------

    def stage(self, spec, gdf, **kwargs):
        return self._write("stage", spec, gdf, **kwargs)

    def publish(self, layer_id, version, user):
        return self._write("publish", layer_id, version, user)

    def rollback(self, layer_id, user):
        return self._write("rollback", layer_id, user)

    def unpublish(self, layer_id, user):
        return self._write("unpublish", layer_id, user)

    def update_spec(self, layer_id, spec, user):
        return self._write("update_spec", layer_id, spec, user)

    def edit(self, spec, change, *, user, if_match):
        return self._write("edit", spec, change, user=user, if_match=if_match)

    def edit_many(self, spec, changes, *, user):
        return self._write("edit_many", spec, changes, user=user)

    def discard_edits(self, layer_id, user, feature_ids=None):
        return self._write("discard_edits", layer_id, user, feature_ids)

    def publish_edits(self, spec, user):
        return self._write("publish_edits", spec, user)

    # -- citizens' contributions and consultations: reads routed, writes on the primary --

    def contribution(self, contribution_id):
        return self._read("contribution", contribution_id)

    def contribution_followed(self, follow_digest):
        return self._read("contribution_followed", follow_digest)

    def contribution_email(self, contribution_id):
        return self._read("contribution_email", contribution_id)

    def contributions(self, **kwargs):
        return self._read("contributions", **kwargs)

    def contribution_status_counts(self, **filters):
        return self._read("contribution_status_counts", **filters)

    def contribution_counts(self, quartiere):
        return self._read("contribution_counts", quartiere)

    def contribution_add(self, new, limits, photo=None, compose=None):
        return self._write("contribution_add", new, limits, photo, compose)

    def contribution_photo(self, contribution_id, small=False):
        return self._read("contribution_photo", contribution_id, small)

    def contribution_photo_remove(self, contribution_id, user):
        return self._write("contribution_photo_remove", contribution_id, user)

    def contribution_moderate(
        self, contribution_id, user, action, changes, compose=None, expect_status=None
    ):
        return self._write(
            "contribution_moderate", contribution_id, user, action, changes, compose, expect_status
        )

    def contribution_flag(self, contribution_id, reason, rate_key, hide_after):
        return self._write("contribution_flag", contribution_id, reason, rate_key, hide_after)

    def contributions_forget(self, email, user):
        return self._write("contributions_forget", email, user)

    def contributions_purge(self, before, user):
        return self._write("contributions_purge", before, user)

    # the mail outbox: every step on the primary (a claim must see the latest claims)

    def mail_claim(self, now, lease_until, limit, due_by=None):
        return self._write("mail_claim", now, lease_until, limit, due_by)

    def mail_sent(self, mail_id, at):
        return self._write("mail_sent", mail_id, at)

    def mail_failed(self, mail_id, error, retry_at):
        return self._write("mail_failed", mail_id, error, retry_at)

    def mail_messages(self, contribution_id=None, pending=False, limit=100):
        return self._write("mail_messages", contribution_id, pending, limit)

    def consultation(self, consultation_id):
        return self._read("consultation", consultation_id)

    def consultations(self):
        return self._read("consultations")

    def consultation_comment_features(self, consultation_id):
        return self._read("consultation_comment_features", consultation_id)

    def consultation_add(self, consultation):
        return self._write("consultation_add", consultation)

    def consultation_update(self, consultation_id, user, changes):
        return self._write("consultation_update", consultation_id, user, changes)

    def consultation_comment_add(self, consultation_id, feature_id, new, limits, compose=None):
        return self._write(
            "consultation_comment_add", consultation_id, feature_id, new, limits, compose
        )

    def close(self) -> None:
        if self._closed:
            return
        self._stop_poller()
        if self._primary is not None:
            self._primary.close()
        for replica in self.replicas:
            replica.close()
        self.high.close()
