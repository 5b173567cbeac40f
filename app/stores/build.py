"""Bring the shipped layers (`layers/*.yaml` + `geodata/`) into the store.

Each shipped layer is fingerprinted (the bytes of its layer file and of its source); a
layer whose fingerprint changed gets a new version, staged completely and then published
in one transaction. A layer the SIT office has published over (origin `import` or `edit`) keeps the
office's version served: the new shipped version is staged as a draft beside it.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from app.errors import LayerNotFound, StoreError
from app.geo import io
from app.registry import LayerSpec, Registry
from app.stores import is_postgres, open_store
from app.stores.base import FeatureStore
from app.stores.gpkg import GpkgStore

log = logging.getLogger(__name__)
SHIPPED = "shipped"
BUILD_USER = "build"


def layer_fingerprint(spec: LayerSpec, root: Path, layers_dir: Path) -> str:
    """A hash of the layer file and its source file."""
    digest = hashlib.sha256()
    for path in (Path(layers_dir) / f"{spec.id}.yaml", Path(root) / spec.source.path):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class SyncResult:
    published: dict[str, int]  # layer id -> feature count of the new served version
    staged_only: list[str]  # shipped changes kept as drafts: the office's version is served
    unchanged: list[str]
    seconds: float

    @property
    def changed(self) -> bool:
        return bool(self.published or self.staged_only)


def sync_shipped(
    registry: Registry, root: Path, layers_dir: Path, target: Path, force: bool = False
) -> SyncResult:
    """Stage and publish every shipped layer whose files changed (all with `force`).

    A layer whose data is refused raises DataError; the layers before it are already
    published, the refused one keeps its served version.
    """
    started = time.perf_counter()
    if is_postgres(target):  # stage/publish take per-layer advisory locks in the database
        return _sync(registry, root, layers_dir, target, force, started)
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    # One build at a time (e.g. several app workers starting together).
    try:
        lock = open(f"{target}.build.lock", "w")  # noqa: SIM115 (closed by the with below)
    except OSError as exc:
        raise StoreError(
            f"cannot build the store next to {Path(target).name}: {exc.strerror}"
        ) from None
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return _sync(registry, root, layers_dir, target, force, started)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _open(target: Path) -> FeatureStore:
    """The store, or a new one when the file is not a usable store (kept aside, not lost)."""
    if is_postgres(target):
        return open_store(target, create=True)
    try:
        return GpkgStore.open_or_create(target)
    except StoreError as exc:
        aside = Path(target).with_name(f"{Path(target).name}.unusable-{int(time.time())}")
        Path(target).rename(aside)
        log.error("%s; moved to %s and building a new store", exc.detail, aside.name)
        return GpkgStore.create(target)


def _sync(registry, root, layers_dir, target, force, started) -> SyncResult:
    store = _open(target)
    try:
        return _sync_into(store, registry, root, layers_dir, force, started)
    finally:
        store.close()  # PostGIS: the build's own connection pool


def _sync_into(store, registry, root, layers_dir, force, started) -> SyncResult:
    known = store.shipped_fingerprints()
    published, staged_only, unchanged = {}, [], []
    for spec in registry.layers:
        fp = layer_fingerprint(spec, root, layers_dir)
        if not force and known.get(spec.id) == fp:
            unchanged.append(spec.id)
            continue
        gdf = io.read_source(Path(root) / spec.source.path, spec.source.layer, spec.source.crs)
        staged = store.stage(
            spec, gdf, origin=SHIPPED, source=spec.source.path, user=BUILD_USER, fingerprint=fp
        )
        try:
            served = store.describe(spec.id)
        except LayerNotFound:
            served = None
        if not spec.published:
            staged_only.append(spec.id)
        elif served is None or served.origin == SHIPPED:
            store.publish(spec.id, staged.version, BUILD_USER)
            published[spec.id] = staged.feature_count
        else:
            log.warning(
                "layer %s: the office's version stays served; shipped v%s is a draft",
                spec.id,
                staged.version,
            )
            staged_only.append(spec.id)
    return SyncResult(published, staged_only, unchanged, time.perf_counter() - started)


def ensure_store(registry: Registry, root: Path, layers_dir: Path, target: Path) -> bool:
    """Create the store if missing and sync changed shipped layers; True if anything changed."""
    result = sync_shipped(registry, root, layers_dir, target)
    if result.changed:
        log.info(
            "store %s: published %s in %.1f s", Path(target).name, result.published, result.seconds
        )
    return result.changed
