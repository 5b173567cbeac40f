"""Build the embedded GeoPackage store from `geodata/` and `layers/`.

The store is rebuilt only when a layer file or a source changed (a fingerprint of their
bytes is kept in the store), into a temporary file that replaces the old one atomically.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from pathlib import Path

from app.errors import StoreError
from app.geo import io
from app.registry import Registry
from app.stores.gpkg import GpkgStore

log = logging.getLogger(__name__)
FINGERPRINT = "sources_fingerprint"


def fingerprint(registry: Registry, root: Path, layers_dir: Path) -> str:
    """A hash of every layer file and every source file the registry names."""
    digest = hashlib.sha256()
    files = sorted(Path(layers_dir).glob("*.yaml")) + sorted(
        {Path(root) / s.source.path for s in registry.layers}
    )
    for path in files:
        digest.update(str(path.name).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def store_is_current(path: Path, wanted: str) -> bool:
    if not Path(path).is_file():
        return False
    try:
        return GpkgStore(path).meta(FINGERPRINT) == wanted
    except StoreError:
        return False


def build_store(registry: Registry, root: Path, target: Path, fp: str) -> dict[str, int]:
    """Write every layer of the registry into a new GeoPackage that replaces `target`.

    Returns the feature count per layer. On any error the old store is left untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.stem}.{os.getpid()}.building.gpkg")
    tmp.unlink(missing_ok=True)
    counts = {}
    try:
        store = GpkgStore.create(tmp)
        for spec in registry.layers:
            gdf = io.read_source(Path(root) / spec.source.path, spec.source.layer, spec.source.crs)
            counts[spec.id] = store.write_layer(spec, gdf).feature_count
        store.set_meta(FINGERPRINT, fp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.lock").unlink(missing_ok=True)
    return counts


def ensure_store(registry: Registry, root: Path, layers_dir: Path, target: Path) -> bool:
    """Build the store if it is missing or its sources changed; True if it was (re)built."""
    fp = fingerprint(registry, root, layers_dir)
    if store_is_current(target, fp):
        return False
    started = time.perf_counter()
    counts = build_store(registry, root, target, fp)
    log.info("built %s: %s in %.1f s", target.name, counts, time.perf_counter() - started)
    return True
